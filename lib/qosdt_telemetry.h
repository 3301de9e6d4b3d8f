/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * DPDK telemetry commands under /qosdt/ (query them with
 * `dpdk-telemetry.py -f PREFIX`):
 *   /qosdt/stats    per class: counters, throughput, latency, SLO
 *   /qosdt/buffers  per class: reserved, in use, borrowed, cap
 *   /qosdt/config   the running configuration, summarised
 *   /qosdt/adaptive the adaptive controller: running vs baseline weights
 *                   and cap, counters, the last changes
 * The callbacks run on the telemetry thread and read only published
 * snapshots.
 */

#ifndef QOSDT_TELEMETRY_H
#define QOSDT_TELEMETRY_H

#include "qosdt_adaptive.h"
#include "qosdt_config.h"
#include "qosdt_monitor.h"
#include "qosdt_resv.h"

/** What the telemetry commands report on. Any pointer may be NULL. */
struct qosdt_telemetry_source {
	const struct qosdt_config *cfg;         /**< Its tenants' names too. */
	uint32_t nb_tenants;                    /**< Entries of mon and resv. */
	const struct qosdt_monitor *const *mon; /**< One per tenant. */
	const struct qosdt_resv *const *resv;   /**< One per tenant. */
	const struct qosdt_adaptive *adaptive;  /**< NULL: not enabled. */
};

/**
 * Register the commands (first call only) and make them report on @p src.
 * One source at a time: detach the current one first. The pointed-to
 * objects must stay alive until qosdt_telemetry_detach().
 *
 * @param src
 *   The source; copied.
 * @return
 *   0, -EBUSY if a source is attached, or a negative errno if the commands
 *   cannot be registered.
 */
int qosdt_telemetry_attach(const struct qosdt_telemetry_source *src);

/**
 * Stop reporting: the commands answer with empty dictionaries. Returns only
 * when no callback is reading the old source any more.
 */
void qosdt_telemetry_detach(void);

#endif /* QOSDT_TELEMETRY_H */
