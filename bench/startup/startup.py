#!/usr/bin/env python3
"""Start-up to ready and RSS per service: plain JVM vs the JDK 25 AOT cache (-XX:AOTCache=app.aot), same jar.

Run by bench/run.sh (which exports the services' environment: REDIS_URL, databases, signing key, ...).
For every service and RUNS rounds, alternating the two variants: spawn `java <JAVA_OPTS> [-XX:AOTCache=app.aot]
-jar quarkus-run.jar` in target/quarkus-app, poll GET /q/health/ready every 20 ms, record the time from spawn to
the first 200 and the process's VmRSS at that moment, then SIGTERM it. Prints one tab-separated line per start:
service, variant, run, ready_ms, rss_mib, quarkus "started in" seconds.
"""
import http.client
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
RUNS = int(os.environ.get('RUNS', '3'))
JAVA = os.path.join(os.environ['JAVA_HOME'], 'bin', 'java')
JAVA_OPTS = os.environ.get('JAVA_OPTS', '-XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1').split()
LOGS = os.environ.get('LOGS', '/tmp')
# name, module dir, port, extra environment
SERVICES = [s.split(':') for s in os.environ.get(
    'SERVICES', 'llm-stub:infra/llm-stub:28099,auth-service:auth-service:28091,session-service:session-service:28092,'
                'chat-service:chat-service:28093,relay-service:relay-service:28094').split(',')]
EXTRA_ENV = {
    'auth-service': {'QUARKUS_DATASOURCE_JDBC_URL': os.environ.get('AUTH_JDBC_URL', '')},
    'session-service': {'QUARKUS_DATASOURCE_JDBC_URL': os.environ.get('SESSION_JDBC_URL', '')},
}


def ready(port):
    try:
        c = http.client.HTTPConnection('127.0.0.1', port, timeout=1)
        c.request('GET', '/q/health/ready')
        ok = c.getresponse().status == 200
        c.close()
        return ok
    except OSError:
        return False


def rss_mib(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return 0.0


def start_once(name, module, port, variant, run):
    app = os.path.join(ROOT, module, 'target', 'quarkus-app')
    opts = list(JAVA_OPTS)
    if variant == 'aot':
        opts.append('-XX:AOTCache=app.aot')
    env = dict(os.environ)
    env.update({k: v for k, v in EXTRA_ENV.get(name, {}).items() if v})
    log_path = os.path.join(LOGS, f'startup-{name}-{variant}-{run}.log')
    with open(log_path, 'w') as log:
        t0 = time.monotonic()
        p = subprocess.Popen([JAVA, *opts, f'-Dquarkus.http.port={port}', '-jar', 'quarkus-run.jar'],
                             cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT)
        ready_ms, rss = None, None
        deadline = t0 + 120
        while time.monotonic() < deadline and p.poll() is None:
            if ready(port):
                ready_ms = (time.monotonic() - t0) * 1000
                rss = rss_mib(p.pid)
                break
            time.sleep(0.02)
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    text = open(log_path, errors='replace').read()
    m = re.search(r'started in ([0-9.]+)s', text)
    if ready_ms is None:
        sys.stderr.write(f'{name} ({variant}) did not become ready; see {log_path}\n')
    if variant == 'aot' and re.search(r'\[(warning|error)\s*\]\[(aot|cds)', text):
        sys.stderr.write(f'{name}: the JVM did not take the AOT cache as is, see {log_path}\n')
    return ready_ms, rss, (float(m.group(1)) if m else None)


def main():
    for name, module, port in SERVICES:
        app = os.path.join(ROOT, module, 'target', 'quarkus-app')
        has_aot = os.path.isfile(os.path.join(app, 'app.aot'))
        if not has_aot:
            sys.stderr.write(f'{name}: no {module}/target/quarkus-app/app.aot, AOT variant skipped\n')
        # one discarded start first: Flyway migrates the fresh databases, the page cache holds the jars
        start_once(name, module, int(port), 'jvm', 0)
        for run in range(1, RUNS + 1):
            for variant in (['jvm', 'aot'] if run % 2 else ['aot', 'jvm']):
                if variant == 'aot' and not has_aot:
                    continue
                ready_ms, rss, started = start_once(name, module, int(port), variant, run)
                print(f'{name}\t{variant}\t{run}\t{ready_ms if ready_ms is not None else "nan"}\t'
                      f'{rss if rss is not None else "nan"}\t{started if started is not None else "nan"}', flush=True)


if __name__ == '__main__':
    main()
