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
w('\n## (a) Start-up to ready and RSS: plain JVM vs JDK 25 AOT cache\n')
st = rows('startup.tsv')
aot = {r[0]: r[1] for r in rows('aot-files.tsv')}
if st:
    w('Same packaged app (built with `-Paot`: `quarkus.package.jar.appcds.enabled=true` + `use-aot=true`), started')
    w('from `target/quarkus-app` with infra/local\'s `JAVA_OPTS` (`-XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1`),')
    w('without and with `-XX:AOTCache=app.aot`. Ready = spawn -> first 200 from `/q/health/ready` (Redis and')
    w('PostgreSQL checks included; polled every 20 ms). RSS = VmRSS at that moment. Medians of the runs per variant')
    w('(variants alternated); "Quarkus" = the "started in" the app logs itself.\n')
    w('| service | runs | ready, JVM (ms) | ready, AOT (ms) | AOT/JVM | Quarkus started, JVM / AOT (s) | RSS JVM (MiB) | RSS AOT (MiB) | AOT/JVM | app.aot (MiB) |')
    w('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    names = []
    for r in st:
        if r[0] not in names:
            names.append(r[0])
    for n in names:
        def med(variant, col):
            vals = [num(r[col]) for r in st if r[0] == n and r[1] == variant and num(r[col]) is not None]
            return statistics.median(vals) if vals else None
        runs = len([r for r in st if r[0] == n and r[1] == 'jvm'])
        module = 'infra/llm-stub' if n == 'llm-stub' else n
        w(f'| {n} | {runs} | {fmt(med("jvm", 3), 0)} | {fmt(med("aot", 3), 0)} | {ratio(med("aot", 3), med("jvm", 3))} | '
          f'{fmt(med("jvm", 5), 2)} / {fmt(med("aot", 5), 2)} | {fmt(med("jvm", 4))} | {fmt(med("aot", 4))} | '
          f'{ratio(med("aot", 4), med("jvm", 4))} | {aot.get(module, "n/a")} |')
else:
    w('Not run in this report.')

# (b)
w('\n## (b) Relay fan-out: relay-service vs a Node reference relay (ws + ioredis)\n')
if rows('fanout.tsv'):
    sys.path.insert(0, os.path.join(ROOT, 'bench', 'relay-fanout'))
    import summary as fanout_summary
    w('`bench/relay-fanout` (its README says how): one WebSocket client per session in a load-generator JVM of its own,')
    w('events published by another process through chat-service\'s Lua script (XADD `chat:stream:{sid}` + PUBLISH')
    w('`chat:events:{sid}`), one event per session per round; lag = publish -> frame received (System.nanoTime, one')
    w('monotonic clock for all processes); CPU = utime+stime of the relay process per 10,000 delivered frames.')
    w('relay-service and the Node baseline are alternated, each warmed up at the shared load before measuring.')
    w('The baseline (`bench/relay-baseline/relay.js`, **a benchmark baseline, not part of the platform**) subscribes to')
    w('the same channel and serves the same frames but does **no real authentication** (a JWT-shaped bearer subprotocol')
    w('must be present; it is not verified, no session-service ownership call), no resume from the stream, no metrics;')
    w('relay-service verifies the RS256 token and asks a fake session-service for ownership.\n')
    w(fanout_summary.markdown(os.path.join(WORK, 'fanout.tsv'), os.path.join(WORK, 'fanout-settings.json')))
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
