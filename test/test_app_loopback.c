/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application's server and client in one process: a net_shm server
 * port and a client port on one region, the server's pipeline stages
 * stepped by the test. Every service's reply is checked, unknown ids get
 * NOT_EXIST, malformed frames are counted and dropped, and a short client
 * scenario over all services resolves every request.
 */

#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <qosdt.h>
#include <qosdt_mbuf.h>

#include "client.h"
#include "dedup.h"
#include "payload.h"
#include "pipeline.h"
#include "port.h"
#include "req_id.h"
#include "scenario.h"
#include "server.h"
#include "services.h"
#include "services_hvisor.h"
#include "shm_test_util.h"
#include "test.h"

#define LB_SERVER_NAME "net_shm_lb_srv"
#define LB_CLIENT_NAME "net_shm_lb_cli"
/* How long a single reply may take (generous: CI machines are shared). */
#define LB_REPLY_TIMEOUT_S 2.0

static struct {
	char path[128];
	int srv_port;
	int cli_port;
	struct qosdt *qs;          /* the server's QoS instance */
	struct qosdt *qc;          /* the client side's */
	struct pipeline_set sset;   /* the server's one pipeline: sset.p[0] */
	bool spipe_ok;
	struct server srv;
	struct rte_ether_addr smac, cmac;
	volatile bool quit;
	uint64_t next_id;
} lb = { .srv_port = -1, .cli_port = -1 };

static void
lb_teardown(void)
{
	if (lb.srv_port >= 0)
		shm_test_port_destroy(lb.srv_port, LB_SERVER_NAME);
	if (lb.cli_port >= 0)
		shm_test_port_destroy(lb.cli_port, LB_CLIENT_NAME);
	lb.srv_port = lb.cli_port = -1;
	server_fini(&lb.srv);
	if (lb.spipe_ok)
		pipeline_free(&lb.sset.p[0]);
	lb.spipe_ok = false;
	qosdt_free(lb.qs);
	qosdt_free(lb.qc);
	lb.qs = lb.qc = NULL;
	unlink(lb.path);
}

static int
lb_setup(void)
{
	struct qosdt_config cfg;
	char devargs[192];

	qosdt_config_defaults(&cfg);
	lb.qs = qosdt_create("lb_srv", &cfg, SOCKET_ID_ANY, false);
	lb.qc = qosdt_create("lb_cli", &cfg, SOCKET_ID_ANY, false);
	if (lb.qs == NULL || lb.qc == NULL)
		goto fail;
	shm_test_path(lb.path, sizeof(lb.path), "app_loopback");
	snprintf(devargs, sizeof(devargs), "path=%s,role=server", lb.path);
	lb.srv_port = shm_test_port_create(LB_SERVER_NAME, devargs);
	snprintf(devargs, sizeof(devargs), "path=%s,role=client", lb.path);
	lb.cli_port = shm_test_port_create(LB_CLIENT_NAME, devargs);
	if (lb.srv_port < 0 || lb.cli_port < 0 ||
			port_setup(lb.srv_port, lb.qs, 0, NULL, &lb.smac) != 0 ||
			port_setup(lb.cli_port, lb.qc, 0, NULL, &lb.cmac) != 0 ||
			pipeline_create(&lb.sset.p[0], "lb", lb.srv_port, cfg.nb_buffers) != 0)
		goto fail;
	lb.spipe_ok = true;
	lb.sset.n = 1;
	server_init(&lb.srv, lb.qs, &lb.sset, &lb.smac, 0, &lb.quit,
		SVC_SEMANTICS_BINARY);
	if (shm_test_wait_link(lb.cli_port, true, 3000, NULL) != 0 ||
			shm_test_wait_link(lb.srv_port, true, 3000, NULL) != 0)
		goto fail;
	lb.next_id = 1;
	return TEST_SUCCESS;
fail:
	printf("loopback setup failed\n");
	lb_teardown();
	return TEST_FAILED;
}

/* One turn of each server stage. */
static void
lb_server_step(void)
{
	pipeline_stage_rx(&lb.sset.p[0]);
	server_stage_worker(&lb.srv);
	pipeline_stage_tx(&lb.sset.p[0]);
}

