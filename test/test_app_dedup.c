/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What RELIABLE relies on across a restart (doc/hardening.md): request ids
 * with a per-process incarnation (req_id.h), and the server's dedup table
 * (dedup.h) on its own: replays, conflicts, its bound, its index against a
 * model under churn, a store that outlives its process (lives, a service a
 * dead life may have run, counts kept), what it refuses, the inconsistent
 * slots it frees; and server_serve_once() on frames, where a stateful
 * service shows that a duplicate does not run it again.
 */

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include <qosdt_msg.h>

#include "dedup.h"
#include "req_id.h"
#include "server.h"
#include "services.h"
#include "services_hvisor.h"
#include "shm_test_util.h"
#include "test.h"

/* ------------------------------------------------------------ request ids */

static int
test_req_id_layout(void)
{
	uint64_t id = req_id_make(0x5A5A5A, 0x123456789Aull);

	TEST_ASSERT_EQUAL(id, 0x5A5A5A123456789Aull, "bits 62-40, then 39-0");
	TEST_ASSERT_EQUAL(req_id_incarnation(id), 0x5A5A5Au, "incarnation");
	TEST_ASSERT_EQUAL(req_id_seq(id), 0x123456789Aull, "sequence");
	TEST_ASSERT(req_id_is_of(id, 0x5A5A5A), "its own");
	TEST_ASSERT(!req_id_is_of(id, 0x5A5A5B), "not another's");
	TEST_ASSERT(!req_id_is_of(id | (1ull << 63), 0x5A5A5A),
		"the top bit is never ours: an id with it is a forgery");
	TEST_ASSERT(!req_id_is_of(0, 0x5A5A5A) && !req_id_is_of(1, 0x5A5A5A),
		"incarnation 0 (ids numbered from 1 by a peer that knows none)");
	/* Out-of-range parts are cut to their bits, never spill over. */
	TEST_ASSERT_EQUAL(req_id_make(REQ_ID_INC_MAX, REQ_ID_SEQ_MAX),
		(1ull << 63) - 1, "largest id below 2^63");
	TEST_ASSERT_EQUAL(req_id_make(REQ_ID_INC_MAX + 2, REQ_ID_SEQ_MAX + 2),
		req_id_make(1, 1), "parts cut to their width");
	TEST_ASSERT(req_id_make(7, 0) % 4 == 0 && (req_id_make(7, 0) & 0xFFFF) == 0,
		"the base's low bits are 0: tables indexed by them start at 0");
	return TEST_SUCCESS;
}

