/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_debug.h>
#include <rte_mbuf.h>

#include <qosdt.h>
#include <qosdt_msg.h>

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
server_init(struct server *s, struct qosdt *q, struct pipeline_set *pipes,
		const struct rte_ether_addr *macs, double duration_s,
		volatile bool *finished, enum svc_semantics sem)
{
	unsigned int t;

	memset(s, 0, sizeof(*s));
	if (sem == SVC_SEMANTICS_HVISOR) {
		svc_hvisor_state_init(&s->hvisor_state);
		s->hvisor = &s->hvisor_state;
	}
	s->q = q;
	for (unsigned int c = 0; c < QOSDT_NB_CLASSES; c++)
		s->lossless[c] = qosdt_config_of(q)->classes[c].drop ==
			QOSDT_DROP_NONE;
	s->pipes = pipes;
	for (t = 0; t < pipes->n; t++) {
		s->mac[t] = macs[t];
		s->tenant_of_port[pipes->p[t].port_id] = t;
	}
	s->finished = finished;
	if (duration_s > 0)
		s->end_tsc = rte_get_tsc_cycles() +
			(uint64_t)(duration_s * rte_get_tsc_hz());
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


/*
 * Serve a request server_is_request() accepted; returns the result, or -1
 * if the frame cannot be turned into its reply (qosdt_msg_make_reply():
 * only a buffer shared with another mbuf, which the RX path never hands
 * over).
 */
static int
serve_request(struct rte_mbuf *m, const struct qosdt_msg *msg,
		const struct rte_ether_addr *mac, struct svc_hvisor_state *hvisor)
{
	uint32_t out_len = 0;
	uint8_t result;
	uint8_t *payload;

	/* One segment holding header and payload (parse checked the length);
	 * the reply is written over the payload, in the same buffer, at most
	 * qosdt_msg_reply_room() bytes. */
	payload = qosdt_msg_payload_rw(m);
	if (hvisor != NULL)
		result = serve_hvisor(hvisor, msg->service_id, payload,
			msg->length, &out_len);
	else
		result = serve_binary(msg->service_id, payload, msg->length,
			qosdt_msg_reply_room(m), &out_len);
	if (qosdt_msg_make_reply(m, mac, result, out_len) != 0)
		return -1;
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
	int rc;

	if (!server_is_request(m, &msg))
		return -1;
	payload = qosdt_msg_payload_rw(m);
	if (dedup_begin(d, msg.request_id, msg.service_id, payload, msg.length,
			&slot) == DEDUP_REPLAY) {
		kept = dedup_reply(d, slot, &result, &len);
		if (len > qosdt_msg_reply_room(m)) {
			/* A buffer smaller than the one served: cannot be
			 * with one pool per class, answered as no room. */
			result = QOSDT_RESULT_FAIL;
			len = 0;
		}
		memcpy(payload, kept, len);
		if (qosdt_msg_make_reply(m, mac, result, len) != 0)
			return -1;
		return result;
	}
	rc = serve_request(m, &msg, mac, hvisor);
	if (rc < 0)
		return -1;
	/* Kept before the reply is handed on: a death before this line
	 * leaves the slot "being served" and no reply out (DEDUP_REDO). */
	dedup_done(d, slot, (uint8_t)rc, payload,
		rte_pktmbuf_data_len(m) - QOSDT_FRAME_HDR_LEN);
	return rc;
}

void
server_set_dedup(struct server *s, unsigned int tenant, struct dedup *d)
{
	RTE_VERIFY(tenant < QOSDT_MAX_TENANTS);
	s->dedup[tenant] = d;
}

void
server_fini(struct server *s)
{
	unsigned int cls, t;

	for (t = 0; t < QOSDT_MAX_TENANTS; t++)
		for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
			pipeline_held_free(&s->held[t][cls]);
}

/*
 * Admit class cls's requests of tenant t: first those held back, then its
 * ring. A class whose replies the peer is not taking is left in its ring:
 * the backpressure goes back to that client, per class.
 */
static unsigned int
server_admit(struct server *s, unsigned int t, unsigned int cls)
{
	struct pipeline_held *held = &s->held[t][cls];
	struct pipeline *pipe = &s->pipes->p[t];
	uint16_t n, k;

	if (pipeline_tx_depth(pipe, cls) >= PIPELINE_TX_BACKLOG)
		return 0;
	if (held->n > 0) {
		n = held->n;
		pipeline_held_retry(s->q, t, held);
		return n - held->n;
	}
	n = rte_ring_sc_dequeue_burst(pipe->rx_ring[cls],
		(void **)held->pkts, PIPELINE_BURST, NULL);
	if (n == 0)
		return 0;
	if (unlikely(hop_trace_on))
		for (k = 0; k < n; k++)
			hop_trace_stamp(held->pkts[k], cls, HOP_SERVER_ADMIT);
	k = qosdt_enqueue_tenant_burst(s->q, t, held->pkts, n);
	memmove(held->pkts, held->pkts + k, (n - k) * sizeof(held->pkts[0]));
	held->n = n - k;
	return n;
}

unsigned int
server_stage_worker(void *arg)
{
	struct server *s = arg;
	struct rte_mbuf *pkts[PIPELINE_BURST];
	struct qosdt_counters qc;
	unsigned int work = 0, cls, room = UINT_MAX, i, t;
	uint16_t n;

	for (t = 0; t < s->pipes->n; t++)
		for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
			work += server_admit(s, t, cls);
	qosdt_counters_read(s->q, &qc);
	__atomic_store_n(&s->malformed, qc.malformed, __ATOMIC_RELAXED);

	/* A reply may leave by any port: room on every TX ring. */
	for (t = 0; t < s->pipes->n; t++)
		room = RTE_MIN(room, rte_ring_free_count(s->pipes->p[t].tx_ring));
	n = qosdt_dequeue_burst(s->q, pkts, RTE_MIN(room, (unsigned int)SERVER_BURST));
	for (i = 0; i < n; i++) {
		unsigned int q = qosdt_mbuf_meta(pkts[i])->cls;
		int rc;

		/* It leaves by the port it came in by: its tenant's. */
		t = s->tenant_of_port[pkts[i]->port];
		if (unlikely(hop_trace_on))
			hop_trace_stamp(pkts[i], q, HOP_SERVER_SCHED);
		rc = s->dedup[t] != NULL && q < QOSDT_NB_CLASSES &&
				s->lossless[q] ?
			server_serve_once(pkts[i], &s->mac[t], s->hvisor,
				s->dedup[t]) :
			server_serve(pkts[i], &s->mac[t], s->hvisor);
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
		/* Single producer: the room counted is still there. */
		rte_ring_sp_enqueue(s->pipes->p[t].tx_ring, pkts[i]);
	}
	work += n;
	if (s->end_tsc != 0 && rte_get_tsc_cycles() >= s->end_tsc)
		*s->finished = true;
	return work;
}

/* One tenant's classes as its monitor saw them. */
static void
tenant_classes(const struct qosdt_stats *st, struct report_class *cls)
{
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		const struct qosdt_class_stats *cs = &st->cls[c];
		struct report_class *k = &cls[c];

		k->received = cs->rx_pkts;
		k->received_bytes = cs->rx_bytes;
		k->sent = cs->tx_pkts;
		k->sent_bytes = cs->tx_bytes;
		k->dropped = cs->drop_pkts;
		report_class_monitored(k, cs);
		k->sched_latency = cs->latency;
	}
}

