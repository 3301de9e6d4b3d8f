/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <qosdt.h>
#include <qosdt_msg.h>

#include "app_log.h"
#include "client.h"
#include "payload.h"

/*
 * Work per turn, small so that a turn (and a realtime message waiting on
 * it) stays a few microseconds long: requests generated (cheap: no
 * payload yet); requests released by the scheduler (each gets its payload
 * written); replies verified per class (a 1400-byte hash reply costs
 * about 2 us to verify), realtime's in full bursts.
 */
#define CLIENT_BURST 8
#define CLIENT_SEND_TURN 4
#define CLIENT_VERIFY_TURN 2

/*
 * The request table: a power of two at least twice the requests a
 * scenario can have open (its peak rate times its timeout), within bounds.
 */
#define CLIENT_MIN_REQS (1u << 16)
#define CLIENT_MAX_REQS (1u << 22)

/*
 * The link (the peer's liveness, doc/shm_region.md) is looked at every
 * millisecond: a link down lasts at least the peer timeout (50 ms), so none
 * is missed. Once it is back, the restarted server first answers the
 * requests it finds in the channel's rings; the lossless requests still
 * unanswered when it is done are those the dead one took with it, and they
 * are sent again. "Done": no reply to a request issued before the link
 * came back for CLIENT_RESEND_QUIET_MS and none waiting in our RX rings,
 * CLIENT_RESEND_GRACE_MS at the earliest, and at the latest half the
 * scenario's timeout (at most CLIENT_RESEND_LATEST_MS) after the link came
 * back. A request sent again
 * that was answered after all is harmless (the server answers the copy
 * from its dedup table) but costs the channel. A pass looks at
 * CLIENT_RESEND_SCAN table entries per turn (a turn stays short).
 */
#define CLIENT_LINK_POLL_US 1000
#define CLIENT_RESEND_GRACE_MS 20
#define CLIENT_RESEND_QUIET_MS 20
#define CLIENT_RESEND_LATEST_MS 100
#define CLIENT_RESEND_SCAN 512
/* How long lossless requests are held over an outage, by default. */
#define CLIENT_LINK_HOLD_S 10.0

/* Relaxed single-writer counter updates, readable from the stats tick. */
#define CNT_ADD(c, field, v) \
	__atomic_store_n(&(c)->field, (c)->field + (v), __ATOMIC_RELAXED)
#define CNT_GET(c, field) __atomic_load_n(&(c)->field, __ATOMIC_RELAXED)

/* Table size for sc, or 0 if it would need more than CLIENT_MAX_REQS. */
static uint32_t
client_table_size(const struct scenario *sc)
{
	double peak = 0, open;
	uint32_t p, f;

	for (p = 0; p < sc->nb_phases; p++) {
		double sum = 0;

		for (f = 0; f < sc->phases[p].nb_flows; f++)
			sum += sc->phases[p].flows[f].rate_pps;
		peak = RTE_MAX(peak, sum);
	}
	open = 2 * peak * sc->timeout_ns / 1e9;
	if (open > CLIENT_MAX_REQS) {
		APP_LOG(ERR, "scenario %s: timeout %.3f s x peak %.0f requests/s leaves up to %.0f requests open; at most %u can be tracked: shorten the timeout or lower the rate",
			sc->name, sc->timeout_ns / 1e9, peak, open / 2,
			CLIENT_MAX_REQS / 2);
		return 0;
	}
	return RTE_MAX(CLIENT_MIN_REQS, rte_align32pow2((uint32_t)open + 1));
}

/* Windows the run can close: the scenario, the drain after it, slack. */
static uint32_t
client_windows(const struct client *c)
{
	uint64_t window_ns = (uint64_t)qosdt_config_of(c->q)->window_ms * 1000000;
	uint64_t span = scenario_duration_ns(c->sc) + 2 * c->sc->timeout_ns;

	return (uint32_t)RTE_MIN(span / window_ns + 64, CLIENT_MAX_WINDOWS);
}

/*
 * One results entry per distinct service of the scenario, with its class
 * and latency objective from the classifier (looked up once, here), and
 * each flow's entry.
 */
