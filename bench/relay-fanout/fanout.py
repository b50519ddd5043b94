#!/usr/bin/env python3
"""Fan-out benchmark: relay-service against the Node baseline (bench/relay-baseline), alternated A B A B ...

Per run and relay: start the relay, connect CLIENTS clients (LoadGen, its own JVM), warm up with the shared load,
then measure the shared load, step the offered rate up until a step fails (p99 > P99_BOUND_MS, a lost or a
duplicated event), then reconnect OVERLOAD_CLIENTS clients for the overload row. Every phase's events come from
Publisher (another JVM, chat-service's Lua script). CPU = utime+stime from /proc/<pid>/stat of each process,
memory = RssAnon from /proc/<pid>/status. See README.md for the knobs.
"""
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time

import summary
from summary import COLUMNS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
E = os.environ.get
RUNS = int(E('RUNS', '3'))
CLIENTS = int(E('CLIENTS', '1000'))
WARMUP_S = float(E('WARMUP_S', '60'))
PHASE_S = float(E('PHASE_S', '20'))
SHARED_RATE = float(E('SHARED_RATE', '10'))
STEP_RATES = [float(x) for x in E('STEP_RATES', '20 30 45 60 80 100').split()]
OVERLOAD_CLIENTS = int(E('OVERLOAD_CLIENTS', '5000'))
OVERLOAD_RATE = float(E('OVERLOAD_RATE', '10'))
OVERLOAD_S = float(E('OVERLOAD_S', str(PHASE_S)))
DRAIN_S = float(E('DRAIN_S', '20'))
P99_BOUND_MS = float(E('P99_BOUND_MS', '200'))
LOAD_MAX = float(E('LOAD_MAX', '0.5'))
LOAD_WAIT_S = float(E('LOAD_WAIT_S', '300'))
RELAYS = E('RELAYS', 'relay-service node').split()
# The production JVM settings: infra/k8s/base/relay-service.yaml, Dockerfile.jvm and infra/local/run.sh all use
# these (a fixed heap, so the figure does not depend on the machine's RAM); keep them in step.
RELAY_JAVA_OPTS = E('RELAY_JAVA_OPTS', '-XX:+UseSerialGC -Xms256m -Xmx256m -Xmn24m -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError')
REDIS_HOST = E('REDIS_HOST', '127.0.0.1')
REDIS_PORT = int(E('REDIS_PORT', '6379'))
RELAY_PORT = int(E('FANOUT_RELAY_PORT', '28097'))
RELAY_MANAGEMENT_PORT = RELAY_PORT + 1000  # health on the management interface
NODE_PORT = int(E('FANOUT_NODE_PORT', '28095'))
WORK = E('FANOUT_WORK', os.path.join(ROOT, 'bench', 'target', 'relay-fanout'))
RESULT_FILE = E('RESULT_FILE', os.path.join(WORK, 'fanout.tsv'))
JAVA = os.path.join(E('JAVA_HOME'), 'bin', 'java') if E('JAVA_HOME') else 'java'
CLK = os.sysconf('SC_CLK_TCK')
# the packaged relay-service to measure (another build's quarkus-app directory compares two versions)
RELAY_APP = E('RELAY_APP', os.path.join(ROOT, 'relay-service', 'target', 'quarkus-app'))
# a before/after pair in one run: RELAYS="relay-before relay-service node" with an earlier build's quarkus-app
# directory (and its JVM flags when they changed); it alternates with the other two like any relay
RELAY_BEFORE_APP = E('RELAY_BEFORE_APP', RELAY_APP)
RELAY_BEFORE_JAVA_OPTS = E('RELAY_BEFORE_JAVA_OPTS', RELAY_JAVA_OPTS)
# settings the earlier build predates (its config mapping refuses unknown relay.* keys), e.g. the socket caps
RELAY_BEFORE_DROP = E('RELAY_BEFORE_DROP', '').split()
# what the earlier build is (e.g. its commit), printed with the tables: RELAY_BEFORE_NOTE


def log(msg):
    print(f'[fanout {time.strftime("%H:%M:%S", time.gmtime())}] {msg}', file=sys.stderr, flush=True)


