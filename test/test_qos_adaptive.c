/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The adaptive controller, fed synthetic monitor windows (deterministic:
 * no traffic, no clock) and applying its changes to a real rte_sched
 * scheduler: it raises the class that misses, to what the model says it
 * needs; it stays within the bounds; it decays back after healthy windows
 * and not while the load still needs the raise; it waits for a second
 * window before acting on a miss it cannot explain; a decay undone by a miss
 * slows the next one down; and over thousands of random windows in every
 * mode, rte_sched never refuses what it applies. Last, end to end: late
 * messages through a real instance's dequeue raise realtime's cap, and it
 * comes back once they stop.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include "qosdt.h"
#include "qosdt_adaptive.h"
#include "qosdt_classifier.h"
#include "qosdt_priv.h"
#include "qosdt_sched.h"
#include "qos_test_util.h"
#include "test.h"

#define MBPS(x) ((uint64_t)(x) * 1000000)
#define US(x) ((uint64_t)(x) * 1000)
#define WINDOW_NS (100 * UINT64_C(1000000))

static struct qosdt_config cfg;
static struct qosdt_sched *sched;
static struct qosdt_adaptive *ctl;
static uint64_t now_ns;

/* Controller and scheduler from @p base (adaptive on), in @p mode. */
static int
ctl_start_cfg(const struct qosdt_config *base, enum qosdt_sched_mode mode)
{
	char err[QOSDT_CONFIG_ERRLEN];

	cfg = *base;
	cfg.mode = mode;
	cfg.adaptive.enabled = true;
	if (qosdt_config_validate(&cfg, err, sizeof(err)) != 0) {
		printf("config: %s\n", err);
		return -1;
	}
	sched = qosdt_sched_create("adaptive_test", &cfg, NULL, SOCKET_ID_ANY);
	ctl = qosdt_adaptive_create(&cfg, SOCKET_ID_ANY);
	now_ns = 0;
	return sched != NULL && ctl != NULL ? 0 : -1;
}

/* The defaults with three WRR classes (reliable not strict, throughput
 * tail-dropped): the weights alone, in @p mode.
 */
static int
ctl_start(enum qosdt_sched_mode mode)
{
	struct qosdt_config base;

	qosdt_config_defaults(&base);
	qos_test_three_wrr(&base);
	return ctl_start_cfg(&base, mode);
}

/* The real layout, config/qos.json's: realtime and reliable strict and
 * capped, throughput (sojourn drop) and best effort in the WRR.
 */
static int
ctl_start_real(void)
{
	struct qosdt_config base;

	qosdt_config_defaults(&base);
	return ctl_start_cfg(&base, QOSDT_MODE_PRIORITY);
}

static void
case_teardown(void)
{
	qosdt_adaptive_free(ctl);
	qosdt_sched_free(sched);
	ctl = NULL;
	sched = NULL;
}

/*
 * The load-shift scenario's normal phase: every class offers less than it
 * gets (realtime 200M under its 300M cap; 600M of WRR traffic in 800M).
 */
static void
obs_normal(struct qosdt_adaptive_obs *o)
{
	static const uint64_t mbps[QOSDT_NB_CLASSES] = { 200, 150, 150, 300 };
	/* The scenario's frames (config/load-shift.json). */
	static const uint32_t frame[QOSDT_NB_CLASSES] = { 960, 1360, 960, 472 };
	unsigned int c;

	memset(o, 0, sizeof(*o));
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		o->cls[c].frame_bytes = frame[c];
		o->cls[c].offered_bps = MBPS(mbps[c]);
		o->cls[c].throughput_bps = MBPS(mbps[c]);
		o->cls[c].p99_ns = US(20);
		o->cls[c].limit = cfg.classes[c].queue_limit;
		o->cls[c].backlog = 1;
	}
}

/* Class @p c missed its latency objective in this window. */
static void
obs_late(struct qosdt_adaptive_obs *o, unsigned int c, uint64_t p99_ns)
{
	o->cls[c].slo_missed |= QOSDT_SLO_MISSED_LATENCY;
	o->cls[c].p99_ns = p99_ns;
	o->cls[c].backlog = o->cls[c].limit;
}

/* Feed @p n windows of @p o, a control step after each; the number of
 * knob changes, or -1 if the scheduler refused one.
 */
static int
feed(const struct qosdt_adaptive_obs *o, unsigned int n)
{
	struct qosdt_adaptive_obs w = *o;
	int ret, total = 0;

	while (n-- > 0) {
		now_ns += WINDOW_NS;
		w.now_ns = now_ns;
		qosdt_adaptive_window(ctl, &w);
		ret = qosdt_adaptive_control(ctl, sched, now_ns);
		if (ret < 0)
			return -1;
		total += ret;
	}
	return total;
}

static uint8_t
weight_of(unsigned int c)
{
	return qosdt_sched_config(sched)->classes[c].weight;
}

static uint64_t
rt_cap(void)
{
	return qosdt_sched_config(sched)->classes[QOSDT_CLASS_REALTIME].rate_cap_bps;
}

static const struct qosdt_adaptive_change *
last_change(void)
{
	const struct qosdt_adaptive_change *ch;
	unsigned int n = qosdt_adaptive_timeline(ctl, &ch);

	return n == 0 ? NULL : &ch[n - 1];
}

/* Realtime doubles past its cap: the cap goes, in one step, to the first
 * level above its demand plus the cap headroom (400M + 20% -> 500M), not
 * further.
 */