static int
client_services_init(struct client *c)
{
	const struct scenario *sc = c->sc;
	uint32_t p, f;
	unsigned int i;

	c->svc = rte_zmalloc("qosdt_client_services",
		CLIENT_MAX_SERVICES * sizeof(c->svc[0]), RTE_CACHE_LINE_SIZE);
	if (c->svc == NULL) {
		APP_LOG(ERR, "client: out of memory for the per-service results");
		return -1;
	}
	for (p = 0; p < sc->nb_phases; p++) {
		for (f = 0; f < sc->phases[p].nb_flows; f++) {
			uint16_t id = sc->phases[p].flows[f].service_id;
			struct report_service *e;

			for (i = 0; i < c->nb_svc && c->svc[i].id != id; i++)
				;
			if (i == c->nb_svc) {
				if (i == CLIENT_MAX_SERVICES) {
					APP_LOG(ERR, "scenario %s: more than %u distinct services; at most %u are tracked",
						sc->name, CLIENT_MAX_SERVICES,
						CLIENT_MAX_SERVICES);
					return -1;
				}
				e = &c->svc[c->nb_svc++];
				e->id = id;
				e->cls = qosdt_service_class(c->q, id,
					&e->slo_ns);
			}
			c->flow_svc[p][f] = (uint8_t)i;
		}
	}
	return 0;
}

int
client_init(struct client *c, struct qosdt *q, struct pipeline *pipe,
		const struct rte_ether_addr *mac, const struct scenario *sc,
		volatile bool *finished)
{
	uint32_t nb_reqs;

	memset(c, 0, sizeof(*c));
	c->q = q;
	c->pipe = pipe;
	c->mac = *mac;
	c->sc = sc;
	c->finished = finished;
	c->generating = true;
	for (unsigned int cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		c->lossless[cls] = qosdt_config_of(q)->classes[cls].drop ==
			QOSDT_DROP_NONE;
	c->timeout_tsc = (uint64_t)((double)sc->timeout_ns * rte_get_tsc_hz() / 1e9);
	nb_reqs = client_table_size(sc);
	if (nb_reqs == 0)
		return -1;
	if (client_services_init(c) < 0)
		return -1;
	c->rtt = qosdt_monitor_create(qosdt_config_of(q), SOCKET_ID_ANY);
	c->reqs = rte_zmalloc("qosdt_client_reqs", nb_reqs * sizeof(c->reqs[0]),
		RTE_CACHE_LINE_SIZE);
	if (c->rtt == NULL || c->reqs == NULL ||
			window_log_init(&c->windows, client_windows(c)) < 0) {
		APP_LOG(ERR, "client: out of memory for %u tracked requests",
			nb_reqs);
		client_fini(c);
		return -1;
	}
	c->reqs_mask = nb_reqs - 1;
	/* The table is indexed by the low bits, all 0 in the base. */
	c->incarnation = req_id_incarnation_new();
	c->id_base = req_id_make(c->incarnation, 0);
	c->next_id = c->id_base + 1;
	c->oldest = c->next_id;
	c->link_up = true;
	client_set_link_hold(c, CLIENT_LINK_HOLD_S);
	return 0;
}

/* Big enough that the worker writes to the file rarely. */
#define CLIENT_LOG_BUFSIZE (1u << 20)

int
client_log_open(struct client *c, FILE *f)
{
	setvbuf(f, NULL, _IOFBF, CLIENT_LOG_BUFSIZE);
	c->msg_log = f;
	return fprintf(f, "# qosdt message log 1: dir request_id service "
		"service_name class result flags length timestamp_ns\n") < 0 ?
		-1 : 0;
}

/*
 * One line of the message log: a frame's header fields as the frame holds
 * them (parsed once by the caller), the service's name and its class under
 * the client's configuration. dir is "req" (handed to the channel) or
 * "rep" (taken from it).
 */
static void
client_log_msg(struct client *c, const char *dir, const struct qosdt_msg *msg)
{
	fprintf(c->msg_log, "%s %" PRIu64 " %u %s %s %u %u %u %" PRIu64 "\n",
		dir, msg->request_id, msg->service_id, svc_name(msg->service_id),
		qosdt_class_name(qosdt_service_class(c->q, msg->service_id,
			NULL)),
		msg->result, msg->flags, msg->length, msg->timestamp_ns);
}

void
client_set_link_hold(struct client *c, double seconds)
{
	c->hold_tsc = (uint64_t)(seconds * rte_get_tsc_hz());
}

void
client_fini(struct client *c)
{
	unsigned int cls;

	if (c->msg_log != NULL && fclose(c->msg_log) != 0)
		APP_LOG(ERR, "--msg-log: writing the log failed: %s",
			strerror(errno));
	c->msg_log = NULL;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		pipeline_held_free(&c->held[cls]);
	qosdt_monitor_free(c->rtt);
	c->rtt = NULL;
	rte_free(c->svc);
	c->svc = NULL;
	rte_free(c->reqs);
	c->reqs = NULL;
	window_log_free(&c->windows);
}

static inline uint64_t
tsc_to_ns(uint64_t tsc)
{
	return (uint64_t)((double)tsc * 1e9 / rte_get_tsc_hz());
}

static bool
all_in_set(const uint8_t *p, uint32_t n, bool digits)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint8_t ch = p[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				(digits && ch >= '0' && ch <= '9')))
			return false;
	}
	return true;
}

