/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Classification: the 15 services and unknown ids land in the original
 * extension's classes with their SLOs; bursts of real frames get their
 * metadata and are left untouched; malformed frames are marked, and
 * dropped and counted by qosdt_enqueue_burst().
 */

#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "qosdt.h"
#include "qosdt_classifier.h"
#include "qosdt_mbuf.h"
#include "qos_test_util.h"
#include "test.h"

#define NB_MBUFS 1024

static struct rte_mempool *pool;
static struct qosdt_config cfg;

/* doc/original.md: each service's class and latency SLO (us). */
static const struct {
	uint16_t id;
	unsigned int cls;
	uint64_t slo_us;
} expected[] = {
	{ 1, QOSDT_CLASS_REALTIME, 100 },     /* echo */
	{ 2, QOSDT_CLASS_REALTIME, 200 },     /* flip */
	{ 3, QOSDT_CLASS_RELIABLE, 300 },     /* Caesar +3 */
	{ 4, QOSDT_CLASS_RELIABLE, 300 },     /* Caesar -3 */
	{ 5, QOSDT_CLASS_RELIABLE, 400 },     /* XOR */
	{ 6, QOSDT_CLASS_RELIABLE, 400 },     /* XOR */
	{ 7, QOSDT_CLASS_RELIABLE, 500 },     /* ROT13 */
	{ 8, QOSDT_CLASS_RELIABLE, 500 },     /* ROT13 */
	{ 9, QOSDT_CLASS_THROUGHPUT, 1000 },  /* djb2 */
	{ 10, QOSDT_CLASS_THROUGHPUT, 1000 }, /* CRC-32 */
	{ 11, QOSDT_CLASS_THROUGHPUT, 1000 }, /* FNV-1a */
	{ 12, QOSDT_CLASS_BEST_EFFORT, 5000 },/* xorshift32 */
	{ 13, QOSDT_CLASS_BEST_EFFORT, 5000 },/* LCG */
	{ 14, QOSDT_CLASS_BEST_EFFORT, 5000 },/* random string */
	{ 15, QOSDT_CLASS_BEST_EFFORT, 5000 },/* random letter */
	{ 0, QOSDT_CLASS_BEST_EFFORT, 5000 }, /* unknown ids */
	{ 16, QOSDT_CLASS_BEST_EFFORT, 5000 },
	{ 255, QOSDT_CLASS_BEST_EFFORT, 5000 },
	{ 65535, QOSDT_CLASS_BEST_EFFORT, 5000 },
};

static struct rte_mbuf *
frame_new(uint16_t service, uint32_t len)
{
	return qos_test_request(pool, service, 1000 + service, len);
}

static int
test_services_table(void)
{
	struct qosdt_classifier *cl = qosdt_classifier_create(&cfg, SOCKET_ID_ANY);
	unsigned int i;

	TEST_ASSERT_NOT_NULL(cl, "create");
	for (i = 0; i < RTE_DIM(expected); i++) {
		uint64_t slo;
		unsigned int c = qosdt_classify_service(cl, expected[i].id, &slo);

		TEST_ASSERT_EQUAL(c, expected[i].cls, "service %u -> %s",
			expected[i].id, qosdt_class_name(c));
		TEST_ASSERT_EQUAL(slo, expected[i].slo_us * 1000,
			"service %u SLO %lu ns", expected[i].id, (unsigned long)slo);
	}
	qosdt_classifier_free(cl);
	return TEST_SUCCESS;
}

