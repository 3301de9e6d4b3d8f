/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The hostile peer behaving: a correct peer that sends frames on every
 * queue and echoes back what the side under test forwards, checking each
 * frame that comes back. A queue whose frames stopped coming back (lost
 * while the channel resynchronised) gets new ones. The first
 * HP_BEHAVE_SETTLE_S are not judged (hp_behave()).
 */

#include <string.h>

#include "hp.h"

#define HP_BEHAVE_BURST		32	/* frames sent on a queue at a time */
#define HP_BEHAVE_IDLE_S	0.05	/* a queue idle this long gets more */
#define HP_BEHAVE_SETTLE_S	0.25	/* behaved first, not judged */

static uint32_t
inject(struct hp_ctx *c, uint32_t q, uint64_t *rng)
{
	uint32_t n = RTE_MIN(hp_prod_room(c, q), (uint32_t)HP_BEHAVE_BURST), i;

	for (i = 0; i < n; i++)
		hp_put_frame(c, q, i, (uint32_t)hp_rand_range(rng, 64,
			c->reg.geo.buf_size), false, rng);
	if (n != 0)
		hp_publish(c, q, n);
	return n;
}

/*
 * Behave until end: echo what comes back, count it into r and cnt, and
 * give a queue that went idle new frames.
 */
static void
behave_until(struct hp_ctx *c, double end, const bool *stop, uint64_t *rng,
		double *last, struct hp_behave_result *r, struct hp_counts *cnt)
{
	uint32_t nq = c->reg.geo.nb_queues, q, got;
	uint64_t res[3];
	double now;

	while ((now = hp_now()) < end &&
			(stop == NULL || !__atomic_load_n(stop, __ATOMIC_ACQUIRE))) {
		got = 0;
		for (q = 0; q < nq; q++) {
			memset(res, 0, sizeof(res));
			if (hp_consume(c, q, true, cnt, res) != 0)
				last[q] = now;
			r->round_trips[q] += res[0];
			r->corrupted += res[1];
			r->foreign += res[2];
			got += res[0];
			if (now - last[q] > HP_BEHAVE_IDLE_S) {
				r->reinjected += inject(c, q, rng);
				last[q] = now;
			}
		}
		if (got == 0)
			hp_sleep_us(10);	/* leave the CPU to the others */
	}
}

/* Skip what the side under test has published so far, send new frames. */
static void
behave_restart(struct hp_ctx *c, uint64_t *rng, double *last)
{
	uint32_t q;

	for (q = 0; q < c->reg.geo.nb_queues; q++) {
		hp_skip_pending(c, q);
		inject(c, q, rng);
		last[q] = hp_now();
	}
}

void
hp_behave(struct hp_ctx *c, double seconds, const bool *stop,
		struct hp_behave_result *r)
{
	uint64_t rng = c->seed ^ UINT64_C(0x9e3779b97f4a7c15);
	double start = hp_now(), last[SHM_MAX_QUEUES];
	double settle = RTE_MIN(HP_BEHAVE_SETTLE_S, seconds / 2);
	struct hp_behave_result unjudged;
	struct hp_counts cnt;

	memset(r, 0, sizeof(*r));
	memset(&unjudged, 0, sizeof(unjudged));
	memset(&cnt, 0, sizeof(cnt));
	/*
	 * Judge only what it sends to a behaving peer. Right after the
	 * attack, the ring indexes in the region may still be ones the attack
	 * wrote and the side under test has not written since (a reader of
	 * them reads the attack's slots), and its link may still be coming
	 * back: the first moments are behaved, not judged; then what it
	 * published until then is skipped.
	 */
	behave_restart(c, &rng, last);
	behave_until(c, start + settle, stop, &rng, last, &unjudged, &cnt);
	memset(&cnt, 0, sizeof(cnt));
	behave_restart(c, &rng, last);
	behave_until(c, start + seconds, stop, &rng, last, r, &cnt);
	r->their_bad_descs = cnt.their_bad_descs;
	r->their_resyncs = cnt.their_resyncs;
}
