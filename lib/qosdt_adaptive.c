/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The adaptive controller (doc/adaptive.md has the law and why).
 *
 * The knobs, in the running mode (priority: each strict class's rate cap,
 * the WRR classes' weights, a sojourn class's AQM target; wrr: the four
 * weights; fifo: none), each sit on a level of a quantised grid around the
 * configured value. Per control step, in priority order (REALTIME first):
 * - a class that missed its SLO, and that the model says lacks rate (its
 *   TCs' caps, or its WRR share, do not cover its demand plus a headroom)
 *   or would miss its SLO as it is, is raised to the first setting the
 *   model says serves it: its own rate knob up, then lower classes' knobs
 *   of the same kind down (donors). A setting that gives any other class
 *   less must leave that class within its SLO in the model (the trade
 *   rule), and never leaves a higher class short. A miss the model does not
 *   explain changes nothing: it is counted.
 * - a sojourn class that lacks rate nobody can give it, and whose AQM
 *   target the model says is too long for its objective, gets a shorter
 *   target.
 * - if nothing was raised, a knob off its baseline whose class has been
 *   healthy for `hold` windows steps one level back, if the model says no
 *   class served now would then fall short.
 * - a step whose first window shows a class it took from missing (healthy
 *   before, and not a window in which an untouched class missed too: a
 *   host stall) is undone in the next control step, and not repeated while
 *   the load it was made under lasts.
 * Every change records the misses of the windows before and after it.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_seqlock.h>

#include "qosdt_adaptive.h"
#include "qosdt_adaptive_model.h"
#include "qosdt_config_priv.h"
#include "qosdt_log.h"
#include "qosdt_monitor.h"
#include "qosdt_sched.h"

/* A WRR class is served when its share covers its demand plus this, ppm. */
#define HEADROOM_PPM 100000u
/*
 * A capped strict-priority TC is served when its share of the cap covers
 * its demand plus this, ppm: rte_sched hands out TC credits per tc_period,
 * so a Poisson class near its cap runs out of credit within a period and
 * waits for the next one (ms), however little it lacks on average.
 */
#define CAP_HEADROOM_PPM 250000u
/*
 * A decay must leave this much more headroom than a raise asks for: the
 * hysteresis band that keeps a demand wandering around one level's edge
 * from flapping the knob.
 */
#define DECAY_EXTRA_PPM 100000u
/* A sojourn class's scheduler p99 while it is short of rate, in targets
 * (doc/qos_core.md: waits reach about twice the target at p99).
 */
#define AQM_P99_FACTOR 2u
/* The AQM target's levels: steps of a sixth of the configured target,
 * down to a third of it, never above it.
 */
#define AQM_STEP_DIV 6u
#define AQM_MIN_DIV 3u
/* A lossless class's queue this full (of its limit, in quarters) is near it. */
#define BACKLOG_NEAR_QUARTERS 3u
/* The longest hold backoff makes, in multiples of healthy_windows. */
#define HOLD_MAX_FACTOR 64u
/* A kept or blocked level lasts while the demand it was decided under
 * stays within this share of it, ppm (either way for a block).
 */
#define KEEP_DEMAND_PPM 900000u
/* Windows a class must have met its SLO in before a step for a miss of it
 * in the step's first window to undo the step.
 */
#define UNDO_HEALTHY_BEFORE 2u
/* Windows a raise is watched for, from its second, for one in which the
 * class it was for met its SLO (the window it is judged on).
 */
#define JUDGE_WINDOWS 3u
/* In a mask of classes a candidate breaks: a higher class would lose by
 * it (else: the classes would leave their SLO).
 */
#define BREAKS_PRIORITY 0x80u
/* Every class, as a bit mask. */
#define ALL_CLASSES ((1u << QOSDT_NB_CLASSES) - 1)
/* Knobs: a rate knob per class and an AQM target per class at most. */
#define KNOBS_MAX (2 * QOSDT_NB_CLASSES)
/* Most knob changes one control step can make. */
#define STEP_CHANGES_MAX KNOBS_MAX
/* Past windows' miss masks kept. */
#define HISTORY 8u

struct knob {
	struct qosdt_levels lv;
	uint8_t cls;
	uint8_t kind;             /* enum qosdt_adaptive_knob. */
	int32_t level;            /* Where it is; 0 is the baseline. */
	/* Decay. */
	uint32_t hold;            /* Healthy windows before its next decay. */
	uint64_t decayed_at;      /* Window of its last decay, 0: none pending. */
	int32_t decayed_from;     /* The level it decayed from. */
	uint8_t decay_losers;     /* Classes that decay took from (bits). */
	/* A decay that failed: not past keep_level again while class
	 * keep_for still offers KEEP_DEMAND_PPM of keep_demand or more.
	 */
	bool keep;
	int32_t keep_level;
	uint8_t keep_for;
	uint64_t keep_demand;
	/* A step undone: not to block_level (or beyond, in block_dir) again
	 * while class block_for's demand stays within KEEP_DEMAND_PPM of
	 * block_demand.
	 */
	bool block;
	int32_t block_level;
	int8_t block_dir;
	uint8_t block_for;
	uint64_t block_demand;
};

struct class_state {
	bool lossless;            /* drop "none". */
	int rate_knob;            /* Its cap or weight knob, -1: none. */
	int aqm_knob;             /* Its AQM target knob, -1: none. */
	/* The windows since the last control step. */
	bool missed;
	uint8_t reason;
	uint64_t measured;
	uint64_t objective;
	uint32_t missed_run;      /* Consecutive windows missed. */
	uint32_t healthy_run;     /* Consecutive windows healthy. */
};

/* The step last applied, judged on the window after it. */
struct trial {
	bool active;
	bool is_undo;
	uint64_t window;          /* The window count when it was applied. */
	uint64_t judge_at;        /* The window it is judged on. */
	uint8_t missed_then;      /* Classes that missed in the window it
				   * acted on. */
	int32_t before[KNOBS_MAX];
	uint8_t losers;           /* Classes it took from. */
	uint8_t gainers;          /* Classes it gave to. */
	uint8_t healthy;          /* Classes healthy for UNDO_HEALTHY_BEFORE
				   * windows when it was applied. */
	uint8_t for_cls;
	uint64_t for_demand;
	bool decay;
	uint64_t first_seq;       /* Its changes: first_seq .. + nb - 1. */
	unsigned int nb;
};

struct qosdt_adaptive {
	struct qosdt_config base;     /* The baseline. */
	struct qosdt_config trial_cfg;/* Scratch: the baseline, with a setting. */
	struct class_state cls[QOSDT_NB_CLASSES];
	unsigned int nb_knobs;
	struct knob knob[KNOBS_MAX];
	struct qosdt_adaptive_obs obs;  /* The last window. */
	bool fresh;                   /* A window since the last control. */
	uint64_t monitor_windows;     /* The monitor's count at the last poll. */
	uint64_t prev_held[QOSDT_NB_CLASSES];
	uint64_t prev_tc_bytes[QOSDT_NB_CLASSES][QOSDT_MAX_STRICT_TCS];
	uint64_t prev_rx_pkts[QOSDT_NB_CLASSES];
	uint64_t prev_rx_bytes[QOSDT_NB_CLASSES];
	uint64_t period_ns;
	uint64_t next_control_ns;
	uint8_t history[HISTORY];     /* Miss masks of the last windows. */
	struct trial trial;
	bool undo_due;
	/* Changes whose windows after are still being counted. */
	uint64_t track_first;
	unsigned int track_nb;
	struct qosdt_adaptive_counters cnt;
	struct qosdt_adaptive_change last_refused;
	unsigned int nb_timeline;
	unsigned int nb_recent;       /* The last changes, oldest first. */
	struct qosdt_adaptive_change recent[QOSDT_ADAPTIVE_RECENT];
	struct qosdt_adaptive_change timeline[QOSDT_ADAPTIVE_TIMELINE_MAX];
	rte_seqlock_t lock;
	struct qosdt_adaptive_status published;
};

/* A candidate setting: a level per knob. */
struct setting {
	int32_t level[KNOBS_MAX];
};

static const char *const knob_names[] = {
	[QOSDT_ADAPTIVE_WEIGHT] = "weight",
	[QOSDT_ADAPTIVE_RATE_CAP] = "rate_cap",
	[QOSDT_ADAPTIVE_AQM_TARGET] = "aqm_target",
};

static const char *const reason_names[] = {
	[QOSDT_ADAPTIVE_LATENCY] = "latency",
	[QOSDT_ADAPTIVE_BANDWIDTH] = "bandwidth",
	[QOSDT_ADAPTIVE_LOSS] = "loss",
	[QOSDT_ADAPTIVE_BACKLOG] = "backlog",
	[QOSDT_ADAPTIVE_DECAY] = "decay",
	[QOSDT_ADAPTIVE_UNDO] = "undo",
};

static const char *const outcome_names[] = {
	[QOSDT_ADAPTIVE_PENDING] = "pending",
	[QOSDT_ADAPTIVE_BETTER] = "better",
	[QOSDT_ADAPTIVE_SAME] = "same",
	[QOSDT_ADAPTIVE_WORSE] = "worse",
	[QOSDT_ADAPTIVE_UNDONE] = "undone",
	[QOSDT_ADAPTIVE_REFUSED] = "refused",
};

const char *
qosdt_adaptive_knob_name(unsigned int knob)
{
	return knob < RTE_DIM(knob_names) ? knob_names[knob] : "unknown";
}

const char *
qosdt_adaptive_reason_name(unsigned int reason)
{
	return reason < RTE_DIM(reason_names) ? reason_names[reason] : "unknown";
}

const char *
qosdt_adaptive_outcome_name(unsigned int outcome)
{
	return outcome < RTE_DIM(outcome_names) ? outcome_names[outcome] :
		"unknown";
}

/* ------------------------------------------------------------------ */
/* Creation.                                                           */

static int
knob_add(struct qosdt_adaptive *a, unsigned int c, uint8_t kind,
		uint64_t base, uint64_t step, uint64_t min, uint64_t max)
{
	struct knob *k = &a->knob[a->nb_knobs];

	if (step == 0 || min > base || base > max || min == max)
		return -1;
	memset(k, 0, sizeof(*k));
	qosdt_levels_init(&k->lv, base, step, min, max);
	k->cls = c;
	k->kind = kind;
	k->hold = a->base.adaptive.healthy_windows;
	return (int)a->nb_knobs++;
}

static void
class_init(struct qosdt_adaptive *a, unsigned int c)
{
	const struct qosdt_config *cfg = &a->base;
	const struct qosdt_adaptive_bounds *b = &cfg->adaptive.bounds[c];
	const struct qosdt_class_config *cc = &cfg->classes[c];
	struct class_state *k = &a->cls[c];
	uint64_t step, t;

	k->lossless = cc->drop == QOSDT_DROP_NONE;
	k->rate_knob = -1;
	k->aqm_knob = -1;
	if (cfg->mode == QOSDT_MODE_FIFO)
		return;
	if (qosdt_config_class_strict(cfg, c)) {
		/* Its weight means nothing to rte_sched: its cap is its knob. */
		if (cc->rate_cap_bps != 0 && b->rate_cap_max_bps != 0) {
			step = RTE_MAX((uint64_t)cfg->adaptive.rate_step_ppm *
				cfg->channel_rate_bps / QOSDT_PPM, UINT64_C(1));
			k->rate_knob = knob_add(a, c, QOSDT_ADAPTIVE_RATE_CAP,
				cc->rate_cap_bps, step, b->rate_cap_min_bps,
				b->rate_cap_max_bps);
		}
	} else {
		k->rate_knob = knob_add(a, c, QOSDT_ADAPTIVE_WEIGHT, cc->weight,
			cfg->adaptive.weight_step, b->weight_min,
			b->weight_max);
	}
	if (cc->drop == QOSDT_DROP_SOJOURN) {
		t = cc->sojourn.target_ns;
		k->aqm_knob = knob_add(a, c, QOSDT_ADAPTIVE_AQM_TARGET, t,
			t / AQM_STEP_DIV, RTE_MAX(t / AQM_MIN_DIV, UINT64_C(1000)),
			t);
	}
}

static void publish(struct qosdt_adaptive *a);

struct qosdt_adaptive *
qosdt_adaptive_create(const struct qosdt_config *cfg, int socket)
{
	struct qosdt_adaptive *a;
	unsigned int c;

	a = rte_zmalloc_socket("qosdt_adaptive", sizeof(*a),
		RTE_CACHE_LINE_SIZE, socket);
	if (a == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	a->base = *cfg;
	a->trial_cfg = *cfg;
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		class_init(a, c);
	a->period_ns = (uint64_t)cfg->adaptive.period_ms * 1000000;
	a->last_refused.hurt_cls = QOSDT_ADAPTIVE_NO_CLASS;
	rte_seqlock_init(&a->lock);
	publish(a);
	if (cfg->mode == QOSDT_MODE_FIFO)
		QOSDT_LOG(NOTICE, "adaptive: fifo mode has no knob to turn, the controller only watches");
	return a;
}

void
qosdt_adaptive_free(struct qosdt_adaptive *a)
{
	rte_free(a);
}

/* ------------------------------------------------------------------ */
/* The settings and what the model says of them.                      */

static void
setting_now(const struct qosdt_adaptive *a, struct setting *set)
{
	unsigned int i;

	for (i = 0; i < KNOBS_MAX; i++)
		set->level[i] = i < a->nb_knobs ? a->knob[i].level : 0;
}

static uint64_t
knob_value(const struct qosdt_adaptive *a, const struct setting *set,
		unsigned int i)
{
	return qosdt_levels_value(&a->knob[i].lv, set->level[i]);
}

/* The scheduler's values of a setting. */
static void
setting_values(const struct qosdt_adaptive *a, const struct setting *set,
		struct qosdt_sched_knobs *v)
{
	const struct knob *k;
	unsigned int i;

	qosdt_sched_knobs_of(&a->base, v);
	for (i = 0; i < a->nb_knobs; i++) {
		k = &a->knob[i];
		switch (k->kind) {
		case QOSDT_ADAPTIVE_WEIGHT:
			v->weight[k->cls] = (uint8_t)knob_value(a, set, i);
			break;
		case QOSDT_ADAPTIVE_RATE_CAP:
			v->rate_cap_bps[k->cls] = knob_value(a, set, i);
			break;
		default:
			v->sojourn_target_ns[k->cls] = knob_value(a, set, i);
			break;
		}
	}
}

/* The scheduler would take this setting (the WRR uint8 trap, the
 * guarantees, the caps' TC credit: the checks qosdt_sched_set_knobs()
 * makes; the AQM levels are valid by construction).
 */
static bool
setting_fits(struct qosdt_adaptive *a, const struct setting *set)
{
	struct qosdt_sched_knobs v;
	unsigned int c;

	setting_values(a, set, &v);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		a->trial_cfg.classes[c].weight = v.weight[c];
		a->trial_cfg.classes[c].rate_cap_bps = v.rate_cap_bps[c];
	}
	return qosdt_config_check_profile(&a->trial_cfg, NULL, 0) == 0;
}

static uint64_t
with_headroom(uint64_t bps, uint32_t ppm)
{
	if (bps == QOSDT_DEMAND_UNBOUNDED)
		return bps;
	return bps + (uint64_t)((unsigned __int128)bps * ppm / QOSDT_PPM);
}

static bool
backlog_near_limit(const struct qosdt_adaptive_class_obs *o)
{
	return o->limit > 0 && (uint64_t)o->backlog * 4 >=
		(uint64_t)o->limit * BACKLOG_NEAR_QUARTERS;
}

/* What a class would use if it could: unbounded for a lossless class
 * pushed back (what it offers is then only what it was let offer).
 */
static uint64_t
demand_of(const struct qosdt_adaptive *a, unsigned int c)
{
	const struct qosdt_adaptive_class_obs *o = &a->obs.cls[c];

	if (a->cls[c].lossless && (o->held > 0 || backlog_near_limit(o)))
		return QOSDT_DEMAND_UNBOUNDED;
	return o->offered_bps;
}

/* What each TC of strict class @p c offers; returns how many TCs. */
static unsigned int
tc_demand(const struct qosdt_adaptive *a, unsigned int c, uint64_t *d)
{
	const struct qosdt_adaptive_class_obs *o = &a->obs.cls[c];
	uint64_t obj[QOSDT_MAX_STRICT_TCS], total = demand_of(a, c);
	unsigned int n, k;

	n = RTE_MIN(qosdt_config_class_tcs(&a->base, c, obj),
		(unsigned int)QOSDT_MAX_STRICT_TCS);
	if (total != QOSDT_DEMAND_UNBOUNDED && o->nb_tc == n) {
		for (k = 0; k < n; k++)
			d[k] = o->tc_offered_bps[k];
		return n;
	}
	for (k = 0; k < n; k++)
		d[k] = total == QOSDT_DEMAND_UNBOUNDED ? total : total / n;
	return n;
}

/*
 * The model's view of a setting, per class: what it would get (a strict
 * class: its cap, or what the classes above leave; a WRR class: its
 * weighted max-min fair share of what the strict classes leave), what it
 * asks (its demand plus the headroom), whether that serves it, and
 * whether it keeps its SLO: a class served does; one short does if its
 * drop policy bounds its queueing delay within its latency objective
 * (predicted p99) and its loss and bandwidth objectives hold at the rate
 * it gets.
 */
struct outlook {
	uint64_t get[QOSDT_NB_CLASSES];
	uint64_t ask[QOSDT_NB_CLASSES];
	uint64_t p99_ns[QOSDT_NB_CLASSES];   /* UINT64_MAX: unbounded. */
	bool served[QOSDT_NB_CLASSES];
	bool slo_ok[QOSDT_NB_CLASSES];
};

/* The queueing p99 the model predicts for WRR class @p c short of rate,
 * getting @p get bit/s: its drop policy bounds its queue.
 */
static uint64_t
short_p99(const struct qosdt_adaptive *a, const struct qosdt_sched_knobs *v,
		unsigned int c, uint64_t get)
{
	const struct qosdt_class_config *cc = &a->base.classes[c];
	uint64_t frame = a->obs.cls[c].frame_bytes != 0 ?
		a->obs.cls[c].frame_bytes : a->base.max_frame_len;
	uint64_t bytes = (uint64_t)cc->queue_limit * frame, p99;

	if (cc->drop == QOSDT_DROP_NONE || get == 0)
		return UINT64_MAX;
	p99 = (uint64_t)((unsigned __int128)bytes * 8 * 1000000000 / get);
	if (cc->drop == QOSDT_DROP_SOJOURN)
		p99 = RTE_MIN(p99, AQM_P99_FACTOR * v->sojourn_target_ns[c]);
	return p99;
}

static bool
short_slo_ok(const struct qosdt_adaptive *a, unsigned int c, uint64_t get,
		uint64_t p99)
{
	const struct qosdt_slo *slo = &a->base.classes[c].slo;
	uint64_t d = demand_of(a, c), loss;

	if (d == QOSDT_DEMAND_UNBOUNDED || p99 == UINT64_MAX)
		return false;
	if (slo->max_latency_ns != 0 && p99 > slo->max_latency_ns)
		return false;
	if (slo->min_bandwidth_bps != 0 && get < RTE_MIN(slo->min_bandwidth_bps, d))
		return false;
	if (slo->has_max_loss && d > get) {
		loss = (uint64_t)((unsigned __int128)(d - get) * QOSDT_PPM / d);
		if (loss > slo->max_loss_ppm)
			return false;
	}
	return true;
}

static void
outlook_of(const struct qosdt_adaptive *a, const struct setting *set,
		uint32_t extra_ppm, struct outlook *out)
{
	uint64_t capacity = a->base.channel_rate_bps, use, tc_cap, td;
	uint64_t d[QOSDT_MAX_STRICT_TCS], share[QOSDT_NB_CLASSES];
	bool member[QOSDT_NB_CLASSES];
	struct qosdt_sched_knobs v;
	unsigned int c, k, n;

	setting_values(a, set, &v);
	memset(out, 0, sizeof(*out));
	/* The strict classes go first, in class order, each TC up to its
	 * share of the class's cap; the rest is shared by weight.
	 */
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		member[c] = !qosdt_config_class_strict(&a->base, c);
		if (member[c])
			continue;
		n = tc_demand(a, c, d);
		tc_cap = v.rate_cap_bps[c] != 0 ? v.rate_cap_bps[c] / n :
			a->base.channel_rate_bps;
		out->get[c] = RTE_MIN(v.rate_cap_bps[c] != 0 ?
			v.rate_cap_bps[c] : UINT64_MAX, capacity);
		out->ask[c] = with_headroom(demand_of(a, c),
			CAP_HEADROOM_PPM + extra_ppm);
		out->served[c] = true;
		use = 0;
		for (k = 0; k < n; k++) {
			td = with_headroom(d[k], CAP_HEADROOM_PPM + extra_ppm);
			if (td > tc_cap)
				out->served[c] = false;
			use += RTE_MIN(d[k] == QOSDT_DEMAND_UNBOUNDED ? tc_cap :
				d[k], tc_cap);
		}
		if (use > capacity)
			out->served[c] = false;
		capacity -= RTE_MIN(use, capacity);
		/* A strict TC short of credit waits for the next tc_period. */
		out->slo_ok[c] = out->served[c];
		out->p99_ns[c] = out->served[c] ? 0 : UINT64_MAX;
	}
	/* Each class asks for its demand plus the headroom: served means it
	 * would get all of that.
	 */
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		if (member[c])
			out->ask[c] = with_headroom(demand_of(a, c),
				HEADROOM_PPM + extra_ppm);
	qosdt_wrr_shares(capacity, out->ask, v.weight, member, share);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		if (!member[c])
			continue;
		out->get[c] = share[c];
		out->served[c] = out->ask[c] != QOSDT_DEMAND_UNBOUNDED &&
			out->get[c] >= out->ask[c];
		out->p99_ns[c] = out->served[c] ? 0 :
			short_p99(a, &v, c, out->get[c]);
		out->slo_ok[c] = out->served[c] ||
			short_slo_ok(a, c, out->get[c], out->p99_ns[c]);
	}
}