static int
test_realtime_cap_raised(void)
{
	const struct qosdt_adaptive_change *ch;
	struct qosdt_adaptive_obs o;

	TEST_ASSERT_SUCCESS(ctl_start(QOSDT_MODE_PRIORITY), "start");
	obs_normal(&o);
	TEST_ASSERT_EQUAL(feed(&o, 20), 0, "a healthy load changed something");
	o.cls[QOSDT_CLASS_REALTIME].offered_bps = MBPS(400);
	o.cls[QOSDT_CLASS_REALTIME].throughput_bps = MBPS(300);
	obs_late(&o, QOSDT_CLASS_REALTIME, US(3500));
	TEST_ASSERT_EQUAL(feed(&o, 1), 1, "one change expected");
	TEST_ASSERT_EQUAL(rt_cap(), MBPS(500), "cap %" PRIu64, rt_cap());
	ch = last_change();
	TEST_ASSERT(ch != NULL && ch->cls == QOSDT_CLASS_REALTIME &&
		ch->knob == QOSDT_ADAPTIVE_RATE_CAP &&
		ch->reason == QOSDT_ADAPTIVE_LATENCY &&
		ch->from == MBPS(300) && ch->to == MBPS(500) &&
		ch->measured == US(3500) && ch->objective == US(200),
		"change not recorded as it was made");
	TEST_ASSERT_EQUAL(ch->time_ns, now_ns, "change time");
	/* Served now: nothing more while the load stays. */
	obs_normal(&o);
	o.cls[QOSDT_CLASS_REALTIME].offered_bps = MBPS(400);
	o.cls[QOSDT_CLASS_REALTIME].throughput_bps = MBPS(400);
	TEST_ASSERT_EQUAL(feed(&o, 100), 0, "changed while the load held");
	TEST_ASSERT_EQUAL(rt_cap(), MBPS(500), "cap moved");
	return TEST_SUCCESS;
}

/* A throughput burst: its weight goes to the model's answer at once. */
static int
test_weight_raised_to_need(void)
{
	const struct qosdt_adaptive_change *ch;
	struct qosdt_adaptive_obs o;

	TEST_ASSERT_SUCCESS(ctl_start(QOSDT_MODE_PRIORITY), "start");
	obs_normal(&o);
	o.cls[QOSDT_CLASS_THROUGHPUT].offered_bps = MBPS(470);
	o.cls[QOSDT_CLASS_THROUGHPUT].throughput_bps = MBPS(433);
	obs_late(&o, QOSDT_CLASS_THROUGHPUT, US(15000));
	TEST_ASSERT_EQUAL(feed(&o, 1), 1, "one change expected");
	/*
	 * 800M for the WRR classes; reliable takes its 150M + 10%; throughput
	 * needs 517M (470M + 10%) of the 635M left against best effort's
	 * weight 1: w/(w+1) x 635M >= 517M first at w = 5.
	 */
	TEST_ASSERT_EQUAL(weight_of(QOSDT_CLASS_THROUGHPUT), 5, "weight %u",
		weight_of(QOSDT_CLASS_THROUGHPUT));
	TEST_ASSERT_EQUAL(weight_of(QOSDT_CLASS_RELIABLE), 2, "reliable moved");
	TEST_ASSERT_EQUAL(weight_of(QOSDT_CLASS_BEST_EFFORT), 1, "best effort moved");
	ch = last_change();
	TEST_ASSERT(ch != NULL && ch->cls == QOSDT_CLASS_THROUGHPUT &&
		ch->knob == QOSDT_ADAPTIVE_WEIGHT && ch->from == 2 && ch->to == 5,
		"change not recorded");
	return TEST_SUCCESS;
}

/* Bounds hold whatever the demand; the lower classes give only while the
 * model says they keep their SLO: then the trade is refused, and what it
 * would have done to whom is kept.
 */
static int
test_bounds_respected(void)
{
	const struct qosdt_adaptive_bounds *b = cfg.adaptive.bounds;
	struct qosdt_adaptive_status st;
	struct qosdt_adaptive_obs o;
	unsigned int i, c;

	TEST_ASSERT_SUCCESS(ctl_start(QOSDT_MODE_PRIORITY), "start");
	b = cfg.adaptive.bounds;
	obs_normal(&o);
	o.cls[QOSDT_CLASS_REALTIME].offered_bps = MBPS(5000);
	obs_late(&o, QOSDT_CLASS_REALTIME, US(9000));
	o.cls[QOSDT_CLASS_THROUGHPUT].offered_bps = MBPS(5000);
	obs_late(&o, QOSDT_CLASS_THROUGHPUT, US(9000));
	for (i = 0; i < 200; i++) {
		TEST_ASSERT(feed(&o, 1) >= 0, "refused");
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			TEST_ASSERT(weight_of(c) >= b[c].weight_min &&
				weight_of(c) <= b[c].weight_max,
				"%s weight %u out of [%u, %u]",
				qosdt_class_name(c), weight_of(c),
				b[c].weight_min, b[c].weight_max);
		TEST_ASSERT(rt_cap() >= b[0].rate_cap_min_bps &&
			rt_cap() <= b[0].rate_cap_max_bps, "cap out of bounds");
	}
	qosdt_adaptive_status_read(ctl, &st);
	/* Realtime's cap would take from throughput, short already and past
	 * its objective with its tail-dropped queue: not made.
	 */
	TEST_ASSERT_EQUAL(rt_cap(), cfg.classes[QOSDT_CLASS_REALTIME].rate_cap_bps,
		"realtime raised at throughput's expense");
	TEST_ASSERT(st.counters.at_bound > 0, "at_bound not counted");
	TEST_ASSERT(st.counters.trades > 0, "no trade counted");
	TEST_ASSERT(st.counters.trades_refused > 0,
		"every class gave without limit: no trade refused");
	TEST_ASSERT_EQUAL(st.last_refused.outcome, QOSDT_ADAPTIVE_REFUSED,
		"last refused trade not recorded");
	TEST_ASSERT(st.last_refused.hurt_cls < QOSDT_NB_CLASSES &&
		st.last_refused.hurt_p99_ns > st.last_refused.hurt_objective_ns,
		"the refused trade does not show whom it would have made miss");
	TEST_ASSERT_EQUAL(st.counters.decays, 0,
		"decayed while the demand stayed beyond every bound (a limit cycle)");
	TEST_ASSERT_EQUAL(st.counters.refused, 0, "refused");
	return TEST_SUCCESS;
}

/* After the burst: one level back per healthy_windows healthy windows,
 * down to the baseline, then nothing.
 */
