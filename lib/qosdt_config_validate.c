/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Validation of a configuration: every rule of doc/config.md, section by
 * section, including the rte_sched traps of doc/dpdk-notes.md that
 * rte_sched itself does not check. It never changes the configuration:
 * the fields computed from others are qosdt_config_derive.c's, and the
 * class sizes are checked as it computes them from the shares.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_config.h>
#include <rte_red.h>
#include <rte_sched_common.h>

#include "qosdt_adaptive_model.h"
#include "qosdt_config.h"
#include "qosdt_config_priv.h"

/** Fewest buffers a class pool may have: one burst. */
#define MIN_CLASS_BUFFERS 32
/** Fewest queue slots a class may have. */
#define MIN_QUEUE_LIMIT 8
/** How far the shares may sum from 100%: 0.01%. */
#define SHARE_TOLERANCE_PPM 100
/** rte_sched keeps a WRR queue's cost lcm / weight in a uint8. */
#define WRR_COST_MAX UINT8_MAX

/* ------------------------------------------------------------------ */
/* Formatting values for messages.                                     */

/* "500us", "2ms" when exact, else the number of ns. */
static const char *
duration_str(uint64_t ns, char *buf, size_t len)
{
	if (ns != 0 && ns % 1000000 == 0)
		snprintf(buf, len, "%" PRIu64 "ms", ns / 1000000);
	else if (ns != 0 && ns % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 "us", ns / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	return buf;
}

/* "1G", "300M", "64k" when exact, else the number of bit/s. */
static const char *
rate_str(uint64_t bps, char *buf, size_t len)
{
	static const struct {
		uint64_t mult;
		char unit;
	} units[] = {
		{ UINT64_C(1000000000000), 'T' },
		{ UINT64_C(1000000000), 'G' },
		{ UINT64_C(1000000), 'M' },
		{ UINT64_C(1000), 'k' },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(units); i++) {
		if (bps != 0 && bps % units[i].mult == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", bps / units[i].mult,
				units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, bps);
	return buf;
}

/* "95%", "0.1%" */
static const char *
percent_str(uint64_t ppm, char *buf, size_t len)
{
	uint64_t frac = ppm % 10000;
	int digits = 4;

	if (frac == 0) {
		snprintf(buf, len, "%" PRIu64 "%%", ppm / 10000);
		return buf;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64 "%%", ppm / 10000, digits,
		frac);
	return buf;
}

/* "7" or "3-8" */
static const char *
ids_str(const struct qosdt_service_rule *r, char *buf, size_t len)
{
	if (r->first == r->last)
		snprintf(buf, len, "%u", r->first);
	else
		snprintf(buf, len, "%u-%u", r->first, r->last);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Table-driven field checks.                                          */

static unsigned int
names_count(const char * const *names)
{
	unsigned int n = 0;

	while (names[n] != NULL)
		n++;
	return n;
}

/* Whether a nullable field holds "none". */
static bool
field_is_none(const struct qosdt_cfg_field *f, const void *base, uint64_t v)
{
	if (f->flags & QOSDT_CFG_F_GIVEN)
		return !*(const bool *)((const char *)base + f->aux_off);
	return (f->flags & QOSDT_CFG_F_NULLABLE) && v == 0;
}

/* A field's stored value against its range (or its list of names). */
static int
check_field(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		const void *base)
{
	uint64_t v;

	switch (f->kind) {
	case QOSDT_CFG_BOOL:
	case QOSDT_CFG_OBJECT:
	case QOSDT_CFG_CUSTOM:
		return 0;
	default:
		break;
	}
	v = qosdt_cfg_load((const char *)base + f->off, f->width);
	if (f->kind == QOSDT_CFG_ENUM)
		return v < names_count(f->names) ? 0 : qosdt_cfg_fail_range(w, f);
	if (f->kind == QOSDT_CFG_CLASS)
		return v < QOSDT_NB_CLASSES ? 0 : qosdt_cfg_fail_range(w, f);
	if (field_is_none(f, base, v))
		return 0;
	if (v < f->min || v > f->max)
		return qosdt_cfg_fail_range(w, f);
	return 0;
}

/* Check the fields of one table; the walk's path names their object. */
static int
check_fields(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		const void *base)
{
	size_t mark;

	for (; f->key != NULL; f++) {
		mark = qosdt_json_walk_push(w, f->key);
		if (check_field(w, f, base) < 0)
			return -1;
		qosdt_json_walk_pop(w, mark);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* rte_sched traps.                                                    */

/*
 * rte_sched gives a traffic class rate x tc_period of credit per period
 * (bytes, rounded down as it does): below one frame the TC never sends.
 */
static int
check_tc_credits(struct qosdt_json_walk *w, const struct qosdt_config *cfg,
		const char *what, uint64_t rate_bps)
{
	uint64_t credits = rate_bps / 8 * cfg->tc_period_ms / 1000;
	uint64_t frame = (uint64_t)cfg->max_frame_len + cfg->frame_overhead;
	char rate[24];

	if (credits >= frame)
		return 0;
	return qosdt_json_fail(w, "%s %s x tc_period_ms %u = %" PRIu64 " bytes, less than max_frame + overhead (%" PRIu64 "): that rte_sched TC would never send",
		what, rate_str(rate_bps, rate, sizeof(rate)), cfg->tc_period_ms,
		credits, frame);
}

/* lcm(weights) / min(weights): the largest WRR cost rte_sched stores. */
static uint64_t
wrr_cost_max(const uint8_t wrr[4])
{
	uint64_t lcm = 1;
	uint8_t min = UINT8_MAX;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (wrr[i] == 0)
			return UINT64_MAX;
		lcm = lcm / rte_get_gcd64(lcm, wrr[i]) * wrr[i];
		min = RTE_MIN(min, wrr[i]);
	}
	return lcm / min;
}

bool
qosdt_wrr_weights_fit(const uint8_t wrr[4])
{
	return wrr_cost_max(wrr) <= WRR_COST_MAX;
}

bool
qosdt_config_class_strict(const struct qosdt_config *cfg, unsigned int cls)
{
	return cfg->mode == QOSDT_MODE_PRIORITY && cls < QOSDT_NB_CLASSES &&
		(cls == QOSDT_CLASS_REALTIME || cfg->classes[cls].strict);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

unsigned int
qosdt_config_class_tcs(const struct qosdt_config *cfg, unsigned int cls,
		uint64_t objective[QOSDT_MAX_STRICT_TCS])
{
	uint64_t own = cfg->classes[cls].slo.max_latency_ns;
	uint64_t v[QOSDT_MAX_RULES + 1];
	unsigned int n = 0, k = 0, i;

	/* Rule 0 is the default class's; a rule without max_latency takes
	 * the class's own. A class no rule names serves at its own. */
	for (i = 0; i < cfg->nb_rules; i++)
		if (cfg->rules[i].cls == cls)
			v[n++] = cfg->rules[i].max_latency_ns != 0 ?
				cfg->rules[i].max_latency_ns : own;
	if (n == 0)
		v[n++] = own;
	qsort(v, n, sizeof(v[0]), cmp_u64);
	for (i = 0; i < n; i++) {
		if (i > 0 && v[i] == v[i - 1])
			continue;
		if (k < QOSDT_MAX_STRICT_TCS)
			objective[k] = v[i];
		k++;
	}
	return k;
}

unsigned int
qosdt_config_wrr_weights(const struct qosdt_config *cfg,
		const uint8_t class_weight[QOSDT_NB_CLASSES], uint8_t wrr[4])
{
	unsigned int c, n = 0;

	switch (cfg->mode) {
	case QOSDT_MODE_PRIORITY:
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			if (!qosdt_config_class_strict(cfg, c))
				wrr[n++] = class_weight[c];
		for (c = n; n > 0 && c < 4; c++)
			wrr[c] = wrr[n - 1];
		return n;
	case QOSDT_MODE_WRR:
		memcpy(wrr, class_weight, 4);
		return 4;
	default:
		return 0;
	}
}

/* The WRR trap for these class weights in the config's mode. */
static int
check_wrr(struct qosdt_json_walk *w, const struct qosdt_config *cfg,
		const uint8_t class_weight[QOSDT_NB_CLASSES])
{
	uint8_t wrr[4];

	if (qosdt_config_wrr_weights(cfg, class_weight, wrr) == 0 ||
			qosdt_wrr_weights_fit(wrr))
		return 0;
	return qosdt_json_fail(w, "in %s mode rte_sched's WRR gets %u:%u:%u:%u and lcm/min = %" PRIu64 " > 255: its uint8 costs would wrap and distort the ratios",
		qosdt_mode_name(cfg->mode), wrr[0], wrr[1], wrr[2], wrr[3],
		wrr_cost_max(wrr));
}

/* ------------------------------------------------------------------ */
/* Sections.                                                           */

static int
check_section(struct qosdt_json_walk *w, const char *name,
		const struct qosdt_cfg_field *table, const void *base)
{
	qosdt_json_walk_set(w, "%s", name);
	return check_fields(w, table, base);
}

static int
check_channel(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	uint32_t room = cfg->buffer_data_room > RTE_PKTMBUF_HEADROOM ?
		cfg->buffer_data_room - RTE_PKTMBUF_HEADROOM : 0;

	if (cfg->max_frame_len > room) {
		qosdt_json_walk_set(w, "channel.max_frame");
		return qosdt_json_fail(w, "%u does not fit one mbuf: must be <= buffers.data_room - RTE_PKTMBUF_HEADROOM = %u",
			cfg->max_frame_len, room);
	}
	qosdt_json_walk_set(w, "channel.rate");
	return check_tc_credits(w, cfg, "the best-effort TC at", cfg->channel_rate_bps);
}

static int
check_buffers(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	if (cfg->shared_buffers < cfg->nb_buffers)
		return 0;
	qosdt_json_walk_set(w, "buffers.shared");
	return qosdt_json_fail(w, "%u must be below buffers.count (%u): the class pools need the rest",
		cfg->shared_buffers, cfg->nb_buffers);
}

static int
check_class_fields(struct qosdt_json_walk *w, const struct qosdt_class_config *c,
		const char *name)
{
	qosdt_json_walk_set(w, "classes.%s", name);
	if (check_fields(w, qosdt_cfg_class_fields, c) < 0)
		return -1;
	qosdt_json_walk_set(w, "classes.%s.rate", name);
	if (check_fields(w, qosdt_cfg_rate_fields, c) < 0)
		return -1;
	qosdt_json_walk_set(w, "classes.%s.slo", name);
	return check_fields(w, qosdt_cfg_slo_fields, &c->slo);
}

static int
check_share_sum(struct qosdt_json_walk *w, const struct qosdt_config *cfg,
		size_t share_off, const char *what)
{
	uint64_t sum = 0;
	unsigned int cls;
	char pct[24];

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		sum += qosdt_cfg_load((const char *)&cfg->classes[cls] + share_off, 4);
	if (sum + SHARE_TOLERANCE_PPM >= QOSDT_PPM &&
			sum <= QOSDT_PPM + SHARE_TOLERANCE_PPM)
		return 0;
	qosdt_json_walk_set(w, "classes");
	return qosdt_json_fail(w, "%s sums to %s over the four classes, must be 100%%",
		what, percent_str(sum, pct, sizeof(pct)));
}

static int
check_class_sizes(struct qosdt_json_walk *w, uint32_t nb_buffers,
		uint32_t queue_limit, const char *name)
{
	if (nb_buffers < MIN_CLASS_BUFFERS) {
		qosdt_json_walk_set(w, "classes.%s.buffer_share", name);
		return qosdt_json_fail(w, "gives %u buffers, fewer than one burst (%u)",
			nb_buffers, MIN_CLASS_BUFFERS);
	}
	if (queue_limit < MIN_QUEUE_LIMIT) {
		qosdt_json_walk_set(w, "classes.%s.queue_share", name);
		return qosdt_json_fail(w, "gives %u queue slots, fewer than %u",
			queue_limit, MIN_QUEUE_LIMIT);
	}
	return 0;
}

static int
check_red(struct qosdt_json_walk *w, const struct qosdt_class_config *c,
		uint32_t queue_limit, const char *name)
{
	const struct qosdt_red_config *red = &c->red;
	bool given = red->min_th || red->max_th || red->maxp_inv || red->wq_log2;
	uint32_t limit = RTE_MIN(queue_limit, (uint32_t)RTE_RED_MAX_TH_MAX);
	struct rte_red_config dpdk;

	qosdt_json_walk_set(w, "classes.%s.red", name);
	if (c->drop != QOSDT_DROP_RED)
		return given ? qosdt_json_fail(w, "only with drop \"red\"") : 0;
	if (!given)
		return qosdt_json_fail(w, "required with drop \"red\"");
	if (check_fields(w, qosdt_cfg_red_fields, &c->red) < 0)
		return -1;
	if (red->min_th >= red->max_th) {
		qosdt_json_walk_set(w, "classes.%s.red.min_th", name);
		return qosdt_json_fail(w, "%u must be below max_th (%u)",
			red->min_th, red->max_th);
	}
	if (red->max_th > limit) {
		qosdt_json_walk_set(w, "classes.%s.red.max_th", name);
		return qosdt_json_fail(w, "%u is above the class's queue_limit (%u): RED would never act",
			red->max_th, queue_limit);
	}
	if (rte_red_config_init(&dpdk, red->wq_log2, red->min_th, red->max_th,
			red->maxp_inv) != 0)
		return qosdt_json_fail(w, "refused by rte_red_config_init()");
	return 0;
}

/* The sojourn-time drop: only with drop "sojourn", a target within the
 * class's latency objective. */
static int
check_sojourn(struct qosdt_json_walk *w, const struct qosdt_class_config *c,
		const char *name)
{
	const struct qosdt_sojourn_config *sj = &c->sojourn;
	bool given = sj->target_ns != 0;
	char a[24], b[24];

	qosdt_json_walk_set(w, "classes.%s.sojourn", name);
	if (c->drop != QOSDT_DROP_SOJOURN) {
		if (!given)
			return 0;
		return qosdt_json_fail(w, c->drop == QOSDT_DROP_NONE ?
			"only with drop \"sojourn\": a lossless class (drop \"none\") keeps backpressure instead" :
			"only with drop \"sojourn\"");
	}
	if (sj->target_ns == 0)
		return qosdt_json_fail(w, "required with drop \"sojourn\": its target");
	if (check_fields(w, qosdt_cfg_sojourn_fields, sj) < 0)
		return -1;
	if (c->slo.max_latency_ns != 0 && sj->target_ns >= c->slo.max_latency_ns) {
		qosdt_json_walk_set(w, "classes.%s.sojourn.target", name);
		return qosdt_json_fail(w, "%s is not below the class's slo.max_latency (%s): the queue alone would use up the objective",
			duration_str(sj->target_ns, a, sizeof(a)),
			duration_str(c->slo.max_latency_ns, b, sizeof(b)));
	}
	return 0;
}

static int
check_borrow(struct qosdt_json_walk *w, const struct qosdt_config *cfg,
		const struct qosdt_class_config *c, const char *name)
{
	if (c->borrow_cap <= cfg->shared_buffers)
		return 0;
	qosdt_json_walk_set(w, "classes.%s.borrow_cap", name);
	return qosdt_json_fail(w, "%u is more than the shared pool (%u buffers)",
		c->borrow_cap, cfg->shared_buffers);
}

/* Traffic classes the strict classes need (one per distinct objective). */
static int
check_strict_tcs(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	uint64_t obj[QOSDT_MAX_STRICT_TCS];
	unsigned int cls, n = 0;

	if (!cfg->classes[QOSDT_CLASS_REALTIME].strict) {
		qosdt_json_walk_set(w, "classes.realtime.strict");
		return qosdt_json_fail(w, "realtime is always strict: priority mode serves it first");
	}
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		if (qosdt_config_class_strict(cfg, cls))
			n += qosdt_config_class_tcs(cfg, cls, obj);
	if (n <= QOSDT_MAX_STRICT_TCS)
		return 0;
	qosdt_json_walk_set(w, "classes");
	return qosdt_json_fail(w, "the strict classes need %u strict-priority traffic classes (one per distinct max_latency of their services), rte_sched has %u",
		n, QOSDT_MAX_STRICT_TCS);
}

/*
 * The caps: only a strict class may have one (rte_sched caps a strict TC,
 * not a WRR queue); within the channel; enough for one frame in each of
 * the class's TCs, which share it equally. A strict class other than
 * realtime must have one: uncapped, it could leave the WRR classes
 * nothing.
 */
static int
check_caps(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	uint64_t obj[QOSDT_MAX_STRICT_TCS];
	char a[24], b[24], what[48];
	unsigned int cls, n;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		const struct qosdt_class_config *c = &cfg->classes[cls];
		bool strict = cls == QOSDT_CLASS_REALTIME || c->strict;

		qosdt_json_walk_set(w, "classes.%s.rate.cap", qosdt_class_name(cls));
		if (!strict && c->rate_cap_bps != 0)
			return qosdt_json_fail(w, "only a strict class may be capped (realtime, or one with \"strict\": true): rte_sched caps a strict-priority TC, not a WRR queue");
		if (strict && cls != QOSDT_CLASS_REALTIME && c->rate_cap_bps == 0)
			return qosdt_json_fail(w, "required for a strict class: uncapped, its strict priority could leave the WRR classes nothing");
		if (c->rate_cap_bps > cfg->channel_rate_bps)
			return qosdt_json_fail(w, "%s is above channel.rate (%s)",
				rate_str(c->rate_cap_bps, a, sizeof(a)),
				rate_str(cfg->channel_rate_bps, b, sizeof(b)));
		if (!qosdt_config_class_strict(cfg, cls) || c->rate_cap_bps == 0)
			continue;
		n = qosdt_config_class_tcs(cfg, cls, obj);
		snprintf(what, sizeof(what), "each of its %u TCs at 1/%u of it,", n, n);
		if (check_tc_credits(w, cfg, n > 1 ? what : "its TC at",
				c->rate_cap_bps / n) < 0)
			return -1;
	}
	return 0;
}

/*
 * What a class's guarantee may be at most: its WRR share of the rate the
 * WRR queues get. In priority mode realtime is bounded by its cap and the
 * others share what the cap leaves; without a cap, nothing is left for sure.
 */
static uint64_t
guarantee_max(const struct qosdt_config *cfg, unsigned int cls)
{
	const struct qosdt_class_config *c = cfg->classes;
	uint64_t rate = cfg->channel_rate_bps;
	uint64_t wsum = 0, caps = 0;
	unsigned int i;

	switch (cfg->mode) {
	case QOSDT_MODE_PRIORITY:
		if (qosdt_config_class_strict(cfg, cls))
			return c[cls].rate_cap_bps != 0 ? c[cls].rate_cap_bps : rate;
		for (i = 0; i < QOSDT_NB_CLASSES; i++) {
			if (!qosdt_config_class_strict(cfg, i))
				wsum += c[i].weight;
			else if (c[i].rate_cap_bps == 0)
				return 0;
			else
				caps += c[i].rate_cap_bps;
		}
		return caps < rate ? (rate - caps) * c[cls].weight / wsum : 0;
	case QOSDT_MODE_WRR:
		for (i = 0; i < QOSDT_NB_CLASSES; i++)
			wsum += c[i].weight;
		return rate * c[cls].weight / wsum;
	default:
		return rate;
	}
}

static int
check_guarantees(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	uint64_t sum = 0, g, max;
	char a[24], b[24];
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		sum += cfg->classes[cls].rate_guarantee_bps;
	if (sum > cfg->channel_rate_bps) {
		qosdt_json_walk_set(w, "classes");
		return qosdt_json_fail(w, "rate.guarantee sums to %s, above channel.rate (%s)",
			rate_str(sum, a, sizeof(a)),
			rate_str(cfg->channel_rate_bps, b, sizeof(b)));
	}
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		g = cfg->classes[cls].rate_guarantee_bps;
		max = guarantee_max(cfg, cls);
		if (g <= max)
			continue;
		qosdt_json_walk_set(w, "classes.%s.rate.guarantee", qosdt_class_name(cls));
		if (qosdt_config_class_strict(cfg, cls))
			return qosdt_json_fail(w, "%s is above the class's rate.cap (%s)",
				rate_str(g, a, sizeof(a)), rate_str(max, b, sizeof(b)));
		if (max == 0)
			return qosdt_json_fail(w, "cannot be kept: the strict classes' caps (realtime has none, or they fill the channel) may leave the WRR classes nothing");
		return qosdt_json_fail(w, "%s is above the class's WRR share in %s mode (%s = weight / sum of weights x the rate they share)",
			rate_str(g, a, sizeof(a)), qosdt_mode_name(cfg->mode),
			rate_str(max, b, sizeof(b)));
	}
	return 0;
}

static int
check_min_bandwidth(struct qosdt_json_walk *w, const struct qosdt_config *cfg,
		const struct qosdt_class_config *c, const char *name)
{
	char a[24], b[24];

	if (c->slo.min_bandwidth_bps <= cfg->channel_rate_bps)
		return 0;
	qosdt_json_walk_set(w, "classes.%s.slo.min_bandwidth", name);
	return qosdt_json_fail(w, "%s is above channel.rate (%s)",
		rate_str(c->slo.min_bandwidth_bps, a, sizeof(a)),
		rate_str(cfg->channel_rate_bps, b, sizeof(b)));
}

static int
check_classes(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	uint32_t nb_buffers[QOSDT_NB_CLASSES], queue_limit[QOSDT_NB_CLASSES];
	uint8_t weights[QOSDT_NB_CLASSES];
	const struct qosdt_class_config *c;
	const char *name;
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		if (check_class_fields(w, &cfg->classes[cls],
				qosdt_class_name(cls)) < 0)
			return -1;
	if (check_share_sum(w, cfg, offsetof(struct qosdt_class_config,
			buffer_share_ppm), "buffer_share") < 0 ||
			check_share_sum(w, cfg, offsetof(struct qosdt_class_config,
			queue_share_ppm), "queue_share") < 0)
		return -1;
	qosdt_cfg_class_sizes(cfg, nb_buffers, queue_limit);
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		c = &cfg->classes[cls];
		name = qosdt_class_name(cls);
		weights[cls] = c->weight;
		if (check_class_sizes(w, nb_buffers[cls], queue_limit[cls],
				name) < 0 ||
				check_red(w, c, queue_limit[cls], name) < 0 ||
				check_sojourn(w, c, name) < 0 ||
				check_borrow(w, cfg, c, name) < 0 ||
				check_min_bandwidth(w, cfg, c, name) < 0)
			return -1;
	}
	if (check_strict_tcs(w, cfg) < 0 || check_caps(w, cfg) < 0 ||
			check_guarantees(w, cfg) < 0)
		return -1;
	qosdt_json_walk_set(w, "classes");
	return check_wrr(w, cfg, weights);
}

static int
check_services(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	const struct qosdt_service_rule *r, *o;
	char a[16], b[16];
	unsigned int i, j;

	qosdt_json_walk_set(w, "services.map");
	if (cfg->nb_rules < 1 || cfg->nb_rules > QOSDT_MAX_RULES)
		return qosdt_json_fail(w, "at most %u entries", QOSDT_MAX_RULES - 1);
	qosdt_json_walk_set(w, "services.default");
	if (cfg->rules[0].first != 0 ||
			cfg->rules[0].last != QOSDT_MAX_SERVICE_ID)
		return qosdt_json_fail(w, "rule 0 must cover ids 0..%u",
			QOSDT_MAX_SERVICE_ID);
	if (cfg->rules[0].cls >= QOSDT_NB_CLASSES)
		return qosdt_json_fail(w, "must be a class");
	for (i = 1; i < cfg->nb_rules; i++) {
		r = &cfg->rules[i];
		qosdt_json_walk_set(w, "services.map[%u]", i - 1);
		if (check_fields(w, qosdt_cfg_rule_fields, &cfg->rules[i]) < 0)
			return -1;
		qosdt_json_walk_set(w, "services.map[%u].ids", i - 1);
		if (r->first > r->last)
			return qosdt_json_fail(w, "%u-%u: the first id must not be above the last",
				r->first, r->last);
		for (j = 1; j < i; j++) {
			o = &cfg->rules[j];
			if (o->first <= r->last && r->first <= o->last)
				return qosdt_json_fail(w, "%s overlaps services.map[%u] (%s)",
					ids_str(r, a, sizeof(a)), j - 1,
					ids_str(o, b, sizeof(b)));
		}
	}
	return 0;
}

static int
check_weight_bounds(struct qosdt_json_walk *w, const struct qosdt_config *cfg,
		unsigned int cls)
{
	const struct qosdt_adaptive_bounds *b = &cfg->adaptive.bounds[cls];
	uint8_t weight = cfg->classes[cls].weight;

	if (b->weight_min >= 1 && b->weight_min <= weight &&
			weight <= b->weight_max)
		return 0;
	qosdt_json_walk_set(w, "adaptive.bounds.%s.weight", qosdt_class_name(cls));
	return qosdt_json_fail(w, "[%u, %u] must hold the class weight %u: 1 <= min <= weight <= max <= 255",
		b->weight_min, b->weight_max, weight);
}

static int
check_rate_cap_bounds(struct qosdt_json_walk *w, const struct qosdt_config *cfg,
		unsigned int cls)
{
	const struct qosdt_adaptive_bounds *b = &cfg->adaptive.bounds[cls];
	uint64_t cap = cfg->classes[cls].rate_cap_bps;
	char lo[24], hi[24], c[24], ch[24];

	qosdt_json_walk_set(w, "adaptive.bounds.%s.rate_cap", qosdt_class_name(cls));
	if (b->rate_cap_min_bps == 0 && b->rate_cap_max_bps == 0)
		return 0;
	/* Another class's bounds apply only while it is strict and capped. */
	if (cls != QOSDT_CLASS_REALTIME && (!cfg->classes[cls].strict || cap == 0))
		return 0;
	if (cap == 0)
		return qosdt_json_fail(w, "classes.%s has no rate.cap to bound",
			qosdt_class_name(cls));
	if (b->rate_cap_min_bps == 0 || b->rate_cap_min_bps > cap ||
			cap > b->rate_cap_max_bps ||
			b->rate_cap_max_bps > cfg->channel_rate_bps)
		return qosdt_json_fail(w, "[%s, %s] must hold the cap %s: 0 < min <= cap <= max <= channel.rate (%s)",
			rate_str(b->rate_cap_min_bps, lo, sizeof(lo)),
			rate_str(b->rate_cap_max_bps, hi, sizeof(hi)),
			rate_str(cap, c, sizeof(c)),
			rate_str(cfg->channel_rate_bps, ch, sizeof(ch)));
	if (cfg->mode == QOSDT_MODE_PRIORITY && qosdt_config_class_strict(cfg, cls))
		return check_tc_credits(w, cfg, "min, shared by the class's TCs,",
			b->rate_cap_min_bps / qosdt_config_class_tcs(cfg, cls,
				(uint64_t [QOSDT_MAX_STRICT_TCS]){0}));
	return 0;
}

/* The settings the controller can reach must fit rte_sched's profile
 * lists (append-only): it moves each knob on a grid within its bounds.
 */
static int
check_adaptive_profiles(struct qosdt_json_walk *w,
		const struct qosdt_config *cfg)
{
	const struct qosdt_adaptive_config *a = &cfg->adaptive;
	uint64_t settings = 1, caps = 1, step;
	unsigned int c;

	if (!a->enabled || cfg->mode == QOSDT_MODE_FIFO)
		return 0;
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		if (cfg->mode == QOSDT_MODE_WRR || !qosdt_config_class_strict(cfg, c))
			settings *= qosdt_levels_count(cfg->classes[c].weight,
				a->weight_step, a->bounds[c].weight_min,
				a->bounds[c].weight_max);
	step = RTE_MAX((uint64_t)a->rate_step_ppm * cfg->channel_rate_bps /
		QOSDT_PPM, UINT64_C(1));
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		if (cfg->mode == QOSDT_MODE_PRIORITY &&
				qosdt_config_class_strict(cfg, c) &&
				cfg->classes[c].rate_cap_bps != 0 &&
				a->bounds[c].rate_cap_max_bps != 0)
			caps *= qosdt_levels_count(cfg->classes[c].rate_cap_bps,
				step, a->bounds[c].rate_cap_min_bps,
				a->bounds[c].rate_cap_max_bps);
	qosdt_json_walk_set(w, "adaptive.bounds");
	if (settings > QOSDT_SCHED_MAX_PROFILES)
		return qosdt_json_fail(w, "the controller could reach %" PRIu64 " weight settings in %s mode, more than rte_sched's %u pipe profiles: narrow the weight bounds or raise adaptive.weight_step",
			settings, qosdt_mode_name(cfg->mode),
			QOSDT_SCHED_MAX_PROFILES);
	if (caps > QOSDT_SCHED_MAX_PROFILES)
		return qosdt_json_fail(w, "the controller could reach %" PRIu64 " settings of the strict classes' caps, more than rte_sched's %u subport profiles: narrow the rate_cap bounds or raise adaptive.rate_step",
			caps, QOSDT_SCHED_MAX_PROFILES);
	return 0;
}

static int
check_adaptive(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	uint8_t weights[QOSDT_NB_CLASSES];
	unsigned int cls;

	if (check_section(w, "adaptive", qosdt_cfg_adaptive_fields,
			&cfg->adaptive) < 0)
		return -1;
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		if (check_weight_bounds(w, cfg, cls) < 0 ||
				check_rate_cap_bounds(w, cfg, cls) < 0)
			return -1;
		weights[cls] = cfg->adaptive.bounds[cls].weight_max;
	}
	/* The controller may raise every weight to its max. */
	qosdt_json_walk_set(w, "adaptive.bounds");
	if (check_wrr(w, cfg, weights) < 0)
		return -1;
	return check_adaptive_profiles(w, cfg);
}

/* ------------------------------------------------------------------ */
/* Tenants.                                                            */

/*
 * 1..QOSDT_TENANT_NAMELEN - 1 characters of [A-Za-z0-9_], NUL-ended: the
 * characters DPDK 22.11's telemetry takes in a dictionary key, which
 * /qosdt/stats uses a tenant's name as (doc/dpdk-notes.md).
 */
static bool
tenant_name_ok(const char *name)
{
	size_t len = strnlen(name, QOSDT_TENANT_NAMELEN), i;
	char c;

	if (len == 0 || len == QOSDT_TENANT_NAMELEN)
		return false;
	for (i = 0; i < len; i++) {
		c = name[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
				!(c >= '0' && c <= '9') && c != '_')
			return false;
	}
	return true;
}

static int
check_tenant_name(struct qosdt_json_walk *w, const struct qosdt_config *cfg,
		unsigned int i)
{
	const struct qosdt_tenant_config *t = cfg->tenants.t;
	unsigned int j;

	qosdt_json_walk_set(w, "tenants.list[%u].name", i);
	if (!tenant_name_ok(t[i].name))
		return qosdt_json_fail(w, "must be 1..%u characters of [A-Za-z0-9_]",
			QOSDT_TENANT_NAMELEN - 1);
	for (j = 0; j < i; j++)
		if (strcmp(t[i].name, t[j].name) == 0)
			return qosdt_json_fail(w, "\"%s\" is tenants.list[%u]'s name too: names must be unique",
				t[i].name, j);
	return 0;
}

/* A tenant's cap: within the capacity, and its pipe must send. */
static int
check_tenant_rate(struct qosdt_json_walk *w, const struct qosdt_config *cfg,
		unsigned int i)
{
	uint64_t rate = cfg->tenants.t[i].rate_bps;
	uint64_t capacity = qosdt_config_capacity(cfg);
	char a[24], b[24];

	if (rate == 0)
		return 0;
	qosdt_json_walk_set(w, "tenants.list[%u].rate", i);
	if (rate > capacity)
		return qosdt_json_fail(w, "%s is above the capacity (%s)",
			rate_str(rate, a, sizeof(a)),
			rate_str(capacity, b, sizeof(b)));
	return check_tc_credits(w, cfg, "its pipe at", rate);
}

/*
 * The capacity: its subport must send, and so must the pipe of the tenant
 * with the smallest weighted share of it. Named tenants.capacity when the
 * file set it, else the weight that makes the share small.
 */
static int
check_capacity(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	const struct qosdt_tenants_config *t = &cfg->tenants;
	unsigned int i, min = 0;
	char what[96];

	qosdt_json_walk_set(w, "tenants.capacity");
	if (check_tc_credits(w, cfg, "the subport at", qosdt_config_capacity(cfg)) < 0)
		return -1;
	for (i = 1; i < t->nb; i++)
		if (t->t[i].weight < t->t[min].weight)
			min = i;
	if (t->capacity_bps == 0)
		qosdt_json_walk_set(w, "tenants.list[%u].weight", min);
	snprintf(what, sizeof(what), "tenants.list[%u]'s weighted share (weight %u) at",
		min, t->t[min].weight);
	return check_tc_credits(w, cfg, what,
		qosdt_config_tenant_share_bps(cfg, min));
}

/*
 * The smallest tenant's class pools and queue slots (its weight's part of
 * the buffers and slots, shared out by the class shares) follow the rule
 * of check_class_sizes(). Raising its weight helps unless it is already
 * the largest; else the totals must grow.
 */
static int
check_tenant_sizes(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	uint32_t nb_buffers[QOSDT_NB_CLASSES], queue_limit[QOSDT_NB_CLASSES];
	const struct qosdt_tenants_config *t = &cfg->tenants;
	unsigned int i, min = 0, cls;
	uint8_t max_weight = 0;

	for (i = 0; i < t->nb; i++) {
		if (t->t[i].weight < t->t[min].weight)
			min = i;
		max_weight = RTE_MAX(max_weight, t->t[i].weight);
	}
	qosdt_cfg_tenant_class_sizes(cfg, min, nb_buffers, queue_limit);
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		if (nb_buffers[cls] < MIN_CLASS_BUFFERS) {
			if (t->t[min].weight < max_weight)
				qosdt_json_walk_set(w, "tenants.list[%u].weight", min);
			else
				qosdt_json_walk_set(w, "buffers.count");
			return qosdt_json_fail(w, "gives tenant \"%s\" %u buffers, %u of them in its %s pool, fewer than one burst (%u)",
				t->t[min].name,
				qosdt_config_tenant_buffers(cfg, min),
				nb_buffers[cls], qosdt_class_name(cls),
				MIN_CLASS_BUFFERS);
		}
		if (queue_limit[cls] < MIN_QUEUE_LIMIT) {
			if (t->t[min].weight < max_weight)
				qosdt_json_walk_set(w, "tenants.list[%u].weight", min);
			else
				qosdt_json_walk_set(w, "scheduler.queue_slots");
			return qosdt_json_fail(w, "gives tenant \"%s\" %u queue slots, %u of them for its %s class, fewer than %u",
				t->t[min].name,
				qosdt_config_tenant_queue_slots(cfg, min),
				queue_limit[cls], qosdt_class_name(cls),
				MIN_QUEUE_LIMIT);
		}
	}
	return 0;
}

