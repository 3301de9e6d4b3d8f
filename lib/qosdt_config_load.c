/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Loading a configuration, the order of the jobs: the defaults (the
 * original QoS extension, doc/original.md), a JSON document read over them
 * (qosdt_config_parse.c), its percentages resolved and the derived fields
 * computed (qosdt_config_derive.c), then every rule checked
 * (qosdt_config_validate.c). Nothing is kept unless all of it passes.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_debug.h>

#include "qosdt_config.h"
#include "qosdt_config_priv.h"
#include "qosdt_log.h"

/** ppm in one percent. */
#define PPM_PER_PERCENT 10000u
/** A value given as an absolute number, not as a percentage. */
#define PCT_ABSOLUTE QOSDT_CFG_PCT_ABSOLUTE

/* ------------------------------------------------------------------ */
/* Defaults: the original QoS extension (doc/original.md).       */

#define PCT(x) ((uint32_t)(x) * PPM_PER_PERCENT)
#define MBPS(x) (UINT64_C(x) * 1000 * 1000)
#define US(x) (UINT64_C(x) * 1000)

static const struct qosdt_config default_config = {
	.channel_rate_bps = MBPS(1000),
	.max_frame_len = 2048,
	.frame_overhead = 0,
	.mode = QOSDT_MODE_PRIORITY,
	.queue_slots = 1024,
	.tc_period_ms = 10,
	.bucket_ns = US(1000),
	.nb_buffers = 8192,
	.buffer_data_room = 2176,
	.classes = {
		[QOSDT_CLASS_REALTIME] = {
			.buffer_share_ppm = PCT(20), .queue_share_ppm = PCT(25),
			.weight = 4, .strict = true, .drop = QOSDT_DROP_TAIL,
			.slo = { .max_latency_ns = US(200) },
		},
		[QOSDT_CLASS_THROUGHPUT] = {
			.buffer_share_ppm = PCT(50), .queue_share_ppm = PCT(40),
			.weight = 2, .rate_guarantee_bps = MBPS(100),
			.drop = QOSDT_DROP_SOJOURN,
			.sojourn = { .target_ns = US(300) },
			.slo = { .max_latency_ns = US(1000),
				 .min_bandwidth_bps = MBPS(100) },
		},
		[QOSDT_CLASS_RELIABLE] = {
			.buffer_share_ppm = PCT(20), .queue_share_ppm = PCT(25),
			.weight = 2, .strict = true, .drop = QOSDT_DROP_NONE,
			.slo = { .max_latency_ns = US(500),
				 .max_loss_ppm = PCT(1) / 10, .has_max_loss = true },
		},
		[QOSDT_CLASS_BEST_EFFORT] = {
			.buffer_share_ppm = PCT(10), .queue_share_ppm = PCT(10),
			.weight = 1, .drop = QOSDT_DROP_RED,
			.red = { .min_th = 32, .max_th = 96, .maxp_inv = 10,
				 .wq_log2 = 9 },
			.slo = { .max_latency_ns = US(5000) },
		},
	},
	.nb_rules = 8,
	.rules = {
		{ 0, QOSDT_MAX_SERVICE_ID, QOSDT_CLASS_BEST_EFFORT, 0 },
		{ 1, 1, QOSDT_CLASS_REALTIME, US(100) },
		{ 2, 2, QOSDT_CLASS_REALTIME, US(200) },
		{ 3, 4, QOSDT_CLASS_RELIABLE, US(300) },
		{ 5, 6, QOSDT_CLASS_RELIABLE, US(400) },
		{ 7, 8, QOSDT_CLASS_RELIABLE, US(500) },
		{ 9, 11, QOSDT_CLASS_THROUGHPUT, 0 },
		{ 12, 15, QOSDT_CLASS_BEST_EFFORT, 0 },
	},
	.window_ms = 100,
	.adaptive = {
		.enabled = false,
		.period_ms = 100,
		.healthy_windows = 5,
		.weight_step = 1,
		.rate_step_ppm = PCT(5),
		.bounds = {
			[QOSDT_CLASS_REALTIME] = { .weight_min = 2, .weight_max = 16 },
			[QOSDT_CLASS_THROUGHPUT] = { .weight_min = 1, .weight_max = 8 },
			[QOSDT_CLASS_RELIABLE] = { .weight_min = 1, .weight_max = 8 },
			[QOSDT_CLASS_BEST_EFFORT] = { .weight_min = 1, .weight_max = 4 },
		},
	},
	/* One tenant, the single-client instance; names: default_copy(). */
	.tenants = {
		.nb = 1,
		.capacity_bps = 0,
		.t = { [0 ... QOSDT_MAX_TENANTS - 1] = { .weight = 1, .rate_bps = 0 } },
	},
};