static int
test_decays_back(void)
{
	uint32_t n = cfg.adaptive.healthy_windows;
	struct qosdt_adaptive_status st;
	struct qosdt_adaptive_obs o;
	unsigned int i;

	TEST_ASSERT_SUCCESS(test_weight_raised_to_need(), "raise");
	n = cfg.adaptive.healthy_windows;
	obs_normal(&o);
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_EQUAL(feed(&o, n - 1), 0, "decayed before %u windows", n);
		TEST_ASSERT_EQUAL(feed(&o, 1), 1, "no decay after %u windows", n);
		TEST_ASSERT_EQUAL(weight_of(QOSDT_CLASS_THROUGHPUT), 4 - i,
			"weight %u", weight_of(QOSDT_CLASS_THROUGHPUT));
		TEST_ASSERT_EQUAL(last_change()->reason, QOSDT_ADAPTIVE_DECAY,
			"reason");
	}
	TEST_ASSERT_EQUAL(feed(&o, 200), 0, "changed at the baseline");
	qosdt_adaptive_status_read(ctl, &st);
	TEST_ASSERT_EQUAL(st.counters.decays, 3, "decays counted");
	TEST_ASSERT_EQUAL(st.weight[QOSDT_CLASS_THROUGHPUT],
		st.base_weight[QOSDT_CLASS_THROUGHPUT], "status not at baseline");
	return TEST_SUCCESS;
}

/* Healthy only because of the raise: no decay, so no oscillation. */
static int
test_no_decay_while_needed(void)
{
	struct qosdt_adaptive_obs o;

	TEST_ASSERT_SUCCESS(test_weight_raised_to_need(), "raise");
	obs_normal(&o);
	o.cls[QOSDT_CLASS_THROUGHPUT].offered_bps = MBPS(450);
	o.cls[QOSDT_CLASS_THROUGHPUT].throughput_bps = MBPS(450);
	o.cls[QOSDT_CLASS_BEST_EFFORT].throughput_bps = MBPS(150);
	TEST_ASSERT_EQUAL(feed(&o, 500), 0, "changed while the load held");
	TEST_ASSERT_EQUAL(weight_of(QOSDT_CLASS_THROUGHPUT), 5, "weight moved");
	return TEST_SUCCESS;
}

/* Late with rate to spare (a host stall, a burst): the model has no
 * reason for it, so nothing changes however long it lasts; it is counted.
 */
static int
test_unexplained_miss_changes_nothing(void)
{
	struct qosdt_adaptive_status st;
	struct qosdt_adaptive_obs o, late;

	TEST_ASSERT_SUCCESS(ctl_start(QOSDT_MODE_PRIORITY), "start");
	obs_normal(&o);
	late = o;
	obs_late(&late, QOSDT_CLASS_THROUGHPUT, US(4000));
	late.cls[QOSDT_CLASS_THROUGHPUT].backlog = 3;
	obs_late(&late, QOSDT_CLASS_REALTIME, US(400));
	TEST_ASSERT_EQUAL(feed(&late, 50), 0, "a change the model cannot justify");
	TEST_ASSERT_EQUAL(weight_of(QOSDT_CLASS_THROUGHPUT), 2, "weight moved");
	TEST_ASSERT_EQUAL(rt_cap(), MBPS(300),
		"raised realtime's cap, which does not bind (200M under 300M)");
	qosdt_adaptive_status_read(ctl, &st);
	TEST_ASSERT_EQUAL(st.counters.unexplained, 100,
		"unexplained misses counted %" PRIu64, st.counters.unexplained);
	return TEST_SUCCESS;
}

/* A decay followed at once by a miss of the class it took from is undone
 * in the next control step and not repeated while the load lasts; once
 * the load falls, the next decay waits twice as long.
 */
static int
test_decay_undone(void)
{
	uint32_t n = cfg.adaptive.healthy_windows;
	const struct qosdt_adaptive_change *ch;
	struct qosdt_adaptive_status st;
	struct qosdt_adaptive_obs o, late;

	TEST_ASSERT_SUCCESS(test_weight_raised_to_need(), "raise");
	n = cfg.adaptive.healthy_windows;
	/* 300M: the model says weight 4 serves it; say it is wrong. */
	obs_normal(&o);
	o.cls[QOSDT_CLASS_THROUGHPUT].offered_bps = MBPS(300);
	late = o;
	obs_late(&late, QOSDT_CLASS_THROUGHPUT, US(2000));
	TEST_ASSERT_EQUAL(feed(&o, n), 1, "no decay");
	TEST_ASSERT_EQUAL(weight_of(QOSDT_CLASS_THROUGHPUT), 4, "decay");
	TEST_ASSERT_EQUAL(feed(&late, 1), 1, "not undone in the next step");
	TEST_ASSERT_EQUAL(weight_of(QOSDT_CLASS_THROUGHPUT), 5, "undo");
	ch = last_change();
	TEST_ASSERT(ch->reason == QOSDT_ADAPTIVE_UNDO && ch->from == 4 &&
		ch->to == 5, "undo not recorded as such");
	qosdt_adaptive_status_read(ctl, &st);
	TEST_ASSERT_EQUAL(st.counters.undone, 1, "undo not counted");
	TEST_ASSERT_EQUAL(st.counters.backoffs, 1, "backoff not counted");
	TEST_ASSERT_EQUAL(st.recent[st.nb_recent - 2].outcome,
		QOSDT_ADAPTIVE_UNDONE, "the decay not marked undone");
	TEST_ASSERT_EQUAL(feed(&o, 500), 0, "decayed again under the same load");
	/* The load falls to 150M: healthy for long, it decays at once; the
	 * next decay waits 2n windows.
	 */
	obs_normal(&o);
	TEST_ASSERT_EQUAL(feed(&o, 1), 1, "no decay once the load fell");
	TEST_ASSERT_EQUAL(feed(&o, 2 * n - 1), 0, "decayed before %u windows",
		2 * n);
	TEST_ASSERT_EQUAL(feed(&o, 1), 1, "no decay after %u windows", 2 * n);
	return TEST_SUCCESS;
}

