/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Self test of the qosdt-test runner: assertion macros, case setup and
 * teardown, skips, and the result of unit_test_suite_runner().
 */

#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "test.h"

static int suite_setup_calls;
static int case_setup_calls;
static int case_teardown_calls;

/* Helpers whose failing assertion must make them return TEST_FAILED. */
static int
assert_false(void)
{
	TEST_ASSERT(1 == 2, "expected failure %d", 42);
	return TEST_SUCCESS;
}

static int
assert_equal_false(void)
{
	TEST_ASSERT_EQUAL(1, 2, "expected failure");
	return TEST_SUCCESS;
}

static int
assert_not_null_false(void)
{
	TEST_ASSERT_NOT_NULL(NULL, "expected failure");
	return TEST_SUCCESS;
}

static int
skip_always(void)
{
	TEST_SKIP("self test of TEST_SKIP");
	return TEST_FAILED;
}

static int
test_assert_pass(void)
{
	int x = 3;
	int *p = &x;

	TEST_ASSERT(x == 3, "x is %d", x);
	TEST_ASSERT_EQUAL(x, 3, "x is %d", x);
	TEST_ASSERT_NOT_EQUAL(x, 4, "x is %d", x);
	TEST_ASSERT_SUCCESS(x - 3, "x - 3 is %d", x - 3);
	TEST_ASSERT_FAIL(-x, "-x is 0");
	TEST_ASSERT_NULL(NULL, "NULL is not NULL");
	TEST_ASSERT_NOT_NULL(p, "p is NULL");
	return TEST_SUCCESS;
}

static int
test_assert_fail_paths(void)
{
	printf("expecting three assertion failures and one skip:\n");
	TEST_ASSERT_EQUAL(assert_false(), TEST_FAILED, "TEST_ASSERT passed");
	TEST_ASSERT_EQUAL(assert_equal_false(), TEST_FAILED,
		"TEST_ASSERT_EQUAL passed");
	TEST_ASSERT_EQUAL(assert_not_null_false(), TEST_FAILED,
		"TEST_ASSERT_NOT_NULL passed");
	TEST_ASSERT_EQUAL(skip_always(), TEST_SKIPPED,
		"TEST_SKIP did not skip");
	return TEST_SUCCESS;
}

static int
case_setup(void)
{
	case_setup_calls++;
	return TEST_SUCCESS;
}

static void
case_teardown(void)
{
	case_teardown_calls++;
}

static int
test_setup_ran(void)
{
	TEST_ASSERT_EQUAL(suite_setup_calls, 1, "suite setup ran %d times",
		suite_setup_calls);
	TEST_ASSERT(case_setup_calls > 0, "case setup did not run");
	TEST_ASSERT_EQUAL(case_setup_calls, case_teardown_calls + 1,
		"setup ran %d times, teardown %d times",
		case_setup_calls, case_teardown_calls);
	return TEST_SUCCESS;
}

static int
test_teardown_ran(void)
{
	TEST_ASSERT(case_teardown_calls > 0, "case teardown did not run");
	return TEST_SUCCESS;
}

static int
case_setup_skip(void)
{
	printf("case setup skips this case on purpose\n");
	return TEST_SKIPPED;
}

/* Nested suites, to check what unit_test_suite_runner() returns. */
static int
always_pass(void)
{
	return TEST_SUCCESS;
}

static int
always_fail(void)
{
	return TEST_FAILED;
}

static struct unit_test_suite inner_mixed_suite = {
	.suite_name = "inner pass and skip",
	.unit_test_cases = {
		TEST_CASE(always_pass),
		TEST_CASE(skip_always),
		TEST_CASES_END()
	}
};

static struct unit_test_suite inner_skip_suite = {
	.suite_name = "inner all skipped",
	.unit_test_cases = {
		TEST_CASE(skip_always),
		TEST_CASE_ST(case_setup_skip, NULL, always_pass),
		TEST_CASES_END()
	}
};