bool
client_reply_ok(struct client *c, const struct rte_mbuf *m,
		const struct qosdt_msg *msg, const struct req_entry *e)
{
	const uint8_t *got;
	uint32_t want_len;

	if (!(msg->flags & QOSDT_MSG_F_REPLY) ||
			msg->service_id != e->service_id)
		return false;
	if (!svc_exists(e->service_id))
		return msg->result == QOSDT_RESULT_NOT_EXIST && msg->length == 0;
	want_len = svc_reply_len(e->service_id, e->len);
	if (msg->result != QOSDT_RESULT_SUCCESS || msg->length != want_len ||
			want_len > sizeof(c->got))
		return false;
	got = rte_pktmbuf_read(m, QOSDT_FRAME_HDR_LEN, want_len, c->got);
	if (got == NULL)
		return false;
	if (e->service_id == SVC_RANDOM_STRING)
		return all_in_set(got, want_len, true);
	if (e->service_id == SVC_RANDOM_LETTER)
		return all_in_set(got, want_len, false);
	payload_fill(c->expect, e->len, e->id);
	if (svc_run(e->service_id, c->expect, e->len, c->expect,
			sizeof(c->expect), &want_len) != 0)
		return false;
	return memcmp(got, c->expect, want_len) == 0;
}

/* Give up on an unresolved request: dropped if it never left our
 * scheduler, lost if it did (a copy queued to be sent again: lost). */
static void
client_expire(struct client *c, struct req_entry *e)
{
	uint64_t bytes = QOSDT_FRAME_HDR_LEN + e->len;

	if (e->state == REQ_QUEUED && !(e->flags & REQ_F_ON_CHANNEL)) {
		CNT_ADD(&c->cnt[e->cls], dropped, 1);
		c->svc[e->svc].dropped++;
	} else {
		CNT_ADD(&c->cnt[e->cls], lost, 1);
		c->svc[e->svc].lost++;
	}
	qosdt_monitor_drop(c->rtt, e->cls, 1, bytes);
	e->state = REQ_FREE;
	e->flags &= ~REQ_F_ANSWERED;
}

/*
 * Whether an unresolved request's timeout stands still: a lossless class's,
 * while the link is down (for at most hold_tsc), or until the resend pass
 * after the link came back has looked at it.
 */
static bool
client_held(const struct client *c, const struct req_entry *e, uint64_t now)
{
	if (!c->lossless[e->cls])
		return false;
	if (!c->link_up)
		return now - c->link_down_tsc < c->hold_tsc;
	return c->resend_at_tsc != 0 && e->id >= c->resend_next &&
		e->id < c->resend_end;
}

/* Resolve the requests whose timeout has passed (all of them if force).
 * Stops at the first one still in time: requests time out in about the
 * order they were issued, and a held one waits for the link. */
static void
client_sweep(struct client *c, uint64_t now, bool force)
{
	while (c->oldest != c->next_id) {
		struct req_entry *e = &c->reqs[c->oldest & c->reqs_mask];

		if (e->state != REQ_FREE) {
			if (!force && (now < e->deadline_tsc ||
					client_held(c, e, now)))
				break;
			client_expire(c, e);
		}
		c->oldest++;
	}
}

