/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Tenants (doc/tenants.md): a service VM's client VMs, one rte_sched pipe
 * each. Realtime of one tenant does not wait behind another's bulk, a
 * tenant's cap holds, one tenant's flood fills its own queues and buffers
 * only.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "qosdt.h"
#include "qosdt_mbuf.h"
#include "qosdt_sched.h"
#include "qos_test_util.h"
#include "test.h"

#define NB_MBUFS 32768
#define BURST 32
#define FRAME 1000
/* A measurement whose lower bound can be missed on a busy host is taken
 * again up to this many times; upper bounds hold on every attempt. */
#define ATTEMPTS 5

static struct rte_mempool *pool;
static struct qosdt_sched *sched;
static struct qosdt_config cfg;

/* A scheduler of @p nb equal tenants sharing @p capacity_bps, in priority
 * mode, with the express path a server runs with. */
static int
tenants_start(uint32_t nb, uint64_t capacity_bps, bool express)
{
	char err[QOSDT_CONFIG_ERRLEN];
	uint32_t i;

	if (qos_test_config(&cfg, QOSDT_MODE_PRIORITY, capacity_bps) != 0)
		return -1;
	qos_test_three_wrr(&cfg);
	cfg.tenants.nb = nb;
	cfg.tenants.capacity_bps = capacity_bps;
	for (i = 0; i < nb; i++) {
		cfg.tenants.t[i].weight = 1;
		cfg.tenants.t[i].rate_bps = 0;
	}
	cfg.express = express;
	if (qosdt_config_validate(&cfg, err, sizeof(err)) != 0) {
		printf("config: %s\n", err);
		return -1;
	}
	return 0;
}

static int
sched_build(void)
{
	sched = qosdt_sched_create("test_tenants", &cfg, NULL, SOCKET_ID_ANY);
	if (sched == NULL)
		printf("cannot create the scheduler: %s\n", rte_strerror(rte_errno));
	return sched == NULL ? -1 : 0;
}

static void
sched_stop(void)
{
	qosdt_sched_free(sched);
	sched = NULL;
}

static struct rte_mbuf *
msg_new(unsigned int cls, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct qosdt_mbuf_meta *meta;

	if (m == NULL)
		return NULL;
	if (rte_pktmbuf_append(m, len) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	meta = qosdt_mbuf_meta(m);
	meta->cls = cls;
	meta->flags = 0;
	meta->service_id = 0;
	meta->slo_latency_ns = 0;
	meta->ts = rte_rdtsc();
	return m;
}

/* Offer @p n messages of a class for a tenant; returns how many were consumed. */
static int
offer(uint32_t tenant, unsigned int cls, unsigned int n)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		pkts[i] = msg_new(cls, FRAME);
		if (pkts[i] == NULL) {
			rte_pktmbuf_free_bulk(pkts, i);
			return -1;
		}
	}
	k = qosdt_sched_enqueue_tenant(sched, tenant, pkts, n);
	rte_pktmbuf_free_bulk(pkts + k, n - k);
	return k;
}

/* Keep class @p cls of tenants [first, last) backlogged. */
static int
top_up(uint32_t first, uint32_t last, unsigned int cls)
{
	struct qosdt_sched_class_counters c;
	uint32_t t;

	for (t = first; t < last; t++) {
		qosdt_sched_tenant_counters(sched, t, cls, &c);
		if (c.backlog < 2 * BURST && offer(t, cls, BURST) < 0)
			return -1;
	}
	return 0;
}

/* Bytes each of @p nb tenants' classes sent so far; returns the messages. */
static uint32_t
sent_bytes(uint64_t *bytes, uint32_t nb)
{
	struct qosdt_sched_class_counters c;
	uint32_t t, n = 0;
	unsigned int cls;

	for (t = 0; t < nb; t++) {
		bytes[t] = 0;
		for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
			qosdt_sched_tenant_counters(sched, t, cls, &c);
			bytes[t] += c.deq_bytes;
			n += c.deq_pkts;
		}
	}
	return n;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Realtime's queueing delay, ns, per message of tenant 0 (one every
 * 2 ms: 4 Mbit/s, within its realtime cap of 7.5) while tenants 1..nb-1 keep best effort backlogged; nb_rt of them.
 */
