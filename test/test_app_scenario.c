/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Scenarios (doc/scenario.md): a full file parses to what it says, absent
 * keys take their defaults, the shipped scenarios load and offer the loads
 * the document claims, each rule refuses a bad file naming the JSON path,
 * rates convert between messages and frame bits; and the pacing, on a
 * synthetic clock: exact constant rates, Poisson means and seeds, burst
 * groups, the max per call, phase changes, the end, scaling.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qosdt_classifier.h>
#include <qosdt_config.h>

#include "scenario.h"
#include "test.h"

#define CHANNEL_BPS UINT64_C(1000000000)
#define MS UINT64_C(1000000)
#define SEC UINT64_C(1000000000)
/* Room for the messages one call may return in these tests. */
#define DUE_MAX 4096

/* Scenarios are large: one each, static. */
static struct scenario sc, sc2;
static struct loadgen lg;
static uint16_t due[DUE_MAX];

/* ------------------------------------------------------------------ */
/* Helpers.                                                            */

static int
parse(const char *json)
{
	char err[SCENARIO_ERRLEN] = "";
	int rc = scenario_parse(json, CHANNEL_BPS, &sc, err, sizeof(err));

	if (rc != 0)
		printf("scenario_parse: %s\n", err);
	return rc;
}

/* A one-phase scenario of @p duration with the given flows (JSON text). */
static int
parse_phase(const char *duration, const char *flows)
{
	char json[2048];

	snprintf(json, sizeof(json),
		"{\"phases\": [{\"duration\": \"%s\", \"flows\": [%s]}]}",
		duration, flows);
	return parse(json);
}

/* Every message due at @p now, however many calls it takes. */
static uint64_t
drain(struct loadgen *g, uint64_t now, uint64_t *per_flow)
{
	uint32_t n, i, phase;
	uint64_t total = 0;

	do {
		n = loadgen_due(g, now, due, DUE_MAX, &phase);
		for (i = 0; per_flow != NULL && i < n; i++)
			per_flow[due[i]]++;
		total += n;
	} while (n == DUE_MAX);
	return total;
}

/* Messages due from the start up to @p end (excluded), polled every @p step. */
static uint64_t
count_until(struct loadgen *g, uint64_t start, uint64_t end, uint64_t step)
{
	uint64_t now, total = 0;

	for (now = start; now < end; now += step)
		total += drain(g, now, NULL);
	return total + drain(g, end - 1, NULL);
}

static double
rel_diff(double a, double b)
{
	return fabs(a - b) / b;
}

/* ------------------------------------------------------------------ */
/* Parsing.                                                            */

static int
test_parse_full(void)
{
	const struct flow *f;

	TEST_ASSERT_SUCCESS(parse(
		"{\"name\": \"mixed-overload\", \"description\": \"free text\","
		" \"timeout\": \"250ms\", \"seed\": 7,"
		" \"phases\": [ {\"name\": \"overload\", \"duration\": \"10s\","
		"  \"flows\": ["
		"   {\"service\": 1, \"rate\": \"10kpps\", \"size\": 64, \"pattern\": \"constant\"},"
		"   {\"service\": 9, \"rate\": \"200M\", \"size\": 1400, \"pattern\": \"poisson\"},"
		"   {\"service\": 5, \"rate\": \"5%\", \"size\": 1000, \"pattern\": \"burst\", \"burst\": 16}"
		" ]}, {\"name\": \"probe\", \"duration\": \"1.5s\","
		"  \"flows\": [{\"service\": 4242, \"rate\": \"1.5Mpps\", \"size\": 0}]} ] }"),
		"the example parses");
	TEST_ASSERT(strcmp(sc.name, "mixed-overload") == 0, "name %s", sc.name);
	TEST_ASSERT_EQUAL(sc.timeout_ns, 250 * MS, "timeout");
	TEST_ASSERT_EQUAL(sc.seed, 7u, "seed");
	TEST_ASSERT_EQUAL(sc.nb_phases, 2u, "phases");
	TEST_ASSERT(strcmp(sc.phases[0].name, "overload") == 0, "phase name");
	TEST_ASSERT_EQUAL(sc.phases[0].duration_ns, 10 * SEC, "duration");
	TEST_ASSERT_EQUAL(sc.phases[0].nb_flows, 3u, "flows");
	f = &sc.phases[0].flows[0];
	TEST_ASSERT(f->service_id == 1 && f->size == 64 &&
		f->pattern == FLOW_CONSTANT && f->burst == 1 &&
		f->rate_pps == 10000.0, "flow 0: %u %u %d %u %f", f->service_id,
		f->size, f->pattern, f->burst, f->rate_pps);
	f = &sc.phases[0].flows[1];
	TEST_ASSERT(f->service_id == 9 && f->size == 1400 &&
		f->pattern == FLOW_POISSON && f->burst == 1 &&
		rel_diff(f->rate_pps, 200e6 / (8 * 1440)) < 1e-12,
		"flow 1: rate %f", f->rate_pps);
	f = &sc.phases[0].flows[2];
	TEST_ASSERT(f->service_id == 5 && f->pattern == FLOW_BURST &&
		f->burst == 16 && rel_diff(f->rate_pps, 50e6 / (8 * 1040)) < 1e-12,
		"flow 2: burst %u rate %f", f->burst, f->rate_pps);
	TEST_ASSERT(strcmp(sc.phases[1].name, "probe") == 0, "phase 1 name");
	TEST_ASSERT_EQUAL(sc.phases[1].duration_ns, 1500 * MS, "phase 1 duration");
	f = &sc.phases[1].flows[0];
	TEST_ASSERT(f->service_id == 4242 && f->size == 0 &&
		f->rate_pps == 1.5e6, "an unknown service id is kept");
	TEST_ASSERT_EQUAL(scenario_duration_ns(&sc), 11500 * MS, "total");
	return TEST_SUCCESS;
}

