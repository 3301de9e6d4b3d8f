#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""test-summary.py [--suite NAME [--expected FILE]] BUILDDIR...: totals of
the last `meson test` run in each build dir, counted in test cases.

Reads BUILDDIR/meson-logs/testlog.json (one JSON object per meson test).
A meson test's cases come from its output:
- its summary line(s), printed once it has run every case:
      qosdt-test summary: name=shm_region_autotest passed=5 failed=0 skipped=1
  A meson test that failed although its summary reports no failed case (a
  crash or a sanitizer report after the summary) adds one failed case.
- without a summary line (the process died or timed out part-way), the
  case lines it printed as it went: the unit runner's (test/test.c)
      qosdt-test case: name=shm_link_autotest result=passed case=...
  or, when there are none, the python tests' "PASS x", "FAIL x: why",
  "SKIP x: why" (qosdt.cases, usertools/qosdt/cases.py). Those count, and the missing end
  counts as one failed case.
- with neither, one case: skipped if meson skipped it (exit 77), failed
  otherwise: a test that says nothing of its cases has not shown that it
  passed, whatever its exit status.
With --suite, the tests that suite must run are read from FILE (default:
test/expected-tests.txt next to this script's directory): an expected test
absent from a build dir's log counts as one failed case, and so does a test
that ran but is not listed there (the list is kept up to date that way).
With several build dirs (`make test`: build and build-asan), each failure
and each dir's totals are printed with the dir's name, and the last line
sums them all. A build dir where no test ran (no log) counts as one failed
case. The last line printed is "N passed, N failed[, N skipped]"; exits 1
if anything failed, 2 on bad arguments.
"""

import argparse
import json
import os
import re
import sys

SUMMARY = re.compile(r'^qosdt-test summary: name=(\S+) passed=(\d+) '
                     r'failed=(\d+) skipped=(\d+)\s*$', re.M)
RUNNER_CASE = re.compile(r'^qosdt-test case: name=\S+ result=(passed|failed|skipped) ',
                         re.M)
PYTHON_CASE = re.compile(r'^(PASS|FAIL|SKIP) \S', re.M)
PYTHON_RESULT = {'PASS': 'passed', 'FAIL': 'failed', 'SKIP': 'skipped'}
OK_RESULTS = {'OK', 'EXPECTEDFAIL'}
DEFAULT_EXPECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'test', 'expected-tests.txt')


def totals_line(passed, failed, skipped):
    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    return line


def base_name(t):
    """A log entry's test name without meson's "project:suite / " prefix."""
    name = t.get('name', '?')
    return name.rsplit(' / ', 1)[-1].split(':')[-1]


def test_cases(t):
    """(passed, failed, skipped, why) of one meson test's log entry; why
    says what made a failed case beyond the test's own, or is None."""
    result = t.get('result', '?')
    out = (t.get('stdout') or '') + '\n' + (t.get('stderr') or '')
    found = SUMMARY.findall(out)
    if found:
        p = sum(int(m[1]) for m in found)
        fl = sum(int(m[2]) for m in found)
        s = sum(int(m[3]) for m in found)
        if result not in OK_RESULTS and result != 'SKIP' and fl == 0:
            return p, 1, s, f'{result} after a summary with no failed case'
        return p, fl, s, None
    cases = RUNNER_CASE.findall(out) or \
        [PYTHON_RESULT[r] for r in PYTHON_CASE.findall(out)]
    if cases:
        p, fl, s = (cases.count(r) for r in ('passed', 'failed', 'skipped'))
        return p, fl + 1, s, (f'{result} without its summary line, after '
                              f'{len(cases)} case(s): it died or was killed part-way')
    if result == 'SKIP':
        return 0, 0, 1, None
    if result in OK_RESULTS:
        return 0, 1, 0, 'exited 0 without reporting any case'
    return 0, 1, 0, None


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


def refuse(msg):
    """Bad arguments: say why, exit 2."""
    print(f'test-summary: {msg}', file=sys.stderr)
    sys.exit(2)


def read_expected(path, suite):
    """The test names listed for suite in path ("SUITE NAME" lines, #
    comments); exits 2 when the file cannot be read or lists none."""
    names = []
    try:
        with open(path, encoding='utf-8') as f:
            for n, line in enumerate(f, 1):
                words = line.split('#', 1)[0].split()
                if not words:
                    continue
                if len(words) != 2:
                    refuse(f'{path}:{n}: expected "SUITE TEST", got {line.strip()!r}')
                if words[0] == suite:
                    names.append(words[1])
    except OSError as e:
        refuse(f'cannot read {path}: {e.strerror}')
    if not names:
        refuse(f'{path} lists no test of suite {suite}')
    return names


def summarize(builddir, label, expected=None, expected_path=None):
    """Print builddir's failures; return its (passed, failed, skipped).
    A build dir where no test ran counts as one failed case; with
    expected (names), each one missing, and each test run but not in it,
    counts as one failed case too."""
    passed = failed = skipped = 0
    entries = read_log(builddir)
    for t in entries:
        p, fl, s, why = test_cases(t)
        if fl:
            print(f'test-summary: FAILED {label}{base_name(t)} '
                  f'({t.get("result", "?")}, {fl} failed'
                  + (f'; {why}' if why else '') + ')')
        passed, failed, skipped = passed + p, failed + fl, skipped + s
    if not entries:
        print(f'test-summary: FAILED {label}no test ran in {builddir}')
        failed += 1
    if expected is not None and entries:
        ran = {base_name(t) for t in entries}
        for name in expected:
            if name not in ran:
                print(f'test-summary: FAILED {label}{name} (expected, did not run: '
                      f'is it still in test/meson.build?)')
                failed += 1
        for name in sorted(ran - set(expected)):
            print(f'test-summary: FAILED {label}{name} (ran, but is not listed in '
                  f'{expected_path}: add it there)')
            failed += 1
    return passed, failed, skipped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--suite', help='the meson suite that ran: check its expected tests')
    ap.add_argument('--expected', default=DEFAULT_EXPECTED,
                    help='the list of expected tests (default test/expected-tests.txt)')
    ap.add_argument('builddirs', nargs='+', metavar='BUILDDIR')
    a = ap.parse_args()
    expected = read_expected(a.expected, a.suite) if a.suite else None
    dirs = a.builddirs
    passed = failed = skipped = 0
    for d in dirs:
        label = f'{d}: ' if len(dirs) > 1 else ''
        p, fl, s = summarize(d, label, expected, os.path.relpath(a.expected))
        if len(dirs) > 1:
            print(f'test-summary: {d}: {totals_line(p, fl, s)}')
        passed, failed, skipped = passed + p, failed + fl, skipped + s
    print(totals_line(passed, failed, skipped), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
