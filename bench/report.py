#!/usr/bin/env python3
"""Builds bench/report.md from the tab-separated results bench/run.sh leaves in bench/target/run."""
import os
import platform
import re
import statistics
import subprocess
import sys

WORK, ROOT = sys.argv[1], sys.argv[2]


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:  # a missing tool only leaves a blank in the report
        return ''


def rows(name):
    p = os.path.join(WORK, name)
    if not os.path.exists(p):
        return []
    return [line.rstrip('\n').split('\t') for line in open(p) if line.strip()]


def num(x):
    try:
        v = float(x)
        return None if v != v else v
    except ValueError:
        return None


def ratio(a, b):
    return f'{a / b:.2f}x' if a is not None and b else 'n/a'


def fmt(v, digits=1):
    return 'n/a' if v is None else f'{v:,.{digits}f}'


out = []
w = out.append
mem_kib = int(re.search(r'MemTotal:\s+(\d+)', open('/proc/meminfo').read()).group(1))
cpu = re.search(r'model name\s*:\s*(.*)', open('/proc/cpuinfo').read())
java = sh('java -version 2>&1 | head -2 | tail -1')
w('# Benchmark report\n')
w('Written by `bench/run.sh` (one command; every figure below comes from the same run, on the same machine, with the')
w('baselines measured side by side). Raw logs stay in `bench/target/run/logs` (not committed).\n')
w('## Machine\n')
w('| | |\n| --- | --- |')
dates = sorted(f for f in os.listdir(WORK) if f.startswith('date-'))
w('| date (UTC, when each invocation started: parts) | ' + '; '.join(
    open(os.path.join(WORK, f)).read().strip() + ' (' + f[5:].replace('-', ', ') + ')' for f in dates) + ' |')
w(f'| `nproc` | {sh("nproc")} |')
w(f'| CPU | {cpu.group(1).strip() if cpu else platform.processor()} |')
w(f'| memory | {mem_kib / 1024 / 1024:.1f} GiB |')
w(f'| kernel | {platform.system()} {platform.release()} |')
w(f'| JDK | {java} |')
def npm_version(pkg):
    return sh(f"cd {ROOT}/bench/relay-baseline && node -p 'require(\"{pkg}/package.json\").version'")


w(f'| Node.js | {sh("node --version")} (ws {npm_version("ws")}, ioredis {npm_version("ioredis")}) |')
w(f'| Redis | {sh("redis-cli INFO server | grep redis_version | cut -d: -f2")} |')
w('| PostgreSQL | ' + sh("psql -tAc 'SHOW server_version'") + ' |')
w(f'| commit | {sh("git -C " + ROOT + " rev-parse --short HEAD")} |')
PARTS = ['build', 'startup', 'history', 'fanout', 'ttft']
loads = []
for part in PARTS:
    p = os.path.join(WORK, f'load-{part}.txt')
    if os.path.exists(p):
        loads += [line.split(' ', 1) for line in open(p).read().splitlines()]
w('| load average (1/5/15 min) when each part started | ' + '; '.join(f'{a}: {b}' for a, b in loads) + ' |')
w('\nEverything (services, Redis, PostgreSQL, load generators, baselines) shares these cores over loopback, so the')
w('absolute numbers include the load generator\'s own CPU; the ratios compare like with like in the same run.\n')

w('## Commands\n')
w('`bench/run.sh` ran these (paths relative to the repository):\n')
for part in PARTS:
    p = os.path.join(WORK, f'commands-{part}.md')
    if os.path.exists(p):
        w(f'{part}:\n')
        w(open(p).read())

