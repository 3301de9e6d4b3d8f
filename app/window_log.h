/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client's record of every closed monitoring window: per class, which
 * SLO rules the window broke (end to end, and inside the client's own
 * scheduler), its round-trip p99 and its delivered rate. It is the time
 * series behind the results' "windows" (doc/results.md): SLO violations
 * over time, recovery after a load shift, buffer use under a flood.
 */

#ifndef QOSDT_APP_WINDOW_LOG_H
#define QOSDT_APP_WINDOW_LOG_H

#include <stdint.h>

#include <jansson.h>

#include <qosdt.h>

/** One closed window. */
struct window_row {
	uint64_t t_ns;                          /**< Its end, since the start. */
	uint8_t missed[QOSDT_NB_CLASSES];       /**< QOSDT_SLO_MISSED_*, round trip. */
	uint8_t sched_missed[QOSDT_NB_CLASSES]; /**< ... the scheduler's last window. */
	uint64_t p99_ns[QOSDT_NB_CLASSES];      /**< Round-trip p99. */
	uint64_t throughput_bps[QOSDT_NB_CLASSES]; /**< Delivered. */
	uint32_t buf_in_use[QOSDT_NB_CLASSES];  /**< Own-pool mbufs out, at its end. */
	uint32_t buf_borrowed[QOSDT_NB_CLASSES]; /**< Shared-pool mbufs out. */
	uint64_t alloc_fail[QOSDT_NB_CLASSES];  /**< Refused allocations so far. */
};

/** The rows, in a buffer sized at the start (the data path never allocates). */
struct window_log {
	uint32_t n;
	uint32_t cap;
	uint64_t overflow;       /**< Windows that found the buffer full. */
	struct qosdt_resv_usage buffers; /**< The last counts (sizes, caps). */
	struct window_row *rows;
};

/**
 * Allocate room for @p cap windows.
 *
 * @param l
 *   The log (zeroed by the call).
 * @param cap
 *   Windows it can hold.
 * @return
 *   0, or -1 (out of memory).
 */
int window_log_init(struct window_log *l, uint32_t cap);

/**
 * Free the rows (a zeroed log is fine).
 *
 * @param l
 *   The log.
 */
void window_log_free(struct window_log *l);

/**
 * Record the window both monitors last closed.
 *
 * @param l
 *   The log.
 * @param t_ns
 *   Its end, since the start of the run.
 * @param rtt
 *   The round-trip monitor's snapshot.
 * @param sched
 *   The scheduler monitor's snapshot.
 * @param buf
 *   The buffer reservation's counts at the window's end.
 */
void window_log_add(struct window_log *l, uint64_t t_ns,
		const struct qosdt_stats *rtt, const struct qosdt_stats *sched,
		const struct qosdt_resv_usage *buf);

/**
 * The log as the results' "windows" object: {"t_s": [...], "classes":
 * {"<class>": {"missed": [...], "sched_missed": [...], "p99_us": [...],
 * "mbps": [...], "buffers_in_use": [...], "buffers_borrowed": [...],
 * "alloc_fail": [...], "buffers_reserved": N, "borrow_cap": N}},
 * "shared_buffers": N, "overflow": N}.
 *
 * @param l
 *   The log.
 * @return
 *   A new reference, or NULL.
 */
json_t *window_log_json(const struct window_log *l);

#endif /* QOSDT_APP_WINDOW_LOG_H */
