/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pacing (doc/scenario.md): each flow of the current phase keeps the time
 * of its next message; loadgen_due() hands out the messages due, earliest
 * first, through a small heap of the flows that have one due.
 *
 * Constant and burst flows send on the grid phase start + ceil(k * period),
 * computed from k rather than by adding a rounded period, so they do not
 * drift. Poisson gaps come from splitmix64, reseeded at each phase start
 * from the scenario's seed and the phase index: a phase's schedule is the
 * same whatever the caller did in the phases before, and since messages
 * are handed out in time order, whatever size and timing its calls have.
 */

#include <math.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "scenario.h"

#define SPLITMIX_GAMMA UINT64_C(0x9e3779b97f4a7c15)

/* The flows that have a message due, earliest (then lowest index) on top. */
struct due_heap {
	uint32_t n;
	uint8_t flow[SCENARIO_MAX_FLOWS];
};

static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t z = (*state += SPLITMIX_GAMMA);

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double
period_ns(const struct flow *f)
{
	return (double)NS_PER_S / f->rate_pps;
}

/* An exponential gap with mean 1/rate: -log(u) periods, u in (0, 1]. */
static uint64_t
poisson_gap(struct loadgen *lg, const struct flow *f)
{
	double u = (double)((splitmix64(&lg->rng) >> 11) + 1) * 0x1p-53;

	return (uint64_t)llround(-log(u) * period_ns(f));
}

/*
 * The grid point after @p t on the grid t0 + ceil(k * period), t being one
 * of its points: k is recovered by rounding, exact while period >= 2 ns
 * (parsed rates give >= 10 ns). Always later than @p t.
 */
static uint64_t
grid_after(uint64_t t0, uint64_t t, double period)
{
	double k = round((double)(t - t0) / period);
	uint64_t next = t0 + (uint64_t)ceil((k + 1) * period);

	return RTE_MAX(next, t + 1);
}

static uint64_t
phase_start_ns(const struct loadgen *lg)
{
	return lg->phase_end_ns - lg->sc->phases[lg->phase].duration_ns;
}

/* Enter phase lg->phase at @p t0: every flow's first message. */
static void
phase_enter(struct loadgen *lg, uint64_t t0)
{
	const struct phase *p = &lg->sc->phases[lg->phase];
	uint64_t seed = lg->sc->seed + lg->phase;
	const struct flow *f;
	uint32_t i;

	lg->phase_end_ns = t0 + p->duration_ns;
	lg->rng = splitmix64(&seed);
	for (i = 0; i < p->nb_flows; i++) {
		f = &p->flows[i];
		lg->burst_left[i] = f->pattern == FLOW_BURST ?
			RTE_MAX(f->burst, 1u) : 1;
		lg->next_ns[i] = t0;
		if (f->pattern == FLOW_POISSON)
			lg->next_ns[i] += poisson_gap(lg, f);
	}
}

/* Move to the phase @p now_ns is in, dropping what the ended ones owed. */
static void
phase_follow(struct loadgen *lg, uint64_t now_ns)
{
	while (lg->phase < lg->sc->nb_phases && now_ns >= lg->phase_end_ns) {
		lg->phase++;
		if (lg->phase < lg->sc->nb_phases)
			phase_enter(lg, lg->phase_end_ns);
	}
}

/* Flow @p i sent the message due at next_ns[i]: schedule its next one. */
static void
flow_advance(struct loadgen *lg, uint32_t i, uint64_t t0)
{
	const struct flow *f = &lg->sc->phases[lg->phase].flows[i];
	uint32_t burst = RTE_MAX(f->burst, 1u);

	switch (f->pattern) {
	case FLOW_POISSON:
		lg->next_ns[i] += poisson_gap(lg, f);
		break;
	case FLOW_BURST:
		if (--lg->burst_left[i] > 0)
			break;
		lg->burst_left[i] = burst;
		lg->next_ns[i] = grid_after(t0, lg->next_ns[i],
			burst * period_ns(f));
		break;
	default:
		lg->next_ns[i] = grid_after(t0, lg->next_ns[i], period_ns(f));
		break;
	}
}

static bool
due_before(const struct loadgen *lg, uint8_t a, uint8_t b)
{
	return lg->next_ns[a] < lg->next_ns[b] ||
		(lg->next_ns[a] == lg->next_ns[b] && a < b);
}

static void
heap_sift_down(const struct loadgen *lg, struct due_heap *h, uint32_t i)
{
	uint32_t child;
	uint8_t tmp;

	for (;;) {
		child = 2 * i + 1;
		if (child >= h->n)
			return;
		if (child + 1 < h->n &&
				due_before(lg, h->flow[child + 1], h->flow[child]))
			child++;
		if (!due_before(lg, h->flow[child], h->flow[i]))
			return;
		tmp = h->flow[i];
		h->flow[i] = h->flow[child];
		h->flow[child] = tmp;
		i = child;
	}
}

static void
heap_build(const struct loadgen *lg, uint64_t now_ns, struct due_heap *h)
{
	const struct phase *p = &lg->sc->phases[lg->phase];
	uint32_t i;

	h->n = 0;
	for (i = 0; i < p->nb_flows; i++)
		if (lg->next_ns[i] <= now_ns)
			h->flow[h->n++] = (uint8_t)i;
	for (i = h->n / 2; i-- > 0;)
		heap_sift_down(lg, h, i);
}

void
loadgen_start(struct loadgen *lg, const struct scenario *sc,
		uint64_t start_ns)
{
	lg->sc = sc;
	lg->start_ns = start_ns;
	lg->phase = 0;
	lg->phase_end_ns = start_ns;
	if (sc->nb_phases > 0)
		phase_enter(lg, start_ns);
}

uint32_t
loadgen_due(struct loadgen *lg, uint64_t now_ns, uint16_t *due,
		uint32_t max, uint32_t *phase)
{
	struct due_heap h;
	uint32_t n = 0;
	uint64_t t0;
	uint8_t top;

	phase_follow(lg, now_ns);
	*phase = lg->phase;
	if (lg->phase >= lg->sc->nb_phases)
		return 0;
	t0 = phase_start_ns(lg);
	heap_build(lg, now_ns, &h);
	while (h.n > 0 && n < max) {
		top = h.flow[0];
		due[n++] = top;
		flow_advance(lg, top, t0);
		if (lg->next_ns[top] > now_ns)
			h.flow[0] = h.flow[--h.n];
		heap_sift_down(lg, &h, 0);
	}
	return n;
}

bool
loadgen_done(const struct loadgen *lg, uint64_t now_ns)
{
	return now_ns >= lg->start_ns + scenario_duration_ns(lg->sc);
}