def cpu(pid):
    """utime+stime of a process in seconds (children not included)."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def rss_anon_mib(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('RssAnon:'):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_quiet():
    """Waits (at most LOAD_WAIT_S) for the 1-minute load average to go below LOAD_MAX; returns (load, quiet)."""
    deadline = time.time() + LOAD_WAIT_S
    while True:
        load = float(open('/proc/loadavg').read().split()[0])
        if load < LOAD_MAX:
            return load, True
        if time.time() >= deadline:
            log(f'load average {load} still >= {LOAD_MAX} after {LOAD_WAIT_S:.0f} s: running anyway')
            return load, False
        time.sleep(5)


def fake_session_service():
    """FakeSessions (JDK HttpServer, its own process): every session belongs to whoever asks."""
    p = subprocess.Popen([JAVA, '-XX:+UseSerialGC', '-Xmx64m', '-cp', CLASSES, 'FakeSessions'], stdout=subprocess.PIPE,
                         text=True)
    return p, int(p.stdout.readline())


def wait_ready(ports, seconds=90):
    """Waits for /q/health/ready on the first of `ports` that answers (a build without a management interface
    serves health on its main port)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        for port in ports:
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=2) as s:
                    s.sendall(b'GET /q/health/ready HTTP/1.0\r\nHost: x\r\n\r\n')
                    if b' 200 ' in s.recv(100):
                        return
            except OSError:
                pass
        time.sleep(0.25)
    raise RuntimeError(f'relay on {ports} not ready')


def redis_del(keys):
    with socket.create_connection((REDIS_HOST, REDIS_PORT)) as s:
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            parts = [b'DEL'] + [k.encode() for k in chunk]
            s.sendall(b'*%d\r\n' % len(parts) + b''.join(b'$%d\r\n%s\r\n' % (len(p), p) for p in parts))
            buf = b''
            while not buf.endswith(b'\r\n'):
                buf += s.recv(100)


def start_relay(name, sessions_port, logf):
    if name == 'node':
        env = dict(os.environ, PORT=str(NODE_PORT), CORS_ORIGINS='http://localhost:8080',
                   REDIS_URL=f'redis://{REDIS_HOST}:{REDIS_PORT}')
        p = subprocess.Popen(['node', os.path.join(ROOT, 'bench', 'relay-baseline', 'relay.js')], env=env,
                             stdout=logf, stderr=subprocess.STDOUT)
        return p, NODE_PORT
    before = name == 'relay-before'
    app = RELAY_BEFORE_APP if before else RELAY_APP
    opts = (RELAY_BEFORE_JAVA_OPTS if before else RELAY_JAVA_OPTS).split()
    if os.path.exists(os.path.join(app, 'app.aot')):
        opts.append('-XX:AOTCache=app.aot')  # as the image does when the build made one
    pub = os.path.join(ROOT, 'relay-service', 'src', 'test', 'resources', 'test-publicKey.pem')
    cmd = [JAVA] + opts + [f'-Dquarkus.http.port={RELAY_PORT}', f'-Dquarkus.management.port={RELAY_MANAGEMENT_PORT}',
                           f'-Dmp.jwt.verify.publickey.location={pub}',
                           f'-Dquarkus.rest-client.session-service.url=http://127.0.0.1:{sessions_port}',
                           '-Dquarkus.rest-client.chat-service.url=http://127.0.0.1:9',
                           '-Drelay.allowed-origins=http://localhost:8080',
                           # every client of the load generator is the same user; the per-user cap is not measured here
                           '-Drelay.max-connections-per-user=1000000',
                           # the replica's cap (5,000) is the overload row's size: the shared load's sockets may still
                           # be closing on the server when the overload's clients connect, and must not count
                           f'-Drelay.max-connections={max(CLIENTS, OVERLOAD_CLIENTS) + CLIENTS}',
                           f'-Dquarkus.redis.hosts=redis://{REDIS_HOST}:{REDIS_PORT}',
                           '-Dquarkus.log.console.json.enabled=false', '-Dquarkus.log.level=WARN',
                           '-jar', 'quarkus-run.jar']
    if before:
        cmd = [c for c in cmd if not any(c.startswith(f'-D{k}=') for k in RELAY_BEFORE_DROP)]
    return subprocess.Popen(cmd, cwd=app, stdout=logf, stderr=subprocess.STDOUT), RELAY_PORT


