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
# the JDK the services ran on (bench/run.sh exports it), not whichever java is first on PATH
java = sh(os.path.join(os.environ['JAVA_HOME'], 'bin', 'java') + ' -version 2>&1 | head -2 | tail -1' if os.environ.get('JAVA_HOME') else 'java -version 2>&1 | head -2 | tail -1')
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
    w('`LOAD_WAIT` s for < 0.5).')
    trials_file = os.path.join(WORK, 'startup-extra-variants.txt')
    trials = [t.split('=', 1) for t in (open(trials_file).read().strip().split(';') if os.path.exists(trials_file)
                                        else []) if '=' in t]
    trial_names = [name for name, _ in trials]
    if trials:
        w('Trial variants in the same rounds (`EXTRA_VARIANTS`: the production flags plus these, not what the images run): '
          + '; '.join(f'`{name}` = `{flags}`' for name, flags in trials) + '.')
    w('')
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
        for variant in ['jvm', 'aot', 'aot-job'] + trial_names:
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
        for variant in ['jvm', 'aot', 'aot-job'] + trial_names:
            if not vals(n, variant, 'ready_ms'):
                continue
            w(f'| {n} | {variant} | ' + ' | '.join(fmt(med(vals(n, variant, c)), 0) for c in (
                'jvm_ms', 'flyway_ms', 'boot_ms', 'readiness_ms', 'ready_ms', 'first_request_ms'))
              + f' | {aot.get(n, "n/a") if variant != "jvm" else ""} |')
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
    w('relay-service verifies the RS256 token and asks a fake session-service for ownership.'
      + (' `relay-before` is an earlier build of relay-service alternated with the current one in the same run (what it'
         ' is and its JVM flags: below the tables).' if any(r[1] == 'relay-before' for r in rows('fanout.tsv')) else '')
      + '\n')
    w(fanout_summary.markdown(os.path.join(WORK, 'fanout.tsv'), os.path.join(WORK, 'fanout-settings.json')))
else:
    w('Not run in this report.')

# (c)
def spread(vals, digits=1):
    vals = [v for v in vals if v is not None]
    if not vals:
        return 'n/a'
    return f'{fmt(statistics.median(vals), digits)} ({fmt(min(vals), digits)}-{fmt(max(vals), digits)})'