# (a)
w('\n## (a) Start-up to ready and memory: plain JVM vs the Leyden AOT cache\n')
st = rows('startup.tsv')
aot = {r[0]: r[1] for r in rows('aot-files.tsv')}
if st and st[0][0] == 'service':
    cols = {c: i for i, c in enumerate(st[0])}
    st = st[1:]
    opts = open(os.path.join(WORK, 'startup-java-opts.txt')).read().strip() if os.path.exists(
        os.path.join(WORK, 'startup-java-opts.txt')) else 'see bench/startup/startup.py'
    w('The same packaged app (built with `-Paot`: the `aot-jar` packaging, `app.aot` recorded while the service\'s')
    w('`@QuarkusIntegrationTest` ran against the jar, then assembled), started from `target/quarkus-app` with the')
    w(f'production JVM flags (`{opts}`, as infra/local, the images and infra/k8s) without (`jvm`) and with')
    w('`-XX:AOTCache=app.aot` (`aot`); `aot-job` is the AOT start with Flyway off the start path, as the Kubernetes')
    w('pods run once the migration Job has run. Ready = spawn -> first 200 from `/q/health/ready` (polled every')
    w('10 ms). Then one real request (auth: JWKS; session: list with an RS256 token; chat: a cancel with a token;')
    w('relay: the web UI), then RssAnon and Pss (a mapped cache file is not anonymous memory). Variants alternated,')
    w('medians with min-max; the load average is the 1-minute figure at each start (each waited at most')
    w('`LOAD_WAIT` s for < 0.5).\n')
    w('| service | variant | runs | ready (ms) | vs jvm | RssAnon after 1st request (MiB) | Pss (MiB) | load at start |')
    w('| --- | --- | --- | --- | --- | --- | --- | --- |')
    names = []
    for r in st:
        if r[0] not in names:
            names.append(r[0])

    def vals(n, variant, col):
        return [v for v in (num(r[cols[col]]) for r in st if r[0] == n and r[1] == variant) if v is not None]

    def spread(vs, digits=0):
        if not vs:
            return 'n/a'
        return f'{fmt(statistics.median(vs), digits)} ({fmt(min(vs), digits)}-{fmt(max(vs), digits)})'

    def med(vs):
        return statistics.median(vs) if vs else None
    for n in names:
        base = med(vals(n, 'jvm', 'ready_ms'))
        for variant in ('jvm', 'aot', 'aot-job'):
            ready = vals(n, variant, 'ready_ms')
            if not ready:
                continue
            speed = 'baseline' if variant == 'jvm' else (f'{base / med(ready):.2f}x faster' if base else 'n/a')
            w(f'| {n} | {variant} | {len(ready)} | {spread(ready)} | {speed} | {spread(vals(n, variant, "rss_anon_mib"), 1)} | '
              f'{spread(vals(n, variant, "pss_mib"), 1)} | {spread(vals(n, variant, "load1"), 2)} |')
    w('\nWhere the time to ready goes (medians, ms; from the app\'s own log: JVM = spawn -> Quarkus\' clock starts,')
    w('Flyway = its first to last log line, boot = the rest of Quarkus\' "started in" (CDI, Hibernate, HTTP server,')
    w('pools), readiness = "started" -> first 200 (the first check opens the Redis/database connections); first')
    w('request = its response time right after ready):\n')
    w('| service | variant | JVM | Flyway | boot | readiness | ready | first request | app.aot (MiB) |')
    w('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    for n in names:
        for variant in ('jvm', 'aot', 'aot-job'):
            if not vals(n, variant, 'ready_ms'):
                continue
            w(f'| {n} | {variant} | ' + ' | '.join(fmt(med(vals(n, variant, c)), 0) for c in (
                'jvm_ms', 'flyway_ms', 'boot_ms', 'readiness_ms', 'ready_ms', 'first_request_ms'))
              + f' | {aot.get(n, "n/a") if variant != "jvm" else ""} |')
else:
    w('Not run in this report.')

# (b)
w('\n## (b) Relay fan-out: relay-service vs a Node reference relay (ws + ioredis)\n')
fo = rows('fanout.tsv')
if fo:
    r0 = fo[0]
    w(f'N WebSocket clients on N sessions (one each), every session gets a {r0[3]}-token answer, published as chat-service')
    w(f'does (one Lua script: XADD `chat:stream:{{sid}}` + PUBLISH `chat:events:{{sid}}`), rounds {r0[4]} ms apart, all')
    w('sessions in lockstep (a round = N events in one pipelined burst). Lag = publish -> frame received (one monotonic')
    w('clock: publisher and clients share the load-generator JVM). events/s = delivered / (first publish -> last delivery).')
    w('The baseline (`bench/relay-baseline/relay.js`, **a benchmark baseline, not part of the platform**) subscribes to')
    w('the same channel and serves the same frames but does **no real authentication** (a JWT-shaped bearer subprotocol')
    w('must be present; it is not verified, no session-service ownership call), no resume from the stream, no metrics;')
    w('relay-service verifies the RS256 token and asks a fake session-service (in the load generator) for ownership.\n')
    w('| connections | relay | delivered / expected | p50 lag (ms) | p90 (ms) | p99 (ms) | max (ms) | events/s | relay RSS after (MiB) |')
    w('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    for r in fo:
        w(f'| {int(r[1]):,} | {r[0]} | {int(r[5]):,} / {int(r[12]):,} | {r[6]} | {r[7]} | {r[8]} | {r[9]} | {int(float(r[10])):,} | {r[11]} |')
    w('\nRatios relay-service / Node baseline (lag: below 1 = relay-service faster; events/s: above 1 = relay-service more):\n')
    w('| connections | p50 lag | p99 lag | events/s | RSS |')
    w('| --- | --- | --- | --- | --- |')
    for n in sorted({int(r[1]) for r in fo}):
        j = next((r for r in fo if int(r[1]) == n and r[0] == 'relay-service'), None)
        b = next((r for r in fo if int(r[1]) == n and r[0] != 'relay-service'), None)
        if j and b:
            w(f'| {n:,} | {ratio(num(j[6]), num(b[6]))} | {ratio(num(j[8]), num(b[8]))} | {ratio(num(j[10]), num(b[10]))} | {ratio(num(j[11]), num(b[11]))} |')
else:
    w('Not run in this report.')

# (c)
w('\n## (c) Chat turn overhead through the whole stack\n')
tt = rows('ttft.tsv')
if tt:
    w('The local stack (`infra/local/run.sh`: nginx ingress, auth, session, chat, relay, the model stand-in; our own ports')
    w('and databases). One user signed in through the ingress (magic link + code); per turn it creates a session, opens its')
    w('WebSocket through the ingress and waits for `ready`, then TTFT = `POST /api/chat` (`Prefer: respond-async`) ->')
    w('first `message.delta` frame on that WebSocket (ingress -> chat -> stand-in -> Redis -> relay -> client), and waits')
    w('for `message.completed` before its next turn (after 400 warm-up turns at concurrency 20). The stand-in answers 20 tokens, first token after 200 ms, 15 ms apart.')
    w('Baseline = a streaming call straight to the stand-in (first content chunk) at the same concurrency, measured just')
    w('before. Overhead = stack minus direct, per percentile. The services run with the full JIT and a bounded heap')
    w('(`JAVA_OPTS` in the command above), not infra/local\'s fast-start default that stops at the C1 compiler.\n')
    w('| concurrency | turns | failed | stack TTFT p50 (ms) | p99 (ms) | direct p50 (ms) | p99 (ms) | overhead p50 (ms) | overhead p99 (ms) | stack/direct p50 |')
    w('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    for r in tt:
        s50, s99, d50, d99 = num(r[3]), num(r[4]), num(r[5]), num(r[6])
        w(f'| {r[0]} | {r[1]} | {r[2]} | {fmt(s50)} | {fmt(s99)} | {fmt(d50)} | {fmt(d99)} | '
          f'{fmt(s50 - d50 if s50 is not None and d50 is not None else None)} | '
          f'{fmt(s99 - d99 if s99 is not None and d99 is not None else None)} | {ratio(s50, d50)} |')
    rss = rows('rss-ttft.tsv')
    if rss:
        w('\nRSS of each process of the stack right after the last turn (MiB): ' + ', '.join(f'{r[0]} {r[1]}' for r in rss) + '.')
else:
    w('Not run in this report.')

# (d)
w('\n## (d) History page latency at 100,000 messages per session\n')
hi = rows('history.tsv')
if hi:
    w('`bench/history-page/run.sh`: one session of 100,000 messages in a throwaway database, `GET /api/sessions/{id}/messages?after_seq=X&limit=50`')
    w('at random X, sequential, keep-alive (curl), against session-service alone (direct, not through the ingress);')
    w('baseline = the same two SQL statements through `pgbench -M prepared` on the same database.\n')
    w('| what | samples | p50 (ms) | p90 (ms) | p99 (ms) | mean (ms) | max (ms) |')
    w('| --- | --- | --- | --- | --- | --- | --- |')
    for r in hi:
        w(f'| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} |')
    if len(hi) == 2:
        w(f'\nRatio service / database: p50 {ratio(num(hi[0][2]), num(hi[1][2]))}, p99 {ratio(num(hi[0][4]), num(hi[1][4]))}.')
else:
    w('Not run in this report.')
print('\n'.join(out))