/* Classes, among @p among (bits), that @p after would leave short where
 * @p before serves them, or give less where they are short already.
 */
static uint8_t
harmed(const struct outlook *before, const struct outlook *after,
		uint8_t among)
{
	uint8_t mask = 0;
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		if (!(among & (1u << c)) || after->served[c])
			continue;
		if (before->served[c] || after->get[c] < before->get[c])
			mask |= 1u << c;
	}
	return mask;
}

/* Classes that get less in @p after than in @p before. */
static uint8_t
losers_of(const struct outlook *before, const struct outlook *after)
{
	uint8_t mask = 0;
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		if (after->get[c] < before->get[c])
			mask |= 1u << c;
	return mask;
}

/* The trade rule: classes other than @p c that get less in @p after and
 * would then miss their SLO, in the model.
 */
static uint8_t
trade_breaks(const struct outlook *before, const struct outlook *after,
		unsigned int c)
{
	uint8_t mask = losers_of(before, after) & ~(1u << c);
	unsigned int j;

	for (j = 0; j < QOSDT_NB_CLASSES; j++)
		if ((mask & (1u << j)) && after->slo_ok[j])
			mask &= ~(1u << j);
	return mask;
}

static uint8_t
higher_than(unsigned int c)
{
	return (uint8_t)((1u << c) - 1);
}