static int
realtime_delays(uint32_t nb, uint64_t *lat, unsigned int nb_rt)
{
	uint64_t hz = rte_get_tsc_hz(), since = rte_rdtsc(), next = since;
	struct rte_mbuf *pkts[BURST];
	unsigned int k = 0, i, n;

	while (k < nb_rt) {
		if (top_up(1, nb, QOSDT_CLASS_BEST_EFFORT) != 0)
			return -1;
		if (rte_rdtsc() >= next) {
			if (offer(0, QOSDT_CLASS_REALTIME, 1) != 1)
				return -1;
			next += hz / 500;
		}
		n = qosdt_sched_dequeue(sched, pkts, BURST);
		for (i = 0; i < n; i++) {
			const struct qosdt_mbuf_meta *meta = qosdt_mbuf_meta(pkts[i]);

			if (meta->cls == QOSDT_CLASS_REALTIME && meta->ts >= since &&
					k < nb_rt)
				lat[k++] = (rte_rdtsc() - meta->ts) * 1000000000 / hz;
		}
		rte_pktmbuf_free_bulk(pkts, n);
	}
	qsort(lat, nb_rt, sizeof(lat[0]), cmp_u64);
	return 0;
}

/* Fill every queue of tenants 1..nb-1, then run realtime_delays(). */
static int
saturated_realtime_p50(uint32_t nb, uint64_t *p50, uint64_t *p99)
{
	static uint64_t lat[250];
	struct rte_mbuf *pkts[BURST];
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 20;
	unsigned int n;

	while (rte_rdtsc() < end) {
		if (top_up(1, nb, QOSDT_CLASS_BEST_EFFORT) != 0)
			return -1;
		n = qosdt_sched_dequeue(sched, pkts, BURST);
		rte_pktmbuf_free_bulk(pkts, n);
	}
	if (realtime_delays(nb, lat, RTE_DIM(lat)) != 0)
		return -1;
	*p50 = lat[RTE_DIM(lat) / 2];
	*p99 = lat[RTE_DIM(lat) * 99 / 100];
	return 0;
}

/*
 * Eight tenants' pipes, seven of them saturated with best effort at a
 * subport shaped to 200 Mbit/s: tenant 0's realtime takes the express path
 * and leaves in the first dequeue after it came (the mechanism, asserted
 * exactly), so it waits at most 40 us at the median (asserted, with
 * retries: a preempted thread waits longer).
 */
static int
test_realtime_not_behind_other_tenants(void)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t p50 = 0, p99 = 0;
	unsigned int attempt, n, i;
	bool first = false;

	TEST_ASSERT_SUCCESS(tenants_start(8, 200000000, true), "config");
	TEST_ASSERT_SUCCESS(sched_build(), "create");
	/* The mechanism: bulk of seven pipes queued, realtime goes first. */
	for (i = 0; i < 4; i++)
		TEST_ASSERT_SUCCESS(top_up(1, 8, QOSDT_CLASS_BEST_EFFORT), "fill");
	TEST_ASSERT_EQUAL(offer(0, QOSDT_CLASS_REALTIME, 1), 1, "realtime offered");
	for (i = 0; i < 100 && !first; i++) {
		n = qosdt_sched_dequeue(sched, pkts, 1);
		if (n == 1) {
			TEST_ASSERT_EQUAL(qosdt_mbuf_meta(pkts[0])->cls,
				QOSDT_CLASS_REALTIME,
				"the first message out was %s, not tenant 0's realtime",
				qosdt_class_name(qosdt_mbuf_meta(pkts[0])->cls));
			first = true;
		}
		rte_pktmbuf_free_bulk(pkts, n);
	}
	TEST_ASSERT(first, "nothing dequeued");
	for (attempt = 1; attempt <= ATTEMPTS; attempt++) {
		TEST_ASSERT_SUCCESS(saturated_realtime_p50(8, &p50, &p99),
			"measure");
		printf("  realtime of tenant 0 behind 7 tenants' saturated bulk at 200 Mbit/s: "
			"p50 %lu ns, p99 %lu ns\n",
			(unsigned long)p50, (unsigned long)p99);
		if (p50 <= 40000)
			break;
	}
	TEST_ASSERT(p50 <= 40000, "realtime p50 %lu ns over 40 us in %u attempts",
		(unsigned long)p50, ATTEMPTS);
	sched_stop();
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUFS, "mbufs leaked");
	return TEST_SUCCESS;
}

