/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * qosdt_monitor: counters, windows closed by explicit times (no sleeping),
 * the sliding throughput, each SLO rule, per-sample violations, reset, the
 * TSC clock, and snapshots that stay self-consistent while a writer on
 * lcore 1 records and closes windows as fast as it can.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_memory.h>
#include <rte_pause.h>

#include "qosdt_config.h"
#include "qosdt_monitor.h"
#include "test.h"

#define WINDOW_MS 100
#define WINDOW_NS (WINDOW_MS * UINT64_C(1000000))
/* The tests' own clock origin: any value works. */
#define T0 UINT64_C(1000000000000)

#define RT_MAX_LATENCY_NS 100000        /* realtime: p99 <= 100 us */
#define TP_MIN_BANDWIDTH_BPS 100000000  /* throughput: >= 100 Mbit/s */
#define REL_MAX_LOSS_PPM 1000           /* reliable: loss <= 0.1% */

static struct qosdt_config cfg;
static struct qosdt_monitor *mon;

/* Bytes that make @p bps over one test window. */
static uint64_t
window_bytes(uint64_t bps)
{
	return bps / 8 * WINDOW_MS / 1000;
}

/* The defaults, with this test's window and SLOs (one rule per class). */
static int
mon_setup(void)
{
	unsigned int c;

	qosdt_config_defaults(&cfg);
	cfg.window_ms = WINDOW_MS;
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		memset(&cfg.classes[c].slo, 0, sizeof(cfg.classes[c].slo));
	cfg.classes[QOSDT_CLASS_REALTIME].slo.max_latency_ns = RT_MAX_LATENCY_NS;
	cfg.classes[QOSDT_CLASS_THROUGHPUT].slo.min_bandwidth_bps =
		TP_MIN_BANDWIDTH_BPS;
	cfg.classes[QOSDT_CLASS_RELIABLE].slo.max_loss_ppm = REL_MAX_LOSS_PPM;
	cfg.classes[QOSDT_CLASS_RELIABLE].slo.has_max_loss = true;
	/* Best effort: "no loss at all" (0 ppm, given). */
	cfg.classes[QOSDT_CLASS_BEST_EFFORT].slo.has_max_loss = true;
	mon = qosdt_monitor_create(&cfg, SOCKET_ID_ANY);
	if (mon == NULL) {
		printf("qosdt_monitor_create: %s\n", rte_strerror(rte_errno));
		return TEST_FAILED;
	}
	qosdt_monitor_reset(mon, T0);
	return TEST_SUCCESS;
}

static void
mon_teardown(void)
{
	qosdt_monitor_free(mon);
	mon = NULL;
}

/* Close window number @p i (1-based) of the test clock. */
static int
close_window(unsigned int i)
{
	return qosdt_monitor_poll(mon, T0 + i * WINDOW_NS);
}

