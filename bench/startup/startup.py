#!/usr/bin/env python3
"""Start-up to ready, memory after the first real request, and where the time goes, per service: the plain JVM vs
the Leyden AOT cache (-XX:AOTCache=app.aot) of the same jar, started with the production JVM flags.

Run by bench/run.sh (which exports the services' environment: REDIS_URL, databases, signing key, ...).
For every service, RUNS rounds alternating the variants (jvm, aot, then aot, jvm, ...; auth and session also
"aot-job": the AOT cache with Flyway off the start path, as the Kubernetes pods run after the migration Job):
wait (at most LOAD_WAIT s) for a 1-minute load average below 0.5 and record it; spawn
`java <JAVA_OPTS> [-XX:AOTCache=app.aot] -jar quarkus-run.jar` in target/quarkus-app; poll GET /q/health/ready
every 10 ms; at the first 200 send one real request of the service (a JWT-checked API call, or the web UI), then
read RssAnon and Pss (/proc/<pid>/status, smaps_rollup: a mapped cache is file-backed, so not in RssAnon); SIGTERM.
The breakdown comes from the app's own log (plain text, millisecond timestamps): JVM = spawn -> the moment Quarkus'
"started in" clock began (its "started" line minus what it reports); Flyway = its first to last log line; boot =
the rest of Quarkus' "started in" (CDI, Hibernate, HTTP server, pools); readiness = "started" line -> first 200
(the first health check opens the Redis and database connections).
Prints one tab-separated line per start (see COLUMNS).
"""
import base64
import calendar
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
RUNS = int(os.environ.get('RUNS', '5'))
LOAD_WAIT = float(os.environ.get('LOAD_WAIT', '60'))
JAVA = os.path.join(os.environ['JAVA_HOME'], 'bin', 'java')
# the production flags (infra/local/run.sh, the images, infra/k8s): the AOT cache was recorded with this GC
JAVA_OPTS = os.environ.get('JAVA_OPTS', '-XX:+UseSerialGC -Xms128m -Xmx128m -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError').split()
# per service, after JAVA_OPTS so it wins: the relay's heap (infra/k8s/README.md "JVM flags", as infra/local/run.sh)
SERVICE_HEAP = {'relay-service': os.environ.get('RELAY_JAVA_HEAP', '-Xms256m -Xmx256m -Xmn24m').split()}
LOGS = os.environ.get('LOGS', '/tmp')
# Trials beside the standard variants, e.g. EXTRA_VARIANTS='aot-c1=-XX:AOTCache=app.aot -XX:TieredStopAtLevel=1;...':
# name=JVM options added to JAVA_OPTS, alternated with the others, so a flag is judged in the same run as jvm and aot.
EXTRA_VARIANTS = dict(v.split('=', 1) for v in os.environ.get('EXTRA_VARIANTS', '').split(';') if '=' in v)
# Only these services (names as in SERVICES), e.g. ONLY_SERVICES=relay-service,chat-service
ONLY_SERVICES = [s for s in os.environ.get('ONLY_SERVICES', '').split(',') if s]
SIGNING_KEY = os.environ.get('AUTH_SIGNING_KEY', '')
# name, module dir, port
SERVICES = [s.split(':') for s in os.environ.get(
    'SERVICES', 'auth-service:auth-service:28091,session-service:session-service:28092,'
                'chat-service:chat-service:28093,relay-service:relay-service:28094').split(',')]
EXTRA_ENV = {
    'auth-service': {'QUARKUS_DATASOURCE_JDBC_URL': os.environ.get('AUTH_JDBC_URL', '')},
    'session-service': {'QUARKUS_DATASOURCE_JDBC_URL': os.environ.get('SESSION_JDBC_URL', '')},
}
COLUMNS = ['service', 'variant', 'run', 'ready_ms', 'rss_anon_mib', 'pss_mib', 'started_s', 'jvm_ms', 'flyway_ms',
           'boot_ms', 'readiness_ms', 'first_request_ms', 'load1']