/*
 * Bytes each tenant of @p nb gets over @p ms at the shaped capacity while
 * every tenant in @p flood_mask keeps best effort backlogged.
 */
static int
run_shares(uint32_t nb, uint32_t flood_mask, unsigned int ms, uint64_t *bytes)
{
	uint64_t before[QOSDT_MAX_TENANTS], end;
	struct rte_mbuf *pkts[BURST];
	unsigned int n;
	uint32_t t;

	sent_bytes(before, nb);
	end = rte_rdtsc() + rte_get_tsc_hz() * ms / 1000;
	while (rte_rdtsc() < end) {
		for (t = 0; t < nb; t++)
			if ((flood_mask & (1u << t)) &&
					top_up(t, t + 1, QOSDT_CLASS_BEST_EFFORT) != 0)
				return -1;
		n = qosdt_sched_dequeue(sched, pkts, BURST);
		rte_pktmbuf_free_bulk(pkts, n);
	}
	sent_bytes(bytes, nb);
	for (t = 0; t < nb; t++)
		bytes[t] -= before[t];
	return 0;
}

/* Time since @p since, s. */
static double
seconds_since(uint64_t since)
{
	return (double)(rte_rdtsc() - since) / rte_get_tsc_hz();
}

/* The subport's token bucket, bytes: what it may send above its rate. */
static uint64_t
subport_bucket(void)
{
	uint64_t rate = cfg.tenants.capacity_bps / 8;

	return RTE_MAX(2 * ((uint64_t)cfg.max_frame_len + cfg.frame_overhead),
		rate * cfg.bucket_ns / 1000000000);
}

/*
 * rte_sched's best-effort watermark starts at its maximum and moves by
 * 1/128 per subport TC period (doc/dpdk-notes.md): contending tenants
 * share by weight once it has come down, 128 x ln(sum of the weights)
 * periods after the contention began (1.8 s for 3:1 at 10 ms).
 */
#define WEIGHT_SETTLE_MS 2500

/*
 * Two tenants of weights 3:1 keep best effort backlogged at a subport of
 * 100 Mbit/s: once rte_sched's watermark has settled they share it 3:1
 * (within 25%). The subport shapes: the total is never above the capacity
 * x the time + one bucket (asserted on every attempt); the ratio and the
 * total's lower bound are taken again up to ATTEMPTS times.
 */
static int
test_weighted_share(void)
{
	uint64_t cap = 100000000, bytes[2], total = 0, start;
	double ratio = 0, secs, limit;
	unsigned int attempt;
	bool ok = false;

	TEST_ASSERT_SUCCESS(tenants_start(2, cap, true), "config");
	cfg.tenants.t[0].weight = 3;
	TEST_ASSERT_SUCCESS(sched_build(), "create");
	TEST_ASSERT_SUCCESS(run_shares(2, 0x3, WEIGHT_SETTLE_MS, bytes),
		"warm up");
	for (attempt = 1; attempt <= ATTEMPTS && !ok; attempt++) {
		start = rte_rdtsc();
		TEST_ASSERT_SUCCESS(run_shares(2, 0x3, 500, bytes), "measure");
		secs = seconds_since(start);
		total = bytes[0] + bytes[1];
		ratio = bytes[1] != 0 ? (double)bytes[0] / bytes[1] : 0;
		limit = cap / 8 * secs + subport_bucket();
		printf("  weights 3:1 flooding at 100 Mbit/s: %.1f and %.1f Mbit/s, ratio %.2f\n",
			bytes[0] * 8 / secs / 1e6, bytes[1] * 8 / secs / 1e6,
			ratio);
		TEST_ASSERT(total <= limit,
			"%lu bytes in %.3f s: over the capacity's %.0f",
			(unsigned long)total, secs, limit);
		ok = ratio >= 3 * 0.75 && ratio <= 3 * 1.25 &&
			total >= 0.9 * cap / 8 * secs;
	}
	TEST_ASSERT(ok, "in %u attempts: ratio %.2f (not within 25%% of 3) or total %lu bytes under 90%% of the capacity",
		ATTEMPTS, ratio, (unsigned long)total);
	sched_stop();
	return TEST_SUCCESS;
}

