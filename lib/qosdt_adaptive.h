/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * The adaptive controller: re-tunes the scheduler (WRR weights, REALTIME's
 * rate cap) from the monitor's windows when SLOs slip, within the
 * configuration's bounds, and decays back to the baseline when they hold.
 * The law is in doc/adaptive.md.
 *
 * It runs on the thread that owns the scheduler (rte_sched configuration
 * calls must not race its data path, doc/dpdk-notes.md): qosdt_dequeue_burst()
 * calls qosdt_adaptive_poll() for an instance whose configuration enables
 * it. Every change is logged, counted, kept in a timeline and published for
 * other threads (qosdt_adaptive_status_read(), telemetry /qosdt/adaptive).
 *
 * The two halves can be driven apart, deterministically (tests, replays):
 * qosdt_adaptive_window() takes one closed window's observation,
 * qosdt_adaptive_control() acts on what was observed.
 */

#ifndef QOSDT_ADAPTIVE_H
#define QOSDT_ADAPTIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "qosdt_class.h"
#include "qosdt_config.h"

struct qosdt_adaptive;
struct qosdt_monitor;
struct qosdt_sched;

/** Changes the timeline keeps; later ones are applied and counted only. */
#define QOSDT_ADAPTIVE_TIMELINE_MAX 4096u
/** Most recent changes a status snapshot carries. */
#define QOSDT_ADAPTIVE_RECENT 16u

/** The knob a change turned. */
enum qosdt_adaptive_knob {
	QOSDT_ADAPTIVE_WEIGHT = 0,   /**< The class's WRR weight. */
	QOSDT_ADAPTIVE_RATE_CAP = 1, /**< REALTIME's cap (priority mode), bit/s. */
};

/** Why a change was made: what was measured against what. */
enum qosdt_adaptive_reason {
	/** Window p99 above the class's max latency (ns against ns). */
	QOSDT_ADAPTIVE_LATENCY = 0,
	/** Delivered below the floor with enough offered (bit/s against bit/s). */
	QOSDT_ADAPTIVE_BANDWIDTH = 1,
	/** Window loss above the class's bound (ppm against ppm). */
	QOSDT_ADAPTIVE_LOSS = 2,
	/** A lossless class's queue near its limit (slots against limit). */
	QOSDT_ADAPTIVE_BACKLOG = 3,
	/** Healthy long enough: a step back to the baseline (windows against
	 * the windows required).
	 */
	QOSDT_ADAPTIVE_DECAY = 4,
};

/** One change of one knob. */
struct qosdt_adaptive_change {
	uint64_t time_ns;    /**< When, on qosdt_monitor_now_ns()'s clock. */
	uint8_t cls;         /**< The class whose knob changed. */
	uint8_t knob;        /**< enum qosdt_adaptive_knob. */
	uint8_t reason;      /**< enum qosdt_adaptive_reason. */
	uint8_t for_cls;     /**< The class it serves: another one when @p cls
			       *   gave up weight to it (a donor). */
	uint64_t from;       /**< Old value (weight, or bit/s). */
	uint64_t to;         /**< New value. */
	uint64_t measured;   /**< What triggered it (unit: see the reason). */
	uint64_t objective;  /**< What it was measured against. */
};

/** What one closed window showed of one class. */
struct qosdt_adaptive_class_obs {
	uint32_t slo_missed;     /**< QOSDT_SLO_MISSED_* of the window. */
	uint64_t p99_ns;         /**< Window latency p99. */
	uint32_t loss_ppm;       /**< Window loss. */
	uint64_t throughput_bps; /**< Delivered: the window's, or sliding. */
	uint64_t offered_bps;    /**< Offered (dropped included). */
	uint32_t backlog;        /**< Queued now. */
	uint32_t limit;          /**< Queue limit. */
	uint64_t held;           /**< Hold events in the window (lossless). */
};

/** One closed window of every class. */
struct qosdt_adaptive_obs {
	uint64_t now_ns;         /**< When it was taken. */
	struct qosdt_adaptive_class_obs cls[QOSDT_NB_CLASSES];
};

/** What the controller did so far. */
struct qosdt_adaptive_counters {
	uint64_t windows;    /**< Windows observed. */
	uint64_t controls;   /**< Control steps taken. */
	uint64_t changes;    /**< Knob changes applied (all kinds). */
	uint64_t raises;     /**< ... raising a class that missed its SLO. */
	uint64_t donations;  /**< ... lowering a lower class to feed one. */
	uint64_t decays;     /**< ... stepping back toward the baseline. */
	uint64_t at_bound;   /**< Misses it could do nothing more for. */
	uint64_t backoffs;   /**< Decays undone by a miss (decay slowed down). */
	uint64_t refused;    /**< Profiles the scheduler refused (expect 0). */
	uint64_t unrecorded; /**< Changes past the timeline's capacity. */
};

