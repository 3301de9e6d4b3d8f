/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * The scheduler: an rte_sched port built from the configuration, behind an
 * admission stage of our own.
 *
 * Hierarchy: one subport shaped at the capacity (the channel rate with one
 * tenant; the port rate is set above it: rte_sched does not cap the total
 * at the port rate), one pipe per tenant (a client VM: doc/tenants.md),
 * each with the classes below, its own admission queues and, with several
 * tenants, its pipe rate, its weight in the subport's best-effort TC and
 * its strict classes' caps.
 * Class to rte_sched queue, by mode:
 *   priority  REALTIME -> TC0 (strict priority, rate-capped by the
 *             subport's TC0 rate); THROUGHPUT, RELIABLE, BEST_EFFORT -> best-effort
 *             TC queues 0..2 under WRR with their weights
 *   wrr       the four classes -> best-effort TC queues 0..3 under WRR
 *   fifo      every class -> best-effort TC queue 0, tail drop
 *
 * Admission: each class has a queue limit (its queue share of the slots;
 * in fifo mode the one queue has them all), and the rte_sched queues are
 * sized at or above it, so rte_sched itself never drops. Over the limit a
 * lossless class (drop "none") is held back and handed back to the caller;
 * the others are tail-dropped, or RED-dropped below it (rte_red). A frame
 * longer than max_frame_len is dropped whatever its class: rte_sched would
 * never send it and it would block its queue. Every drop and hold is thus
 * known by class.
 *
 * All calls on one scheduler must come from one thread (doc/dpdk-notes.md).
 */

#ifndef QOSDT_SCHED_H
#define QOSDT_SCHED_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "qosdt_config.h"

struct qosdt_sched;
struct qosdt_monitor;

/** Cumulative counters of one class, kept by the scheduler. */
struct qosdt_sched_class_counters {
	uint64_t enq_pkts;    /**< Accepted into rte_sched. */
	uint64_t enq_bytes;
	uint64_t deq_pkts;    /**< Sent by rte_sched. */
	uint64_t deq_bytes;
	uint64_t drop_pkts;   /**< Dropped by admission (tail or RED). */
	uint64_t drop_bytes;
	uint64_t held_pkts;   /**< Hold events: a message handed back N times counts N. */
	uint32_t backlog;     /**< In its rte_sched queue now (fifo: the shared queue's). */
	uint32_t limit;       /**< Its queue limit (fifo: the shared queue's). */
	uint32_t nb_tc;       /**< The rte_sched queues it spreads over (a strict
			       *   class: one TC per latency objective). */
	/** Bytes offered (accepted or dropped) to each of those, in the
	 * order of the objectives, shortest first.
	 */
	uint64_t tc_offered_bytes[QOSDT_MAX_STRICT_TCS];
};

/**
 * What the adaptive controller may change at run time
 * (qosdt_sched_set_knobs()): every value, for every class, also those it
 * leaves as they are.
 */
struct qosdt_sched_knobs {
	uint8_t weight[QOSDT_NB_CLASSES];        /**< WRR weights, 1..255. */
	uint64_t rate_cap_bps[QOSDT_NB_CLASSES]; /**< A strict class's cap (its
						   *   TCs share it), 0: none. */
	uint64_t sojourn_target_ns[QOSDT_NB_CLASSES]; /**< A "sojourn" class's
							*   AQM target, else 0. */
};

/**
 * Build the scheduler.
 *
 * @param name
 *   Name of the rte_sched port (unique per process).
 * @param cfg
 *   A validated configuration (qosdt_config_validate()).
 * @param mon
 *   The monitor of each tenant (cfg->tenants.nb of them) to report counts
 *   and queueing latency to, or NULL for none.
 * @param socket
 *   NUMA socket, or SOCKET_ID_ANY.
 * @return
 *   The scheduler, or NULL (rte_errno set, reason logged).
 */
struct qosdt_sched *qosdt_sched_create(const char *name,
		const struct qosdt_config *cfg, struct qosdt_monitor *const *mon,
		int socket);

/**
 * Free the scheduler and every mbuf still queued in it (NULL is a no-op).
 *
 * @param s
 *   The scheduler.
 */
void qosdt_sched_free(struct qosdt_sched *s);

/**
 * Enqueue a burst of classified mbufs (qosdt_classify_burst(): the class,
 * and the timestamp latency is measured from, come from their metadata).
 *
 * Like rte_eth_tx_burst(): the first k mbufs, the return value, are
 * consumed (queued, or dropped, freed and counted); mbufs [k, n) are the
 * held-back messages of lossless classes, still owned by the caller, in
 * their original order, to be offered again later.
 *
 * @param s
 *   The scheduler.
 * @param pkts
 *   The mbufs; reordered as described.
 * @param n
 *   How many.
 * @return
 *   The number consumed.
 */
uint16_t qosdt_sched_enqueue(struct qosdt_sched *s, struct rte_mbuf **pkts,
		uint16_t n);

/**
 * qosdt_sched_enqueue() for one tenant's messages (qosdt_sched_enqueue()
 * is tenant 0's): they go into its pipe and its admission queues. Messages
 * of a tenant that does not exist are dropped (consumed).
 *
 * @param s
 *   The scheduler.
 * @param tenant
 *   The tenant, < the configuration's tenants.nb.
 * @param pkts
 *   The mbufs; reordered as qosdt_sched_enqueue() says.
 * @param n
 *   How many.
 * @return
 *   The number consumed.
 */
uint16_t qosdt_sched_enqueue_tenant(struct qosdt_sched *s, uint32_t tenant,
		struct rte_mbuf **pkts, uint16_t n);

/**
 * Dequeue up to @p n mbufs in scheduling order, shaped at the channel rate.
 * With a monitor, each one's queueing latency (now - its metadata timestamp)
 * is recorded against its latency SLO.
 *
 * @param s
 *   The scheduler.
 * @param pkts
 *   Receives the mbufs.
 * @param n
 *   At most this many.
 * @return
 *   How many were dequeued.
 */
uint16_t qosdt_sched_dequeue(struct qosdt_sched *s, struct rte_mbuf **pkts,
		uint16_t n);

/**
 * Read one tenant's counters of a class (scheduler thread).
 *
 * @param s
 *   The scheduler.
 * @param tenant
 *   The tenant.
 * @param cls
 *   enum qosdt_class.
 * @param c
 *   Filled (zeros for no such tenant or class).
 */
void qosdt_sched_tenant_counters(const struct qosdt_sched *s, uint32_t tenant,
		unsigned int cls, struct qosdt_sched_class_counters *c);

/**
 * The number of tenants (pipes) of the scheduler.
 *
 * @param s
 *   The scheduler.
 * @return
 *   cfg->tenants.nb, at least 1.
 */
uint32_t qosdt_sched_nb_tenants(const struct qosdt_sched *s);

/**
 * Read a class's counters, summed over the tenants (scheduler thread).
 *
 * @param s
 *   The scheduler.
 * @param cls
 *   enum qosdt_class.
 * @param c
 *   Filled.
 */
void qosdt_sched_counters(const struct qosdt_sched *s, unsigned int cls,
		struct qosdt_sched_class_counters *c);

/**
 * Change the WRR weights and REALTIME's rate cap at run time (scheduler
 * thread). Reuses an rte_sched pipe profile with the same values, else
 * appends one (rte_sched profiles are append-only). The new values are
 * checked as qosdt_config_validate() checks the configuration's.
 *
 * @param s
 *   The scheduler.
 * @param weights
 *   A weight per class (enum qosdt_class order), 1..255.
 * @param rt_cap_bps
 *   REALTIME's cap, bits/s (priority mode; ignored otherwise).
 * Only what changed is reconfigured (that restarts its credits). A pipe
 * takes new weights when rte_sched's grinder next loads it: at once under
 * shaping, later for an unshaped pipe whose queues never empty.
 *
 * @return
 *   0, -EINVAL for a value rte_sched would mis-handle, -ENOSPC when the
 *   profile table is full, -ENOTSUP with several tenants, -ENODEV if
 *   rte_sched freed the port after an earlier failure (the scheduler then
 *   drops everything), or rte_sched's error.
 */
int qosdt_sched_set_profile(struct qosdt_sched *s,
		const uint8_t weights[QOSDT_NB_CLASSES], uint64_t rt_cap_bps);

/**
 * Change what the adaptive controller turns (scheduler thread): the WRR
 * weights, the cap of every strict class (priority mode), the AQM target
 * of every "sojourn" class. Checked as qosdt_sched_set_profile() checks;
 * an AQM target must stay within 1 us..4 s and below the class's latency
 * objective. The caps select a subport profile (one per distinct set of
 * strict-TC rates, appended once, reused after); a target takes effect at
 * the next arrival.
 * @param s
 *   The scheduler.
 * @param k
 *   The values (qosdt_sched_knobs_get() gives the running ones).
 * @return
 *   As qosdt_sched_set_profile().
 */
int qosdt_sched_set_knobs(struct qosdt_sched *s,
		const struct qosdt_sched_knobs *k);

/**
 * The knob values the scheduler runs with.
 * @param s
 *   The scheduler.
 * @param k
 *   Filled.
 */
void qosdt_sched_knobs_get(const struct qosdt_sched *s,
		struct qosdt_sched_knobs *k);

/**
 * The knob values of a configuration, as the scheduler would run them.
 * @param cfg
 *   A configuration.
 * @param k
 *   Filled.
 */
void qosdt_sched_knobs_of(const struct qosdt_config *cfg,
		struct qosdt_sched_knobs *k);

/**
 * The configuration the scheduler runs with: the one it was created with,
 * with the weights and cap of the last qosdt_sched_set_profile().
 * Scheduler thread only.
 *
 * @param s
 *   The scheduler.
 * @return
 *   Its running configuration.
 */
const struct qosdt_config *qosdt_sched_config(const struct qosdt_sched *s);


#endif /* QOSDT_SCHED_H */
