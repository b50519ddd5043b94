"""Markdown tables from fanout.py's results (medians and min-max over the runs); bench/report.py uses it too."""
import json
import os
import statistics

COLUMNS = ['run', 'relay', 'row', 'clients', 'rate', 'offered', 'published', 'delivered', 'expected', 'duplicates',
           'closed', 'samples', 'p50', 'p90', 'p99', 'max', 'relay_cpu', 'cpu_per_10k', 'gen_cores', 'pub_cpu',
           'rss_anon_mib', 'load', 'quiet', 'valid']


def load(path):
    if not os.path.exists(path):
        return []
    lines = [l.rstrip('\n').split('\t') for l in open(path) if l.strip()]
    return [dict(zip(COLUMNS, l)) for l in lines]


def failures(rows):
    return [f'{r["run"]}/{r["relay"]}' for r in rows if r['row'] == 'failed']


def f(r, k):
    try:
        return float(r[k])
    except (KeyError, ValueError):
        return float('nan')


def spread(vals, digits=1):
    vals = [v for v in vals if v == v]
    if not vals:
        return 'n/a'
    med = statistics.median(vals)
    if len(vals) == 1:
        return f'{med:,.{digits}f}'
    return f'{med:,.{digits}f} ({min(vals):,.{digits}f}-{max(vals):,.{digits}f})'


def med(vals):
    vals = [v for v in vals if v == v]
    return statistics.median(vals) if vals else None


def ratio(a, b):
    return f'{a / b:.2f}x' if a is not None and b else 'n/a'


def capacity(rows, relay, run, bound):
    """Highest offered rate (events/s over all clients) of a run with p99 <= bound, nothing lost or duplicated."""
    best = 0.0
    for r in rows:
        if r['relay'] == relay and r['run'] == run and r['row'] in ('shared', 'step') and r['valid'] == '1' \
                and f(r, 'p99') <= bound and f(r, 'delivered') == f(r, 'expected') and f(r, 'duplicates') == 0:
            best = max(best, f(r, 'offered'))
    return best


