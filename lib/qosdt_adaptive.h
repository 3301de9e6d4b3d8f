/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * The adaptive controller: re-tunes the scheduler (the WRR weights, the
 * strict classes' rate caps, a sojourn class's AQM target) from the
 * monitor's windows when SLOs slip and the model says what would serve
 * them, within the configuration's bounds; it takes rate from a class only
 * when the model says that class keeps its SLO, undoes a change that made
 * things worse in the next window, and decays back to the baseline when
 * the SLOs hold.
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
	QOSDT_ADAPTIVE_RATE_CAP = 1, /**< A strict class's cap (priority mode), bit/s. */
	QOSDT_ADAPTIVE_AQM_TARGET = 2, /**< A sojourn class's AQM target, ns. */
};

/** What a change did to the violations in the windows after it. */
enum qosdt_adaptive_outcome {
	QOSDT_ADAPTIVE_PENDING = 0, /**< Not judged yet. */
	QOSDT_ADAPTIVE_BETTER = 1,  /**< Fewer class-windows missed after than before. */
	QOSDT_ADAPTIVE_SAME = 2,    /**< As many. */
	QOSDT_ADAPTIVE_WORSE = 3,   /**< More. */
	QOSDT_ADAPTIVE_UNDONE = 4,  /**< A class it took from missed next: undone. */
	QOSDT_ADAPTIVE_REFUSED = 5, /**< A trade not made (last_refused only). */
};

/** Why a trade was refused (qosdt_adaptive_change.hurt_rule). */
enum qosdt_adaptive_rule {
	/** The class it takes from would leave its SLO, in the model. */
	QOSDT_ADAPTIVE_RULE_SLO = 0,
	/** It takes from a higher class (in class order) short already, or
	 * leaves one short that is served: rate moves down the priority order.
	 */
	QOSDT_ADAPTIVE_RULE_PRIORITY = 1,
};

/** Windows before and after a change whose misses it records. */
#define QOSDT_ADAPTIVE_EFFECT_WINDOWS 5u
/** No class (a change that takes from none). */
#define QOSDT_ADAPTIVE_NO_CLASS 0xffu

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
	/** The change before made a class it took from miss: back to where it
	 * was (that class's class-windows missed after, against before).
	 */
	QOSDT_ADAPTIVE_UNDO = 5,
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
	uint64_t seq;        /**< Its index among all changes. */
	/*
	 * The trade: the class that gets less by it, in the model, and what
	 * the model says it keeps (QOSDT_ADAPTIVE_NO_CLASS: it takes from
	 * none). A trade is made only when that class keeps its SLO.
	 */
	uint8_t hurt_cls;
	uint8_t outcome;     /**< enum qosdt_adaptive_outcome. */
	uint8_t windows_before; /**< Windows counted in missed_before (<= 5). */
	uint8_t windows_after;  /**< ... in missed_after. */
	uint8_t hurt_rule;      /**< A refused trade: enum qosdt_adaptive_rule. */
	uint8_t missed_last;    /**< Classes (bits) that missed in the window
				  *   it acted on: the outcome compares the
				  *   windows after with that one. */
	uint8_t missed_before[QOSDT_NB_CLASSES]; /**< Windows each class missed
						   *   in, before it. */
	uint8_t missed_after[QOSDT_NB_CLASSES];  /**< ... after it, until the
						   *   next change (<= 5). */
	uint64_t hurt_get_bps;     /**< What the hurt class gets after. */
	uint64_t hurt_demand_bps;  /**< What it asks (its offered + headroom). */
	uint64_t hurt_p99_ns;      /**< Its queueing p99 the model predicts. */
	uint64_t hurt_objective_ns;/**< Its latency objective (0: none). */
};

/** What one closed window showed of one class. */
struct qosdt_adaptive_class_obs {
	uint32_t slo_missed;     /**< QOSDT_SLO_MISSED_* of the window. */
	uint64_t p99_ns;         /**< Window latency p99. */
	uint32_t loss_ppm;       /**< Window loss. */
	uint64_t throughput_bps; /**< Delivered: the window's, or sliding. */
	uint64_t offered_bps;    /**< Offered (dropped included). */
	/** A strict class: offered to each of its TCs (nb_tc 0: spread
	 * equally over the configuration's TCs).
	 */
	uint32_t nb_tc;
	uint64_t tc_offered_bps[QOSDT_MAX_STRICT_TCS];
	uint32_t frame_bytes;    /**< Mean offered frame (0: max_frame). */
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
	uint64_t unexplained;/**< Misses the model gives no rate reason for:
			       *   no change made. */
	uint64_t trades;     /**< Changes that took rate from another class
			       *   the model says keeps its SLO. */
	uint64_t trades_refused; /**< Changes not made: a class they take
				   *   from would miss its SLO. */
	uint64_t undone;     /**< Changes undone: a class they took from
			       *   missed in the next window. */
};

/** A consistent snapshot, for any thread. */
struct qosdt_adaptive_status {
	uint32_t period_ms;
	uint8_t weight[QOSDT_NB_CLASSES];      /**< Running weights. */
	uint8_t base_weight[QOSDT_NB_CLASSES]; /**< Configured weights. */
	uint64_t rate_cap_bps;       /**< Running REALTIME cap. */
	uint64_t base_rate_cap_bps;  /**< Configured REALTIME cap. */
	uint64_t cap_bps[QOSDT_NB_CLASSES];       /**< Running caps (0: none). */
	uint64_t base_cap_bps[QOSDT_NB_CLASSES];  /**< Configured caps. */
	uint64_t aqm_target_ns[QOSDT_NB_CLASSES]; /**< Running AQM targets
						    *   (0: no sojourn drop). */
	uint64_t base_aqm_target_ns[QOSDT_NB_CLASSES];
	struct qosdt_adaptive_counters counters;
	/** The last trade not made (outcome REFUSED; valid when
	 * counters.trades_refused > 0): the class it was for (for_cls), the
	 * knob it would have turned, and the class it would have hurt.
	 */
	struct qosdt_adaptive_change last_refused;
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
 * Name of a knob ("weight", "rate_cap", "aqm_target").
 *
 * @param knob
 *   enum qosdt_adaptive_knob.
 * @return
 *   A static string, "unknown" for an invalid value.
 */
const char *qosdt_adaptive_knob_name(unsigned int knob);

/**
 * Name of an outcome ("pending", "better", "same", "worse", "undone",
 * "refused").
 *
 * @param outcome
 *   enum qosdt_adaptive_outcome.
 * @return
 *   A static string, "unknown" for an invalid value.
 */
const char *qosdt_adaptive_outcome_name(unsigned int outcome);

/**
 * Name of a reason ("latency", "bandwidth", "loss", "backlog", "decay",
 * "undo").
 *
 * @param reason
 *   enum qosdt_adaptive_reason.
 * @return
 *   A static string, "unknown" for an invalid value.
 */
const char *qosdt_adaptive_reason_name(unsigned int reason);

#endif /* QOSDT_ADAPTIVE_H */