static void
client_take_reply(struct client *c, struct rte_mbuf *m, unsigned int ring_cls,
		uint64_t now)
{
	struct report_service *svc;
	struct req_entry *e;
	uint64_t id, rtt_ns, bytes;
	struct qosdt_msg msg;

	/* The one parse of the reply: the checks below and
	 * client_reply_ok() use what it found. */
	if (qosdt_msg_parse(m, &msg) != QOSDT_MSG_OK) {
		__atomic_store_n(&c->unmatched, c->unmatched + 1, __ATOMIC_RELAXED);
		return;
	}
	if (unlikely(c->msg_log != NULL))
		client_log_msg(c, "rep", &msg);
	if (!(msg.flags & QOSDT_MSG_F_REPLY)) {
		__atomic_store_n(&c->unmatched, c->unmatched + 1, __ATOMIC_RELAXED);
		return;
	}
	id = msg.request_id;
	if (!req_id_is_of(id, c->incarnation)) {
		/* Another incarnation's: an earlier client process's request,
		 * answered after it died (or a forgery). Never matched. */
		__atomic_store_n(&c->stale, c->stale + 1, __ATOMIC_RELAXED);
		return;
	}
	if (id <= c->id_base || id >= c->next_id) {
		/* Ours, but never issued. */
		__atomic_store_n(&c->unmatched, c->unmatched + 1, __ATOMIC_RELAXED);
		return;
	}
	e = &c->reqs[id & c->reqs_mask];
	if (e->id == id && e->state == REQ_FREE &&
			(e->flags & REQ_F_ANSWERED)) {
		/* Answered already: a request sent again, answered twice. */
		CNT_ADD(&c->cnt[e->cls], duplicates, 1);
		return;
	}
	if (id < c->oldest || e->id != id || e->state == REQ_FREE) {
		CNT_ADD(&c->cnt[ring_cls], late, 1);
		return;
	}
	if (!(e->flags & REQ_F_ON_CHANNEL)) {
		/* A reply to a request we have not sent: forged. */
		__atomic_store_n(&c->unmatched, c->unmatched + 1, __ATOMIC_RELAXED);
		return;
	}
	if (c->resend_at_tsc != 0 && !c->pass_started && id < c->resend_end &&
			c->lossless[e->cls]) {
		/* The restarted server is answering what it found: the pass
		 * waits until it is quiet. */
		if (c->first_old_reply_tsc == 0)
			c->first_old_reply_tsc = now;
		c->resend_at_tsc = RTE_MIN(c->resend_latest_tsc, RTE_MAX(
			c->link_up_tsc + rte_get_tsc_hz() / 1000 *
			CLIENT_RESEND_GRACE_MS, now + rte_get_tsc_hz() / 1000 *
			CLIENT_RESEND_QUIET_MS));
	}
	if (now >= e->deadline_tsc && !client_held(c, e, now)) {
		/* Its timeout passed before the sweep saw it: lost, and late. */
		client_expire(c, e);
		CNT_ADD(&c->cnt[ring_cls], late, 1);
		return;
	}
	bytes = QOSDT_FRAME_HDR_LEN + e->len;
	svc = &c->svc[e->svc];
	if (!client_reply_ok(c, m, &msg, e)) {
		CNT_ADD(&c->cnt[e->cls], bad_replies, 1);
		svc->bad_replies++;
		qosdt_monitor_drop(c->rtt, e->cls, 1, bytes);
	} else {
		rtt_ns = tsc_to_ns(now - e->gen_tsc);
		CNT_ADD(&c->cnt[e->cls], received, 1);
		CNT_ADD(&c->cnt[e->cls], received_bytes, bytes);
		svc->received++;
		svc->over_slo += svc->slo_ns != 0 && rtt_ns > svc->slo_ns;
		qosdt_hist_record(&svc->rtt, rtt_ns);
		qosdt_monitor_tx(c->rtt, e->cls, 1, bytes);
		qosdt_monitor_latency(c->rtt, e->cls, rtt_ns, svc->slo_ns);
		if (unlikely(hop_trace_on) && e->cls == QOSDT_CLASS_REALTIME)
			hop_trace_stamp_id(id, HOP_CLIENT_DONE);
	}
	/* A copy still queued to be sent again is freed when it leaves. */
	e->state = REQ_FREE;
	e->flags = REQ_F_ANSWERED;
}