/* ------------------------------------------------------------------ */
/* Observing.                                                          */

/* Whether class @p c missed in @p o, and why. */
static bool
class_missed(struct qosdt_adaptive *a, unsigned int c,
		const struct qosdt_adaptive_class_obs *o)
{
	const struct qosdt_class_config *cc = &a->base.classes[c];
	struct class_state *k = &a->cls[c];

	if (o->slo_missed & QOSDT_SLO_MISSED_LATENCY) {
		k->reason = QOSDT_ADAPTIVE_LATENCY;
		k->measured = o->p99_ns;
		k->objective = cc->slo.max_latency_ns;
	} else if (o->slo_missed & QOSDT_SLO_MISSED_BANDWIDTH) {
		k->reason = QOSDT_ADAPTIVE_BANDWIDTH;
		k->measured = o->throughput_bps;
		k->objective = cc->slo.min_bandwidth_bps;
	} else if (o->slo_missed & QOSDT_SLO_MISSED_LOSS) {
		k->reason = QOSDT_ADAPTIVE_LOSS;
		k->measured = o->loss_ppm;
		k->objective = cc->slo.max_loss_ppm;
	} else if (k->lossless && backlog_near_limit(o)) {
		k->reason = QOSDT_ADAPTIVE_BACKLOG;
		k->measured = o->backlog;
		k->objective = o->limit;
	} else {
		return false;
	}
	return true;
}

