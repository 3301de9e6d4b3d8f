/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * qosdt_hist: bucket layout (monotonic, contiguous, 1/32 precision),
 * percentiles against a sorted-array reference for several distributions,
 * merge, reset, exact max, values beyond the bucket range.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "qosdt_hist.h"
#include "test.h"

#define NB_SAMPLES 100000

static const double test_quantiles[] = {
	0.0, 0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0,
};

static uint64_t samples[NB_SAMPLES];
static uint64_t sorted[NB_SAMPLES];
static struct qosdt_hist hist_a, hist_b, hist_ab;

/* Deterministic xorshift64* generator: the same samples on every run. */
static uint64_t rng_state;

static uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static uint64_t
gen_uniform(unsigned int i __rte_unused)
{
	return 1000 + rng_next() % 1000000;
}

/* Geometric in steps of 800 ns with jitter: exponential-like, mean ~50 us. */
static uint64_t
gen_exponential(unsigned int i __rte_unused)
{
	uint64_t v = rng_next() % 800;

	while (rng_next() % 64 != 0)
		v += 800;
	return v;
}

/* Spread over every power of two up to 2^64: all bucket groups. */
static uint64_t
gen_log_spread(unsigned int i __rte_unused)
{
	return rng_next() >> (rng_next() % 64);
}

/* 90% around 20 us, 10% around 5 ms. */
static uint64_t
gen_bimodal(unsigned int i __rte_unused)
{
	if (rng_next() % 10 != 0)
		return 19000 + rng_next() % 2000;
	return 4900000 + rng_next() % 200000;
}

static uint64_t
gen_constant(unsigned int i __rte_unused)
{
	return 12345;
}

/* Mostly 1-2 us, one sample in 5000 is a huge outlier (some beyond 2^40). */
static uint64_t
gen_outliers(unsigned int i)
{
	if (i % 5000 == 4999)
		return (i / 5000) % 2 ? UINT64_C(1) << 45 : UINT64_C(3000000000);
	return 1000 + rng_next() % 1000;
}

/* Values 0..99: every one has an exact bucket. */
static uint64_t
gen_small(unsigned int i)
{
	return i % 100;
}

struct distribution {
	const char *name;
	uint64_t (*gen)(unsigned int i);
};