/*
 * Tenants 1..nb-1 offer @p rate_bps each (one FRAME message at a time,
 * paced), tenant 0 keeps best effort backlogged, for @p ms; each tenant's
 * bytes sent and offered (admitted or dropped) meanwhile.
 */
static int
run_paced(uint32_t nb, uint64_t rate_bps, unsigned int ms, uint64_t *sent,
		uint64_t *offered)
{
	uint64_t hz = rte_get_tsc_hz(), gap = hz * FRAME * 8 / rate_bps;
	uint64_t before[QOSDT_MAX_TENANTS], next[QOSDT_MAX_TENANTS], now, end;
	struct rte_mbuf *pkts[BURST];
	unsigned int n;
	uint32_t t;

	sent_bytes(before, nb);
	now = rte_rdtsc();
	end = now + hz * ms / 1000;
	for (t = 0; t < nb; t++) {
		offered[t] = 0;
		next[t] = now;
	}
	while ((now = rte_rdtsc()) < end) {
		if (top_up(0, 1, QOSDT_CLASS_BEST_EFFORT) != 0)
			return -1;
		for (t = 1; t < nb; t++)
			if (now >= next[t]) {
				if (offer(t, QOSDT_CLASS_BEST_EFFORT, 1) < 0)
					return -1;
				offered[t] += FRAME;
				/* After a stall of this thread the tenant goes
				 * on at its rate, it does not catch up in a
				 * burst. */
				next[t] = RTE_MAX(next[t] + gap, now);
			}
		n = qosdt_sched_dequeue(sched, pkts, BURST);
		rte_pktmbuf_free_bulk(pkts, n);
	}
	sent_bytes(sent, nb);
	for (t = 0; t < nb; t++)
		sent[t] -= before[t];
	return 0;
}

/*
 * Three tenants of equal weights at 100 Mbit/s: tenant 0 floods best
 * effort, tenants 1 and 2 offer 20 Mbit/s each, less than their third.
 * They get what they offer: none of it dropped, all of it sent but what
 * a turn of the loop holds (a few messages); tenant 0 gets the rest. The
 * total is never above the capacity (asserted on every attempt); the rest
 * is taken again up to ATTEMPTS times (a stalled thread drops, sends less).
 */
static int
test_light_tenants_get_their_offer(void)
{
	struct qosdt_sched_class_counters c;
	uint64_t cap = 100000000, rate = 20000000, sent[3], offered[3];
	uint64_t start, drops[3] = {0};
	unsigned int attempt, t;
	double secs = 0;
	bool ok = false;

	TEST_ASSERT_SUCCESS(tenants_start(3, cap, true), "config");
	TEST_ASSERT_SUCCESS(sched_build(), "create");
	TEST_ASSERT_SUCCESS(run_paced(3, rate, WEIGHT_SETTLE_MS, sent, offered),
		"warm up");
	for (attempt = 1; attempt <= ATTEMPTS && !ok; attempt++) {
		for (t = 1; t < 3; t++) {
			qosdt_sched_tenant_counters(sched, t,
				QOSDT_CLASS_BEST_EFFORT, &c);
			drops[t] = c.drop_pkts;
		}
		start = rte_rdtsc();
		TEST_ASSERT_SUCCESS(run_paced(3, rate, 500, sent, offered),
			"measure");
		secs = seconds_since(start);
		printf("  1:1:1, tenant 0 flooding, 1 and 2 offering 20 Mbit/s: %.1f, %.1f of %.1f, %.1f of %.1f Mbit/s\n",
			sent[0] * 8 / secs / 1e6,
			sent[1] * 8 / secs / 1e6, offered[1] * 8 / secs / 1e6,
			sent[2] * 8 / secs / 1e6, offered[2] * 8 / secs / 1e6);
		TEST_ASSERT(sent[0] + sent[1] + sent[2] <=
			cap / 8 * secs + subport_bucket(),
			"over the capacity in %.3f s", secs);
		ok = true;
		for (t = 1; t < 3; t++) {
			qosdt_sched_tenant_counters(sched, t,
				QOSDT_CLASS_BEST_EFFORT, &c);
			drops[t] = c.drop_pkts - drops[t];
			if (drops[t] != 0)
				printf("  tenant %u lost %lu messages\n", t,
					(unsigned long)drops[t]);
			ok = ok && drops[t] == 0 &&
				sent[t] + 4 * FRAME >= offered[t];
		}
		ok = ok && sent[0] >= (cap / 8 * secs - offered[1] - offered[2]) * 0.9;
	}
	TEST_ASSERT(ok, "in %u attempts: tenants 1 and 2 did not get (or lost some of) what they offered, or tenant 0 did not get the rest",
		ATTEMPTS);
	sched_stop();
	return TEST_SUCCESS;
}

