#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""test-summary.py BUILDDIR...: totals of the last `meson test` run in each.

Reads BUILDDIR/meson-logs/testlog.json (one JSON object per meson test) and
sums the test cases that our unit runner reports in lines like
    qosdt-test summary: name=shm_region_autotest passed=5 failed=0 skipped=1
A meson test without such a line counts as one case: failed if it failed or
timed out, skipped if it was skipped (exit 77), passed otherwise. A meson
test that failed although its lines report no failed case (a crash or a
sanitizer report after the summary) adds one failed case.
With several build dirs (`make test`: build and build-asan), each failure
and each dir's totals are printed with the dir's name, and the last line
sums them all.
A build dir where no test ran (no log) counts as one failed case.
The last line printed is "N passed, N failed[, N skipped]"; exits 1 if
anything failed.
"""

import json
import os
import re
import sys

SUMMARY = re.compile(r'^qosdt-test summary: name=(\S+) passed=(\d+) '
                     r'failed=(\d+) skipped=(\d+)\s*$', re.M)
OK_RESULTS = {'OK', 'EXPECTEDFAIL'}


def totals_line(passed, failed, skipped):
    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    return line


def test_cases(t):
    """(passed, failed, skipped) cases of one meson test's log entry."""
    result = t.get('result', '?')
    out = (t.get('stdout') or '') + '\n' + (t.get('stderr') or '')
    found = SUMMARY.findall(out)
    p = sum(int(m[1]) for m in found)
    fl = sum(int(m[2]) for m in found)
    s = sum(int(m[3]) for m in found)
    if not found:
        if result == 'SKIP':
            s = 1
        elif result in OK_RESULTS:
            p = 1
        else:
            fl = 1
    elif result not in OK_RESULTS and result != 'SKIP' and fl == 0:
        fl = 1
    return p, fl, s


def read_log(builddir):
    """The entries of builddir's testlog.json; [] after saying why."""
    log = os.path.join(builddir, 'meson-logs', 'testlog.json')
    try:
        with open(log, encoding='utf-8', errors='replace') as f:
            lines = [line for line in f if line.strip()]
    except OSError as e:
        print(f'test-summary: cannot read {log}: {e.strerror}')
        return []
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def summarize(builddir, label):
    """Print builddir's failures; return its (passed, failed, skipped).
    A build dir where no test ran counts as one failed case."""
    passed = failed = skipped = 0
    entries = read_log(builddir)
    for t in entries:
        p, fl, s = test_cases(t)
        if fl:
            print(f'test-summary: FAILED {label}{t.get("name", "?")} '
                  f'({t.get("result", "?")}, {fl} failed)')
        passed, failed, skipped = passed + p, failed + fl, skipped + s
    if not entries:
        print(f'test-summary: FAILED {label}no test ran in {builddir}')
        failed = 1
    return passed, failed, skipped


def main():
    dirs = sys.argv[1:]
    if not dirs:
        sys.exit('usage: test-summary.py BUILDDIR...')
    passed = failed = skipped = 0
    for d in dirs:
        label = f'{d}: ' if len(dirs) > 1 else ''
        p, fl, s = summarize(d, label)
        if len(dirs) > 1:
            print(f'test-summary: {d}: {totals_line(p, fl, s)}')
        passed, failed, skipped = passed + p, failed + fl, skipped + s
    print(totals_line(passed, failed, skipped), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