static int
test_create_refuses_bad_config(void)
{
	struct qosdt_config bad;

	rte_errno = 0;
	TEST_ASSERT_NULL(qosdt_monitor_create(NULL, SOCKET_ID_ANY),
		"NULL config accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "rte_errno for a NULL config");
	qosdt_config_defaults(&bad);
	bad.window_ms = 0;
	rte_errno = 0;
	TEST_ASSERT_NULL(qosdt_monitor_create(&bad, SOCKET_ID_ANY),
		"window_ms 0 accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "rte_errno for window_ms 0");
	qosdt_monitor_free(NULL);
	return TEST_SUCCESS;
}

static int
test_counters(void)
{
	struct qosdt_stats st;
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		qosdt_monitor_rx(mon, c, 100 + c, 1000 * (100 + c));
		qosdt_monitor_tx(mon, c, 90 + c, 900 * (90 + c));
		qosdt_monitor_drop(mon, c, 3 + c, 30 * (3 + c));
		qosdt_monitor_held(mon, c, 7 + c);
	}
	/* Out-of-range classes are ignored. */
	qosdt_monitor_rx(mon, QOSDT_NB_CLASSES, 1, 1);
	qosdt_monitor_tx(mon, UINT32_MAX, 1, 1);
	qosdt_monitor_drop(mon, QOSDT_NB_CLASSES, 1, 1);
	qosdt_monitor_held(mon, QOSDT_NB_CLASSES, 1);
	qosdt_monitor_latency(mon, QOSDT_NB_CLASSES, 1, 1);

	/* Nothing is published before the window closes. */
	TEST_ASSERT_EQUAL(qosdt_monitor_poll(mon, T0 + WINDOW_NS - 1), 0,
		"window closed early");
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(st.windows == 0 && st.cls[0].rx_pkts == 0 &&
		st.window_ns == WINDOW_NS,
		"snapshot before the first window: windows %" PRIu64
		" rx %" PRIu64 " window_ns %" PRIu64, st.windows,
		st.cls[0].rx_pkts, st.window_ns);

	TEST_ASSERT_EQUAL(close_window(1), 1, "window not closed when due");
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(st.windows == 1 && st.uptime_ns == WINDOW_NS,
		"windows %" PRIu64 " uptime %" PRIu64, st.windows, st.uptime_ns);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		TEST_ASSERT(st.cls[c].rx_pkts == 100 + c &&
			st.cls[c].rx_bytes == 1000 * (100 + c) &&
			st.cls[c].tx_pkts == 90 + c &&
			st.cls[c].tx_bytes == 900 * (90 + c) &&
			st.cls[c].drop_pkts == 3 + c &&
			st.cls[c].drop_bytes == 30 * (3 + c) &&
			st.cls[c].held_pkts == 7 + c &&
			st.cls[c].latency.count == 0,
			"class %u counters wrong", c);
	}
	/* Totals keep growing across windows. */
	qosdt_monitor_rx(mon, 0, 1, 10);
	TEST_ASSERT_EQUAL(close_window(2), 1, "second window");
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(st.windows == 2 && st.cls[0].rx_pkts == 101 &&
		st.cls[0].rx_bytes == 100010, "totals after two windows");
	return TEST_SUCCESS;
}

static int
test_window_closing(void)
{
	struct qosdt_stats st;
	uint64_t bytes = window_bytes(40000000);

	/* A late poll closes one window covering all the elapsed time. */
	qosdt_monitor_tx(mon, 1, 1000, bytes);
	TEST_ASSERT_EQUAL(qosdt_monitor_poll(mon, T0 + 2 * WINDOW_NS), 1,
		"late poll did not close the window");
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(st.windows == 1 && st.uptime_ns == 2 * WINDOW_NS,
		"one window of two periods expected");
	TEST_ASSERT_EQUAL(st.cls[1].window_throughput_bps, 20000000,
		"rate over the real window length");

	/* The next window starts at that poll, not on a fixed grid. */
	TEST_ASSERT_EQUAL(qosdt_monitor_poll(mon, T0 + 2 * WINDOW_NS +
		WINDOW_NS / 2), 0, "closed half a window after the last");
	TEST_ASSERT_EQUAL(qosdt_monitor_poll(mon, T0 + 3 * WINDOW_NS - 1), 0,
		"closed 1 ns early");
	TEST_ASSERT_EQUAL(qosdt_monitor_poll(mon, T0 + 3 * WINDOW_NS), 1,
		"not closed when due");
	/* A clock earlier than the window start closes nothing. */
	TEST_ASSERT_EQUAL(qosdt_monitor_poll(mon, T0), 0,
		"a time in the past closed a window");
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(st.windows == 2 && st.cls[1].window_throughput_bps == 0 &&
		st.cls[1].tx_bytes == bytes, "second (empty) window");
	return TEST_SUCCESS;
}