static const struct distribution distributions[] = {
	{ "uniform", gen_uniform },
	{ "exponential", gen_exponential },
	{ "log_spread", gen_log_spread },
	{ "bimodal", gen_bimodal },
	{ "constant", gen_constant },
	{ "outliers", gen_outliers },
	{ "small", gen_small },
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The reference: the sample of rank max(1, ceil(q * n)) of a sorted array. */
static uint64_t
reference_percentile(const uint64_t *s, unsigned int n, double q)
{
	double x = q * (double)n;
	uint64_t rank = (uint64_t)x;

	if ((double)rank < x)
		rank++;
	if (rank < 1)
		rank = 1;
	return s[rank - 1];
}

static void
fill_samples(const struct distribution *d, unsigned int n)
{
	unsigned int i;

	rng_state = UINT64_C(0x9e3779b97f4a7c15);
	for (i = 0; i < n; i++)
		samples[i] = d->gen(i);
	memcpy(sorted, samples, n * sizeof(samples[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_u64);
}

static int
test_bucket_layout(void)
{
	uint64_t lower, upper, prev_upper = 0;
	unsigned int i;

	RTE_BUILD_BUG_ON(QOSDT_HIST_MAX_BITS < 40);
	for (i = 0; i < QOSDT_HIST_NB_BUCKETS; i++) {
		TEST_ASSERT_SUCCESS(qosdt_hist_bucket_bounds(i, &lower, &upper),
			"bucket %u", i);
		TEST_ASSERT(lower <= upper, "bucket %u: [%" PRIu64 ", %" PRIu64 "]",
			i, lower, upper);
		if (i == 0)
			TEST_ASSERT_EQUAL(lower, 0, "first bucket starts at 0");
		else
			TEST_ASSERT_EQUAL(lower, prev_upper + 1,
				"bucket %u does not follow bucket %u", i, i - 1);
		TEST_ASSERT_EQUAL(qosdt_hist_index(lower), i,
			"lower bound of bucket %u indexes elsewhere", i);
		TEST_ASSERT_EQUAL(qosdt_hist_index(upper), i,
			"upper bound of bucket %u indexes elsewhere", i);
		if (i < 2 * QOSDT_HIST_SUB_COUNT)
			TEST_ASSERT_EQUAL(lower, upper, "small value %u not exact", i);
		else if (i < QOSDT_HIST_NB_BUCKETS - 1)
			TEST_ASSERT((upper - lower + 1) * QOSDT_HIST_SUB_COUNT <= lower,
				"bucket %u [%" PRIu64 ", %" PRIu64 "] wider than 1/%u",
				i, lower, upper, QOSDT_HIST_SUB_COUNT);
		prev_upper = upper;
	}
	TEST_ASSERT_EQUAL(upper, UINT64_MAX, "last bucket does not take the rest");
	TEST_ASSERT(lower < UINT64_C(1) << QOSDT_HIST_MAX_BITS &&
		qosdt_hist_index((UINT64_C(1) << QOSDT_HIST_MAX_BITS) - 1) ==
			QOSDT_HIST_NB_BUCKETS - 1,
		"the range does not end at 2^%d", QOSDT_HIST_MAX_BITS);
	TEST_ASSERT_EQUAL(qosdt_hist_bucket_bounds(QOSDT_HIST_NB_BUCKETS,
		&lower, &upper), -EINVAL, "index past the end accepted");
	return TEST_SUCCESS;
}

/* Every quantile of test_quantiles lies in the reference's bucket, at or
 * above the reference value, and p100 is the exact max.
 */
static int
check_percentiles(const char *name, const struct qosdt_hist *h,
		const uint64_t *s, unsigned int n)
{
	uint64_t got[RTE_DIM(test_quantiles)];
	uint64_t ref;
	unsigned int i;

	TEST_ASSERT_SUCCESS(qosdt_hist_percentiles(h, test_quantiles, got,
		RTE_DIM(test_quantiles)), "%s: percentiles refused", name);
	for (i = 0; i < RTE_DIM(test_quantiles); i++) {
		ref = reference_percentile(s, n, test_quantiles[i]);
		TEST_ASSERT(got[i] >= ref && qosdt_hist_index(got[i]) ==
			qosdt_hist_index(ref),
			"%s: q=%g gives %" PRIu64 ", reference %" PRIu64,
			name, test_quantiles[i], got[i], ref);
		TEST_ASSERT_EQUAL(qosdt_hist_percentile(h, test_quantiles[i]),
			got[i], "%s: q=%g single and batch differ", name,
			test_quantiles[i]);
		if (ref < UINT64_C(1) << QOSDT_HIST_MAX_BITS)
			TEST_ASSERT((got[i] - ref) * QOSDT_HIST_SUB_COUNT <= ref,
				"%s: q=%g relative error above 1/%u", name,
				test_quantiles[i], QOSDT_HIST_SUB_COUNT);
	}
	TEST_ASSERT_EQUAL(got[RTE_DIM(test_quantiles) - 1], s[n - 1],
		"%s: p100 is not the max", name);
	return TEST_SUCCESS;
}

/* Record @p n samples of @p d and compare with the sorted reference. */
static int
check_distribution(const struct distribution *d, unsigned int n)
{
	unsigned int i;

	fill_samples(d, n);
	qosdt_hist_reset(&hist_a);
	for (i = 0; i < n; i++)
		qosdt_hist_record(&hist_a, samples[i]);
	TEST_ASSERT_EQUAL(qosdt_hist_count(&hist_a), n, "%s: count", d->name);
	TEST_ASSERT_EQUAL(qosdt_hist_max(&hist_a), sorted[n - 1],
		"%s: max not exact", d->name);
	return check_percentiles(d->name, &hist_a, sorted, n);
}

static int
test_percentiles_vs_sorted(void)
{
	/* Many samples, and few: rank rounding at both ends. */
	static const unsigned int sizes[] = { NB_SAMPLES, 7 };
	unsigned int i, k;

	for (i = 0; i < RTE_DIM(distributions); i++)
		for (k = 0; k < RTE_DIM(sizes); k++)
			if (check_distribution(&distributions[i], sizes[k]) !=
					TEST_SUCCESS)
				return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
test_merge_equals_both(void)
{
	unsigned int i, half = NB_SAMPLES / 2;

	fill_samples(&distributions[2], NB_SAMPLES);
	qosdt_hist_reset(&hist_a);
	qosdt_hist_reset(&hist_b);
	qosdt_hist_reset(&hist_ab);
	for (i = 0; i < NB_SAMPLES; i++) {
		qosdt_hist_record(i < half ? &hist_a : &hist_b, samples[i]);
		qosdt_hist_record(&hist_ab, samples[i]);
	}
	qosdt_hist_merge(&hist_a, &hist_b);
	TEST_ASSERT(memcmp(&hist_a, &hist_ab, sizeof(hist_a)) == 0,
		"merged histogram differs from recording both");
	TEST_ASSERT_EQUAL(qosdt_hist_count(&hist_b), NB_SAMPLES - half,
		"merge changed its source");

	/* Into an empty one: a copy; an empty one into it: no change. */
	qosdt_hist_reset(&hist_b);
	qosdt_hist_merge(&hist_b, &hist_ab);
	TEST_ASSERT(memcmp(&hist_b, &hist_ab, sizeof(hist_b)) == 0,
		"merge into an empty histogram is not a copy");
	qosdt_hist_reset(&hist_a);
	qosdt_hist_merge(&hist_b, &hist_a);
	TEST_ASSERT(memcmp(&hist_b, &hist_ab, sizeof(hist_b)) == 0,
		"merging an empty histogram changed the result");
	return check_percentiles("merged", &hist_b, sorted, NB_SAMPLES);
}

static int
test_empty_and_reset(void)
{
	static const struct qosdt_hist zero;
	unsigned int i;

	qosdt_hist_reset(&hist_a);
	TEST_ASSERT_EQUAL(qosdt_hist_count(&hist_a), 0, "count of empty");
	TEST_ASSERT_EQUAL(qosdt_hist_max(&hist_a), 0, "max of empty");
	TEST_ASSERT_EQUAL(qosdt_hist_percentile(&hist_a, 0.99), 0,
		"p99 of empty");
	for (i = 0; i < 1000; i++)
		qosdt_hist_record(&hist_a, i * 997);
	qosdt_hist_reset(&hist_a);
	TEST_ASSERT(memcmp(&hist_a, &zero, sizeof(zero)) == 0,
		"reset left something behind");
	return TEST_SUCCESS;
}

static int
test_max_exact(void)
{
	uint64_t v, max = 0;
	unsigned int i;

	qosdt_hist_reset(&hist_a);
	rng_state = 12345;
	for (i = 0; i < 10000; i++) {
		/* Values with their low bits set: never a bucket bound. */
		v = (rng_next() % 100000000) | 0x15;
		max = RTE_MAX(max, v);
		qosdt_hist_record(&hist_a, v);
		TEST_ASSERT_EQUAL(qosdt_hist_max(&hist_a), max,
			"max after %u samples", i + 1);
	}
	TEST_ASSERT_EQUAL(qosdt_hist_percentile(&hist_a, 1.0), max,
		"p100 is not the exact max");
	TEST_ASSERT(qosdt_hist_percentile(&hist_a, 2.0) == max &&
		qosdt_hist_percentile(&hist_a, -1.0) ==
			qosdt_hist_percentile(&hist_a, 0.0),
		"out-of-range quantiles are not clamped");
	return TEST_SUCCESS;
}

static int
test_big_values(void)
{
	static const uint64_t big[] = {
		UINT64_C(1) << 40, (UINT64_C(1) << 40) + 1, UINT64_C(1) << 50,
		UINT64_C(1) << 63, UINT64_MAX,
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(big); i++)
		TEST_ASSERT_EQUAL(qosdt_hist_index(big[i]),
			QOSDT_HIST_NB_BUCKETS - 1,
			"%" PRIu64 " not in the last bucket", big[i]);
	qosdt_hist_reset(&hist_a);
	qosdt_hist_record(&hist_a, 500);
	qosdt_hist_record(&hist_a, UINT64_C(1) << 50);
	TEST_ASSERT_EQUAL(qosdt_hist_max(&hist_a), UINT64_C(1) << 50,
		"max of a value beyond the range");
	TEST_ASSERT_EQUAL(qosdt_hist_percentile(&hist_a, 1.0),
		UINT64_C(1) << 50, "p100 beyond the range");
	TEST_ASSERT_EQUAL(qosdt_hist_percentile(&hist_a, 0.5),
		qosdt_hist_percentile(&hist_a, 0.0), "p50 of {500, 2^50}");
	qosdt_hist_record(&hist_a, UINT64_MAX);
	TEST_ASSERT(qosdt_hist_count(&hist_a) == 3 &&
		qosdt_hist_max(&hist_a) == UINT64_MAX &&
		qosdt_hist_percentile(&hist_a, 1.0) == UINT64_MAX,
		"UINT64_MAX sample");
	return TEST_SUCCESS;
}

static int
test_percentiles_refuse_bad_quantiles(void)
{
	static const double descending[] = { 0.9, 0.5 };
	static const double too_big[] = { 0.5, 1.5 };
	static const double negative[] = { -0.1 };
	uint64_t out[2] = { 7, 7 };

	qosdt_hist_reset(&hist_a);
	qosdt_hist_record(&hist_a, 100);
	TEST_ASSERT_EQUAL(qosdt_hist_percentiles(&hist_a, descending, out, 2),
		-EINVAL, "descending quantiles accepted");
	TEST_ASSERT_EQUAL(qosdt_hist_percentiles(&hist_a, too_big, out, 2),
		-EINVAL, "quantile 1.5 accepted");
	TEST_ASSERT_EQUAL(qosdt_hist_percentiles(&hist_a, negative, out, 1),
		-EINVAL, "negative quantile accepted");
	TEST_ASSERT(out[0] == 7 && out[1] == 7, "refused call wrote results");
	return TEST_SUCCESS;
}

static struct unit_test_suite hist_suite = {
	.suite_name = "qosdt_hist",
	.unit_test_cases = {
		TEST_CASE(test_bucket_layout),
		TEST_CASE(test_percentiles_vs_sorted),
		TEST_CASE(test_merge_equals_both),
		TEST_CASE(test_empty_and_reset),
		TEST_CASE(test_max_exact),
		TEST_CASE(test_big_values),
		TEST_CASE(test_percentiles_refuse_bad_quantiles),
		TEST_CASES_END()
	}
};

static int
test_qos_hist(void)
{
	return unit_test_suite_runner(&hist_suite);
}

REGISTER_TEST_COMMAND(qos_hist_autotest, test_qos_hist);