static int
test_req_id_incarnations(void)
{
	enum { N = 1000 };
	static uint32_t v[N];
	uint32_t any = 0, all = REQ_ID_INC_MAX;
	unsigned int i, j, same = 0;

	for (i = 0; i < N; i++) {
		v[i] = req_id_incarnation_new();
		TEST_ASSERT(v[i] >= 1 && v[i] <= REQ_ID_INC_MAX,
			"draw %u: %u outside [1, 2^23 - 1]", i, v[i]);
		any |= v[i];
		all &= v[i];
	}
	/* Each bit is set and clear in some draw (else: 2^-1000). */
	TEST_ASSERT_EQUAL(any, REQ_ID_INC_MAX, "every bit is used");
	TEST_ASSERT_EQUAL(all, 0u, "no bit is stuck");
	for (i = 0; i < N; i++)
		for (j = i + 1; j < N; j++)
			same += v[i] == v[j];
	/* About 0.06 pairs expected among 1000 draws of 2^23 values. */
	TEST_ASSERT(same <= 3, "%u equal pairs among %u draws", same, N);
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------- dedup table */

#define CAP 100
static char errbuf[DEDUP_ERRLEN];

/* Serve id: begin and, if it says so, done with a reply made of the id. */
static enum dedup_verdict
serve(struct dedup *d, uint64_t id, uint16_t svc, const char *req)
{
	uint8_t reply[16];
	enum dedup_verdict v;
	uint32_t slot;

	v = dedup_begin(d, id, svc, (const uint8_t *)req, strlen(req), &slot);
	if (v != DEDUP_REPLAY) {
		memcpy(reply, &id, sizeof(id));
		memcpy(reply + 8, &svc, sizeof(svc));
		dedup_done(d, slot, QOSDT_RESULT_SUCCESS, reply, 10);
	}
	return v;
}

/* The kept reply of id is the one serve() wrote. */
static int
check_replay(struct dedup *d, uint64_t id, uint16_t svc, const char *req)
{
	const uint8_t *kept;
	uint8_t result;
	uint32_t slot, len;

	TEST_ASSERT_EQUAL(dedup_begin(d, id, svc, (const uint8_t *)req,
		strlen(req), &slot), DEDUP_REPLAY, "id %" PRIu64 " replayed", id);
	kept = dedup_reply(d, slot, &result, &len);
	TEST_ASSERT(len == 10 && result == QOSDT_RESULT_SUCCESS &&
		memcmp(kept, &id, 8) == 0 && memcmp(kept + 8, &svc, 2) == 0,
		"id %" PRIu64 ": the reply kept", id);
	return TEST_SUCCESS;
}

static int
test_dedup_replay_and_conflict(void)
{
	struct dedup d;
	struct dedup_counters c;
	const uint8_t *kept;
	uint8_t result;
	uint32_t slot, len;

	TEST_ASSERT_SUCCESS(dedup_open(&d, NULL, 64, CAP, errbuf,
		sizeof(errbuf)), "open: %s", errbuf);
	TEST_ASSERT_EQUAL(serve(&d, 7, 3, "abc"), DEDUP_NEW, "first time");
	TEST_ASSERT_SUCCESS(check_replay(&d, 7, 3, "abc"), "duplicate");
	TEST_ASSERT_SUCCESS(check_replay(&d, 7, 3, "abc"), "again");
	/* The same id, another request: served as new, the first forgotten. */
	TEST_ASSERT_EQUAL(serve(&d, 7, 3, "abd"), DEDUP_NEW, "other payload");
	TEST_ASSERT_EQUAL(serve(&d, 7, 4, "abd"), DEDUP_NEW, "other service");
	TEST_ASSERT_EQUAL(serve(&d, 7, 4, "abdd"), DEDUP_NEW, "other length");
	TEST_ASSERT_SUCCESS(check_replay(&d, 7, 4, "abdd"), "the last one kept");
	TEST_ASSERT_EQUAL(serve(&d, 7, 3, "abc"), DEDUP_NEW, "the first forgotten");
	/* An empty request, a reply longer than the cap. */
	TEST_ASSERT_EQUAL(dedup_begin(&d, 8, 9, NULL, 0, &slot), DEDUP_NEW, "empty");
	dedup_done(&d, slot, QOSDT_RESULT_SUCCESS, (const uint8_t *)"\1\2\3\4", 4);
	TEST_ASSERT_EQUAL(dedup_begin(&d, 8, 9, NULL, 0, &slot), DEDUP_REPLAY,
		"empty, duplicate");
	kept = dedup_reply(&d, slot, &result, &len);
	TEST_ASSERT(len == 4 && memcmp(kept, "\1\2\3\4", 4) == 0,
		"a reply longer than its request");
	TEST_ASSERT_EQUAL(dedup_begin(&d, 9, 1, NULL, 0, &slot), DEDUP_NEW, "big");
	dedup_done(&d, slot, QOSDT_RESULT_SUCCESS, (const uint8_t *)errbuf,
		CAP + 1);
	TEST_ASSERT_EQUAL(dedup_begin(&d, 9, 1, NULL, 0, &slot), DEDUP_AGAIN,
		"a reply not kept: served again, and counted");
	dedup_done(&d, slot, QOSDT_RESULT_FAIL, NULL, 0);
	TEST_ASSERT_EQUAL(dedup_begin(&d, 9, 1, NULL, 0, &slot), DEDUP_REPLAY,
		"kept the second time");
	dedup_reply(&d, slot, &result, &len);
	TEST_ASSERT(result == QOSDT_RESULT_FAIL && len == 0, "FAIL kept");
	TEST_ASSERT_EQUAL(dedup_counters_read(&d, &c, NULL), 1u, "one life");
	TEST_ASSERT(c.served == 8 && c.replayed == 5 && c.conflicts == 4 &&
		c.unstored == 1 && c.duplicates_served == 1 && c.evicted == 0,
		"counts: served %" PRIu64 " replayed %" PRIu64 " conflicts %" PRIu64
		" unstored %" PRIu64 " again %" PRIu64, c.served, c.replayed,
		c.conflicts, c.unstored, c.duplicates_served);
	dedup_close(&d);
	return TEST_SUCCESS;
}

/* Replies of every length up to the cap are kept byte for byte, on a cache
 * line of their own (the copy goes by 16-byte stores, then the rest). */
static int
test_dedup_reply_lengths(void)
{
	uint8_t reply[CAP];
	const uint8_t *kept;
	struct dedup d;
	uint8_t result;
	uint32_t slot, len, n, i;

	TEST_ASSERT_SUCCESS(dedup_open(&d, NULL, 64, CAP, errbuf,
		sizeof(errbuf)), "open: %s", errbuf);
	for (n = 1; n <= CAP; n++) {
		for (i = 0; i < n; i++)
			reply[i] = (uint8_t)(n * 31 + i);
		TEST_ASSERT_EQUAL(dedup_begin(&d, 1000 + n, 2, NULL, 0, &slot),
			DEDUP_NEW, "%u bytes", n);
		/* From an odd address: the source need not be aligned. */
		dedup_done(&d, slot, QOSDT_RESULT_SUCCESS, reply + (n & 1),
			n - (n & 1));
		TEST_ASSERT_EQUAL(dedup_begin(&d, 1000 + n, 2, NULL, 0, &slot),
			DEDUP_REPLAY, "%u bytes, duplicate", n);
		kept = dedup_reply(&d, slot, &result, &len);
		TEST_ASSERT(len == n - (n & 1) &&
			memcmp(kept, reply + (n & 1), len) == 0,
			"a reply of %u bytes kept as it was", n - (n & 1));
		TEST_ASSERT(((uintptr_t)kept & (RTE_CACHE_LINE_SIZE - 1)) == 0,
			"a reply starts on a cache line");
	}
	dedup_close(&d);
	return TEST_SUCCESS;
}

/* The bound: a request is answered from the table until nb_entries later
 * requests have been served, then it is served again, uncounted. */
static int
test_dedup_bound(void)
{
	struct dedup d;
	struct dedup_counters c;
	uint64_t id;

	TEST_ASSERT_SUCCESS(dedup_open(&d, NULL, 64, CAP, errbuf,
		sizeof(errbuf)), "open: %s", errbuf);
	for (id = 1; id <= 64; id++)
		TEST_ASSERT_EQUAL(serve(&d, id, 5, "x"), DEDUP_NEW, "id %" PRIu64, id);
	for (id = 1; id <= 64; id++)
		TEST_ASSERT_SUCCESS(check_replay(&d, id, 5, "x"), "within the bound");
	TEST_ASSERT_EQUAL(d.deepest_replay, 63u, "63 served after the first");
	TEST_ASSERT_EQUAL(serve(&d, 65, 5, "x"), DEDUP_NEW, "the 65th");
	TEST_ASSERT_EQUAL(serve(&d, 1, 5, "x"), DEDUP_NEW,
		"the first, its slot reused: served again");
	TEST_ASSERT_SUCCESS(check_replay(&d, 3, 5, "x"), "the third still kept");
	dedup_counters_read(&d, &c, NULL);
	TEST_ASSERT(c.evicted == 2 && c.duplicates_served == 0,
		"evicted %" PRIu64 ", counted as served again %" PRIu64
		" (nothing is left to know it by)", c.evicted, c.duplicates_served);
	dedup_close(&d);
	return TEST_SUCCESS;
}

/*
 * The index under churn, against a model of the slots: random ids from a
 * small range (many conflicts, evictions and deletions in the probe runs),
 * a few payloads; every verdict must be the model's.
 */
static int
test_dedup_model(void)
{
	enum { N = 64, IDS = 300, OPS = 200000 };
	static const char *const req[] = { "a", "b", "cc" };
	static struct { uint64_t id; int req; bool used; } slots[N];
	struct dedup d;
	uint64_t next = 0, rng = 88172645463325252ull;
	unsigned int op, i;

	memset(slots, 0, sizeof(slots));
	TEST_ASSERT_SUCCESS(dedup_open(&d, NULL, N, CAP, errbuf,
		sizeof(errbuf)), "open: %s", errbuf);
	for (op = 0; op < OPS; op++) {
		enum dedup_verdict want = DEDUP_NEW, got;
		uint64_t id;
		int r;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		/* Ids spread over the whole 64 bits, few of them. */
		id = (rng % IDS) * 0x9E3779B97F4A7C15ull;
		r = (int)((rng >> 32) % RTE_DIM(req));
		for (i = 0; i < N; i++) {
			if (!slots[i].used || slots[i].id != id)
				continue;
			if (slots[i].req == r)
				want = DEDUP_REPLAY;
			else
				slots[i].used = false;      /* conflict */
			break;
		}
		if (want == DEDUP_NEW) {
			slots[next % N].id = id;
			slots[next % N].req = r;
			slots[next % N].used = true;
			next++;
		}
		got = serve(&d, id, 3, req[r]);
		TEST_ASSERT_EQUAL(got, want, "op %u, id %" PRIu64 ": verdict", op, id);
	}
	dedup_close(&d);
	return TEST_SUCCESS;
}

static int
test_dedup_lives(void)
{
	struct dedup_counters life, total;
	struct dedup d, d2;
	char path[128];
	uint32_t slot;
	uint64_t id;
	int rc = TEST_FAILED;

	shm_test_path(path, sizeof(path), "dedup_lives");
	unlink(path);
	TEST_ASSERT_SUCCESS(dedup_open(&d, path, 64, CAP, errbuf,
		sizeof(errbuf)), "open: %s", errbuf);
	TEST_ASSERT(d.life == 1 && d.loaded == 0, "a new store");
	for (id = 100; id < 110; id++)
		serve(&d, id, 6, "payload");
	/* Dies while serving request 110. */
	dedup_begin(&d, 110, 6, (const uint8_t *)"payload", 7, &slot);
	if (dedup_open(&d2, path, 64, CAP, errbuf, sizeof(errbuf)) == 0 ||
			strstr(errbuf, "in use by another server process") == NULL) {
		printf("a second opener is not refused: %s\n", errbuf);
		goto out;
	}
	dedup_close(&d);

	TEST_ASSERT_SUCCESS(dedup_open(&d, path, 64, CAP, errbuf,
		sizeof(errbuf)), "reopen: %s", errbuf);
	if (d.life != 2 || d.loaded != 11 || d.dropped_slots != 0) {
		printf("life %u, loaded %u, dropped %u\n", d.life, d.loaded,
			d.dropped_slots);
		goto out;
	}
	for (id = 100; id < 110; id++)
		if (check_replay(&d, id, 6, "payload") != TEST_SUCCESS)
			goto out;
	if (serve(&d, 110, 6, "payload") != DEDUP_REDO) {
		printf("a service the dead life began (its reply never out) is redone\n");
		goto out;
	}
	serve(&d, 111, 6, "payload");
	dedup_counters_read(&d, &life, &total);
	if (life.served != 2 || life.replayed != 10 || life.duplicates_served != 0 ||
			life.replayed_earlier != 10 || life.redone != 1 ||
			total.served != 12 || total.replayed != 10 ||
			total.duplicates_served != 0 || total.redone != 1) {
		printf("life: served %" PRIu64 " replayed %" PRIu64 " again %" PRIu64
			"; store: served %" PRIu64 " replayed %" PRIu64 " again %"
			PRIu64 "\n", life.served, life.replayed,
			life.duplicates_served, total.served, total.replayed,
			total.duplicates_served);
		goto out;
	}
	/* Slots a crash or another program left inconsistent are freed. */
	dedup_slot_at(&d, 0)->state = 7;
	dedup_slot_at(&d, 1)->reply_len = CAP + 1;
	dedup_slot_at(&d, 2)->seq = 1000;
	dedup_close(&d);
	TEST_ASSERT_SUCCESS(dedup_open(&d, path, 64, CAP, errbuf,
		sizeof(errbuf)), "reopen: %s", errbuf);
	if (d.life != 3 || d.dropped_slots != 3 || d.loaded != 9 ||
			serve(&d, 100, 6, "payload") != DEDUP_NEW ||
			serve(&d, 101, 6, "payload") != DEDUP_NEW ||
			serve(&d, 102, 6, "payload") != DEDUP_NEW ||
			check_replay(&d, 103, 6, "payload") != TEST_SUCCESS) {
		printf("inconsistent slots: life %u, dropped %u, loaded %u\n",
			d.life, d.dropped_slots, d.loaded);
		goto out;
	}
	dedup_close(&d);
	/* Another geometry: formatted afresh. */
	TEST_ASSERT_SUCCESS(dedup_open(&d, path, 128, CAP, errbuf,
		sizeof(errbuf)), "reopen: %s", errbuf);
	if (d.life != 1 || d.loaded != 0 ||
			serve(&d, 103, 6, "payload") != DEDUP_NEW) {
		printf("another geometry is not formatted afresh\n");
		goto out;
	}
	/* Another format version, the same geometry (CAP 100 gives 192-byte
	 * slots in version 1 too): formatted afresh, not misread. */
	d.hdr->version = DEDUP_VERSION - 1;
	dedup_close(&d);
	TEST_ASSERT_SUCCESS(dedup_open(&d, path, 128, CAP, errbuf,
		sizeof(errbuf)), "reopen: %s", errbuf);
	if (d.life != 1 || d.loaded != 0 || d.hdr->version != DEDUP_VERSION ||
			serve(&d, 103, 6, "payload") != DEDUP_NEW) {
		printf("another format version is not formatted afresh\n");
		goto out;
	}
	rc = TEST_SUCCESS;
out:
	dedup_close(&d);
	unlink(path);
	return rc;
}

static int
test_dedup_refusals(void)
{
	static const uint32_t bad_n[] = { 0, 32, 100, 65, DEDUP_MAX_ENTRIES * 2 };
	char path[160];
	struct dedup d;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad_n); i++) {
		TEST_ASSERT_FAIL(dedup_open(&d, NULL, bad_n[i], CAP, errbuf,
			sizeof(errbuf)), "%u slots", bad_n[i]);
		TEST_ASSERT(strstr(errbuf, "--dedup-entries") != NULL,
			"names the option: %s", errbuf);
	}
	TEST_ASSERT_FAIL(dedup_open(&d, "/dev/null", 64, CAP, errbuf,
		sizeof(errbuf)), "a device");
	TEST_ASSERT(strstr(errbuf, "/dev/null is not a regular file") != NULL,
		"%s", errbuf);
	shm_test_path(path, sizeof(path), "dedup_nodir/x");
	TEST_ASSERT_FAIL(dedup_open(&d, path, 64, CAP, errbuf, sizeof(errbuf)),
		"a missing directory");
	TEST_ASSERT(strstr(errbuf, "cannot open") != NULL &&
		strstr(errbuf, "No such file or directory") != NULL, "%s", errbuf);
	return TEST_SUCCESS;
}

