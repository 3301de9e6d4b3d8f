/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * The sojourn-time drop: an active queue management for a class that is
 * offered more than its share (drop "sojourn" in the config).
 *
 * An arrival is dropped when the time it would wait exceeds the class's
 * target: its class's backlog in bytes over the rate at which the class
 * has been sending (the departure rate, measured as PIE measures it: the
 * time the class takes to send a stretch of bytes while it stays
 * backlogged). Deciding at arrival, not at the head:
 * - a burst (a producer catching up after a pause, a flow's own burst) is
 *   cut to the target at once, where a signal taken from the messages
 *   leaving (CoDel's) would let the whole burst in first;
 * - no channel credit is spent on a message that is then thrown away;
 * - an open-loop overload, which no drop rate slows down (unlike TCP), is
 *   held at a standing delay of the target while the class keeps its queue
 *   busy, and so its whole share.
 * doc/qos_core.md gives the reasoning and the measurements.
 *
 * Times are in any one monotonic unit (the scheduler uses TSC cycles; the
 * unit test a fake clock). One thread only, like the scheduler.
 */

#ifndef QOSDT_AQM_H
#define QOSDT_AQM_H

#include <stdbool.h>
#include <stdint.h>

/** Bytes a departure-rate measurement spans (PIE's dq_threshold is 16 KB). */
#define QOSDT_AQM_MEASURE_BYTES (32u * 1024)

/** The drop state of one queue. */
struct qosdt_aqm {
	double target;          /**< The delay kept to. */
	double rate;            /**< Departure rate, bytes per time unit (smoothed). */
	uint64_t floor_bytes;   /**< The backlog never dropped below. */
	uint64_t limit_bytes;   /**< target x rate, at least floor_bytes. */
	uint64_t measure_start; /**< When the measurement in progress began. */
	uint64_t measure_bytes; /**< Bytes sent since. */
	bool measuring;         /**< The queue has stayed backlogged since measure_start. */
	bool measured;          /**< rate holds a measurement (else the initial guess). */
};

/**
 * Recompute the backlog limit from the target and the rate (internal).
 *
 * @param a
 *   The state.
 */
static inline void
qosdt_aqm_set_limit(struct qosdt_aqm *a)
{
	double limit = a->target * a->rate;

	a->limit_bytes = limit > (double)a->floor_bytes ?
		(uint64_t)limit : a->floor_bytes;
}

/**
 * Set a queue's drop state up.
 *
 * @param a
 *   The state.
 * @param target
 *   The delay to keep to.
 * @param rate
 *   The departure rate assumed until one is measured, bytes per time unit
 *   (the channel's: the most the class could get).
 * @param floor_bytes
 *   A backlog this small is never dropped (a couple of largest frames).
 */
static inline void
qosdt_aqm_init(struct qosdt_aqm *a, double target, double rate,
		uint64_t floor_bytes)
{
	a->target = target;
	a->rate = rate;
	a->floor_bytes = floor_bytes;
	a->measure_start = 0;
	a->measure_bytes = 0;
	a->measuring = false;
	a->measured = false;
	qosdt_aqm_set_limit(a);
}

/**
 * A message of the queue left the scheduler.
 *
 * @param a
 *   The state.
 * @param now
 *   When it left.
 * @param bytes
 *   Its length.
 * @param backlog
 *   The queue's messages left behind it (0: the queue is empty, and the
 *   time until it fills again is not sending time).
 */
static inline void
qosdt_aqm_dequeued(struct qosdt_aqm *a, uint64_t now, uint32_t bytes,
		uint32_t backlog)
{
	if (!a->measuring) {
		/* Sending starts with this message: time from here. */
		a->measuring = backlog != 0;
		a->measure_start = now;
		a->measure_bytes = 0;
		return;
	}
	a->measure_bytes += bytes;
	if (a->measure_bytes >= QOSDT_AQM_MEASURE_BYTES &&
			now > a->measure_start) {
		double r = (double)a->measure_bytes / (double)(now - a->measure_start);

		a->rate = a->measured ? 0.75 * a->rate + 0.25 * r : r;
		a->measured = true;
		qosdt_aqm_set_limit(a);
		a->measure_start = now;
		a->measure_bytes = 0;
	}
	if (backlog == 0)
		a->measuring = false;
}

/**
 * The thread that owns the queue did not run for @p gap (a host stall, the
 * thread preempted): that time was nobody's sending time, so a measurement
 * in progress leaves it out. Without this one stall in a measurement
 * would read as a slow class, and its limit would drop a light load long
 * after (the rate is measured again only while the class stays
 * backlogged). Time the scheduler spent on other classes while this one
 * waited still counts: that is the class's share.
 * @param a
 *   The state.
 * @param gap
 *   How long the owning thread was away.
 */
static inline void
qosdt_aqm_paused(struct qosdt_aqm *a, uint64_t gap)
{
	if (a->measuring)
		a->measure_start += gap;
}

/**
 * Whether an arrival is dropped: it would wait longer than the target.
 *
 * @param a
 *   The state.
 * @param backlog_bytes
 *   The bytes of the queue ahead of it.
 * @return
 *   true to drop it.
 */
static inline bool
qosdt_aqm_drop(const struct qosdt_aqm *a, uint64_t backlog_bytes)
{
	return backlog_bytes >= a->limit_bytes;
}

#endif /* QOSDT_AQM_H */
