/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * What the adaptive controller reasons with (internal to lib/):
 * - the quantised levels of a knob, so that the set of rte_sched profiles
 *   it can ever use is finite and known in advance (profiles are
 *   append-only);
 * - a fluid model of the WRR traffic class: the weighted max-min fair share
 *   each class gets of a capacity, given what each one offers.
 */

#ifndef QOSDT_ADAPTIVE_MODEL_H
#define QOSDT_ADAPTIVE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "qosdt_class.h"

/**
 * The levels of a knob: level k is base + k x step clamped to [min, max],
 * for k in [kmin, kmax]; level 0 is the baseline.
 */
struct qosdt_levels {
	uint64_t base;
	uint64_t step;
	uint64_t min;
	uint64_t max;
	int32_t kmin;   /**< Lowest level (<= 0): it is min. */
	int32_t kmax;   /**< Highest level (>= 0): it is max. */
};

/**
 * Set up the levels of a knob.
 *
 * @param l
 *   Filled.
 * @param base
 *   The baseline, min <= base <= max.
 * @param step
 *   The step, > 0.
 * @param min
 *   The lower bound.
 * @param max
 *   The upper bound.
 */
void qosdt_levels_init(struct qosdt_levels *l, uint64_t base, uint64_t step,
		uint64_t min, uint64_t max);

/**
 * The value of level @p k (clamped to [kmin, kmax]).
 *
 * @param l
 *   The levels.
 * @param k
 *   The level.
 * @return
 *   Its value.
 */
uint64_t qosdt_levels_value(const struct qosdt_levels *l, int32_t k);

/**
 * How many distinct values a knob can take.
 *
 * @param base
 *   The baseline.
 * @param step
 *   The step, > 0.
 * @param min
 *   The lower bound, <= base.
 * @param max
 *   The upper bound, >= base.
 * @return
 *   The number of levels.
 */
uint64_t qosdt_levels_count(uint64_t base, uint64_t step, uint64_t min,
		uint64_t max);

/** A demand the model cannot bound (a lossless class pushed back). */
#define QOSDT_DEMAND_UNBOUNDED UINT64_MAX

/**
 * Weighted max-min fair shares of a byte-level WRR scheduler: the classes
 * that offer less than their weighted share get what they offer, and what
 * they leave is shared among the others by weight, until every class is
 * either satisfied or limited by its share.
 *
 * @param capacity
 *   What the WRR classes share, bit/s.
 * @param demand
 *   What each class offers, bit/s (QOSDT_DEMAND_UNBOUNDED: as much as it
 *   gets); ignored for a class not in @p member.
 * @param weight
 *   Each class's weight.
 * @param member
 *   Which classes take part (the others get 0).
 * @param share
 *   Filled: each class's share, bit/s.
 */
void qosdt_wrr_shares(uint64_t capacity,
		const uint64_t demand[QOSDT_NB_CLASSES],
		const uint8_t weight[QOSDT_NB_CLASSES],
		const bool member[QOSDT_NB_CLASSES],
		uint64_t share[QOSDT_NB_CLASSES]);

#endif /* QOSDT_ADAPTIVE_MODEL_H */
