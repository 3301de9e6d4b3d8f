/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The adaptive controller (doc/adaptive.md has the law and why).
 *
 * Each class with a knob in the running mode (priority: REALTIME's rate
 * cap and the others' WRR weights; wrr: the four weights; fifo: none) sits
 * on a level of a quantised grid around its configured value. Per control
 * step, in priority order (REALTIME first):
 * - a class that missed its SLO in the last window, and shares its WRR pool
 *   with no higher class that missed too, is raised: to the lowest
 *   level the fluid model says covers its demand plus a headroom, at least
 *   one level; first its own knob, then lower classes' weights (lowest
 *   first) down to their bounds. No move may leave a higher class, served
 *   now, short of its demand. A miss the model cannot explain (enough rate,
 *   still late) must repeat for a second window before it moves anything.
 * - if nothing was raised, a class off its baseline that has been healthy
 *   for `hold` windows steps one level back, if the model says no class
 *   served now would then fall short. A decay followed within `hold`
 *   windows by a miss of a class it took from doubles that class's `hold`.
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
 * A capped strict-priority class is served when its cap covers its demand
 * plus this, ppm: rte_sched hands out TC credits per tc_period, so a Poisson
 * class near its cap runs out of credit within a period and waits for the
 * next one (ms), however little it lacks on average.
 */
#define CAP_HEADROOM_PPM 250000u
/*
 * A decay must leave this much more headroom than a raise asks for: the
 * hysteresis band that keeps a demand wandering around one level's edge
 * from flapping the knob.
 */
#define DECAY_EXTRA_PPM 100000u
/* A lossless class's queue this full (of its limit, in quarters) is near it. */
#define BACKLOG_NEAR_QUARTERS 3u
/* Windows an unexplained miss must last before the controller acts on it. */
#define UNEXPLAINED_WINDOWS 2u
/* The longest hold backoff makes, in multiples of healthy_windows. */
#define HOLD_MAX_FACTOR 64u
/* A failed decay's level is kept until the demand it served falls below
 * this share of what it was, ppm.
 */
#define KEEP_DEMAND_PPM 900000u
/* Every class, as a bit mask. */
#define ALL_CLASSES ((1u << QOSDT_NB_CLASSES) - 1)
/* Most knob changes one control step can make (each class, twice). */
#define STEP_CHANGES_MAX (2 * QOSDT_NB_CLASSES)

struct class_state {
	struct qosdt_levels lv;   /* Its knob's levels. */
	int32_t level;            /* Where it is; 0 is the baseline. */
	uint8_t knob;             /* enum qosdt_adaptive_knob. */
	bool tunable;             /* It has a knob in this mode. */
	bool lossless;            /* drop "none". */
	/* The last window observed. */
	bool missed;
	uint8_t reason;
	uint64_t measured;
	uint64_t objective;
	uint32_t missed_run;      /* Consecutive windows missed. */
	uint32_t healthy_run;     /* Consecutive windows healthy. */
	/* Decay. */
	uint32_t hold;            /* Healthy windows before its next decay. */
	uint64_t decayed_at;      /* Window of its last decay, 0: none pending. */
	int32_t decayed_from;     /* The level it decayed from. */
	uint8_t decay_losers;     /* Classes that decay took from (bits). */
	/* A decay that failed: do not go past keep_level again while class
	 * keep_for still offers keep_demand or more (KEEP_DEMAND_PPM of it).
	 */
	bool keep;
	int32_t keep_level;
	uint8_t keep_for;
	uint64_t keep_demand;
};

struct qosdt_adaptive {
	struct qosdt_config base;     /* The baseline. */
	struct qosdt_config trial;    /* Scratch: the baseline, with a setting. */
	struct class_state cls[QOSDT_NB_CLASSES];
	struct qosdt_adaptive_obs obs;  /* The last window. */
	bool fresh;                   /* A window since the last control. */
	uint64_t monitor_windows;     /* The monitor's count at the last poll. */
	uint64_t prev_held[QOSDT_NB_CLASSES];
	uint64_t period_ns;
	uint64_t next_control_ns;
	struct qosdt_adaptive_counters cnt;
	unsigned int nb_timeline;
	unsigned int nb_recent;       /* The last changes, oldest first. */
	struct qosdt_adaptive_change recent[QOSDT_ADAPTIVE_RECENT];
	struct qosdt_adaptive_change timeline[QOSDT_ADAPTIVE_TIMELINE_MAX];
	rte_seqlock_t lock;
	struct qosdt_adaptive_status published;
};

