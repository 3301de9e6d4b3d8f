/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <qosdt.h>
#include <qosdt_mbuf.h>

#include "app_log.h"
#include "server.h"
#include "services.h"

/*
 * Requests served per turn: few, so that a realtime request arriving
 * behind a turn of bulk hashing (about 2 us per 1400-byte djb2 or FNV)
 * waits microseconds, not tens of them. The scheduler hands out the
 * highest class first at every turn.
 */
#define SERVER_BURST 2

void
server_init(struct server *s, struct qosdt *q, struct pipeline *pipe,
		const struct rte_ether_addr *mac, double duration_s,
		volatile bool *quit, enum svc_semantics sem)
{
	memset(s, 0, sizeof(*s));
	if (sem == SVC_SEMANTICS_HVISOR) {
		svc_hvisor_state_init(&s->hvisor_state);
		s->hvisor = &s->hvisor_state;
	}
	s->q = q;
	for (unsigned int c = 0; c < QOSDT_NB_CLASSES; c++)
		s->lossless[c] = qosdt_config_of(q)->classes[c].drop ==
			QOSDT_DROP_NONE;
	s->pipe = pipe;
	s->mac = *mac;
	s->quit = quit;
	if (duration_s > 0)
		s->end_tsc = rte_get_tsc_cycles() +
			(uint64_t)(duration_s * rte_get_tsc_hz());
}

/* Make the frame hold exactly 40 + len bytes, in its first segment. */
static int
frame_set_payload_len(struct rte_mbuf *m, uint32_t len)
{
	uint32_t want = QOSDT_FRAME_HDR_LEN + len;
	uint32_t have = rte_pktmbuf_data_len(m);

	if (want > have)
		return rte_pktmbuf_append(m, want - have) == NULL ? -1 : 0;
	return rte_pktmbuf_trim(m, have - want);
}

/* The binary semantics: the reply is the service's output, into the room
 * the buffer has. Sets *out_len; returns the result. */
static uint8_t
serve_binary(uint16_t id, uint8_t *payload, uint32_t len, uint32_t cap,
		uint32_t *out_len)
{
	switch (svc_run(id, payload, len, payload, cap, out_len)) {
	case 0:
		return QOSDT_RESULT_SUCCESS;
	case -ENOENT:
		*out_len = 0;
		return QOSDT_RESULT_NOT_EXIST;
	default:
		*out_len = 0;
		return QOSDT_RESULT_FAIL;
	}
}

/* The original's semantics: in place, the length unchanged. */
static uint8_t
serve_hvisor(struct svc_hvisor_state *st, uint16_t id, uint8_t *payload,
		uint32_t len, uint32_t *out_len)
{
	*out_len = len;
	return svc_hvisor_run(st, id, payload, len) == 0 ?
		QOSDT_RESULT_SUCCESS : QOSDT_RESULT_NOT_EXIST;
}

/* A request server_serve() takes: one segment, a valid message, no reply
 * flag, no result. */
static bool
server_is_request(const struct rte_mbuf *m, struct qosdt_msg *msg)
{
	return m->nb_segs == 1 && qosdt_msg_parse(m, msg) == QOSDT_MSG_OK &&
		!(msg->flags & QOSDT_MSG_F_REPLY) &&
		msg->result == QOSDT_RESULT_NONE;
}

/* Room for the reply's payload in the request's buffer. */
static uint32_t
frame_payload_room(const struct rte_mbuf *m)
{
	return rte_pktmbuf_data_len(m) - QOSDT_FRAME_HDR_LEN +
		rte_pktmbuf_tailroom(m);
}

/* Turn the request (its payload already rewritten) into the reply: out_len
 * bytes of payload (at most frame_payload_room()), the addresses swapped. */
static void
frame_make_reply(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		uint8_t result, uint32_t out_len)
{
	struct qosdt_frame_hdr *h;

	/* Cannot fail: 40 + out_len <= data_len + tailroom. */
	frame_set_payload_len(m, out_len);
	h = rte_pktmbuf_mtod(m, struct qosdt_frame_hdr *);
	rte_ether_addr_copy(&h->eth.src_addr, &h->eth.dst_addr);
	rte_ether_addr_copy(mac, &h->eth.src_addr);
	h->msg.flags |= QOSDT_MSG_F_REPLY;
	h->msg.result = result;
	h->msg.length = rte_cpu_to_be_32(out_len);
}

/* Serve a request server_is_request() accepted; returns the result. */
static uint8_t
serve_request(struct rte_mbuf *m, const struct qosdt_msg *msg,
		const struct rte_ether_addr *mac, struct svc_hvisor_state *hvisor)
{
	uint32_t out_len = 0;
	uint8_t result;
	uint8_t *payload;

	/* One segment holding header and payload (parse checked the length);
	 * the reply is written over the payload, in the same buffer. */
	payload = rte_pktmbuf_mtod_offset(m, uint8_t *, QOSDT_FRAME_HDR_LEN);
	if (hvisor != NULL)
		result = serve_hvisor(hvisor, msg->service_id, payload,
			msg->length, &out_len);
	else
		result = serve_binary(msg->service_id, payload, msg->length,
			frame_payload_room(m), &out_len);
	frame_make_reply(m, mac, result, out_len);
	return result;
}

int
server_serve(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		struct svc_hvisor_state *hvisor)
{
	struct qosdt_msg msg;

	if (!server_is_request(m, &msg))
		return -1;
	return serve_request(m, &msg, mac, hvisor);
}