/* Real frames: metadata written, frame bytes unchanged. */
static int
test_burst_metadata(void)
{
	struct qosdt_classifier *cl = qosdt_classifier_create(&cfg, SOCKET_ID_ANY);
	struct rte_mbuf *pkts[RTE_DIM(expected)];
	uint8_t before[RTE_DIM(expected)][64];
	unsigned int i, n = RTE_DIM(expected);
	uint64_t tsc = rte_rdtsc();

	TEST_ASSERT_NOT_NULL(cl, "create");
	for (i = 0; i < n; i++) {
		pkts[i] = frame_new(expected[i].id, 24);
		TEST_ASSERT_NOT_NULL(pkts[i], "frame");
		memcpy(before[i], rte_pktmbuf_mtod(pkts[i], void *),
			pkts[i]->data_len);
	}
	TEST_ASSERT_EQUAL(qosdt_classify_burst(cl, pkts, n, tsc), 0, "malformed");
	for (i = 0; i < n; i++) {
		const struct qosdt_mbuf_meta *meta = qosdt_mbuf_meta(pkts[i]);

		TEST_ASSERT_EQUAL(meta->cls, expected[i].cls, "service %u",
			expected[i].id);
		TEST_ASSERT_EQUAL(meta->service_id, expected[i].id, "id");
		TEST_ASSERT_EQUAL(meta->slo_latency_ns, expected[i].slo_us * 1000,
			"slo");
		TEST_ASSERT_EQUAL(meta->ts, tsc, "timestamp");
		TEST_ASSERT_EQUAL(meta->flags, 0, "flags");
		TEST_ASSERT(memcmp(before[i], rte_pktmbuf_mtod(pkts[i], void *),
			pkts[i]->data_len) == 0, "frame %u changed", i);
	}
	rte_pktmbuf_free_bulk(pkts, n);
	qosdt_classifier_free(cl);
	return TEST_SUCCESS;
}

/* Malformed frames: marked, default class, never trusted. */
static int
test_malformed_marked(void)
{
	struct qosdt_classifier *cl = qosdt_classifier_create(&cfg, SOCKET_ID_ANY);
	struct rte_mbuf *pkts[4];
	struct qosdt_frame_hdr *h;
	unsigned int i;

	TEST_ASSERT_NOT_NULL(cl, "create");
	for (i = 0; i < RTE_DIM(pkts); i++) {
		pkts[i] = frame_new(1, 16);
		TEST_ASSERT_NOT_NULL(pkts[i], "frame");
	}
	h = rte_pktmbuf_mtod(pkts[0], struct qosdt_frame_hdr *);
	h->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	h = rte_pktmbuf_mtod(pkts[1], struct qosdt_frame_hdr *);
	h->msg.length = RTE_BE32(17);        /* one byte beyond the frame */
	rte_pktmbuf_trim(pkts[2], pkts[2]->pkt_len - 10); /* truncated */
	TEST_ASSERT_EQUAL(qosdt_classify_burst(cl, pkts, 4, 0), 3, "malformed");
	for (i = 0; i < 3; i++) {
		TEST_ASSERT(qosdt_mbuf_meta(pkts[i])->flags & QOSDT_META_F_MALFORMED,
			"frame %u not marked", i);
		TEST_ASSERT_EQUAL(qosdt_mbuf_meta(pkts[i])->cls,
			QOSDT_CLASS_BEST_EFFORT, "default class");
	}
	TEST_ASSERT_EQUAL(qosdt_mbuf_meta(pkts[3])->cls, QOSDT_CLASS_REALTIME,
		"the valid one");
	rte_pktmbuf_free_bulk(pkts, 4);
	qosdt_classifier_free(cl);
	return TEST_SUCCESS;
}