/** A consistent snapshot, for any thread. */
struct qosdt_adaptive_status {
	uint32_t period_ms;
	uint8_t weight[QOSDT_NB_CLASSES];      /**< Running weights. */
	uint8_t base_weight[QOSDT_NB_CLASSES]; /**< Configured weights. */
	uint64_t rate_cap_bps;       /**< Running REALTIME cap. */
	uint64_t base_rate_cap_bps;  /**< Configured REALTIME cap. */
	struct qosdt_adaptive_counters counters;
	uint32_t nb_recent;          /**< Valid entries of recent[]. */
	struct qosdt_adaptive_change recent[QOSDT_ADAPTIVE_RECENT]; /**< Oldest first. */
};

/**
 * Create a controller for a scheduler built from @p cfg (the baseline it
 * decays back to; cfg->adaptive gives its period, steps and bounds).
 *
 * @param cfg
 *   A validated configuration.
 * @param socket
 *   NUMA socket, or SOCKET_ID_ANY.
 * @return
 *   The controller, or NULL (rte_errno set).
 */
struct qosdt_adaptive *qosdt_adaptive_create(const struct qosdt_config *cfg,
		int socket);

/**
 * Free a controller (NULL is a no-op).
 *
 * @param a
 *   The controller.
 */
void qosdt_adaptive_free(struct qosdt_adaptive *a);

/**
 * Record one closed window (owner thread): updates each class's run of
 * healthy windows and what it missed since the last control step.
 *
 * @param a
 *   The controller.
 * @param obs
 *   The window.
 */
void qosdt_adaptive_window(struct qosdt_adaptive *a,
		const struct qosdt_adaptive_obs *obs);

/**
 * One control step on the windows recorded since the last one (owner
 * thread): raises what missed, decays what held, applies the result with
 * qosdt_sched_set_profile() and records every change.
 *
 * @param a
 *   The controller.
 * @param s
 *   The scheduler to apply to, or NULL to decide and record only.
 * @param now_ns
 *   The time the changes are recorded at.
 * @return
 *   The number of knob changes applied (0: none), or the scheduler's
 *   negative errno (nothing applied, counted as refused).
 */
int qosdt_adaptive_control(struct qosdt_adaptive *a, struct qosdt_sched *s,
		uint64_t now_ns);

/**
 * The data-path hook (owner thread; cheap when nothing is due): when the
 * monitor closed a window since the last call, observe it; when a control
 * period has passed, take a control step.
 *
 * @param a
 *   The controller.
 * @param s
 *   The scheduler it tunes.
 * @param mon
 *   The monitor the scheduler reports to.
 * @param now_ns
 *   qosdt_monitor_now_ns().
 * @return
 *   As qosdt_adaptive_control(), 0 when no step was due.
 */
int qosdt_adaptive_poll(struct qosdt_adaptive *a, struct qosdt_sched *s,
		const struct qosdt_monitor *mon, uint64_t now_ns);

/**
 * Read a consistent snapshot of the controller (any thread).
 *
 * @param a
 *   The controller.
 * @param st
 *   Filled.
 */
void qosdt_adaptive_status_read(const struct qosdt_adaptive *a,
		struct qosdt_adaptive_status *st);

/**
 * The timeline: every change recorded, oldest first (owner thread, or once
 * it has stopped).
 *
 * @param a
 *   The controller.
 * @param changes
 *   Set to the array.
 * @return
 *   Its length (at most QOSDT_ADAPTIVE_TIMELINE_MAX).
 */
unsigned int qosdt_adaptive_timeline(const struct qosdt_adaptive *a,
		const struct qosdt_adaptive_change **changes);

/**
 * Name of a knob ("weight", "rate_cap").
 *
 * @param knob
 *   enum qosdt_adaptive_knob.
 * @return
 *   A static string, "unknown" for an invalid value.
 */
const char *qosdt_adaptive_knob_name(unsigned int knob);

/**
 * Name of a reason ("latency", "bandwidth", "loss", "backlog", "decay").
 *
 * @param reason
 *   enum qosdt_adaptive_reason.
 * @return
 *   A static string, "unknown" for an invalid value.
 */
const char *qosdt_adaptive_reason_name(unsigned int reason);

#endif /* QOSDT_ADAPTIVE_H */
