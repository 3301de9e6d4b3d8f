/* SPDX-License-Identifier: BSD-3-Clause */

#include <rte_common.h>

#include "qosdt_adaptive_model.h"

static uint64_t
div_ceil(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

void
qosdt_levels_init(struct qosdt_levels *l, uint64_t base, uint64_t step,
		uint64_t min, uint64_t max)
{
	l->base = base;
	l->step = step;
	l->min = min;
	l->max = max;
	l->kmax = (int32_t)div_ceil(max - base, step);
	l->kmin = -(int32_t)div_ceil(base - min, step);
}

uint64_t
qosdt_levels_value(const struct qosdt_levels *l, int32_t k)
{
	if (k >= l->kmax)
		return l->max;
	if (k <= l->kmin)
		return l->min;
	return k >= 0 ? l->base + (uint64_t)k * l->step :
		l->base - (uint64_t)-k * l->step;
}

uint64_t
qosdt_levels_count(uint64_t base, uint64_t step, uint64_t min, uint64_t max)
{
	return div_ceil(max - base, step) + div_ceil(base - min, step) + 1;
}

void
qosdt_wrr_shares(uint64_t capacity, const uint64_t demand[QOSDT_NB_CLASSES],
		const uint8_t weight[QOSDT_NB_CLASSES],
		const bool member[QOSDT_NB_CLASSES],
		uint64_t share[QOSDT_NB_CLASSES])
{
	bool open[QOSDT_NB_CLASSES];
	uint64_t left = capacity, wsum, fair;
	unsigned int c;
	bool settled;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		open[c] = member[c];
		share[c] = 0;
	}
	/* Each round settles at least one class, or shares the rest out. */
	for (;;) {
		wsum = 0;
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			if (open[c])
				wsum += weight[c];
		if (wsum == 0)
			return;
		settled = false;
		for (c = 0; c < QOSDT_NB_CLASSES; c++) {
			fair = (uint64_t)((unsigned __int128)left * weight[c] / wsum);
			if (open[c] && demand[c] <= fair) {
				share[c] = demand[c];
				open[c] = false;
				settled = true;
			}
		}
		if (!settled)
			break;
		left = capacity;
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			if (member[c] && !open[c])
				left -= RTE_MIN(left, share[c]);
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		if (open[c])
			share[c] = (uint64_t)((unsigned __int128)left * weight[c] / wsum);
}