/* Do not let knob @p i decay past @p level while class @p for_cls offers
 * what it offers now (KEEP_DEMAND_PPM of it).
 */
static void
keep_level(struct qosdt_adaptive *a, unsigned int i, int32_t level,
		unsigned int for_cls)
{
	struct knob *k = &a->knob[i];

	k->keep = true;
	k->keep_level = level;
	k->keep_for = for_cls;
	k->keep_demand = demand_of(a, for_cls);
}

/* A miss of class @p c soon (2 x hold windows) after a decay that took
 * from it: that decay went too far. The knob that decayed waits twice as
 * long next time, and does not go past the level it left while @p c's
 * demand stays.
 */
static void
backoff_decays(struct qosdt_adaptive *a, unsigned int c)
{
	uint32_t hold_max = a->base.adaptive.healthy_windows * HOLD_MAX_FACTOR;
	struct knob *d;
	unsigned int i;

	for (i = 0; i < a->nb_knobs; i++) {
		d = &a->knob[i];
		if (d->decayed_at == 0 || !(d->decay_losers & (1u << c)))
			continue;
		if (a->cnt.windows - d->decayed_at <= 2 * (uint64_t)d->hold) {
			d->hold = RTE_MIN(d->hold * 2, hold_max);
			keep_level(a, i, d->decayed_from, c);
			a->cnt.backoffs++;
		}
		d->decayed_at = 0;
	}
}

static bool
demand_within(uint64_t now, uint64_t then)
{
	uint64_t lo = (uint64_t)((unsigned __int128)then * KEEP_DEMAND_PPM /
		QOSDT_PPM);
	uint64_t hi = (uint64_t)((unsigned __int128)then * QOSDT_PPM /
		KEEP_DEMAND_PPM);

	if (then == QOSDT_DEMAND_UNBOUNDED)
		return now == then;
	return now >= lo && now <= hi;
}

/* Whether knob @p i may not move to @p level: a failed decay's kept
 * level, or an undone step's blocked one, while its load lasts.
 */
static bool
kept(struct qosdt_adaptive *a, unsigned int i, int32_t level)
{
	struct knob *k = &a->knob[i];
	uint64_t floor;

	if (k->block && !demand_within(demand_of(a, k->block_for),
			k->block_demand))
		k->block = false;     /* The load it was undone under is gone. */
	if (k->block && (k->block_dir > 0 ? level >= k->block_level :
			level <= k->block_level))
		return true;
	if (!k->keep)
		return false;
	floor = (uint64_t)((unsigned __int128)k->keep_demand * KEEP_DEMAND_PPM /
		QOSDT_PPM);
	if (demand_of(a, k->keep_for) < floor) {
		k->keep = false;     /* The load that needed it is gone. */
		return false;
	}
	return k->keep_level > 0 ? level < k->keep_level : level > k->keep_level;
}

/* Whether a change did better: the class-windows missed per window after
 * it, against the classes that missed in the window it acted on.
 */
static void
judge_outcome(struct qosdt_adaptive_change *ch)
{
	unsigned int after = 0, before, c;

	if (ch->outcome != QOSDT_ADAPTIVE_PENDING || ch->windows_after == 0)
		return;
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		after += ch->missed_after[c];
	before = __builtin_popcount(ch->missed_last) * ch->windows_after;
	ch->outcome = after < before ? QOSDT_ADAPTIVE_BETTER :
		after > before ? QOSDT_ADAPTIVE_WORSE : QOSDT_ADAPTIVE_SAME;
}

/* Count the window just closed into the changes still being followed. */
/*
 * Copy r of change seq: r < nb_recent, recent[r] if it is that change;
 * r == nb_recent, its place in the timeline. NULL where it is not.
 */
static struct qosdt_adaptive_change *
change_copy(struct qosdt_adaptive *a, uint64_t seq, unsigned int r)
{
	if (r == a->nb_recent)
		return seq < QOSDT_ADAPTIVE_TIMELINE_MAX ? &a->timeline[seq] : NULL;
	return a->recent[r].seq == seq ? &a->recent[r] : NULL;
}

static void
track_window(struct qosdt_adaptive *a, uint8_t mask)
{
	struct qosdt_adaptive_change *ch;
	unsigned int i, c, r;
	uint64_t seq;

	for (i = 0; i < a->track_nb; i++) {
		seq = a->track_first + i;
		for (r = 0; r <= a->nb_recent; r++) {
			ch = change_copy(a, seq, r);
			if (ch == NULL ||
					ch->windows_after >= QOSDT_ADAPTIVE_EFFECT_WINDOWS)
				continue;
			ch->windows_after++;
			for (c = 0; c < QOSDT_NB_CLASSES; c++)
				if (mask & (1u << c))
					ch->missed_after[c]++;
			if (ch->windows_after == QOSDT_ADAPTIVE_EFFECT_WINDOWS)
				judge_outcome(ch);
		}
	}
}

/* Whether the model explains a miss of class @p c at the running setting:
 * it lacks the rate to keep its SLO (a strict TC short of its cap's share,
 * a WRR class whose drop policy does not bound its delay within its
 * objective at its share, a lossless class pushed back).
 */
static bool
explained_now(const struct qosdt_adaptive *a, unsigned int c)
{
	struct setting set;
	struct outlook now;

	setting_now(a, &set);
	outlook_of(a, &set, 0, &now);
	return !now.slo_ok[c];
}