static int
test_parse_defaults(void)
{
	const struct flow *f;

	TEST_ASSERT_SUCCESS(parse(
		"{\"phases\": [{\"duration\": \"1s\", \"flows\": ["
		" {\"service\": 1, \"rate\": \"1kpps\", \"size\": 64},"
		" {\"service\": 2, \"rate\": \"1kpps\", \"size\": 64, \"pattern\": \"burst\"}]},"
		" {\"duration\": \"2s\", \"flows\": [{\"service\": 3, \"rate\": \"1M\", \"size\": 1}]}]}"),
		"a minimal file parses");
	TEST_ASSERT(strcmp(sc.name, "unnamed") == 0, "name %s", sc.name);
	TEST_ASSERT_EQUAL(sc.timeout_ns, 100 * MS, "timeout defaults to 100ms");
	TEST_ASSERT_EQUAL(sc.seed, 1u, "seed defaults to 1");
	TEST_ASSERT(strcmp(sc.phases[0].name, "phase0") == 0 &&
		strcmp(sc.phases[1].name, "phase1") == 0, "phase names %s %s",
		sc.phases[0].name, sc.phases[1].name);
	f = &sc.phases[0].flows[0];
	TEST_ASSERT(f->pattern == FLOW_CONSTANT && f->burst == 1,
		"pattern defaults to constant");
	f = &sc.phases[0].flows[1];
	TEST_ASSERT(f->pattern == FLOW_BURST && f->burst == 32,
		"burst defaults to 32: %u", f->burst);
	return TEST_SUCCESS;
}

static int
test_rate_conversions(void)
{
	static const struct {
		const char *rate;
		unsigned int size;
		double pps;
	} rates[] = {
		{ "500pps", 64, 500 },
		{ "10kpps", 1400, 10000 },
		{ "1.5Mpps", 0, 1.5e6 },
		{ "200M", 1400, 200e6 / (8.0 * 1440) },
		{ "8k", 60, 10 },                      /* 8000 / (8 * 100) */
		{ "1G", 0, 1e9 / 320 },
		{ "1.2Gbps", 60, 1.5e6 },
		{ "20%", 1210, 20000 },                /* 200M / (8 * 1250) */
		{ "0.5%", 9000, 5e6 / (8.0 * 9040) },
	};
	char flow[256], err[SCENARIO_ERRLEN];
	unsigned int i;
	double bps;

	for (i = 0; i < RTE_DIM(rates); i++) {
		snprintf(flow, sizeof(flow),
			"{\"service\": 1, \"rate\": \"%s\", \"size\": %u}",
			rates[i].rate, rates[i].size);
		TEST_ASSERT_SUCCESS(parse_phase("1s", flow), "%s", rates[i].rate);
		TEST_ASSERT(rel_diff(sc.phases[0].flows[0].rate_pps,
			rates[i].pps) < 1e-12, "%s at %u B: %f pps, want %f",
			rates[i].rate, rates[i].size,
			sc.phases[0].flows[0].rate_pps, rates[i].pps);
		bps = rates[i].pps * 8 * (40 + rates[i].size);
		TEST_ASSERT(rel_diff(flow_bps(&sc.phases[0].flows[0]), bps) < 1e-12,
			"%s: flow_bps %f, want %f frame bits/s", rates[i].rate,
			flow_bps(&sc.phases[0].flows[0]), bps);
	}
	/* Percentages need the channel rate. */
	TEST_ASSERT_FAIL(scenario_parse("{\"phases\": [{\"duration\": \"1s\","
		" \"flows\": [{\"service\": 1, \"rate\": \"5%\", \"size\": 1}]}]}",
		0, &sc, err, sizeof(err)), "a percentage without a channel rate");
	TEST_ASSERT(strstr(err, "phases[0].flows[0].rate: a percentage needs") == err,
		"message: %s", err);
	return TEST_SUCCESS;
}

