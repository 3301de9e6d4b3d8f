/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The QoS core's cost on one core: classify + enqueue + dequeue of 64-byte
 * messages, the 15 services in turn, for priority, wrr and fifo side by
 * side. Each mode runs REPEATS times, interleaved, and the table reports
 * medians and the ratio to fifo (the no-QoS baseline through the same
 * rte_sched port). The channel is shaped far above what one core reaches,
 * so the core, not the shaper, is measured. A second column runs the
 * scheduler alone (admission + rte_sched, no classification, no monitor)
 * to show how much of the cost is rte_sched's.
 *
 * Goal (issue 3): the QoS modes at least 80% of fifo, and at least 5 Mpps.
 * The figures are printed with a verdict; the test fails when the goal is
 * missed, and when something does not work (no message gets through, mbufs
 * leak).
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "qosdt.h"
#include "qosdt_msg.h"
#include "qosdt_priv.h"
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
	return qos_test_request(pool, service, 0,
		FRAME_LEN - QOSDT_FRAME_HDR_LEN);
}

/* Make request @p m one for @p service (its class is classified again). */
static void
request_set_service(struct rte_mbuf *m, uint16_t service)
{
	rte_be16_t sid = rte_cpu_to_be_16(service);

	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *,
		sizeof(struct rte_ether_hdr) +
		offsetof(struct qosdt_msg_hdr, service_id)), &sid, sizeof(sid));
}

/*
 * Top ready[] up to IN_FLIGHT with new requests, the 15 services in turn
 * from *svc; classified now when they go to a scheduler alone. Returns
 * how many ready[] holds.
 */
static unsigned int
refill(struct qosdt *q, bool classify, struct rte_mempool *pool,
		struct rte_mbuf **ready, unsigned int nb_ready, unsigned int *svc)
{
	while (nb_ready < IN_FLIGHT) {
		ready[nb_ready] = request_new(pool, *svc % 15 + 1);
		if (ready[nb_ready] == NULL)
			break;
		if (classify)
			qosdt_classify_burst_now(q, &ready[nb_ready], 1);
		(*svc)++;
		nb_ready++;
	}
	return nb_ready;
}

/*
 * Enqueue the last n messages of ready[] into alone, else into q as
 * tenant's; held-back ones stay at the end of ready[]. Returns how many
 * went in.
 */
static uint16_t
enqueue_tail(struct qosdt *q, struct qosdt_sched *alone, uint32_t tenant,
		struct rte_mbuf **ready, unsigned int *nb_ready, uint16_t n)
{
	struct rte_mbuf **tail = ready + *nb_ready - n;
	uint16_t k;

	if (alone != NULL)
		k = qosdt_sched_enqueue(alone, tail, n);
	else
		k = qosdt_enqueue_tenant_burst(q, tenant, tail, n);
	memmove(tail, tail + k, (n - k) * sizeof(*ready));
	*nb_ready -= k;
	return k;
}

/*
 * Classify + enqueue + dequeue for RUN_MS, IN_FLIGHT messages in flight
 * (the 15 services in turn; a dequeued message goes back in, a dropped
 * one is replaced). With alone, through that scheduler alone, on messages
 * classified once; else through q, every burst from the next of its
 * nb_tenants tenants. Each turn enqueues a burst and dequeues one: with
 * backlog, every message in flight but one burst is enqueued before the
 * clock starts (a burst per tenant, in turn), so that IN_FLIGHT - BURST
 * stay queued across the tenants' pipes, as in a server behind its load;
 * without, the port holds at most the burst just enqueued. Returns Mpps
 * dequeued.
 */
static double
pump(struct qosdt *q, struct qosdt_sched *alone, uint32_t nb_tenants,
		bool backlog, struct rte_mempool *pool)
{
	struct rte_mbuf *ready[IN_FLIGHT + BURST];
	unsigned int nb_ready = 0, svc = 0, turn = 0;
	uint64_t hz = rte_get_tsc_hz(), start, end, out = 0;
	uint16_t k, n;

	if (backlog) {
		nb_ready = refill(q, alone != NULL, pool, ready, nb_ready, &svc);
		while (nb_ready > BURST && enqueue_tail(q, alone,
				turn++ % nb_tenants, ready, &nb_ready,
				RTE_MIN(nb_ready - BURST, (unsigned int)BURST)) > 0)
			;
	}
	start = rte_rdtsc();
	end = start + hz * RUN_MS / 1000;
	while (rte_rdtsc() < end) {
		nb_ready = refill(q, alone != NULL, pool, ready, nb_ready, &svc);
		enqueue_tail(q, alone, turn++ % nb_tenants, ready, &nb_ready,
			RTE_MIN(nb_ready, (unsigned int)BURST));
		if (alone != NULL)
			n = qosdt_sched_dequeue(alone, ready + nb_ready, BURST);
		else
			n = qosdt_dequeue_burst(q, ready + nb_ready, BURST);
		/* A message goes back in as the next service's: the offered
		 * mix stays the 15 services', whatever the scheduler served
		 * first (a backlog would otherwise keep the classes it
		 * serves last, and circulate only the others). */
		for (k = 0; alone == NULL && k < n; k++)
			request_set_service(ready[nb_ready + k], svc++ % 15 + 1);
		nb_ready += n;
		out += n;
	}
	end = rte_rdtsc();
	/* What is still queued goes back with the scheduler (qosdt_free()). */
	rte_pktmbuf_free_bulk(ready, nb_ready);
	return (double)out / ((double)(end - start) / hz) / 1e6;
}

