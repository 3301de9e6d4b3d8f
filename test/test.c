/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * qosdt-test: runs the unit test commands registered with
 * REGISTER_TEST_COMMAND().
 *
 *   qosdt-test [EAL options] [--] [command ...]
 *   DPDK_TEST=command qosdt-test [EAL options]
 *
 * Commands on the command line take precedence over DPDK_TEST (which may
 * hold several names separated by commas or blanks). Without any command the
 * registered commands are listed. Exit status: 0 when something passed and
 * nothing failed, 77 when everything was skipped, 1 otherwise.
 *
 * Besides the human report, two kinds of lines are for
 * buildtools/test-summary.py: one per case as soon as it has run,
 *   qosdt-test case: name=COMMAND result=passed|failed|skipped case=CASE
 * (cases of suites run from inside a case, such as the runner's own self
 * test's, print none: they are not counted), and the summary line at the
 * end,
 *   qosdt-test summary: name=COMMAND[,...] passed=N failed=N skipped=N
 * A process that dies part-way leaves the case lines of what it ran.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "test.h"

#define EXIT_TEST_SKIPPED 77

struct test_case_counts test_case_totals;

/* Registered commands, sorted by name. */
static struct test_command *test_commands;
/* Set when a command name was registered twice. */
static const char *test_duplicate_command;
/* The command running, named in the case lines. */
static const char *test_current_command = "(none)";
/* unit_test_suite_runner() calls in progress: 1 for a command's own suite. */
static unsigned int test_suite_depth;

void
test_command_register(struct test_command *t)
{
	struct test_command **pos = &test_commands;
	int cmp = 1;

	while (*pos != NULL) {
		cmp = strcmp((*pos)->command, t->command);
		if (cmp >= 0)
			break;
		pos = &(*pos)->next;
	}
	if (*pos != NULL && cmp == 0) {
		test_duplicate_command = t->command;
		return;
	}
	t->next = *pos;
	*pos = t;
}

static struct test_command *
test_command_find(const char *name)
{
	struct test_command *t;

	for (t = test_commands; t != NULL; t = t->next)
		if (strcmp(t->command, name) == 0)
			return t;
	return NULL;
}

static void
test_commands_list(void)
{
	struct test_command *t;

	printf("Registered test commands:\n");
	for (t = test_commands; t != NULL; t = t->next)
		printf("  %s\n", t->command);
}

/* The machine-readable line of one counted case, flushed at once. */
static void
test_case_line(const char *case_name, int ret)
{
	printf("qosdt-test case: name=%s result=%s case=%s\n",
		test_current_command,
		ret == TEST_SUCCESS ? "passed" :
		ret == TEST_SKIPPED ? "skipped" : "failed", case_name);
	fflush(stdout);
}

static const char *
test_result_str(int ret)
{
	switch (ret) {
	case TEST_SUCCESS:
		return "succeeded";
	case TEST_SKIPPED:
		return "skipped";
	default:
		return "failed";
	}
}

/* Run one case (setup, case, teardown) and return its TEST_* result. */
static int
test_case_run(const struct unit_test_case *tc)
{
	int ret;

	if (tc->setup != NULL) {
		ret = tc->setup();
		if (ret == TEST_SKIPPED)
			return TEST_SKIPPED;
		if (ret != TEST_SUCCESS) {
			printf("setup of test case %s failed (%d)\n",
				tc->name, ret);
			return TEST_FAILED;
		}
	}

	ret = tc->testcase();
	if (ret != TEST_SUCCESS && ret != TEST_SKIPPED)
		ret = TEST_FAILED;

	if (tc->teardown != NULL)
		tc->teardown();

	return ret;
}

int
unit_test_suite_runner(struct unit_test_suite *suite)
{
	struct test_case_counts counts = { 0, 0, 0 };
	const char *name = suite->suite_name != NULL ?
		suite->suite_name : "(unnamed)";
	const struct unit_test_case *tc;
	int setup_ret = TEST_SUCCESS;
	unsigned int n = 0;
	int ret;

	test_suite_depth++;
	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite : %s\n", name);

	if (suite->setup != NULL) {
		setup_ret = suite->setup();
		if (setup_ret == TEST_SKIPPED)
			printf(" + Suite setup skipped the suite\n");
		else if (setup_ret != TEST_SUCCESS)
			printf(" + Suite setup failed (%d)\n", setup_ret);
	}

	printf(" + ------------------------------------------------------- +\n");

	for (tc = suite->unit_test_cases; tc->testcase != NULL; tc++) {
		if (setup_ret == TEST_SUCCESS)
			ret = test_case_run(tc);
		else if (setup_ret == TEST_SKIPPED)
			ret = TEST_SKIPPED;
		else
			ret = TEST_FAILED;

		if (ret == TEST_SUCCESS)
			counts.passed++;
		else if (ret == TEST_SKIPPED)
			counts.skipped++;
		else
			counts.failed++;

		printf(" + TestCase [%2u] : %s %s\n", n++,
			tc->name != NULL ? tc->name : "(unnamed)",
			test_result_str(ret));
		fflush(stdout);
		if (test_suite_depth == 1)
			test_case_line(tc->name != NULL ? tc->name : "(unnamed)",
				ret);
	}

	if (n == 0) {
		if (setup_ret == TEST_SKIPPED) {
			counts.skipped++;
		} else {
			printf(" + Suite %s has no test cases\n", name);
			counts.failed++;
		}
		if (test_suite_depth == 1)
			test_case_line("(no case)", setup_ret == TEST_SKIPPED ?
				TEST_SKIPPED : TEST_FAILED);
	}

	if (setup_ret == TEST_SUCCESS && suite->teardown != NULL)
		suite->teardown();

	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite Summary : %s\n", name);
	printf(" + Tests Total :   %4u\n", n);
	printf(" + Tests Skipped : %4u\n", counts.skipped);
	printf(" + Tests Passed :  %4u\n", counts.passed);
	printf(" + Tests Failed :  %4u\n", counts.failed);
	printf(" + ------------------------------------------------------- +\n");
	fflush(stdout);

	test_case_totals.passed += counts.passed;
	test_case_totals.failed += counts.failed;
	test_case_totals.skipped += counts.skipped;
	test_suite_depth--;

	if (counts.failed > 0)
		return TEST_FAILED;
	if (counts.passed > 0)
		return TEST_SUCCESS;
	return TEST_SKIPPED;
}

/*
 * Run one command. Its cases are counted by unit_test_suite_runner(); a
 * command that ran no suite counts as one case with its return code, and a
 * command that fails without a failed case is counted as one more failure so
 * that the summary never hides a failure.
 */
static int
test_command_run(const struct test_command *t)
{
	struct test_case_counts before = test_case_totals;
	int ran_cases;
	int ret;

	printf("Running %s\n", t->command);
	fflush(stdout);
	test_current_command = t->command;
	ret = t->callback();
	ran_cases = memcmp(&before, &test_case_totals, sizeof(before)) != 0;

	if (ret == TEST_SUCCESS) {
		printf("Test OK\n");
		if (!ran_cases) {
			test_case_totals.passed++;
			test_case_line(t->command, TEST_SUCCESS);
		}
	} else if (ret == TEST_SKIPPED) {
		printf("Test Skipped\n");
		if (!ran_cases) {
			test_case_totals.skipped++;
			test_case_line(t->command, TEST_SKIPPED);
		}
	} else {
		printf("Test Failed\n");
		if (test_case_totals.failed == before.failed) {
			test_case_totals.failed++;
			test_case_line(t->command, TEST_FAILED);
		}
		ret = TEST_FAILED;
	}
	fflush(stdout);
	return ret;
}

/* Split a DPDK_TEST value on commas and blanks; returns the number of names. */
static int
test_split_env(char *value, char **names, int max)
{
	char *save = NULL;
	char *tok;
	int n = 0;

	for (tok = strtok_r(value, ", \t\n", &save); tok != NULL && n < max;
			tok = strtok_r(NULL, ", \t\n", &save))
		names[n++] = tok;
	return n;
}

int
main(int argc, char **argv)
{
	char **names = NULL;
	char *env_copy = NULL;
	const char *env;
	int any_failed = 0;
	int exit_code;
	int n_names;
	int ret;
	int i;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "qosdt-test: cannot initialise EAL: %s\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argc -= ret + 1;
	argv += ret + 1;

	if (test_duplicate_command != NULL) {
		fprintf(stderr, "qosdt-test: test command %s registered twice\n",
			test_duplicate_command);
		exit_code = EXIT_FAILURE;
		goto out;
	}

	if (argc > 0) {
		names = argv;
		n_names = argc;
	} else {
		env = getenv("DPDK_TEST");
		n_names = 0;
		if (env != NULL && env[0] != '\0') {
			env_copy = strdup(env);
			/* at most strlen / 2 + 1 names fit in the string */
			names = calloc(strlen(env) / 2 + 1, sizeof(*names));
			if (env_copy == NULL || names == NULL) {
				fprintf(stderr, "qosdt-test: out of memory\n");
				exit_code = EXIT_FAILURE;
				goto out;
			}
			n_names = test_split_env(env_copy, names,
				strlen(env) / 2 + 1);
		}
	}

	if (n_names == 0) {
		test_commands_list();
		exit_code = EXIT_SUCCESS;
		goto out;
	}

	for (i = 0; i < n_names; i++) {
		if (test_command_find(names[i]) == NULL) {
			fprintf(stderr, "qosdt-test: unknown test command %s\n",
				names[i]);
			test_commands_list();
			exit_code = EXIT_FAILURE;
			goto out;
		}
	}

	for (i = 0; i < n_names; i++)
		if (test_command_run(test_command_find(names[i])) == TEST_FAILED)
			any_failed = 1;

	printf("qosdt-test summary: name=");
	for (i = 0; i < n_names; i++)
		printf("%s%s", i > 0 ? "," : "", names[i]);
	printf(" passed=%u failed=%u skipped=%u\n", test_case_totals.passed,
		test_case_totals.failed, test_case_totals.skipped);
	fflush(stdout);

	if (any_failed || test_case_totals.failed > 0)
		exit_code = EXIT_FAILURE;
	else if (test_case_totals.passed > 0)
		exit_code = EXIT_SUCCESS;
	else
		exit_code = EXIT_TEST_SKIPPED;

out:
	if (names != argv)
		free(names);
	free(env_copy);
	rte_eal_cleanup();
	return exit_code;
}
