/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The public API as another DPDK application uses it: load the shipped
 * config, create an instance, put the 15 services through it with buffers
 * from the class pools, read the statistics, free it with nothing left;
 * what is held back comes out in order and in class; classification alone
 * (qosdt_classify_burst_now) marks and counts malformed frames.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "qosdt.h"
#include "qosdt_classifier.h"
#include "qosdt_mbuf.h"
#include "qosdt_priv.h"
#include "qosdt_resv.h"
#include "qosdt_sched.h"
#include "qos_test_util.h"
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
	unsigned int cls = qosdt_service_class(q, service, NULL);

	return qos_test_request(qosdt_pool(q, cls), service, id, 16);
}

static int
buffers_all_returned(struct qosdt *q)
{
	struct qosdt_resv_usage u;
	unsigned int c;

	qosdt_buffers_read(q, &u);
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
			sent[qosdt_service_class(q, i + 1, NULL)]++;
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
			TEST_ASSERT_EQUAL(c, qosdt_service_class(q, msg.service_id, NULL),
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
	/* Bursts of 31, so that the one that reaches the limit straddles it. */
	for (;;) {
		for (i = 0; i < BURST - 1; i++) {
			pkts[i] = request_new(q, 3, queued + i); /* Caesar: reliable */
			TEST_ASSERT_NOT_NULL(pkts[i], "request");
		}
		k = qosdt_enqueue_burst(q, pkts, BURST - 1);
		queued += k;
		if (k < BURST - 1)
			break;
	}
	TEST_ASSERT_EQUAL(queued, limit, "queued %u, limit %u", queued, limit);
	TEST_ASSERT(k > 0, "the limit fell on a burst boundary");
	for (i = k; i < BURST - 1; i++) {
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
	TEST_ASSERT_EQUAL(qosdt_enqueue_classified_burst(q, pkts + k,
		BURST - 1 - k), BURST - 1 - k, "re-offered");
	qosdt_free(q);
	return TEST_SUCCESS;
}

/*
 * What is held back comes out later, all of it, in the order it was offered
 * and in its class: RELIABLE filled to its limit (a burst straddling it is
 * held back in part), then drained a little, the held ones offered again
 * (some held once more), until every one is in; each service's messages
 * come out in their request order (RELIABLE is strict with one traffic class
 * per latency objective, shortest first: across services of different
 * objectives the order is the deadlines', doc/qos_core.md), every one once,
 * still classed RELIABLE, none dropped, and the monitor counted the holds.
 */
static int
held_out_ok(struct rte_mbuf *m, int64_t *last, unsigned int nb_last,
	unsigned int nth)
{
	struct qosdt_msg msg;
	unsigned int cls = qosdt_mbuf_meta(m)->cls;

	if (qosdt_msg_parse(m, &msg) != 0 || msg.service_id >= nb_last ||
			(int64_t)msg.request_id <= last[msg.service_id] ||
			cls != QOSDT_CLASS_RELIABLE) {
		printf("out #%u: request %lu of service %u class %u, expected a "
			"request of that service after %ld, reliable\n", nth,
			(unsigned long)msg.request_id, msg.service_id, cls,
			msg.service_id < nb_last ? (long)last[msg.service_id] : -1L);
		return -1;
	}
	last[msg.service_id] = (int64_t)msg.request_id;
	return 0;
}

static int
test_held_back_come_out_in_order(void)
{
	uint32_t limit = cfg.classes[QOSDT_CLASS_RELIABLE].queue_limit;
	struct rte_mbuf *pkts[BURST], *held[BURST], *out[BURST];
	unsigned int i, n, k, nb_held = 0, sent = 0, got = 0, holds = 0;
	struct qosdt_sched_class_counters sc;
	struct qosdt_stats st;
	struct qosdt *q;
	int64_t last[16];
	int ret = TEST_FAILED;

	for (i = 0; i < RTE_DIM(last); i++)
		last[i] = -1;
	q = qosdt_create("api", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create");
	/* Offer limit + 2 bursts; what is held goes back in once room is made. */
	while (sent < limit + 2 * (BURST - 1) || nb_held > 0) {
		if (nb_held == 0) {
			for (i = 0; i < BURST - 1; i++) {
				pkts[i] = request_new(q, 3 + i % 6, sent + i);
				TEST_ASSERT_NOT_NULL(pkts[i], "request");
			}
			n = BURST - 1;
			k = qosdt_enqueue_burst(q, pkts, n);
			sent += n;
		} else {
			memcpy(pkts, held, nb_held * sizeof(*pkts));
			n = nb_held;
			k = qosdt_enqueue_classified_burst(q, pkts, n);
		}
		nb_held = n - k;
		memcpy(held, pkts + k, nb_held * sizeof(*held));
		holds += nb_held > 0;
		/* Once the limit is reached, a few out to make room. */
		if (nb_held > 0) {
			unsigned int room = 0;

			while (room < BURST / 2) {
				unsigned int d = qosdt_dequeue_burst(q, out,
					BURST / 2 - room);

				for (i = 0; i < d; i++) {
					if (held_out_ok(out[i], last, RTE_DIM(last),
							got + i) != 0) {
						rte_pktmbuf_free_bulk(out + i, d - i);
						rte_pktmbuf_free_bulk(held, nb_held);
						goto end;
					}
					rte_pktmbuf_free(out[i]);
				}
				got += d;
				room += d;
			}
		}
	}
	TEST_ASSERT(holds > 0, "nothing was ever held back");
	/* Drain the rest: still in order and in class. */
	while (got < sent) {
		n = qosdt_dequeue_burst(q, out, BURST);
		for (i = 0; i < n; i++) {
			if (held_out_ok(out[i], last, RTE_DIM(last), got + i) != 0) {
				rte_pktmbuf_free_bulk(out + i, n - i);
				goto end;
			}
		}
		rte_pktmbuf_free_bulk(out, n);
		got += n;
	}
	TEST_ASSERT_EQUAL(qosdt_dequeue_burst(q, out, BURST), 0, "more than sent");
	qosdt_sched_counters(q->sched, QOSDT_CLASS_RELIABLE, &sc);
	TEST_ASSERT_EQUAL(sc.drop_pkts, 0, "reliable dropped %lu",
		(unsigned long)sc.drop_pkts);
	TEST_ASSERT_EQUAL(sc.deq_pkts, sent, "reliable dequeued %lu of %u",
		(unsigned long)sc.deq_pkts, sent);
	/* The window closes on a dequeue after window_ms. */
	usleep((cfg.window_ms + 20) * 1000);
	qosdt_dequeue_burst(q, out, BURST);
	qosdt_stats_read(q, &st);
	TEST_ASSERT(st.cls[QOSDT_CLASS_RELIABLE].held_pkts >= holds,
		"the monitor counted %lu held, %u holds happened",
		(unsigned long)st.cls[QOSDT_CLASS_RELIABLE].held_pkts, holds);
	TEST_ASSERT_EQUAL(st.cls[QOSDT_CLASS_RELIABLE].tx_pkts, sent, "tx %lu",
		(unsigned long)st.cls[QOSDT_CLASS_RELIABLE].tx_pkts);
	printf("%u reliable offered over a %u limit, held back %u times: all out "
		"once, each service in order, in class\n", sent, limit, holds);
	ret = TEST_SUCCESS;
end:
	TEST_ASSERT(buffers_all_returned(q) || ret != TEST_SUCCESS,
		"buffers still out");
	qosdt_free(q);
	return ret;
}

/*
 * qosdt_classify_burst_now(): the metadata of each frame (class, service,
 * objective, a timestamp taken during the call), the frames unchanged, and
 * the number of malformed frames returned, those marked and given the
 * default class. Classified frames then go in unclassified again.
 */
static int
test_classify_burst_now(void)
{
	static const uint16_t services[] = { 1, 9, 3, 14 };
	struct rte_mbuf *pkts[8], *out[8];
	uint8_t before[8][64];
	struct qosdt_frame_hdr *h;
	uint64_t t0, t1, slo;
	unsigned int i, n = 0, cls;
	struct qosdt *q;

	q = qosdt_create("api", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create");
	for (i = 0; i < 8; i++) {
		pkts[i] = request_new(q, services[i % 4], i);
		TEST_ASSERT_NOT_NULL(pkts[i], "request");
	}
	/* 4..6 malformed: not our ethertype, length past the frame, cut. */
	h = rte_pktmbuf_mtod(pkts[4], struct qosdt_frame_hdr *);
	h->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	h = rte_pktmbuf_mtod(pkts[5], struct qosdt_frame_hdr *);
	h->msg.length = rte_cpu_to_be_32(17);
	rte_pktmbuf_trim(pkts[6], pkts[6]->pkt_len - 10);
	for (i = 0; i < 8; i++)
		memcpy(before[i], rte_pktmbuf_mtod(pkts[i], void *),
			RTE_MIN(pkts[i]->data_len, (uint16_t)sizeof(before[i])));
	TEST_ASSERT_EQUAL(qosdt_classify_burst_now(q, pkts, 0), 0, "empty burst");
	TEST_ASSERT_EQUAL(qosdt_classify_burst_now(q, pkts, 4), 0,
		"valid frames counted malformed");
	t0 = rte_rdtsc();
	TEST_ASSERT_EQUAL(qosdt_classify_burst_now(q, pkts, 8), 3, "malformed");
	t1 = rte_rdtsc();
	for (i = 0; i < 8; i++) {
		const struct qosdt_mbuf_meta *m = qosdt_mbuf_meta(pkts[i]);
		bool bad = i >= 4 && i <= 6;

		TEST_ASSERT(memcmp(before[i], rte_pktmbuf_mtod(pkts[i], void *),
			RTE_MIN(pkts[i]->data_len, (uint16_t)sizeof(before[i]))) == 0,
			"frame %u changed", i);
		TEST_ASSERT(m->ts >= t0 && m->ts <= t1, "frame %u: timestamp %lu "
			"outside the call [%lu, %lu]", i, (unsigned long)m->ts,
			(unsigned long)t0, (unsigned long)t1);
		TEST_ASSERT_EQUAL(!!(m->flags & QOSDT_META_F_MALFORMED), bad,
			"frame %u: flags %#x", i, m->flags);
		if (bad) {
			TEST_ASSERT(m->cls == qosdt_service_class(q, 0xffff, NULL) &&
				m->service_id == 0, "malformed frame %u: class "
				"%u service %u, not the default class and none",
				i, m->cls, m->service_id);
			continue;
		}
		cls = qosdt_service_class(q,
			services[i % 4], &slo);
		TEST_ASSERT(m->cls == cls && m->service_id == services[i % 4] &&
			m->slo_latency_ns == slo, "frame %u: class %u service %u "
			"objective %u, expected %u %u %lu", i, m->cls, m->service_id,
			m->slo_latency_ns, cls, services[i % 4], (unsigned long)slo);
	}
	/* The valid ones go in as classified; the malformed are the caller's. */
	rte_pktmbuf_free_bulk(pkts + 4, 3);
	pkts[4] = pkts[7];
	TEST_ASSERT_EQUAL(qosdt_enqueue_classified_burst(q, pkts, 5), 5, "enqueue");
	while (n < 5)
		n += qosdt_dequeue_burst(q, out + n, 5 - n);
	rte_pktmbuf_free_bulk(out, n);
	TEST_ASSERT(buffers_all_returned(q), "buffers still out");
	qosdt_free(q);
	return TEST_SUCCESS;
}

/*
 * One burst mixing what is queued, what is held back and what is malformed:
 * the consumed ones first, the held ones (only reliable) at the tail in
 * their order, the malformed ones freed and counted.
 */
static int
test_mixed_burst_contract(void)
{
	uint32_t limit = cfg.classes[QOSDT_CLASS_RELIABLE].queue_limit;
	struct rte_mbuf *pkts[BURST];
	uint64_t held_ids[BURST];
	unsigned int i, k, queued = 0, nb_held = 0, nb_bad = 0;
	struct qosdt_counters cnt;
	struct qosdt_sched_class_counters sc;
	struct qosdt *q;

	q = qosdt_create("api", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create");
	/* Reliable at its limit less 3. */
	while (queued < limit - 3) {
		unsigned int n = RTE_MIN((unsigned int)BURST, limit - 3 - queued);

		for (i = 0; i < n; i++) {
			pkts[i] = request_new(q, 5, i);
			TEST_ASSERT_NOT_NULL(pkts[i], "request");
		}
		TEST_ASSERT_EQUAL(qosdt_enqueue_burst(q, pkts, n), n, "fill");
		queued += n;
	}
	/* reliable, realtime, malformed in turn: 11 reliable, 3 fit. */
	for (i = 0; i < BURST; i++) {
		uint16_t service = i % 3 == 0 ? 7 : 1;

		pkts[i] = request_new(q, service, 1000 + i);
		TEST_ASSERT_NOT_NULL(pkts[i], "request");
		if (i % 3 == 2) {
			rte_pktmbuf_trim(pkts[i], pkts[i]->pkt_len - 20);
			nb_bad++;
		} else if (i % 3 == 0 && i / 3 >= 3) {
			held_ids[nb_held++] = 1000 + i;
		}
	}
	k = qosdt_enqueue_burst(q, pkts, BURST);
	TEST_ASSERT_EQUAL(k, BURST - nb_held, "consumed %u", k);
	for (i = 0; i < nb_held; i++) {
		struct qosdt_msg msg;

		TEST_ASSERT_SUCCESS(qosdt_msg_parse(pkts[k + i], &msg), "held");
		TEST_ASSERT_EQUAL(msg.request_id, held_ids[i],
			"held #%u is request %lu", i, (unsigned long)msg.request_id);
	}
	qosdt_counters_read(q, &cnt);
	TEST_ASSERT_EQUAL(cnt.malformed, nb_bad, "malformed count");
	qosdt_sched_counters(q->sched, QOSDT_CLASS_RELIABLE, &sc);
	TEST_ASSERT_EQUAL(sc.backlog, limit, "reliable at its limit");
	TEST_ASSERT_EQUAL(sc.drop_pkts, 0, "reliable dropped");
	rte_pktmbuf_free_bulk(pkts + k, nb_held);
	qosdt_free(q);
	return TEST_SUCCESS;
}

/* Telemetry exports one instance; weights changed at run time show. */
static int
test_telemetry_owner_and_running_config(void)
{
	uint8_t w[QOSDT_NB_CLASSES];
	struct qosdt *a, *b;
	unsigned int c;

	a = qosdt_create("api_a", &cfg, SOCKET_ID_ANY, true);
	TEST_ASSERT_NOT_NULL(a, "first exported instance");
	b = qosdt_create("api_b", &cfg, SOCKET_ID_ANY, true);
	TEST_ASSERT_NULL(b, "a second exported instance was created");
	TEST_ASSERT_EQUAL(rte_errno, EBUSY, "rte_errno %d", rte_errno);
	b = qosdt_create("api_b", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(b, "an unexported one");
	qosdt_free(b);      /* must not silence a's telemetry */
	b = qosdt_create("api_b", &cfg, SOCKET_ID_ANY, true);
	TEST_ASSERT_NULL(b, "b took over a's telemetry after a free");
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		w[c] = cfg.classes[c].weight;
	w[QOSDT_CLASS_THROUGHPUT] = 4;
	TEST_ASSERT_SUCCESS(qosdt_sched_set_profile(a->sched, w,
		cfg.classes[QOSDT_CLASS_REALTIME].rate_cap_bps), "new weights");
	TEST_ASSERT_EQUAL(qosdt_config_of(a)->classes[QOSDT_CLASS_THROUGHPUT].weight,
		4, "qosdt_config_of shows the running weights");
	qosdt_free(a);
	b = qosdt_create("api_b", &cfg, SOCKET_ID_ANY, true);
	TEST_ASSERT_NOT_NULL(b, "exported once a is gone");
	qosdt_free(b);
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

/*
 * A request the application makes carries the class and SLO it was
 * classified with (qosdt_service_class()) from qosdt_request_new(): its
 * buffer is from its class's pool, its header has room for the payload,
 * its metadata is the classifier's; enqueued as classified it comes out in
 * its class, intact. A class that does not exist is refused.
 */
static int
test_request_new_classified_once(void)
{
	struct rte_mbuf *pkts[15], *out[BURST];
	struct qosdt_resv_usage u;
	struct qosdt_msg msg, got;
	unsigned int i, c, n, done = 0;
	uint64_t slo;
	struct qosdt *q;

	q = qosdt_create("api_req", &cfg, SOCKET_ID_ANY, false);
	TEST_ASSERT_NOT_NULL(q, "create: %s", rte_strerror(rte_errno));
	for (i = 0; i < 15; i++) {
		msg = (struct qosdt_msg){ .service_id = i + 1,
			.request_id = 1000 + i, .length = 100 + i };
		c = qosdt_service_class(q, i + 1, &slo);
		pkts[i] = qosdt_request_new(q, NULL, &msg, c, slo);
		TEST_ASSERT_NOT_NULL(pkts[i], "request %u: %s", i + 1,
			rte_strerror(rte_errno));
		TEST_ASSERT(qosdt_mbuf_meta(pkts[i])->cls == c &&
			qosdt_mbuf_meta(pkts[i])->slo_latency_ns == slo &&
			qosdt_mbuf_meta(pkts[i])->service_id == i + 1 &&
			qosdt_mbuf_meta(pkts[i])->flags == 0,
			"service %u: meta class %u slo %u, classifier %u %lu",
			i + 1, qosdt_mbuf_meta(pkts[i])->cls,
			qosdt_mbuf_meta(pkts[i])->slo_latency_ns, c,
			(unsigned long)slo);
		TEST_ASSERT(pkts[i]->pool == qosdt_pool(q, c),
			"service %u: not from its class's pool", i + 1);
		memset(qosdt_msg_payload_rw(pkts[i]), 0xab, msg.length);
	}
	msg.service_id = 1;
	TEST_ASSERT_NULL(qosdt_request_new(q, NULL, &msg, QOSDT_NB_CLASSES, 0),
		"a request of class %u", QOSDT_NB_CLASSES);
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "%s", rte_strerror(rte_errno));
	qosdt_buffers_read(q, &u);
	TEST_ASSERT_EQUAL(u.cls[QOSDT_CLASS_REALTIME].in_use, 2u,
		"services 1 and 2 are realtime's");
	TEST_ASSERT_EQUAL(qosdt_enqueue_classified_burst(q, pkts, 15), 15,
		"below every limit");
	while (done < 15) {
		n = qosdt_dequeue_burst(q, out, BURST);
		for (i = 0; i < n; i++) {
			TEST_ASSERT_SUCCESS(qosdt_msg_parse(out[i], &got), "");
			TEST_ASSERT(got.flags == 0 &&
				got.result == QOSDT_RESULT_NONE &&
				got.length == 100u + got.service_id - 1 &&
				got.request_id == 1000u + got.service_id - 1 &&
				qosdt_mbuf_meta(out[i])->cls ==
				qosdt_service_class(q, got.service_id, NULL),
				"service %u out as built", got.service_id);
		}
		rte_pktmbuf_free_bulk(out, n);
		done += n;
	}
	qosdt_stats_poll(q);
	TEST_ASSERT(buffers_all_returned(q), "buffers not returned");
	TEST_ASSERT(!qosdt_adaptive_enabled(q), "controller off in qos.json");
	qosdt_free(q);
	return TEST_SUCCESS;
}

static struct unit_test_suite api_suite = {
	.suite_name = "qosdt public API",
	.setup = load_shipped_config,
	.unit_test_cases = {
		TEST_CASE(test_services_round_trip),
		TEST_CASE(test_held_back_contract),
		TEST_CASE(test_held_back_come_out_in_order),
		TEST_CASE(test_classify_burst_now),
		TEST_CASE(test_request_new_classified_once),
		TEST_CASE(test_mixed_burst_contract),
		TEST_CASE(test_telemetry_owner_and_running_config),
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