int
server_serve_once(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		struct svc_hvisor_state *hvisor, struct dedup *d)
{
	struct qosdt_msg msg;
	const uint8_t *kept;
	uint32_t slot, len;
	uint8_t *payload;
	uint8_t result;

	if (!server_is_request(m, &msg))
		return -1;
	payload = rte_pktmbuf_mtod_offset(m, uint8_t *, QOSDT_FRAME_HDR_LEN);
	if (dedup_begin(d, msg.request_id, msg.service_id, payload, msg.length,
			&slot) == DEDUP_REPLAY) {
		kept = dedup_reply(d, slot, &result, &len);
		if (len > frame_payload_room(m)) {
			/* A buffer smaller than the one served: cannot be
			 * with one pool per class, answered as no room. */
			result = QOSDT_RESULT_FAIL;
			len = 0;
		}
		memcpy(payload, kept, len);
		frame_make_reply(m, mac, result, len);
		return result;
	}
	result = serve_request(m, &msg, mac, hvisor);
	/* Kept before the reply is handed on: a death before this line
	 * leaves the slot "being served" and no reply out (DEDUP_REDO). */
	dedup_done(d, slot, result, payload,
		rte_pktmbuf_data_len(m) - QOSDT_FRAME_HDR_LEN);
	return result;
}

void
server_set_dedup(struct server *s, struct dedup *d)
{
	s->dedup = d;
}

void
server_fini(struct server *s)
{
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		pipeline_held_free(&s->held[cls]);
}

/*
 * Admit class cls's requests: first those held back, then its ring. A
 * class whose replies the peer is not taking is left in its ring: the
 * backpressure goes back to the client, per class.
 */
static unsigned int
server_admit(struct server *s, unsigned int cls)
{
	struct pipeline_held *held = &s->held[cls];
	uint16_t n, k;

	if (pipeline_tx_depth(s->pipe, cls) >= PIPELINE_TX_BACKLOG)
		return 0;
	if (held->n > 0) {
		n = held->n;
		pipeline_held_retry(s->q, held);
		return n - held->n;
	}
	n = rte_ring_sc_dequeue_burst(s->pipe->rx_ring[cls],
		(void **)held->pkts, PIPELINE_BURST, NULL);
	if (n == 0)
		return 0;
	if (unlikely(hop_trace_on))
		for (k = 0; k < n; k++)
			hop_trace_stamp(held->pkts[k], cls, HOP_SERVER_ADMIT);
	k = qosdt_enqueue_burst(s->q, held->pkts, n);
	memmove(held->pkts, held->pkts + k, (n - k) * sizeof(held->pkts[0]));
	held->n = n - k;
	return n;
}

unsigned int
server_stage_worker(void *arg)
{
	struct server *s = arg;
	struct rte_mbuf *pkts[PIPELINE_BURST], *ok[PIPELINE_BURST];
	struct qosdt_counters qc;
	unsigned int work = 0, cls, room, i, nb_ok = 0;
	uint16_t n;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		work += server_admit(s, cls);
	qosdt_counters_read(s->q, &qc);
	__atomic_store_n(&s->malformed, qc.malformed, __ATOMIC_RELAXED);

	room = rte_ring_free_count(s->pipe->tx_ring);
	n = qosdt_dequeue_burst(s->q, pkts, RTE_MIN(room, (unsigned int)SERVER_BURST));
	for (i = 0; i < n; i++) {
		unsigned int q = qosdt_mbuf_meta(pkts[i])->cls;
		int rc;

		if (unlikely(hop_trace_on))
			hop_trace_stamp(pkts[i], q, HOP_SERVER_SCHED);
		rc = s->dedup != NULL && q < QOSDT_NB_CLASSES && s->lossless[q] ?
			server_serve_once(pkts[i], &s->mac, s->hvisor, s->dedup) :
			server_serve(pkts[i], &s->mac, s->hvisor);
		if (unlikely(hop_trace_on))
			hop_trace_stamp(pkts[i], q, HOP_SERVER_SERVED);

		if (rc < 0) {
			__atomic_store_n(&s->refused, s->refused + 1,
				__ATOMIC_RELAXED);
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		if (rc == QOSDT_RESULT_FAIL) {
			cls = qosdt_mbuf_meta(pkts[i])->cls;
			cls %= QOSDT_NB_CLASSES;
			__atomic_store_n(&s->failed[cls], s->failed[cls] + 1,
				__ATOMIC_RELAXED);
		}
		ok[nb_ok++] = pkts[i];
	}
	if (nb_ok > 0)
		rte_ring_sp_enqueue_burst(s->pipe->tx_ring, (void **)ok, nb_ok,
			NULL);
	work += n;
	if (s->end_tsc != 0 && rte_get_tsc_cycles() >= s->end_tsc)
		*s->quit = true;
	return work;
}

void
server_report(const struct server *s, struct report *r)
{
	struct qosdt_stats st;
	unsigned int c;

	qosdt_stats_read(s->q, &st);
	r->malformed = __atomic_load_n(&s->malformed, __ATOMIC_RELAXED) +
		__atomic_load_n(&s->refused, __ATOMIC_RELAXED);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		const struct qosdt_class_stats *cs = &st.cls[c];
		struct report_class *k = &r->cls[c];

		k->received = cs->rx_pkts;
		k->received_bytes = cs->rx_bytes;
		k->sent = cs->tx_pkts;
		k->sent_bytes = cs->tx_bytes;
		k->dropped = cs->drop_pkts;
		k->bad_replies = __atomic_load_n(&s->failed[c], __ATOMIC_RELAXED);
		report_class_monitored(k, cs);
		k->sched_latency = cs->latency;
	}
}