/* Send a frame from the client port on queue q; 0 if the port took it. */
static int
lb_send_frame(struct rte_mbuf *m, uint16_t q)
{
	if (rte_eth_tx_burst(lb.cli_port, q, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

/* Send request (service, data) with a fresh id, on its class's queue. */
static uint64_t
lb_request(uint16_t service, const uint8_t *data, uint32_t len)
{
	unsigned int cls = qosdt_service_class(lb.qc, service, NULL);
	struct qosdt_msg msg = {
		.service_id = service, .length = len, .request_id = lb.next_id,
	};
	struct rte_mbuf *m = rte_pktmbuf_alloc(qosdt_pool(lb.qc, cls));

	if (m == NULL || qosdt_msg_build(m, &lb.cmac, &lb.smac, &msg, data) != 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	if (lb_send_frame(m, cls) != 0)
		return 0;
	return lb.next_id++;
}

/* Step the server until the reply to id arrives; returns it, or NULL. */
static struct rte_mbuf *
lb_await(uint64_t id, uint16_t *queue)
{
	uint64_t deadline = rte_get_timer_cycles() +
		(uint64_t)(LB_REPLY_TIMEOUT_S * rte_get_timer_hz());
	struct rte_mbuf *pkts[32], *found = NULL;
	struct qosdt_msg msg;
	uint16_t q, n, i;

	while (found == NULL && rte_get_timer_cycles() < deadline) {
		lb_server_step();
		for (q = 0; q < QOSDT_NB_CLASSES; q++) {
			n = rte_eth_rx_burst(lb.cli_port, q, pkts, RTE_DIM(pkts));
			for (i = 0; i < n; i++) {
				if (found == NULL &&
						qosdt_msg_parse(pkts[i], &msg) == 0 &&
						msg.request_id == id) {
					found = pkts[i];
					*queue = q;
				} else {
					rte_pktmbuf_free(pkts[i]);
				}
			}
		}
	}
	return found;
}

static bool
in_alphabet(const uint8_t *p, uint32_t n, bool digits)
{
	for (uint32_t i = 0; i < n; i++) {
		bool letter = (p[i] >= 'a' && p[i] <= 'z') ||
			(p[i] >= 'A' && p[i] <= 'Z');

		if (!letter && !(digits && p[i] >= '0' && p[i] <= '9'))
			return false;
	}
	return true;
}

/* Send data to every service and check each reply in full. */
static int
lb_check_services(const uint8_t *data, uint32_t len)
{
	static uint8_t want[SVC_REPLY_MAX(1500)], got[SVC_REPLY_MAX(1500)];
	struct qosdt_msg msg;
	uint32_t want_len;
	uint16_t svc, q;

	for (svc = 1; svc <= SVC_MAX; svc++) {
		unsigned int cls = qosdt_service_class(lb.qc, svc, NULL);
		uint64_t id = lb_request(svc, data, len);
		struct rte_mbuf *r;
		const void *p;

		TEST_ASSERT(id != 0, "service %u: request not sent", svc);
		r = lb_await(id, &q);
		TEST_ASSERT(r != NULL, "service %u (%s): no reply", svc, svc_name(svc));
		TEST_ASSERT_SUCCESS(qosdt_msg_parse(r, &msg), "reply parses");
		want_len = svc_reply_len(svc, len);
		p = rte_pktmbuf_read(r, QOSDT_FRAME_HDR_LEN, msg.length, got);
		rte_pktmbuf_free(r);
		TEST_ASSERT(msg.flags & QOSDT_MSG_F_REPLY, "service %u: reply flag", svc);
		TEST_ASSERT_EQUAL(msg.result, QOSDT_RESULT_SUCCESS,
			"service %u (%s): result", svc, svc_name(svc));
		TEST_ASSERT_EQUAL(msg.service_id, svc, "service id echoed");
		TEST_ASSERT_EQUAL(q, cls, "service %u answered on its class's queue", svc);
		TEST_ASSERT_EQUAL(msg.length, want_len,
			"service %u (%s): reply length for %u input bytes", svc,
			svc_name(svc), len);
		TEST_ASSERT(p != NULL, "payload readable");
		if (svc == SVC_RANDOM_STRING || svc == SVC_RANDOM_LETTER) {
			TEST_ASSERT(in_alphabet(p, msg.length, svc == SVC_RANDOM_STRING),
				"service %u: reply alphabet", svc);
			continue;
		}
		TEST_ASSERT_SUCCESS(svc_run(svc, data, len, want, sizeof(want),
			&want_len), "reference run");
		TEST_ASSERT(memcmp(p, want, want_len) == 0,
			"service %u (%s): reply bytes differ", svc, svc_name(svc));
	}
	return TEST_SUCCESS;
}

static int
test_every_service(void)
{
	static const uint8_t text[] = "Hello, World! xyz\0\xff\x01 ABC";
	static uint8_t bulk[1400];

	if (lb_check_services(text, sizeof(text) - 1) != TEST_SUCCESS)
		return TEST_FAILED;
	if (lb_check_services(NULL, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	payload_fill(bulk, sizeof(bulk), 42);
	return lb_check_services(bulk, sizeof(bulk));
}

static int
test_not_exist(void)
{
	static const uint16_t ids[] = { 0, 16, 1000, 65535 };
	struct qosdt_msg msg;
	unsigned int i;
	uint16_t q;

	for (i = 0; i < RTE_DIM(ids); i++) {
		uint64_t id = lb_request(ids[i], (const uint8_t *)"abc", 3);
		struct rte_mbuf *r = lb_await(id, &q);

		TEST_ASSERT(r != NULL, "service %u: no reply", ids[i]);
		TEST_ASSERT_SUCCESS(qosdt_msg_parse(r, &msg), "reply parses");
		rte_pktmbuf_free(r);
		TEST_ASSERT_EQUAL(msg.result, QOSDT_RESULT_NOT_EXIST,
			"service %u: NOT_EXIST", ids[i]);
		TEST_ASSERT_EQUAL(msg.length, 0, "NOT_EXIST carries no payload");
		TEST_ASSERT_EQUAL(q, QOSDT_CLASS_BEST_EFFORT,
			"unknown ids are best effort (services.default)");
	}
	return TEST_SUCCESS;
}

/* A frame of len bytes: a valid echo request, then broken by the caller. */
static struct rte_mbuf *
lb_raw_frame(uint32_t payload_len)
{
	struct qosdt_msg msg = {
		.service_id = SVC_ECHO, .length = payload_len, .request_id = 0,
	};
	static const uint8_t data[64];
	struct rte_mbuf *m = rte_pktmbuf_alloc(qosdt_pool(lb.qc,
		QOSDT_CLASS_BEST_EFFORT));

	if (m != NULL && qosdt_msg_build(m, &lb.cmac, &lb.smac, &msg, data) != 0) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	return m;
}

static int
test_malformed(void)
{
	struct qosdt_frame_hdr *h;
	struct report before = { 0 }, after = { 0 };
	struct rte_mbuf *m, *r;
	uint64_t id;
	uint16_t q;
	int i;

	server_report(&lb.srv, &before);
	for (i = 0; i < 4; i++) {
		m = lb_raw_frame(16);
		TEST_ASSERT(m != NULL, "frame");
		h = rte_pktmbuf_mtod(m, struct qosdt_frame_hdr *);
		switch (i) {
		case 0:   /* shorter than the header */
			rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 10);
			break;
		case 1:   /* not our EtherType */
			h->eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
			break;
		case 2:   /* unknown version */
			h->msg.version = 99;
			break;
		case 3:   /* payload length beyond the frame */
			h->msg.length = rte_cpu_to_be_32(UINT32_MAX);
			break;
		}
		TEST_ASSERT_SUCCESS(lb_send_frame(m, i % QOSDT_NB_CLASSES),
			"malformed frame %d sent", i);
	}
	/* The server goes on answering; by then it has seen all four. */
	id = lb_request(SVC_ECHO, (const uint8_t *)"still here", 10);
	r = lb_await(id, &q);
	TEST_ASSERT(r != NULL, "no reply after malformed frames");
	rte_pktmbuf_free(r);
	for (i = 0; i < 100; i++)
		lb_server_step();
	server_report(&lb.srv, &after);
	TEST_ASSERT_EQUAL(after.malformed - before.malformed, 4,
		"malformed frames counted");
	return TEST_SUCCESS;
}

/* server_serve() on frames that are not plain requests. */
static int
test_serve_awkward_frames(void)
{
	struct rte_mempool *mp = qosdt_pool(lb.qc, QOSDT_CLASS_BEST_EFFORT);
	struct qosdt_msg msg = { .service_id = SVC_FLIP, .length = 3 };
	struct rte_mbuf *m, *seg;
	struct qosdt_frame_hdr *h;
	struct qosdt_msg got;

	/* Padding after the payload is dropped from the reply. */
	m = rte_pktmbuf_alloc(mp);
	TEST_ASSERT(m != NULL && qosdt_msg_build(m, &lb.cmac, &lb.smac, &msg,
		"abc") == 0, "build");
	TEST_ASSERT(rte_pktmbuf_append(m, 20) != NULL, "pad");
	TEST_ASSERT_EQUAL(server_serve(m, &lb.smac, NULL), QOSDT_RESULT_SUCCESS,
		"padded request served");
	TEST_ASSERT_SUCCESS(qosdt_msg_parse(m, &got), "reply parses");
	TEST_ASSERT(got.length == 3 && rte_pktmbuf_pkt_len(m) == 43 &&
		memcmp(qosdt_msg_payload(m), "cba", 3) == 0, "reply trimmed");
	/* A reply (or anything with a result) is not served again. */
	TEST_ASSERT_EQUAL(server_serve(m, &lb.smac, NULL), -1, "reply refused");
	h = rte_pktmbuf_mtod(m, struct qosdt_frame_hdr *);
	h->msg.flags = 0;
	TEST_ASSERT_EQUAL(server_serve(m, &lb.smac, NULL), -1,
		"request with a result refused");
	/* Several segments: refused, left as they were. */
	h->msg.result = QOSDT_RESULT_NONE;
	seg = rte_pktmbuf_alloc(mp);
	TEST_ASSERT(seg != NULL && rte_pktmbuf_append(seg, 8) != NULL, "seg");
	TEST_ASSERT_SUCCESS(rte_pktmbuf_chain(m, seg), "chain");
	TEST_ASSERT_EQUAL(server_serve(m, &lb.smac, NULL), -1, "chained refused");
	TEST_ASSERT_EQUAL(m->nb_segs, 2, "left as it was");
	rte_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/*
 * server_serve() with the original's semantics: the reply keeps the
 * request's length (the data, and its NUL if sent), the hash is text cut
 * to it, an
 * unknown id gets NOT_EXIST and its payload back as it came, and the
 * generators' state goes on from one request to the next.
 */
static int
test_serve_hvisor(void)
{
	static const struct {
		uint16_t id;
		const char *req;     /* len bytes: the data, mostly with its NUL */
		uint32_t len;
		uint8_t result;
		const char *reply;
	} steps[] = {
		{ SVC_DJB2, "hello", 6, QOSDT_RESULT_SUCCESS, "21071" },
		{ SVC_CRC32, "123456789", 10, QOSDT_RESULT_SUCCESS, "CBF43926\0" },
		{ SVC_FLIP, "ab\0cd", 6, QOSDT_RESULT_SUCCESS, "ba\0cd" },
		{ 99, "who", 4, QOSDT_RESULT_NOT_EXIST, "who" },
		{ SVC_LCG, "0123456789", 11, QOSDT_RESULT_SUCCESS, "1103527590" },
		{ SVC_LCG, "0123456789", 11, QOSDT_RESULT_SUCCESS, "377401575\0" },
		/* Without its NUL: served as if it followed, not sent back. */
		{ SVC_DJB2, "hello", 5, QOSDT_RESULT_SUCCESS, "21071" },
	};
	struct rte_mempool *mp = qosdt_pool(lb.qc, QOSDT_CLASS_BEST_EFFORT);
	struct svc_hvisor_state st;
	struct qosdt_msg got;
	struct rte_mbuf *m;
	unsigned int i;

	svc_hvisor_state_init(&st);
	for (i = 0; i < RTE_DIM(steps); i++) {
		struct qosdt_msg msg = {
			.service_id = steps[i].id,
			.length = steps[i].len,
		};

		m = rte_pktmbuf_alloc(mp);
		TEST_ASSERT(m != NULL && qosdt_msg_build(m, &lb.cmac, &lb.smac,
			&msg, steps[i].req) == 0, "build");
		TEST_ASSERT_EQUAL(server_serve(m, &lb.smac, &st),
			steps[i].result, "step %u: result", i);
		TEST_ASSERT_SUCCESS(qosdt_msg_parse(m, &got), "reply parses");
		TEST_ASSERT(got.length == steps[i].len &&
			rte_pktmbuf_pkt_len(m) == QOSDT_FRAME_HDR_LEN + got.length,
			"step %u: reply of %u bytes, not the request's %u", i,
			got.length, steps[i].len);
		TEST_ASSERT(memcmp(qosdt_msg_payload(m), steps[i].reply,
			steps[i].len) == 0, "step %u: reply \"%.*s\"", i,
			(int)got.length, (const char *)qosdt_msg_payload(m));
		TEST_ASSERT(got.flags & QOSDT_MSG_F_REPLY, "step %u: reply flag", i);
		rte_pktmbuf_free(m);
	}
	return TEST_SUCCESS;
}

/*
 * Every service and an unknown id, 60 requests each, from the client. Each
 * must be answered: the timeout is far beyond any answer's time (a shared
 * VM's host stalls this one for up to 300 ms), so that only a request
 * really lost counts as lost.
 */
static const char lb_scenario[] =
	"{\"name\": \"loopback\", \"timeout\": \"3s\", \"phases\": [{"
	"\"name\": \"all\", \"duration\": \"300ms\", \"flows\": ["
	"{\"service\": 1, \"rate\": \"200pps\", \"size\": 64},"
	"{\"service\": 2, \"rate\": \"200pps\", \"size\": 33},"
	"{\"service\": 3, \"rate\": \"200pps\", \"size\": 100},"
	"{\"service\": 4, \"rate\": \"200pps\", \"size\": 100},"
	"{\"service\": 5, \"rate\": \"200pps\", \"size\": 100, \"pattern\": \"burst\", \"burst\": 4},"
	"{\"service\": 6, \"rate\": \"200pps\", \"size\": 100},"
	"{\"service\": 7, \"rate\": \"200pps\", \"size\": 100},"
	"{\"service\": 8, \"rate\": \"200pps\", \"size\": 0},"
	"{\"service\": 9, \"rate\": \"200pps\", \"size\": 1400},"
	"{\"service\": 10, \"rate\": \"200pps\", \"size\": 1400},"
	"{\"service\": 11, \"rate\": \"200pps\", \"size\": 1400},"
	"{\"service\": 12, \"rate\": \"200pps\", \"size\": 3},"
	"{\"service\": 13, \"rate\": \"200pps\", \"size\": 8},"
	"{\"service\": 14, \"rate\": \"200pps\", \"size\": 500},"
	"{\"service\": 15, \"rate\": \"200pps\", \"size\": 1},"
	"{\"service\": 4242, \"rate\": \"200pps\", \"size\": 10}]}]}";

/* A client on the client port, stepped by the test. */
static struct {
	struct scenario sc;
	struct client cli;
	struct pipeline pipe;
	volatile bool quit;
} lbc;

/* Start a client with a scenario; 0, or -1 (reason printed). */
static int
lb_client_open(const char *scenario_json)
{
	char err[SCENARIO_ERRLEN];

	lbc.quit = false;
	if (scenario_parse(scenario_json, 1000000000ull, &lbc.sc, err,
			sizeof(err)) != 0) {
		printf("scenario: %s\n", err);
		return -1;
	}
	if (pipeline_create(&lbc.pipe, "lbc", lb.cli_port,
			qosdt_config_of(lb.qc)->nb_buffers) != 0)
		return -1;
	if (client_init(&lbc.cli, lb.qc, &lbc.pipe, &lb.cmac, &lbc.sc,
			&lbc.quit) != 0) {
		pipeline_free(&lbc.pipe);
		return -1;
	}
	return 0;
}

static void
lb_client_close(void)
{
	client_fini(&lbc.cli);
	pipeline_free(&lbc.pipe);
}

/* One turn of each client stage. */
static void
lb_client_step(void)
{
	pipeline_stage_rx(&lbc.pipe);
	client_stage_worker(&lbc.cli);
	pipeline_stage_tx(&lbc.pipe);
}

static int
test_client_scenario(void)
{
	struct report rep = { 0 };
	uint64_t deadline, total = 0;
	unsigned int c;
	int rc = TEST_FAILED;

	TEST_ASSERT_SUCCESS(lb_client_open(lb_scenario), "client");
	deadline = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	while (!lbc.quit && rte_get_timer_cycles() < deadline) {
		lb_client_step();
		lb_server_step();
	}
	client_report(&lbc.cli, &rep);
	if (!lbc.quit) {
		printf("client did not finish in 10 s\n");
		goto out;
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		const struct report_class *k = &rep.cls[c];

		printf("  %-12s sent %" PRIu64 " received %" PRIu64 " lost %" PRIu64
			" dropped %" PRIu64 " bad %" PRIu64 "\n", qosdt_class_name(c),
			k->sent, k->received, k->lost, k->dropped, k->bad_replies);
		if (k->received != k->sent || k->bad_replies != 0 ||
				k->lost != 0 || k->dropped != 0 || k->late != 0) {
			printf("class %s: every request must be answered right\n",
				qosdt_class_name(c));
			goto out;
		}
		total += k->sent;
	}
	/* 16 flows x 200/s x 0.3 s; rounding at the phase edges aside. */
	if (total < 16 * 55 || total > 16 * 65 || rep.unmatched != 0) {
		printf("sent %" PRIu64 " requests, unmatched %" PRIu64 "\n", total,
			rep.unmatched);
		goto out;
	}
	rc = TEST_SUCCESS;
out:
	lb_client_close();
	return rc;
}

/* Send a copy of m from the server port on queue q. */
static void
lb_send_copy(const struct rte_mbuf *m, uint16_t q)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, qosdt_pool(lb.qs, q), 0,
		UINT32_MAX);

	if (c != NULL && rte_eth_tx_burst(lb.srv_port, q, &c, 1) != 1)
		rte_pktmbuf_free(c);
}

/*
 * The client facing a hostile server: a right reply, a duplicate of it, a
 * reply with the wrong length, one without the reply flag, forged ids
 * (another incarnation's: 0, and the client's sequence numbers under
 * another incarnation; the client's own incarnation: its base, and a
 * sequence number never issued), a truncated frame. Each lands in its
 * counter, and every request still ends in exactly one of received, bad,
 * dropped, lost. The counts are exact whatever the host does: the three
 * requests are one burst, due at the client's start (a stall cannot push
 * one past the end of the 1 s phase), and their timeout is 1 s, far above
 * the host stalls seen here (up to 300 ms), so only the request never
 * answered is lost.
 */
static const char lb_hostile_scenario[] =
	"{\"name\": \"hostile\", \"timeout\": \"1s\", \"phases\": [{"
	"\"duration\": \"1s\", \"flows\": ["
	"{\"service\": 1, \"rate\": \"3pps\", \"size\": 16, "
	"\"pattern\": \"burst\", \"burst\": 3}]}]}";

static int
test_client_hostile_replies(void)
{
	struct qosdt_frame_hdr *h;
	struct rte_mbuf *pkts[8], *m;
	struct report rep = { 0 };
	const struct report_class *k = &rep.cls[QOSDT_CLASS_REALTIME];
	unsigned int seen = 0;
	uint64_t deadline;
	uint16_t q, n, i;
	int rc = TEST_FAILED;

	TEST_ASSERT_SUCCESS(lb_client_open(lb_hostile_scenario), "client");
	deadline = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	while (!lbc.quit && rte_get_timer_cycles() < deadline) {
		lb_client_step();
		for (q = 0; q < QOSDT_NB_CLASSES; q++) {
			n = rte_eth_rx_burst(lb.srv_port, q, pkts, RTE_DIM(pkts));
			for (i = 0; i < n; i++, seen++) {
				m = pkts[i];
				if (server_serve(m, &lb.smac, NULL) != QOSDT_RESULT_SUCCESS)
					printf("request %u not served\n", seen);
				h = rte_pktmbuf_mtod(m, struct qosdt_frame_hdr *);
				switch (seen) {
				case 0:  /* right, then a duplicate (late) */
					lb_send_copy(m, q);
					break;
				case 1:  /* wrong length: a bad reply */
					h->msg.length = rte_cpu_to_be_32(3);
					break;
				default: /* no reply flag: unmatched, then lost */
					h->msg.flags = 0;
					break;
				}
				lb_send_copy(m, q);
				/* Forged ids and a truncated frame. */
				h->msg.flags = QOSDT_MSG_F_REPLY;
				h->msg.request_id = 0;
				lb_send_copy(m, q);
				h->msg.request_id = rte_cpu_to_be_64(req_id_make(
					lbc.cli.incarnation ^ 1, seen + 1));
				lb_send_copy(m, q);
				h->msg.request_id = rte_cpu_to_be_64(lbc.cli.id_base);
				lb_send_copy(m, q);
				h->msg.request_id = rte_cpu_to_be_64(lbc.cli.id_base +
					(1ull << 30));
				lb_send_copy(m, q);
				rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 10);
				lb_send_copy(m, q);
				rte_pktmbuf_free(m);
			}
		}
	}
	client_report(&lbc.cli, &rep);
	printf("  sent %" PRIu64 " received %" PRIu64 " bad %" PRIu64 " lost %"
		PRIu64 " dropped %" PRIu64 " late %" PRIu64 " duplicates %" PRIu64
		" unmatched %" PRIu64 " stale %" PRIu64 "\n",
		k->sent, k->received, k->bad_replies, k->lost, k->dropped, k->late,
		k->duplicates, rep.unmatched, rep.stale);
	/* The duplicate of the right reply counts as a duplicate (its request
	 * was answered), not late; per request: 2 forged ids of another
	 * incarnation are stale, 2 of ours and the truncated frame unmatched;
	 * and the reply without its flag. */
	if (!lbc.quit || seen != 3 || k->sent != 3 || k->received != 1 ||
			k->bad_replies != 1 || k->lost != 1 || k->dropped != 0 ||
			k->late != 0 || k->duplicates != 1 ||
			rep.unmatched != 3 * 3 + 1 || rep.stale != 3 * 2) {
		printf("unexpected outcome (seen %u requests)\n", seen);
		goto out;
	}
	rc = TEST_SUCCESS;
out:
	lb_client_close();
	return rc;
}

static void
lb_server_tick(void *arg __rte_unused)
{
	lb_server_step();
}

/*
 * The client's worker on its own lcore, its RX and TX stages on the main
 * one (which also steps the server, as the tick): the rings between stages
 * cross lcores, and every request is still answered and verified, or
 * dropped by the server's scheduler and counted there.
 */
static int
test_client_stages_on_two_lcores(void)
{
	struct report rep = { 0 };
	unsigned int worker = rte_get_next_lcore(-1, 1, 0), c;
	int stage_lcore[STAGE_MAX] = { -1, (int)worker, -1 };
	struct pipeline_ops ops = {
		.stage = { pipeline_stage_rx, client_stage_worker, pipeline_stage_tx },
		.arg = { &lbc.pipe, &lbc.cli, &lbc.pipe },
		.tick = lb_server_tick,
		.tick_period_s = 1e-6,
	};
	struct qosdt_stats srv0, srv1;
	int rc = TEST_FAILED;

	if (worker >= RTE_MAX_LCORE)
		TEST_SKIP("needs a second lcore (EAL -l 0,1)");
	TEST_ASSERT_SUCCESS(lb_client_open(lb_scenario), "client");
	qosdt_stats_read(lb.qs, &srv0);
	if (pipeline_run(&ops, stage_lcore, &lbc.quit) != 0)
		goto out;
	client_report(&lbc.cli, &rep);
	qosdt_stats_read(lb.qs, &srv1);
	/*
	 * Every request is answered and verified, but a lossy class's that a
	 * scheduler dropped by its policy: the client's (counted dropped) or
	 * the server's (counted there, and lost to the client). A host stall
	 * can put a burst past a lossy class's limit or sojourn target
	 * (doc/qos_core.md). A lossless class loses none.
	 */
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		const struct report_class *k = &rep.cls[c];
		uint64_t srv_drops = srv1.cls[c].drop_pkts - srv0.cls[c].drop_pkts;
		bool lossless = qosdt_config_of(lb.qs)->classes[c].drop ==
			QOSDT_DROP_NONE;

		if (k->sent == 0 || k->bad_replies != 0 ||
				k->received + k->lost + k->dropped != k->sent ||
				k->lost != srv_drops ||
				(lossless && k->lost + k->dropped != 0)) {
			printf("class %s: sent %" PRIu64 " received %" PRIu64
				" bad %" PRIu64 " dropped %" PRIu64 " lost %" PRIu64
				" (late %" PRIu64 "), the server's scheduler dropped %"
				PRIu64 "\n", qosdt_class_name(c), k->sent,
				k->received, k->bad_replies, k->dropped, k->lost,
				k->late, srv_drops);
			goto out;
		}
		if (k->lost + k->dropped != 0)
			printf("class %s: of %" PRIu64 ", %" PRIu64 " dropped by the "
				"client's scheduler and %" PRIu64 " by the server's "
				"(their policy), the rest answered\n",
				qosdt_class_name(c), k->sent, k->dropped, k->lost);
	}
	rc = TEST_SUCCESS;
out:
	lb_client_close();
	return rc;
}

/*
 * A server that dies under a reliable load and is restarted. For a while
 * it serves but its replies never leave (a server killed with replies in
 * its TX stage); then it dies: what it had taken and not served is gone,
 * its port stops (the client's link goes down) for longer than the
 * scenario's timeout, and a new server life starts on the same dedup file
 * and port. Every reliable request must end received (none lost, none
 * dropped, held over the outage and sent again), each served exactly once
 * (the store's count of requests served equals the requests sent: a
 * duplicate is answered from the table), and a reply counted once.
 */
static const char lb_outage_scenario[] =
	"{\"name\": \"outage\", \"timeout\": \"300ms\", \"phases\": [{"
	"\"duration\": \"1s\", \"flows\": ["
	"{\"service\": 3, \"rate\": \"400pps\", \"size\": 200},"
	"{\"service\": 8, \"rate\": \"300pps\", \"size\": 33,"
	" \"pattern\": \"burst\", \"burst\": 15},"
	"{\"service\": 1, \"rate\": \"200pps\", \"size\": 16}]}]}";

#define LB_OUTAGE_DYING_MS 40    /* serving, replies thrown away */
#define LB_OUTAGE_TAKING_MS 60   /* receiving, not serving */
#define LB_OUTAGE_DEAD_MS 600    /* port stopped: twice the timeout */

/* Step the client (and the server, unless server is false) for ms. */
static void
lb_step_for(unsigned int ms, bool server)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * ms;

	while (!lbc.quit && rte_get_timer_cycles() < end) {
		lb_client_step();
		if (server)
			lb_server_step();
	}
}

/* Free a ring's frames; returns how many were reliable. */
static unsigned int
lb_ring_discard(struct rte_ring *r)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while (rte_ring_sc_dequeue(r, (void **)&m) == 0) {
		n += qosdt_mbuf_meta(m)->cls == QOSDT_CLASS_RELIABLE;
		rte_pktmbuf_free(m);
	}
	return n;
}