/*
 * One run: IN_FLIGHT messages circulate through the QoS core; what is
 * dropped is replaced. full: classify + enqueue + dequeue with monitoring
 * (qosdt_enqueue_burst / qosdt_dequeue_burst). Otherwise the scheduler
 * alone (admission + rte_sched, no monitor) on messages classified once.
 * Returns Mpps dequeued.
 */
static double
run_mode(enum qosdt_sched_mode mode, struct rte_mempool *pool, bool full,
		uint64_t *dropped)
{
	struct qosdt_sched *sched, *alone = NULL;
	struct qosdt_sched_class_counters c;
	struct qosdt_config cfg;
	struct qosdt *q;
	unsigned int i;
	double mpps;

	if (qos_test_config(&cfg, mode, 100000000000ULL) != 0)
		return -1;
	q = qosdt_create("perf", &cfg, SOCKET_ID_ANY, false);
	if (q == NULL)
		return -1;
	sched = q->sched;
	if (!full) {
		alone = qosdt_sched_create("perf_alone", &cfg, NULL, SOCKET_ID_ANY);
		if (alone == NULL) {
			qosdt_free(q);
			return -1;
		}
		sched = alone;
	}
	mpps = pump(q, alone, 1, false, pool);
	*dropped = 0;
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		qosdt_sched_counters(sched, i, &c);
		*dropped += c.drop_pkts;
	}
	qosdt_sched_free(alone);
	qosdt_free(q);
	return mpps;
}

static int
test_qos_sched_perf(void)
{
	double mpps[2][RTE_DIM(modes)][REPEATS], median[2][RTE_DIM(modes)];
	uint64_t dropped[RTE_DIM(modes)] = {0};
	struct rte_mempool *pool;
	unsigned int m, r, f;
	int ok = 1;

	pool = rte_pktmbuf_pool_create("perf_pool", 4096, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(pool, "pool");
	for (r = 0; r < REPEATS; r++)
		for (m = 0; m < RTE_DIM(modes); m++)
			for (f = 0; f < 2; f++) {
				uint64_t d;

				mpps[f][m][r] = run_mode(modes[m], pool, f == 1, &d);
				dropped[m] += d;
				TEST_ASSERT(mpps[f][m][r] > 0,
					"%s: nothing got through",
					qosdt_mode_name(modes[m]));
			}
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(pool), 4096, "mbufs leaked");
	rte_mempool_free(pool);

	for (f = 0; f < 2; f++)
		for (m = 0; m < RTE_DIM(modes); m++) {
			qsort(mpps[f][m], REPEATS, sizeof(double), cmp_double);
			median[f][m] = mpps[f][m][REPEATS / 2];
		}
	printf("\nQoS core on one core, %u B messages, the 15 services in turn, "
		"median of %u x %u ms (min-max)\n", FRAME_LEN, REPEATS, RUN_MS);
	printf("%-9s %24s %8s %24s\n", "mode", "classify+enqueue+dequeue",
		"vs fifo", "scheduler alone");
	for (m = 0; m < RTE_DIM(modes); m++) {
		double ratio = median[1][m] / median[1][RTE_DIM(modes) - 1];

		printf("%-9s %8.2f Mpps (%.2f-%.2f) %7.2fx %8.2f Mpps (%.2f-%.2f)"
			"  drops %lu\n", qosdt_mode_name(modes[m]),
			median[1][m], mpps[1][m][0], mpps[1][m][REPEATS - 1],
			ratio, median[0][m], mpps[0][m][0],
			mpps[0][m][REPEATS - 1], (unsigned long)dropped[m]);
		if (modes[m] != QOSDT_MODE_FIFO &&
				(ratio < 0.8 || median[1][m] < 5))
			ok = 0;
	}
	printf("goal (QoS modes >= 0.80x fifo and >= 5 Mpps): %s\n",
		ok ? "met" : "MISSED");
	TEST_ASSERT(ok, "the goal is missed: a QoS mode below 0.80x fifo or "
		"5 Mpps (table above)");
	return TEST_SUCCESS;
}