/* One row per rule: the JSON, the path the message starts with, the rule. */
static const struct {
	const char *json;
	const char *path;
	const char *rule;
} bad_inputs[] = {
#define PH(flows) "{\"phases\": [{\"duration\": \"1s\", \"flows\": [" flows "]}]}"
#define FL "{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64}"
	{ "{\"phases\": [", "<string>:1:", "" },
	{ "[1]", "<string>", "must be a JSON object" },
	{ "{\"name\": \"x\"}", "phases", "required" },
	{ "{\"nmae\": \"x\", \"phases\": []}", "nmae", "unknown key (expected: name," },
	{ "{\"name\": \"\", \"phases\": [" "]}", "name", "1..63 characters" },
	{ "{\"name\": 5}", "name", "must be a string" },
	{ "{\"description\": []}", "description", "must be a string" },
	{ "{\"timeout\": \"100\"}", "timeout", "must be a duration" },
	{ "{\"timeout\": \"0ms\"}", "timeout", "must be > 0" },
	{ "{\"timeout\": \"61s\"}", "timeout", "at most 60 s" },
	{ "{\"seed\": -1}", "seed", "must be 0.." },
	{ "{\"seed\": 1.5}", "seed", "whole number" },
	{ "{\"seed\": 1, \"seed\": 2}", "<string>:1:", "duplicate object key" },
	{ "{\"phases\": {}}", "phases", "must be an array of phases" },
	{ "{\"phases\": []}", "phases", "must hold 1..16 phases (has 0)" },
	{ "{\"phases\": [1]}", "phases[0]", "must be an object" },
	{ "{\"phases\": [{\"flows\": [" FL "]}]}", "phases[0].duration", "required" },
	{ "{\"phases\": [{\"duration\": \"1s\"}]}", "phases[0].flows", "required" },
	{ "{\"phases\": [{\"duration\": \"0s\", \"flows\": [" FL "]}]}",
	  "phases[0].duration", "must be > 0" },
	{ "{\"phases\": [{\"duration\": \"86401s\", \"flows\": [" FL "]}]}",
	  "phases[0].duration", "at most 86400 s" },
	{ "{\"phases\": [{\"duration\": \"1s\", \"flows\": [" FL "], \"rate\": 1}]}",
	  "phases[0].rate", "unknown key (expected: name, duration, flows)" },
	{ "{\"phases\": [{\"name\": \"a-phase-name-longer-than-31-chars\","
	  " \"duration\": \"1s\", \"flows\": [" FL "]}]}",
	  "phases[0].name", "1..31 characters" },
	{ PH(""), "phases[0].flows", "must hold 1..64 flows (has 0)" },
	{ "{\"phases\": [{\"duration\": \"1s\", \"flows\": [" FL "]},"
	  " {\"duration\": \"1s\", \"flows\": [{\"rate\": \"1kpps\", \"size\": 64}]}]}",
	  "phases[1].flows[0].service", "required" },
	{ PH(FL ", {\"service\": 1, \"size\": 64}"), "phases[0].flows[1].rate", "required" },
	{ PH("{\"service\": 1, \"rate\": \"1kpps\"}"), "phases[0].flows[0].size", "required" },
	{ PH("{\"service\": 65536, \"rate\": \"1kpps\", \"size\": 64}"),
	  "phases[0].flows[0].service", "must be 0..65535" },
	{ PH("{\"service\": \"1\", \"rate\": \"1kpps\", \"size\": 64}"),
	  "phases[0].flows[0].service", "must be a number" },
	{ PH("{\"service\": 1, \"rate\": \"1kpps\", \"size\": 9001}"),
	  "phases[0].flows[0].size", "must be 0..9000" },
	{ PH("{\"service\": 1, \"rate\": \"fast\", \"size\": 64}"),
	  "phases[0].flows[0].rate", "not a rate: \"fast\"" },
	{ PH("{\"service\": 1, \"rate\": \"1.5pps\", \"size\": 64}"),
	  "phases[0].flows[0].rate", "not a rate" },
	{ PH("{\"service\": 1, \"rate\": \"10kbitpps\", \"size\": 64}"),
	  "phases[0].flows[0].rate", "not a rate" },
	{ PH("{\"service\": 1, \"rate\": 1000, \"size\": 64}"),
	  "phases[0].flows[0].rate", "must be a string" },
	{ PH("{\"service\": 1, \"rate\": \"0pps\", \"size\": 64}"),
	  "phases[0].flows[0].rate", "must be > 0" },
	{ PH("{\"service\": 1, \"rate\": \"0%\", \"size\": 64}"),
	  "phases[0].flows[0].rate", "must be > 0" },
	{ PH("{\"service\": 1, \"rate\": \"101Mpps\", \"size\": 64}"),
	  "phases[0].flows[0].rate", "at most 100 Mpps" },
	{ PH("{\"service\": 1, \"rate\": \"400G\", \"size\": 0}"),
	  "phases[0].flows[0].rate", "at most 100 Mpps" },
	{ PH("{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64, \"pattern\": \"bursty\"}"),
	  "phases[0].flows[0].pattern", "must be \"constant\", \"poisson\" or \"burst\"" },
	{ PH("{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64, \"burst\": 8}"),
	  "phases[0].flows[0].burst", "only allowed with \"pattern\": \"burst\"" },
	{ PH("{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64, \"pattern\": \"burst\", \"burst\": 0}"),
	  "phases[0].flows[0].burst", "must be 1..4096" },
	{ PH(FL ", {\"service\": 2, \"rate\": \"1kpps\", \"size\": 64, \"sise\": 1}"),
	  "phases[0].flows[1].sise", "unknown key (expected: service, rate, size, pattern, burst)" },
	{ PH("7"), "phases[0].flows[0]", "must be an object" },
#undef FL
#undef PH
};