/* The server dies: everything its process held is gone. Returns the
 * reliable requests it had taken and not served. */
static unsigned int
lb_server_die(void)
{
	struct rte_mbuf *pkts[32];
	unsigned int c, n, i, taken = 0;
	uint64_t idle_until;

	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		taken += lb_ring_discard(lb.sset.p[0].rx_ring[c]);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		for (i = 0; i < lb.srv.held[0][c].n; i++)
			taken += c == QOSDT_CLASS_RELIABLE;
	server_fini(&lb.srv);
	/* The scheduler's queues: until nothing comes out for 20 ms. */
	idle_until = rte_get_timer_cycles() + rte_get_timer_hz() / 50;
	while (rte_get_timer_cycles() < idle_until) {
		n = qosdt_dequeue_burst(lb.qs, pkts, RTE_DIM(pkts));
		for (i = 0; i < n; i++)
			taken += qosdt_mbuf_meta(pkts[i])->cls ==
				QOSDT_CLASS_RELIABLE;
		rte_pktmbuf_free_bulk(pkts, n);
		if (n > 0)
			idle_until = rte_get_timer_cycles() + rte_get_timer_hz() / 50;
	}
	lb_ring_discard(lb.sset.p[0].tx_ring);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		struct pipeline_fifo *f = &lb.sset.p[0].tx_pending[c];

		for (; f->head != f->tail; f->head++)
			rte_pktmbuf_free(f->slots[f->head & f->mask]);
	}
	return taken;
}

