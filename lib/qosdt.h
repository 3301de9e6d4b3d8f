/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * The qosdt QoS core, for embedding in any DPDK application.
 *
 * A qosdt instance holds, built from one configuration (qosdt_config.h):
 * the classifier (service id -> class), the per-class buffer reservations
 * (qosdt_resv.h), the rte_sched scheduler with its admission stage
 * (qosdt_sched.h), the per-class monitor (qosdt_monitor.h) and, if the
 * configuration enables it, the adaptive controller (qosdt_adaptive.h),
 * optionally exported over DPDK telemetry (qosdt_telemetry.h).
 *
 * Typical use, on the lcore that owns the instance:
 * @code
 *	struct qosdt_config cfg;
 *	char err[QOSDT_CONFIG_ERRLEN];
 *	if (qosdt_config_load("qos.json", &cfg, err, sizeof(err)) != 0)
 *		rte_exit(EXIT_FAILURE, "%s\n", err);
 *	struct qosdt *q = qosdt_create("q0", &cfg, rte_socket_id(), true);
 *	...
 *	n = rte_eth_rx_burst(port, queue, pkts, 32);
 *	k = qosdt_enqueue_burst(q, pkts, n);    // pkts[k..n): held back, retry
 *	n = qosdt_dequeue_burst(q, pkts, 32);
 *	rte_eth_tx_burst(port, queue, pkts, n);
 *	qosdt_stats_read(q, &stats);            // any thread
 * @endcode
 *
 * Enqueue, dequeue and free must be called from one thread; stats reads
 * from any.
 *
 * This header and the wire format's (qosdt_msg.h) are the whole public
 * API: an application includes these two. The headers this one includes
 * give the types it uses: the classes (qosdt_class.h), the configuration
 * (qosdt_config.h), the QoS metadata that rides with each mbuf
 * (qosdt_mbuf.h), per-class monitoring (qosdt_monitor.h, which an
 * application may also run of its own, e.g. for round trips), the buffer
 * usage (qosdt_resv.h) and the controller's status (qosdt_adaptive.h). The
 * rest of lib/ (the classifier, the scheduler, telemetry, the JSON walk)
 * is private; struct qosdt is opaque (qosdt_priv.h).
 */

#ifndef QOSDT_H
#define QOSDT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "qosdt_adaptive.h"
#include "qosdt_class.h"
#include "qosdt_config.h"
#include "qosdt_mbuf.h"
#include "qosdt_monitor.h"
#include "qosdt_msg.h"
#include "qosdt_resv.h"

struct qosdt;

/** Instance-wide counters outside the per-class ones. */
struct qosdt_counters {
	uint64_t malformed;  /**< Frames dropped by qosdt_enqueue_burst(): not a message. */
};

/**
 * Create an instance from a validated configuration.
 *
 * @param name
 *   Unique name (pools and the rte_sched port are named after it; at most
 *   16 characters).
 * @param cfg
 *   The configuration (copied).
 * @param socket
 *   NUMA socket, or SOCKET_ID_ANY.
 * @param telemetry
 *   Export it under /qosdt/. One instance at a time: if another one is
 *   exported, creation fails with rte_errno EBUSY.
 * @return
 *   The instance, or NULL (rte_errno set, reason logged).
 */
struct qosdt *qosdt_create(const char *name, const struct qosdt_config *cfg,
		int socket, bool telemetry);

/**
 * Free an instance: mbufs still queued are freed; every mbuf taken from
 * its pools must have been returned. NULL is a no-op.
 *
 * @param q
 *   The instance.
 */
void qosdt_free(struct qosdt *q);

/**
 * Classify a burst: writes each mbuf's QoS metadata (class, service,
 * latency SLO, timestamp now). Frames are not changed.
 *
 * @param q
 *   The instance.
 * @param pkts
 *   The frames.
 * @param n
 *   How many.
 * @return
 *   The number of malformed frames (marked QOSDT_META_F_MALFORMED).
 */
uint16_t qosdt_classify_burst_now(struct qosdt *q, struct rte_mbuf **pkts,
		uint16_t n);

/**
 * Classify and enqueue a burst. Malformed frames are dropped and counted
 * (qosdt_counters_read()); messages over their class's queue limit are
 * dropped (tail or RED) or, for a lossless class, held back.
 *
 * Like rte_eth_tx_burst(), the caller keeps pkts[k..n) where k is the
 * return value: the held-back messages, in order, to offer again later
 * (without re-classifying: use qosdt_enqueue_classified_burst()).
 *
 * @param q
 *   The instance.
 * @param pkts
 *   The frames; reordered.
 * @param n
 *   How many.
 * @return
 *   The number consumed (queued, or dropped and freed).
 */