/* A raise judged on the first window from its second on in which the
 * class it was for met its SLO: more classes late there than in the window
 * it acted on, classes it took from among them, undoes it, and it is not
 * made again under that load. While the class it was for is still late
 * (the shift's backlog, a host stall), nothing is judged.
 */
static int
test_raise_undone_not_for_a_stall(void)
{
	struct qosdt_adaptive_obs o, late, worse, stall;

	TEST_ASSERT_SUCCESS(ctl_start_real(), "start");
	obs_normal(&o);
	o.cls[QOSDT_CLASS_REALTIME].offered_bps = MBPS(400);
	TEST_ASSERT_EQUAL(feed(&o, 5), 0, "changed");
	late = o;
	obs_late(&late, QOSDT_CLASS_REALTIME, US(9000));
	TEST_ASSERT_EQUAL(feed(&late, 1), 2, "no raise");
	TEST_ASSERT_EQUAL(rt_cap(), MBPS(500), "raise");
	/* Realtime recovered, but two classes it took from (reliable's cap,
	 * best effort's share) are late: two against one; throughput, which
	 * it did not touch (served either way), is not. The first window
	 * after it drains; the second judges.
	 */
	worse = o;
	obs_late(&worse, QOSDT_CLASS_RELIABLE, US(2000));
	obs_late(&worse, QOSDT_CLASS_BEST_EFFORT, US(9000));
	worse.cls[QOSDT_CLASS_RELIABLE].backlog = 10;
	TEST_ASSERT_EQUAL(feed(&worse, 1), 0, "judged on the window that drains");
	TEST_ASSERT_EQUAL(feed(&worse, 1), 2, "not undone");
	TEST_ASSERT_EQUAL(rt_cap(), MBPS(300), "cap %" PRIu64, rt_cap());
	TEST_ASSERT_EQUAL(last_change()->reason, QOSDT_ADAPTIVE_UNDO, "reason");
	/* Realtime misses again under the same load: not raised again. */
	TEST_ASSERT_EQUAL(feed(&late, 20), 0, "raised again after its undo");
	case_teardown();

	/* The same, with realtime still late in every window after: a stall
	 * or the shift's backlog, not evidence; nothing undone.
	 */
	TEST_ASSERT_SUCCESS(ctl_start_real(), "start");
	TEST_ASSERT_EQUAL(feed(&o, 5), 0, "changed");
	TEST_ASSERT_EQUAL(feed(&late, 1), 2, "no raise");
	stall = worse;
	obs_late(&stall, QOSDT_CLASS_REALTIME, US(3000));
	TEST_ASSERT_EQUAL(feed(&stall, 4), 0, "undone while its class was late");
	TEST_ASSERT_EQUAL(rt_cap(), MBPS(500), "cap moved");
	return TEST_SUCCESS;
}

/* Each change keeps the windows each class missed in before and after it,
 * and says whether it made things better than the window it acted on.
 */
static int
test_effect_recorded(void)
{
	const struct qosdt_adaptive_change *ch;
	struct qosdt_adaptive_obs o;
	unsigned int c;

	TEST_ASSERT_SUCCESS(ctl_start(QOSDT_MODE_PRIORITY), "start");
	obs_normal(&o);
	TEST_ASSERT_EQUAL(feed(&o, 10), 0, "changed");
	o.cls[QOSDT_CLASS_THROUGHPUT].offered_bps = MBPS(470);
	obs_late(&o, QOSDT_CLASS_THROUGHPUT, US(15000));
	TEST_ASSERT_EQUAL(feed(&o, 1), 1, "no raise");
	ch = last_change();
	TEST_ASSERT(ch->windows_before == QOSDT_ADAPTIVE_EFFECT_WINDOWS &&
		ch->missed_before[QOSDT_CLASS_THROUGHPUT] == 1,
		"before: %u windows, throughput missed %u", ch->windows_before,
		ch->missed_before[QOSDT_CLASS_THROUGHPUT]);
	TEST_ASSERT_EQUAL(ch->outcome, QOSDT_ADAPTIVE_PENDING, "judged early");
	obs_normal(&o);
	o.cls[QOSDT_CLASS_THROUGHPUT].offered_bps = MBPS(470);
	TEST_ASSERT_EQUAL(feed(&o, QOSDT_ADAPTIVE_EFFECT_WINDOWS), 0, "changed");
	ch = last_change();
	TEST_ASSERT_EQUAL(ch->windows_after, QOSDT_ADAPTIVE_EFFECT_WINDOWS,
		"after: %u windows", ch->windows_after);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		TEST_ASSERT_EQUAL(ch->missed_after[c], 0, "missed after");
	TEST_ASSERT_EQUAL(ch->outcome, QOSDT_ADAPTIVE_BETTER, "outcome %s",
		qosdt_adaptive_outcome_name(ch->outcome));
	return TEST_SUCCESS;
}

/* The real layout: realtime doubling past its cap takes it to what its two
 * TCs need (400M + 25%: 500M); the scheduler refuses that while reliable's
 * 400M cap leaves throughput's guarantee no room, so reliable's cap gives
 * one level (its 150M over three TCs keeps its SLO), and the trade with
 * best effort (what realtime takes from the WRR) is recorded.
 */
