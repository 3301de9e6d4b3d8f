/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A role of the qosdt application (server, client) as a table of
 * operations, in the manner of eth_dev_ops or Qdisc_ops: main.c runs the
 * one --role names through it (role_ops_find()) and knows neither. Each
 * role keeps its own state (role_server.c, role_client.c).
 *
 * The order main.c calls them in:
 *   before EAL   load()                      (files a bad run refuses early)
 *   after EAL    qos_config(), rx_pool(), then the port and the pipeline,
 *                setup()
 *   run          start(), the pipeline with worker(worker_arg()),
 *                ready() and report() on every live table
 *   after it     finish(), flush(), report(), conclude()
 *   always       fini(), then, once the QoS instance is freed, free()
 */

#ifndef QOSDT_APP_ROLE_H
#define QOSDT_APP_ROLE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include <qosdt.h>

#include "hop_trace.h"
#include "options.h"
#include "pipeline.h"
#include "report.h"

/**
 * What every role is given: the options, the channel's configuration and
 * which of the process's sessions it runs (a client process emulating
 * several client VMs runs one session each: doc/tenants.md).
 */
struct role_env {
	const struct app_options *opt;
	const struct qosdt_config *cfg;  /**< The channel's, as loaded. */
	volatile bool *quit;             /**< Set to stop the run (a signal). */
	/** Set by the role when this session's work is over; the run stops
	 *  once every session's is (a client process may run several). */
	volatile bool *done;
	unsigned int session;            /**< 0, 1, ... */
	uint16_t port_id;                /**< Its (first) port. */
	const char *scenario_path;       /**< Client: its scenario. */
};

/** The operations of one role. */
struct role_ops {
	/** Its name: the QoS instance's and the report's ("server"). */
	const char *name;
	/** The hops its RX and TX stages stamp (hop_trace.h). */
	enum hop rx_hop;
	enum hop tx_hop;
	/**
	 * Before EAL: take the role's state and open its files, so that a
	 * file it cannot use is refused before the channel's region is
	 * touched. Returns the state, or NULL with the reason printed.
	 */
	void *(*load)(const struct role_env *env);
	/**
	 * The QoS instance's configuration, from a copy of the channel's.
	 * Returns 0, or -1 (reason logged).
	 */
	int (*qos_config)(void *state, struct qosdt_config *qcfg);
	/**
	 * The pool the port receives into, created now and kept by the role
	 * (freed by free()); *pool NULL: the QoS instance's class pools.
	 * Returns 0, or -1 (reason logged).
	 */
	int (*rx_pool)(void *state, struct rte_mempool **pool);
	/**
	 * The worker, once the ports and their pipelines are set up (one per
	 * port: pipes->n of them, macs[i] pipeline i's port's address): 0 or
	 * -1.
	 */
	int (*setup)(void *state, struct qosdt *q, struct pipeline_set *pipes,
		const struct rte_ether_addr *macs);
	/** The worker stage. */
	pipeline_stage_fn worker;
	/**
	 * What cannot wait for the worker's next turn, on worker_arg(): run
	 * between the turns of the other sessions of the process when they
	 * share one lcore (NULL: nothing).
	 */
	pipeline_stage_fn urgent;
	/** Its argument. */
	void *(*worker_arg)(void *state);
	/**
	 * Just before the pipeline runs: say what runs (waiting for the
	 * peer first if the role needs one) and fill the report's fields
	 * that are the role's. Returns 0, or -1 (reason logged).
	 */
	int (*start)(void *state, struct report *r);
	/** Whether a live table has anything to show yet (any thread). */
	bool (*ready)(const void *state);
	/** Its counters into the report (any thread). */
	void (*report)(const void *state, struct report *r);
	/** The pipeline has stopped: resolve what is open. */
	void (*finish)(void *state, struct report *r);
	/** Let monitors of its own publish their last window. */
	void (*flush)(void *state);
	/**
	 * The final report is filled: add what only the role knows (run since
	 * @p start_ns, qosdt_monitor_now_ns()) and say what it must.
	 */
	void (*conclude)(void *state, struct report *r, uint64_t start_ns);
	/** Stop the worker's use of the QoS instance (before it is freed). */
	void (*fini)(void *state);
	/** Free the state and what it holds (a NULL state is a no-op). */
	void (*free)(void *state);
};

/** The server: answers requests with the services (server.h). */
extern const struct role_ops role_server_ops;
/** The client: offers a scenario's load and verifies the replies (client.h). */
extern const struct role_ops role_client_ops;

/**
 * The operations of a role.
 *
 * @param role
 *   enum app_role, as --role gave it.
 * @return
 *   Its table, or NULL for ROLE_NONE.
 */
const struct role_ops *role_ops_find(enum app_role role);

#endif /* QOSDT_APP_ROLE_H */
