/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server role (the service VM): requests from the class queues are
 * classified and scheduled by the QoS core, served in scheduling order by
 * the 15 services (binary or the original's semantics, --services), and
 * answered in place on their class's queue. The lossless classes' requests
 * are served once each: a duplicate (a request the client sent again after
 * a restart) is answered with the reply kept in the dedup table (dedup.h).
 */

#ifndef QOSDT_APP_SERVER_H
#define QOSDT_APP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "dedup.h"
#include "pipeline.h"
#include "report.h"
#include "services.h"
#include "services_hvisor.h"

struct qosdt;

/** The server's worker state. */
struct server {
	struct qosdt *q;             /**< Its QoS instance. */
	/** The rings it reads and feeds: pipeline i is tenant i's port's. */
	struct pipeline_set *pipes;
	/** Our address on each port, the replies' source. */
	struct rte_ether_addr mac[QOSDT_MAX_TENANTS];
	/** The tenant (pipeline) of each port the server serves. */
	uint8_t tenant_of_port[RTE_MAX_ETHPORTS];
	volatile bool *finished;     /**< Set when end_tsc has passed. */
	uint64_t end_tsc;            /**< Stop then (0: when stopped). */
	/** The original's generator states; NULL: binary semantics. */
	struct svc_hvisor_state *hvisor;
	struct svc_hvisor_state hvisor_state; /**< What hvisor points to. */
	/** Requests a lossless class held back, per tenant and RX ring. */
	struct pipeline_held held[QOSDT_MAX_TENANTS][QOSDT_NB_CLASSES];
	/** The lossless classes' dedup table of each tenant; NULL: that
	 *  tenant's requests are all served. */
	struct dedup *dedup[QOSDT_MAX_TENANTS];
	bool lossless[QOSDT_NB_CLASSES]; /**< Classes with "drop": "none". */
	/* Written by the worker, read by the stats tick (relaxed atomics). */
	uint64_t malformed;          /**< Frames that were not messages. */
	uint64_t refused;            /**< Valid messages that were no request. */
	uint64_t failed[QOSDT_NB_CLASSES]; /**< Answered FAIL (no room). */
};

/**
 * Set up the server's worker.
 *
 * @param s
 *   The state (zeroed by the call).
 * @param q
 *   The QoS instance (the server's scheduler).
 * @param pipes
 *   The pipelines whose rings the worker reads and feeds: one per port,
 *   pipeline i serving tenant i of @p q.
 * @param macs
 *   Each port's MAC address.
 * @param duration_s
 *   Stop after this long (0: until the run is stopped).
 * @param finished
 *   Set by the worker when the duration has passed.
 * @param sem
 *   The services' semantics (the original's generators start afresh).
 */
void server_init(struct server *s, struct qosdt *q, struct pipeline_set *pipes,
		const struct rte_ether_addr *macs, double duration_s,
		volatile bool *finished, enum svc_semantics sem);

/**
 * Serve tenant @p tenant's lossless requests once each, remembering them
 * in @p d (server_init() leaves it off). Each tenant has a table of its
 * own: request ids are the client VM's, and one table would let a tenant
 * evict, or be answered from, another's entries (doc/tenants.md).
 *
 * @param s
 *   The server.
 * @param tenant
 *   The tenant (its port's pipeline), below qosdt_nb_tenants().
 * @param d
 *   An open table, used by the worker only from now on; NULL: off.
 */
void server_set_dedup(struct server *s, unsigned int tenant, struct dedup *d);

/**
 * Serve a request once: a request @p d holds as served (same id, service,
 * length and payload) is answered with the kept reply and its service does
 * not run; any other is served (server_serve()) and its reply kept.
 *
 * @param m
 *   A frame, as for server_serve().
 * @param mac
 *   The replying port's address.
 * @param hvisor
 *   As for server_serve().
 * @param d
 *   The table.
 * @return
 *   As server_serve(): the result written, or -1 if @p m is not a request
 *   (left unchanged, not remembered).
 */
int server_serve_once(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		struct svc_hvisor_state *hvisor, struct dedup *d);

/**
 * Free the requests the worker still holds back (a server_init()ed or
 * zeroed state).
 *
 * @param s
 *   The server.
 */
void server_fini(struct server *s);

/**
 * The worker stage: admit requests into the scheduler, serve what it
 * dequeues, pass the replies to the TX stage.
 *
 * @param arg
 *   struct server.
 * @return
 *   Messages handled.
 */
unsigned int server_stage_worker(void *arg);

/**
 * Serve one request in place: run its service on the payload and turn the
 * frame into the reply (REPLY flag, result, length, addresses).
 *
 * Binary semantics (@p hvisor NULL): the reply is the service's output;
 * unknown service: NOT_EXIST and an empty payload; a reply that does not
 * fit the buffer: FAIL and an empty payload. The original's semantics:
 * the payload is rewritten in place and keeps its length; unknown service:
 * NOT_EXIST and the payload as it came.
 *
 * @param m
 *   A frame, owned by the caller, in one segment (what the QoS core admits:
 *   at most channel.max_frame bytes, which fit one buffer).
 * @param mac
 *   The replying port's address.
 * @param hvisor
 *   NULL for the binary semantics (services.h); else the original's
 *   (services_hvisor.h), with these generator states.
 * @return
 *   The result written (enum qosdt_msg_result), or -1 if @p m is not a
 *   request (malformed, already a reply or carrying a result, or in more
 *   than one segment): left unchanged.
 */
int server_serve(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		struct svc_hvisor_state *hvisor);

/**
 * Fill a report from the server's counters (any thread).
 *
 * @param s
 *   The server.
 * @param r
 *   Its class entries and malformed are filled; the caller sets the rest.
 */
void server_report(const struct server *s, struct report *r);

#endif /* QOSDT_APP_SERVER_H */