/* --------------------------------------------------- server_serve_once */

static struct rte_mempool *mp;

static struct rte_mbuf *
request(uint64_t id, uint16_t svc, const void *data, uint32_t len)
{
	struct qosdt_msg msg = { .service_id = svc, .length = len,
		.request_id = id };
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m != NULL && qosdt_msg_build(m, NULL, NULL, &msg, data) != 0) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	return m;
}

/* Serve a request once with the table; the reply's payload into out. */
static int
serve_frame(struct dedup *d, struct svc_hvisor_state *st, uint64_t id,
		uint16_t svc, const void *data, uint32_t len, uint8_t *out,
		uint32_t *out_len)
{
	static const struct rte_ether_addr mac = {{ 2, 0, 0, 0, 0, 9 }};
	struct rte_mbuf *m = request(id, svc, data, len);
	struct qosdt_msg msg;
	int rc;

	if (m == NULL)
		return -2;
	rc = server_serve_once(m, &mac, st, d);
	if (rc >= 0 && qosdt_msg_parse(m, &msg) == 0 &&
			(msg.flags & QOSDT_MSG_F_REPLY) &&
			rte_pktmbuf_pkt_len(m) == QOSDT_FRAME_HDR_LEN + msg.length) {
		memcpy(out, qosdt_msg_payload(m), msg.length);
		*out_len = msg.length;
	} else if (rc >= 0) {
		rc = -3;
	}
	rte_pktmbuf_free(m);
	return rc;
}