LOG_TIME = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ')


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def access_token():
    """An access token shaped like auth-service's, signed with the run's key (openssl: no Python JWT library)."""
    now = int(time.time())
    user = str(uuid.uuid4())
    header = {'alg': 'RS256', 'typ': 'at+jwt', 'kid': 'bench'}
    claims = {'iss': os.environ.get('JWT_ISSUER', 'chat-platform'), 'aud': 'chat-platform', 'sub': user,
              'upn': user + '@example.test', 'groups': ['user'], 'jti': str(uuid.uuid4()), 'iat': now, 'exp': now + 900}
    signing_input = b64(json.dumps(header).encode()) + '.' + b64(json.dumps(claims).encode())
    sig = subprocess.run(['openssl', 'dgst', '-sha256', '-sign', SIGNING_KEY], input=signing_input.encode(),
                         capture_output=True, check=True).stdout
    return signing_input + '.' + b64(sig)


_public_key = []


def public_key():
    """The public half of this run's signing key, written once per run: bench/run.sh makes a new key every run, so a
    file left by an earlier run would make every token check answer 401."""
    if not _public_key:
        path = os.path.join(LOGS, 'startup-jwt-public.pem')
        subprocess.run(['openssl', 'pkey', '-in', SIGNING_KEY, '-pubout', '-out', path], check=True)
        _public_key.append(path)
    return _public_key[0]


# One real request per service, answered through its serving path (JWT check, Redis, database where it has one).
def first_request(name):
    if name == 'auth-service':
        return 'GET', '/api/auth/jwks', None, {}, 200
    if name == 'session-service':
        return 'GET', '/api/sessions', None, {'Authorization': 'Bearer ' + access_token()}, 200
    if name == 'chat-service':  # cancelling a turn that is not running: JWT check + Redis, nothing changes
        return 'POST', f'/api/chat/{uuid.uuid4()}/cancel', None, {'Authorization': 'Bearer ' + access_token()}, None
    return 'GET', '/', None, {}, 200


def extra_props(name):
    props = []
    if name in ('session-service', 'chat-service', 'relay-service'):
        props.append(f'-Dmp.jwt.verify.publickey.location={public_key()}')
    if name == 'session-service':  # its own user-events stream: never consume a running stack's events
        props += ['-Dplatform.user-events.stream=bench:user-events', '-Dplatform.user-events.group=session-service-bench',
                  '-Dplatform.user-events.dead-letter-stream=bench:user-events:dead']
    return props


def request(port, method, path, body=None, headers=None):
    try:
        c = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        r.read()
        c.close()
        return r.status
    except OSError:
        return None


def proc_kib(pid, path, key):
    try:
        with open(f'/proc/{pid}/{path}') as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def load1():
    return float(open('/proc/loadavg').read().split()[0])


def wait_quiet():
    deadline = time.monotonic() + LOAD_WAIT
    while load1() >= 0.5 and time.monotonic() < deadline:
        time.sleep(2)
    return load1()


def log_times(text):
    """(epoch seconds, "[logger] message") of every line of the Quarkus log, plain text or JSON (production)."""
    out = []
    for line in text.splitlines():
        m = LOG_TIME.match(line)
        if m:
            out.append((time.mktime(time.strptime(m.group(1), '%Y-%m-%d %H:%M:%S')) + int(m.group(2)) / 1000, line))
        elif line.startswith('{'):
            try:
                rec = json.loads(line)
                ts = rec['timestamp']  # ISO 8601 UTC with nanoseconds
                secs = calendar.timegm(time.strptime(ts[:19], '%Y-%m-%dT%H:%M:%S'))
                frac = re.match(r'\.(\d+)', ts[19:])
                out.append((secs + (float('0.' + frac.group(1)) if frac else 0.0),
                            f"[{rec.get('loggerName', '')}] {rec.get('message', '')}"))
            except (ValueError, KeyError):
                pass
    return out


def breakdown(text, spawn_wall, ready_wall):
    lines = log_times(text)
    started = next(((t, l) for t, l in lines if ' started in ' in l), None)
    if not started:
        return None, None, None, None, None
    started_s = float(re.search(r'started in ([0-9.]+)s', started[1]).group(1))
    quarkus_t0 = started[0] - started_s
    flyway = [t for t, l in lines if '[org.fl' in l]  # org.flywaydb..., abbreviated or not
    flyway_ms = (flyway[-1] - flyway[0]) * 1000 if len(flyway) > 1 else 0.0
    jvm_ms = (quarkus_t0 - spawn_wall) * 1000
    boot_ms = started_s * 1000 - flyway_ms
    readiness_ms = (ready_wall - started[0]) * 1000
    return started_s, jvm_ms, flyway_ms, boot_ms, readiness_ms


