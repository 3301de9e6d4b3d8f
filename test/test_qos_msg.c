/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The HyperAMP message (qosdt_msg.h): build -> parse round trips, the byte
 * layout on the wire, each malformed frame with its own error, headers
 * split over segments, mbufs that lie about their length, build refusals,
 * and a deterministic byte-flip fuzz checked against an independent
 * decoder of the raw bytes.
 *
 * Frames under attack sit in heap blocks of their exact size (external
 * mbuf buffers), so that under the ASan build a read past a segment's
 * data is reported as a heap overflow.
 */

#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>

#include "qosdt_msg.h"
#include "test.h"

#define POOL_MBUFS 511
#define HDR_LEN QOSDT_FRAME_HDR_LEN
/* A valid frame whose bytes the malformed cases start from. */
#define BASE_PAYLOAD 64
#define BASE_FRAME_LEN (HDR_LEN + BASE_PAYLOAD)
#define FUZZ_ROUNDS 5000
#define FUZZ_SEED 0x9e3779b97f4a7c15ULL
#define FUZZ_PADDING 16
#define NB_VERDICTS 6

static struct rte_mempool *pool;
/* Mbufs in use when the case started (a failed case may leak some). */
static unsigned int in_use_at_start;

static const struct rte_ether_addr src_mac = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
static const struct rte_ether_addr dst_mac = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 } };

#define ASSERT_NO_LEAK() \
	TEST_ASSERT_EQUAL(rte_mempool_in_use_count(pool), in_use_at_start, \
		"mbufs leaked: %u in use, %u before", \
		rte_mempool_in_use_count(pool), in_use_at_start)