static int
test_real_realtime_cap_with_donor(void)
{
	const struct qosdt_adaptive_change *ch;
	const struct qosdt_config *run;
	struct qosdt_adaptive_status st;
	struct qosdt_adaptive_obs o;
	unsigned int n, i;
	bool trade = false;

	TEST_ASSERT_SUCCESS(ctl_start_real(), "start");
	obs_normal(&o);
	TEST_ASSERT_EQUAL(feed(&o, 20), 0, "a healthy load changed something");
	o.cls[QOSDT_CLASS_REALTIME].offered_bps = MBPS(400);
	obs_late(&o, QOSDT_CLASS_REALTIME, US(9000));
	obs_late(&o, QOSDT_CLASS_RELIABLE, US(4000));
	o.cls[QOSDT_CLASS_RELIABLE].backlog = 10;
	TEST_ASSERT_EQUAL(feed(&o, 1), 2, "two changes expected");
	run = qosdt_sched_config(sched);
	TEST_ASSERT_EQUAL(run->classes[QOSDT_CLASS_REALTIME].rate_cap_bps,
		MBPS(500), "realtime cap %" PRIu64,
		run->classes[QOSDT_CLASS_REALTIME].rate_cap_bps);
	TEST_ASSERT_EQUAL(run->classes[QOSDT_CLASS_RELIABLE].rate_cap_bps,
		MBPS(350), "reliable cap %" PRIu64,
		run->classes[QOSDT_CLASS_RELIABLE].rate_cap_bps);
	n = qosdt_adaptive_timeline(ctl, &ch);
	for (i = 0; i < n; i++) {
		if (ch[i].cls == QOSDT_CLASS_RELIABLE)
			TEST_ASSERT(ch[i].for_cls == QOSDT_CLASS_REALTIME &&
				ch[i].knob == QOSDT_ADAPTIVE_RATE_CAP,
				"reliable's cap not given for realtime");
		if (ch[i].hurt_cls == QOSDT_CLASS_BEST_EFFORT &&
				ch[i].hurt_p99_ns <= ch[i].hurt_objective_ns)
			trade = true;
	}
	TEST_ASSERT(trade, "the trade with best effort not recorded");
	qosdt_adaptive_status_read(ctl, &st);
	TEST_ASSERT_EQUAL(st.cap_bps[QOSDT_CLASS_RELIABLE], MBPS(350), "status");
	/* Served: nothing more while the load stays. */
	obs_normal(&o);
	o.cls[QOSDT_CLASS_REALTIME].offered_bps = MBPS(400);
	TEST_ASSERT_EQUAL(feed(&o, 100), 0, "changed while the load held");
	return TEST_SUCCESS;
}

/* The model serves a strict class per TC: realtime offers 250M, under its
 * 300M cap, but 200M of it on its 100 us TC, which gets half the cap: the
 * cap goes to what that TC needs (200M + 25%, twice: 500M).
 */
static int
test_real_per_tc_demand(void)
{
	struct qosdt_adaptive_obs o;

	TEST_ASSERT_SUCCESS(ctl_start_real(), "start");
	obs_normal(&o);
	TEST_ASSERT_EQUAL(feed(&o, 5), 0, "changed");
	o.cls[QOSDT_CLASS_REALTIME].offered_bps = MBPS(250);
	o.cls[QOSDT_CLASS_REALTIME].nb_tc = 2;
	o.cls[QOSDT_CLASS_REALTIME].tc_offered_bps[0] = MBPS(200);
	o.cls[QOSDT_CLASS_REALTIME].tc_offered_bps[1] = MBPS(50);
	obs_late(&o, QOSDT_CLASS_REALTIME, US(3000));
	TEST_ASSERT(feed(&o, 1) >= 1, "a TC over its share of the cap: no raise");
	TEST_ASSERT_EQUAL(rt_cap(), MBPS(500), "cap %" PRIu64, rt_cap());
	return TEST_SUCCESS;
}

/* The trade rule, mixed-overload's case: throughput offered past its
 * share, best effort flooding with 1300 B frames. Raising throughput would
 * push best effort's queue (its limit at what it would get) past its 5 ms
 * objective: the trade is refused, and the reason kept.
 */
static int
test_real_trade_refused(void)
{
	struct qosdt_adaptive_status st;
	struct qosdt_adaptive_obs o;

	struct qosdt_config base;

	/* Tail-dropped, throughput short of rate misses its objective in the
	 * model (its full queue at its share): raising it is justified. With
	 * its sojourn drop it would not be (twice 300 us is within 1 ms).
	 */
	qosdt_config_defaults(&base);
	base.classes[QOSDT_CLASS_THROUGHPUT].drop = QOSDT_DROP_TAIL;
	memset(&base.classes[QOSDT_CLASS_THROUGHPUT].sojourn, 0,
		sizeof(base.classes[QOSDT_CLASS_THROUGHPUT].sojourn));
	TEST_ASSERT_SUCCESS(ctl_start_cfg(&base, QOSDT_MODE_PRIORITY), "start");
	obs_normal(&o);
	o.cls[QOSDT_CLASS_REALTIME].offered_bps = MBPS(6);
	o.cls[QOSDT_CLASS_RELIABLE].offered_bps = MBPS(250);
	o.cls[QOSDT_CLASS_THROUGHPUT].offered_bps = MBPS(600);
	o.cls[QOSDT_CLASS_BEST_EFFORT].offered_bps = MBPS(1000);
	o.cls[QOSDT_CLASS_THROUGHPUT].frame_bytes = 1400;
	o.cls[QOSDT_CLASS_BEST_EFFORT].frame_bytes = 1300;
	obs_late(&o, QOSDT_CLASS_THROUGHPUT, US(2000));
	TEST_ASSERT_EQUAL(feed(&o, 20), 0, "traded best effort's SLO away");
	TEST_ASSERT_EQUAL(weight_of(QOSDT_CLASS_THROUGHPUT), 2, "weight moved");
	qosdt_adaptive_status_read(ctl, &st);
	TEST_ASSERT(st.counters.trades_refused > 0, "refusal not counted");
	TEST_ASSERT(st.last_refused.for_cls == QOSDT_CLASS_THROUGHPUT &&
		st.last_refused.hurt_cls == QOSDT_CLASS_BEST_EFFORT &&
		st.last_refused.hurt_p99_ns > st.last_refused.hurt_objective_ns &&
		st.last_refused.hurt_objective_ns == US(5000) &&
		st.last_refused.hurt_rule == QOSDT_ADAPTIVE_RULE_SLO,
		"refused trade: for %u, hurt %u, p99 %" PRIu64 " ns",
		st.last_refused.for_cls, st.last_refused.hurt_cls,
		st.last_refused.hurt_p99_ns);
	return TEST_SUCCESS;
}