static int
test_reliable_across_server_restart(void)
{
	const struct report_class *k;
	struct dedup_counters life, total;
	struct report rep = { 0 };
	struct dedup d1, d2;
	char path[128], err[DEDUP_ERRLEN];
	unsigned int lost_replies = 0, taken, i;
	uint64_t deadline;
	int rc = TEST_FAILED;

	shm_test_path(path, sizeof(path), "app_loopback_dedup");
	unlink(path);
	TEST_ASSERT_SUCCESS(dedup_open(&d1, path, 1024, 2008, err, sizeof(err)),
		"dedup: %s", err);
	server_set_dedup(&lb.srv, 0, &d1);
	if (lb_client_open(lb_outage_scenario) != 0) {
		dedup_close(&d1);
		unlink(path);
		return TEST_FAILED;
	}
	lb_step_for(200, true);
	/* Dying: served, the replies never leave. */
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 *
		LB_OUTAGE_DYING_MS;
	while (rte_get_timer_cycles() < deadline) {
		lb_client_step();
		pipeline_stage_rx(&lb.sset.p[0]);
		server_stage_worker(&lb.srv);
		lost_replies += lb_ring_discard(lb.sset.p[0].tx_ring);
	}
	/* Its last moments: requests taken from the channel, not served. */
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 *
		LB_OUTAGE_TAKING_MS;
	while (rte_get_timer_cycles() < deadline) {
		lb_client_step();
		pipeline_stage_rx(&lb.sset.p[0]);
	}
	taken = lb_server_die();
	dedup_close(&d1);
	rte_eth_dev_stop(lb.srv_port);
	lb_step_for(LB_OUTAGE_DEAD_MS, false);
	/* The next life: the same file, the port started again. */
	server_init(&lb.srv, lb.qs, &lb.sset, &lb.smac, 0, &lb.quit,
		SVC_SEMANTICS_BINARY);
	if (dedup_open(&d2, path, 1024, 2008, err, sizeof(err)) != 0) {
		printf("dedup: %s\n", err);
		goto out_client;
	}
	server_set_dedup(&lb.srv, 0, &d2);
	if (rte_eth_dev_start(lb.srv_port) != 0) {
		printf("server port does not start again\n");
		goto out;
	}
	deadline = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	while (!lbc.quit && rte_get_timer_cycles() < deadline) {
		lb_client_step();
		lb_server_step();
	}
	client_report(&lbc.cli, &rep);
	dedup_counters_read(&d2, &life, &total);
	k = &rep.cls[QOSDT_CLASS_RELIABLE];
	printf("  reliable: sent %" PRIu64 " received %" PRIu64 " lost %" PRIu64
		" dropped %" PRIu64 " bad %" PRIu64 " resent %" PRIu64
		" duplicate replies %" PRIu64 " late %" PRIu64 "; link downs %"
		PRIu64 "; the dying server lost %u replies and %u requests\n",
		k->sent, k->received, k->lost, k->dropped, k->bad_replies,
		k->resent, k->duplicates, k->late, rep.link_downs, lost_replies,
		taken);
	printf("  dedup store: life %u, %u remembered; served %" PRIu64
		" (this life %" PRIu64 "), replayed %" PRIu64 ", served again %"
		PRIu64 ", conflicts %" PRIu64 "; replies kept by the dead life"
		" replayed %" PRIu64 "\n", d2.life, d2.loaded,
		total.served, life.served, total.replayed,
		total.duplicates_served, total.conflicts,
		total.replayed_earlier);
	if (!lbc.quit) {
		printf("client did not finish in 10 s\n");
		goto out;
	}
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		const struct report_class *o = &rep.cls[i];

		if (o->sent != o->received + o->dropped + o->lost + o->bad_replies) {
			printf("%s: the invariant does not hold\n",
				qosdt_class_name(i));
			goto out;
		}
	}
	if (rep.link_downs < 1 || lost_replies == 0 || taken == 0 ||
			d2.life != 2 || d2.loaded == 0) {
		printf("the outage did not happen as planned\n");
		goto out;
	}
	if (k->received != k->sent || k->bad_replies != 0 || k->resent <
			lost_replies + taken || total.duplicates_served != 0 ||
			total.conflicts != 0 || total.served != k->sent ||
			total.replayed_earlier < lost_replies ||
			rep.unmatched != 0 ||
			rep.stale != 0) {
		printf("reliable: every request received, sent again when its reply was lost, served once\n");
		goto out;
	}
	rc = TEST_SUCCESS;
out:
	server_set_dedup(&lb.srv, 0, NULL);
	dedup_close(&d2);
out_client:
	lb_client_close();
	unlink(path);
	/* Whatever is still in flight is of no later test's concern. */
	for (i = 0; i < 100; i++)
		lb_server_step();
	return rc;
}

static struct unit_test_suite loopback_suite = {
	.suite_name = "app loopback (server + client over one net_shm region)",
	.setup = lb_setup,
	.teardown = lb_teardown,
	.unit_test_cases = {
		TEST_CASE(test_every_service),
		TEST_CASE(test_not_exist),
		TEST_CASE(test_malformed),
		TEST_CASE(test_serve_awkward_frames),
		TEST_CASE(test_serve_hvisor),
		TEST_CASE(test_client_scenario),
		TEST_CASE(test_client_hostile_replies),
		TEST_CASE(test_client_stages_on_two_lcores),
		TEST_CASE(test_reliable_across_server_restart),
		TEST_CASES_END(),
	},
};

static int
test_app_loopback(void)
{
	return unit_test_suite_runner(&loopback_suite);
}

REGISTER_TEST_COMMAND(app_loopback_autotest, test_app_loopback);