static int
test_sliding_throughput(void)
{
	const uint64_t mbit = 1000000;
	struct qosdt_stats st;
	uint64_t sum_tx, sum_rx;
	unsigned int i, j, span;

	/* Window i delivers i * 10 Mbit/s and is offered i * 30 Mbit/s. */
	for (i = 1; i <= 3 * QOSDT_MONITOR_RATE_WINDOWS; i++) {
		qosdt_monitor_rx(mon, 2, i, window_bytes(i * 30 * mbit));
		qosdt_monitor_tx(mon, 2, i, window_bytes(i * 10 * mbit));
		TEST_ASSERT_EQUAL(close_window(i), 1, "window %u", i);
		qosdt_monitor_read(mon, &st);
		span = RTE_MIN(i, QOSDT_MONITOR_RATE_WINDOWS);
		sum_tx = 0;
		sum_rx = 0;
		for (j = i - span + 1; j <= i; j++) {
			sum_tx += j * 10 * mbit;
			sum_rx += j * 30 * mbit;
		}
		TEST_ASSERT_EQUAL(st.cls[2].throughput_bps, sum_tx / span,
			"window %u: throughput %" PRIu64, i,
			st.cls[2].throughput_bps);
		TEST_ASSERT_EQUAL(st.cls[2].offered_bps, sum_rx / span,
			"window %u: offered %" PRIu64, i, st.cls[2].offered_bps);
		TEST_ASSERT(st.cls[2].window_throughput_bps == i * 10 * mbit &&
			st.cls[2].window_offered_bps == i * 30 * mbit,
			"window %u: own rates", i);
	}
	return TEST_SUCCESS;
}

/* @p n realtime samples of 50 us, of which @p over at 150 us. */
static void
record_realtime(unsigned int n, unsigned int over)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		qosdt_monitor_latency(mon, QOSDT_CLASS_REALTIME,
			i < over ? 150000 : 50000, 0);
}

static int
test_slo_latency(void)
{
	const struct qosdt_class_stats *rt;
	struct qosdt_stats st;

	rt = &st.cls[QOSDT_CLASS_REALTIME];
	/* 10 of 1000 above the bound: the 990th sample is not, p99 is met. */
	record_realtime(1000, 10);
	close_window(1);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(rt->slo_met && rt->slo_missed == 0 &&
		rt->slo_violation_windows == 0, "1%% above the bound missed p99");
	TEST_ASSERT(rt->window_latency.p99_ns >= 50000 &&
		rt->window_latency.p99_ns < RT_MAX_LATENCY_NS &&
		rt->window_latency.count == 1000 &&
		rt->window_latency.max_ns == 150000,
		"window p99 %" PRIu64 " max %" PRIu64,
		rt->window_latency.p99_ns, rt->window_latency.max_ns);

	/* 11 of 1000: p99 is above the bound. */
	record_realtime(1000, 11);
	close_window(2);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(!rt->slo_met && rt->slo_missed == QOSDT_SLO_MISSED_LATENCY &&
		rt->slo_violation_windows == 1, "p99 above the bound not seen");
	TEST_ASSERT(rt->window_latency.p99_ns >= 150000,
		"window p99 %" PRIu64, rt->window_latency.p99_ns);
	TEST_ASSERT(rt->latency.count == 2000 && rt->latency.max_ns == 150000,
		"cumulative latency count %" PRIu64, rt->latency.count);

	/* Samples exactly at the bound are within it. */
	qosdt_monitor_latency(mon, QOSDT_CLASS_REALTIME, RT_MAX_LATENCY_NS, 0);
	close_window(3);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(rt->slo_met && rt->slo_violation_windows == 1,
		"a sample equal to the bound is a violation");

	/* A window without samples meets the latency SLO. */
	close_window(4);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(rt->slo_met && rt->window_latency.count == 0 &&
		rt->window_latency.p99_ns == 0 && rt->latency.count == 2001,
		"empty window");

	/* A class without a latency SLO never misses it. */
	qosdt_monitor_latency(mon, QOSDT_CLASS_BEST_EFFORT, UINT64_C(1) << 45, 0);
	close_window(5);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(st.cls[QOSDT_CLASS_BEST_EFFORT].slo_met &&
		st.cls[QOSDT_CLASS_BEST_EFFORT].window_latency.max_ns ==
			UINT64_C(1) << 45, "class without latency SLO");
	return TEST_SUCCESS;
}

/* One throughput-class window offered and delivering these rates. */
static void
throughput_window(unsigned int i, uint64_t offered_bps, uint64_t sent_bps)
{
	qosdt_monitor_rx(mon, QOSDT_CLASS_THROUGHPUT, 1000,
		window_bytes(offered_bps));
	qosdt_monitor_tx(mon, QOSDT_CLASS_THROUGHPUT, 1000,
		window_bytes(sent_bps));
	close_window(i);
}

