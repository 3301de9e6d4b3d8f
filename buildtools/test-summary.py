#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""test-summary.py BUILDDIR: totals of the last `meson test` run.

Reads BUILDDIR/meson-logs/testlog.json (one JSON object per meson test) and
sums the test cases that our unit runner reports in lines like
    qosdt-test summary: name=shm_region_autotest passed=5 failed=0 skipped=1
A meson test without such a line counts as one case: failed if it failed or
timed out, skipped if it was skipped (exit 77), passed otherwise. A meson
test that failed although its lines report no failed case (a crash or a
sanitizer report after the summary) adds one failed case.
The last line printed is "N passed, N failed[, N skipped]"; exits 1 if
anything failed or nothing ran.
"""

import json
import os
import re
import sys

SUMMARY = re.compile(r'^qosdt-test summary: name=(\S+) passed=(\d+) '
                     r'failed=(\d+) skipped=(\d+)\s*$', re.M)
OK_RESULTS = {'OK', 'EXPECTEDFAIL'}


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: test-summary.py BUILDDIR')
    log = os.path.join(sys.argv[1], 'meson-logs', 'testlog.json')
    passed = failed = skipped = ran = 0
    try:
        with open(log, encoding='utf-8', errors='replace') as f:
            lines = [line for line in f if line.strip()]
    except OSError as e:
        print(f'test-summary: cannot read {log}: {e.strerror}')
        lines = []
    for line in lines:
        try:
            t = json.loads(line)
        except ValueError:
            continue
        ran += 1
        name, result = t.get('name', '?'), t.get('result', '?')
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
        if fl:
            print(f'test-summary: FAILED {name} ({result}, {fl} failed)')
        passed, failed, skipped = passed + p, failed + fl, skipped + s
    if ran == 0:
        print('test-summary: no test ran')
    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    print(line, flush=True)
    return 1 if failed or ran == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
