/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "qosdt_hist.h"

void
qosdt_hist_reset(struct qosdt_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void
qosdt_hist_merge(struct qosdt_hist *dst, const struct qosdt_hist *src)
{
	unsigned int i;

	for (i = 0; i < QOSDT_HIST_NB_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->max = RTE_MAX(dst->max, src->max);
}

int
qosdt_hist_bucket_bounds(unsigned int index, uint64_t *lower, uint64_t *upper)
{
	unsigned int group = index >> QOSDT_HIST_SUB_BITS;
	unsigned int shift;

	if (index >= QOSDT_HIST_NB_BUCKETS)
		return -EINVAL;
	if (group == 0) {
		*lower = index;
		*upper = index;
		return 0;
	}
	/* Group g >= 1 holds [2^(g+4), 2^(g+5)) in steps of 2^(g-1). */
	shift = group - 1;
	*lower = (uint64_t)((index & (QOSDT_HIST_SUB_COUNT - 1)) |
		QOSDT_HIST_SUB_COUNT) << shift;
	*upper = index == QOSDT_HIST_NB_BUCKETS - 1 ?
		UINT64_MAX : *lower + (UINT64_C(1) << shift) - 1;
	return 0;
}

/* Rank (1-based) of the q-th sample among count: max(1, ceil(q * count)). */
static uint64_t
hist_rank(double q, uint64_t count)
{
	double x = q * (double)count;
	uint64_t rank = (uint64_t)x;

	if ((double)rank < x)
		rank++;
	return RTE_MIN(RTE_MAX(rank, UINT64_C(1)), count);
}

/* What a percentile falling in bucket @p index reports. */
static uint64_t
hist_bucket_report(const struct qosdt_hist *h, unsigned int index)
{
	uint64_t lower, upper;

	qosdt_hist_bucket_bounds(index, &lower, &upper);
	return RTE_MIN(upper, h->max);
}

int
qosdt_hist_percentiles(const struct qosdt_hist *h, const double *q,
		uint64_t *out, unsigned int n)
{
	uint64_t seen = 0;
	unsigned int i, j;

	for (j = 0; j < n; j++)
		if (!(q[j] >= 0.0 && q[j] <= 1.0) || (j > 0 && q[j] < q[j - 1]))
			return -EINVAL;
	if (h->count == 0) {
		memset(out, 0, n * sizeof(*out));
		return 0;
	}
	j = 0;
	for (i = 0; i < QOSDT_HIST_NB_BUCKETS && j < n; i++) {
		seen += h->buckets[i];
		while (j < n && seen >= hist_rank(q[j], h->count))
			out[j++] = hist_bucket_report(h, i);
	}
	return 0;
}

uint64_t
qosdt_hist_percentile(const struct qosdt_hist *h, double q)
{
	uint64_t v;

	if (!(q >= 0.0))
		q = 0.0;
	else if (q > 1.0)
		q = 1.0;
	qosdt_hist_percentiles(h, &q, &v, 1);
	return v;
}

void
qosdt_hist_summary(const struct qosdt_hist *h, struct qosdt_latency_summary *s)
{
	static const double quantiles[] = { 0.5, 0.9, 0.99, 0.999 };
	uint64_t v[RTE_DIM(quantiles)];

	qosdt_hist_percentiles(h, quantiles, v, RTE_DIM(quantiles));
	s->count = qosdt_hist_count(h);
	s->p50_ns = v[0];
	s->p90_ns = v[1];
	s->p99_ns = v[2];
	s->p999_ns = v[3];
	s->max_ns = qosdt_hist_max(h);
}
