/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The hostile peer behaving: a correct peer that sends frames on every
 * queue and echoes back what the side under test forwards, checking each
 * frame that comes back. A queue whose frames stopped coming back (lost
 * while the channel resynchronised) gets new ones.
 */

#include <string.h>

#include "hp.h"

#define HP_BEHAVE_BURST		32	/* frames sent on a queue at a time */
#define HP_BEHAVE_IDLE_S	0.05	/* a queue idle this long gets more */

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

void
hp_behave(struct hp_ctx *c, double seconds, const bool *stop,
		struct hp_behave_result *r)
{
	uint32_t nq = c->reg.geo.nb_queues, q, got;
	double end = hp_now() + seconds, now, last[SHM_MAX_QUEUES];
	uint64_t rng = c->seed ^ UINT64_C(0x9e3779b97f4a7c15), res[3];
	struct hp_counts cnt;

	memset(r, 0, sizeof(*r));
	memset(&cnt, 0, sizeof(cnt));
	now = hp_now();
	for (q = 0; q < nq; q++) {
		/* Judge only what it sends from now on, to a behaving peer:
		 * the attack may have garbled what it sent before. */
		hp_skip_pending(c, q);
		inject(c, q, &rng);
		last[q] = now;
	}
	while ((now = hp_now()) < end &&
			(stop == NULL || !__atomic_load_n(stop, __ATOMIC_ACQUIRE))) {
		got = 0;
		for (q = 0; q < nq; q++) {
			memset(res, 0, sizeof(res));
			if (hp_consume(c, q, true, &cnt, res) != 0)
				last[q] = now;
			r->round_trips[q] += res[0];
			r->corrupted += res[1];
			r->foreign += res[2];
			got += res[0];
			if (now - last[q] > HP_BEHAVE_IDLE_S) {
				r->reinjected += inject(c, q, &rng);
				last[q] = now;
			}
		}
		if (got == 0)
			hp_sleep_us(10);	/* leave the CPU to the others */
	}
	r->their_bad_descs = cnt.their_bad_descs;
	r->their_resyncs = cnt.their_resyncs;
}