static int
test_slo_bandwidth(void)
{
	const struct qosdt_class_stats *tp;
	struct qosdt_stats st;

	tp = &st.cls[QOSDT_CLASS_THROUGHPUT];
	/* Offered below the floor: nothing to hold the class to. */
	throughput_window(1, 50000000, 40000000);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(tp->slo_met, "under-offered window judged a violation");

	/* Offered above, delivered below: a violation. */
	throughput_window(2, 120000000, 90000000);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(!tp->slo_met && tp->slo_missed == QOSDT_SLO_MISSED_BANDWIDTH &&
		tp->slo_violation_windows == 1 &&
		tp->window_offered_bps == 120000000 &&
		tp->window_throughput_bps == 90000000,
		"bandwidth violation: missed %#x offered %" PRIu64 " sent %" PRIu64,
		tp->slo_missed, tp->window_offered_bps,
		tp->window_throughput_bps);

	/* Delivered exactly the floor: met. */
	throughput_window(3, 120000000, TP_MIN_BANDWIDTH_BPS);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(tp->slo_met && tp->slo_violation_windows == 1,
		"delivering the floor is a violation");
	/* The others have no bandwidth floor. */
	TEST_ASSERT(st.cls[QOSDT_CLASS_REALTIME].slo_met,
		"realtime judged without traffic");
	return TEST_SUCCESS;
}

static int
test_slo_loss(void)
{
	const struct qosdt_class_stats *rel, *be, *tp;
	struct qosdt_stats st;

	rel = &st.cls[QOSDT_CLASS_RELIABLE];
	be = &st.cls[QOSDT_CLASS_BEST_EFFORT];
	tp = &st.cls[QOSDT_CLASS_THROUGHPUT];

	/* Exactly the bound (10 of 10000 = 1000 ppm): met. */
	qosdt_monitor_rx(mon, QOSDT_CLASS_RELIABLE, 10000, 640000);
	qosdt_monitor_drop(mon, QOSDT_CLASS_RELIABLE, 10, 640);
	close_window(1);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(rel->slo_met && rel->window_loss_ppm == 1000,
		"loss at the bound: met %d, %u ppm", rel->slo_met,
		rel->window_loss_ppm);

	/* 11 of 10000: above it. Without a loss SLO drops do not count. */
	qosdt_monitor_rx(mon, QOSDT_CLASS_RELIABLE, 10000, 640000);
	qosdt_monitor_drop(mon, QOSDT_CLASS_RELIABLE, 11, 704);
	qosdt_monitor_rx(mon, QOSDT_CLASS_THROUGHPUT, 10, 640);
	qosdt_monitor_drop(mon, QOSDT_CLASS_THROUGHPUT, 5, 320);
	close_window(2);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(!rel->slo_met && rel->slo_missed == QOSDT_SLO_MISSED_LOSS &&
		rel->window_loss_ppm == 1100 && rel->slo_violation_windows == 1,
		"loss above the bound: met %d, %u ppm", rel->slo_met,
		rel->window_loss_ppm);
	TEST_ASSERT(tp->slo_met && tp->window_loss_ppm == 500000,
		"class without loss SLO judged on loss");

	/* A bound of 0 ppm: one drop is a violation; no traffic is not. */
	qosdt_monitor_rx(mon, QOSDT_CLASS_BEST_EFFORT, 1000000, 64000000);
	qosdt_monitor_drop(mon, QOSDT_CLASS_BEST_EFFORT, 1, 64);
	close_window(3);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(!be->slo_met && be->slo_missed == QOSDT_SLO_MISSED_LOSS &&
		be->window_loss_ppm == 1, "0 ppm bound with one drop");
	TEST_ASSERT(rel->slo_met && rel->slo_violation_windows == 1,
		"reliable judged on an idle window");
	close_window(4);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(be->slo_met && be->slo_violation_windows == 1,
		"idle window with a 0 ppm bound");
	return TEST_SUCCESS;
}