def start_once(name, module, port, variant, run):
    app = os.path.join(ROOT, module, 'target', 'quarkus-app')
    opts = list(JAVA_OPTS) + SERVICE_HEAP.get(name, [])
    if variant in EXTRA_VARIANTS:
        opts += EXTRA_VARIANTS[variant].split()
    elif variant.startswith('aot'):
        opts.append('-XX:AOTCache=app.aot')
    if variant == 'aot-job':  # the Kubernetes pods: the migration Job ran before, the pods do not migrate
        opts.append('-Dquarkus.flyway.migrate-at-start=false')
    env = dict(os.environ)
    env.update({k: v for k, v in EXTRA_ENV.get(name, {}).items() if v})
    log_path = os.path.join(LOGS, f'startup-{name}-{variant}-{run}.log')
    load = wait_quiet()
    method, path, body, headers, expect = first_request(name)
    with open(log_path, 'w') as log:
        spawn_wall, t0 = time.time(), time.monotonic()
        p = subprocess.Popen([JAVA, *opts, *extra_props(name), f'-Dquarkus.http.port={port}',
                              f'-Dquarkus.management.port={port + 1000}', '-jar', 'quarkus-run.jar'],
                             cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT)
        ready_ms = ready_wall = rss = pss = first_ms = None
        deadline = t0 + 120
        while time.monotonic() < deadline and p.poll() is None:
            if request(port + 1000, 'GET', '/q/health/ready') == 200:  # the management interface
                ready_wall, ready_ms = time.time(), (time.monotonic() - t0) * 1000
                t1 = time.monotonic()
                status = request(port, method, path, body, headers)
                first_ms = (time.monotonic() - t1) * 1000
                if status is None or status >= 500 or status in (401, 403) or (expect and status != expect):
                    # not the serving path (e.g. a refused token): its memory and time are no sample
                    sys.stderr.write(f'{name} ({variant}): first request {method} {path} answered {status}; '
                                     'memory and first request not recorded\n')
                    first_ms = None
                else:
                    rss, pss = proc_kib(p.pid, 'status', 'RssAnon'), proc_kib(p.pid, 'smaps_rollup', 'Pss')
                break
            time.sleep(0.01)
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    text = open(log_path, errors='replace').read()
    if ready_ms is None:
        sys.stderr.write(f'{name} ({variant}) did not become ready; see {log_path}\n')
    if '-XX:AOTCache' in ' '.join(opts) and re.search(r'\[(warning|error)\s*\]\[(aot|cds)', text):
        sys.stderr.write(f'{name}: the JVM did not take the AOT cache as is, see {log_path}\n')
    parts = breakdown(text, spawn_wall, ready_wall) if ready_wall else (None,) * 5
    return [ready_ms, rss / 1024 if rss else None, pss / 1024 if pss else None, *parts, first_ms, load]


def fmt(v):
    return 'nan' if v is None else (f'{v:.3f}' if isinstance(v, float) else str(v))


def main():
    print('\t'.join(COLUMNS), flush=True)
    for name, module, port in SERVICES:
        if ONLY_SERVICES and name not in ONLY_SERVICES:
            continue
        app = os.path.join(ROOT, module, 'target', 'quarkus-app')
        has_aot = os.path.isfile(os.path.join(app, 'app.aot'))
        if not has_aot:
            sys.stderr.write(f'{name}: no {module}/target/quarkus-app/app.aot, AOT variants skipped\n')
        variants = ['jvm'] + (['aot'] + (['aot-job'] if name in ('auth-service', 'session-service') else [])
                              if has_aot else []) + list(EXTRA_VARIANTS)
        # one discarded start first: Flyway migrates the fresh databases, the page cache holds the jars
        start_once(name, module, int(port), 'jvm', 0)
        for run in range(1, RUNS + 1):
            for variant in (variants if run % 2 else list(reversed(variants))):
                values = start_once(name, module, int(port), variant, run)
                print('\t'.join([name, variant, str(run)] + [fmt(v) for v in values]), flush=True)


if __name__ == '__main__':
    main()