/*
 * The window a step is judged on: the first after a decay; after a raise,
 * the first from the second on (the first still drains the backlog the
 * miss left) in which the class it was for met its SLO, within
 * JUDGE_WINDOWS: while that class is still late, the window is the shift's
 * or the host's, not evidence against the step. Worse than the window it
 * acted on (more classes missed), with a class it took from, healthy
 * before, among them? Not if a class the step did not touch, healthy
 * before, missed as well: that is the host (a stall), which no knob causes.
 */
static void
judge_trial(struct qosdt_adaptive *a, uint8_t mask)
{
	struct trial *t = &a->trial;
	uint8_t untouched = ALL_CLASSES & ~t->losers & ~t->gainers;

	if (!t->active || a->cnt.windows < t->judge_at)
		return;
	if (!t->decay && !t->is_undo && (mask & (1u << t->for_cls))) {
		if (a->cnt.windows >= t->judge_at + JUDGE_WINDOWS - 1)
			t->active = false;
		return;
	}
	t->active = false;
	if (t->is_undo || !(mask & t->losers & t->healthy))
		return;
	if (mask & untouched & t->healthy)
		return;
	if (__builtin_popcount(mask) <= __builtin_popcount(t->missed_then))
		return;
	a->undo_due = true;
}

void
qosdt_adaptive_window(struct qosdt_adaptive *a,
		const struct qosdt_adaptive_obs *obs)
{
	struct class_state *k;
	uint8_t mask = 0;
	unsigned int c;

	a->obs = *obs;
	a->fresh = true;
	a->cnt.windows++;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		k = &a->cls[c];
		/* A miss stands until the next control step acts on it. */
		if (class_missed(a, c, &obs->cls[c])) {
			k->missed = true;
			k->missed_run++;
			mask |= 1u << c;
			/*
			 * A miss the model does not explain at the running
			 * setting is the host's (a stall): it neither stops the
			 * decay clock nor blames a decay.
			 */
			if (explained_now(a, c)) {
				k->healthy_run = 0;
				backoff_decays(a, c);
			} else {
				k->healthy_run++;
			}
		} else {
			k->missed_run = 0;
			k->healthy_run++;
		}
	}
	memmove(a->history + 1, a->history, HISTORY - 1);
	a->history[0] = mask;
	track_window(a, mask);
	judge_trial(a, mask);
}

/* ------------------------------------------------------------------ */
/* Deciding.                                                           */

/* The changes one control step makes, applied together. */
struct step {
	struct setting set;
	unsigned int nb;
	struct qosdt_adaptive_change change[STEP_CHANGES_MAX];
};

static void
step_record(const struct qosdt_adaptive *a, struct step *st, unsigned int i,
		int32_t to, uint8_t reason, unsigned int for_cls,
		uint64_t measured, uint64_t objective)
{
	const struct knob *k = &a->knob[i];
	struct qosdt_adaptive_change *ch;

	if (to == st->set.level[i] || st->nb == STEP_CHANGES_MAX)
		return;
	ch = &st->change[st->nb++];
	memset(ch, 0, sizeof(*ch));
	ch->cls = k->cls;
	ch->knob = k->kind;
	ch->reason = reason;
	ch->for_cls = for_cls;
	ch->from = qosdt_levels_value(&k->lv, st->set.level[i]);
	ch->to = qosdt_levels_value(&k->lv, to);
	ch->measured = measured;
	ch->objective = objective;
	ch->hurt_cls = QOSDT_ADAPTIVE_NO_CLASS;
	st->set.level[i] = to;
}

/* The class among @p mask that loses the largest part of what it got,
 * and what the model says of it: the trade a change makes.
 */
static void
trade_fill(struct qosdt_adaptive_change *ch, const struct qosdt_adaptive *a,
		const struct outlook *before, const struct outlook *after,
		uint8_t mask)
{
	unsigned int c, worst = QOSDT_ADAPTIVE_NO_CLASS;
	double loss, most = -1;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		if (!(mask & (1u << c)) || before->get[c] == 0)
			continue;
		/* A class left short of its demand first: the one the trade
		 * costs something.
		 */
		loss = 1.0 - (double)after->get[c] / (double)before->get[c] +
			(after->served[c] ? 0 : 2);
		if (loss > most) {
			most = loss;
			worst = c;
		}
	}
	ch->hurt_cls = worst;
	if (worst == QOSDT_ADAPTIVE_NO_CLASS)
		return;
	ch->hurt_get_bps = after->get[worst];
	ch->hurt_demand_bps = after->ask[worst];
	ch->hurt_p99_ns = after->p99_ns[worst];
	ch->hurt_objective_ns = a->base.classes[worst].slo.max_latency_ns;
}

/* Remember a trade not made: class @p hurt would have missed its SLO. */
static void
trade_refused(struct qosdt_adaptive *a, unsigned int c, unsigned int i,
		const struct setting *from, const struct setting *to,
		const struct outlook *before, const struct outlook *after,
		uint8_t hurt)
{
	struct qosdt_adaptive_change *r = &a->last_refused;
	const struct class_state *k = &a->cls[c];

	memset(r, 0, sizeof(*r));
	r->time_ns = a->obs.now_ns;
	r->cls = a->knob[i].cls;
	r->knob = a->knob[i].kind;
	r->reason = k->reason;
	r->for_cls = c;
	r->from = knob_value(a, from, i);
	r->to = knob_value(a, to, i);
	r->measured = k->measured;
	r->objective = k->objective;
	r->outcome = QOSDT_ADAPTIVE_REFUSED;
	r->hurt_rule = hurt & BREAKS_PRIORITY ? QOSDT_ADAPTIVE_RULE_PRIORITY :
		QOSDT_ADAPTIVE_RULE_SLO;
	trade_fill(r, a, before, after, hurt & ALL_CLASSES);
	a->cnt.trades_refused++;
}

/* The knobs that may donate to class @p c's rate knob of kind @p kind:
 * the lower classes' knobs of the same kind, lowest class first.
 */
static unsigned int
donors_of(const struct qosdt_adaptive *a, unsigned int c, uint8_t kind,
		unsigned int *out)
{
	unsigned int n = 0, d;
	int i;

	for (d = QOSDT_NB_CLASSES - 1; d > c; d--) {
		i = a->cls[d].rate_knob;
		if (i >= 0 && a->knob[i].kind == kind)
			out[n++] = (unsigned int)i;
	}
	return n;
}

/* Whether a candidate may be taken on the way to raising class @p c:
 * the scheduler takes it, no higher class loses by it, and every class it
 * takes from keeps its SLO (else @p breaks says who would not).
 */
static bool
candidate_ok(struct qosdt_adaptive *a, unsigned int c,
		const struct setting *cand, const struct outlook *now,
		struct outlook *then, uint8_t *breaks)
{
	*breaks = 0;
	if (!setting_fits(a, cand))
		return false;
	outlook_of(a, cand, 0, then);
	if (harmed(now, then, higher_than(c)) != 0) {
		*breaks = harmed(now, then, higher_than(c)) | BREAKS_PRIORITY;
		return false;
	}
	*breaks = trade_breaks(now, then, c);
	return *breaks == 0;
}

/*
 * Raise class @p c, which missed with a reason the model sees. With
 * @p enough (its demand is known), to the first setting that serves it,
 * else to the best one allowed; without (a lossless class pushed back),
 * one level. Its own knob goes up one level at a time; at each level
 * where the scheduler refuses the setting (the guarantees: the strict caps
 * leave the WRR classes too little), the lower classes' knobs of the same
 * kind give, one level at a time, as far as each keeps its SLO.
 */
