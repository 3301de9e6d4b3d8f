/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The sojourn-time drop (lib/qosdt_aqm.h) on a fake clock: an arrival is
 * dropped exactly when the class's backlog would take longer than the
 * target to send at the measured departure rate; idle time never lowers
 * the rate; a floor of backlog is never dropped.
 */

#include <stdio.h>

#include "qosdt_aqm.h"
#include "test.h"

/* Time unit: 1 ns. The channel: 125 bytes/ns (1 Tbit/s), the guess. */
#define GUESS_RATE 125.0
#define TARGET 500000.0       /* 500 us */
#define FLOOR 4096u
#define FRAME 1000u

/* Send @p n frames of the queue, one every @p gap ns from *now, with
 * @p backlog frames left behind each (0 empties it at the last one). */
static void
send_frames(struct qosdt_aqm *a, uint64_t *now, unsigned int n, uint64_t gap,
		uint32_t backlog)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		*now += gap;
		qosdt_aqm_dequeued(a, *now, FRAME,
			i + 1 == n && backlog == 0 ? 0 : backlog + 1);
	}
}

static int
test_guess_until_measured(void)
{
	struct qosdt_aqm a;
	uint64_t limit = (uint64_t)(TARGET * GUESS_RATE);

	qosdt_aqm_init(&a, TARGET, GUESS_RATE, FLOOR);
	TEST_ASSERT(!qosdt_aqm_drop(&a, limit - 1),
		"dropped below target x the guessed rate");
	TEST_ASSERT(qosdt_aqm_drop(&a, limit),
		"not dropped at target x the guessed rate");
	return TEST_SUCCESS;
}

/* 1000 B every 8 us while backlogged: 125 B/us; target 500 us: 62.5 KB. */
static int
test_drop_at_target(void)
{
	struct qosdt_aqm a;
	uint64_t now = 1000;

	qosdt_aqm_init(&a, TARGET, GUESS_RATE, FLOOR);
	send_frames(&a, &now, 200, 8000, 50);
	TEST_ASSERT(a.measured, "no rate measured after 200 KB");
	printf("  measured %.4f B/ns, limit %lu B\n", a.rate,
		(unsigned long)a.limit_bytes);
	TEST_ASSERT(a.rate > 0.124 && a.rate < 0.126,
		"rate %.4f B/ns, sent at 0.125", a.rate);
	TEST_ASSERT(!qosdt_aqm_drop(&a, 62000),
		"dropped a backlog that leaves in 496 us");
	TEST_ASSERT(qosdt_aqm_drop(&a, 62600),
		"kept a backlog that leaves in 501 us");
	return TEST_SUCCESS;
}

/* The rate follows the class: halved, the limit halves within a few
 * measurements (smoothing 1/4). */
static int
test_rate_follows(void)
{
	struct qosdt_aqm a;
	uint64_t now = 1000;

	qosdt_aqm_init(&a, TARGET, GUESS_RATE, FLOOR);
	send_frames(&a, &now, 200, 8000, 50);
	send_frames(&a, &now, 1000, 16000, 50);
	TEST_ASSERT(a.rate > 0.0620 && a.rate < 0.0630,
		"rate %.4f B/ns after sending at 0.0625", a.rate);
	TEST_ASSERT(qosdt_aqm_drop(&a, 32000),
		"kept a backlog that leaves in 512 us at the new rate");
	return TEST_SUCCESS;
}

/* An idle queue's idle time is not sending time: the rate stays. */
static int
test_idle_not_counted(void)
{
	struct qosdt_aqm a;
	uint64_t now = 1000;
	double before;

	qosdt_aqm_init(&a, TARGET, GUESS_RATE, FLOOR);
	send_frames(&a, &now, 200, 8000, 50);
	before = a.rate;
	/* Empty, then a second of nothing, then the same pace again. */
	send_frames(&a, &now, 1, 8000, 0);
	now += 1000000000;
	send_frames(&a, &now, 200, 8000, 50);
	TEST_ASSERT(a.rate > 0.99 * before && a.rate < 1.01 * before,
		"rate %.4f after an idle second, %.4f before", a.rate, before);
	return TEST_SUCCESS;
}

/* The owning thread away mid-measurement (a stall): that time is left
 * out, so the rate stays the class's; counted, it would read as 1/50th. */
static int
test_stall_not_counted(void)
{
	struct qosdt_aqm a;
	uint64_t now = 1000;
	double before;

	qosdt_aqm_init(&a, TARGET, GUESS_RATE, FLOOR);
	send_frames(&a, &now, 200, 8000, 50);
	before = a.rate;
	/* 10 frames, then 100 ms away with the queue backlogged, then on. */
	send_frames(&a, &now, 10, 8000, 50);
	now += 100000000;
	qosdt_aqm_paused(&a, 100000000);
	send_frames(&a, &now, 200, 8000, 50);
	TEST_ASSERT(a.rate > 0.99 * before && a.rate < 1.01 * before,
		"rate %.4f after a 100 ms stall mid-measurement, %.4f before",
		a.rate, before);
	/* Not told, the same stall halves it at least. */
	send_frames(&a, &now, 10, 8000, 50);
	now += 100000000;
	send_frames(&a, &now, 30, 8000, 50);
	TEST_ASSERT(a.rate < 0.8 * before,
		"rate %.4f after an unannounced stall, %.4f before: the "
		"stall was not in the measurement", a.rate, before);
	return TEST_SUCCESS;
}

/* However slow the class, a floor of backlog is always admitted. */
static int
test_floor(void)
{
	struct qosdt_aqm a;
	uint64_t now = 1000;

	qosdt_aqm_init(&a, TARGET, GUESS_RATE, FLOOR);
	/* 1000 B per 10 ms: a target's worth is 50 B. */
	send_frames(&a, &now, 100, 10000000, 50);
	TEST_ASSERT(!qosdt_aqm_drop(&a, FLOOR - 1), "dropped below the floor");
	TEST_ASSERT(qosdt_aqm_drop(&a, FLOOR), "kept the floor and more");
	return TEST_SUCCESS;
}

static struct unit_test_suite aqm_suite = {
	.suite_name = "qosdt_aqm",
	.unit_test_cases = {
		TEST_CASE(test_guess_until_measured),
		TEST_CASE(test_stall_not_counted),
		TEST_CASE(test_drop_at_target),
		TEST_CASE(test_rate_follows),
		TEST_CASE(test_idle_not_counted),
		TEST_CASE(test_floor),
		TEST_CASES_END(),
	},
};

static int
test_qos_aqm(void)
{
	return unit_test_suite_runner(&aqm_suite);
}

REGISTER_TEST_COMMAND(qos_aqm_autotest, test_qos_aqm);