/* A candidate setting: a level per class. */
struct setting {
	int32_t level[QOSDT_NB_CLASSES];
};

static const char *const knob_names[] = {
	[QOSDT_ADAPTIVE_WEIGHT] = "weight",
	[QOSDT_ADAPTIVE_RATE_CAP] = "rate_cap",
};

static const char *const reason_names[] = {
	[QOSDT_ADAPTIVE_LATENCY] = "latency",
	[QOSDT_ADAPTIVE_BANDWIDTH] = "bandwidth",
	[QOSDT_ADAPTIVE_LOSS] = "loss",
	[QOSDT_ADAPTIVE_BACKLOG] = "backlog",
	[QOSDT_ADAPTIVE_DECAY] = "decay",
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

/* ------------------------------------------------------------------ */
/* Creation.                                                           */

static void
class_init(struct qosdt_adaptive *a, unsigned int c)
{
	const struct qosdt_config *cfg = &a->base;
	const struct qosdt_adaptive_bounds *b = &cfg->adaptive.bounds[c];
	const struct qosdt_class_config *cc = &cfg->classes[c];
	struct class_state *k = &a->cls[c];
	uint64_t step;

	k->lossless = cc->drop == QOSDT_DROP_NONE;
	k->hold = cfg->adaptive.healthy_windows;
	if (cfg->mode == QOSDT_MODE_FIFO)
		return;
	/* A strict class other than realtime keeps its cap; its weight
	 * means nothing to rte_sched. */
	if (qosdt_config_class_strict(cfg, c) && c != QOSDT_CLASS_REALTIME)
		return;
	if (cfg->mode == QOSDT_MODE_PRIORITY && c == QOSDT_CLASS_REALTIME) {
		if (cc->rate_cap_bps == 0 || b->rate_cap_max_bps == 0)
			return;
		step = RTE_MAX((uint64_t)cfg->adaptive.rate_step_ppm *
			cfg->channel_rate_bps / QOSDT_PPM, UINT64_C(1));
		qosdt_levels_init(&k->lv, cc->rate_cap_bps, step,
			b->rate_cap_min_bps, b->rate_cap_max_bps);
		k->knob = QOSDT_ADAPTIVE_RATE_CAP;
	} else {
		qosdt_levels_init(&k->lv, cc->weight, cfg->adaptive.weight_step,
			b->weight_min, b->weight_max);
		k->knob = QOSDT_ADAPTIVE_WEIGHT;
	}
	k->tunable = k->lv.kmin < k->lv.kmax;
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
	a->trial = *cfg;
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		class_init(a, c);
	a->period_ns = (uint64_t)cfg->adaptive.period_ms * 1000000;
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
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		set->level[c] = a->cls[c].level;
}

/* The weights and REALTIME cap of a setting. */
static void
setting_values(const struct qosdt_adaptive *a, const struct setting *set,
		uint8_t weight[QOSDT_NB_CLASSES], uint64_t *cap)
{
	const struct class_state *k;
	unsigned int c;

	*cap = a->base.classes[QOSDT_CLASS_REALTIME].rate_cap_bps;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		k = &a->cls[c];
		weight[c] = a->base.classes[c].weight;
		if (!k->tunable)
			continue;
		if (k->knob == QOSDT_ADAPTIVE_RATE_CAP)
			*cap = qosdt_levels_value(&k->lv, set->level[c]);
		else
			weight[c] = (uint8_t)qosdt_levels_value(&k->lv,
				set->level[c]);
	}
}

/* The scheduler would take this setting (the WRR uint8 trap, the
 * guarantees: the checks qosdt_sched_set_profile() makes).
 */