def pct(vals, q):  # nearest rank
    if not vals:
        return None
    v = sorted(vals)
    return v[max(0, min(len(v) - 1, int(-(-q * len(v) // 1)) - 1))]


w('\n## (c) Chat turn overhead through the whole stack\n')
tt = rows('ttft.tsv')
runs_c = [r for r in tt if r[0] == 'run']
if runs_c:
    warm = next((r for r in tt if r[0] == 'warmup'), None)
    w('The local stack (`infra/local/run.sh`: nginx ingress, auth, session, chat, relay, the model stand-in; our own ports')
    w('and databases). One user signed in through the ingress (magic link + code) chats in a pool of sessions, each with')
    w('its WebSocket opened once through the ingress (a user in an open tab: session creation and the upgrade are not')
    w('in the figure); TTFT = `POST /api/chat` (`Prefer: respond-async`) -> first `message.delta` frame on that WebSocket')
    w('(ingress -> chat -> stand-in -> Redis -> relay -> client); each simulated user waits for `message.completed` before')
    w('its next turn, so turns in flight = concurrency. The stand-in answers 20 tokens, first token after 200 ms, 15 ms apart.')
    w('Baseline = a streaming call straight to the stand-in (first content chunk) at the same concurrency. The two')
    w('alternate (direct, stack, direct, stack, ...) per level, each run after a bounded wait for a 1-minute load below')
    w(f'{os.environ.get("LOAD_MAX", "0.5")} (the load each run started at is listed). Warm-up, not reported: '
      + (f'{warm[1]} ({warm[2]} s).' if warm else 'none recorded.'))
    flags = [r for r in tt if r[0] == 'flags']
    if flags:
        # paths relative to the repository: the report names no directory of the machine it ran on
        w('JVM flags of the stack (from each process\'s command line): ' + '; '.join(
            f'{r[1]} `{r[2].replace(ROOT + "/", "")}`' for r in flags) + '.')
    w('\nPer level: median over the runs of each run\'s percentile (min-max across runs); pooled = all samples of the')
    w('level together, with their count (a p99 needs >= 1,000).\n')
    w('| concurrency | runs x turns | failed | stack p50 (ms) | direct p50 (ms) | overhead p50 (ms) | stack p99 | direct p99 | overhead p99 | pooled overhead p50 / p99 (samples stack, direct) | load at run starts |')
    w('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    levels = []
    for r in runs_c:
        if int(r[2]) not in levels:
            levels.append(int(r[2]))
    samples = [r for r in tt if r[0] == 'sample']
    for c in levels:
        st = [r for r in runs_c if int(r[2]) == c and r[1] == 'stack']
        di = [r for r in runs_c if int(r[2]) == c and r[1] == 'direct']
        by_rep = {r[3]: r for r in di}
        o50 = [num(s[6]) - num(by_rep[s[3]][6]) for s in st if s[3] in by_rep and num(s[6]) is not None and num(by_rep[s[3]][6]) is not None]
        o99 = [num(s[7]) - num(by_rep[s[3]][7]) for s in st if s[3] in by_rep and num(s[7]) is not None and num(by_rep[s[3]][7]) is not None]
        ps = [num(r[4]) for r in samples if r[1] == 'stack' and int(r[2]) == c]
        pd = [num(r[4]) for r in samples if r[1] == 'direct' and int(r[2]) == c]
        pooled = 'n/a'
        if ps and pd:
            pooled = f'{fmt(pct(ps, 0.5) - pct(pd, 0.5))} / {fmt(pct(ps, 0.99) - pct(pd, 0.99))} ({len(ps):,}, {len(pd):,})'
        loads_c = ', '.join(f'{r[1][0]}{r[3]} {r[8]}' for r in runs_c if int(r[2]) == c)
        w(f'| {c} | {len(st)} x {st[0][4] if st else "?"} | {sum(int(r[5]) for r in st)} | {spread([num(r[6]) for r in st])} | '
          f'{spread([num(r[6]) for r in di])} | {spread(o50)} | {spread([num(r[7]) for r in st])} | '
          f'{spread([num(r[7]) for r in di])} | {spread(o99)} | {pooled} | {loads_c} |')
    splits = [r for r in tt if r[0] == 'split' and r[1] == 'stack']
    if splits:
        w('\nWhere the time to first token goes in the stack runs, from each event\'s `ts` (chat-service\'s clock when it builds')
        w('the event: this machine\'s, in whole milliseconds, so each part is within 1 ms of the truth): the medians of each')
        w('run\'s per-turn medians (min-max), means after them. The parts add up to the TTFT; the model call includes the')
        w('stand-in\'s 200 ms to its first token (compare the direct p50).\n')
        w('| concurrency | turns | POST -> 202 (ms) | POST -> the turn\'s `message.created` built: admission, begin-turn, launch | -> its first `message.delta` built: the model call (direct p50) | -> that frame on the socket: publish through Redis, relay, ingress | means of the three |')
        w('| --- | --- | --- | --- | --- | --- | --- |')
        for c in levels:
            sp = [r for r in splits if int(r[2]) == c]
            if not sp:
                continue
            di = [num(r[6]) for r in runs_c if int(r[2]) == c and r[1] == 'direct']
            means = ' / '.join(spread([num(r[i]) for r in sp]) for i in (9, 10, 11))
            w(f'| {c} | {sum(int(r[4]) for r in sp):,} | {spread([num(r[5]) for r in sp])} | {spread([num(r[6]) for r in sp])} | '
              f'{spread([num(r[7]) for r in sp])} ({spread(di)}) | {spread([num(r[8]) for r in sp])} | {means} |')
    cpu_rows = [r for r in tt if r[0] == 'cpu' and r[1] == 'stack']
    if cpu_rows:
        procs = []
        for r in cpu_rows:
            if r[4] not in procs:
                procs.append(r[4])
        w('\nCPU milliseconds per turn of each process (utime+stime from `/proc/<pid>/stat`, children included, delta over')
        w('each stack run / its turns; median over the runs (min-max)). It barely moves with contention: the figure to')
        w('compare across days. `load-generator` is this benchmark\'s own JVM.\n')
        w('| process | ' + ' | '.join(f'concurrency {c}' for c in levels) + ' |')
        w('| --- | ' + ' | '.join('---' for _ in levels) + ' |')
        for p in procs:
            cells = [spread([num(r[5]) for r in cpu_rows if r[4] == p and int(r[2]) == c], 2) for c in levels]
            w(f'| {p} | ' + ' | '.join(cells) + ' |')
        stub = [r for r in tt if r[0] == 'cpu' and r[1] == 'direct' and r[4] == 'llm-stub']
        if stub:
            w('\nThe stand-in alone (direct runs), CPU ms per call: ' + ', '.join(
                f'concurrency {c} {spread([num(r[5]) for r in stub if int(r[2]) == c], 2)}' for c in levels) + '.')
    rss = rows('rss-ttft.tsv')
    if rss:
        w('\nRssAnon of each process of the stack right after the last turn (MiB): ' + ', '.join(f'{r[0]} {r[1]}' for r in rss) + '.')
elif tt:
    w('The results file has the format of an older `StackBench.java`; rerun part (c).')
else:
    w('Not run in this report.')

# (d)
w('\n## (d) History page latency at 100,000 messages per session\n')
hi = rows('history.tsv')
rounds_d = [r for r in hi if r[0] == 'round']
if rounds_d:
    flags = next((r[1] for r in hi if r[0] == 'flags'), 'n/a')
    w('`bench/history-page/run.sh`: one session of 100,000 messages in a throwaway database, `GET /api/sessions/{id}/messages?after_seq=X&limit=50`')
    w('at random X, sequential, keep-alive (curl), against session-service alone (direct, not through the ingress;')
    w(f'JVM flags `{flags}`); baseline = the same SQL through `pgbench -M prepared` on the same database. The two')
    warm_d = next((r[1] for r in hi if r[0] == 'warmup'), None)
    w('alternate round by round, each round after a bounded wait for a quiet machine (the load it started at is listed).')
    w(f'Warm-up, not reported: {warm_d}.\n' if warm_d else 'Warm-up: not recorded.\n')
    w('| what | rounds x requests | p50 (ms) | p90 (ms) | p99 (ms) | mean (ms) | pooled p50 / p99 (samples) | CPU ms per request | load at round starts |')
    w('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    med = {}
    for side in ('service', 'pgbench'):
        rs = [r for r in rounds_d if r[1] == side]
        pl = next((r for r in hi if r[0] == 'pooled' and r[1] == side), None)
        med[side] = (statistics.median(num(r[5]) for r in rs), num(pl[5]) if pl else None)
        cpu_d = spread([num(r[10]) for r in rs if len(r) > 10 and r[10]], 3) if side == 'service' else 'n/a'
        w(f'| {"session-service HTTP" if side == "service" else "pgbench, same SQL"} | {len(rs)} x {rs[0][4]} | '
          f'{spread([num(r[5]) for r in rs], 3)} | {spread([num(r[6]) for r in rs], 3)} | {spread([num(r[7]) for r in rs], 3)} | '
          f'{spread([num(r[8]) for r in rs], 3)} | {pl[3] + " / " + pl[5] + " (" + pl[2] + ")" if pl else "n/a"} | {cpu_d} | '
          f'{", ".join(r[3] for r in rs)} |')
    s50 = statistics.median(num(r[5]) for r in rounds_d if r[1] == 'service')
    p50 = statistics.median(num(r[5]) for r in rounds_d if r[1] == 'pgbench')
    w(f'\nRatio service / database: p50 {ratio(s50, p50)} (medians of the rounds), p99 {ratio(med["service"][1], med["pgbench"][1])} (pooled).')
elif hi:
    w('The results file has the format of an older `history-page/run.sh`; rerun part (d).')
else:
    w('Not run in this report.')
print('\n'.join(out))