uint16_t qosdt_enqueue_burst(struct qosdt *q, struct rte_mbuf **pkts,
		uint16_t n);

/**
 * Enqueue mbufs already classified (e.g. held back by an earlier
 * qosdt_enqueue_burst(), or classified with qosdt_classify_burst_now():
 * their metadata gives the class and the timestamp latency is measured
 * from). Same contract as qosdt_enqueue_burst().
 *
 * @param q
 *   The instance.
 * @param pkts
 *   The mbufs; reordered.
 * @param n
 *   How many.
 * @return
 *   The number consumed.
 */
uint16_t qosdt_enqueue_classified_burst(struct qosdt *q,
		struct rte_mbuf **pkts, uint16_t n);

/**
 * Dequeue up to @p n messages in scheduling order, shaped at the channel
 * rate; records their queueing latency, and closes the monitoring window
 * when it is due (then, if enabled, the adaptive controller looks at it
 * and may re-tune the scheduler).
 *
 * @param q
 *   The instance.
 * @param pkts
 *   Receives the mbufs.
 * @param n
 *   At most this many.
 * @return
 *   How many.
 */
uint16_t qosdt_dequeue_burst(struct qosdt *q, struct rte_mbuf **pkts,
		uint16_t n);

/**
 * Read the last published per-class statistics (any thread).
 *
 * @param q
 *   The instance.
 * @param stats
 *   Filled.
 */
void qosdt_stats_read(const struct qosdt *q, struct qosdt_stats *stats);

/**
 * Read the instance-wide counters (owning thread).
 *
 * @param q
 *   The instance.
 * @param c
 *   Filled.
 */
void qosdt_counters_read(const struct qosdt *q, struct qosdt_counters *c);

/**
 * The buffer pool of a class (give it to rte_eth_rx_queue_setup(), or
 * allocate from it): its reservation, borrowing from the shared pool.
 *
 * @param q
 *   The instance.
 * @param cls
 *   enum qosdt_class.
 * @return
 *   The pool.
 */
struct rte_mempool *qosdt_pool(const struct qosdt *q, unsigned int cls);

/**
 * The configuration the instance runs with, including run-time changes of
 * the weights and cap (qosdt_sched_set_profile()). Owning thread only:
 * telemetry's /qosdt/config shows the configuration it was created with.
 *
 * @param q
 *   The instance.
 * @return
 *   Its configuration.
 */
const struct qosdt_config *qosdt_config_of(const struct qosdt *q);

/**
 * The class a service's requests get, and their latency objective: what
 * the instance's classifier maps the service id to.
 *
 * @param q
 *   The instance.
 * @param service_id
 *   The service.
 * @param slo_ns
 *   Receives the latency objective, ns (0: none); may be NULL.
 * @return
 *   enum qosdt_class.
 */
unsigned int qosdt_service_class(const struct qosdt *q, uint16_t service_id,
		uint64_t *slo_ns);

/**
 * A request the application makes, of a service it has classified
 * (qosdt_service_class(), once per service): allocated from its class's
 * pool, its header written with room for msg->length bytes of payload
 * (qosdt_msg_build_request(); fill them with qosdt_msg_payload_rw() any
 * time before it is sent), and its QoS metadata set (class, latency
 * objective, service, the time now). Enqueue it with
 * qosdt_enqueue_classified_burst(): the class and the objective ride with
 * the mbuf to the scheduler and the TX queue (qosdt_mbuf_meta()); nothing
 * classifies it again.
 *
 * @param q
 *   The instance (owning thread).
 * @param src
 *   Source MAC address (may be NULL for zeros); the destination is
 *   broadcast.
 * @param msg
 *   The request's header fields: service id, request id, timestamp and
 *   payload length (flags and result are a request's).
 * @param cls
 *   Its class, as qosdt_service_class() gave it for msg->service_id.
 * @param slo_ns
 *   Its latency objective, as qosdt_service_class() gave it.
 * @return
 *   The request, or NULL with rte_errno ENOBUFS (its class's pool and the
 *   shared one are empty), ENOSPC (the frame does not fit a buffer) or
 *   EINVAL (no such class).
 */
struct rte_mbuf *qosdt_request_new(struct qosdt *q,
		const struct rte_ether_addr *src, const struct qosdt_msg *msg,
		unsigned int cls, uint64_t slo_ns);

/**
 * Close the monitoring window if it is due, so that qosdt_stats_read()
 * shows what it recorded (e.g. once traffic has stopped; owning thread).
 *
 * @param q
 *   The instance.
 */