#define ABS4 { PCT_ABSOLUTE, PCT_ABSOLUTE, PCT_ABSOLUTE, PCT_ABSOLUTE }

/* The default values that are percentages, by class. */
static const struct qosdt_cfg_percents default_percents = {
	.shared = PCT(25),
	.guarantee = ABS4,
	.cap = { PCT(30), PCT_ABSOLUTE, PCT(40), PCT_ABSOLUTE },
	.borrow = { PCT(50), PCT(50), PCT(50), PCT(25) },
	.min_bandwidth = ABS4,
	.cap_min = { PCT(10), PCT_ABSOLUTE, PCT(20), PCT_ABSOLUTE },
	.cap_max = { PCT(60), PCT_ABSOLUTE, PCT(60), PCT_ABSOLUTE },
	.capacity = PCT_ABSOLUTE,
	.tenant_rate = { [0 ... QOSDT_MAX_TENANTS - 1] = PCT_ABSOLUTE },
};

/* The defaults as written (percentages unresolved), the tenants named
 * "tenant<i>". */
static void
default_copy(struct qosdt_config *cfg)
{
	unsigned int i;

	*cfg = default_config;
	for (i = 0; i < QOSDT_MAX_TENANTS; i++)
		snprintf(cfg->tenants.t[i].name, sizeof(cfg->tenants.t[i].name),
			"tenant%u", i);
}

void
qosdt_config_defaults(struct qosdt_config *cfg)
{
	default_copy(cfg);
	qosdt_cfg_resolve_percents(cfg, &default_percents);
	qosdt_config_derive(cfg);
	/* The defaults are valid (tested). */
	RTE_VERIFY(qosdt_config_validate(cfg, NULL, 0) == 0);
}

/* ------------------------------------------------------------------ */
/* Loading.                                                            */

/* The defaults, the document over them, its percentages, the derived
 * fields, every rule. */
static int
config_from_json(json_t *root, const char *source, struct qosdt_config *cfg,
		char *err, size_t errlen)
{
	struct qosdt_cfg_percents pct = default_percents;
	struct qosdt_config tmp;
	struct qosdt_json_walk w;

	default_copy(&tmp);
	qosdt_json_walk_init(&w, err, errlen);
	if (qosdt_cfg_parse_document(&w, root, source, &tmp, &pct) < 0)
		return -1;
	qosdt_cfg_resolve_percents(&tmp, &pct);
	qosdt_config_derive(&tmp);
	if (qosdt_config_validate(&tmp, err, errlen) < 0)
		return -1;
	*cfg = tmp;
	return 0;
}

int
qosdt_config_load(const char *path, struct qosdt_config *cfg,
		char *err, size_t errlen)
{
	json_error_t e;
	json_t *root;
	int rc;

	if (path == NULL)
		path = "(no file)";
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (root == NULL)
		return qosdt_json_fail_load(&e, path, err, errlen);
	rc = config_from_json(root, path, cfg, err, errlen);
	json_decref(root);
	if (rc == 0)
		QOSDT_LOG(DEBUG, "configuration loaded from %s", path);
	return rc;
}

int
qosdt_config_parse(const char *text, struct qosdt_config *cfg,
		char *err, size_t errlen)
{
	json_t *root;
	int rc;

	root = qosdt_json_load_text(text, err, errlen);
	if (root == NULL)
		return -1;
	rc = config_from_json(root, QOSDT_JSON_TEXT_SOURCE, cfg, err, errlen);
	json_decref(root);
	return rc;
}
