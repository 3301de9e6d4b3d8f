/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * What one tenant of an instance gets (doc/tenants.md): a configuration of
 * its own, with its weighted share of the buffers and of the queue slots
 * (its buffer reservation and its admission queues are built from it), the
 * rate of its rte_sched pipe and the cap of its realtime express path.
 * Internal to lib/.
 */

#ifndef QOSDT_TENANT_H
#define QOSDT_TENANT_H

#include <stdint.h>

#include "qosdt_config.h"

/**
 * Longest instance name with several tenants: each tenant's pools are
 * named "<name>.<index>", within the 16 characters of a reservation's name.
 */
#define QOSDT_TENANT_POOL_PREFIX 13

/**
 * A tenant's own configuration: @p cfg with buffers.count, the shared pool,
 * every borrow cap and scheduler.queue_slots scaled to the tenant's share
 * (qosdt_config_tenant_buffers(), qosdt_config_tenant_queue_slots()), the
 * derived class sizes recomputed. With one tenant, @p cfg itself.
 *
 * @param cfg
 *   A validated configuration.
 * @param tenant
 *   The tenant, < cfg->tenants.nb.
 * @param out
 *   Filled.
 */
void qosdt_tenant_config(const struct qosdt_config *cfg, unsigned int tenant,
		struct qosdt_config *out);

/**
 * The rate of a tenant's rte_sched pipe, bits/s: its cap
 * (tenants.list[i].rate), else the capacity.
 *
 * @param cfg
 *   The configuration.
 * @param tenant
 *   The tenant.
 * @return
 *   The rate.
 */
uint64_t qosdt_tenant_pipe_bps(const struct qosdt_config *cfg,
		unsigned int tenant);

/**
 * A strict class's cap for one tenant, bits/s: the class's cap (a share of
 * one channel) scaled to the tenant's weighted share of the capacity, at
 * most its pipe's rate; 0 when the class has no cap. With one tenant, the
 * class's cap.
 *
 * @param cfg
 *   The configuration.
 * @param tenant
 *   The tenant.
 * @param cap_bps
 *   The class's cap to scale (the configuration's, or one the adaptive
 *   controller set).
 * @return
 *   The tenant's cap.
 */
uint64_t qosdt_tenant_cap_bps(const struct qosdt_config *cfg,
		unsigned int tenant, uint64_t cap_bps);

#endif /* QOSDT_TENANT_H */
