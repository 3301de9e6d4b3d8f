/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-class results: the live table, the final summary and the results
 * JSON (doc/results.md). Both roles fill the same struct.
 */

#ifndef QOSDT_APP_REPORT_H
#define QOSDT_APP_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <qosdt.h>

#include "dedup.h"
#include "scenario.h"
#include "window_log.h"

/** One class's results. Client: requests and their round trips. Server:
 * requests received and replies sent, latency inside the server. */
struct report_class {
	uint64_t sent;            /**< Issued (client) / replies sent (server). */
	uint64_t received;        /**< Verified replies / requests received. */
	uint64_t lost;            /**< Unanswered within the timeout. */
	uint64_t dropped;         /**< Dropped by the QoS scheduler. */
	uint64_t deferred;        /**< Not issued: lossless class held back. */
	uint64_t late;            /**< Replies after their timeout. */
	uint64_t bad_replies;     /**< Replies failing verification. */
	uint64_t sent_bytes;      /**< Frame bytes of sent. */
	uint64_t received_bytes;  /**< Frame bytes of received (client: of the requests). */
	double window_mbps;       /**< Delivered rate over the last window. */
	struct qosdt_latency_summary latency;        /**< Whole run, ns. */
	struct qosdt_latency_summary window_latency; /**< Last window, ns. */
	/** Time in this process's own QoS scheduler, whole run, ns. */
	struct qosdt_latency_summary sched_latency;
	uint64_t slo_violations;  /**< Windows with a missed SLO. */
	uint64_t latency_violations; /**< Samples above their latency SLO. */
	uint64_t starved_windows; /**< Windows with load offered, none delivered. */
	uint64_t resent;          /**< Client: copies sent again after an outage. */
	uint64_t duplicates;      /**< Client: second replies to answered requests. */
	uint64_t at_stop;         /**< Client: of lost + dropped, unresolved at a stop. */
	bool slo_met;             /**< The last window met every SLO. */
	uint8_t weight;           /**< The class's configured weight. */
	uint64_t guarantee_bps;   /**< Its configured guarantee, 0 = none. */
	/** Client's final report: the round trips' histogram, else NULL. */
	const struct qosdt_hist *latency_hist;
};

/** One service's results (client): its requests and their round trips. */
struct report_service {
	uint16_t id;
	uint8_t cls;              /**< Its class (the classifier's). */
	uint64_t slo_ns;          /**< Its max_latency: the service rule's, else its class's; 0 = none. */
	uint64_t sent;            /**< As report_class, for this service only. */
	uint64_t received;
	uint64_t lost;
	uint64_t dropped;
	uint64_t bad_replies;
	uint64_t over_slo;        /**< Received replies whose round trip exceeded slo_ns. */
	struct qosdt_hist rtt;    /**< Round trips of the received replies. */
};

/** A role's results. */
/** A tenant of a service VM (doc/tenants.md): its classes as the server saw them. */
struct report_tenant {
	const char *name;
	struct report_class cls[QOSDT_NB_CLASSES];
	/** Its dedup table, NULL when off. */
	const struct dedup *dedup;
	const char *dedup_file;   /**< The table's file, NULL: memory. */
};

struct report {
	const char *role;         /**< "client" or "server". */
	const char *mode;         /**< Scheduler mode name. */
	const char *config;       /**< Config file. */
	const char *scenario;     /**< Scenario name (client), else NULL. */
	double duration_s;        /**< Span the rates are computed over. */
	uint64_t channel_bps;
	uint32_t overhead;        /**< channel.overhead, bytes per frame. */
	uint64_t malformed;       /**< Server: frames dropped as malformed. */
	uint64_t unmatched;       /**< Client: replies matching no request. */
	uint64_t stale;           /**< Client: replies to an earlier incarnation. */
	uint64_t link_downs;      /**< Client: link losses its worker saw. */
	/** Server of one tenant: its dedup table, NULL when off (several
	 *  tenants: each one's, in tenants[]). */
	const struct dedup *dedup;
	const char *dedup_file;   /**< Server: the table's file, NULL: memory. */
	struct report_class cls[QOSDT_NB_CLASSES];
	/** Client: its scenario, for the phases; NULL for the server. */
	const struct scenario *sc;
	/** Client: every closed window; NULL for the server. */
	const struct window_log *windows;
	/** Client: its services, in the order the scenario names them first. */
	const struct report_service *services;
	unsigned int nb_services;
	/** Client: monitoring windows closed, those slo_violations counts in. */
	uint64_t nb_windows;
	/** The configuration the run used: the SLOs its verdicts judge. */
	const struct qosdt_config *cfg;
	/** The QoS instance whose adaptive controller the report shows
	 * (qosdt_adaptive_read()); NULL: none. */
	const struct qosdt *qos;
	uint64_t t0_ns;           /**< The run's start, on the monitors' clock. */
	/**
	 * Server with several tenants: each one's classes; cls[] then sums
	 * their counts and holds, per class, the latency of the tenant with
	 * the highest p99. 0: one tenant, cls[] is its.
	 */
	unsigned int nb_tenants;
	struct report_tenant tenants[QOSDT_MAX_TENANTS];
};

/**
 * Fill a class's monitored figures (window rate, latency summaries, SLO
 * counts and verdict) from a monitor's snapshot of that class.
 *
 * @param k
 *   The class's results.
 * @param cs
 *   The monitor's figures of the class.
 */
void report_class_monitored(struct report_class *k,
		const struct qosdt_class_stats *cs);

/**
 * Print the per-class table: live (the last window's rate, latency and
 * SLO verdict) or final (whole-run figures).
 *
 * @param f
 *   Where.
 * @param r
 *   The results.
 * @param final
 *   true for the final summary.
 */
void report_print(FILE *f, const struct report *r, bool final);

/**
 * Write the results JSON (doc/results.md).
 *
 * @param r
 *   The results.
 * @param path
 *   The file (replaced atomically: written to PATH.tmp, then renamed).
 * @return
 *   0, or -1 (reason logged).
 */
int report_write_json(const struct report *r, const char *path);

#endif /* QOSDT_APP_REPORT_H */