void qosdt_stats_poll(struct qosdt *q);

/**
 * How each class uses its buffers: its own pool, what it borrows from the
 * shared pool, the misses (any thread: a snapshot).
 *
 * @param q
 *   The instance.
 * @param u
 *   Filled.
 */
void qosdt_buffers_read(const struct qosdt *q, struct qosdt_resv_usage *u);

/**
 * Whether the instance runs the adaptive controller (qosdt_adaptive.h),
 * which qosdt_dequeue_burst() runs at each closed monitoring window.
 *
 * @param q
 *   The instance.
 * @return
 *   true if the configuration enables it.
 */
bool qosdt_adaptive_enabled(const struct qosdt *q);

/**
 * What the adaptive controller did: its status (the weights and caps it
 * set, its counters) and the timeline of its changes. Owning thread, or
 * any once the data path has stopped.
 *
 * @param q
 *   The instance.
 * @param st
 *   Filled.
 * @param changes
 *   Receives the timeline, oldest first (valid while the instance is).
 * @param nb_changes
 *   Receives its length.
 * @return
 *   0, or -ENOTSUP when the controller is not enabled (nothing filled).
 */
int qosdt_adaptive_read(const struct qosdt *q, struct qosdt_adaptive_status *st,
		const struct qosdt_adaptive_change **changes,
		unsigned int *nb_changes);

/**
 * The tenants the instance serves (the configuration's "tenants" section,
 * doc/tenants.md): client VMs, each behind a port of its own, each with an
 * rte_sched pipe, buffers, admission queues and a monitor of its own. The
 * calls without "tenant" in their name are tenant 0's (the only one of a
 * single-client instance).
 *
 * @param q
 *   The instance.
 * @return
 *   How many, at least 1.
 */
uint32_t qosdt_nb_tenants(const struct qosdt *q);

/**
 * A tenant's name (tenants.list[i].name, default "tenant<i>").
 *
 * @param q
 *   The instance.
 * @param tenant
 *   The tenant.
 * @return
 *   The name, or NULL for no such tenant.
 */
const char *qosdt_tenant_name(const struct qosdt *q, uint32_t tenant);

/**
 * qosdt_enqueue_burst() for the messages of one tenant (what its port
 * received): classified, then admitted into its queues and its pipe.
 *
 * @param q
 *   The instance.
 * @param tenant
 *   The tenant; messages of one that does not exist are dropped.
 * @param pkts
 *   The frames; reordered as qosdt_enqueue_burst() says.
 * @param n
 *   How many.
 * @return
 *   The number consumed; pkts[k..n) are held back, to offer again with
 *   qosdt_enqueue_tenant_classified_burst().
 */
uint16_t qosdt_enqueue_tenant_burst(struct qosdt *q, uint32_t tenant,
		struct rte_mbuf **pkts, uint16_t n);

/**
 * qosdt_enqueue_classified_burst() for one tenant's messages.
 *
 * @param q
 *   The instance.
 * @param tenant
 *   The tenant.
 * @param pkts
 *   The mbufs; reordered.
 * @param n
 *   How many.
 * @return
 *   The number consumed.
 */
uint16_t qosdt_enqueue_tenant_classified_burst(struct qosdt *q,
		uint32_t tenant, struct rte_mbuf **pkts, uint16_t n);

/**
 * Read one tenant's last published per-class statistics (any thread).
 *
 * @param q
 *   The instance.
 * @param tenant
 *   The tenant.
 * @param stats
 *   Filled.
 * @return
 *   0, or -ENOENT for no such tenant.
 */
int qosdt_tenant_stats_read(const struct qosdt *q, uint32_t tenant,
		struct qosdt_stats *stats);

/**
 * How one tenant's classes use its buffers (any thread: a snapshot).
 *
 * @param q
 *   The instance.
 * @param tenant
 *   The tenant.
 * @param u
 *   Filled.
 * @return
 *   0, or -ENOENT for no such tenant.
 */
int qosdt_tenant_buffers_read(const struct qosdt *q, uint32_t tenant,
		struct qosdt_resv_usage *u);

/**
 * A class's buffer pool in one tenant's reservation (give it to the RX
 * queue of that tenant's port): a tenant that floods empties its own pools
 * only.
 *
 * @param q
 *   The instance.
 * @param tenant
 *   The tenant.
 * @param cls
 *   enum qosdt_class.
 * @return
 *   The pool, or NULL for no such tenant.
 */
struct rte_mempool *qosdt_tenant_pool(const struct qosdt *q, uint32_t tenant,
		unsigned int cls);

#endif /* QOSDT_H */
