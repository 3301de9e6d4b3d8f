/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client role (the requesting VM): a load generator driven by a
 * scenario. Requests go through the QoS core (classified by service,
 * scheduled, shaped at the channel rate) onto their class's queue; each is
 * tracked by request id until its reply is verified or its timeout passes.
 *
 * Every issued request ends in exactly one of: received (verified reply),
 * bad reply, dropped (by the QoS core, or no buffer), lost (sent, no reply
 * within the timeout).
 *
 * Request ids carry the process's incarnation (req_id.h): replies to an
 * earlier client process are counted stale, never matched. The lossless
 * classes survive a restart of the server: while the link is down their
 * requests are held (their timeouts stand still, no new one is issued),
 * and once it is back those still unanswered are sent again, with the same
 * id (the server answers a duplicate from its dedup table). A request sent
 * again is still one request, with one outcome.
 */

#ifndef QOSDT_APP_CLIENT_H
#define QOSDT_APP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#include "pipeline.h"
#include "report.h"
#include "req_id.h"
#include "scenario.h"
#include "services.h"
#include "window_log.h"

struct qosdt;
struct qosdt_monitor;
struct qosdt_classifier;

/** Largest request or reply payload the client handles. */
#define CLIENT_MAX_PAYLOAD SVC_REPLY_MAX(SCENARIO_MAX_SIZE)
/** Most monitoring windows a client records (a day at 100 ms). */
#define CLIENT_MAX_WINDOWS (1u << 20)
/** Most distinct services a scenario may use (each has its results). */
#define CLIENT_MAX_SERVICES 64

/** Where a tracked request is. */
enum req_state {
	REQ_FREE = 0,  /**< Answered, or given up on. */
	REQ_QUEUED,    /**< In our scheduler (or held back). */
	REQ_SENT,      /**< Handed to the channel. */
};

/** Flags of a tracked request. */
enum req_flag {
	REQ_F_ON_CHANNEL = 1,  /**< Handed to the channel at least once. */
	REQ_F_RESEND = 2,      /**< Queued again, to be sent again. */
	REQ_F_ANSWERED = 4,    /**< Resolved by a reply (received or bad). */
};

/** A tracked request; the table is indexed by request id. */
struct req_entry {
	uint64_t id;
	uint64_t gen_tsc;      /**< When it was generated: round trips start here. */
	uint64_t deadline_tsc; /**< Given up then (lost or dropped). */
	uint32_t len;          /**< Payload bytes. */
	uint16_t service_id;
	uint8_t cls;
	uint8_t state;         /**< enum req_state. */
	uint8_t svc;           /**< Its entry in client.svc[]. */
	uint8_t flags;         /**< enum req_flag. */
};

/** Per-class counters, written by the worker only. */
struct client_counters {
	uint64_t sent, sent_bytes;
	uint64_t received, received_bytes;
	uint64_t lost, dropped, deferred, late, bad_replies;
	uint64_t starved_windows;
	uint64_t resent;       /**< Copies sent again after an outage. */
	uint64_t duplicates;   /**< Second replies to an answered request. */
	uint64_t at_stop;      /**< Still unresolved when the run was stopped. */
};

/** The client's worker state. */
struct client {
	struct qosdt *q;             /**< Its QoS instance (the scheduler). */
	struct qosdt_monitor *rtt;   /**< Round trips, per class. */
	struct pipeline *pipe;       /**< The rings it reads and feeds. */
	struct rte_ether_addr mac;   /**< Our address, the requests' source. */
	const struct scenario *sc;   /**< The load. */
	struct loadgen lg;           /**< Its pacing. */
	volatile bool *finished;     /**< Set once every request is resolved. */
	/* Written by the worker, read by the stats tick (atomics): */
	bool started;                /**< The scenario clock runs. */
	bool done;                   /**< Every request resolved. */
	uint64_t start_tsc;          /**< When the scenario started. */
	uint64_t start_ns;           /**< The same, on the monitors' clock. */
	uint64_t gen_end_tsc;        /**< When it ended (0 before). */
	/* The worker's own: */
	bool generating;             /**< false once the scenario has ended. */
	uint64_t timeout_tsc;        /**< The scenario's timeout, in TSC. */
	bool lossless[QOSDT_NB_CLASSES]; /**< Classes with "drop": "none". */
	/* The request table. */
	struct req_entry *reqs;
	uint64_t reqs_mask;
	uint32_t incarnation;        /**< This process's (req_id.h). */
	uint64_t id_base;            /**< Its ids are id_base + 1, + 2, ... */
	uint64_t next_id;            /**< The next request id. */
	uint64_t oldest;             /**< Ids below are resolved. */
	/* The link, as the worker last saw it (every CLIENT_LINK_POLL_US). */
	bool link_up;
	uint64_t link_poll_tsc;      /**< When to look next. */
	uint64_t link_down_tsc;      /**< When it was seen going down. */
	uint64_t hold_tsc;           /**< Longest a lossless request is held
				      *   while the link is down. */
	/* The resend pass over ids [resend_next, resend_end), due at
	 * resend_at_tsc (0: none): lossless requests unanswered when the link
	 * came back. */
	uint64_t resend_at_tsc;
	uint64_t resend_latest_tsc;  /**< resend_at_tsc is never pushed past it. */
	uint64_t link_up_tsc;        /**< When the link came back. */
	uint64_t first_old_reply_tsc; /**< The first reply since to an earlier request. */
	bool pass_started;
	uint64_t resend_next, resend_end;
	uint64_t pass_unanswered, pass_resent;
	uint64_t link_downs;         /**< Link losses seen (atomic). */
	/** Requests a lossless class held back, per class. */
	struct pipeline_held held[QOSDT_NB_CLASSES];
	struct client_counters cnt[QOSDT_NB_CLASSES];
	/** Per service (worker-written, read once it has stopped). */
	struct report_service *svc;
	unsigned int nb_svc;
	/** The svc[] entry of each flow of each phase. */
	uint8_t flow_svc[SCENARIO_MAX_PHASES][SCENARIO_MAX_FLOWS];
	uint64_t unmatched;          /**< Replies that match no request. */
	FILE *msg_log;               /**< --msg-log, or NULL (client_log_open()). */
	uint64_t stale;              /**< Replies to an earlier incarnation. */
	struct window_log windows;   /**< Every closed window (worker's). */
	uint8_t expect[CLIENT_MAX_PAYLOAD];
	uint8_t got[CLIENT_MAX_PAYLOAD];
};

