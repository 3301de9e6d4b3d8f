/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * Minimal unit test framework for the qosdt-test runner.
 *
 * A test command is a function `int fn(void)` registered under a name with
 * REGISTER_TEST_COMMAND(). It either returns one of the TEST_* codes itself
 * or, more commonly, hands a struct unit_test_suite to
 * unit_test_suite_runner() and returns its result.
 */

#ifndef QOSDT_TEST_H
#define QOSDT_TEST_H

#include <stdio.h>

#include <rte_common.h>

/** The test passed. */
#define TEST_SUCCESS 0
/** The test failed. */
#define TEST_FAILED (-1)
/** The test could not run here (same value as the automake/meson skip code). */
#define TEST_SKIPPED 77

/*
 * Print "file:line: message" for a failed check. Internal helper of the
 * assertion macros below.
 */
#define TEST_TRACE_FAIL(fmt, ...) \
	printf("%s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

/**
 * Fail the current test unless @p cond holds. Prints file:line and the
 * printf-style message, then returns TEST_FAILED from the calling function.
 */
#define TEST_ASSERT(cond, fmt, ...) do { \
	if (!(cond)) { \
		TEST_TRACE_FAIL("assertion \"%s\" failed: " fmt, \
			#cond, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

/** Fail the current test unless (a) == (b). */
#define TEST_ASSERT_EQUAL(a, b, fmt, ...) do { \
	if (!((a) == (b))) { \
		TEST_TRACE_FAIL("\"%s\" != \"%s\": " fmt, \
			#a, #b, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

/** Fail the current test if (a) == (b). */
#define TEST_ASSERT_NOT_EQUAL(a, b, fmt, ...) do { \
	if ((a) == (b)) { \
		TEST_TRACE_FAIL("\"%s\" == \"%s\": " fmt, \
			#a, #b, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

/** Fail the current test unless @p val is 0 (e.g. a function's return code). */
#define TEST_ASSERT_SUCCESS(val, fmt, ...) do { \
	if ((val) != 0) { \
		TEST_TRACE_FAIL("\"%s\" is not 0: " fmt, \
			#val, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

/** Fail the current test if @p val is 0 (an error was expected). */
#define TEST_ASSERT_FAIL(val, fmt, ...) do { \
	if ((val) == 0) { \
		TEST_TRACE_FAIL("\"%s\" is 0, an error was expected: " fmt, \
			#val, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

/** Fail the current test unless pointer @p ptr is NULL. */
#define TEST_ASSERT_NULL(ptr, fmt, ...) do { \
	if ((ptr) != NULL) { \
		TEST_TRACE_FAIL("\"%s\" is not NULL: " fmt, \
			#ptr, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

/** Fail the current test if pointer @p ptr is NULL. */
#define TEST_ASSERT_NOT_NULL(ptr, fmt, ...) do { \
	if ((ptr) == NULL) { \
		TEST_TRACE_FAIL("\"%s\" is NULL: " fmt, \
			#ptr, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

/**
 * Skip the current test: prints file:line and the reason (mandatory), then
 * returns TEST_SKIPPED from the calling function.
 */
#define TEST_SKIP(fmt, ...) do { \
	printf("%s:%d: skipped: " fmt "\n", __FILE__, __LINE__, \
		##__VA_ARGS__); \
	return TEST_SKIPPED; \
} while (0)

/**
 * One test case of a suite. setup (optional) runs before the case; if it
 * returns TEST_SKIPPED the case is skipped, any other non-zero value fails
 * it. teardown (optional) runs after the case, only when setup succeeded.
 */
struct unit_test_case {
	int (*setup)(void);        /**< Optional, may be NULL. */
	void (*teardown)(void);    /**< Optional, may be NULL. */
	int (*testcase)(void);     /**< Returns a TEST_* code. */
	const char *name;          /**< Printed in the report. */
};

/** A test case without setup or teardown, named after its function. */
#define TEST_CASE(fn) { NULL, NULL, fn, #fn }

/** A test case with per-case setup and teardown (either may be NULL). */
#define TEST_CASE_ST(setup, teardown, fn) { setup, teardown, fn, #fn }

/** Terminates the unit_test_cases array of a suite. */
#define TEST_CASES_END() { NULL, NULL, NULL, NULL }

/**
 * A named list of test cases with optional suite-wide setup and teardown.
 * unit_test_cases ends with TEST_CASES_END().
 */
struct unit_test_suite {
	const char *suite_name;
	int (*setup)(void);        /**< Optional, may be NULL. */
	void (*teardown)(void);    /**< Optional, may be NULL. */
	struct unit_test_case unit_test_cases[];
};

/**
 * Case counts accumulated over every unit_test_suite_runner() call of the
 * process (read by the runner's summary line).
 */
struct test_case_counts {
	unsigned int passed;
	unsigned int failed;
	unsigned int skipped;
};

/** Process-wide case totals, updated by unit_test_suite_runner(). */
extern struct test_case_counts test_case_totals;

/**
 * Run a test suite and print a per-case report and the suite totals.
 *
 * Order: suite setup, then for each case: case setup, case, case teardown,
 * then suite teardown (only when suite setup succeeded). If suite setup
 * returns TEST_SKIPPED every case is reported skipped; if it fails otherwise
 * every case is reported failed. A suite without any case counts as one
 * failure. The counts are also added to test_case_totals.
 *
 * @param suite
 *   The suite to run.
 * @return
 *   TEST_SUCCESS if no case failed and at least one passed, TEST_SKIPPED if
 *   every case was skipped (or suite setup returned TEST_SKIPPED),
 *   TEST_FAILED otherwise.
 */
int unit_test_suite_runner(struct unit_test_suite *suite);

/** Signature of a test command. Returns a TEST_* code. */
typedef int (test_callback_t)(void);

/** A registered test command; use REGISTER_TEST_COMMAND() to define one. */
struct test_command {
	struct test_command *next;  /**< Private to test.c. */
	const char *command;        /**< Name given to DPDK_TEST or argv. */
	test_callback_t *callback;
};

/**
 * Add a command to the runner's registry. Called from constructors by
 * REGISTER_TEST_COMMAND(); registering a name twice makes the runner exit
 * with an error.
 *
 * @param t
 *   The command, with static storage duration.
 */
void test_command_register(struct test_command *t);

/**
 * Register `int func(void)` as test command @p name (a bare identifier such
 * as shm_region_autotest, used verbatim as the command string).
 */
#define REGISTER_TEST_COMMAND(name, func) \
	static struct test_command test_command_##name = { \
		.next = NULL, \
		.command = #name, \
		.callback = func, \
	}; \
	RTE_INIT(test_command_register_##name) \
	{ \
		test_command_register(&test_command_##name); \
	}

#endif /* QOSDT_TEST_H */