static int
test_serve_once(void)
{
	struct svc_hvisor_state st, ref;
	struct dedup_counters c;
	uint8_t r1[64], r2[64], want[64];
	uint32_t l1, l2, wl;
	struct rte_mbuf *m;
	struct dedup d;
	int rc = TEST_FAILED;

	mp = rte_pktmbuf_pool_create("dedup_serve", 64, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	TEST_ASSERT(mp != NULL, "pool");
	if (dedup_open(&d, NULL, 64, 2008, errbuf, sizeof(errbuf)) != 0) {
		printf("open: %s\n", errbuf);
		goto out_pool;
	}
	/* The original's LCG: each run advances the server's generator. A
	 * duplicate gets the first reply and leaves the generator alone. */
	svc_hvisor_state_init(&st);
	svc_hvisor_state_init(&ref);
	if (serve_frame(&d, &st, 1, SVC_LCG, "0123456789", 11, r1, &l1) !=
			QOSDT_RESULT_SUCCESS ||
			serve_frame(&d, &st, 1, SVC_LCG, "0123456789", 11, r2, &l2) !=
			QOSDT_RESULT_SUCCESS || l1 != 11 || l2 != 11 ||
			memcmp(r1, r2, 11) != 0 || memcmp(r1, "1103527590", 11) != 0) {
		printf("a duplicate is not answered with the first reply\n");
		goto out;
	}
	memcpy(want, "0123456789", 11);
	svc_hvisor_run(&ref, SVC_LCG, want, 11);
	svc_hvisor_run(&ref, SVC_LCG, want, 11);
	if (serve_frame(&d, &st, 2, SVC_LCG, "0123456789", 11, r1, &l1) !=
			QOSDT_RESULT_SUCCESS || memcmp(r1, want, 11) != 0) {
		printf("the next request gets the generator's second value: the duplicate ran it (\"%.*s\", not \"%.*s\")\n",
			(int)l1, r1, 11, want);
		goto out;
	}
	/* Binary: a reply longer than its request, replayed into a frame
	 * that must grow; and NOT_EXIST kept as it was. */
	svc_run(SVC_DJB2, NULL, 0, want, sizeof(want), &wl);
	if (serve_frame(&d, NULL, 3, SVC_DJB2, NULL, 0, r1, &l1) !=
			QOSDT_RESULT_SUCCESS ||
			serve_frame(&d, NULL, 3, SVC_DJB2, NULL, 0, r2, &l2) !=
			QOSDT_RESULT_SUCCESS || l1 != wl || l2 != wl ||
			memcmp(r2, want, wl) != 0 ||
			serve_frame(&d, NULL, 4, 999, "x", 1, r1, &l1) !=
			QOSDT_RESULT_NOT_EXIST ||
			serve_frame(&d, NULL, 4, 999, "x", 1, r2, &l2) !=
			QOSDT_RESULT_NOT_EXIST || l2 != 0) {
		printf("binary replies are not replayed as served\n");
		goto out;
	}
	/* Not a request: refused, not remembered. */
	m = request(5, SVC_ECHO, "y", 1);
	if (m == NULL)
		goto out;
	rte_pktmbuf_mtod(m, struct qosdt_frame_hdr *)->msg.flags =
		QOSDT_MSG_F_REPLY;
	if (server_serve_once(m, NULL, NULL, &d) != -1) {
		printf("a reply is served\n");
		rte_pktmbuf_free(m);
		goto out;
	}
	rte_pktmbuf_free(m);
	dedup_counters_read(&d, &c, NULL);
	if (c.served != 4 || c.replayed != 3 || c.duplicates_served != 0) {
		printf("served %" PRIu64 " replayed %" PRIu64 " again %" PRIu64 "\n",
			c.served, c.replayed, c.duplicates_served);
		goto out;
	}
	rc = TEST_SUCCESS;
out:
	dedup_close(&d);
out_pool:
	rte_mempool_free(mp);
	return rc;
}

static struct unit_test_suite dedup_suite = {
	.suite_name = "request ids and the server's dedup table",
	.unit_test_cases = {
		TEST_CASE(test_req_id_layout),
		TEST_CASE(test_req_id_incarnations),
		TEST_CASE(test_dedup_replay_and_conflict),
		TEST_CASE(test_dedup_reply_lengths),
		TEST_CASE(test_dedup_bound),
		TEST_CASE(test_dedup_model),
		TEST_CASE(test_dedup_lives),
		TEST_CASE(test_dedup_refusals),
		TEST_CASE(test_serve_once),
		TEST_CASES_END(),
	},
};

static int
test_app_dedup(void)
{
	return unit_test_suite_runner(&dedup_suite);
}

REGISTER_TEST_COMMAND(app_dedup_autotest, test_app_dedup);
