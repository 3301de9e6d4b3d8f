# SPDX-License-Identifier: BSD-3-Clause
"""The case runner of the Python tests and of the scripts that judge
(qosdt-vm.py): PASS, FAIL or SKIP per case, and the summary line
buildtools/test-summary.py counts (summary_line)."""


def summary_line(name, passed, failed, skipped=0):
    """The line buildtools/test-summary.py counts for one test."""
    return (f"qosdt-test summary: name={name} passed={passed} "
            f"failed={failed} skipped={skipped}")


class Skip(Exception):
    """A case that cannot run here; the message says why."""


class Cases:
    """Counts the cases run through case(); subclasses hold the cases."""

    def __init__(self, name):
        self.name = name
        self.passed = self.failed = self.skipped = 0

    def precondition(self):
        """Why no case can run (every case then fails with it), or None."""
        return None

    def case(self, name, fn):
        """Run one case: fn returns None when it holds, or the reason it
        does not; raises Skip when it cannot run here. Any other exception
        is a failure of the case, not a crash of the test."""
        try:
            why = self.precondition() or fn()
        except Skip as e:
            self.skipped += 1
            print(f"SKIP {name}: {e}", flush=True)
            return
        except Exception as e:
            why = f"{type(e).__name__}: {e}"
        if why:
            self.failed += 1
            print(f"FAIL {name}: {why}", flush=True)
        else:
            self.passed += 1
            print(f"PASS {name}", flush=True)

    def summary(self):
        """Print the summary line; returns the exit status (1 if any failed)."""
        print(summary_line(self.name, self.passed, self.failed, self.skipped), flush=True)
        return 1 if self.failed else 0