/**
 * Set up the client's worker.
 *
 * @param c
 *   The state (zeroed by the call).
 * @param q
 *   The QoS instance (the client's scheduler).
 * @param pipe
 *   The pipe whose rings the worker reads and feeds.
 * @param mac
 *   The port's MAC address.
 * @param sc
 *   The scenario (must outlive the client).
 * @param finished
 *   Set by the worker once every request is resolved (the run stops when
 *   every client's is).
 * @return
 *   0, or -1 (reason logged).
 */
int client_init(struct client *c, struct qosdt *q, struct pipeline *pipe,
		const struct rte_ether_addr *mac, const struct scenario *sc,
		volatile bool *finished);

/**
 * Start the message log (--msg-log, doc/app.md): from now on the worker
 * writes a line per request it hands to the channel and per reply it takes
 * from it. Call it before the worker runs; client_fini() closes the log.
 *
 * @param c
 *   The client.
 * @param f
 *   An open file the client takes over (closed by client_fini()).
 * @return
 *   0, or -1 when the header line cannot be written.
 */
int client_log_open(struct client *c, FILE *f);

/**
 * How long the lossless classes' requests are held while the link is down
 * (client_init() sets 10 s): beyond it, they time out as they would with
 * the link up.
 *
 * @param c
 *   The client.
 * @param seconds
 *   The longest outage a lossless request is held across.
 */
void client_set_link_hold(struct client *c, double seconds);

/**
 * Free what client_init() allocated and the held requests.
 *
 * @param c
 *   The client.
 */
void client_fini(struct client *c);

/**
 * Resolve every request still open, at the end of a run that was
 * interrupted: queued ones count as dropped, sent ones as lost, so that the
 * counts add up; each is also counted in at_stop. Call it once the worker
 * has stopped.
 *
 * @param c
 *   The client.
 */
void client_finish(struct client *c);

/**
 * The worker stage: match replies, generate what the scenario says is
 * due, schedule, pass the requests to the TX stage, expire timeouts. The
 * first call starts the scenario clock.
 *
 * @param arg
 *   struct client.
 * @return
 *   Messages handled.
 */
unsigned int client_stage_worker(void *arg);

/**
 * The realtime replies only: receive them from the port and match them,
 * between the turns of other client VMs of the process (doc/tenants.md),
 * so that a realtime round trip does not end a whole round of them late.
 *
 * @param arg
 *   struct client.
 * @return
 *   Replies matched.
 */
unsigned int client_stage_urgent(void *arg);

/**
 * Verify a reply against the request it answers: flags, service, result
 * (NOT_EXIST exactly for unknown ids), length, and for deterministic
 * services every byte (the request payload is regenerated from its id).
 *
 * @param c
 *   The client (its buffers are used).
 * @param m
 *   The reply frame, for its payload.
 * @param msg
 *   Its header, as qosdt_msg_parse() found it (the caller's one parse).
 * @param e
 *   The request.
 * @return
 *   true if the reply is right.
 */
bool client_reply_ok(struct client *c, const struct rte_mbuf *m,
		const struct qosdt_msg *msg, const struct req_entry *e);

/**
 * Fill a report from the client's counters and round-trip monitor (any
 * thread).
 *
 * @param c
 *   The client.
 * @param r
 *   Its class entries, unmatched, stale, link_downs and duration_s are
 *   filled.
 */
void client_report(const struct client *c, struct report *r);

/**
 * A class's round-trip latency histogram over the whole run. Call it once
 * the worker has stopped and the monitor's last window is closed.
 *
 * @param c
 *   The client.
 * @param cls
 *   enum qosdt_class.
 * @return
 *   The histogram.
 */
const struct qosdt_hist *client_latency_hist(const struct client *c,
		unsigned int cls);

#endif /* QOSDT_APP_CLIENT_H */
