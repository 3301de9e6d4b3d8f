/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The application's own options (app/options.c) on valid values: what each
 * one parses to, down to the edges of its range, and the defaults when it
 * is absent. test/bad_input.py shows what the user sees for bad ones, and
 * test/app_options.py what valid ones do to a running qosdt.
 */

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "options.h"
#include "test.h"

#define MAX_ARGS 24

/* options_parse() on "qosdt --role ROLE --config c.json [--scenario s.json]"
 * and the extra words (NULL-terminated); its return value.
 */
static int
parse(struct app_options *o, const char *role, ...)
{
	char *argv[MAX_ARGS + 1];
	const char *w;
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)(uintptr_t)"qosdt";
	argv[argc++] = (char *)(uintptr_t)"--role";
	argv[argc++] = (char *)(uintptr_t)role;
	argv[argc++] = (char *)(uintptr_t)"--config";
	argv[argc++] = (char *)(uintptr_t)"c.json";
	if (strcmp(role, "client") == 0) {
		argv[argc++] = (char *)(uintptr_t)"--scenario";
		argv[argc++] = (char *)(uintptr_t)"s.json";
	}
	va_start(ap, role);
	while ((w = va_arg(ap, const char *)) != NULL && argc < MAX_ARGS)
		argv[argc++] = (char *)(uintptr_t)w;
	va_end(ap);
	argv[argc] = NULL;
	return options_parse(argc, argv, o);
}

static int
test_defaults(void)
{
	struct app_options o;
	unsigned int s;

	TEST_ASSERT_SUCCESS(parse(&o, "server", NULL), "parse");
	TEST_ASSERT_EQUAL(o.role, ROLE_SERVER, "role");
	TEST_ASSERT_EQUAL(o.adaptive, -1, "adaptive: the config's by default");
	TEST_ASSERT_EQUAL(o.port_id, 0, "port");
	TEST_ASSERT(o.link_wait_s == 10.0, "link wait %g", o.link_wait_s);
	for (s = 0; s < STAGE_MAX; s++)
		TEST_ASSERT_EQUAL(o.stage_lcore[s], -1,
			"stage %s not on the main lcore by default",
			pipeline_stage_name(s));
	return TEST_SUCCESS;
}

static int
test_stage_lcores(void)
{
	static const struct {
		const char *arg;
		int lcore[STAGE_MAX];
	} ok[] = {
		{ "0,1,1", { 0, 1, 1 } },
		{ "1,0,1", { 1, 0, 1 } },
		{ "0,0,0", { 0, 0, 0 } },
		{ "2,1,0", { 2, 1, 0 } },
		{ "007,08,9", { 7, 8, 9 } },
	};
	char max[64];
	struct app_options o;
	unsigned int i, s;

	for (i = 0; i < RTE_DIM(ok); i++) {
		TEST_ASSERT_SUCCESS(parse(&o, "server", "--stage-lcores", ok[i].arg,
			NULL), "--stage-lcores %s refused", ok[i].arg);
		for (s = 0; s < STAGE_MAX; s++)
			TEST_ASSERT_EQUAL(o.stage_lcore[s], ok[i].lcore[s],
				"--stage-lcores %s: %s stage on lcore %d", ok[i].arg,
				pipeline_stage_name(s), o.stage_lcore[s]);
	}
	/* the last lcore id there is, for each stage */
	snprintf(max, sizeof(max), "%u,%u,%u", RTE_MAX_LCORE - 1,
		RTE_MAX_LCORE - 1, RTE_MAX_LCORE - 1);
	TEST_ASSERT_SUCCESS(parse(&o, "client", "--stage-lcores", max, NULL),
		"--stage-lcores %s refused", max);
	for (s = 0; s < STAGE_MAX; s++)
		TEST_ASSERT_EQUAL(o.stage_lcore[s], RTE_MAX_LCORE - 1, "%s", max);
	return TEST_SUCCESS;
}

