/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * A fixed-size log-linear latency histogram (in the manner of HdrHistogram).
 *
 * Values are nanoseconds. Values below 2^(QOSDT_HIST_SUB_BITS + 1) each
 * have a bucket of their own. Above that, each power of two [2^m, 2^(m+1))
 * is split into QOSDT_HIST_SUB_COUNT equal buckets, so a bucket is never
 * wider than 1/QOSDT_HIST_SUB_COUNT of its lower bound: the relative error
 * of a reported value is at most 1/32.
 *
 * The buckets cover [0, 2^QOSDT_HIST_MAX_BITS) ns (about 18 minutes); a
 * larger value is counted in the last bucket, and max stays exact.
 *
 * One thread records into a histogram; nothing is locked. A histogram is a
 * plain structure: embed it, copy it, merge it; recording never allocates.
 *
 * Percentile convention: qosdt_hist_percentile(h, q) finds the sample of
 * rank ceil(q * count) (computed in double precision, at least 1) in
 * ascending order and returns the upper bound of the bucket holding it,
 * capped at the exact max. The result is never below the true value and
 * lies in the same bucket.
 */

#ifndef QOSDT_HIST_H
#define QOSDT_HIST_H

#include <stdint.h>

#include <rte_branch_prediction.h>

/** log2 of the number of linear sub-buckets per power of two. */
#define QOSDT_HIST_SUB_BITS 5
/** Linear sub-buckets per power of two (relative error 1/this). */
#define QOSDT_HIST_SUB_COUNT (1u << QOSDT_HIST_SUB_BITS)
/** The buckets cover values below 2^this ns. */
#define QOSDT_HIST_MAX_BITS 40
/** Number of buckets: the exact ones, then one group per power of two. */
#define QOSDT_HIST_NB_BUCKETS \
	((QOSDT_HIST_MAX_BITS - QOSDT_HIST_SUB_BITS + 1) * QOSDT_HIST_SUB_COUNT)

/** A latency histogram. Zero it (or qosdt_hist_reset()) before use. */
struct qosdt_hist {
	uint64_t count;      /**< Samples recorded. */
	uint64_t max;        /**< Largest sample, exact; 0 when empty. */
	uint64_t buckets[QOSDT_HIST_NB_BUCKETS]; /**< Samples per bucket. */
};

/**
 * Bucket index of a value.
 *
 * @param ns
 *   The value.
 * @return
 *   0 .. QOSDT_HIST_NB_BUCKETS - 1 (values beyond the range give the last).
 */
static inline unsigned int
qosdt_hist_index(uint64_t ns)
{
	/* Setting bit SUB_BITS gives values below 2^SUB_BITS shift 0. */
	unsigned int msb = 63 - __builtin_clzll(ns | QOSDT_HIST_SUB_COUNT);
	unsigned int shift = msb - QOSDT_HIST_SUB_BITS;
	uint64_t idx = ((uint64_t)shift << QOSDT_HIST_SUB_BITS) + (ns >> shift);

	return idx < QOSDT_HIST_NB_BUCKETS ?
		(unsigned int)idx : QOSDT_HIST_NB_BUCKETS - 1;
}

/**
 * Record one sample (a few instructions; the writer thread only).
 *
 * @param h
 *   The histogram.
 * @param ns
 *   The sample.
 */
static inline void
qosdt_hist_record(struct qosdt_hist *h, uint64_t ns)
{
	h->buckets[qosdt_hist_index(ns)]++;
	h->count++;
	if (unlikely(ns > h->max))
		h->max = ns;
}

/**
 * Record @p n samples of the same value at once (as many
 * qosdt_hist_record() calls).
 *
 * @param h
 *   The histogram.
 * @param ns
 *   The samples' value.
 * @param n
 *   How many.
 */
static inline void
qosdt_hist_record_n(struct qosdt_hist *h, uint64_t ns, uint32_t n)
{
	h->buckets[qosdt_hist_index(ns)] += n;
	h->count += n;
	if (unlikely(ns > h->max))
		h->max = ns;
}

/**
 * Number of samples recorded.
 *
 * @param h
 *   The histogram.
 * @return
 *   The count.
 */
static inline uint64_t
qosdt_hist_count(const struct qosdt_hist *h)
{
	return h->count;
}

/**
 * Largest sample recorded (exact, also beyond the bucket range).
 *
 * @param h
 *   The histogram.
 * @return
 *   The max, 0 when empty.
 */
static inline uint64_t
qosdt_hist_max(const struct qosdt_hist *h)
{
	return h->max;
}

/**
 * Forget every sample.
 *
 * @param h
 *   The histogram.
 */
void qosdt_hist_reset(struct qosdt_hist *h);

/**
 * Add every sample of @p src into @p dst: the result equals recording both
 * sets of samples into one histogram.
 *
 * @param dst
 *   The histogram added to.
 * @param src
 *   The histogram added; unchanged.
 */
void qosdt_hist_merge(struct qosdt_hist *dst, const struct qosdt_hist *src);

/**
 * The values a bucket holds: [*lower, *upper], both inclusive. The last
 * bucket's upper bound is UINT64_MAX (it also holds the values beyond the
 * range).
 *
 * @param index
 *   A bucket index below QOSDT_HIST_NB_BUCKETS.
 * @param lower
 *   Smallest value of the bucket.
 * @param upper
 *   Largest value of the bucket.
 * @return
 *   0, or -EINVAL if @p index is out of range.
 */
int qosdt_hist_bucket_bounds(unsigned int index, uint64_t *lower,
		uint64_t *upper);

/**
 * A percentile (see the convention in the file comment).
 *
 * @param h
 *   The histogram.
 * @param q
 *   The quantile, 0.0 .. 1.0 (clamped to that range), e.g. 0.99.
 * @return
 *   The upper bound of the bucket holding the sample of rank
 *   max(1, ceil(q * count)), capped at the max; 0 when empty.
 */
uint64_t qosdt_hist_percentile(const struct qosdt_hist *h, double q);

/**
 * Several percentiles in one pass over the buckets.
 *
 * @param h
 *   The histogram.
 * @param q
 *   @p n quantiles in ascending order, each 0.0 .. 1.0.
 * @param out
 *   Receives @p n values, as qosdt_hist_percentile() would return them.
 * @param n
 *   How many.
 * @return
 *   0, or -EINVAL if @p q is not ascending or a quantile is not in 0..1
 *   (@p out is then untouched).
 */
int qosdt_hist_percentiles(const struct qosdt_hist *h, const double *q,
		uint64_t *out, unsigned int n);

/** Latency percentiles of a histogram, ns. All 0 when count is 0. */
struct qosdt_latency_summary {
	uint64_t count;
	uint64_t p50_ns;
	uint64_t p90_ns;
	uint64_t p99_ns;
	uint64_t p999_ns;
	uint64_t max_ns;
};

/**
 * The count, p50, p90, p99, p99.9 and max of a histogram.
 *
 * @param h
 *   The histogram.
 * @param s
 *   Filled.
 */
void qosdt_hist_summary(const struct qosdt_hist *h,
		struct qosdt_latency_summary *s);

#endif /* QOSDT_HIST_H */