static int
test_sample_violations(void)
{
	struct qosdt_stats st;

	/* Against the per-sample objective, not the class's. */
	qosdt_monitor_latency(mon, QOSDT_CLASS_RELIABLE, 300000, 0);
	qosdt_monitor_latency(mon, QOSDT_CLASS_RELIABLE, 300000, 300000);
	qosdt_monitor_latency(mon, QOSDT_CLASS_RELIABLE, 300001, 300000);
	qosdt_monitor_latency(mon, QOSDT_CLASS_RELIABLE, 400000, 500000);
	qosdt_monitor_latency(mon, QOSDT_CLASS_RELIABLE, 600000, 500000);
	qosdt_monitor_latency(mon, QOSDT_CLASS_REALTIME, 90000, 80000);
	close_window(1);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT_EQUAL(st.cls[QOSDT_CLASS_RELIABLE].latency_violations, 2,
		"reliable violations");
	TEST_ASSERT_EQUAL(st.cls[QOSDT_CLASS_REALTIME].latency_violations, 1,
		"realtime violation under its class bound");
	/* The window is judged against each sample's own objective: one
	 * realtime sample of one, 90 us against its 80 us, misses the
	 * window's p99 although it is under the class's 100 us. */
	TEST_ASSERT(!st.cls[QOSDT_CLASS_REALTIME].slo_met &&
		st.cls[QOSDT_CLASS_REALTIME].slo_missed ==
			QOSDT_SLO_MISSED_LATENCY,
		"a sample over its own objective (under the class bound) did not miss the window");
	/* Reliable: 2 of 5 samples over their own objective (300 us, 500 us),
	 * none over the class's: the window's p99 is missed. */
	TEST_ASSERT(!st.cls[QOSDT_CLASS_RELIABLE].slo_met,
		"reliable samples over their own objectives did not miss the window");
	/* A sample without an objective is judged against the class's. */
	qosdt_monitor_latency(mon, QOSDT_CLASS_REALTIME, RT_MAX_LATENCY_NS + 1, 0);
	qosdt_monitor_latency(mon, QOSDT_CLASS_REALTIME, RT_MAX_LATENCY_NS + 1,
		RT_MAX_LATENCY_NS * 2);
	close_window(2);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(!st.cls[QOSDT_CLASS_REALTIME].slo_met &&
		st.cls[QOSDT_CLASS_REALTIME].latency_violations == 1,
		"a sample without objective over the class bound: met %d, %" PRIu64 " violations",
		st.cls[QOSDT_CLASS_REALTIME].slo_met,
		st.cls[QOSDT_CLASS_REALTIME].latency_violations);
	qosdt_monitor_latency(mon, QOSDT_CLASS_RELIABLE, 600000, 500000);
	close_window(3);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT_EQUAL(st.cls[QOSDT_CLASS_RELIABLE].latency_violations, 3,
		"violations are totals");
	return TEST_SUCCESS;
}

static int
test_reset(void)
{
	struct qosdt_stats st;
	unsigned int c;

	qosdt_monitor_rx(mon, 2, 10000, 640000);
	qosdt_monitor_drop(mon, 2, 5000, 320000);
	qosdt_monitor_latency(mon, 0, 1000000, 1);
	close_window(1);
	qosdt_monitor_reset(mon, T0 + 5 * WINDOW_NS);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(st.windows == 0 && st.uptime_ns == 0 &&
		st.window_ns == WINDOW_NS, "reset snapshot header");
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		TEST_ASSERT(st.cls[c].rx_pkts == 0 && st.cls[c].drop_pkts == 0 &&
			st.cls[c].latency.count == 0 &&
			st.cls[c].latency_violations == 0 &&
			st.cls[c].slo_violation_windows == 0 && st.cls[c].slo_met,
			"class %u not reset", c);
	/* Windows now run from the reset time. */
	TEST_ASSERT_EQUAL(qosdt_monitor_poll(mon, T0 + 6 * WINDOW_NS - 1), 0,
		"window closed before a full window after the reset");
	TEST_ASSERT_EQUAL(qosdt_monitor_poll(mon, T0 + 6 * WINDOW_NS), 1,
		"first window after reset");
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(st.windows == 1 && st.uptime_ns == WINDOW_NS &&
		st.cls[2].offered_bps == 0 && st.cls[0].latency.count == 0,
		"state from before the reset leaked");
	return TEST_SUCCESS;
}