/*
 * A tenant with a rate cap floods alone: it gets no more than its cap
 * (asserted on every attempt: a token bucket never sends more), although
 * the capacity is idle.
 */
static int
test_tenant_rate_cap(void)
{
	uint64_t bytes[2], cap = 100000000, rate = 20000000, limit;

	TEST_ASSERT_SUCCESS(tenants_start(2, cap, true), "config");
	cfg.tenants.t[0].rate_bps = rate;
	TEST_ASSERT_SUCCESS(sched_build(), "create");
	TEST_ASSERT_SUCCESS(run_shares(2, 0x1, 100, bytes), "warm up");
	TEST_ASSERT_SUCCESS(run_shares(2, 0x1, 500, bytes), "measure");
	limit = rate / 8 / 2 + 4 * FRAME;
	printf("  tenant capped at 20 Mbit/s, flooding alone: %.1f Mbit/s\n",
		bytes[0] * 8 / 0.5 / 1e6);
	TEST_ASSERT(bytes[0] <= limit, "%lu bytes in 500 ms, over its cap's %lu",
		(unsigned long)bytes[0], (unsigned long)limit);
	TEST_ASSERT(bytes[0] >= limit / 2, "%lu bytes in 500 ms: far below its cap",
		(unsigned long)bytes[0]);
	sched_stop();
	return TEST_SUCCESS;
}

/*
 * One tenant floods best effort far past its queue: the drops are its
 * own; the other tenant's messages are all admitted and counted as its.
 */
static int
test_flood_fills_own_queues(void)
{
	struct qosdt_sched_class_counters a, b;
	struct rte_mbuf *pkts[BURST];
	unsigned int i, n;

	TEST_ASSERT_SUCCESS(tenants_start(2, 100000000, true), "config");
	TEST_ASSERT_SUCCESS(sched_build(), "create");
	for (i = 0; i < 200; i++)
		TEST_ASSERT(offer(0, QOSDT_CLASS_BEST_EFFORT, BURST) >= 0, "flood");
	TEST_ASSERT_EQUAL(offer(1, QOSDT_CLASS_BEST_EFFORT, 8), 8,
		"the quiet tenant's messages");
	qosdt_sched_tenant_counters(sched, 0, QOSDT_CLASS_BEST_EFFORT, &a);
	qosdt_sched_tenant_counters(sched, 1, QOSDT_CLASS_BEST_EFFORT, &b);
	TEST_ASSERT(a.drop_pkts > 0, "the flood was never dropped");
	TEST_ASSERT(a.backlog <= a.limit, "flood backlog %u over its limit %u",
		a.backlog, a.limit);
	TEST_ASSERT_EQUAL(b.drop_pkts, 0, "the quiet tenant lost %lu",
		(unsigned long)b.drop_pkts);
	TEST_ASSERT_EQUAL(b.enq_pkts, 8, "the quiet tenant's admitted");
	/* A tenant that does not exist: dropped, nothing leaks. */
	TEST_ASSERT_EQUAL(offer(7, QOSDT_CLASS_BEST_EFFORT, 4), 4, "consumed");
	do {
		n = qosdt_sched_dequeue(sched, pkts, BURST);
		rte_pktmbuf_free_bulk(pkts, n);
	} while (n != 0 || a.backlog == 0 ? false : (qosdt_sched_tenant_counters(
		sched, 0, QOSDT_CLASS_BEST_EFFORT, &a), a.backlog != 0));
	sched_stop();
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUFS, "mbufs leaked");
	return TEST_SUCCESS;
}

