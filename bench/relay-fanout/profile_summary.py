"""Summary of profile.sh's files: RssAnon by region, NMT, GC in the window, the profile's heaviest frames."""
import collections
import os
import re
import sys

out, event = sys.argv[1], sys.argv[2]


def rss_by_region():
    maps, cur = [], None
    for line in open(os.path.join(out, 'smaps.txt')):
        m = re.match(r'^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$', line)
        if m:
            cur = dict(kib=(int(m.group(2), 16) - int(m.group(1), 16)) // 1024, perm=m.group(3),
                       name=os.path.basename(m.group(4)), anon=0)
            maps.append(cur)
        elif line.startswith('Anonymous:') and cur is not None:
            cur['anon'] = int(line.split()[1])
    heap_kib = int(re.search(r'Java Heap \(reserved=(\d+)KB', open(os.path.join(out, 'nmt.txt')).read()).group(1))
    groups = collections.OrderedDict((k, 0) for k in ('Java heap', 'AOT cache (written pages)', 'code cache',
                                                      'native (malloc, stacks, metaspace, GC)'))
    for m in maps:
        if m['kib'] == heap_kib and 'rw' in m['perm'] and not m['name']:
            groups['Java heap'] += m['anon']
        elif m['name'].endswith('.aot') or m['name'].endswith('.jsa'):
            groups['AOT cache (written pages)'] += m['anon']
        elif 'x' in m['perm'] and not m['name']:
            groups['code cache'] += m['anon']
        else:
            groups['native (malloc, stacks, metaspace, GC)'] += m['anon']
    print(f'RssAnon {sum(groups.values()) / 1024:.1f} MiB: '
          + ', '.join(f'{k} {v / 1024:.1f}' for k, v in groups.items()))


def gc_window():
    def last(name):
        lines = open(os.path.join(out, name)).read().split('\n')
        return dict(zip(lines[0].split(), lines[1].split()))
    a, b = last('jstat-before.txt'), last('jstat-after.txt')
    n = int(b['YGC']) - int(a['YGC'])
    t = float(b['YGCT']) - float(a['YGCT'])
    full = int(b['FGC']) - int(a['FGC'])
    print(f'young collections in the window: {n} ({t * 1000:.0f} ms, {t * 1000 / max(n, 1):.1f} ms each), full: {full}; '
          f'eden {float(a["EC"]) / 1024:.0f} MiB, old used {float(b["OU"]) / 1024:.0f} MiB')


def nmt():
    text = open(os.path.join(out, 'nmt.txt')).read()
    total = re.search(r'Total: reserved=\d+KB, committed=(\d+)KB', text)
    malloc = re.search(r'malloc: (\d+)KB #\d+, peak=(\d+)KB', text)
    cats = re.findall(r'^-\s+(.+?) \(reserved=\d+KB, committed=(\d+)KB', text, re.M)
    print(f'NMT committed {int(total.group(1)) / 1024:.0f} MiB, malloc {int(malloc.group(1)) / 1024:.0f} MiB live '
          f'(peak {int(malloc.group(2)) / 1024:.0f}); '
          + ', '.join(f'{k} {int(v) / 1024:.1f}' for k, v in sorted(cats, key=lambda c: -int(c[1]))[:8]))


def frames():
    total, kernel, leaf, incl, threads = 0, 0, collections.Counter(), collections.Counter(), collections.Counter()
    for line in open(os.path.join(out, f'{event}.collapsed')):
        stack, n = line.rsplit(' ', 1)
        n = int(n)
        total += n
        fr = stack.split(';')
        leaf[fr[-1]] += n
        kernel += n if any(f.endswith('_[k]') for f in fr) else 0
        if fr[0].startswith('['):  # cpu profiles are recorded per thread
            threads[re.sub(r'\d+', 'N', fr[0].split(' tid=')[0]).strip('[]')] += n
        for f in set(fr):
            incl[f] += n
    print(f'\n{event}: {total:,} samples' + (f', {kernel / total * 100:.0f}% with a kernel frame; threads: '
                                           + ', '.join(f'{k} {v / total * 100:.1f}%' for k, v in threads.most_common(5))
                                           if event == 'cpu' else ''))
    print('heaviest frames (self):')
    for k, v in leaf.most_common(20):
        print(f'  {v / total * 100:5.1f}%  {k}')
    print('inclusive, the relay\'s own code and the write path:')
    for k, v in incl.most_common():
        if 'chatplatform' in k or k.endswith(('SocketDispatcher.write0', 'RESPParser.handle', 'writeAndFlush')):
            if v / total >= 0.01:
                print(f'  {v / total * 100:5.1f}%  {k}')


rss_by_region()
gc_window()
nmt()
frames()
hist = open(os.path.join(out, 'histogram.txt')).read().strip().split('\n')
print('\nlive heap after a full collection:', hist[-1].split()[2], 'bytes in', hist[-1].split()[1], 'objects')
