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
 */

#ifndef QOSDT_APP_CLIENT_H
#define QOSDT_APP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#include "pipeline.h"
#include "report.h"
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

/** A tracked request; the table is indexed by request id. */
struct req_entry {
	uint64_t id;
	uint64_t gen_tsc;      /**< When it was generated: round trips start here. */
	uint32_t len;          /**< Payload bytes. */
	uint16_t service_id;
	uint8_t cls;
	uint8_t state;         /**< enum req_state. */
	uint8_t svc;           /**< Its entry in client.svc[]. */
};

/** Per-class counters, written by the worker only. */
struct client_counters {
	uint64_t sent, sent_bytes;
	uint64_t received, received_bytes;
	uint64_t lost, dropped, deferred, late, bad_replies;
	uint64_t starved_windows;
};

/** The client's worker state. */
struct client {
	struct qosdt *q;             /**< Its QoS instance (the scheduler). */
	const struct qosdt_classifier *cl; /**< q's: service -> class, SLO. */
	struct qosdt_monitor *rtt;   /**< Round trips, per class. */
	struct pipeline *pipe;           /**< The rings it reads and feeds. */
	struct rte_ether_addr mac;   /**< Our address, the requests' source. */
	const struct scenario *sc;   /**< The load. */
	struct loadgen lg;           /**< Its pacing. */
	volatile bool *quit;         /**< Set once every request is resolved. */
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
	uint64_t next_id;            /**< The next request id. */
	uint64_t oldest;             /**< Ids below are resolved. */
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
 * @param quit
 *   Set by the worker once every request is resolved.
 * @return
 *   0, or -1 (reason logged).
 */
int client_init(struct client *c, struct qosdt *q, struct pipeline *pipe,
		const struct rte_ether_addr *mac, const struct scenario *sc,
		volatile bool *quit);

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
 * Free what client_init() allocated and the held requests.
 *
 * @param c
 *   The client.
 */
void client_fini(struct client *c);

/**
 * Resolve every request still open, at the end of a run that was
 * interrupted: queued ones count as dropped, sent ones as lost; so that the
 * counts add up. Call it once the worker has stopped.
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
 * Verify a reply against the request it answers: flags, service, result
 * (NOT_EXIST exactly for unknown ids), length, and for deterministic
 * services every byte (the request payload is regenerated from its id).
 *
 * @param c
 *   The client (its buffers are used).
 * @param m
 *   The reply frame.
 * @param e
 *   The request.
 * @return
 *   true if the reply is right.
 */
bool client_reply_ok(struct client *c, const struct rte_mbuf *m,
		const struct req_entry *e);

/**
 * Fill a report from the client's counters and round-trip monitor (any
 * thread).
 *
 * @param c
 *   The client.
 * @param r
 *   Its class entries, unmatched and duration_s are filled.
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