static void
raise_class(struct qosdt_adaptive *a, struct step *st, unsigned int c,
		bool enough)
{
	const struct class_state *k = &a->cls[c];
	struct setting cand, best = st->set;
	struct outlook now, then, best_then, refused_then;
	unsigned int donor[QOSDT_NB_CLASSES], nd, j, own, d;
	bool found = false, served = false, refused = false;
	uint8_t breaks, refused_mask = 0;
	struct setting refused_from, refused_to;
	struct knob *ok;
	uint64_t best_get;
	int32_t l;

	own = (unsigned int)k->rate_knob;
	ok = &a->knob[own];
	outlook_of(a, &st->set, 0, &now);
	best_then = now;
	best_get = now.get[c];
	nd = donors_of(a, c, ok->kind, donor);
	cand = st->set;
	for (l = st->set.level[own] + 1; l <= ok->lv.kmax && !served; l++) {
		if (kept(a, own, l))
			break;
		cand.level[own] = l;
		/* Donors give while the scheduler refuses the setting. */
		for (j = 0; j < nd && !setting_fits(a, &cand); j++) {
			d = donor[j];
			while (cand.level[d] > a->knob[d].lv.kmin &&
					!kept(a, d, cand.level[d] - 1)) {
				struct outlook t;

				cand.level[d]--;
				outlook_of(a, &cand, 0, &t);
				if (!t.slo_ok[a->knob[d].cls]) {
					cand.level[d]++;
					break;
				}
				if (setting_fits(a, &cand))
					break;
			}
		}
		if (!candidate_ok(a, c, &cand, &now, &then, &breaks)) {
			if (breaks != 0 && !refused) {
				refused = true;
				refused_mask = breaks;
				refused_from = st->set;
				refused_to = cand;
				refused_then = then;
			}
			if (breaks != 0)
				break;      /* Further only takes more. */
			continue;           /* The scheduler refused: on. */
		}
		if (enough && then.get[c] <= best_get && !then.served[c])
			continue;
		best = cand;
		best_then = then;
		best_get = then.get[c];
		served = then.served[c];
		found = true;
		if (!enough)
			break;
	}
	/* The weights of a WRR pool: a lower class's weight down gives too. */
	if (!served && ok->kind == QOSDT_ADAPTIVE_WEIGHT && enough) {
		cand = best;
		for (j = 0; j < nd && !served; j++) {
			d = donor[j];
			while (cand.level[d] > a->knob[d].lv.kmin &&
					!kept(a, d, cand.level[d] - 1)) {
				cand.level[d]--;
				if (!candidate_ok(a, c, &cand, &now, &then,
						&breaks)) {
					if (breaks != 0 && !refused) {
						refused = true;
						refused_mask = breaks;
						refused_from = st->set;
						refused_to = cand;
						refused_then = then;
					}
					cand.level[d]++;
					break;
				}
				if (then.get[c] <= best_get)
					continue;
				best = cand;
				best_then = then;
				best_get = then.get[c];
				served = then.served[c];
				found = true;
				if (served)
					break;
			}
		}
	}
	if (refused && !served)
		trade_refused(a, c, own, &refused_from, &refused_to, &now,
			&refused_then, refused_mask);
	if (!found || (enough && !served))
		a->cnt.at_bound++;
	if (!found)
		return;
	{
		unsigned int first = st->nb, i;
		uint8_t losers = losers_of(&now, &best_then) & ~(1u << c);

		for (i = 0; i < a->nb_knobs; i++)
			step_record(a, st, i, best.level[i], k->reason, c,
				k->measured, k->objective);
		if (losers != 0 && st->nb > first) {
			trade_fill(&st->change[first], a, &now, &best_then,
				losers);
			a->cnt.trades++;
		}
	}
}

/* Whether the model sees a reason for class @p c's miss under @p set: it
 * lacks rate, or would miss its SLO as it is.
 */
static bool
miss_explained(const struct qosdt_adaptive *a, const struct setting *set,
		unsigned int c)
{
	struct outlook now;

	outlook_of(a, set, 0, &now);
	return !now.slo_ok[c];
}

/*
 * A sojourn class that missed its latency, short of rate that no knob
 * gives it, whose target the model says is too long for its objective
 * (AQM_P99_FACTOR x target above it): the longest target that fits.
 */
static void
shorten_target(struct qosdt_adaptive *a, struct step *st, unsigned int c)
{
	const struct class_state *k = &a->cls[c];
	uint64_t obj = a->base.classes[c].slo.max_latency_ns;
	struct outlook now;
	struct knob *t;
	int32_t l;

	if (k->aqm_knob < 0 || k->reason != QOSDT_ADAPTIVE_LATENCY || obj == 0)
		return;
	outlook_of(a, &st->set, 0, &now);
	if (now.served[c] || now.p99_ns[c] <= obj)
		return;
	t = &a->knob[k->aqm_knob];
	for (l = st->set.level[k->aqm_knob] - 1; l >= t->lv.kmin; l--) {
		if (kept(a, (unsigned int)k->aqm_knob, l))
			return;
		if (AQM_P99_FACTOR * qosdt_levels_value(&t->lv, l) <= obj)
			break;
	}
	if (l < t->lv.kmin)
		l = t->lv.kmin;
	step_record(a, st, (unsigned int)k->aqm_knob, l, k->reason, c,
		k->measured, k->objective);
}

/* One level of knob @p i back toward its baseline, if no class served
 * now would be left short by it.
 */
static void
decay_knob(struct qosdt_adaptive *a, struct step *st, unsigned int i)
{
	struct knob *k = &a->knob[i];
	struct setting cand = st->set;
	struct outlook now, then;

	cand.level[i] += k->level > 0 ? -1 : +1;
	if (kept(a, i, cand.level[i]) || !setting_fits(a, &cand))
		return;
	outlook_of(a, &st->set, DECAY_EXTRA_PPM, &now);
	outlook_of(a, &cand, DECAY_EXTRA_PPM, &then);
	if (harmed(&now, &then, ALL_CLASSES) != 0 ||
			(then.slo_ok[k->cls] == false && now.slo_ok[k->cls]))
		return;
	/* Down, it takes from the class itself; a donor back up (or a target
	 * back to its length), from all.
	 */
	k->decay_losers = k->level > 0 && k->kind != QOSDT_ADAPTIVE_AQM_TARGET ?
		1u << k->cls : ALL_CLASSES & ~(1u << k->cls);
	if (k->kind == QOSDT_ADAPTIVE_AQM_TARGET)
		k->decay_losers = 1u << k->cls;
	k->decayed_from = k->level;
	step_record(a, st, i, cand.level[i], QOSDT_ADAPTIVE_DECAY, k->cls,
		a->cls[k->cls].healthy_run, k->hold);
}

/* Whether a higher class that shares class @p c's WRR pool missed: then
 * c waits, whatever it needs is taken from it first.
 */
static bool
higher_in_pool_missed(const struct qosdt_adaptive *a, unsigned int c)
{
	unsigned int j;
	int i = a->cls[c].rate_knob;

	if (i < 0 || a->knob[i].kind != QOSDT_ADAPTIVE_WEIGHT)
		return false;
	for (j = 0; j < c; j++) {
		int h = a->cls[j].rate_knob;

		if (h >= 0 && a->cls[j].missed &&
				a->knob[h].kind == QOSDT_ADAPTIVE_WEIGHT)
			return true;
	}
	return false;
}