static bool
setting_fits(struct qosdt_adaptive *a, const struct setting *set)
{
	uint8_t weight[QOSDT_NB_CLASSES];
	unsigned int c;
	uint64_t cap;

	setting_values(a, set, weight, &cap);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		a->trial.classes[c].weight = weight[c];
	a->trial.classes[QOSDT_CLASS_REALTIME].rate_cap_bps = cap;
	return qosdt_config_check_profile(&a->trial, NULL, 0) == 0;
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

/*
 * The model's view of a setting: what each class would get (its WRR share,
 * or for a rate-capped REALTIME its cap), and whether that serves it.
 */
struct outlook {
	uint64_t get[QOSDT_NB_CLASSES];
	bool served[QOSDT_NB_CLASSES];
};

static void
outlook_of(const struct qosdt_adaptive *a, const struct setting *set,
		uint32_t extra_ppm, struct outlook *out)
{
	uint64_t demand[QOSDT_NB_CLASSES], capacity, cap;
	uint8_t weight[QOSDT_NB_CLASSES];
	bool member[QOSDT_NB_CLASSES];
	unsigned int c;

	setting_values(a, set, weight, &cap);
	capacity = a->base.channel_rate_bps;
	/* Each class asks for its demand plus the headroom: served means it
	 * would get all of that.
	 */
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		demand[c] = with_headroom(demand_of(a, c), extra_ppm +
			(a->cls[c].knob == QOSDT_ADAPTIVE_RATE_CAP ?
				CAP_HEADROOM_PPM : HEADROOM_PPM));
		member[c] = true;
	}
	/* The strict classes go first, each up to its cap (realtime's is the
	 * setting's); the rest is shared by weight. */
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		if (!qosdt_config_class_strict(&a->base, c))
			continue;
		member[c] = false;
		capacity -= RTE_MIN(capacity, a->obs.cls[c].throughput_bps);
	}
	qosdt_wrr_shares(capacity, demand, weight, member, out->get);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		uint64_t cc = c == QOSDT_CLASS_REALTIME ? cap :
			a->base.classes[c].rate_cap_bps;

		if (qosdt_config_class_strict(&a->base, c))
			out->get[c] = cc != 0 ? cc : UINT64_MAX;
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		out->served[c] = demand[c] != QOSDT_DEMAND_UNBOUNDED &&
			out->get[c] >= demand[c];
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

/* Do not let class @p c decay past @p level while class @p for_cls offers
 * what it offers now (KEEP_DEMAND_PPM of it).
 */
static void
keep_level(struct qosdt_adaptive *a, unsigned int c, int32_t level,
		unsigned int for_cls)
{
	struct class_state *k = &a->cls[c];

	k->keep = true;
	k->keep_level = level;
	k->keep_for = for_cls;
	k->keep_demand = demand_of(a, for_cls);
}

/* A miss of class @p c soon (2 x hold windows) after a decay that took
 * from it: that decay
 * went too far. The class that decayed waits twice as long next time, and
 * does not go past the level it left while @p c's demand stays.
 */