def table(rows, kind, relays):
    out = ['| relay | runs | delivered / expected | duplicates | CPU s per 10k frames | p50 lag (ms) | p90 (ms) | p99 (ms) '
           '| max (ms) | samples per run | RssAnon (MiB) | generator (cores, max) | invalid runs |',
           '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for relay in relays:
        rs = [r for r in rows if r['relay'] == relay and r['row'] == kind]
        if not rs:
            continue
        out.append(f'| {relay} | {len(rs)} | {sum(f(r, "delivered") for r in rs):,.0f} / {sum(f(r, "expected") for r in rs):,.0f} '
                   f'| {sum(f(r, "duplicates") for r in rs):,.0f} | {spread([f(r, "cpu_per_10k") for r in rs], 3)} '
                   f'| {spread([f(r, "p50") for r in rs])} | {spread([f(r, "p90") for r in rs])} '
                   f'| {spread([f(r, "p99") for r in rs])} | {spread([f(r, "max") for r in rs], 0)} '
                   f'| {spread([f(r, "samples") for r in rs], 0)} | {spread([f(r, "rss_anon_mib") for r in rs], 0)} '
                   f'| {max(f(r, "gen_cores") for r in rs):.2f} | {sum(1 for r in rs if r["valid"] != "1")} |')
    return out


def markdown(path, settings_path):
    rows = load(path)
    if not rows:
        return 'Not run in this report.'
    s = json.load(open(settings_path)) if os.path.exists(settings_path) else {}
    relays = []
    for r in rows:
        if r['relay'] not in relays:
            relays.append(r['relay'])
    runs = sorted({r['run'] for r in rows}, key=int)
    bound = s.get('P99_BOUND_MS', 200)
    out = []
    w = out.append
    shared = f'{int(s.get("CLIENTS", 0)):,} clients at {s.get("SHARED_RATE", 0):g} events/s each'
    w(f'**Shared load** ({shared}, {s.get("PHASE_S", 0):g} s measured after {s.get("WARMUP_S", 0):g} s of warm-up '
      'at the same load); medians over the runs, (min-max):\n')
    out += table(rows, 'shared', relays)
    w(f'\n**Overload** ({int(s.get("OVERLOAD_CLIENTS", 0)):,} clients at {s.get("OVERLOAD_RATE", 0):g} events/s each, '
      f'{s.get("OVERLOAD_S", 0):g} s, on the same warm relay):\n')
    out += table(rows, 'overload', relays)
    w(f'\n**Step-up** (offered events/s over all {int(s.get("CLIENTS", 0)):,} clients; a run stops stepping at its first '
      f'step with p99 > {bound:g} ms or a lost/duplicated event). Median p99 (ms) and delivered/expected per step:\n')
    rates = sorted({f(r, 'offered') for r in rows if r['row'] in ('shared', 'step')})
    w('| relay | ' + ' | '.join(f'{x:,.0f}/s' for x in rates) + ' | capacity per run (events/s) |')
    w('| --- ' * (len(rates) + 2) + '|')
    caps = {}
    for relay in relays:
        cells = []
        for x in rates:
            rs = [r for r in rows if r['relay'] == relay and r['row'] in ('shared', 'step') and f(r, 'offered') == x]
            if not rs:
                cells.append('-')
                continue
            bad = sum(1 for r in rs if r['valid'] != '1')
            cells.append(f'{spread([f(r, "p99") for r in rs], 0)}; {sum(f(r, "delivered") for r in rs) / max(1, sum(f(r, "expected") for r in rs)):.4f}'
                         + (f' ({bad} invalid)' if bad else ''))
        caps[relay] = [capacity(rows, relay, run, bound) for run in runs if any(r['relay'] == relay and r['run'] == run for r in rows)]
        w(f'| {relay} | ' + ' | '.join(cells) + f' | {", ".join(f"{c:,.0f}" for c in caps[relay])} |')
    if len(relays) >= 2:  # each relay against the last one, the baseline (node)
        b = relays[-1]
        def m(kind, key, who):
            return med([f(r, key) for r in rows if r['relay'] == who and r['row'] == kind])
        w(f'\n**Ratios to {b}** (medians; CPU and memory: below 1 = cheaper than {b}; capacity: above 1 = carries more):\n')
        w('| relay | CPU per 10k frames, shared | p99, shared | RssAnon, shared | capacity | CPU per 10k, overload | p99, overload |')
        w('| --- | --- | --- | --- | --- | --- | --- |')
        for a in relays[:-1]:
            w(f'| {a} | {ratio(m("shared", "cpu_per_10k", a), m("shared", "cpu_per_10k", b))} '
              f'| {ratio(m("shared", "p99", a), m("shared", "p99", b))} '
              f'| {ratio(m("shared", "rss_anon_mib", a), m("shared", "rss_anon_mib", b))} | {ratio(med(caps[a]), med(caps[b]))} '
              f'| {ratio(m("overload", "cpu_per_10k", a), m("overload", "cpu_per_10k", b))} '
              f'| {ratio(m("overload", "p99", a), m("overload", "p99", b))} |')
    loads = []
    for run in runs:
        for relay in relays:
            r = next((r for r in rows if r['run'] == run and r['relay'] == relay), None)
            if r:
                loads.append(f'{run}/{relay}: {r["load"]}{"" if r["quiet"] == "1" else " (not below " + str(s.get("LOAD_MAX", 0.5)) + ")"}')
    w(f'\n1-minute load average at the start of each run (waited at most {s.get("LOAD_WAIT_S", 0):g} s for it to go '
      f'below {s.get("LOAD_MAX", 0.5)}): ' + '; '.join(loads) + '.')
    if failures(rows):
        w('\nFailed runs (no figures; see the logs): ' + ', '.join(failures(rows)) + '.')
    w(f'\nrelay-service JVM: `{s.get("RELAY_JAVA_OPTS", "")}`.'
      + (f' relay-before (an earlier build{": " + s["RELAY_BEFORE_NOTE"] if s.get("RELAY_BEFORE_NOTE") else ""}) JVM: '
         f'`{s["RELAY_BEFORE_JAVA_OPTS"]}`.' if s.get('RELAY_BEFORE_JAVA_OPTS') else '')
      + ' A run is invalid when the load generator used 0.9 of a core or more.')
    return '\n'.join(out)