/* A config's own map: ranges, boundaries, default class, overrides. */
static int
test_custom_map(void)
{
	static const char *json =
		"{ \"services\": { \"default\": \"throughput\", \"map\": ["
		"  { \"ids\": \"100-200\", \"class\": \"realtime\","
		"    \"max_latency\": \"50us\" },"
		"  { \"ids\": 65535, \"class\": \"reliable\" } ] } }";
	static const struct { uint16_t id; unsigned int cls; uint64_t slo; } t[] = {
		{ 99, QOSDT_CLASS_THROUGHPUT, 1000000 },
		{ 100, QOSDT_CLASS_REALTIME, 50000 },
		{ 150, QOSDT_CLASS_REALTIME, 50000 },
		{ 200, QOSDT_CLASS_REALTIME, 50000 },
		{ 201, QOSDT_CLASS_THROUGHPUT, 1000000 },
		{ 1, QOSDT_CLASS_THROUGHPUT, 1000000 },
		{ 65535, QOSDT_CLASS_RELIABLE, 500000 },
	};
	struct qosdt_config custom;
	struct qosdt_classifier *cl;
	char err[QOSDT_CONFIG_ERRLEN];
	unsigned int i;

	TEST_ASSERT_SUCCESS(qosdt_config_parse(json, &custom, err, sizeof(err)),
		"%s", err);
	cl = qosdt_classifier_create(&custom, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(cl, "create");
	for (i = 0; i < RTE_DIM(t); i++) {
		uint64_t slo;

		TEST_ASSERT_EQUAL(qosdt_classify_service(cl, t[i].id, &slo),
			t[i].cls, "id %u", t[i].id);
		TEST_ASSERT_EQUAL(slo, t[i].slo, "id %u slo", t[i].id);
	}
	qosdt_classifier_free(cl);
	return TEST_SUCCESS;
}

/* Through the public API: malformed frames dropped and counted. */
static int
test_enqueue_drops_malformed(void)
{
	struct rte_mbuf *pkts[8], *out[8];
	struct qosdt_counters cnt;
	struct qosdt *q;
	unsigned int i, n = 0;

	q = qosdt_create("test_cls", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create");
	for (i = 0; i < RTE_DIM(pkts); i++) {
		pkts[i] = frame_new(i + 1, 32);
		TEST_ASSERT_NOT_NULL(pkts[i], "frame");
	}
	rte_pktmbuf_trim(pkts[2], pkts[2]->pkt_len - 20);
	rte_pktmbuf_trim(pkts[5], pkts[5]->pkt_len - 20);
	TEST_ASSERT_EQUAL(qosdt_enqueue_burst(q, pkts, 8), 8, "consumed");
	qosdt_counters_read(q, &cnt);
	TEST_ASSERT_EQUAL(cnt.malformed, 2, "malformed count");
	while (n < 6) {
		uint16_t k = qosdt_dequeue_burst(q, out + n, 8 - n);

		n += k;
	}
	TEST_ASSERT_EQUAL(qosdt_dequeue_burst(q, out + n, 2), 0, "extra frames");
	{
		unsigned int seen = 0;

		for (i = 0; i < n; i++) {
			struct qosdt_msg msg;

			TEST_ASSERT_SUCCESS(qosdt_msg_parse(out[i], &msg), "parse");
			seen |= 1u << msg.service_id;
		}
		/* Services 3 and 6 were the truncated frames. */
		TEST_ASSERT_EQUAL(seen, (1u << 1) | (1u << 2) | (1u << 4) |
			(1u << 5) | (1u << 7) | (1u << 8), "services out: %#x", seen);
	}
	rte_pktmbuf_free_bulk(out, n);
	qosdt_free(q);
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUFS, "leak");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	char err[QOSDT_CONFIG_ERRLEN];

	qosdt_config_defaults(&cfg);
	if (qosdt_config_validate(&cfg, err, sizeof(err)) != 0) {
		printf("defaults: %s\n", err);
		return TEST_FAILED;
	}
	if (qosdt_mbuf_meta_register() != 0)
		return TEST_FAILED;
	pool = rte_pktmbuf_pool_create("test_cls_pool", NB_MBUFS, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool == NULL ? TEST_FAILED : TEST_SUCCESS;
}

static void
suite_teardown(void)
{
	rte_mempool_free(pool);
}

static struct unit_test_suite classify_suite = {
	.suite_name = "qosdt classification",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_services_table),
		TEST_CASE(test_burst_metadata),
		TEST_CASE(test_malformed_marked),
		TEST_CASE(test_custom_map),
		TEST_CASE(test_enqueue_drops_malformed),
		TEST_CASES_END(),
	},
};

static int
test_qos_classify(void)
{
	return unit_test_suite_runner(&classify_suite);
}

REGISTER_TEST_COMMAND(qos_classify_autotest, test_qos_classify);
