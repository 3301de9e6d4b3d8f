/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The public API as another DPDK application uses it: load the shipped
 * config, create an instance, put the 15 services through it with buffers
 * from the class pools, read the statistics, free it with nothing left.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "qosdt.h"
#include "qosdt_classify.h"
#include "qosdt_mbuf.h"
#include "qosdt_resv.h"
#include "test.h"

#define BURST 32

static struct qosdt_config cfg;

static int
load_shipped_config(void)
{
	const char *root = getenv("QOSDT_SOURCE_ROOT");
	char path[4096], err[QOSDT_CONFIG_ERRLEN];

	if (root == NULL) {
		printf("QOSDT_SOURCE_ROOT is not set: cannot find config/qos.json\n");
		return TEST_SKIPPED;
	}
	snprintf(path, sizeof(path), "%s/config/qos.json", root);
	if (qosdt_config_load(path, &cfg, err, sizeof(err)) != 0) {
		printf("%s\n", err);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

/* A request for @p service, in a buffer of the class it maps to. */
static struct rte_mbuf *
request_new(struct qosdt *q, uint16_t service, uint64_t id)
{
	unsigned int cls = qosdt_classify_service(qosdt_classifier_of(q),
		service, NULL);
	struct rte_mbuf *m = rte_pktmbuf_alloc(qosdt_pool(q, cls));
	struct qosdt_msg msg = { .service_id = service, .request_id = id,
		.length = 16 };
	static const char payload[16] = "hello, service!";

	if (m != NULL && qosdt_msg_build(m, NULL, NULL, &msg, payload) != 0) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	return m;
}

static int
buffers_all_returned(struct qosdt *q)
{
	struct qosdt_resv_usage u;
	unsigned int c;

	qosdt_resv_usage(qosdt_resv_of(q), &u);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		if (u.cls[c].in_use != 0 || u.cls[c].borrowed != 0)
			return 0;
	return u.shared_in_use == 0;
}

/* Every service in, every message out in its class; stats agree. */
static int
test_services_round_trip(void)
{
	uint64_t sent[QOSDT_NB_CLASSES] = {0}, got[QOSDT_NB_CLASSES] = {0};
	struct rte_mbuf *pkts[BURST];
	struct qosdt_stats st;
	unsigned int i, n, c, total = 0, out = 0, rounds;
	struct qosdt *q;

	q = qosdt_create("api", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create: %s", rte_strerror(rte_errno));
	for (rounds = 0; rounds < 20; rounds++) {
		for (i = 0; i < 15; i++) {
			pkts[i] = request_new(q, i + 1, total + i);
			TEST_ASSERT_NOT_NULL(pkts[i], "request %u", i + 1);
			sent[qosdt_classify_service(qosdt_classifier_of(q),
				i + 1, NULL)]++;
		}
		TEST_ASSERT_EQUAL(qosdt_enqueue_burst(q, pkts, 15), 15,
			"below every limit, all are taken");
		total += 15;
	}
	while (out < total) {
		n = qosdt_dequeue_burst(q, pkts, BURST);
		for (i = 0; i < n; i++) {
			struct qosdt_msg msg;

			TEST_ASSERT_SUCCESS(qosdt_msg_parse(pkts[i], &msg),
				"frame intact");
			c = qosdt_mbuf_meta(pkts[i])->cls;
			TEST_ASSERT_EQUAL(c, qosdt_classify_service(
				qosdt_classifier_of(q), msg.service_id, NULL),
				"service %u in class %u", msg.service_id, c);
			got[c]++;
		}
		rte_pktmbuf_free_bulk(pkts, n);
		out += n;
	}
	/* The window closes on a dequeue after window_ms. */
	usleep((cfg.window_ms + 20) * 1000);
	qosdt_dequeue_burst(q, pkts, BURST);
	qosdt_stats_read(q, &st);
	TEST_ASSERT(st.windows >= 1, "no window closed");
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		printf("  %-11s sent %3lu, stats: rx %3lu tx %3lu, latency "
			"p50 %lu ns max %lu ns\n", qosdt_class_name(c),
			(unsigned long)sent[c], (unsigned long)st.cls[c].rx_pkts,
			(unsigned long)st.cls[c].tx_pkts,
			(unsigned long)st.cls[c].latency.p50_ns,
			(unsigned long)st.cls[c].latency.max_ns);
		TEST_ASSERT_EQUAL(got[c], sent[c], "%s", qosdt_class_name(c));
		TEST_ASSERT_EQUAL(st.cls[c].rx_pkts, sent[c], "rx");
		TEST_ASSERT_EQUAL(st.cls[c].tx_pkts, sent[c], "tx");
		TEST_ASSERT_EQUAL(st.cls[c].drop_pkts, 0, "drops");
		TEST_ASSERT_EQUAL(st.cls[c].latency.count, sent[c], "samples");
		TEST_ASSERT(st.cls[c].latency.max_ns > 0, "latency measured");
	}
	TEST_ASSERT(buffers_all_returned(q), "buffers still out");
	qosdt_free(q);
	return TEST_SUCCESS;
}

/* RELIABLE over its limit comes back to the caller, in order, and later in. */
static int
test_held_back_contract(void)
{
	struct rte_mbuf *pkts[BURST], *out[BURST];
	uint32_t limit = cfg.classes[QOSDT_CLASS_RELIABLE].queue_limit;
	unsigned int i, k, queued = 0, drained = 0;
	struct qosdt *q;

	q = qosdt_create("api", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create");
	for (;;) {
		for (i = 0; i < BURST; i++) {
			pkts[i] = request_new(q, 3, queued + i); /* Caesar: reliable */
			TEST_ASSERT_NOT_NULL(pkts[i], "request");
		}
		k = qosdt_enqueue_burst(q, pkts, BURST);
		queued += k;
		if (k < BURST)
			break;
	}
	TEST_ASSERT_EQUAL(queued, limit, "queued %u, limit %u", queued, limit);
	for (i = k; i < BURST; i++) {
		struct qosdt_msg msg;

		TEST_ASSERT_SUCCESS(qosdt_msg_parse(pkts[i], &msg), "held frame");
		TEST_ASSERT_EQUAL(msg.request_id, queued + i - k,
			"held messages in order");
	}
	/* Make room, then the held ones go in without re-classification. */
	while (drained < BURST) {
		unsigned int n = qosdt_dequeue_burst(q, out, BURST - drained);

		rte_pktmbuf_free_bulk(out, n);
		drained += n;
	}
	TEST_ASSERT_EQUAL(qosdt_enqueue_classified_burst(q, pkts + k, BURST - k),
		BURST - k, "re-offered");
	qosdt_free(q);
	return TEST_SUCCESS;
}

/* An invalid configuration is refused, and nothing is created. */
static int
test_create_refuses_bad_config(void)
{
	struct qosdt_config bad = cfg;
	struct qosdt *q;

	bad.classes[QOSDT_CLASS_THROUGHPUT].weight = 0;
	q = qosdt_create("api_bad", &bad, SOCKET_ID_ANY, false);
	TEST_ASSERT_NULL(q, "weight 0 accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	/* The name is free again: nothing was left behind. */
	q = qosdt_create("api_bad", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create after a refusal");
	qosdt_free(q);
	return TEST_SUCCESS;
}

static struct unit_test_suite api_suite = {
	.suite_name = "qosdt public API",
	.setup = load_shipped_config,
	.unit_test_cases = {
		TEST_CASE(test_services_round_trip),
		TEST_CASE(test_held_back_contract),
		TEST_CASE(test_create_refuses_bad_config),
		TEST_CASES_END(),
	},
};

static int
test_qos_api(void)
{
	return unit_test_suite_runner(&api_suite);
}

REGISTER_TEST_COMMAND(qos_api_autotest, test_qos_api);
