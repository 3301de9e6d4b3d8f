/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario files (doc/scenario.md): a jansson document walked against a
 * table of keys per object (common/json_walk.h), carrying the JSON path of
 * the value at hand so that every refusal names it
 * ("phases[1].flows[0].rate: ...").
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_cycles.h>

#include <json_walk.h>
#include <qosdt.h>
#include <qosdt_msg.h>

#include "app_log.h"
#include "scenario.h"

/** Longest timeout: a minute. */
#define TIMEOUT_MAX_NS (UINT64_C(60) * NS_PER_S)
/** Longest phase: a day (16 of them still fit in 64 bits of ns). */
#define PHASE_MAX_NS (UINT64_C(86400) * NS_PER_S)
/** Fastest flow: 100 million messages per second. */
#define RATE_MAX_PPS 100e6
/** Messages per burst. */
#define BURST_MAX 4096
#define BURST_DEFAULT 32
#define TIMEOUT_DEFAULT_NS (100 * UINT64_C(1000000))
#define SEED_DEFAULT 1
/** Name of a scenario given as text, without a file, and no "name". */
#define NAME_DEFAULT "unnamed"

/** Bytes of the JSON path in a refusal: longer paths are clipped. */
#define PATH_SIZE 128

/* A flow while it is read: its rate as given, converted once size is known. */
struct flow_in {
	struct flow f;
	uint64_t pps;      /* rate given as messages per second, or 0 */
	uint64_t bps;      /* rate given as bits per second, or 0 */
	bool burst_given;
};

/* ------------------------------------------------------------------ */
/* Values.                                                             */

static int
duration_value(struct qosdt_json_walk *w, json_t *v, uint64_t max,
		uint64_t *ns)
{
	const char *s = json_string_value(v);

	if (s == NULL || qosdt_duration_parse(s, ns) < 0)
		return qosdt_json_fail(w, "must be a duration such as \"500us\", \"100ms\" or \"1.5s\"");
	if (*ns == 0 || *ns > max)
		return qosdt_json_fail(w, "must be > 0 and at most %" PRIu64 " s",
			max / (uint64_t)NS_PER_S);
	return 0;
}

static int
name_value(struct qosdt_json_walk *w, json_t *v, char *name, size_t size)
{
	const char *s = json_string_value(v);

	if (s == NULL || *s == '\0' || strlen(s) >= size)
		return qosdt_json_fail(w, "must be a string of 1..%zu characters",
			size - 1);
	memcpy(name, s, strlen(s) + 1);
	return 0;
}

/* "500pps", "10kpps", "1.5Mpps": a whole number of messages per second. */
static int
pps_parse(const char *s, uint64_t *pps)
{
	static const char suffix[] = "pps";
	size_t len = strlen(s), num_len;
	char num[32];

	if (len <= strlen(suffix) || strcmp(s + len - strlen(suffix), suffix) != 0)
		return -1;
	num_len = len - strlen(suffix);
	if (num_len >= sizeof(num) ||
			strchr("0123456789kKMGT", s[num_len - 1]) == NULL)
		return -1;
	memcpy(num, s, num_len);
	num[num_len] = '\0';
	return qosdt_rate_parse(num, 0, pps);
}

/* ------------------------------------------------------------------ */
/* Arrays.                                                             */