/* The AQM target: a sojourn class short of rate nobody can give it, whose
 * target is too long for its objective (twice 600 us > 1 ms), gets the
 * longest target that fits (500 us); back to 600 us once healthy.
 */
static int
test_real_aqm_target(void)
{
	struct qosdt_sched_knobs k;
	struct qosdt_config base;
	struct qosdt_adaptive_obs o;

	qosdt_config_defaults(&base);
	base.classes[QOSDT_CLASS_THROUGHPUT].sojourn.target_ns = US(600);
	base.adaptive.bounds[QOSDT_CLASS_THROUGHPUT].weight_max = 2;
	TEST_ASSERT_SUCCESS(ctl_start_cfg(&base, QOSDT_MODE_PRIORITY), "start");
	obs_normal(&o);
	o.cls[QOSDT_CLASS_THROUGHPUT].offered_bps = MBPS(600);
	obs_late(&o, QOSDT_CLASS_THROUGHPUT, US(1300));
	TEST_ASSERT_EQUAL(feed(&o, 1), 1, "target not shortened");
	qosdt_sched_knobs_get(sched, &k);
	TEST_ASSERT_EQUAL(k.sojourn_target_ns[QOSDT_CLASS_THROUGHPUT], US(500),
		"target %" PRIu64, k.sojourn_target_ns[QOSDT_CLASS_THROUGHPUT]);
	TEST_ASSERT_EQUAL(last_change()->knob, QOSDT_ADAPTIVE_AQM_TARGET, "knob");
	obs_normal(&o);
	TEST_ASSERT_EQUAL(feed(&o, 20), 1, "not back to its length");
	qosdt_sched_knobs_get(sched, &k);
	TEST_ASSERT_EQUAL(k.sojourn_target_ns[QOSDT_CLASS_THROUGHPUT], US(600),
		"target %" PRIu64, k.sojourn_target_ns[QOSDT_CLASS_THROUGHPUT]);
	return TEST_SUCCESS;
}

/* Throughput and best effort both late: best effort, lower, waits and
 * even gives; it never takes back what throughput needs.
 */
static int
test_lower_class_waits(void)
{
	struct qosdt_adaptive_obs o;

	TEST_ASSERT_SUCCESS(ctl_start(QOSDT_MODE_WRR), "start");
	obs_normal(&o);
	o.cls[QOSDT_CLASS_THROUGHPUT].offered_bps = MBPS(5000);
	obs_late(&o, QOSDT_CLASS_THROUGHPUT, US(9000));
	obs_late(&o, QOSDT_CLASS_BEST_EFFORT, US(90000));
	TEST_ASSERT(feed(&o, 20) > 0, "nothing raised");
	TEST_ASSERT(weight_of(QOSDT_CLASS_THROUGHPUT) >
		cfg.classes[QOSDT_CLASS_THROUGHPUT].weight, "throughput not raised");
	TEST_ASSERT(weight_of(QOSDT_CLASS_BEST_EFFORT) <=
		cfg.classes[QOSDT_CLASS_BEST_EFFORT].weight,
		"best effort raised while throughput, higher, missed");
	return TEST_SUCCESS;
}

/* Random windows in every mode: each change is one rte_sched takes and
 * stays within the bounds.
 */
static int
test_random_never_refused(void)
{
	static const enum qosdt_sched_mode modes[] = {
		QOSDT_MODE_PRIORITY, QOSDT_MODE_WRR, QOSDT_MODE_FIFO,
	};
	const struct qosdt_adaptive_bounds *b;
	struct qosdt_adaptive_status st;
	struct qosdt_adaptive_obs o;
	unsigned int m, i, c;
	uint64_t changes = 0;

	srand(7);
	for (m = 0; m < RTE_DIM(modes); m++) {
		TEST_ASSERT_SUCCESS(ctl_start(modes[m]), "start");
		b = cfg.adaptive.bounds;
		for (i = 0; i < 3000; i++) {
			obs_normal(&o);
			for (c = 0; c < QOSDT_NB_CLASSES; c++) {
				o.cls[c].offered_bps = MBPS(rand() % 1200);
				o.cls[c].throughput_bps = MBPS(rand() % 1000);
				o.cls[c].backlog = rand() % (o.cls[c].limit + 1);
				o.cls[c].held = rand() % 4 == 0 ? rand() % 100 : 0;
				if (rand() % 3 == 0)
					obs_late(&o, c, US(rand() % 10000));
				if (rand() % 8 == 0)
					o.cls[c].slo_missed |= QOSDT_SLO_MISSED_BANDWIDTH;
			}
			TEST_ASSERT(feed(&o, 1) >= 0, "%s: window %u refused",
				qosdt_mode_name(modes[m]), i);
			for (c = 0; c < QOSDT_NB_CLASSES; c++)
				TEST_ASSERT(weight_of(c) >= b[c].weight_min &&
					weight_of(c) <= b[c].weight_max,
					"weight out of bounds");
			if (modes[m] == QOSDT_MODE_PRIORITY)
				TEST_ASSERT(rt_cap() >= b[0].rate_cap_min_bps &&
					rt_cap() <= b[0].rate_cap_max_bps,
					"cap out of bounds");
		}
		qosdt_adaptive_status_read(ctl, &st);
		printf("  %s: %" PRIu64 " changes in 3000 windows, %" PRIu64 " refused\n",
			qosdt_mode_name(modes[m]), st.counters.changes,
			st.counters.refused);
		TEST_ASSERT_EQUAL(st.counters.refused, 0, "refused");
		if (modes[m] == QOSDT_MODE_FIFO)
			TEST_ASSERT_EQUAL(st.counters.changes, 0,
				"fifo has no knob, yet something changed");
		changes += st.counters.changes;
		case_teardown();
	}
	TEST_ASSERT(changes > 0, "the random windows exercised nothing");
	return TEST_SUCCESS;
}