static int
test_clock(void)
{
	uint64_t c0, c1, t0, t1, expect;

	c0 = rte_get_tsc_cycles();
	t0 = qosdt_monitor_now_ns();
	rte_delay_us_block(1000);
	t1 = qosdt_monitor_now_ns();
	c1 = rte_get_tsc_cycles();
	expect = (c1 - c0) * 1000000000.0 / rte_get_tsc_hz();
	/* Read inside [c0, c1]: at most that long, at least the delay. */
	TEST_ASSERT(t1 - t0 <= expect + 1 && t1 - t0 >= 999000,
		"1 ms delay measured %" PRIu64 " ns, TSC says %" PRIu64,
		t1 - t0, expect);
	return TEST_SUCCESS;
}

/*
 * Concurrency: the writer on lcore 1 records, per window and class c,
 * CONC_RX(c) messages offered of which CONC_DROP(c) dropped and the rest
 * sent, one held, CONC_LAT samples of which CONC_VIOL(c) violate. Every
 * published snapshot must then be an exact multiple of one window, with the
 * same multiple (windows) in every class: a torn copy cannot pass.
 * The two must really overlap: the writer starts once the reader reads, and
 * goes on past CONC_WINDOWS until the reader has seen CONC_MID_MIN window
 * counts between the first and the last (or CONC_MAX_S pass: then the case
 * fails, the reads never met the writes).
 */
#define CONC_WINDOWS 20000
#define CONC_MID_MIN 10
#define CONC_MAX_S 5
#define CONC_BYTES 64
#define CONC_LAT 8
#define CONC_RX(c) (16u + (c))
#define CONC_DROP(c) ((c) + 1u)
#define CONC_VIOL(c) (c)

static volatile bool writer_done;
static volatile bool reader_started;
static uint64_t reader_seen;	/* distinct window counts above 0 the reader saw */
static uint64_t writer_windows;	/* windows the writer closed in all */

static int
conc_writer(void *arg __rte_unused)
{
	uint64_t end = 0, w;
	unsigned int c, k;

	while (!__atomic_load_n(&reader_started, __ATOMIC_ACQUIRE))
		rte_pause();
	for (w = 1;; w++) {
		for (c = 0; c < QOSDT_NB_CLASSES; c++) {
			qosdt_monitor_rx(mon, c, CONC_RX(c), CONC_RX(c) * CONC_BYTES);
			qosdt_monitor_drop(mon, c, CONC_DROP(c),
				CONC_DROP(c) * CONC_BYTES);
			qosdt_monitor_tx(mon, c, CONC_RX(c) - CONC_DROP(c),
				(CONC_RX(c) - CONC_DROP(c)) * CONC_BYTES);
			qosdt_monitor_held(mon, c, 1);
			for (k = 0; k < CONC_LAT; k++)
				qosdt_monitor_latency(mon, c, 1000 + k,
					k < CONC_VIOL(c) ? 999 : 0);
		}
		qosdt_monitor_poll(mon, T0 + w * WINDOW_NS);
		if (w == CONC_WINDOWS)
			end = rte_get_timer_cycles() + CONC_MAX_S * rte_get_timer_hz();
		/* the last count seen may be the final one: one more */
		if (w >= CONC_WINDOWS && (__atomic_load_n(&reader_seen,
				__ATOMIC_RELAXED) > CONC_MID_MIN ||
				rte_get_timer_cycles() > end))
			break;
	}
	writer_windows = w;
	__atomic_store_n(&writer_done, true, __ATOMIC_RELEASE);
	return 0;
}