static void
backoff_decays(struct qosdt_adaptive *a, unsigned int c)
{
	uint32_t hold_max = a->base.adaptive.healthy_windows * HOLD_MAX_FACTOR;
	struct class_state *d;
	unsigned int i;

	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		d = &a->cls[i];
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

/* Whether a failed decay forbids class @p c to move to @p level. */
static bool
kept(struct qosdt_adaptive *a, unsigned int c, int32_t level)
{
	struct class_state *k = &a->cls[c];
	uint64_t floor;

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

void
qosdt_adaptive_window(struct qosdt_adaptive *a,
		const struct qosdt_adaptive_obs *obs)
{
	struct class_state *k;
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
			k->healthy_run = 0;
			backoff_decays(a, c);
		} else {
			k->missed_run = 0;
			k->healthy_run++;
		}
	}
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
step_record(const struct qosdt_adaptive *a, struct step *st, unsigned int c,
		int32_t to, uint8_t reason, unsigned int for_cls,
		uint64_t measured, uint64_t objective)
{
	const struct class_state *k = &a->cls[c];
	struct qosdt_adaptive_change *ch;

	if (to == st->set.level[c] || st->nb == STEP_CHANGES_MAX)
		return;
	ch = &st->change[st->nb++];
	ch->cls = c;
	ch->knob = k->knob;
	ch->reason = reason;
	ch->for_cls = for_cls;
	ch->from = qosdt_levels_value(&k->lv, st->set.level[c]);
	ch->to = qosdt_levels_value(&k->lv, to);
	ch->measured = measured;
	ch->objective = objective;
	st->set.level[c] = to;
}

/*
 * The moves that raise class @p c, in the order tried: its own knob up,
 * one level at a time, then, for a weight, each lower class's weight down
 * (the lowest class first). Each move is on top of the ones before it.
 */
struct move {
	unsigned int cls;
	int32_t delta;
};

static unsigned int
raise_moves(const struct qosdt_adaptive *a, const struct setting *set,
		unsigned int c, struct move *mv, unsigned int max)
{
	const struct class_state *k = &a->cls[c];
	unsigned int n = 0, d;
	int32_t l;

	for (l = set->level[c]; l < k->lv.kmax && n < max; l++)
		mv[n++] = (struct move){ c, +1 };
	if (k->knob != QOSDT_ADAPTIVE_WEIGHT)
		return n;
	for (d = QOSDT_NB_CLASSES - 1; d > c; d--) {
		k = &a->cls[d];
		if (!k->tunable || k->knob != QOSDT_ADAPTIVE_WEIGHT)
			continue;
		for (l = set->level[d]; l > k->lv.kmin && n < max; l--)
			mv[n++] = (struct move){ d, -1 };
	}
	return n;
}

/* Most moves raise_moves() lists: every level of every class. */
#define MOVES_MAX 1024u

/*
 * Raise class @p c, which missed. With @p enough (the model can say what
 * serves it), to the first setting that serves it, else to the furthest
 * one allowed; without, one move. A setting that would leave a higher
 * class short ends the search.
 */
static void
raise_class(struct qosdt_adaptive *a, struct step *st, unsigned int c,
		bool enough)
{
	const struct class_state *k = &a->cls[c];
	struct setting cand = st->set, best = st->set;
	struct outlook now, then;
	struct move mv[MOVES_MAX];
	unsigned int n, i, d;
	bool found = false, served = false;
	uint64_t best_get;
	int skip = -1;

	outlook_of(a, &st->set, 0, &now);
	best_get = now.get[c];
	n = raise_moves(a, &st->set, c, mv, RTE_DIM(mv));
	for (i = 0; i < n; i++) {
		if ((int)mv[i].cls == skip)
			continue;
		cand.level[mv[i].cls] += mv[i].delta;
		if (!setting_fits(a, &cand))
			continue;
		outlook_of(a, &cand, 0, &then);
		if (harmed(&now, &then, higher_than(c)) != 0) {
			/* That knob went too far: back, and on to the next. */
			cand.level[mv[i].cls] -= mv[i].delta;
			skip = mv[i].cls;
			continue;
		}
		if (enough && then.get[c] <= best_get)
			continue;
		best = cand;
		best_get = then.get[c];
		served = then.served[c];
		found = true;
		if (!enough || served)
			break;
	}
	if (!found || (enough && !served))
		a->cnt.at_bound++;
	if (!found)
		return;
	for (d = 0; d < QOSDT_NB_CLASSES; d++)
		step_record(a, st, d, best.level[d], k->reason, c,
			k->measured, k->objective);
}

/* Whether the model can tell what serves class @p c, and says the
 * current setting does not.
 */
static bool
miss_explained(const struct qosdt_adaptive *a, const struct setting *set,
		unsigned int c)
{
	struct outlook now;

	if (demand_of(a, c) == QOSDT_DEMAND_UNBOUNDED)
		return false;
	outlook_of(a, set, 0, &now);
	return !now.served[c];
}

/* One level of class @p c back toward its baseline, if no class served
 * now would be left short by it.
 */
static void
decay_class(struct qosdt_adaptive *a, struct step *st, unsigned int c)
{
	struct class_state *k = &a->cls[c];
	struct setting cand = st->set;
	struct outlook now, then;

	cand.level[c] += k->level > 0 ? -1 : +1;
	if (kept(a, c, cand.level[c]) || !setting_fits(a, &cand))
		return;
	outlook_of(a, &st->set, DECAY_EXTRA_PPM, &now);
	outlook_of(a, &cand, DECAY_EXTRA_PPM, &then);
	if (harmed(&now, &then, ALL_CLASSES) != 0)
		return;
	/* Down, it takes from the class itself; a donor back up, from all. */
	k->decay_losers = k->level > 0 ? 1u << c : ALL_CLASSES & ~(1u << c);
	k->decayed_from = k->level;
	step_record(a, st, c, cand.level[c], QOSDT_ADAPTIVE_DECAY, c,
		k->healthy_run, k->hold);
}

/* Whether a higher class that shares class @p c's WRR pool missed: then
 * c waits, whatever it needs is taken from it first.
 */
static bool
higher_in_pool_missed(const struct qosdt_adaptive *a, unsigned int c)
{
	unsigned int j;

	if (a->cls[c].knob != QOSDT_ADAPTIVE_WEIGHT)
		return false;
	for (j = 0; j < c; j++)
		if (a->cls[j].tunable && a->cls[j].missed &&
				a->cls[j].knob == QOSDT_ADAPTIVE_WEIGHT)
			return true;
	return false;
}

static void
decide(struct qosdt_adaptive *a, struct step *st)
{
	struct class_state *k;
	unsigned int c;
	bool enough;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		k = &a->cls[c];
		if (!k->tunable || !k->missed || higher_in_pool_missed(a, c))
			continue;
		enough = miss_explained(a, &st->set, c);
		/* A cap that does not bind: raising it cannot help. */
		if (!enough && k->knob == QOSDT_ADAPTIVE_RATE_CAP &&
				demand_of(a, c) != QOSDT_DEMAND_UNBOUNDED) {
			a->cnt.at_bound++;
			continue;
		}
		if (!enough && k->missed_run < UNEXPLAINED_WINDOWS)
			continue;
		raise_class(a, st, c, enough);
		if (enough)
			continue;
		/*
		 * An unexplained miss earns one level per UNEXPLAINED_WINDOWS,
		 * and the level is kept while the load it was missed under
		 * lasts: the model would decay it straight back into the miss.
		 */
		k->missed_run = 0;
		if (st->set.level[c] != k->level)
			keep_level(a, c, st->set.level[c], c);
	}
	if (st->nb != 0)
		return;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		k = &a->cls[c];
		if (k->tunable && !k->missed && k->level != 0 &&
				k->healthy_run >= k->hold)
			decay_class(a, st, c);
	}
}