REGISTER_TEST_COMMAND(qos_sched_perf_autotest, test_qos_sched_perf);

/*
 * A service VM's instance (priority mode, the express path on, as the
 * server runs it) with @p nb tenants, every burst from the next tenant,
 * with or without a standing backlog (pump()): classify + enqueue +
 * dequeue, Mpps (doc/tenants.md).
 */
static double
run_tenants(uint32_t nb, bool backlog, struct rte_mempool *pool)
{
	struct qosdt_config cfg;
	struct qosdt *q;
	double mpps;
	uint32_t t;

	if (qos_test_config(&cfg, QOSDT_MODE_PRIORITY, 100000000000ULL) != 0)
		return -1;
	/* Each tenant gets what one client has: the slots and buffers
	 * times the tenants. */
	cfg.tenants.nb = nb;
	for (t = 0; t < nb; t++)
		cfg.tenants.t[t].weight = 1;
	cfg.queue_slots *= nb;
	cfg.nb_buffers *= nb;
	cfg.shared_buffers *= nb;
	for (t = 0; t < QOSDT_NB_CLASSES; t++)
		cfg.classes[t].borrow_cap *= nb;
	qosdt_config_derive(&cfg);
	cfg.express = true;
	q = qosdt_create("perf", &cfg, SOCKET_ID_ANY, false);
	if (q == NULL)
		return -1;
	mpps = pump(q, NULL, nb, backlog, pool);
	qosdt_free(q);
	return mpps;
}

/*
 * The QoS core of a service VM with 1, 8 and 16 tenants (a pipe each),
 * each with and without a standing backlog, interleaved, medians. Goal
 * (issue 16): with 8 or more pipes, at least 8 Mpps per core for
 * classify + enqueue + dequeue. A core's capacity is what it does with
 * work waiting: the goal is judged on the backlogged runs; the runs of an
 * empty port (each burst out before the next comes in) are shown beside
 * them.
 */
static int
test_qos_tenants_perf(void)
{
	static const uint32_t nb[] = { 1, 8, 16 };
	static const char *const shape[] = {
		"backlogged (224 queued)", "empty port",
	};
	double mpps[2][RTE_DIM(nb)][REPEATS], median[2][RTE_DIM(nb)];
	struct rte_mempool *pool;
	unsigned int b, i, r;
	bool ok = true;

	pool = rte_pktmbuf_pool_create("perf_pool", 4096, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(pool, "pool");
	for (r = 0; r < REPEATS; r++)
		for (i = 0; i < RTE_DIM(nb); i++)
			for (b = 0; b < 2; b++) {
				mpps[b][i][r] = run_tenants(nb[i], b == 0, pool);
				TEST_ASSERT(mpps[b][i][r] > 0,
					"%u tenants, %s: nothing got through",
					nb[i], shape[b]);
			}
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(pool), 4096, "mbufs leaked");
	rte_mempool_free(pool);
	printf("\nA service VM's QoS core on one core (priority, express path), "
		"%u B messages, %u in flight, median of %u x %u ms (min-max)\n",
		FRAME_LEN, IN_FLIGHT, REPEATS, RUN_MS);
	for (b = 0; b < 2; b++)
		for (i = 0; i < RTE_DIM(nb); i++) {
			qsort(mpps[b][i], REPEATS, sizeof(double), cmp_double);
			median[b][i] = mpps[b][i][REPEATS / 2];
		}
	printf("%-18s %-24s %-24s\n", "", shape[0], shape[1]);
	for (i = 0; i < RTE_DIM(nb); i++) {
		printf("%3u tenants (pipes)", nb[i]);
		for (b = 0; b < 2; b++)
			printf(" %6.2f Mpps (%.2f-%.2f)", median[b][i],
				mpps[b][i][0], mpps[b][i][REPEATS - 1]);
		printf("\n");
		if (nb[i] >= 8 && median[0][i] < 8)
			ok = false;
	}
	printf("goal (8 or more pipes, backlogged: >= 8 Mpps): %s\n",
		ok ? "met" : "MISSED");
	TEST_ASSERT(ok, "the goal is missed: below 8 Mpps with 8 or more pipes, backlogged");
	return TEST_SUCCESS;
}

REGISTER_TEST_COMMAND(qos_tenants_perf_autotest, test_qos_tenants_perf);