/* Check an array's length; the caller walks its elements. */
static int
array_check(struct qosdt_json_walk *w, json_t *v, size_t max,
		const char *what)
{
	if (!json_is_array(v))
		return qosdt_json_fail(w, "must be an array of %s", what);
	if (json_array_size(v) == 0 || json_array_size(v) > max)
		return qosdt_json_fail(w, "must hold 1..%zu %s (has %zu)", max,
			what, json_array_size(v));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Flows.                                                              */

static int
parse_service(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct flow_in *in = base;
	uint64_t x;

	if (qosdt_json_uint(w, v, 0, UINT16_MAX, NULL, &x) < 0)
		return -1;
	in->f.service_id = (uint16_t)x;
	return 0;
}

static int
parse_size(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct flow_in *in = base;
	uint64_t x;

	if (qosdt_json_uint(w, v, 0, SCENARIO_MAX_SIZE, NULL, &x) < 0)
		return -1;
	in->f.size = (uint32_t)x;
	return 0;
}

static int
parse_rate(struct qosdt_json_walk *w, json_t *v, void *base)
{
	const uint64_t *channel_bps = w->ctx;
	const char *s = json_string_value(v);
	struct flow_in *in = base;

	if (s == NULL)
		return qosdt_json_fail(w, "must be a string such as \"10kpps\", \"200M\" or \"5%%\"");
	in->pps = 0;
	in->bps = 0;
	if (strchr(s, '%') != NULL && *channel_bps == 0)
		return qosdt_json_fail(w, "a percentage needs the channel rate: \"%s\"", s);
	if (pps_parse(s, &in->pps) < 0 &&
			qosdt_rate_parse(s, *channel_bps, &in->bps) < 0)
		return qosdt_json_fail(w, "not a rate: \"%s\" (e.g. \"500pps\", \"10kpps\", \"200M\", \"1G\", \"5%%\")", s);
	if (in->pps == 0 && in->bps == 0)
		return qosdt_json_fail(w, "must be > 0");
	return 0;
}

static int
parse_pattern(struct qosdt_json_walk *w, json_t *v, void *base)
{
	static const char *const names[] = {
		[FLOW_CONSTANT] = "constant",
		[FLOW_POISSON] = "poisson",
		[FLOW_BURST] = "burst",
	};
	const char *s = json_string_value(v);
	struct flow_in *in = base;
	unsigned int i;

	for (i = 0; s != NULL && i < RTE_DIM(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			in->f.pattern = (enum flow_pattern)i;
			return 0;
		}
	}
	return qosdt_json_fail(w, "must be \"constant\", \"poisson\" or \"burst\"");
}

static int
parse_burst(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct flow_in *in = base;
	uint64_t x;

	if (qosdt_json_uint(w, v, 1, BURST_MAX, NULL, &x) < 0)
		return -1;
	in->f.burst = (uint32_t)x;
	in->burst_given = true;
	return 0;
}

static const struct qosdt_json_field flow_fields[] = {
	{ "service", parse_service, true },
	{ "rate", parse_rate, true },
	{ "size", parse_size, true },
	{ "pattern", parse_pattern, false },
	{ "burst", parse_burst, false },
	{ NULL, NULL, false },
};

/* The rules between keys, once the whole flow is read. */
static int
flow_finish(struct qosdt_json_walk *w, struct flow_in *in)
{
	double frame_bits = 8.0 * (QOSDT_FRAME_HDR_LEN + in->f.size);

	if (in->f.pattern != FLOW_BURST) {
		if (in->burst_given) {
			qosdt_json_walk_push(w, "burst");
			return qosdt_json_fail(w, "only allowed with \"pattern\": \"burst\"");
		}
		in->f.burst = 1;
	}
	in->f.rate_pps = in->pps != 0 ? (double)in->pps :
		(double)in->bps / frame_bits;
	if (in->f.rate_pps > RATE_MAX_PPS) {
		qosdt_json_walk_push(w, "rate");
		return qosdt_json_fail(w, "must be at most 100 Mpps (is %.0f pps at %u bytes)",
			in->f.rate_pps, in->f.size);
	}
	return 0;
}

static int
parse_flow(struct qosdt_json_walk *w, json_t *v, struct flow *f)
{
	struct flow_in in = {
		.f = { .pattern = FLOW_CONSTANT, .burst = BURST_DEFAULT },
	};

	if (qosdt_json_walk_object(w, v, flow_fields, &in) < 0 ||
			flow_finish(w, &in) < 0)
		return -1;
	*f = in.f;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Phases.                                                             */

static int
parse_phase_name(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct phase *p = base;

	return name_value(w, v, p->name, sizeof(p->name));
}

static int
parse_duration(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct phase *p = base;

	return duration_value(w, v, PHASE_MAX_NS, &p->duration_ns);
}

static int
parse_flows(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct phase *p = base;
	size_t i, mark;
	json_t *e;

	if (array_check(w, v, SCENARIO_MAX_FLOWS, "flows") < 0)
		return -1;
	json_array_foreach(v, i, e) {
		mark = qosdt_json_walk_push_index(w, i);
		if (parse_flow(w, e, &p->flows[i]) < 0)
			return -1;
		qosdt_json_walk_pop(w, mark);
	}
	p->nb_flows = (uint32_t)json_array_size(v);
	return 0;
}

static const struct qosdt_json_field phase_fields[] = {
	{ "name", parse_phase_name, false },
	{ "duration", parse_duration, true },
	{ "flows", parse_flows, true },
	{ NULL, NULL, false },
};

static int
parse_phases(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct scenario *sc = base;
	struct phase *p;
	size_t i, mark;
	json_t *e;

	if (array_check(w, v, SCENARIO_MAX_PHASES, "phases") < 0)
		return -1;
	json_array_foreach(v, i, e) {
		mark = qosdt_json_walk_push_index(w, i);
		p = &sc->phases[i];
		snprintf(p->name, sizeof(p->name), "phase%zu", i);
		if (qosdt_json_walk_object(w, e, phase_fields, p) < 0)
			return -1;
		qosdt_json_walk_pop(w, mark);
	}
	sc->nb_phases = (uint32_t)json_array_size(v);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The scenario.                                                       */

static int
parse_name(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct scenario *sc = base;

	return name_value(w, v, sc->name, sizeof(sc->name));
}

static int
parse_description(struct qosdt_json_walk *w, json_t *v, void *base __rte_unused)
{
	if (!json_is_string(v))
		return qosdt_json_fail(w, "must be a string");
	return 0;
}

static int
parse_timeout(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct scenario *sc = base;

	return duration_value(w, v, TIMEOUT_MAX_NS, &sc->timeout_ns);
}

static int
parse_seed(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct scenario *sc = base;

	return qosdt_json_uint(w, v, 0, INT64_MAX, NULL, &sc->seed);
}

static const struct qosdt_json_field scenario_fields[] = {
	{ "name", parse_name, false },
	{ "description", parse_description, false },
	{ "timeout", parse_timeout, false },
	{ "seed", parse_seed, false },
	{ "phases", parse_phases, true },
	{ NULL, NULL, false },
};

/* The defaults, then the document over them; @p sc only on success. */
static int
scenario_from_json(json_t *root, const char *source, const char *name,
		uint64_t channel_bps, struct scenario *sc, char *err,
		size_t errlen)
{
	struct qosdt_json_walk w;
	struct scenario tmp;

	qosdt_json_walk_init(&w, err, errlen);
	w.path_size = PATH_SIZE;
	w.ctx = &channel_bps;
	memset(&tmp, 0, sizeof(tmp));
	tmp.timeout_ns = TIMEOUT_DEFAULT_NS;
	tmp.seed = SEED_DEFAULT;
	snprintf(tmp.name, sizeof(tmp.name), "%s", name);
	if (!json_is_object(root)) {
		qosdt_json_walk_set(&w, "%s", source);
		return qosdt_json_fail(&w, "must be a JSON object");
	}
	if (qosdt_json_walk_object(&w, root, scenario_fields, &tmp) < 0)
		return -1;
	*sc = tmp;
	return 0;
}

int
scenario_parse(const char *text, uint64_t channel_bps, struct scenario *sc,
		char *err, size_t errlen)
{
	json_t *root;
	int rc;

	root = qosdt_json_load_text(text, err, errlen);
	if (root == NULL)
		return -1;
	rc = scenario_from_json(root, QOSDT_JSON_TEXT_SOURCE, NAME_DEFAULT,
		channel_bps, sc, err, errlen);
	json_decref(root);
	return rc;
}

/* The file's name without its directory and ".json". */
static void
name_of_file(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".json") == 0)
		len -= 5;
	snprintf(name, size, "%.*s", (int)len, base);
}

int
scenario_load(const char *path, uint64_t channel_bps, struct scenario *sc,
		char *err, size_t errlen)
{
	char name[sizeof(sc->name)];
	json_error_t e;
	json_t *root;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
	fclose(f);
	if (root == NULL)
		return qosdt_json_fail_load(&e, path, err, errlen);
	name_of_file(path, name, sizeof(name));
	rc = scenario_from_json(root, path, name, channel_bps, sc, err, errlen);
	json_decref(root);
	if (rc == 0)
		APP_LOG(DEBUG, "scenario %s loaded from %s: %u phases, %.3f s",
			sc->name, path, sc->nb_phases,
			(double)scenario_duration_ns(sc) / NS_PER_S);
	return rc;
}

uint64_t
scenario_duration_ns(const struct scenario *sc)
{
	uint64_t total = 0;
	uint32_t i;

	for (i = 0; i < sc->nb_phases; i++)
		total += sc->phases[i].duration_ns;
	return total;
}

void
scenario_scale(struct scenario *sc, uint64_t total_ns)
{
	uint64_t old_total = scenario_duration_ns(sc);
	uint64_t old_end = 0, end, new_end = 0, d;
	uint32_t i;

	if (old_total == 0 || total_ns == 0)
		return;
	/*
	 * Each phase ends where its old end falls on the new total, so the
	 * rounding does not add up; a phase that would vanish keeps 1 ns.
	 */
	for (i = 0; i < sc->nb_phases; i++) {
		old_end += sc->phases[i].duration_ns;
		end = (uint64_t)((unsigned __int128)old_end * total_ns /
			old_total);
		d = end > new_end ? end - new_end : 1;
		sc->phases[i].duration_ns = d;
		new_end += d;
	}
}

double
flow_bps(const struct flow *f)
{
	return f->rate_pps * 8.0 * (QOSDT_FRAME_HDR_LEN + f->size);
}

int
scenario_check_frames(const struct scenario *sc, uint32_t max_frame,
		char *err, size_t errlen)
{
	uint32_t p, f;

	for (p = 0; p < sc->nb_phases; p++) {
		for (f = 0; f < sc->phases[p].nb_flows; f++) {
			uint32_t size = sc->phases[p].flows[f].size;

			if (size + 40 <= max_frame)
				continue;
			snprintf(err, errlen,
				"phases[%u].flows[%u].size: %u + the 40-byte header is more than channel.max_frame (%u)",
				p, f, size, max_frame);
			return -1;
		}
	}
	return 0;
}