static int
test_adaptive(void)
{
	struct app_options o;

	TEST_ASSERT_SUCCESS(parse(&o, "server", "--adaptive", "on", NULL), "on");
	TEST_ASSERT_EQUAL(o.adaptive, 1, "--adaptive on gave %d", o.adaptive);
	TEST_ASSERT_SUCCESS(parse(&o, "client", "--adaptive", "off", NULL), "off");
	TEST_ASSERT_EQUAL(o.adaptive, 0, "--adaptive off gave %d", o.adaptive);
	/* the last one given counts */
	TEST_ASSERT_SUCCESS(parse(&o, "server", "--adaptive", "off", "--adaptive",
		"on", NULL), "twice");
	TEST_ASSERT_EQUAL(o.adaptive, 1, "off then on gave %d", o.adaptive);
	return TEST_SUCCESS;
}

static int
test_port(void)
{
	char max[16];
	struct app_options o;

	TEST_ASSERT_SUCCESS(parse(&o, "server", "--port", "0", NULL), "0");
	TEST_ASSERT_EQUAL(o.port_id, 0, "--port 0");
	TEST_ASSERT_SUCCESS(parse(&o, "client", "--port", "3", NULL), "3");
	TEST_ASSERT_EQUAL(o.port_id, 3, "--port 3 gave %u", o.port_id);
	snprintf(max, sizeof(max), "%u", RTE_MAX_ETHPORTS - 1);
	TEST_ASSERT_SUCCESS(parse(&o, "server", "--port", max, NULL), "%s", max);
	TEST_ASSERT_EQUAL(o.port_id, RTE_MAX_ETHPORTS - 1, "--port %s gave %u",
		max, o.port_id);
	/* one past the last is refused (bad_input.py shows the message) */
	snprintf(max, sizeof(max), "%u", RTE_MAX_ETHPORTS);
	TEST_ASSERT_EQUAL(parse(&o, "server", "--port", max, NULL), -1,
		"--port %s accepted", max);
	return TEST_SUCCESS;
}

static int
test_link_wait(void)
{
	static const struct {
		const char *arg;
		double s;
	} ok[] = {
		{ "0", 0.0 }, { "0.25", 0.25 }, { "2.5", 2.5 }, { "10", 10.0 },
		{ "1e-3", 0.001 }, { "86400", 86400.0 },
	};
	struct app_options o;
	unsigned int i;

	for (i = 0; i < RTE_DIM(ok); i++) {
		TEST_ASSERT_SUCCESS(parse(&o, i % 2 ? "client" : "server",
			"--link-wait", ok[i].arg, NULL), "--link-wait %s refused",
			ok[i].arg);
		TEST_ASSERT(fabs(o.link_wait_s - ok[i].s) < 1e-9,
			"--link-wait %s gave %g", ok[i].arg, o.link_wait_s);
	}
	TEST_ASSERT_EQUAL(parse(&o, "server", "--link-wait", "86400.5", NULL), -1,
		"beyond a day accepted");
	return TEST_SUCCESS;
}

/* All of them on one command line, in any order, each where it belongs. */
static int
test_together(void)
{
	struct app_options o;

	TEST_ASSERT_SUCCESS(parse(&o, "client", "--link-wait", "0.5", "--port",
		"2", "--adaptive", "on", "--stage-lcores", "1,0,1", "--mode",
		"wrr", NULL), "parse");
	TEST_ASSERT(o.role == ROLE_CLIENT && o.port_id == 2 && o.adaptive == 1 &&
		o.link_wait_s == 0.5 && o.stage_lcore[STAGE_RX] == 1 &&
		o.stage_lcore[STAGE_WORKER] == 0 && o.stage_lcore[STAGE_TX] == 1 &&
		strcmp(o.scenario_path, "s.json") == 0 &&
		strcmp(o.config_path, "c.json") == 0,
		"role %d port %u adaptive %d link wait %g stages %d,%d,%d",
		o.role, o.port_id, o.adaptive, o.link_wait_s,
		o.stage_lcore[STAGE_RX], o.stage_lcore[STAGE_WORKER],
		o.stage_lcore[STAGE_TX]);
	return TEST_SUCCESS;
}

static struct unit_test_suite options_suite = {
	.suite_name = "qosdt options, valid values",
	.unit_test_cases = {
		TEST_CASE(test_defaults),
		TEST_CASE(test_stage_lcores),
		TEST_CASE(test_adaptive),
		TEST_CASE(test_port),
		TEST_CASE(test_link_wait),
		TEST_CASE(test_together),
		TEST_CASES_END(),
	},
};

static int
test_app_options(void)
{
	return unit_test_suite_runner(&options_suite);
}

REGISTER_TEST_COMMAND(app_options_autotest, test_app_options);
