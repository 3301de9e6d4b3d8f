/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The QoS core's cost on one core: classify + enqueue + dequeue of 64-byte
 * messages, the 15 services in turn, for priority, wrr and fifo side by
 * side. Each mode runs REPEATS times, interleaved, and the table reports
 * medians and the ratio to fifo (the no-QoS baseline through the same
 * rte_sched port). The channel is shaped far above what one core reaches,
 * so the core, not the shaper, is measured.
 *
 * Goal (issue 3): the QoS modes at least 80% of fifo, and at least 5 Mpps.
 * The figures are printed with a verdict; the test fails only when
 * something does not work (no message gets through, mbufs leak).
 */

#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "qosdt.h"
#include "qosdt_sched.h"
#include "qos_test_util.h"
#include "test.h"

#define BURST 32
#define IN_FLIGHT 256
#define REPEATS 5
#define RUN_MS 500
#define FRAME_LEN 64

static const enum qosdt_sched_mode modes[] = {
	QOSDT_MODE_PRIORITY, QOSDT_MODE_WRR, QOSDT_MODE_FIFO,
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A 64-byte request for @p service from @p pool. */
static struct rte_mbuf *
request_new(struct rte_mempool *pool, uint16_t service)
{
	struct qosdt_msg msg = { .service_id = service,
		.length = FRAME_LEN - QOSDT_FRAME_HDR_LEN };
	uint8_t payload[FRAME_LEN] = {0};
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m != NULL && qosdt_msg_build(m, NULL, NULL, &msg, payload) != 0) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	return m;
}

/*
 * One run: IN_FLIGHT messages circulate through classify + enqueue +
 * dequeue; what is dropped is replaced. Returns Mpps dequeued.
 */
static double
run_mode(enum qosdt_sched_mode mode, struct rte_mempool *pool,
		uint64_t *dropped)
{
	struct rte_mbuf *ready[IN_FLIGHT + BURST];
	struct qosdt_config cfg;
	unsigned int nb_ready = 0, svc = 0;
	uint64_t hz = rte_get_tsc_hz(), start, end, out = 0;
	struct qosdt_sched_class_counters c;
	struct qosdt *q;
	unsigned int i;

	if (qos_test_config(&cfg, mode, 100000000000ULL) != 0)
		return -1;
	q = qosdt_create("perf", &cfg, SOCKET_ID_ANY, false);
	if (q == NULL)
		return -1;
	start = rte_rdtsc();
	end = start + hz * RUN_MS / 1000;
	while (rte_rdtsc() < end) {
		uint16_t k, n;

		while (nb_ready < IN_FLIGHT) {
			ready[nb_ready] = request_new(pool, svc % 15 + 1);
			if (ready[nb_ready] == NULL)
				break;
			svc++;
			nb_ready++;
		}
		n = RTE_MIN(nb_ready, (unsigned int)BURST);
		k = qosdt_enqueue_burst(q, ready + nb_ready - n, n);
		/* Held-back messages stay at the end of ready[]. */
		memmove(ready + nb_ready - n, ready + nb_ready - n + k,
			(n - k) * sizeof(*ready));
		nb_ready -= k;
		n = qosdt_dequeue_burst(q, ready + nb_ready, BURST);
		nb_ready += n;
		out += n;
	}
	end = rte_rdtsc();
	*dropped = 0;
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		qosdt_sched_counters(qosdt_sched_of(q), i, &c);
		*dropped += c.drop_pkts;
	}
	rte_pktmbuf_free_bulk(ready, nb_ready);
	qosdt_free(q);
	return (double)out / ((double)(end - start) / hz) / 1e6;
}

static int
test_qos_sched_perf(void)
{
	double mpps[RTE_DIM(modes)][REPEATS], median[RTE_DIM(modes)];
	uint64_t dropped[RTE_DIM(modes)] = {0};
	struct rte_mempool *pool;
	unsigned int m, r;
	int ok = 1;

	pool = rte_pktmbuf_pool_create("perf_pool", 4096, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(pool, "pool");
	for (r = 0; r < REPEATS; r++)
		for (m = 0; m < RTE_DIM(modes); m++) {
			uint64_t d;

			mpps[m][r] = run_mode(modes[m], pool, &d);
			dropped[m] += d;
			TEST_ASSERT(mpps[m][r] > 0, "%s: nothing got through",
				qosdt_mode_name(modes[m]));
		}
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(pool), 4096, "mbufs leaked");
	rte_mempool_free(pool);

	printf("\nclassify+enqueue+dequeue, one core, %u B messages, "
		"median of %u x %u ms\n", FRAME_LEN, REPEATS, RUN_MS);
	printf("%-9s %10s %10s %10s %12s\n", "mode", "Mpps", "min", "max",
		"vs fifo");
	for (m = 0; m < RTE_DIM(modes); m++) {
		qsort(mpps[m], REPEATS, sizeof(double), cmp_double);
		median[m] = mpps[m][REPEATS / 2];
	}
	for (m = 0; m < RTE_DIM(modes); m++) {
		double ratio = median[m] / median[RTE_DIM(modes) - 1];

		printf("%-9s %10.2f %10.2f %10.2f %11.2fx  (drops %lu)\n",
			qosdt_mode_name(modes[m]), median[m], mpps[m][0],
			mpps[m][REPEATS - 1], ratio, (unsigned long)dropped[m]);
		if (modes[m] != QOSDT_MODE_FIFO && (ratio < 0.8 || median[m] < 5))
			ok = 0;
	}
	printf("goal (QoS modes >= 0.80x fifo and >= 5 Mpps): %s\n",
		ok ? "met" : "MISSED");
	return TEST_SUCCESS;
}

REGISTER_TEST_COMMAND(qos_sched_perf_autotest, test_qos_sched_perf);
