/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * Per-class monitoring: counters, throughput over a sliding window, latency
 * histograms and SLO violations per window.
 *
 * One thread writes (the data path: the qosdt_monitor_* recording calls and
 * qosdt_monitor_poll()); it never takes a lock. At the end of each window
 * qosdt_monitor_poll() publishes a snapshot that any other thread reads with
 * qosdt_monitor_read() (telemetry, the app's stats printer, the adaptive
 * controller).
 *
 * Windows: a window closes at the first poll at least window_ms after the
 * previous close (or the start) and covers exactly the time in between.
 * Each closed window is judged against the class's SLO on its own numbers.
 * The rates throughput_bps and offered_bps slide over the last
 * QOSDT_MONITOR_RATE_WINDOWS closed windows (bytes over their summed
 * durations). See doc/monitoring.md.
 */

#ifndef QOSDT_MONITOR_H
#define QOSDT_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "qosdt_class.h"
#include "qosdt_config.h"
#include "qosdt_hist.h"

struct qosdt_monitor;

/** Closed windows the sliding rates (throughput_bps, offered_bps) span. */
#define QOSDT_MONITOR_RATE_WINDOWS 4u

/** Bits of qosdt_class_stats.slo_missed: the rules the last window broke. */
#define QOSDT_SLO_MISSED_LATENCY   (1u << 0) /**< Window p99 above max_latency_ns. */
#define QOSDT_SLO_MISSED_BANDWIDTH (1u << 1) /**< Offered >= floor, delivered < floor. */
#define QOSDT_SLO_MISSED_LOSS      (1u << 2) /**< Window loss above max_loss_ppm. */


/** What one class did: totals since creation, and the last closed window. */
struct qosdt_class_stats {
	uint64_t rx_pkts;            /**< Offered to the class (enqueue calls). */
	uint64_t rx_bytes;
	uint64_t tx_pkts;            /**< Sent (dequeued) by the class. */
	uint64_t tx_bytes;
	uint64_t drop_pkts;          /**< Dropped (tail or RED). */
	uint64_t drop_bytes;
	uint64_t held_pkts;          /**< Held back (lossless class, backpressure). */
	uint64_t throughput_bps;     /**< tx rate over the sliding window. */
	uint64_t offered_bps;        /**< rx rate over the sliding window. */
	struct qosdt_latency_summary latency;        /**< Since creation. */
	struct qosdt_latency_summary window_latency; /**< Last window. */
	uint64_t latency_violations; /**< Samples above their latency SLO. */
	uint64_t slo_violation_windows; /**< Windows in which an SLO was missed. */
	bool slo_met;                /**< The last window met every SLO. */
	/* The last window's own numbers, those its SLO was judged on: */
	uint64_t window_throughput_bps; /**< tx rate of the last window. */
	uint64_t window_offered_bps; /**< rx rate of the last window. */
	uint32_t window_loss_ppm;    /**< drop / rx of the last window, ppm. */
	uint32_t slo_missed;         /**< QOSDT_SLO_MISSED_* of the last window. */
};

/** A published snapshot of every class. */
struct qosdt_stats {
	uint64_t windows;            /**< Windows closed so far. */
	uint64_t uptime_ns;          /**< Since creation, at the snapshot. */
	uint64_t window_ns;          /**< Window length. */
	struct qosdt_class_stats cls[QOSDT_NB_CLASSES];
};

/**
 * Create a monitor.
 *
 * @param cfg
 *   The configuration: window length (window_ms) and each class's SLO.
 * @param socket
 *   NUMA socket for the memory, or SOCKET_ID_ANY.
 * @return
 *   The monitor, or NULL (rte_errno set).
 */
struct qosdt_monitor *qosdt_monitor_create(const struct qosdt_config *cfg,
		int socket);

/**
 * Free a monitor (NULL is a no-op). Detach it from telemetry first.
 *
 * @param mon
 *   The monitor.
 */
void qosdt_monitor_free(struct qosdt_monitor *mon);

/**
 * Forget everything recorded and start the first window at @p now_ns
 * (writer thread only); publishes the zeroed snapshot. A monitor starts
 * itself at creation with qosdt_monitor_now_ns(): call this to restart it,
 * or to run it on a clock of your own (tests, replays).
 *
 * @param mon
 *   The monitor.
 * @param now_ns
 *   The start of the first window.
 */