/* The step that undoes the last one: every knob back where it was. */
static void
decide_undo(struct qosdt_adaptive *a, struct step *st)
{
	struct trial *t = &a->trial;
	unsigned int i, c;
	uint8_t missed = a->history[0] & t->losers;
	uint64_t measured = 0;

	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		if (missed & (1u << c))
			measured++;
	for (i = 0; i < a->nb_knobs; i++) {
		struct knob *k = &a->knob[i];
		int32_t was = st->set.level[i];

		if (t->before[i] == was)
			continue;
		step_record(a, st, i, t->before[i], QOSDT_ADAPTIVE_UNDO,
			t->for_cls, measured, UNDO_HEALTHY_BEFORE);
		/* Not there again while the load it was tried under lasts. */
		k->block = true;
		k->block_dir = was > t->before[i] ? 1 : -1;
		k->block_level = t->before[i] + k->block_dir;
		k->block_for = t->for_cls;
		k->block_demand = t->for_demand;
		/* A decay undone: the next one waits twice as long. */
		if (t->decay) {
			k->hold = RTE_MIN(k->hold * 2,
				a->base.adaptive.healthy_windows * HOLD_MAX_FACTOR);
			k->decayed_at = 0;
			a->cnt.backoffs++;
		}
	}
}

static void
decide(struct qosdt_adaptive *a, struct step *st)
{
	struct class_state *k;
	unsigned int c, i;

	if (a->undo_due) {
		a->undo_due = false;
		decide_undo(a, st);
		if (st->nb != 0)
			return;
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		k = &a->cls[c];
		if (k->rate_knob < 0 || !k->missed || higher_in_pool_missed(a, c))
			continue;
		if (!miss_explained(a, &st->set, c)) {
			/* Enough rate and within its SLO in the model: the miss
			 * is the host's or a burst's, no knob is justified.
			 */
			a->cnt.unexplained++;
			continue;
		}
		raise_class(a, st, c, demand_of(a, c) != QOSDT_DEMAND_UNBOUNDED);
		shorten_target(a, st, c);
	}
	if (st->nb != 0)
		return;
	for (i = 0; i < a->nb_knobs; i++) {
		struct knob *kn = &a->knob[i];

		k = &a->cls[kn->cls];
		if (!k->missed && kn->level != 0 && k->healthy_run >= kn->hold)
			decay_knob(a, st, i);
		if (st->nb != 0)
			break;      /* One decay per step: each is judged alone. */
	}
}

/* ------------------------------------------------------------------ */
/* Applying and recording.                                             */

static void
describe(const struct qosdt_adaptive_change *ch, char *buf, size_t len)
{
	int n;

	switch (ch->reason) {
	case QOSDT_ADAPTIVE_LATENCY:
		n = snprintf(buf, len, "%s p99 %" PRIu64 " us > %" PRIu64 " us",
			qosdt_class_name(ch->for_cls), ch->measured / 1000,
			ch->objective / 1000);
		break;
	case QOSDT_ADAPTIVE_BANDWIDTH:
		n = snprintf(buf, len, "%s delivered %" PRIu64 " < %" PRIu64 " Mbit/s",
			qosdt_class_name(ch->for_cls), ch->measured / 1000000,
			ch->objective / 1000000);
		break;
	case QOSDT_ADAPTIVE_LOSS:
		n = snprintf(buf, len, "%s loss %" PRIu64 " > %" PRIu64 " ppm",
			qosdt_class_name(ch->for_cls), ch->measured,
			ch->objective);
		break;
	case QOSDT_ADAPTIVE_BACKLOG:
		n = snprintf(buf, len, "%s backlog %" PRIu64 " of %" PRIu64,
			qosdt_class_name(ch->for_cls), ch->measured,
			ch->objective);
		break;
	case QOSDT_ADAPTIVE_UNDO:
		n = snprintf(buf, len, "%" PRIu64 " class(es) it took from missed in the window after it",
			ch->measured);
		break;
	default:
		n = snprintf(buf, len, "healthy for %" PRIu64 " windows",
			ch->measured);
		break;
	}
	if (ch->hurt_cls < QOSDT_NB_CLASSES && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "; trade: %s gets %" PRIu64 " of %"
			PRIu64 " Mbit/s, p99 %s%" PRIu64 " us within %" PRIu64 " us",
			qosdt_class_name(ch->hurt_cls), ch->hurt_get_bps / 1000000,
			ch->hurt_demand_bps / 1000000,
			ch->hurt_p99_ns == 0 ? "~" : "",
			ch->hurt_p99_ns / 1000, ch->hurt_objective_ns / 1000);
}

static void
commit_change(struct qosdt_adaptive *a, struct qosdt_adaptive_change *ch,
		uint64_t now_ns)
{
	struct knob *k = NULL;
	unsigned int i, c, w;
	char why[192];

	for (i = 0; i < a->nb_knobs; i++)
		if (a->knob[i].cls == ch->cls && a->knob[i].kind == ch->knob)
			k = &a->knob[i];
	ch->time_ns = now_ns;
	ch->seq = a->cnt.changes;
	ch->windows_before = RTE_MIN(a->cnt.windows,
		(uint64_t)QOSDT_ADAPTIVE_EFFECT_WINDOWS);
	for (w = 0; w < ch->windows_before; w++)
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			if (a->history[w] & (1u << c))
				ch->missed_before[c]++;
	ch->missed_last = a->history[0];
	a->cnt.changes++;
	if (ch->reason == QOSDT_ADAPTIVE_DECAY) {
		a->cnt.decays++;
		a->cls[ch->cls].healthy_run = 0;
		if (k != NULL)
			k->decayed_at = a->cnt.windows;
	} else if (ch->reason == QOSDT_ADAPTIVE_UNDO) {
		a->cnt.undone++;
	} else if (ch->for_cls != ch->cls) {
		a->cnt.donations++;
		a->cls[ch->cls].healthy_run = 0;
	} else {
		a->cnt.raises++;
	}
	if (a->nb_recent == QOSDT_ADAPTIVE_RECENT)
		memmove(a->recent, a->recent + 1,
			--a->nb_recent * sizeof(a->recent[0]));
	a->recent[a->nb_recent++] = *ch;
	if (a->nb_timeline < QOSDT_ADAPTIVE_TIMELINE_MAX)
		a->timeline[a->nb_timeline++] = *ch;
	else
		a->cnt.unrecorded++;
	describe(ch, why, sizeof(why));
	QOSDT_LOG(INFO, "adaptive: %s %s %" PRIu64 " -> %" PRIu64 ": %s",
		qosdt_class_name(ch->cls), qosdt_adaptive_knob_name(ch->knob),
		ch->from, ch->to, why);
}

/* The changes of the step before, whose windows after end here; the
 * one that an undo reverses is marked so.
 */
static void
track_close(struct qosdt_adaptive *a, bool undone)
{
	struct qosdt_adaptive_change *ch;
	unsigned int i, r;
	uint64_t seq;

	for (i = 0; i < a->track_nb; i++) {
		seq = a->track_first + i;
		for (r = 0; r <= a->nb_recent; r++) {
			ch = change_copy(a, seq, r);
			if (ch == NULL)
				continue;
			if (undone)
				ch->outcome = QOSDT_ADAPTIVE_UNDONE;
			else
				judge_outcome(ch);
		}
	}
	a->track_nb = 0;
}