class Gen:
    """One LoadGen process and its clients."""

    def __init__(self, port, clients, run_id, logf):
        key = os.path.join(ROOT, 'relay-service', 'src', 'test', 'resources', 'test-privateKey.pem')
        self.p = subprocess.Popen([JAVA, '-XX:+UseSerialGC', '-Xmx1g', '-cp', CLASSES, 'LoadGen', str(port),
                                   str(clients), run_id, key], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=logf, text=True)
        line = self.p.stdout.readline()
        if not line.startswith('READY'):
            raise RuntimeError(f'load generator failed: {line!r}')
        self.connect_ms = int(line.split()[1])

    def measure(self, phase, per_client):
        self.p.stdin.write(f'MEASURE {phase} {per_client} {DRAIN_S}\n')
        self.p.stdin.flush()
        f = self.p.stdout.readline().split()
        keys = ['phase', 'delivered', 'expected', 'duplicates', 'samples', 'p50', 'p90', 'p99', 'max', 'closed']
        return {k: float(v) for k, v in zip(keys, f[1:])}

    def quit(self):
        try:
            self.p.stdin.write('QUIT\n')
            self.p.stdin.flush()
            self.p.wait(30)
        except Exception:
            self.p.kill()


def phase(relay_pid, gen, run_id, clients, rate, seconds, number):
    """Publishes `rate` events/s to each of `clients` sessions for `seconds`; returns the measured figures."""
    rounds = int(round(rate * seconds))
    t0, r0, g0 = time.time(), cpu(relay_pid), cpu(gen.p.pid)
    pub = subprocess.Popen([JAVA, '-XX:+UseSerialGC', '-cp', CLASSES, 'Publisher', REDIS_HOST, str(REDIS_PORT), run_id,
                            str(clients), str(rate), str(seconds), str(number)], stdout=subprocess.PIPE, text=True)
    # the publisher's CPU is read just before it exits: poll until its DONE line
    out = pub.stdout.readline().split()
    pub_cpu = 0.0
    try:
        pub_cpu = cpu(pub.pid)
    except OSError:
        pass
    pub.wait()
    m = gen.measure(number, rounds)
    wall = time.time() - t0
    m['relay_cpu'] = cpu(relay_pid) - r0
    m['gen_cores'] = (cpu(gen.p.pid) - g0) / wall
    m['pub_cpu'] = pub_cpu
    m['published'] = float(out[2]) if len(out) > 2 else 0.0
    m['cpu_per_10k'] = m['relay_cpu'] / m['delivered'] * 10000 if m['delivered'] else float('nan')
    return m


def row(run, relay, kind, clients, rate, m, rss, load, quiet):
    ok = m['gen_cores'] < 0.9
    vals = dict(m, run=run, relay=relay, row=kind, clients=clients, rate=rate, offered=clients * rate,
                rss_anon_mib=rss, load=load, quiet=int(quiet), valid=int(ok))
    line = '\t'.join(str(round(vals[c], 4)) if isinstance(vals[c], float) else str(vals[c]) for c in COLUMNS)
    with open(RESULT_FILE, 'a') as f:
        f.write(line + '\n')
    log(f'{relay} run {run} {kind} {clients}x{rate:g}/s: delivered {m["delivered"]:.0f}/{m["expected"]:.0f} '
        f'dup {m["duplicates"]:.0f} p50 {m["p50"]} p99 {m["p99"]} max {m["max"]} ms, '
        f'{m["cpu_per_10k"]:.3f} CPU s/10k, gen {m["gen_cores"]:.2f} cores{"" if ok else " (INVALID)"}, rss {rss:.0f} MiB')
    return m['p99'] <= P99_BOUND_MS and m['delivered'] == m['expected'] and m['duplicates'] == 0