/* ------------------------------------------------------------------ */
/* Applying and recording.                                             */

static void
describe(const struct qosdt_adaptive_change *ch, char *buf, size_t len)
{
	switch (ch->reason) {
	case QOSDT_ADAPTIVE_LATENCY:
		snprintf(buf, len, "%s p99 %" PRIu64 " us > %" PRIu64 " us",
			qosdt_class_name(ch->for_cls), ch->measured / 1000,
			ch->objective / 1000);
		break;
	case QOSDT_ADAPTIVE_BANDWIDTH:
		snprintf(buf, len, "%s delivered %" PRIu64 " < %" PRIu64 " Mbit/s",
			qosdt_class_name(ch->for_cls), ch->measured / 1000000,
			ch->objective / 1000000);
		break;
	case QOSDT_ADAPTIVE_LOSS:
		snprintf(buf, len, "%s loss %" PRIu64 " > %" PRIu64 " ppm",
			qosdt_class_name(ch->for_cls), ch->measured,
			ch->objective);
		break;
	case QOSDT_ADAPTIVE_BACKLOG:
		snprintf(buf, len, "%s backlog %" PRIu64 " of %" PRIu64,
			qosdt_class_name(ch->for_cls), ch->measured,
			ch->objective);
		break;
	default:
		snprintf(buf, len, "healthy for %" PRIu64 " windows",
			ch->measured);
		break;
	}
}

static void
commit_change(struct qosdt_adaptive *a, struct qosdt_adaptive_change *ch,
		uint64_t now_ns)
{
	struct class_state *k = &a->cls[ch->cls];
	char why[96];

	ch->time_ns = now_ns;
	a->cnt.changes++;
	if (ch->reason == QOSDT_ADAPTIVE_DECAY) {
		a->cnt.decays++;
		k->healthy_run = 0;
		k->decayed_at = a->cnt.windows;
	} else if (ch->for_cls != ch->cls) {
		a->cnt.donations++;
		k->healthy_run = 0;
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

int
qosdt_adaptive_control(struct qosdt_adaptive *a, struct qosdt_sched *s,
		uint64_t now_ns)
{
	uint8_t weight[QOSDT_NB_CLASSES];
	struct step st = { .nb = 0 };
	unsigned int i, c;
	uint64_t cap;
	int ret;

	if (!a->fresh)
		return 0;
	a->fresh = false;
	a->cnt.controls++;
	setting_now(a, &st.set);
	decide(a, &st);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		a->cls[c].missed = false;
	if (st.nb == 0) {
		publish(a);
		return 0;
	}
	setting_values(a, &st.set, weight, &cap);
	ret = s != NULL ? qosdt_sched_set_profile(s, weight, cap) : 0;
	if (ret != 0) {
		a->cnt.refused++;
		QOSDT_LOG(ERR, "adaptive: the scheduler refused the change: %s",
			rte_strerror(-ret));
		publish(a);
		return ret;
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		a->cls[c].level = st.set.level[c];
		if (st.set.level[c] == 0)
			a->cls[c].hold = a->base.adaptive.healthy_windows;
	}
	for (i = 0; i < st.nb; i++)
		commit_change(a, &st.change[i], now_ns);
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
	unsigned int c;

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
	struct setting set;
	unsigned int n;

	setting_now(a, &set);
	rte_seqlock_write_lock(&a->lock);
	p->period_ms = a->base.adaptive.period_ms;
	setting_values(a, &set, p->weight, &p->rate_cap_bps);
	for (n = 0; n < QOSDT_NB_CLASSES; n++)
		p->base_weight[n] = a->base.classes[n].weight;
	p->base_rate_cap_bps =
		a->base.classes[QOSDT_CLASS_REALTIME].rate_cap_bps;
	p->counters = a->cnt;
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