static int
check_tenants(struct qosdt_json_walk *w, const struct qosdt_config *cfg)
{
	const struct qosdt_tenants_config *t = &cfg->tenants;
	unsigned int i;

	if (check_section(w, "tenants", qosdt_cfg_tenants_fields, t) < 0)
		return -1;
	for (i = 0; i < t->nb; i++) {
		qosdt_json_walk_set(w, "tenants.list[%u]", i);
		if (check_fields(w, qosdt_cfg_tenant_fields, &t->t[i]) < 0 ||
				check_tenant_name(w, cfg, i) < 0 ||
				check_tenant_rate(w, cfg, i) < 0)
			return -1;
	}
	if (check_capacity(w, cfg) < 0)
		return -1;
	if (t->nb == 1)
		return 0;
	if (cfg->adaptive.enabled) {
		qosdt_json_walk_set(w, "adaptive.enabled");
		return qosdt_json_fail(w, "not with more than one tenant (doc/tenants.md: each client VM runs its own controller)");
	}
	return check_tenant_sizes(w, cfg);
}

int
qosdt_config_check_profile(const struct qosdt_config *cfg, char *err,
		size_t errlen)
{
	uint8_t weights[QOSDT_NB_CLASSES];
	struct qosdt_json_walk w;
	unsigned int cls;

	qosdt_json_walk_init(&w, err, errlen);
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		weights[cls] = cfg->classes[cls].weight;
		if (weights[cls] != 0)
			continue;
		qosdt_json_walk_set(&w, "classes.%s.weight", qosdt_class_name(cls));
		return qosdt_json_fail(&w, "0 is not a weight: 1..255");
	}
	if (check_caps(&w, cfg) < 0 || check_guarantees(&w, cfg) < 0)
		return -1;
	qosdt_json_walk_set(&w, "classes");
	if (check_wrr(&w, cfg, weights) < 0)
		return -1;
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		if (check_weight_bounds(&w, cfg, cls) < 0 ||
				check_rate_cap_bounds(&w, cfg, cls) < 0)
			return -1;
	return 0;
}

int
qosdt_config_validate(const struct qosdt_config *cfg, char *err,
		size_t errlen)
{
	struct qosdt_json_walk w;

	qosdt_json_walk_init(&w, err, errlen);
	if (check_section(&w, "channel", qosdt_cfg_channel_fields, cfg) < 0 ||
			check_section(&w, "scheduler", qosdt_cfg_scheduler_fields, cfg) < 0 ||
			check_section(&w, "buffers", qosdt_cfg_buffers_fields, cfg) < 0 ||
			check_channel(&w, cfg) < 0 ||
			check_buffers(&w, cfg) < 0 ||
			check_classes(&w, cfg) < 0 ||
			check_services(&w, cfg) < 0 ||
			check_section(&w, "monitor", qosdt_cfg_monitor_fields, cfg) < 0 ||
			check_adaptive(&w, cfg) < 0 ||
			check_tenants(&w, cfg) < 0)
		return -1;
	return 0;
}