/* Room for a JSON array of more elements than allowed. */
#define BIG_JSON 8192

static int
check_refused(const char *json, const char *path, const char *rule)
{
	char err[SCENARIO_ERRLEN] = "";
	size_t len = strlen(path);

	TEST_ASSERT_FAIL(scenario_parse(json, CHANNEL_BPS, &sc, err, sizeof(err)),
		"accepted: %s", json);
	TEST_ASSERT(strncmp(err, path, len) == 0 && strstr(err + len, rule) != NULL,
		"%s\n  gave \"%s\"\n  want \"%s...%s\"", json, err, path, rule);
	TEST_ASSERT(strchr(err, '\n') == NULL, "one line: %s", err);
	return TEST_SUCCESS;
}

static int
test_bad_inputs(void)
{
	static const char flow[] = "{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64}";
	static const char phase[] = "{\"duration\": \"1s\", \"flows\": [{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64}]}";
	char json[BIG_JSON];
	unsigned int i;
	size_t len;

	for (i = 0; i < RTE_DIM(bad_inputs); i++)
		if (check_refused(bad_inputs[i].json, bad_inputs[i].path,
				bad_inputs[i].rule) != TEST_SUCCESS)
			return TEST_FAILED;

	/* One flow too many, then one phase too many. */
	len = snprintf(json, sizeof(json), "{\"phases\": [{\"duration\": \"1s\", \"flows\": [");
	for (i = 0; i <= SCENARIO_MAX_FLOWS; i++)
		len += snprintf(json + len, sizeof(json) - len, "%s%s",
			i > 0 ? "," : "", flow);
	snprintf(json + len, sizeof(json) - len, "]}]}");
	if (check_refused(json, "phases[0].flows", "must hold 1..64 flows (has 65)") != TEST_SUCCESS)
		return TEST_FAILED;
	len = snprintf(json, sizeof(json), "{\"phases\": [");
	for (i = 0; i <= SCENARIO_MAX_PHASES; i++)
		len += snprintf(json + len, sizeof(json) - len, "%s%s",
			i > 0 ? "," : "", phase);
	snprintf(json + len, sizeof(json) - len, "]}");
	return check_refused(json, "phases", "must hold 1..16 phases (has 17)");
}