static int
check_snapshot(const struct qosdt_stats *st)
{
	uint64_t w = st->windows;
	const struct qosdt_class_stats *s;
	unsigned int c;

	TEST_ASSERT_EQUAL(st->uptime_ns, w * WINDOW_NS,
		"uptime %" PRIu64 " after %" PRIu64 " windows", st->uptime_ns, w);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		s = &st->cls[c];
		TEST_ASSERT(s->rx_pkts == w * CONC_RX(c) &&
			s->drop_pkts == w * CONC_DROP(c) &&
			s->tx_pkts == w * (CONC_RX(c) - CONC_DROP(c)) &&
			s->held_pkts == w &&
			s->rx_bytes == s->rx_pkts * CONC_BYTES &&
			s->tx_bytes == s->tx_pkts * CONC_BYTES &&
			s->drop_bytes == s->drop_pkts * CONC_BYTES &&
			s->rx_pkts >= s->tx_pkts + s->drop_pkts,
			"windows %" PRIu64 " class %u: rx %" PRIu64 " tx %" PRIu64
			" drop %" PRIu64 " held %" PRIu64, w, c, s->rx_pkts,
			s->tx_pkts, s->drop_pkts, s->held_pkts);
		TEST_ASSERT(s->latency.count == w * CONC_LAT &&
			s->latency_violations == w * CONC_VIOL(c) &&
			s->window_latency.count == (w ? CONC_LAT : 0),
			"windows %" PRIu64 " class %u: latency count %" PRIu64
			" violations %" PRIu64, w, c, s->latency.count,
			s->latency_violations);
	}
	return TEST_SUCCESS;
}

static int
test_snapshot_consistency(void)
{
	unsigned int lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	uint64_t reads = 0, last_windows = 0, seen = 0, mid;
	struct qosdt_stats st;
	int ret = TEST_SUCCESS;

	if (lcore >= RTE_MAX_LCORE)
		TEST_SKIP("needs a second lcore for the writer (-l 0,1)");
	writer_done = false;
	reader_started = false;
	reader_seen = 0;
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(conc_writer, NULL, lcore),
		"cannot launch the writer on lcore %u", lcore);
	__atomic_store_n(&reader_started, true, __ATOMIC_RELEASE);
	while (ret == TEST_SUCCESS &&
			!__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE)) {
		qosdt_monitor_read(mon, &st);
		reads++;
		if (st.windows < last_windows) {
			printf("windows went back from %" PRIu64 " to %" PRIu64 "\n",
				last_windows, st.windows);
			ret = TEST_FAILED;
		} else {
			ret = check_snapshot(&st);
		}
		if (st.windows != last_windows && st.windows > 0)
			__atomic_store_n(&reader_seen, ++seen, __ATOMIC_RELAXED);
		last_windows = st.windows;
	}
	rte_eal_wait_lcore(lcore);
	TEST_ASSERT_SUCCESS(ret, "inconsistent snapshot after %" PRIu64 " reads",
		reads);
	qosdt_monitor_read(mon, &st);
	TEST_ASSERT_EQUAL(st.windows, writer_windows, "final window count");
	TEST_ASSERT_SUCCESS(check_snapshot(&st), "final snapshot");
	/* window counts seen strictly between 0 and the writer's last */
	mid = seen - (last_windows == writer_windows);
	printf("%" PRIu64 " snapshots read while the writer closed %" PRIu64
		" windows: %" PRIu64 " window counts between the first and the "
		"last\n", reads, writer_windows, mid);
	TEST_ASSERT(mid >= CONC_MID_MIN, "the reader saw %" PRIu64 " window "
		"counts while the writer ran (at least %u needed): the reads and "
		"the writes never overlapped", mid, CONC_MID_MIN);
	return TEST_SUCCESS;
}

static struct unit_test_suite monitor_suite = {
	.suite_name = "qosdt_monitor",
	.unit_test_cases = {
		TEST_CASE(test_create_refuses_bad_config),
		TEST_CASE_ST(mon_setup, mon_teardown, test_counters),
		TEST_CASE_ST(mon_setup, mon_teardown, test_window_closing),
		TEST_CASE_ST(mon_setup, mon_teardown, test_sliding_throughput),
		TEST_CASE_ST(mon_setup, mon_teardown, test_slo_latency),
		TEST_CASE_ST(mon_setup, mon_teardown, test_slo_bandwidth),
		TEST_CASE_ST(mon_setup, mon_teardown, test_slo_loss),
		TEST_CASE_ST(mon_setup, mon_teardown, test_sample_violations),
		TEST_CASE_ST(mon_setup, mon_teardown, test_reset),
		TEST_CASE(test_clock),
		TEST_CASE_ST(mon_setup, mon_teardown, test_snapshot_consistency),
		TEST_CASES_END()
	}
};

static int
test_qos_monitor(void)
{
	return unit_test_suite_runner(&monitor_suite);
}

REGISTER_TEST_COMMAND(qos_monitor_autotest, test_qos_monitor);