/* Add a tenant's class into the all-tenant one: counts summed, the
 * latency of the tenant with the highest p99 kept. */
static void
class_add(struct report_class *all, const struct report_class *k)
{
	all->received += k->received;
	all->received_bytes += k->received_bytes;
	all->sent += k->sent;
	all->sent_bytes += k->sent_bytes;
	all->dropped += k->dropped;
	all->latency_violations += k->latency_violations;
	all->slo_violations = RTE_MAX(all->slo_violations, k->slo_violations);
	all->window_mbps += k->window_mbps;
	all->slo_met = all->slo_met && k->slo_met;
	if (k->latency.p99_ns >= all->latency.p99_ns) {
		all->latency = k->latency;
		all->sched_latency = k->sched_latency;
	}
	if (k->window_latency.p99_ns >= all->window_latency.p99_ns)
		all->window_latency = k->window_latency;
}

void
server_report(const struct server *s, struct report *r)
{
	uint32_t nb = qosdt_nb_tenants(s->q), t;
	struct qosdt_stats st;
	unsigned int c;

	r->malformed = __atomic_load_n(&s->malformed, __ATOMIC_RELAXED) +
		__atomic_load_n(&s->refused, __ATOMIC_RELAXED);
	if (nb == 1) {
		qosdt_stats_read(s->q, &st);
		tenant_classes(&st, r->cls);
	} else {
		r->nb_tenants = nb;
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			r->cls[c] = (struct report_class){ .slo_met = true,
				.weight = r->cls[c].weight,
				.guarantee_bps = r->cls[c].guarantee_bps };
		for (t = 0; t < nb; t++) {
			qosdt_tenant_stats_read(s->q, t, &st);
			r->tenants[t].name = qosdt_tenant_name(s->q, t);
			tenant_classes(&st, r->tenants[t].cls);
			for (c = 0; c < QOSDT_NB_CLASSES; c++)
				class_add(&r->cls[c], &r->tenants[t].cls[c]);
		}
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		r->cls[c].bad_replies = __atomic_load_n(&s->failed[c],
			__ATOMIC_RELAXED);
}