static int
test_load_errors(void)
{
	char err[SCENARIO_ERRLEN] = "", path[] = "/nonexistent/dir/missing.json";
	char want[SCENARIO_ERRLEN];

	TEST_ASSERT_FAIL(scenario_load(path, CHANNEL_BPS, &sc, err, sizeof(err)),
		"a missing file loads");
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	TEST_ASSERT(strcmp(err, want) == 0, "gave \"%s\", want \"%s\"", err, want);
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The shipped scenarios.                                              */

static struct qosdt_classifier *classifier;

static int
classifier_setup(void)
{
	char path[PATH_MAX], err[QOSDT_CONFIG_ERRLEN];
	const char *root = getenv("QOSDT_SOURCE_ROOT");
	struct qosdt_config cfg;

	if (root == NULL)
		TEST_SKIP("QOSDT_SOURCE_ROOT is not set: cannot find config/");
	snprintf(path, sizeof(path), "%s/config/qos.json", root);
	TEST_ASSERT_SUCCESS(qosdt_config_load(path, &cfg, err, sizeof(err)),
		"%s", err);
	classifier = qosdt_classifier_create(&cfg, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(classifier, "classifier");
	return TEST_SUCCESS;
}

static void
classifier_teardown(void)
{
	qosdt_classifier_free(classifier);
	classifier = NULL;
}

static int
load_shipped(const char *name)
{
	char path[PATH_MAX], err[SCENARIO_ERRLEN] = "";

	snprintf(path, sizeof(path), "%s/config/%s.json",
		getenv("QOSDT_SOURCE_ROOT"), name);
	TEST_ASSERT_SUCCESS(scenario_load(path, CHANNEL_BPS, &sc, err, sizeof(err)),
		"%s", err);
	TEST_ASSERT(strcmp(sc.name, name) == 0, "name %s", sc.name);
	return TEST_SUCCESS;
}

/* A phase's offered frame bits/s per class, by config/qos.json's map. */
static void
class_load(const struct phase *p, double bps[QOSDT_NB_CLASSES])
{
	uint32_t i;

	memset(bps, 0, sizeof(double) * QOSDT_NB_CLASSES);
	for (i = 0; i < p->nb_flows; i++)
		bps[qosdt_classify_service(classifier, p->flows[i].service_id,
			NULL)] += flow_bps(&p->flows[i]);
}

static int
test_shipped_scenarios(void)
{
	double load[QOSDT_NB_CLASSES], load2[QOSDT_NB_CLASSES], total;
	unsigned int c;

	/* About twice the channel, every class offered something. */
	TEST_ASSERT_SUCCESS(load_shipped("mixed-overload"), "mixed-overload");
	TEST_ASSERT(sc.nb_phases == 1 && sc.phases[0].duration_ns == 10 * SEC &&
		sc.timeout_ns == 200 * MS, "one 10 s phase, 200ms timeout");
	class_load(&sc.phases[0], load);
	for (c = 0, total = 0; c < QOSDT_NB_CLASSES; c++) {
		TEST_ASSERT(load[c] > 0, "class %u offered nothing", c);
		total += load[c];
	}
	TEST_ASSERT(total > 1.8e9 && total < 2.0e9, "offered %.0f bit/s", total);
	TEST_ASSERT(load[QOSDT_CLASS_REALTIME] < 0.3 * CHANNEL_BPS,
		"realtime within its 30%% cap: %.0f", load[QOSDT_CLASS_REALTIME]);
	TEST_ASSERT(rel_diff(load[QOSDT_CLASS_THROUGHPUT], 600e6) < 1e-9,
		"throughput %.0f", load[QOSDT_CLASS_THROUGHPUT]);

	/* One realtime flow. */
	TEST_ASSERT_SUCCESS(load_shipped("idle-latency"), "idle-latency");
	TEST_ASSERT(sc.nb_phases == 1 && sc.phases[0].nb_flows == 1 &&
		sc.phases[0].flows[0].service_id == 1 &&
		sc.phases[0].flows[0].rate_pps == 1000, "echo at 1kpps");

	/* Reliable 600M beside 600M best effort, then doubled. */
	TEST_ASSERT_SUCCESS(load_shipped("reliable-stress"), "reliable-stress");
	TEST_ASSERT_EQUAL(sc.nb_phases, 2u, "two phases");
	class_load(&sc.phases[0], load);
	class_load(&sc.phases[1], load2);
	TEST_ASSERT(rel_diff(load[QOSDT_CLASS_RELIABLE], 600e6) < 1e-9,
		"reliable %.0f", load[QOSDT_CLASS_RELIABLE]);
	TEST_ASSERT(rel_diff(load[QOSDT_CLASS_BEST_EFFORT], 600e6) < 1e-9,
		"best effort %.0f", load[QOSDT_CLASS_BEST_EFFORT]);
	TEST_ASSERT(rel_diff(load2[QOSDT_CLASS_RELIABLE],
		2 * load[QOSDT_CLASS_RELIABLE]) < 1e-9, "reliable doubled");
	TEST_ASSERT(load[QOSDT_CLASS_REALTIME] > 0, "a realtime probe");

	/* Best effort only, at 5x the channel, for the whole run. */
	TEST_ASSERT_SUCCESS(load_shipped("tenant-flood"), "tenant-flood");
	TEST_ASSERT_EQUAL(sc.nb_phases, 1u, "one phase");
	class_load(&sc.phases[0], load);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		TEST_ASSERT(c == QOSDT_CLASS_BEST_EFFORT || load[c] == 0,
			"class %u offered %.0f bit/s", c, load[c]);
	TEST_ASSERT(rel_diff(load[QOSDT_CLASS_BEST_EFFORT], 5 * CHANNEL_BPS) < 1e-6,
		"best effort %.0f, 5x the channel expected",
		load[QOSDT_CLASS_BEST_EFFORT]);
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Pacing.                                                             */

static int
test_constant_exact(void)
{
	static const char *const rates[] = {
		"7pps", "30kpps", "1Mpps", "123456789", "3.3Mpps",
	};
	const uint64_t t0 = 5 * SEC + 3, span = SEC;
	char flow[128];
	uint64_t n, step;
	double want;
	unsigned int i;

	for (i = 0; i < RTE_DIM(rates); i++) {
		snprintf(flow, sizeof(flow),
			"{\"service\": 1, \"rate\": \"%s\", \"size\": 100}", rates[i]);
		TEST_ASSERT_SUCCESS(parse_phase("2s", flow), "%s", rates[i]);
		want = sc.phases[0].flows[0].rate_pps * (double)span / SEC;
		/* Odd steps, so polls fall anywhere between sends. */
		for (step = 7919; step <= 104729 * 100; step *= 37) {
			loadgen_start(&lg, &sc, t0);
			n = count_until(&lg, t0, t0 + span, step);
			TEST_ASSERT(fabs((double)n - want) <= 1, "%s, polled every %" PRIu64 " ns: %" PRIu64 " messages in 1 s, want %.1f",
				rates[i], step, n, want);
		}
	}
	return TEST_SUCCESS;
}

/* Messages recorded by flow, in the order handed out. */
#define ORDER_LEN 2000u

/* The first ORDER_LEN flow indexes of @p s in its first second. */
static uint32_t
record_order(const struct scenario *s, uint64_t step, uint32_t max,
		uint16_t *order)
{
	uint32_t n, i, k = 0, phase;
	uint64_t now;

	loadgen_start(&lg, s, 0);
	for (now = 0; k < ORDER_LEN && now < SEC; now += step) {
		n = loadgen_due(&lg, now, due, max, &phase);
		for (i = 0; i < n && k < ORDER_LEN; i++)
			order[k++] = due[i];
	}
	return k;
}

static int
test_poisson(void)
{
	const uint64_t span = 100 * SEC, step = MS;
	uint16_t order[2][ORDER_LEN];
	uint64_t total;
	double want;

	TEST_ASSERT_SUCCESS(parse_phase("200s",
		"{\"service\": 1, \"rate\": \"10kpps\", \"size\": 64, \"pattern\": \"poisson\"}"),
		"poisson");
	loadgen_start(&lg, &sc, 0);
	total = count_until(&lg, 0, span, step);
	want = 10000.0 * span / SEC;
	TEST_ASSERT(rel_diff((double)total, want) < 0.03,
		"%" PRIu64 " messages over 100 s, want %.0f +- 3%%", total, want);

	/* The schedule does not depend on how it is polled; the seed changes it. */
	TEST_ASSERT_SUCCESS(parse_phase("1s",
		"{\"service\": 1, \"rate\": \"10kpps\", \"size\": 64, \"pattern\": \"poisson\"},"
		"{\"service\": 2, \"rate\": \"10kpps\", \"size\": 64, \"pattern\": \"poisson\"}"),
		"two flows");
	sc2 = sc;
	TEST_ASSERT_EQUAL(record_order(&sc, 1000, 1, order[0]), ORDER_LEN,
		"polled every 1 us, one at a time");
	TEST_ASSERT_EQUAL(record_order(&sc, 7 * MS, DUE_MAX, order[1]),
		ORDER_LEN, "polled every 7 ms");
	TEST_ASSERT(memcmp(order[0], order[1], sizeof(order[0])) == 0,
		"same seed, other polling: another order");
	sc2.seed = 2;
	TEST_ASSERT_EQUAL(record_order(&sc2, 7 * MS, DUE_MAX, order[1]),
		ORDER_LEN, "seed 2");
	TEST_ASSERT(memcmp(order[0], order[1], sizeof(order[0])) != 0,
		"seed 2 gives the same sequence as seed 1");
	return TEST_SUCCESS;
}

/* First message of a Poisson flow after one gap, not at the phase start. */
static int
test_poisson_first_gap(void)
{
	uint32_t phase;

	TEST_ASSERT_SUCCESS(parse_phase("1s",
		"{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64, \"pattern\": \"poisson\"},"
		"{\"service\": 2, \"rate\": \"1kpps\", \"size\": 64}"), "two flows");
	loadgen_start(&lg, &sc, SEC);
	TEST_ASSERT_EQUAL(loadgen_due(&lg, SEC - 1, due, DUE_MAX, &phase), 0u,
		"nothing before the start");
	TEST_ASSERT_EQUAL(loadgen_due(&lg, SEC, due, DUE_MAX, &phase), 1u,
		"only the constant flow at the start");
	TEST_ASSERT_EQUAL(due[0], 1, "the constant flow");
	return TEST_SUCCESS;
}

static int
test_burst(void)
{
	const uint64_t t0 = 12345, gap = 10 * MS;
	uint32_t phase, b;

	/* 3200 messages/s in bursts of 32: one burst every 10 ms. */
	TEST_ASSERT_SUCCESS(parse_phase("1s",
		"{\"service\": 5, \"rate\": \"3200pps\", \"size\": 64,"
		" \"pattern\": \"burst\", \"burst\": 32}"), "burst");
	loadgen_start(&lg, &sc, t0);
	for (b = 0; b < 100; b++) {
		TEST_ASSERT_EQUAL(loadgen_due(&lg, t0 + b * gap, due, DUE_MAX,
			&phase), 32u, "burst %u: 32 back to back", b);
		TEST_ASSERT_EQUAL(loadgen_due(&lg, t0 + (b + 1) * gap - 1, due,
			DUE_MAX, &phase), 0u, "burst %u: nothing until the next", b);
	}
	TEST_ASSERT(loadgen_done(&lg, t0 + 100 * gap), "done after 1 s");

	/* 1000/s in threes: bursts at 0, 3, ..., 999 ms, 334 of them. */
	TEST_ASSERT_SUCCESS(parse_phase("1s",
		"{\"service\": 5, \"rate\": \"1kpps\", \"size\": 64,"
		" \"pattern\": \"burst\", \"burst\": 3}"), "burst of 3");
	loadgen_start(&lg, &sc, 0);
	TEST_ASSERT_EQUAL(count_until(&lg, 0, SEC, 100000), 1002u,
		"334 bursts of 3 start within 1 s");
	return TEST_SUCCESS;
}

static int
test_max_honoured(void)
{
	uint32_t n, i, phase;
	uint64_t total = 0;

	/* 1 Mpps: 1000 due at 999 us; taken 64 at a time. */
	TEST_ASSERT_SUCCESS(parse_phase("1s",
		"{\"service\": 1, \"rate\": \"1Mpps\", \"size\": 64}"), "1 Mpps");
	loadgen_start(&lg, &sc, 0);
	do {
		n = loadgen_due(&lg, 999 * 1000, due, 64, &phase);
		TEST_ASSERT(n <= 64, "%u > max", n);
		total += n;
	} while (n > 0);
	TEST_ASSERT_EQUAL(total, 1000u, "all of them, none twice");

	/* Two flows behind: the earliest go first, shared by time. */
	TEST_ASSERT_SUCCESS(parse_phase("1s",
		"{\"service\": 1, \"rate\": \"1Mpps\", \"size\": 64},"
		"{\"service\": 2, \"rate\": \"1Mpps\", \"size\": 64}"), "two flows");
	loadgen_start(&lg, &sc, 0);
	n = loadgen_due(&lg, 999 * 1000, due, 10, &phase);
	TEST_ASSERT_EQUAL(n, 10u, "max");
	for (i = 0; i < n; i++)
		TEST_ASSERT_EQUAL(due[i], i % 2, "message %u from flow %u", i, due[i]);
	TEST_ASSERT_EQUAL(drain(&lg, 999 * 1000, NULL), 1990u, "the rest next");
	return TEST_SUCCESS;
}

static int
test_phase_change(void)
{
	uint64_t per_flow[SCENARIO_MAX_FLOWS] = { 0 };
	uint32_t n, i, phase;

	TEST_ASSERT_SUCCESS(parse(
		"{\"phases\": ["
		" {\"duration\": \"1s\", \"flows\": [{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64}]},"
		" {\"duration\": \"1s\", \"flows\": [{\"service\": 2, \"rate\": \"2kpps\", \"size\": 64},"
		"                                  {\"service\": 3, \"rate\": \"1kpps\", \"size\": 64}]}]}"),
		"two phases");
	loadgen_start(&lg, &sc, 0);
	n = loadgen_due(&lg, 0, due, DUE_MAX, &phase);
	TEST_ASSERT(n == 1 && phase == 0 && due[0] == 0, "first of phase 0");
	/* 999 more were due in phase 0 by its end: dropped, not sent late. */
	n = loadgen_due(&lg, 1500 * MS, due, DUE_MAX, &phase);
	TEST_ASSERT_EQUAL(phase, 1u, "phase 1");
	for (i = 0; i < n; i++)
		per_flow[due[i]]++;
	TEST_ASSERT(per_flow[0] == 1001 && per_flow[1] == 501 && n == 1502,
		"phase 1's first 0.5 s only: %" PRIu64 " + %" PRIu64 " of %u", per_flow[0],
		per_flow[1], n);
	TEST_ASSERT(!loadgen_done(&lg, 2 * SEC - 1), "not done in phase 1");
	TEST_ASSERT(loadgen_done(&lg, 2 * SEC), "done at the end");
	TEST_ASSERT_EQUAL(loadgen_due(&lg, 2 * SEC, due, DUE_MAX, &phase), 0u,
		"nothing after the end");
	TEST_ASSERT_EQUAL(phase, 2u, "phase = nb_phases after the end");
	return TEST_SUCCESS;
}

static int
test_scale(void)
{
	TEST_ASSERT_SUCCESS(parse(
		"{\"phases\": ["
		" {\"duration\": \"1s\", \"flows\": [{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64}]},"
		" {\"duration\": \"2s\", \"flows\": [{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64}]},"
		" {\"duration\": \"3s\", \"flows\": [{\"service\": 1, \"rate\": \"1kpps\", \"size\": 64}]}]}"),
		"three phases");
	scenario_scale(&sc, 12 * SEC);
	TEST_ASSERT(sc.phases[0].duration_ns == 2 * SEC &&
		sc.phases[1].duration_ns == 4 * SEC &&
		sc.phases[2].duration_ns == 6 * SEC, "1:2:3 stretched to 12 s");
	scenario_scale(&sc, 1000);
	TEST_ASSERT(sc.phases[0].duration_ns == 166 && sc.phases[1].duration_ns == 334 &&
		sc.phases[2].duration_ns == 500, "1:2:3 in 1000 ns: %" PRIu64 " %" PRIu64 " %" PRIu64,
		sc.phases[0].duration_ns, sc.phases[1].duration_ns,
		sc.phases[2].duration_ns);
	TEST_ASSERT_EQUAL(scenario_duration_ns(&sc), 1000u, "exact total");
	scenario_scale(&sc, 2);
	TEST_ASSERT(sc.phases[0].duration_ns >= 1 && sc.phases[1].duration_ns >= 1 &&
		sc.phases[2].duration_ns >= 1, "no phase vanishes");
	return TEST_SUCCESS;
}

static struct unit_test_suite app_scenario_suite = {
	.suite_name = "app scenario",
	.setup = NULL,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE(test_parse_full),
		TEST_CASE(test_parse_defaults),
		TEST_CASE(test_rate_conversions),
		TEST_CASE(test_bad_inputs),
		TEST_CASE(test_load_errors),
		TEST_CASE_ST(classifier_setup, classifier_teardown,
			test_shipped_scenarios),
		TEST_CASE(test_constant_exact),
		TEST_CASE(test_poisson),
		TEST_CASE(test_poisson_first_gap),
		TEST_CASE(test_burst),
		TEST_CASE(test_max_honoured),
		TEST_CASE(test_phase_change),
		TEST_CASE(test_scale),
		TEST_CASES_END(),
	},
};

static int
test_app_scenario(void)
{
	return unit_test_suite_runner(&app_scenario_suite);
}

REGISTER_TEST_COMMAND(app_scenario_autotest, test_app_scenario);