def one_run(run, relay, sessions_port):
    load, quiet = wait_quiet()
    log(f'run {run} {relay}: load average {load} at start{"" if quiet else " (not quiet)"}')
    logf = open(os.path.join(WORK, f'{relay}-{run}.log'), 'w')
    proc, port = start_relay(relay, sessions_port, logf)
    try:
        wait_ready([port] if relay == 'node' else [RELAY_MANAGEMENT_PORT, port])
        run_id = secrets.token_hex(4)
        gen = Gen(port, CLIENTS, run_id, logf)
        keys = [f'chat:stream:{{bench-{run_id}-{i}}}' for i in range(CLIENTS)]
        try:
            n = 0
            if WARMUP_S > 0:  # the same load, not measured (JIT, pools, caches)
                phase(proc.pid, gen, run_id, CLIENTS, SHARED_RATE, WARMUP_S, n)
            n += 1
            m = phase(proc.pid, gen, run_id, CLIENTS, SHARED_RATE, PHASE_S, n)
            passed = row(run, relay, 'shared', CLIENTS, SHARED_RATE, m, rss_anon_mib(proc.pid), load, quiet)
            for rate in STEP_RATES:
                if not passed:
                    break
                n += 1
                m = phase(proc.pid, gen, run_id, CLIENTS, rate, PHASE_S, n)
                passed = row(run, relay, 'step', CLIENTS, rate, m, rss_anon_mib(proc.pid), load, quiet)
        finally:
            gen.quit()
            redis_del(keys)
        if OVERLOAD_CLIENTS > 0:
            run_id = secrets.token_hex(4)
            gen = Gen(port, OVERLOAD_CLIENTS, run_id, logf)
            try:
                m = phase(proc.pid, gen, run_id, OVERLOAD_CLIENTS, OVERLOAD_RATE, OVERLOAD_S, 1)
                row(run, relay, 'overload', OVERLOAD_CLIENTS, OVERLOAD_RATE, m, rss_anon_mib(proc.pid), load, quiet)
            finally:
                gen.quit()
                redis_del([f'chat:stream:{{bench-{run_id}-{i}}}' for i in range(OVERLOAD_CLIENTS)])
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        logf.close()


CLASSES = os.path.join(WORK, 'classes')


def main():
    os.makedirs(CLASSES, exist_ok=True)
    javac = os.path.join(E('JAVA_HOME'), 'bin', 'javac') if E('JAVA_HOME') else 'javac'
    subprocess.run([javac, '-d', CLASSES, os.path.join(HERE, 'LoadGen.java'), os.path.join(HERE, 'Publisher.java'),
                    os.path.join(HERE, 'FakeSessions.java')],
                   check=True)
    for name, app in (('relay-service', RELAY_APP), ('relay-before', RELAY_BEFORE_APP)):
        if name in RELAYS and not os.path.exists(os.path.join(app, 'quarkus-run.jar')):
            sys.exit(f'no quarkus-run.jar in {app} for {name} (mvn -B -ntp -pl relay-service -am package -DskipTests)')
    if E('APPEND', '0') != '1' and os.path.exists(RESULT_FILE):
        os.remove(RESULT_FILE)
    with open(os.path.join(WORK, 'settings.json'), 'w') as f:
        json.dump(dict(RUNS=RUNS, CLIENTS=CLIENTS, WARMUP_S=WARMUP_S, PHASE_S=PHASE_S, SHARED_RATE=SHARED_RATE,
                       STEP_RATES=STEP_RATES, OVERLOAD_CLIENTS=OVERLOAD_CLIENTS, OVERLOAD_RATE=OVERLOAD_RATE,
                       OVERLOAD_S=OVERLOAD_S, DRAIN_S=DRAIN_S, P99_BOUND_MS=P99_BOUND_MS, LOAD_MAX=LOAD_MAX,
                       LOAD_WAIT_S=LOAD_WAIT_S, RELAY_JAVA_OPTS=RELAY_JAVA_OPTS,
                       RELAY_BEFORE_JAVA_OPTS=RELAY_BEFORE_JAVA_OPTS if 'relay-before' in RELAYS else None,
                       RELAY_BEFORE_NOTE=E('RELAY_BEFORE_NOTE') if 'relay-before' in RELAYS else None), f)
    sessions, sessions_port = fake_session_service()
    try:
        for run in range(1, RUNS + 1):
            for relay in RELAYS:  # alternated: A B A B ...
                try:
                    one_run(run, relay, sessions_port)
                except Exception as e:  # recorded, and the other runs still happen
                    log(f'run {run} {relay} FAILED: {e}')
                    with open(RESULT_FILE, 'a') as f:
                        f.write('\t'.join([str(run), relay, 'failed'] + ['nan'] * (len(COLUMNS) - 3)) + '\n')
    finally:
        sessions.terminate()
    print(open(RESULT_FILE).read() if os.path.exists(RESULT_FILE) else '')
    print(summary.markdown(RESULT_FILE, os.path.join(WORK, 'settings.json')))


if __name__ == '__main__':
    main()