/*
 * Through the public API: each tenant has buffers of its own. Tenant 0
 * takes every best-effort buffer it can (its pool and what it may borrow
 * of its shared pool); tenant 1 can still allocate from its own.
 */
static int
test_buffers_per_tenant(void)
{
	static struct rte_mbuf *taken[NB_MBUFS];
	struct qosdt_resv_usage u0, u1;
	struct rte_mempool *p0, *p1;
	struct rte_mbuf *m;
	struct qosdt *q;
	unsigned int n = 0;

	TEST_ASSERT_SUCCESS(tenants_start(2, 200000000, true), "config");
	q = qosdt_create("tenants", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(qosdt_nb_tenants(q), 2, "tenants");
	TEST_ASSERT_NULL(qosdt_tenant_pool(q, 2, QOSDT_CLASS_BEST_EFFORT),
		"a pool of a third tenant");
	p0 = qosdt_tenant_pool(q, 0, QOSDT_CLASS_BEST_EFFORT);
	p1 = qosdt_tenant_pool(q, 1, QOSDT_CLASS_BEST_EFFORT);
	TEST_ASSERT(p0 != NULL && p1 != NULL && p0 != p1, "one pool each");
	while (n < RTE_DIM(taken) && (m = rte_pktmbuf_alloc(p0)) != NULL)
		taken[n++] = m;
	TEST_ASSERT_SUCCESS(qosdt_tenant_buffers_read(q, 0, &u0), "read 0");
	TEST_ASSERT_SUCCESS(qosdt_tenant_buffers_read(q, 1, &u1), "read 1");
	printf("  tenant 0 took %u best-effort buffers (%u own, %u borrowed of a cap of %u)\n",
		n, u0.cls[QOSDT_CLASS_BEST_EFFORT].in_use,
		u0.cls[QOSDT_CLASS_BEST_EFFORT].borrowed,
		u0.cls[QOSDT_CLASS_BEST_EFFORT].borrow_cap);
	TEST_ASSERT(n < RTE_DIM(taken), "tenant 0's pool never ran out");
	TEST_ASSERT_EQUAL(n, u0.cls[QOSDT_CLASS_BEST_EFFORT].reserved +
		u0.cls[QOSDT_CLASS_BEST_EFFORT].borrow_cap,
		"it took its reservation and its borrow cap, no more");
	m = rte_pktmbuf_alloc(p1);
	TEST_ASSERT_NOT_NULL(m, "tenant 1 cannot allocate after tenant 0's flood");
	TEST_ASSERT_EQUAL(u1.cls[QOSDT_CLASS_BEST_EFFORT].in_use, 0,
		"tenant 1's buffers were used by tenant 0");
	rte_pktmbuf_free(m);
	rte_pktmbuf_free_bulk(taken, n);
	TEST_ASSERT_EQUAL(qosdt_tenant_buffers_read(q, 2, &u1), -ENOENT,
		"a third tenant's buffers");
	qosdt_free(q);
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	if (qosdt_mbuf_meta_register() != 0)
		return TEST_FAILED;
	pool = rte_pktmbuf_pool_create("test_tenants_pool", NB_MBUFS, 0, 0,
		2048 + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	return pool == NULL ? TEST_FAILED : TEST_SUCCESS;
}

static void
suite_teardown(void)
{
	sched_stop();
	rte_mempool_free(pool);
}

static void
case_teardown(void)
{
	sched_stop();
}

static struct unit_test_suite tenants_suite = {
	.suite_name = "qosdt tenants",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(NULL, case_teardown, test_realtime_not_behind_other_tenants),
		TEST_CASE_ST(NULL, case_teardown, test_tenant_rate_cap),
		TEST_CASE_ST(NULL, case_teardown, test_weighted_share),
		TEST_CASE_ST(NULL, case_teardown, test_light_tenants_get_their_offer),
		TEST_CASE_ST(NULL, case_teardown, test_flood_fills_own_queues),
		TEST_CASE_ST(NULL, case_teardown, test_buffers_per_tenant),
		TEST_CASES_END(),
	},
};

static int
test_qos_tenants(void)
{
	return unit_test_suite_runner(&tenants_suite);
}

REGISTER_TEST_COMMAND(qos_tenants_autotest, test_qos_tenants);