static unsigned int
client_take_class(struct client *c, unsigned int cls)
{
	struct rte_mbuf *pkts[PIPELINE_BURST];
	unsigned int i, n;
	uint64_t now;

	n = rte_ring_sc_dequeue_burst(c->pipe->rx_ring[cls], (void **)pkts,
		cls == QOSDT_CLASS_REALTIME ? CLIENT_BURST : CLIENT_VERIFY_TURN,
		NULL);
	/* Round trips end when the frames are taken, not at turn start. */
	now = rte_get_tsc_cycles();
	for (i = 0; i < n; i++)
		client_take_reply(c, pkts[i], cls, now);
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

static unsigned int
client_take_replies(struct client *c)
{
	unsigned int cls, total = 0;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		total += client_take_class(c, cls);
	return total;
}

unsigned int
client_stage_urgent(void *arg)
{
	struct client *c = arg;

	if (!c->started)
		return 0;
	pipeline_rx_queue(c->pipe, QOSDT_CLASS_REALTIME);
	return client_take_class(c, QOSDT_CLASS_REALTIME);
}

/*
 * Build request id of the scenario's service svc with size bytes of
 * payload room; NULL when no buffer is left. The class and SLO it carries
 * are those the service was classified with once (client_services_init()).
 * The payload is written when the request leaves the scheduler
 * (client_schedule()): requests the scheduler drops cost no payload.
 */
static struct rte_mbuf *
client_build(struct client *c, uint64_t id, uint8_t svc, uint32_t size)
{
	const struct report_service *s = &c->svc[svc];
	struct qosdt_msg msg = {
		.service_id = s->id,
		.request_id = id,
		.timestamp_ns = qosdt_monitor_now_ns(),
		.length = size,
	};

	return qosdt_request_new(c->q, &c->mac, &msg, s->cls, s->slo_ns);
}

/* Whether class cls may take more into the scheduler: nothing of it held
 * back, and the peer taking its frames (a lossless class: the link up). */
static bool
client_class_free(struct client *c, unsigned int cls)
{
	return pipeline_held_retry(c->q, 0, &c->held[cls]) &&
		pipeline_tx_depth(c->pipe, cls) < PIPELINE_TX_BACKLOG &&
		(c->link_up || !c->lossless[cls]);
}

/* Offer n requests to the scheduler, classified when they were built
 * (client_build()); a lossless class holds back what it refuses (each class
 * was free: its held list was empty). */
static void
client_enqueue(struct client *c, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i, cls;
	uint16_t k;

	if (n == 0)
		return;
	k = qosdt_enqueue_classified_burst(c->q, pkts, n);
	for (i = k; i < n; i++) {
		cls = qosdt_mbuf_meta(pkts[i])->cls;
		c->held[cls].pkts[c->held[cls].n++] = pkts[i];
	}
}

/*
 * A lossy request that could not be made (no buffer, or its class not free:
 * the link down, its TX backlog full): sent and dropped at once. It takes
 * no id and no place in the request table, so that an outage during which
 * the lossy classes go on falling due cannot push out the lossless requests
 * held over it (the table is a ring: a new entry expires the oldest).
 */
static void
client_drop_unbuilt(struct client *c, unsigned int cls, uint8_t svc,
		uint32_t size)
{
	uint64_t bytes = QOSDT_FRAME_HDR_LEN + size;

	CNT_ADD(&c->cnt[cls], sent, 1);
	CNT_ADD(&c->cnt[cls], sent_bytes, bytes);
	CNT_ADD(&c->cnt[cls], dropped, 1);
	c->svc[svc].sent++;
	c->svc[svc].dropped++;
	qosdt_monitor_rx(c->rtt, cls, 1, bytes);
	qosdt_monitor_drop(c->rtt, cls, 1, bytes);
}

static unsigned int
client_generate(struct client *c)
{
	uint64_t now = rte_get_tsc_cycles();
	struct rte_mbuf *pkts[CLIENT_BURST];
	uint16_t due[CLIENT_BURST];
	bool class_free[QOSDT_NB_CLASSES];
	uint32_t nb_due, phase, i;
	unsigned int cls, n = 0;

	/* A class still held back, or whose frames the peer is not taking,
	 * is not free: no new request of it enters the scheduler. */
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		class_free[cls] = client_class_free(c, cls);
	nb_due = loadgen_due(&c->lg, tsc_to_ns(now), due, CLIENT_BURST, &phase);
	if (nb_due > 0 && req_id_seq(c->next_id) + nb_due > REQ_ID_SEQ_MAX) {
		/* 2^40 requests: this incarnation's ids are used up. */
		APP_LOG(ERR, "client: %" PRIu64 " requests issued, the most one process can number: the scenario ends here",
			req_id_seq(c->next_id) - 1);
		c->generating = false;
		__atomic_store_n(&c->gen_end_tsc, now, __ATOMIC_RELAXED);
		return 0;
	}
	for (i = 0; i < nb_due; i++) {
		const struct flow *f = &c->sc->phases[phase].flows[due[i]];
		uint8_t svc = c->flow_svc[phase][due[i]];
		struct req_entry *e;
		struct rte_mbuf *m;

		cls = c->svc[svc].cls;
		/* No buffer, or a class not free: a lossless one defers (its
		 * requests wait their turn), a lossy one drops. */
		m = class_free[cls] ?
			client_build(c, c->next_id, svc, f->size) :
			NULL;
		if (m == NULL && c->lossless[cls]) {
			CNT_ADD(&c->cnt[cls], deferred, 1);
			continue;
		}
		if (m == NULL) {
			client_drop_unbuilt(c, cls, svc, f->size);
			continue;
		}
		if (c->next_id - c->oldest > c->reqs_mask) {
			e = &c->reqs[c->oldest & c->reqs_mask];
			if (e->state != REQ_FREE)
				client_expire(c, e);
			c->oldest++;
		}
		CNT_ADD(&c->cnt[cls], sent, 1);
		CNT_ADD(&c->cnt[cls], sent_bytes, QOSDT_FRAME_HDR_LEN + f->size);
		c->svc[svc].sent++;
		qosdt_monitor_rx(c->rtt, cls, 1, QOSDT_FRAME_HDR_LEN + f->size);
		if (unlikely(hop_trace_on) && cls == QOSDT_CLASS_REALTIME)
			hop_trace_stamp_id_at(c->next_id, HOP_CLIENT_GEN, now);
		e = &c->reqs[c->next_id & c->reqs_mask];
		*e = (struct req_entry){
			.id = c->next_id, .gen_tsc = now,
			.deadline_tsc = now + c->timeout_tsc, .len = f->size,
			.service_id = f->service_id, .cls = cls,
			.state = REQ_QUEUED, .svc = svc,
		};
		c->next_id++;
		pkts[n++] = m;
	}
	client_enqueue(c, pkts, n);
	return nb_due;
}

/* Watch the link: when it goes down, the lossless requests are held; when
 * it comes back, a resend pass over those issued so far is due after the
 * grace time. */
static void
client_link_poll(struct client *c, uint64_t now)
{
	struct rte_eth_link link;
	bool up;

	if (now < c->link_poll_tsc)
		return;
	c->link_poll_tsc = now + rte_get_tsc_hz() / (1000000 / CLIENT_LINK_POLL_US);
	up = rte_eth_link_get_nowait(c->pipe->port_id, &link) == 0 &&
		link.link_status == RTE_ETH_LINK_UP;
	if (up == c->link_up)
		return;
	c->link_up = up;
	if (!up) {
		c->link_down_tsc = now;
		c->resend_at_tsc = 0;       /* a pass under way starts again */
		__atomic_store_n(&c->link_downs, c->link_downs + 1,
			__ATOMIC_RELAXED);
		return;
	}
	/* Until a reply shows the server is answering, the latest time. */
	c->link_up_tsc = now;
	c->first_old_reply_tsc = 0;
	c->resend_latest_tsc = now + RTE_MAX(RTE_MIN(c->timeout_tsc / 2,
		rte_get_tsc_hz() / 1000 * CLIENT_RESEND_LATEST_MS),
		rte_get_tsc_hz() / 1000 * CLIENT_RESEND_GRACE_MS);
	c->resend_at_tsc = c->resend_latest_tsc;
	c->pass_started = false;
	c->resend_next = c->oldest;
	c->resend_end = c->next_id;
	c->pass_unanswered = 0;
	c->pass_resent = 0;
}

/* No lossless reply waits in our RX rings (one there may answer a request
 * the pass would send again). */
static bool
client_replies_taken(const struct client *c)
{
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		if (c->lossless[cls] && rte_ring_count(c->pipe->rx_ring[cls]) > 0)
			return false;
	return true;
}

/*
 * The resend pass: every lossless request still unanswered that went onto
 * the channel is queued again, same id, a new timeout from now; one still
 * in our scheduler gets its timeout from now. Bounded per turn; a class
 * that is not free (held back, backlog) or out of buffers stops the pass
 * until the next turn.
 */
static unsigned int
client_resend(struct client *c, uint64_t now)
{
	struct rte_mbuf *pkts[CLIENT_BURST], *m;
	unsigned int n = 0, scanned = 0;
	struct req_entry *e;

	c->pass_started = true;
	if (c->resend_next < c->oldest)
		c->resend_next = c->oldest;
	for (; c->resend_next < c->resend_end && scanned < CLIENT_RESEND_SCAN &&
			n < CLIENT_BURST; c->resend_next++, scanned++) {
		e = &c->reqs[c->resend_next & c->reqs_mask];
		if (e->id != c->resend_next || e->state == REQ_FREE ||
				!c->lossless[e->cls])
			continue;
		if (e->state == REQ_SENT) {
			if (!client_class_free(c, e->cls))
				break;
			m = client_build(c, e->id, e->svc, e->len);
			if (m == NULL)
				break;
			e->state = REQ_QUEUED;
			e->flags |= REQ_F_RESEND;
			e->deadline_tsc = now + c->timeout_tsc;
			pkts[n++] = m;
			c->pass_resent++;
		} else {
			e->deadline_tsc = RTE_MAX(e->deadline_tsc,
				now + c->timeout_tsc);
		}
		c->pass_unanswered++;
	}
	client_enqueue(c, pkts, n);
	if (c->resend_next >= c->resend_end) {
		c->resend_at_tsc = 0;
		if (c->pass_unanswered > 0)
			APP_LOG(NOTICE, "client: link back: %" PRIu64 " lossless requests unanswered, %" PRIu64 " sent again (%.0f ms after the link came back; first reply to an earlier request after %.0f ms)",
				c->pass_unanswered, c->pass_resent,
				(now - c->link_up_tsc) * 1e3 / rte_get_tsc_hz(),
				c->first_old_reply_tsc == 0 ? -1.0 :
				(c->first_old_reply_tsc - c->link_up_tsc) * 1e3 /
				rte_get_tsc_hz());
	}
	return n;
}

/* Move what the scheduler releases to the TX stage. */
static unsigned int
client_schedule(struct client *c)
{
	struct rte_mbuf *pkts[CLIENT_SEND_TURN], *out[CLIENT_SEND_TURN];
	unsigned int room, i, nb_out = 0;
	uint16_t n;

	room = rte_ring_free_count(c->pipe->tx_ring);
	n = qosdt_dequeue_burst(c->q, pkts,
		RTE_MIN(room, (unsigned int)CLIENT_SEND_TURN));
	for (i = 0; i < n; i++) {
		uint64_t id = qosdt_msg_request_id(pkts[i]);
		struct req_entry *e = &c->reqs[id & c->reqs_mask];

		if (e->id != id || e->state != REQ_QUEUED) {
			/* Timed out while queued: counted dropped already. */
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		e->state = REQ_SENT;
		e->flags |= REQ_F_ON_CHANNEL;
		if (e->flags & REQ_F_RESEND) {
			e->flags &= ~REQ_F_RESEND;
			CNT_ADD(&c->cnt[e->cls], resent, 1);
		}
		if (unlikely(hop_trace_on) && e->cls == QOSDT_CLASS_REALTIME)
			hop_trace_stamp_id(id, HOP_CLIENT_SCHED);
		payload_fill(qosdt_msg_payload_rw(pkts[i]), e->len, id);
		if (unlikely(c->msg_log != NULL)) {
			struct qosdt_msg msg;

			if (qosdt_msg_parse(pkts[i], &msg) == QOSDT_MSG_OK)
				client_log_msg(c, "req", &msg);
		}
		out[nb_out++] = pkts[i];
	}
	if (nb_out > 0)
		rte_ring_sp_enqueue_burst(c->pipe->tx_ring, (void **)out,
			nb_out, NULL);
	return n;
}

/* A round-trip window closed: count the starved classes, log it. */
static void
client_window_closed(struct client *c, uint64_t now_ns)
{
	struct qosdt_stats st, sched;
	struct qosdt_resv_usage buf;
	unsigned int cls;

	qosdt_monitor_read(c->rtt, &st);
	qosdt_stats_read(c->q, &sched);
	qosdt_buffers_read(c->q, &buf);
	window_log_add(&c->windows, now_ns - c->start_ns, &st, &sched, &buf);
	if (!c->generating)
		return;
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		if (st.cls[cls].window_offered_bps > 0 &&
				st.cls[cls].window_throughput_bps == 0)
			CNT_ADD(&c->cnt[cls], starved_windows, 1);
}

static void
client_start(struct client *c, uint64_t now)
{
	c->start_tsc = now;
	client_link_poll(c, now);
	loadgen_start(&c->lg, c->sc, tsc_to_ns(now));
	c->start_ns = qosdt_monitor_now_ns();
	qosdt_monitor_reset(c->rtt, c->start_ns);
	__atomic_store_n(&c->started, true, __ATOMIC_RELEASE);
}

/* Every request resolved, nothing held: the run is over. */
static bool
client_all_resolved(struct client *c)
{
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		if (!pipeline_held_retry(c->q, 0, &c->held[cls]))
			return false;
	return c->oldest == c->next_id;
}

void
client_finish(struct client *c)
{
	uint64_t id;
	unsigned int cls;

	if (!c->started)
		return;
	/* Held back, never queued: their entries count as dropped. */
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		pipeline_held_free(&c->held[cls]);
	for (id = c->oldest; id != c->next_id; id++) {
		const struct req_entry *e = &c->reqs[id & c->reqs_mask];

		if (e->id == id && e->state != REQ_FREE)
			CNT_ADD(&c->cnt[e->cls], at_stop, 1);
	}
	client_sweep(c, 0, true);
	if (c->generating) {
		c->generating = false;
		__atomic_store_n(&c->gen_end_tsc, rte_get_tsc_cycles(),
			__ATOMIC_RELAXED);
	}
}

unsigned int
client_stage_worker(void *arg)
{
	struct client *c = arg;
	uint64_t now = rte_get_tsc_cycles(), now_ns;
	unsigned int work;

	if (!c->started)
		client_start(c, now);
	work = client_take_replies(c);
	client_link_poll(c, now);
	if (c->generating) {
		work += client_generate(c);
		if (loadgen_done(&c->lg, tsc_to_ns(now))) {
			c->generating = false;
			__atomic_store_n(&c->gen_end_tsc, now, __ATOMIC_RELAXED);
		}
	}
	if (c->resend_at_tsc != 0 && now >= c->resend_at_tsc &&
			(client_replies_taken(c) || now >= c->resend_latest_tsc))
		work += client_resend(c, now);
	work += client_schedule(c);
	client_sweep(c, rte_get_tsc_cycles(), false);
	now_ns = qosdt_monitor_now_ns();
	if (qosdt_monitor_poll(c->rtt, now_ns) == 1)
		client_window_closed(c, now_ns);
	if (!c->generating && client_all_resolved(c)) {
		__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
		*c->finished = true;
	}
	return work;
}

void
client_report(const struct client *c, struct report *r)
{
	struct qosdt_stats st, sched;
	unsigned int cls;
	uint64_t end;

	qosdt_monitor_read(c->rtt, &st);
	qosdt_stats_read(c->q, &sched);
	end = __atomic_load_n(&c->gen_end_tsc, __ATOMIC_RELAXED);
	if (end == 0)
		end = rte_get_tsc_cycles();
	r->duration_s = __atomic_load_n(&c->started, __ATOMIC_ACQUIRE) ?
		(double)(end - c->start_tsc) / rte_get_tsc_hz() : 0.0;
	r->unmatched = __atomic_load_n(&c->unmatched, __ATOMIC_RELAXED);
	r->stale = __atomic_load_n(&c->stale, __ATOMIC_RELAXED);
	r->link_downs = __atomic_load_n(&c->link_downs, __ATOMIC_RELAXED);
	r->nb_windows = st.windows;
	r->services = c->svc;
	r->nb_services = c->nb_svc;
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		const struct client_counters *k = &c->cnt[cls];
		const struct qosdt_class_stats *cs = &st.cls[cls];
		struct report_class *o = &r->cls[cls];

		o->sent = CNT_GET(k, sent);
		o->sent_bytes = CNT_GET(k, sent_bytes);
		o->received = CNT_GET(k, received);
		o->received_bytes = CNT_GET(k, received_bytes);
		o->lost = CNT_GET(k, lost);
		o->dropped = CNT_GET(k, dropped);
		o->deferred = CNT_GET(k, deferred);
		o->late = CNT_GET(k, late);
		o->bad_replies = CNT_GET(k, bad_replies);
		o->starved_windows = CNT_GET(k, starved_windows);
		o->resent = CNT_GET(k, resent);
		o->duplicates = CNT_GET(k, duplicates);
		o->at_stop = CNT_GET(k, at_stop);
		report_class_monitored(o, cs);
		o->sched_latency = sched.cls[cls].latency;
	}
}

const struct qosdt_hist *
client_latency_hist(const struct client *c, unsigned int cls)
{
	return qosdt_monitor_latency_hist(c->rtt, cls);
}