static int
suite_setup(void)
{
	pool = rte_pktmbuf_pool_create("qos_msg_test", POOL_MBUFS, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		printf("cannot create the mbuf pool: %s\n",
			rte_strerror(rte_errno));
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
case_setup(void)
{
	in_use_at_start = rte_mempool_in_use_count(pool);
	return TEST_SUCCESS;
}

static void
suite_teardown(void)
{
	rte_mempool_free(pool);
	pool = NULL;
}

/* Binary payload: every fifth byte NUL, the others spread over 1..255. */
static void
payload_fill(uint8_t *p, uint32_t len, uint8_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = i % 5 == 0 ? 0 : (uint8_t)(seed + i * 131u) | 1;
}

/* Header values with every byte of every field distinct and non-zero. */
static struct qosdt_msg
msg_sample(uint32_t length)
{
	struct qosdt_msg msg = {
		.service_id = 0xA5C3,
		.flags = QOSDT_MSG_F_REPLY,
		.result = QOSDT_RESULT_NOT_EXIST,
		.length = length,
		.request_id = 0x0123456789ABCDEFULL,
		.timestamp_ns = 0xFEDCBA9876543210ULL,
	};

	return msg;
}

static int
msg_compare(const struct qosdt_msg *got, const struct qosdt_msg *want)
{
	TEST_ASSERT_EQUAL(got->service_id, want->service_id,
		"service id %#x, want %#x", got->service_id, want->service_id);
	TEST_ASSERT_EQUAL(got->flags, want->flags, "flags %#x, want %#x",
		got->flags, want->flags);
	TEST_ASSERT_EQUAL(got->result, want->result, "result %u, want %u",
		got->result, want->result);
	TEST_ASSERT_EQUAL(got->length, want->length, "length %u, want %u",
		got->length, want->length);
	TEST_ASSERT_EQUAL(got->request_id, want->request_id,
		"request id %#" PRIx64 ", want %#" PRIx64,
		got->request_id, want->request_id);
	TEST_ASSERT_EQUAL(got->timestamp_ns, want->timestamp_ns,
		"timestamp %#" PRIx64 ", want %#" PRIx64,
		got->timestamp_ns, want->timestamp_ns);
	return TEST_SUCCESS;
}

/* The bytes of a frame built by qosdt_msg_build(); returns its length. */
static uint32_t
frame_bytes(uint8_t *out, const struct qosdt_msg *msg, const void *payload)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint32_t len = 0;

	if (m == NULL)
		return 0;
	if (qosdt_msg_build(m, &src_mac, &dst_mac, msg, payload) == 0) {
		len = rte_pktmbuf_pkt_len(m);
		memcpy(out, rte_pktmbuf_mtod(m, void *), len);
	}
	rte_pktmbuf_free(m);
	return len;
}

/* The base frame: msg_sample(BASE_PAYLOAD) and a binary payload. */
static int
base_frame(uint8_t *out)
{
	uint8_t payload[BASE_PAYLOAD];
	struct qosdt_msg msg = msg_sample(BASE_PAYLOAD);

	payload_fill(payload, sizeof(payload), 7);
	TEST_ASSERT_EQUAL(frame_bytes(out, &msg, payload), BASE_FRAME_LEN,
		"cannot build the base frame");
	return TEST_SUCCESS;
}

static void
put_be(uint8_t *p, unsigned int size, uint64_t v)
{
	while (size-- > 0) {
		p[size] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v = v << 8 | p[i];
	return v;
}

/* Free callback of an exact-size segment: its data and its shared info. */
static void
exact_buf_free(void *addr, void *opaque)
{
	free(addr);
	free(opaque);
}

/*
 * An mbuf whose data is a copy of bytes[0..len) in a heap block of exactly
 * len bytes: reading past the data is a heap overflow for ASan.
 */
static struct rte_mbuf *
exact_seg(const uint8_t *bytes, uint16_t len)
{
	struct rte_mbuf_ext_shared_info *shinfo = malloc(sizeof(*shinfo));
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *buf = malloc(len);

	if (m == NULL || shinfo == NULL || buf == NULL) {
		rte_pktmbuf_free(m);
		free(shinfo);
		free(buf);
		return NULL;
	}
	memcpy(buf, bytes, len);
	shinfo->free_cb = exact_buf_free;
	shinfo->fcb_opaque = shinfo;
	rte_mbuf_ext_refcnt_set(shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, buf, (rte_iova_t)(uintptr_t)buf, len,
		shinfo);
	m->data_len = len;
	m->pkt_len = len;
	return m;
}

/*
 * A consistent chain of exact-size segments holding bytes[0..len), cut
 * at the ascending offsets cuts[0..nb_cuts) (equal cuts make empty
 * segments).
 */
static struct rte_mbuf *
exact_chain(const uint8_t *bytes, uint32_t len, const uint32_t *cuts,
		unsigned int nb_cuts)
{
	struct rte_mbuf *head = NULL, *seg;
	uint32_t start = 0, end;
	unsigned int i;

	for (i = 0; i <= nb_cuts; i++) {
		end = i < nb_cuts ? cuts[i] : len;
		seg = exact_seg(bytes + start, (uint16_t)(end - start));
		if (seg == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (head == NULL) {
			head = seg;
		} else if (rte_pktmbuf_chain(head, seg) != 0) {
			rte_pktmbuf_free(seg);
			rte_pktmbuf_free(head);
			return NULL;
		}
		start = end;
	}
	return head;
}

/*
 * Parse m expecting err; qosdt_msg_service_id() and qosdt_msg_payload()
 * must agree with the verdict. On success *msg holds the parsed fields.
 */
static int
verdict_check(const struct rte_mbuf *m, int err, struct qosdt_msg *msg)
{
	int ret = qosdt_msg_parse(m, msg);
	int sid = qosdt_msg_service_id(m);

	TEST_ASSERT_EQUAL(ret, err, "parse said %d (%s), want %d (%s)", ret,
		qosdt_msg_strerror(ret), err, qosdt_msg_strerror(err));
	if (err != QOSDT_MSG_OK) {
		TEST_ASSERT_EQUAL(sid, -1, "service id %d of a bad frame", sid);
		TEST_ASSERT_NULL(qosdt_msg_payload(m), "payload of a bad frame");
		return TEST_SUCCESS;
	}
	TEST_ASSERT_EQUAL(sid, msg->service_id, "service id %d, parse %u",
		sid, msg->service_id);
	TEST_ASSERT(HDR_LEN + (uint64_t)msg->length <= rte_pktmbuf_pkt_len(m),
		"length %u beyond a %u-byte frame", msg->length,
		rte_pktmbuf_pkt_len(m));
	return TEST_SUCCESS;
}

/* verdict_check() on an exact single segment holding bytes[0..len). */
static int
bytes_check(const uint8_t *bytes, uint32_t len, int err)
{
	struct qosdt_msg msg;
	struct rte_mbuf *m = exact_seg(bytes, (uint16_t)len);
	int ret;

	TEST_ASSERT_NOT_NULL(m, "cannot make a %u-byte frame", len);
	ret = verdict_check(m, err, &msg);
	rte_pktmbuf_free(m);
	return ret;
}

static int
test_round_trip(void)
{
	static const uint32_t fixed_sizes[] = { 0, 1, 7, 64, 1500 };
	const struct qosdt_msg templates[] = {
		msg_sample(0),
		{ .service_id = 0, .flags = 0, .result = QOSDT_RESULT_NONE },
		{ .service_id = UINT16_MAX, .flags = UINT8_MAX,
			.result = UINT8_MAX, .request_id = UINT64_MAX,
			.timestamp_ns = UINT64_MAX },
	};
	static uint8_t payload[UINT16_MAX];
	uint32_t sizes[RTE_DIM(fixed_sizes) + 1];
	struct qosdt_msg want, got;
	const uint8_t *in_place;
	struct rte_mbuf *m;
	unsigned int t, i;

	m = rte_pktmbuf_alloc(pool);
	TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
	memcpy(sizes, fixed_sizes, sizeof(fixed_sizes));
	sizes[RTE_DIM(fixed_sizes)] = rte_pktmbuf_tailroom(m) - HDR_LEN;
	rte_pktmbuf_free(m);

	for (t = 0; t < RTE_DIM(templates); t++) {
		for (i = 0; i < RTE_DIM(sizes); i++) {
			want = templates[t];
			want.length = sizes[i];
			payload_fill(payload, sizes[i], (uint8_t)(t + i));
			m = rte_pktmbuf_alloc(pool);
			TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
			TEST_ASSERT_SUCCESS(qosdt_msg_build(m, &src_mac,
				&dst_mac, &want, payload),
				"build of a %u-byte payload", sizes[i]);
			TEST_ASSERT(m->nb_segs == 1 &&
				m->data_len == HDR_LEN + sizes[i] &&
				m->pkt_len == HDR_LEN + sizes[i],
				"frame of %u/%u bytes in %u segments for a "
				"%u-byte payload", m->data_len, m->pkt_len,
				m->nb_segs, sizes[i]);
			TEST_ASSERT_SUCCESS(verdict_check(m, QOSDT_MSG_OK,
				&got), "template %u, payload %u", t, sizes[i]);
			TEST_ASSERT_SUCCESS(msg_compare(&got, &want),
				"template %u, payload %u", t, sizes[i]);
			in_place = qosdt_msg_payload(m);
			TEST_ASSERT(in_place == rte_pktmbuf_mtod_offset(m,
				uint8_t *, HDR_LEN),
				"payload not right after the header");
			TEST_ASSERT_SUCCESS(memcmp(in_place, payload, sizes[i]),
				"payload of %u bytes altered", sizes[i]);
			rte_pktmbuf_free(m);
		}
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_default_addresses(void)
{
	static const struct rte_ether_addr zero, bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct qosdt_msg msg = msg_sample(0);
	const struct rte_ether_hdr *eth;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
	TEST_ASSERT_SUCCESS(qosdt_msg_build(m, NULL, NULL, &msg, NULL),
		"build with NULL addresses and payload");
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	TEST_ASSERT(rte_is_same_ether_addr(&eth->src_addr, &zero),
		"NULL source is not 00:00:00:00:00:00");
	TEST_ASSERT(rte_is_same_ether_addr(&eth->dst_addr, &bcast),
		"NULL destination is not broadcast");
	rte_pktmbuf_free(m);
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_byte_layout(void)
{
	static const uint8_t want[] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02,     /* 0: destination */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,     /* 6: source */
		0x88, 0xB5,                             /* 12: EtherType */
		0x01,                                   /* 14: version */
		0x01,                                   /* 15: flags: reply */
		0xA5, 0xC3,                             /* 16: service id */
		0x03,                                   /* 18: result */
		0x00,                                   /* 19: reserved */
		0x00, 0x00, 0x00, 0x05,                 /* 20: length */
		0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, /* 24: req */
		0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, /* 32: ts */
		'a', 0x00, 'b', 0x00, 0xff,             /* 40: payload */
	};
	static const uint8_t payload[] = { 'a', 0x00, 'b', 0x00, 0xff };
	struct qosdt_msg msg = msg_sample(sizeof(payload));
	struct rte_mbuf *m;

	TEST_ASSERT_EQUAL(HDR_LEN, 40u, "header is %u bytes", HDR_LEN);
	TEST_ASSERT_EQUAL(offsetof(struct qosdt_frame_hdr, eth.ether_type),
		12u, "EtherType offset");
	TEST_ASSERT_EQUAL(offsetof(struct qosdt_frame_hdr, msg.version), 14u,
		"version offset");
	TEST_ASSERT_EQUAL(offsetof(struct qosdt_frame_hdr, msg.flags), 15u,
		"flags offset");
	TEST_ASSERT_EQUAL(offsetof(struct qosdt_frame_hdr, msg.service_id),
		16u, "service id offset");
	TEST_ASSERT_EQUAL(offsetof(struct qosdt_frame_hdr, msg.result), 18u,
		"result offset");
	TEST_ASSERT_EQUAL(offsetof(struct qosdt_frame_hdr, msg.reserved), 19u,
		"reserved offset");
	TEST_ASSERT_EQUAL(offsetof(struct qosdt_frame_hdr, msg.length), 20u,
		"length offset");
	TEST_ASSERT_EQUAL(offsetof(struct qosdt_frame_hdr, msg.request_id),
		24u, "request id offset");
	TEST_ASSERT_EQUAL(offsetof(struct qosdt_frame_hdr, msg.timestamp_ns),
		32u, "timestamp offset");

	/* Dirty buffer: build must write every header byte, reserved too. */
	m = rte_pktmbuf_alloc(pool);
	TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
	memset(rte_pktmbuf_mtod(m, void *), 0xAA, rte_pktmbuf_tailroom(m));
	TEST_ASSERT_SUCCESS(qosdt_msg_build(m, &src_mac, &dst_mac, &msg,
		payload), "build");
	TEST_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), sizeof(want),
		"frame of %u bytes", rte_pktmbuf_pkt_len(m));
	TEST_ASSERT_SUCCESS(memcmp(rte_pktmbuf_mtod(m, void *), want,
		sizeof(want)), "frame bytes differ from the documented layout");
	rte_pktmbuf_free(m);
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* A frame at an odd address parses and builds the same (no alignment). */
static int
test_unaligned_frame(void)
{
	static const uint16_t shifts[] = { 1, 3, 7 };
	uint8_t payload[33];
	struct qosdt_msg want = msg_sample(sizeof(payload)), got;
	struct rte_mbuf *m;
	unsigned int i;

	payload_fill(payload, sizeof(payload), 3);
	for (i = 0; i < RTE_DIM(shifts); i++) {
		m = rte_pktmbuf_alloc(pool);
		TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
		m->data_off += shifts[i];
		TEST_ASSERT_SUCCESS(qosdt_msg_build(m, &src_mac, &dst_mac,
			&want, payload), "build at +%u", shifts[i]);
		TEST_ASSERT_SUCCESS(verdict_check(m, QOSDT_MSG_OK, &got),
			"frame at +%u", shifts[i]);
		TEST_ASSERT_SUCCESS(msg_compare(&got, &want), "frame at +%u",
			shifts[i]);
		TEST_ASSERT_SUCCESS(memcmp(qosdt_msg_payload(m), payload,
			sizeof(payload)), "payload at +%u", shifts[i]);
		rte_pktmbuf_free(m);
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_short_frames(void)
{
	uint8_t frame[BASE_FRAME_LEN];
	uint32_t len;

	TEST_ASSERT_SUCCESS(base_frame(frame), "base frame");
	for (len = 0; len < HDR_LEN; len++)
		TEST_ASSERT_SUCCESS(bytes_check(frame, len,
			QOSDT_MSG_ERR_SHORT), "%u-byte frame", len);
	TEST_ASSERT_SUCCESS(bytes_check(frame, BASE_FRAME_LEN, QOSDT_MSG_OK),
		"whole base frame");
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_wrong_ethertype(void)
{
	/* IPv4, IPv6, an 802.1Q tag, 0x88B5 byte-swapped, its neighbour. */
	static const uint16_t types[] = {
		0x0800, 0x86DD, 0x8100, 0xB588, 0x88B6, 0x0000 };
	uint8_t frame[BASE_FRAME_LEN];
	unsigned int i;

	TEST_ASSERT_SUCCESS(base_frame(frame), "base frame");
	for (i = 0; i < RTE_DIM(types); i++) {
		put_be(frame + 12, 2, types[i]);
		TEST_ASSERT_SUCCESS(bytes_check(frame, BASE_FRAME_LEN,
			QOSDT_MSG_ERR_ETHERTYPE), "EtherType %#06x", types[i]);
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_wrong_version(void)
{
	static const uint8_t versions[] = { 0, 2, 0xff };
	uint8_t frame[BASE_FRAME_LEN];
	unsigned int i;

	TEST_ASSERT_SUCCESS(base_frame(frame), "base frame");
	for (i = 0; i < RTE_DIM(versions); i++) {
		frame[14] = versions[i];
		TEST_ASSERT_SUCCESS(bytes_check(frame, BASE_FRAME_LEN,
			QOSDT_MSG_ERR_VERSION), "version %u", versions[i]);
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_bad_length(void)
{
	/*
	 * remaining + 1; 2^32 - 1 and 2^32 - 40, whose sums with the header
	 * wrap to 39 and 0 in 32-bit arithmetic; 2^31.
	 */
	static const uint32_t bad[] = { BASE_PAYLOAD + 1, UINT32_MAX,
		UINT32_MAX - HDR_LEN + 1, 1u << 31 };
	uint8_t frame[BASE_FRAME_LEN];
	struct qosdt_msg msg;
	struct rte_mbuf *m;
	unsigned int i;
	uint32_t len;
	int ret;

	TEST_ASSERT_SUCCESS(base_frame(frame), "base frame");
	for (i = 0; i < RTE_DIM(bad); i++) {
		put_be(frame + 20, 4, bad[i]);
		TEST_ASSERT_SUCCESS(bytes_check(frame, BASE_FRAME_LEN,
			QOSDT_MSG_ERR_LENGTH), "length %#x in a %u-byte frame",
			bad[i], BASE_FRAME_LEN);
	}

	/* Checks run in a fixed order: the first failing one is reported. */
	frame[14] = 2;
	TEST_ASSERT_SUCCESS(bytes_check(frame, BASE_FRAME_LEN,
		QOSDT_MSG_ERR_VERSION), "bad version and length");
	put_be(frame + 12, 2, 0x0800);
	TEST_ASSERT_SUCCESS(bytes_check(frame, BASE_FRAME_LEN,
		QOSDT_MSG_ERR_ETHERTYPE), "bad EtherType, version and length");
	TEST_ASSERT_SUCCESS(bytes_check(frame, HDR_LEN - 1,
		QOSDT_MSG_ERR_SHORT), "short frame, bad everything");

	/* Every length up to what the frame holds is valid (the rest pads). */
	TEST_ASSERT_SUCCESS(base_frame(frame), "base frame");
	for (len = 0; len <= BASE_PAYLOAD; len++) {
		put_be(frame + 20, 4, len);
		m = exact_seg(frame, BASE_FRAME_LEN);
		TEST_ASSERT_NOT_NULL(m, "exact frame");
		ret = verdict_check(m, QOSDT_MSG_OK, &msg);
		if (ret == TEST_SUCCESS && msg.length != len)
			ret = TEST_FAILED;
		if (ret == TEST_SUCCESS && qosdt_msg_payload(m) !=
				rte_pktmbuf_mtod_offset(m, void *, HDR_LEN))
			ret = TEST_FAILED;
		rte_pktmbuf_free(m);
		TEST_ASSERT_SUCCESS(ret, "length %u in a %u-byte frame", len,
			BASE_FRAME_LEN);
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* Bytes after the payload (e.g. Ethernet minimum-size padding) are fine. */
static int
test_padding(void)
{
	static const uint32_t cases[][2] = {	/* payload, padding */
		{ 0, 20 }, { 10, 50 }, { 100, 1 }, { 1, 1400 } };
	uint8_t payload[100];
	struct qosdt_msg want, got;
	struct rte_mbuf *m;
	unsigned int i;
	char *pad;

	payload_fill(payload, sizeof(payload), 11);
	for (i = 0; i < RTE_DIM(cases); i++) {
		want = msg_sample(cases[i][0]);
		m = rte_pktmbuf_alloc(pool);
		TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
		TEST_ASSERT_SUCCESS(qosdt_msg_build(m, &src_mac, &dst_mac,
			&want, payload), "build");
		pad = rte_pktmbuf_append(m, (uint16_t)cases[i][1]);
		TEST_ASSERT_NOT_NULL(pad, "no room for padding");
		memset(pad, 0x5A, cases[i][1]);
		TEST_ASSERT_SUCCESS(verdict_check(m, QOSDT_MSG_OK, &got),
			"payload %u + padding %u", cases[i][0], cases[i][1]);
		TEST_ASSERT_SUCCESS(msg_compare(&got, &want),
			"payload %u + padding %u", cases[i][0], cases[i][1]);
		TEST_ASSERT_SUCCESS(memcmp(qosdt_msg_payload(m), payload,
			cases[i][0]), "payload altered");
		rte_pktmbuf_free(m);
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* Parse a valid chain; compare with want and the payload it carries. */
static int
chain_check(struct rte_mbuf *m, const struct qosdt_msg *want,
		const uint8_t *payload)
{
	uint8_t copy[BASE_PAYLOAD];
	struct qosdt_msg got;
	const void *p;

	TEST_ASSERT_SUCCESS(verdict_check(m, QOSDT_MSG_OK, &got), "verdict");
	TEST_ASSERT_SUCCESS(msg_compare(&got, want), "fields");
	if (HDR_LEN + want->length <= m->data_len)
		TEST_ASSERT_NOT_NULL(qosdt_msg_payload(m),
			"payload in the first segment not given in place");
	else
		TEST_ASSERT_NULL(qosdt_msg_payload(m),
			"payload crossing segments given in place");
	p = rte_pktmbuf_read(m, HDR_LEN, want->length, copy);
	TEST_ASSERT_NOT_NULL(p, "payload not readable");
	TEST_ASSERT_SUCCESS(memcmp(p, payload, want->length),
		"payload altered");
	return TEST_SUCCESS;
}

/* Valid frames whose header spans two or three segments. */
static int
test_header_split(void)
{
	struct qosdt_msg want = msg_sample(BASE_PAYLOAD);
	uint8_t frame[BASE_FRAME_LEN];
	struct rte_mbuf *m;
	uint32_t cuts[2];
	int ret;

	TEST_ASSERT_SUCCESS(base_frame(frame), "base frame");
	for (cuts[0] = 0; cuts[0] <= BASE_FRAME_LEN; cuts[0]++) {
		m = exact_chain(frame, BASE_FRAME_LEN, cuts, 1);
		TEST_ASSERT_NOT_NULL(m, "chain cut at %u", cuts[0]);
		ret = chain_check(m, &want, frame + HDR_LEN);
		rte_pktmbuf_free(m);
		TEST_ASSERT_SUCCESS(ret, "two segments cut at %u", cuts[0]);
	}
	for (cuts[0] = 0; cuts[0] < HDR_LEN; cuts[0]++) {
		for (cuts[1] = cuts[0]; cuts[1] <= HDR_LEN + 1; cuts[1]++) {
			m = exact_chain(frame, BASE_FRAME_LEN, cuts, 2);
			TEST_ASSERT_NOT_NULL(m, "chain cut at %u, %u", cuts[0],
				cuts[1]);
			ret = chain_check(m, &want, frame + HDR_LEN);
			rte_pktmbuf_free(m);
			TEST_ASSERT_SUCCESS(ret, "three segments cut at %u, %u",
				cuts[0], cuts[1]);
		}
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* Set pkt_len and nb_segs, check for QOSDT_MSG_ERR_MBUF, restore them. */
static int
lie_check(struct rte_mbuf *m, uint32_t pkt_len, uint16_t nb_segs)
{
	uint32_t true_pkt_len = m->pkt_len;
	uint16_t true_nb_segs = m->nb_segs;
	struct qosdt_msg msg;
	int ret;

	m->pkt_len = pkt_len;
	m->nb_segs = nb_segs;
	ret = verdict_check(m, QOSDT_MSG_ERR_MBUF, &msg);
	m->pkt_len = true_pkt_len;
	m->nb_segs = true_nb_segs;
	return ret;
}

/* Mbufs whose pkt_len or nb_segs disagree with their segments. */
static int
test_lying_mbufs(void)
{
	static const uint32_t cut_20[] = { 20 };
	static const uint32_t cut_20_50[] = { 20, 50 };
	uint8_t frame[BASE_FRAME_LEN];
	struct qosdt_msg msg;
	struct rte_mbuf *m;
	int ret;

	TEST_ASSERT_SUCCESS(base_frame(frame), "base frame");
	TEST_ASSERT_EQUAL(qosdt_msg_parse(NULL, &msg), QOSDT_MSG_ERR_MBUF,
		"NULL mbuf");
	TEST_ASSERT_EQUAL(qosdt_msg_service_id(NULL), -1, "NULL mbuf");

	/* Part of the header in a lone segment; pkt_len claims it all. */
	m = exact_seg(frame, 20);
	TEST_ASSERT_NOT_NULL(m, "exact frame");
	ret = lie_check(m, BASE_FRAME_LEN, 1);
	rte_pktmbuf_free(m);
	TEST_ASSERT_SUCCESS(ret, "20 bytes claiming %u", BASE_FRAME_LEN);

	/* The header only; pkt_len claims the payload its length names. */
	m = exact_seg(frame, HDR_LEN);
	TEST_ASSERT_NOT_NULL(m, "exact frame");
	ret = lie_check(m, BASE_FRAME_LEN, 1);
	rte_pktmbuf_free(m);
	TEST_ASSERT_SUCCESS(ret, "header alone claiming %u", BASE_FRAME_LEN);

	/* A chain shorter than pkt_len: reading on would leave the chain. */
	m = exact_chain(frame, 50, cut_20, 1);
	TEST_ASSERT_NOT_NULL(m, "chain");
	ret = lie_check(m, 1000, 2);
	if (ret == TEST_SUCCESS)
		ret = lie_check(m, UINT32_MAX, 2);
	rte_pktmbuf_free(m);
	TEST_ASSERT_SUCCESS(ret, "50 bytes in 2 segments claiming more");

	/* A chain longer than pkt_len, and wrong segment counts. */
	m = exact_chain(frame, BASE_FRAME_LEN, cut_20_50, 2);
	TEST_ASSERT_NOT_NULL(m, "chain");
	ret = lie_check(m, BASE_FRAME_LEN - 1, 3);
	if (ret == TEST_SUCCESS)
		ret = lie_check(m, 10, 3);
	if (ret == TEST_SUCCESS)
		ret = lie_check(m, 0, 3);
	if (ret == TEST_SUCCESS)
		ret = lie_check(m, BASE_FRAME_LEN, 2);
	if (ret == TEST_SUCCESS)
		ret = lie_check(m, BASE_FRAME_LEN, 4);
	if (ret == TEST_SUCCESS)
		ret = verdict_check(m, QOSDT_MSG_OK, &msg);
	rte_pktmbuf_free(m);
	TEST_ASSERT_SUCCESS(ret, "%u bytes in 3 segments", BASE_FRAME_LEN);
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_build_refusals(void)
{
	static uint8_t payload[UINT16_MAX];
	struct qosdt_msg msg = msg_sample(0);
	struct rte_mbuf *m, *clone;
	uint16_t room;

	m = rte_pktmbuf_alloc(pool);
	TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
	room = rte_pktmbuf_tailroom(m);

	msg.length = room - HDR_LEN + 1;
	TEST_ASSERT_EQUAL(qosdt_msg_build(m, NULL, NULL, &msg, payload),
		-ENOSPC, "%u-byte frame in %u bytes of room",
		HDR_LEN + msg.length, room);
	msg.length = UINT32_MAX;
	TEST_ASSERT_EQUAL(qosdt_msg_build(m, NULL, NULL, &msg, payload),
		-ENOSPC, "length 2^32 - 1");
	msg.length = UINT32_MAX - HDR_LEN + 1;
	TEST_ASSERT_EQUAL(qosdt_msg_build(m, NULL, NULL, &msg, payload),
		-ENOSPC, "length whose frame size wraps to 0 in 32 bits");
	TEST_ASSERT(m->pkt_len == 0 && m->data_len == 0,
		"a refused build changed the mbuf");

	msg.length = 3;
	TEST_ASSERT_EQUAL(qosdt_msg_build(m, NULL, NULL, &msg, NULL), -EINVAL,
		"NULL payload of 3 bytes");
	TEST_ASSERT_EQUAL(qosdt_msg_build(m, NULL, NULL, NULL, payload),
		-EINVAL, "NULL message");
	TEST_ASSERT_EQUAL(qosdt_msg_build(NULL, NULL, NULL, &msg, payload),
		-EINVAL, "NULL mbuf");
	TEST_ASSERT(m->pkt_len == 0 && m->data_len == 0,
		"a refused build changed the mbuf");

	/* A shared buffer: writing would change the other mbuf's data. */
	clone = rte_pktmbuf_clone(m, pool);
	TEST_ASSERT_NOT_NULL(clone, "clone");
	TEST_ASSERT_EQUAL(qosdt_msg_build(clone, NULL, NULL, &msg, payload),
		-EINVAL, "build into a clone");
	TEST_ASSERT_EQUAL(qosdt_msg_build(m, NULL, NULL, &msg, payload),
		-EINVAL, "build into a cloned mbuf");
	rte_pktmbuf_free(clone);

	TEST_ASSERT_SUCCESS(qosdt_msg_build(m, NULL, NULL, &msg, payload),
		"build");
	TEST_ASSERT_EQUAL(qosdt_msg_build(m, NULL, NULL, &msg, payload),
		-EINVAL, "build into a non-empty mbuf");
	TEST_ASSERT_EQUAL(m->pkt_len, HDR_LEN + 3, "second build changed it");
	rte_pktmbuf_free(m);
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/*
 * The lib's own request and reply: a request built with room for its
 * payload, filled in place; the request id and result read and written
 * through the accessors; the request turned into its reply in place,
 * shorter, longer and as long, and what it refuses.
 */
static int
test_request_reply_in_place(void)
{
	static const uint32_t reply_lens[] = { 0, 5, BASE_PAYLOAD, 1000 };
	struct qosdt_msg want = msg_sample(0), got;
	struct rte_mbuf *m, *clone;
	uint8_t body[1000];
	unsigned int i;

	for (i = 0; i < RTE_DIM(reply_lens); i++) {
		m = rte_pktmbuf_alloc(pool);
		TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
		want.flags = QOSDT_MSG_F_REPLY;   /* a request, whatever it says */
		want.result = QOSDT_RESULT_FAIL;
		want.length = BASE_PAYLOAD;
		TEST_ASSERT_SUCCESS(qosdt_msg_build_request(m, &src_mac,
			&dst_mac, &want), "build request");
		TEST_ASSERT_EQUAL(m->data_len, HDR_LEN + BASE_PAYLOAD,
			"request frame");
		payload_fill(qosdt_msg_payload_rw(m), BASE_PAYLOAD, 7);
		TEST_ASSERT_SUCCESS(verdict_check(m, QOSDT_MSG_OK, &got), "");
		TEST_ASSERT(got.flags == 0 && got.result == QOSDT_RESULT_NONE &&
			got.length == BASE_PAYLOAD &&
			got.request_id == want.request_id &&
			got.service_id == want.service_id,
			"request header: flags %u result %u length %u",
			got.flags, got.result, got.length);
		TEST_ASSERT_EQUAL(qosdt_msg_request_id(m), want.request_id,
			"request id accessor");
		qosdt_msg_set_request_id(m, want.request_id + 1);
		TEST_ASSERT_EQUAL(qosdt_msg_request_id(m), want.request_id + 1,
			"request id written");

		payload_fill(body, reply_lens[i], 9);
		TEST_ASSERT(qosdt_msg_reply_room(m) >= reply_lens[i], "room");
		memcpy(qosdt_msg_payload_rw(m), body, reply_lens[i]);
		TEST_ASSERT_SUCCESS(qosdt_msg_make_reply(m, &dst_mac,
			QOSDT_RESULT_SUCCESS, reply_lens[i]), "reply of %u",
			reply_lens[i]);
		TEST_ASSERT_SUCCESS(verdict_check(m, QOSDT_MSG_OK, &got), "");
		TEST_ASSERT(m->data_len == HDR_LEN + reply_lens[i] &&
			got.length == reply_lens[i] &&
			(got.flags & QOSDT_MSG_F_REPLY) &&
			got.result == QOSDT_RESULT_SUCCESS &&
			qosdt_msg_result(m) == QOSDT_RESULT_SUCCESS &&
			got.request_id == want.request_id + 1 &&
			got.service_id == want.service_id &&
			got.timestamp_ns == want.timestamp_ns,
			"reply of %u: data_len %u length %u flags %u result %u",
			reply_lens[i], m->data_len, got.length, got.flags,
			got.result);
		TEST_ASSERT(rte_is_same_ether_addr(&rte_pktmbuf_mtod(m,
			struct rte_ether_hdr *)->dst_addr, &src_mac) &&
			rte_is_same_ether_addr(&rte_pktmbuf_mtod(m,
			struct rte_ether_hdr *)->src_addr, &dst_mac),
			"addresses not swapped");
		TEST_ASSERT_SUCCESS(memcmp(qosdt_msg_payload(m), body,
			reply_lens[i]), "reply payload");
		qosdt_msg_set_result(m, QOSDT_RESULT_NOT_EXIST);
		TEST_ASSERT_EQUAL(qosdt_msg_result(m), QOSDT_RESULT_NOT_EXIST,
			"result written");
		rte_pktmbuf_free(m);
	}

	/* Refusals leave the frame as it was. */
	m = rte_pktmbuf_alloc(pool);
	TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
	want.length = rte_pktmbuf_tailroom(m) - HDR_LEN + 1;
	TEST_ASSERT_EQUAL(qosdt_msg_build_request(m, NULL, NULL, &want),
		-ENOSPC, "request larger than the buffer");
	TEST_ASSERT_EQUAL(qosdt_msg_build_request(m, NULL, NULL, NULL),
		-EINVAL, "NULL message");
	want.length = 10;
	TEST_ASSERT_SUCCESS(qosdt_msg_build_request(m, NULL, NULL, &want),
		"request");
	TEST_ASSERT_EQUAL(qosdt_msg_build_request(m, NULL, NULL, &want),
		-EINVAL, "request into a non-empty mbuf");
	TEST_ASSERT_EQUAL(qosdt_msg_make_reply(m, NULL, QOSDT_RESULT_SUCCESS,
		qosdt_msg_reply_room(m) + 1), -ENOSPC, "reply beyond the room");
	clone = rte_pktmbuf_clone(m, pool);
	TEST_ASSERT_NOT_NULL(clone, "clone");
	TEST_ASSERT_EQUAL(qosdt_msg_make_reply(m, NULL, QOSDT_RESULT_SUCCESS,
		0), -EINVAL, "reply in a shared buffer");
	rte_pktmbuf_free(clone);
	TEST_ASSERT_EQUAL(qosdt_msg_make_reply(NULL, NULL, 0, 0), -EINVAL,
		"NULL mbuf");
	TEST_ASSERT_SUCCESS(verdict_check(m, QOSDT_MSG_OK, &got), "");
	TEST_ASSERT(got.length == 10 && got.flags == 0 && m->data_len == HDR_LEN + 10,
		"a refused reply changed the frame");
	rte_pktmbuf_free(m);
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_strerror(void)
{
	static const int codes[NB_VERDICTS] = { QOSDT_MSG_OK,
		QOSDT_MSG_ERR_SHORT, QOSDT_MSG_ERR_ETHERTYPE,
		QOSDT_MSG_ERR_VERSION, QOSDT_MSG_ERR_LENGTH,
		QOSDT_MSG_ERR_MBUF };
	const char *unknown = qosdt_msg_strerror(INT_MIN);
	unsigned int i, j;

	TEST_ASSERT(strcmp(qosdt_msg_strerror(1), unknown) == 0 &&
		strcmp(qosdt_msg_strerror(-6), unknown) == 0,
		"values out of the enum are not all \"%s\"", unknown);
	for (i = 0; i < RTE_DIM(codes); i++) {
		TEST_ASSERT(qosdt_msg_strerror(codes[i])[0] != '\0' &&
			strcmp(qosdt_msg_strerror(codes[i]), unknown) != 0,
			"code %d has no name", codes[i]);
		for (j = 0; j < i; j++)
			TEST_ASSERT(strcmp(qosdt_msg_strerror(codes[i]),
				qosdt_msg_strerror(codes[j])) != 0,
				"codes %d and %d share a name", codes[i],
				codes[j]);
	}
	return TEST_SUCCESS;
}

/*
 * The verdict on frame bytes b[0..len), decoded by hand from the
 * documented layout; fills *msg when valid.
 */
static int
oracle_verdict(const uint8_t *b, uint32_t len, struct qosdt_msg *msg)
{
	uint32_t length;

	if (len < 40)
		return QOSDT_MSG_ERR_SHORT;
	if (get_be(b + 12, 2) != 0x88B5)
		return QOSDT_MSG_ERR_ETHERTYPE;
	if (b[14] != 1)
		return QOSDT_MSG_ERR_VERSION;
	length = (uint32_t)get_be(b + 20, 4);
	if (40 + (uint64_t)length > len)
		return QOSDT_MSG_ERR_LENGTH;
	msg->flags = b[15];
	msg->service_id = (uint16_t)get_be(b + 16, 2);
	msg->result = b[18];
	msg->length = length;
	msg->request_id = get_be(b + 24, 8);
	msg->timestamp_ns = get_be(b + 32, 8);
	return QOSDT_MSG_OK;
}

/* Index of a verdict in the fuzz's tally. */
static unsigned int
verdict_index(int verdict)
{
	return (unsigned int)-verdict;
}

/* One fuzzed frame: the mutations of bytes[0..*len), in place. */
static void
fuzz_mutate(uint8_t *bytes, uint32_t *len)
{
	unsigned int flips = 1 + rte_rand_max(4);
	uint32_t pos, lengths[7];

	while (flips-- > 0) {
		pos = rte_rand_max(4) != 0 ? rte_rand_max(HDR_LEN) :
			rte_rand_max(*len);
		bytes[pos] ^= (uint8_t)(1 + rte_rand_max(255));
	}
	if (rte_rand_max(4) == 0) {
		lengths[0] = 0;
		lengths[1] = *len - HDR_LEN - 1;
		lengths[2] = *len - HDR_LEN;
		lengths[3] = *len - HDR_LEN + 1;
		lengths[4] = UINT32_MAX;
		lengths[5] = UINT32_MAX - HDR_LEN + 1;
		lengths[6] = (uint32_t)rte_rand();
		put_be(bytes + 20, 4, lengths[rte_rand_max(RTE_DIM(lengths))]);
	}
	if (rte_rand_max(4) == 0)
		*len = (uint32_t)rte_rand_max(*len + 1);
}

/* Ascending cuts of a len-byte frame into 1 to 3 segments. */
static unsigned int
fuzz_cuts(uint32_t len, uint32_t *cuts)
{
	unsigned int nb_cuts = rte_rand_max(3);
	uint32_t tmp;

	cuts[0] = (uint32_t)rte_rand_max(len + 1);
	cuts[1] = (uint32_t)rte_rand_max(len + 1);
	if (cuts[0] > cuts[1]) {
		tmp = cuts[0];
		cuts[0] = cuts[1];
		cuts[1] = tmp;
	}
	return nb_cuts;
}

/*
 * Check one fuzzed chain holding bytes[0..len): against the oracle, or
 * against QOSDT_MSG_ERR_MBUF after making pkt_len lie.
 */
static int
fuzz_check(struct rte_mbuf *m, const uint8_t *bytes, uint32_t len,
		int *verdict)
{
	struct qosdt_msg want, got;
	const uint8_t *p;

	if (rte_rand_max(8) == 0) {
		*verdict = QOSDT_MSG_ERR_MBUF;
		return lie_check(m, len == 0 || rte_rand_max(2) == 0 ?
			len + 1 + (uint32_t)rte_rand_max(4096) :
			(uint32_t)rte_rand_max(len), m->nb_segs);
	}
	*verdict = oracle_verdict(bytes, len, &want);
	TEST_ASSERT_SUCCESS(verdict_check(m, *verdict, &got), "verdict");
	if (*verdict != QOSDT_MSG_OK)
		return TEST_SUCCESS;
	TEST_ASSERT_SUCCESS(msg_compare(&got, &want), "fields");
	p = qosdt_msg_payload(m);
	if (HDR_LEN + (uint64_t)got.length <= m->data_len)
		TEST_ASSERT(p == rte_pktmbuf_mtod_offset(m, uint8_t *,
			HDR_LEN), "payload not in place");
	else
		TEST_ASSERT_NULL(p, "payload crossing segments in place");
	return TEST_SUCCESS;
}

/*
 * Deterministic byte-flip fuzz of a valid frame with padding: flips
 * mostly in the header, forced payload lengths, truncation, 1 to 3
 * segments, and lying pkt_len. Parse must never crash, never read past a
 * segment (ASan build), and agree with the oracle every time.
 */
static int
test_fuzz(void)
{
	uint8_t base[BASE_FRAME_LEN + FUZZ_PADDING], frame[sizeof(base)];
	unsigned int tally[NB_VERDICTS] = { 0 };
	unsigned int round, nb_cuts, i;
	uint32_t len, cuts[2];
	struct rte_mbuf *m;
	int verdict, ret;

	TEST_ASSERT_SUCCESS(base_frame(base), "base frame");
	memset(base + BASE_FRAME_LEN, 0, FUZZ_PADDING);
	rte_srand(FUZZ_SEED);
	for (round = 0; round < FUZZ_ROUNDS; round++) {
		memcpy(frame, base, sizeof(base));
		len = sizeof(base);
		fuzz_mutate(frame, &len);
		nb_cuts = fuzz_cuts(len, cuts);
		m = exact_chain(frame, len, cuts, nb_cuts);
		TEST_ASSERT_NOT_NULL(m, "round %u: chain", round);
		ret = fuzz_check(m, frame, len, &verdict);
		rte_pktmbuf_free(m);
		TEST_ASSERT_SUCCESS(ret, "round %u: %u bytes in %u segments",
			round, len, nb_cuts + 1);
		tally[verdict_index(verdict)]++;
	}
	printf("fuzz verdicts over %u rounds:", FUZZ_ROUNDS);
	for (i = 0; i < NB_VERDICTS; i++)
		printf(" %s: %u;", qosdt_msg_strerror(-(int)i), tally[i]);
	printf("\n");
	for (i = 0; i < NB_VERDICTS; i++)
		TEST_ASSERT(tally[i] > 0, "the fuzz never produced \"%s\"",
			qosdt_msg_strerror(-(int)i));
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static struct unit_test_suite qos_msg_suite = {
	.suite_name = "qosdt message",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(case_setup, NULL, test_round_trip),
		TEST_CASE_ST(case_setup, NULL, test_default_addresses),
		TEST_CASE_ST(case_setup, NULL, test_byte_layout),
		TEST_CASE_ST(case_setup, NULL, test_unaligned_frame),
		TEST_CASE_ST(case_setup, NULL, test_short_frames),
		TEST_CASE_ST(case_setup, NULL, test_wrong_ethertype),
		TEST_CASE_ST(case_setup, NULL, test_wrong_version),
		TEST_CASE_ST(case_setup, NULL, test_bad_length),
		TEST_CASE_ST(case_setup, NULL, test_padding),
		TEST_CASE_ST(case_setup, NULL, test_header_split),
		TEST_CASE_ST(case_setup, NULL, test_lying_mbufs),
		TEST_CASE_ST(case_setup, NULL, test_build_refusals),
		TEST_CASE_ST(case_setup, NULL, test_request_reply_in_place),
		TEST_CASE_ST(case_setup, NULL, test_strerror),
		TEST_CASE_ST(case_setup, NULL, test_fuzz),
		TEST_CASES_END()
	}
};

static int
test_qos_msg(void)
{
	return unit_test_suite_runner(&qos_msg_suite);
}

REGISTER_TEST_COMMAND(qos_msg_autotest, test_qos_msg);