/* What the step just applied is judged on: who it took from and gave to. */
static void
trial_start(struct qosdt_adaptive *a, const struct setting *before,
		const struct step *st)
{
	struct trial *t = &a->trial;
	struct outlook o_before, o_after;
	unsigned int i, c;
	bool undo = st->change[0].reason == QOSDT_ADAPTIVE_UNDO;

	outlook_of(a, before, 0, &o_before);
	outlook_of(a, &st->set, 0, &o_after);
	memset(t, 0, sizeof(*t));
	t->active = true;
	t->is_undo = undo;
	t->window = a->cnt.windows;
	t->missed_then = a->history[0];
	t->judge_at = t->window + 1;
	if (!undo && st->change[0].reason != QOSDT_ADAPTIVE_DECAY &&
			(a->history[0] & (1u << st->change[0].for_cls)))
		t->judge_at++;
	for (i = 0; i < KNOBS_MAX; i++)
		t->before[i] = before->level[i];
	t->losers = losers_of(&o_before, &o_after);
	t->gainers = losers_of(&o_after, &o_before);
	t->for_cls = st->change[0].for_cls;
	t->for_demand = demand_of(a, t->for_cls);
	t->decay = st->change[0].reason == QOSDT_ADAPTIVE_DECAY;
	for (i = 0; i < st->nb; i++) {
		const struct qosdt_adaptive_change *ch = &st->change[i];

		/* The knob's own class loses by a cut, gains by a raise. */
		if (ch->to < ch->from && ch->knob != QOSDT_ADAPTIVE_AQM_TARGET)
			t->losers |= 1u << ch->cls;
		else
			t->gainers |= 1u << ch->cls;
	}
	t->losers &= ~t->gainers;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		bool healthy = true;

		for (i = 0; i < UNDO_HEALTHY_BEFORE && i < HISTORY; i++)
			if (a->history[i] & (1u << c))
				healthy = false;
		if (healthy && a->cnt.windows >= UNDO_HEALTHY_BEFORE)
			t->healthy |= 1u << c;
	}
}

int
qosdt_adaptive_control(struct qosdt_adaptive *a, struct qosdt_sched *s,
		uint64_t now_ns)
{
	struct qosdt_sched_knobs v;
	struct step st = { .nb = 0 };
	struct setting before;
	unsigned int i, c;
	int ret;

	if (!a->fresh)
		return 0;
	a->fresh = false;
	a->cnt.controls++;
	setting_now(a, &st.set);
	before = st.set;
	decide(a, &st);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		a->cls[c].missed = false;
	if (st.nb == 0) {
		publish(a);
		return 0;
	}
	setting_values(a, &st.set, &v);
	ret = s != NULL ? qosdt_sched_set_knobs(s, &v) : 0;
	if (ret != 0) {
		a->cnt.refused++;
		QOSDT_LOG(ERR, "adaptive: the scheduler refused the change: %s",
			rte_strerror(-ret));
		publish(a);
		return ret;
	}
	for (i = 0; i < a->nb_knobs; i++) {
		a->knob[i].level = st.set.level[i];
		if (st.set.level[i] == 0)
			a->knob[i].hold = a->base.adaptive.healthy_windows;
	}
	track_close(a, st.change[0].reason == QOSDT_ADAPTIVE_UNDO);
	a->track_first = a->cnt.changes;
	for (i = 0; i < st.nb; i++)
		commit_change(a, &st.change[i], now_ns);
	a->track_nb = st.nb;
	trial_start(a, &before, &st);
	publish(a);
	return (int)st.nb;
}

/* The last window of the monitor, with the scheduler's queue state. */
static void
observe(struct qosdt_adaptive *a, const struct qosdt_stats *stats,
		const struct qosdt_sched *s, uint64_t now_ns,
		struct qosdt_adaptive_obs *obs)
{
	struct qosdt_sched_class_counters sc;
	const struct qosdt_class_stats *cs;
	struct qosdt_adaptive_class_obs *o;
	uint64_t win = stats->window_ns != 0 ? stats->window_ns : 1;
	unsigned int c, k;

	memset(obs, 0, sizeof(*obs));
	obs->now_ns = now_ns;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		cs = &stats->cls[c];
		o = &obs->cls[c];
		qosdt_sched_counters(s, c, &sc);
		o->slo_missed = cs->slo_missed;
		o->p99_ns = cs->window_latency.p99_ns;
		o->loss_ppm = cs->window_loss_ppm;
		o->throughput_bps = cs->window_throughput_bps;
		/* A shift shows in the window before the sliding rate. */
		o->offered_bps = RTE_MAX(cs->window_offered_bps,
			cs->offered_bps);
		o->backlog = sc.backlog;
		o->limit = sc.limit;
		o->held = cs->held_pkts - a->prev_held[c];
		a->prev_held[c] = cs->held_pkts;
		if (cs->rx_pkts > a->prev_rx_pkts[c])
			o->frame_bytes = (uint32_t)((cs->rx_bytes -
				a->prev_rx_bytes[c]) /
				(cs->rx_pkts - a->prev_rx_pkts[c]));
		a->prev_rx_pkts[c] = cs->rx_pkts;
		a->prev_rx_bytes[c] = cs->rx_bytes;
		/* Per TC: the bytes since the last window, over a window. */
		o->nb_tc = RTE_MIN(sc.nb_tc, (uint32_t)QOSDT_MAX_STRICT_TCS);
		for (k = 0; k < o->nb_tc; k++) {
			o->tc_offered_bps[k] = (uint64_t)((unsigned __int128)
				(sc.tc_offered_bytes[k] - a->prev_tc_bytes[c][k]) *
				8 * 1000000000 / win);
			a->prev_tc_bytes[c][k] = sc.tc_offered_bytes[k];
		}
	}
}

int
qosdt_adaptive_poll(struct qosdt_adaptive *a, struct qosdt_sched *s,
		const struct qosdt_monitor *mon, uint64_t now_ns)
{
	struct qosdt_adaptive_obs obs;
	struct qosdt_stats stats;

	qosdt_monitor_read(mon, &stats);
	if (stats.windows != a->monitor_windows) {
		a->monitor_windows = stats.windows;
		observe(a, &stats, s, now_ns, &obs);
		qosdt_adaptive_window(a, &obs);
	}
	if (now_ns < a->next_control_ns)
		return 0;
	a->next_control_ns = now_ns + a->period_ns;
	return qosdt_adaptive_control(a, s, now_ns);
}

/* ------------------------------------------------------------------ */
/* Reading.                                                            */

static void
publish(struct qosdt_adaptive *a)
{
	struct qosdt_adaptive_status *p = &a->published;
	struct qosdt_sched_knobs v, b;
	struct setting set;
	unsigned int n;

	setting_now(a, &set);
	setting_values(a, &set, &v);
	qosdt_sched_knobs_of(&a->base, &b);
	rte_seqlock_write_lock(&a->lock);
	p->period_ms = a->base.adaptive.period_ms;
	for (n = 0; n < QOSDT_NB_CLASSES; n++) {
		p->weight[n] = v.weight[n];
		p->base_weight[n] = b.weight[n];
		p->cap_bps[n] = v.rate_cap_bps[n];
		p->base_cap_bps[n] = b.rate_cap_bps[n];
		p->aqm_target_ns[n] = v.sojourn_target_ns[n];
		p->base_aqm_target_ns[n] = b.sojourn_target_ns[n];
	}
	p->rate_cap_bps = v.rate_cap_bps[QOSDT_CLASS_REALTIME];
	p->base_rate_cap_bps = b.rate_cap_bps[QOSDT_CLASS_REALTIME];
	p->counters = a->cnt;
	p->last_refused = a->last_refused;
	memcpy(p->recent, a->recent, a->nb_recent * sizeof(p->recent[0]));
	p->nb_recent = a->nb_recent;
	rte_seqlock_write_unlock(&a->lock);
}

void
qosdt_adaptive_status_read(const struct qosdt_adaptive *a,
		struct qosdt_adaptive_status *st)
{
	uint32_t sn;

	do {
		sn = rte_seqlock_read_begin(&a->lock);
		*st = a->published;
	} while (rte_seqlock_read_retry(&a->lock, sn));
}

unsigned int
qosdt_adaptive_timeline(const struct qosdt_adaptive *a,
		const struct qosdt_adaptive_change **changes)
{
	*changes = a->timeline;
	return a->nb_timeline;
}