static struct unit_test_suite inner_setup_skip_suite = {
	.suite_name = "inner suite setup skips",
	.setup = case_setup_skip,
	.unit_test_cases = {
		TEST_CASE(always_pass),
		TEST_CASES_END()
	}
};

static struct unit_test_suite inner_fail_suite = {
	.suite_name = "inner with a failure (expected)",
	.unit_test_cases = {
		TEST_CASE(always_pass),
		TEST_CASE(always_fail),
		TEST_CASE(skip_always),
		TEST_CASES_END()
	}
};

static struct unit_test_suite inner_empty_suite = {
	.suite_name = "inner empty (expected failure)",
	.unit_test_cases = {
		TEST_CASES_END()
	}
};

static int
test_nested_results(void)
{
	struct test_case_counts saved = test_case_totals;
	int r_mixed, r_skip, r_setup_skip, r_fail, r_empty;
	unsigned int failed;

	r_mixed = unit_test_suite_runner(&inner_mixed_suite);
	r_skip = unit_test_suite_runner(&inner_skip_suite);
	r_setup_skip = unit_test_suite_runner(&inner_setup_skip_suite);
	r_fail = unit_test_suite_runner(&inner_fail_suite);
	r_empty = unit_test_suite_runner(&inner_empty_suite);
	failed = test_case_totals.failed - saved.failed;
	/* the inner suites must not count in the real totals */
	test_case_totals = saved;

	TEST_ASSERT_EQUAL(r_mixed, TEST_SUCCESS, "pass + skip gave %d",
		r_mixed);
	TEST_ASSERT_EQUAL(r_skip, TEST_SKIPPED, "all skipped gave %d", r_skip);
	TEST_ASSERT_EQUAL(r_setup_skip, TEST_SKIPPED,
		"skipping suite setup gave %d", r_setup_skip);
	TEST_ASSERT_EQUAL(r_fail, TEST_FAILED, "failing case gave %d", r_fail);
	TEST_ASSERT_EQUAL(r_empty, TEST_FAILED, "empty suite gave %d", r_empty);
	TEST_ASSERT_EQUAL(failed, 2u, "%u failures counted, expected 2",
		failed);
	return TEST_SUCCESS;
}

static int
selftest_suite_setup(void)
{
	suite_setup_calls++;
	return TEST_SUCCESS;
}

static struct unit_test_suite runner_selftest_suite = {
	.suite_name = "runner self test",
	.setup = selftest_suite_setup,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE(test_assert_pass),
		TEST_CASE(test_assert_fail_paths),
		TEST_CASE_ST(case_setup, case_teardown, test_setup_ran),
		TEST_CASE(test_teardown_ran),
		TEST_CASE(test_nested_results),
		TEST_CASES_END()
	}
};

static int
test_runner_selftest(void)
{
	return unit_test_suite_runner(&runner_selftest_suite);
}

REGISTER_TEST_COMMAND(runner_selftest_autotest, test_runner_selftest);

/* Dies as a crashing test would (SIGABRT, no core file). */
static int
crash_now(void)
{
	const struct rlimit no_core = { 0, 0 };

	setrlimit(RLIMIT_CORE, &no_core);
	printf("crashing on purpose\n");
	fflush(stdout);
	abort();
	return TEST_FAILED;
}

static struct unit_test_suite runner_crash_suite = {
	.suite_name = "runner crash (the process dies in its third case)",
	.unit_test_cases = {
		TEST_CASE(always_pass),
		TEST_CASE(skip_always),
		TEST_CASE(crash_now),
		TEST_CASE(always_pass),
		TEST_CASES_END()
	}
};

/*
 * Not a test: test/test_summary.py runs it to check that the cases a
 * crashing binary ran before it died are counted (one passed, one skipped)
 * and the crash as one failure.
 */
static int
runner_crash_selftest(void)
{
	return unit_test_suite_runner(&runner_crash_suite);
}

REGISTER_TEST_COMMAND(runner_crash_selftest, runner_crash_selftest);