void qosdt_monitor_reset(struct qosdt_monitor *mon, uint64_t now_ns);

/**
 * Count messages offered to a class (writer thread only).
 *
 * @param mon
 *   The monitor.
 * @param cls
 *   enum qosdt_class.
 * @param pkts
 *   Messages.
 * @param bytes
 *   Their bytes.
 */
void qosdt_monitor_rx(struct qosdt_monitor *mon, unsigned int cls,
		uint32_t pkts, uint64_t bytes);

/**
 * Count messages a class sent (writer thread only).
 *
 * @param mon
 *   The monitor.
 * @param cls
 *   enum qosdt_class.
 * @param pkts
 *   Messages.
 * @param bytes
 *   Their bytes.
 */
void qosdt_monitor_tx(struct qosdt_monitor *mon, unsigned int cls,
		uint32_t pkts, uint64_t bytes);

/**
 * Count messages a class dropped (writer thread only).
 *
 * @param mon
 *   The monitor.
 * @param cls
 *   enum qosdt_class.
 * @param pkts
 *   Messages.
 * @param bytes
 *   Their bytes.
 */
void qosdt_monitor_drop(struct qosdt_monitor *mon, unsigned int cls,
		uint32_t pkts, uint64_t bytes);

/**
 * Count messages a lossless class held back (writer thread only).
 *
 * @param mon
 *   The monitor.
 * @param cls
 *   enum qosdt_class.
 * @param pkts
 *   Messages.
 */
void qosdt_monitor_held(struct qosdt_monitor *mon, unsigned int cls,
		uint32_t pkts);

/**
 * Record one latency sample (writer thread only).
 *
 * @param mon
 *   The monitor.
 * @param cls
 *   enum qosdt_class.
 * @param ns
 *   The latency.
 * @param slo_ns
 *   The sample's own latency objective (per-service), 0 for none: a sample
 *   above it counts as a violation.
 */
void qosdt_monitor_latency(struct qosdt_monitor *mon, unsigned int cls,
		uint64_t ns, uint64_t slo_ns);

/**
 * Record @p n latency samples of one class that are all @p ns: the same
 * as @p n qosdt_monitor_latency() calls with their own objectives, told
 * by how many are above theirs and how many have none.
 *
 * @param mon
 *   The monitor.
 * @param cls
 *   enum qosdt_class.
 * @param ns
 *   The latency of every sample.
 * @param n
 *   How many samples.
 * @param over_slo
 *   How many of them have an objective (non-zero) below @p ns.
 * @param no_slo
 *   How many of them have no objective (0).
 */
void qosdt_monitor_latency_n(struct qosdt_monitor *mon, unsigned int cls,
		uint64_t ns, uint32_t n, uint32_t over_slo, uint32_t no_slo);

/**
 * Close the window if it is due and publish a snapshot (writer thread
 * only; call it from the data-path loop, it is cheap when nothing is due).
 *
 * @param mon
 *   The monitor.
 * @param now_ns
 *   The current time, ns, on the clock of qosdt_monitor_now_ns().
 * @return
 *   1 if a window was closed, 0 otherwise.
 */
int qosdt_monitor_poll(struct qosdt_monitor *mon, uint64_t now_ns);

/**
 * Read the last published snapshot (any thread).
 *
 * @param mon
 *   The monitor.
 * @param stats
 *   Filled with a consistent snapshot.
 */
void qosdt_monitor_read(const struct qosdt_monitor *mon,
		struct qosdt_stats *stats);

/**
 * A class's latency histogram over every closed window since creation or
 * the last reset: what qosdt_class_stats.latency summarises, bucket by
 * bucket (a CDF's data). It is the writer's own copy, not a snapshot: read
 * it on the writer's thread, or once the writer has stopped.
 *
 * @param mon
 *   The monitor.
 * @param cls
 *   enum qosdt_class.
 * @return
 *   The histogram.
 */
const struct qosdt_hist *qosdt_monitor_latency_hist(
		const struct qosdt_monitor *mon, unsigned int cls);

/**
 * The monitor's clock: TSC-based nanoseconds.
 *
 * @return
 *   Nanoseconds since an arbitrary origin.
 */
uint64_t qosdt_monitor_now_ns(void);

#endif /* QOSDT_MONITOR_H */