/*
 * End to end through qosdt_dequeue_burst() on a real instance, on clocks the
 * test sets: every realtime message is stamped E2E_LATE_MS in the past
 * (qosdt_classify_burst() takes the classification TSC its latency is
 * measured from), and the monitor's first window starts one window in the
 * past (qosdt_monitor_reset()), so the first dequeue closes it. Each window
 * then misses realtime's objective by far whatever the host does; the
 * controller (on, priority mode) sees it from the dequeues alone and raises
 * realtime's cap for latency; the instance runs the cap the timeline says.
 * The load gone then (idle dequeues: no message a host stall could make
 * late), the cap decays back to the configured one. Off, the same late load
 * changes nothing. Windows and control periods are E2E_WINDOW_MS (real
 * time).
 */
#define E2E_WINDOW_MS 10
#define E2E_LATE_MS 5
#define E2E_BURST 8
#define E2E_DEADLINE_S 10

/* One burst of late realtime requests through q, all drained; without
 * load, one idle dequeue (a millisecond apart).
 */
static int
e2e_burst(struct qosdt *q, bool load, uint64_t *id)
{
	struct rte_mbuf *pkts[E2E_BURST];
	uint64_t tsc = rte_rdtsc() - rte_get_tsc_hz() * E2E_LATE_MS / 1000;
	unsigned int i, out = 0;

	if (!load) {
		TEST_ASSERT_EQUAL(qosdt_dequeue_burst(q, pkts, E2E_BURST), 0,
			"a message out of an idle instance");
		rte_delay_us_sleep(1000);
		return 0;
	}
	for (i = 0; i < E2E_BURST; i++) {
		pkts[i] = qos_test_request(qosdt_pool(q, QOSDT_CLASS_REALTIME), 1,
			(*id)++, 16);
		if (pkts[i] == NULL) {
			rte_pktmbuf_free_bulk(pkts, i);
			return -1;
		}
	}
	if (qosdt_classify_burst(q->classifier, pkts, E2E_BURST, tsc) != 0 ||
			qosdt_enqueue_classified_burst(q, pkts, E2E_BURST) !=
			E2E_BURST) {
		printf("a realtime burst was refused\n");
		return -1;
	}
	while (out < E2E_BURST) {
		uint16_t n = qosdt_dequeue_burst(q, pkts, E2E_BURST);

		rte_pktmbuf_free_bulk(pkts, n);
		out += n;
	}
	return 0;
}

/* realtime's cap the instance runs */
static uint64_t
e2e_cap(const struct qosdt *q)
{
	return qosdt_config_of(q)->classes[QOSDT_CLASS_REALTIME].rate_cap_bps;
}

/* Feed bursts until the cap the instance runs is (or is not) @p cap, or
 * the deadline passes; 0 when it got there.
 */
static int
e2e_until(struct qosdt *q, bool load, uint64_t *id, uint64_t cap, bool is)
{
	uint64_t end = rte_get_timer_cycles() +
		E2E_DEADLINE_S * rte_get_timer_hz();

	while (rte_get_timer_cycles() < end) {
		if (e2e_burst(q, load, id) != 0)
			return -1;
		if ((e2e_cap(q) == cap) == is)
			return 0;
	}
	return -1;
}

static int
test_dequeue_drives_controller(void)
{
	uint64_t base, id = 1, window_ns = E2E_WINDOW_MS * UINT64_C(1000000);
	const struct qosdt_adaptive_change *ch;
	struct qosdt_adaptive_status st;
	struct qosdt_stats stats;
	struct qosdt *q;
	unsigned int i, n;

	qosdt_config_defaults(&cfg);
	cfg.mode = QOSDT_MODE_PRIORITY;
	cfg.window_ms = E2E_WINDOW_MS;
	cfg.adaptive.period_ms = E2E_WINDOW_MS;
	base = cfg.classes[QOSDT_CLASS_REALTIME].rate_cap_bps;

	/* Off: the late load changes nothing. */
	q = qosdt_create("e2e_off", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create: %s", rte_strerror(rte_errno));
	qosdt_monitor_reset(q->mon[0], qosdt_monitor_now_ns() - window_ns);
	do {
		TEST_ASSERT_SUCCESS(e2e_burst(q, true, &id), "burst");
		qosdt_stats_read(q, &stats);
	} while (stats.windows < 5);
	TEST_ASSERT(stats.cls[QOSDT_CLASS_REALTIME].latency_violations > 0,
		"the late messages violated nothing");
	TEST_ASSERT_EQUAL(e2e_cap(q), base, "the cap changed with the controller off");
	qosdt_free(q);

	/* On: raised from the dequeues alone. */
	cfg.adaptive.enabled = true;
	q = qosdt_create("e2e_on", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create: %s", rte_strerror(rte_errno));
	qosdt_monitor_reset(q->mon[0], qosdt_monitor_now_ns() - window_ns);
	TEST_ASSERT_SUCCESS(e2e_burst(q, true, &id), "first burst");
	qosdt_stats_read(q, &stats);
	TEST_ASSERT_EQUAL(stats.windows, 1, "the first dequeue closed %" PRIu64
		" windows", stats.windows);
	TEST_ASSERT_SUCCESS(e2e_until(q, true, &id, base, false),
		"realtime's cap not raised in %u s of late messages", E2E_DEADLINE_S);
	n = qosdt_adaptive_timeline(q->adaptive, &ch);
	TEST_ASSERT(n > 0, "the cap changed but the timeline is empty");
	TEST_ASSERT(ch[0].cls == QOSDT_CLASS_REALTIME &&
		ch[0].knob == QOSDT_ADAPTIVE_RATE_CAP &&
		ch[0].reason == QOSDT_ADAPTIVE_LATENCY && ch[0].from == base &&
		ch[0].to > base &&
		ch[0].measured >= E2E_LATE_MS * UINT64_C(1000000) * 9 / 10 &&
		ch[0].objective == cfg.classes[QOSDT_CLASS_REALTIME].slo.max_latency_ns,
		"first change: class %u knob %u reason %u, %" PRIu64 " -> %" PRIu64
		", measured %" PRIu64 " ns against %" PRIu64, ch[0].cls, ch[0].knob,
		ch[0].reason, ch[0].from, ch[0].to, ch[0].measured, ch[0].objective);
	/* The last change of realtime's cap (a donor's may follow it). */
	for (i = n; i-- > 0; )
		if (ch[i].cls == QOSDT_CLASS_REALTIME &&
				ch[i].knob == QOSDT_ADAPTIVE_RATE_CAP)
			break;
	TEST_ASSERT_EQUAL(e2e_cap(q), ch[i].to,
		"the instance runs %" PRIu64 ", realtime's last cap change set %" PRIu64,
		e2e_cap(q), ch[i].to);
	qosdt_adaptive_status_read(q->adaptive, &st);
	TEST_ASSERT(st.rate_cap_bps == e2e_cap(q) && st.counters.raises >= 1 &&
		st.counters.refused == 0, "status: cap %" PRIu64 ", raises %" PRIu64
		", refused %" PRIu64, st.rate_cap_bps, st.counters.raises,
		st.counters.refused);
	for (i = 0; i < QOSDT_NB_CLASSES; i++)
		TEST_ASSERT_EQUAL(qosdt_config_of(q)->classes[i].weight,
			cfg.classes[i].weight, "weight of class %u moved", i);
	printf("late messages: realtime's cap %" PRIu64 " -> %" PRIu64 " (p99 %"
		PRIu64 " ns against %" PRIu64 ")\n", base, e2e_cap(q),
		ch[0].measured, ch[0].objective);

	/* The load gone (no message: nothing a host stall can make late),
	 * back to the configured cap. */
	TEST_ASSERT_SUCCESS(e2e_until(q, false, &id, base, true),
		"realtime's cap still %" PRIu64 " after %u s without load",
		e2e_cap(q), E2E_DEADLINE_S);
	n = qosdt_adaptive_timeline(q->adaptive, &ch);
	TEST_ASSERT(ch[n - 1].reason == QOSDT_ADAPTIVE_DECAY &&
		ch[n - 1].to == base, "the last change (reason %u, to %" PRIu64
		") is not a decay to the configured cap", ch[n - 1].reason,
		ch[n - 1].to);
	qosdt_adaptive_status_read(q->adaptive, &st);
	TEST_ASSERT(st.rate_cap_bps == base && st.counters.decays >= 1,
		"status: cap %" PRIu64 ", decays %" PRIu64, st.rate_cap_bps,
		st.counters.decays);
	qosdt_stats_read(q, &stats);
	printf("load gone: back at %" PRIu64 " after %" PRIu64 " windows of "
		"%u ms in all\n", base, stats.windows, E2E_WINDOW_MS);
	qosdt_free(q);
	return TEST_SUCCESS;
}

/* Off is the static configuration: no controller; on, one. */
static int
test_instance_enabled_or_not(void)
{
	const struct qosdt_adaptive_change *ch;
	struct qosdt_adaptive_status st;
	unsigned int n;
	struct qosdt *q;

	qosdt_config_defaults(&cfg);
	q = qosdt_create("adapt_off", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_NULL(q->adaptive, "a controller while disabled");
	TEST_ASSERT(!qosdt_adaptive_enabled(q), "enabled while disabled");
	TEST_ASSERT_EQUAL(qosdt_adaptive_read(q, &st, &ch, &n), -ENOTSUP,
		"read while disabled");
	qosdt_free(q);
	cfg.adaptive.enabled = true;
	q = qosdt_create("adapt_on", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_NOT_NULL(q->adaptive, "no controller while enabled");
	TEST_ASSERT(qosdt_adaptive_enabled(q), "not enabled while enabled");
	TEST_ASSERT_SUCCESS(qosdt_adaptive_read(q, &st, &ch, &n), "read");
	TEST_ASSERT_EQUAL(n, 0u, "changes before any window");
	TEST_ASSERT(memcmp(st.weight, (uint8_t []){ cfg.classes[0].weight,
		cfg.classes[1].weight, cfg.classes[2].weight,
		cfg.classes[3].weight }, 4) == 0, "weights other than the config's");
	qosdt_free(q);
	return TEST_SUCCESS;
}

static struct unit_test_suite adaptive_suite = {
	.suite_name = "qosdt adaptive controller",
	.unit_test_cases = {
		TEST_CASE_ST(NULL, case_teardown, test_realtime_cap_raised),
		TEST_CASE_ST(NULL, case_teardown, test_weight_raised_to_need),
		TEST_CASE_ST(NULL, case_teardown, test_bounds_respected),
		TEST_CASE_ST(NULL, case_teardown, test_decays_back),
		TEST_CASE_ST(NULL, case_teardown, test_no_decay_while_needed),
		TEST_CASE_ST(NULL, case_teardown, test_unexplained_miss_changes_nothing),
		TEST_CASE_ST(NULL, case_teardown, test_decay_undone),
		TEST_CASE_ST(NULL, case_teardown, test_raise_undone_not_for_a_stall),
		TEST_CASE_ST(NULL, case_teardown, test_effect_recorded),
		TEST_CASE_ST(NULL, case_teardown, test_real_realtime_cap_with_donor),
		TEST_CASE_ST(NULL, case_teardown, test_real_per_tc_demand),
		TEST_CASE_ST(NULL, case_teardown, test_real_trade_refused),
		TEST_CASE_ST(NULL, case_teardown, test_real_aqm_target),
		TEST_CASE_ST(NULL, case_teardown, test_lower_class_waits),
		TEST_CASE_ST(NULL, case_teardown, test_random_never_refused),
		TEST_CASE(test_instance_enabled_or_not),
		TEST_CASE(test_dequeue_drives_controller),
		TEST_CASES_END()
	}
};

static int
test_qos_adaptive(void)
{
	return unit_test_suite_runner(&adaptive_suite);
}

REGISTER_TEST_COMMAND(qos_adaptive_autotest, test_qos_adaptive);
