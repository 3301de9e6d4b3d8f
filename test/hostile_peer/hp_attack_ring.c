/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Attacks on the rings: bad descriptors, indexes beyond the ring, and
 * values flipped while the side under test reads them. The indexes and
 * descs attacks wait for each hostile value to be consumed, so that what
 * the side under test counted can be compared exactly with what was sent.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp.h"

#define HP_BURST_MAX		32
#define HP_JUMP_TIMEOUT_S	2.0
#define HP_FLIP_BIT		UINT32_C(0x80000000)

/* The driver's rule (doc/shm_region.md): 1 <= len <= F, off + len <= area. */
static bool
desc_is_bad(const struct hp_ctx *c, union shm_desc d)
{
	return d.len == 0 || d.len > c->reg.geo.buf_size ||
		(uint64_t)d.off + d.len > c->area;
}

/* A descriptor the side under test must refuse, of a random kind. */
static union shm_desc
bad_desc(const struct hp_ctx *c, uint64_t *rng)
{
	uint32_t f = c->reg.geo.buf_size, area = (uint32_t)c->area;
	union shm_desc d;

	do {
		switch (hp_rand(rng) % 7) {
		case 0:		/* starts beyond the slot area */
			d.off = (uint32_t)hp_rand_range(rng, area, UINT32_MAX);
			d.len = (uint32_t)hp_rand_range(rng, 1, f);
			break;
		case 1:		/* runs past the end of the slot area */
			d.len = (uint32_t)hp_rand_range(rng, 2, f);
			d.off = area - (uint32_t)hp_rand_range(rng, 1, d.len - 1);
			break;
		case 2:		/* longer than a slot */
			d.off = (uint32_t)hp_rand_range(rng, 0, area - 1);
			d.len = (uint32_t)hp_rand_range(rng, f + 1, UINT32_MAX);
			break;
		case 3:		/* empty */
			d.off = (uint32_t)hp_rand(rng);
			d.len = 0;
			break;
		case 4:		/* off + len wraps in 32 bits */
			d.off = (uint32_t)hp_rand_range(rng, UINT32_MAX - f + 1,
				UINT32_MAX);
			d.len = (uint32_t)hp_rand_range(rng,
				(uint64_t)UINT32_MAX - d.off + 1, f);
			break;
		case 5:
			d.off = UINT32_MAX;
			d.len = UINT32_MAX;
			break;
		default:	/* any 64 bits */
			d.raw = hp_rand(rng);
			break;
		}
	} while (!desc_is_bad(c, d));
	return d;
}

void
hp_descs_burst(struct hp_ctx *c, uint32_t q, uint64_t *rng,
		struct hp_counts *cnt)
{
	union shm_desc *descs = shm_ring_descs(&c->reg, c->prod_dir, q);
	uint32_t room = hp_prod_room(c, q), n, i, len;
	bool misplaced;

	if (room == 0)
		return;
	n = RTE_MIN(room, (uint32_t)hp_rand_range(rng, 1, HP_BURST_MAX));
	for (i = 0; i < n; i++) {
		if (hp_rand(rng) & 1) {
			__atomic_store_n(&descs[(c->prod_head[q] + i) & c->mask].raw,
				bad_desc(c, rng).raw, __ATOMIC_RELAXED);
			cnt->bad_descs++;
			cnt->hostile_writes++;
			continue;
		}
		len = (uint32_t)hp_rand_range(rng, 64, c->reg.geo.buf_size);
		misplaced = hp_rand(rng) % 8 == 0;
		hp_put_frame(c, q, i, len, misplaced, rng);
		cnt->good_frames++;
		cnt->misplaced_frames += misplaced;
	}
	hp_publish(c, q, n);
	cnt->published[q] += n;
}

/* Publish up to n good frames on ring q. */
static void
good_burst(struct hp_ctx *c, uint32_t q, uint32_t n, uint64_t *rng,
		struct hp_counts *cnt)
{
	uint32_t i;

	n = RTE_MIN(n, hp_prod_room(c, q));
	for (i = 0; i < n; i++)
		hp_put_frame(c, q, i, (uint32_t)hp_rand_range(rng, 64,
			c->reg.geo.buf_size), false, rng);
	if (n == 0)
		return;
	hp_publish(c, q, n);
	cnt->good_frames += n;
	cnt->published[q] += n;
}

static void
consume_all(struct hp_ctx *c, struct hp_counts *cnt)
{
	uint32_t q;

	for (q = 0; q < c->reg.geo.nb_queues; q++)
		hp_consume(c, q, false, cnt, NULL);
}

/*
 * Our producer index jumps more than a ring away from the consumer's; we
 * wait until the side under test resynchronised on it (its index = ours).
 */
static int
rx_jump(struct hp_ctx *c, uint32_t q, uint64_t *rng, struct hp_counts *cnt)
{
	uint32_t ring = c->mask + 1;

	if (hp_settle_prod(c, q, false, cnt) != 0)
		return -1;
	hp_publish(c, q, (uint32_t)hp_rand_range(rng, ring + 1,
		(uint64_t)UINT32_MAX - ring));
	cnt->hostile_writes++;
	if (hp_settle_prod(c, q, false, cnt) != 0) {
		cnt->rx_jumps_unseen++;
		return -1;
	}
	cnt->rx_jumps++;
	return 0;
}

/*
 * Let the side under test fill its ring q (we stop reading it while we
 * keep sending it frames to forward), then move our consumer index more
 * than a ring away from its producer index, and wait until it resumed
 * from there.
 */
static void
tx_jump(struct hp_ctx *c, uint32_t q, uint64_t *rng, struct hp_counts *cnt)
{
	struct shm_ring_ctl *ctl = shm_ring_ctl(&c->reg, c->cons_dir, q);
	uint32_t ring = c->mask + 1, head, v;
	double deadline = hp_now() + HP_JUMP_TIMEOUT_S;

	for (;;) {
		head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);
		if (head - c->cons_tail[q] == ring)
			break;
		if (head - c->cons_tail[q] > ring || hp_now() > deadline)
			return;		/* not full in time: no jump */
		good_burst(c, q, HP_BURST_MAX, rng, cnt);
	}
	v = head + (uint32_t)hp_rand_range(rng, 1, (uint64_t)UINT32_MAX - ring - 1);
	c->cons_tail[q] = v;
	__atomic_store_n(&ctl->tail, v, __ATOMIC_RELEASE);
	cnt->hostile_writes++;
	deadline = hp_now() + HP_JUMP_TIMEOUT_S;
	while (__atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE) - v > ring) {
		if (hp_now() > deadline) {
			cnt->tx_jumps_unseen++;
			return;
		}
		good_burst(c, q, HP_BURST_MAX, rng, cnt);
	}
	cnt->tx_jumps++;
}

int
hp_attack_indexes(struct hp_ctx *c, double end, struct hp_counts *cnt)
{
	uint64_t rng = c->seed, step = 0;
	uint32_t q;

	while (hp_now() < end) {
		q = (uint32_t)(step++ % c->reg.geo.nb_queues);
		if (rx_jump(c, q, &rng, cnt) != 0)
			return -1;
		good_burst(c, q, (uint32_t)hp_rand_range(&rng, 1, HP_BURST_MAX),
			&rng, cnt);
		consume_all(c, cnt);
		if (step % 4 == 0)	/* each queue in turn */
			tx_jump(c, (uint32_t)(step / 4 % c->reg.geo.nb_queues),
				&rng, cnt);
	}
	return 0;
}

int
hp_attack_descs(struct hp_ctx *c, double end, struct hp_counts *cnt)
{
	uint64_t rng = c->seed;
	uint32_t q;

	while (hp_now() < end) {
		for (q = 0; q < c->reg.geo.nb_queues; q++)
			hp_descs_burst(c, q, &rng, cnt);
		consume_all(c, cnt);
	}
	return 0;
}

/* ---------------------------------------------------------------- flip */

struct hp_flip {
	struct hp_ctx *c;
	struct hp_counts cnt;
	uint64_t rng;
	uint32_t first_desc_q;	/* queues from here on: descriptors flip */
	bool index_q0;		/* queue 0: its producer index flips */
};

/* Flip the published, unconsumed descriptors of ring q between their good
 * value (fixed per slot) and a bad one.
 */
static void
flip_descs(struct hp_ctx *c, uint32_t q, union shm_desc bad, bool to_bad,
		struct hp_counts *cnt)
{
	union shm_desc *descs = shm_ring_descs(&c->reg, c->prod_dir, q);
	uint32_t t = __atomic_load_n(&shm_ring_ctl(&c->reg, c->prod_dir,
		q)->tail, __ATOMIC_ACQUIRE);
	uint32_t h = __atomic_load_n(&c->prod_head[q], __ATOMIC_ACQUIRE), e;
	union shm_desc good;

	if (h - t > c->mask + 1)
		return;
	for (e = t; e != h; e++) {
		uint32_t slot = e & c->mask;

		good.off = slot * c->reg.geo.buf_size;
		good.len = hp_slot_len(c, slot);
		__atomic_store_n(&descs[slot].raw, to_bad ? bad.raw : good.raw,
			__ATOMIC_RELAXED);
		cnt->flips++;
		cnt->hostile_writes += to_bad;
	}
}

/* Queue 0's producer index flips between its value and one 2^31 away. */
static void
flip_index(struct hp_ctx *c, uint64_t *rng, struct hp_counts *cnt)
{
	struct shm_ring_ctl *ctl = shm_ring_ctl(&c->reg, c->prod_dir, 0);
	uint32_t h = c->prod_head[0], k;

	if (__atomic_load_n(&ctl->tail, __ATOMIC_ACQUIRE) == h)
		good_burst(c, 0, 8, rng, cnt);
	h = c->prod_head[0];
	for (k = 0; k < 16; k++) {
		__atomic_store_n(&ctl->head, h ^ HP_FLIP_BIT, __ATOMIC_RELEASE);
		__atomic_store_n(&ctl->head, h, __ATOMIC_RELEASE);
	}
	cnt->flips += 32;
	cnt->hostile_writes += 16;
}

static void *
flip_main(void *p)
{
	struct hp_flip *a = p;
	struct hp_ctx *c = a->c;
	union shm_desc bads[5] = {
		{ .off = (uint32_t)c->area - 8, .len = c->reg.geo.buf_size },
		{ .off = 0, .len = UINT32_C(0xfffffff0) },
		{ .off = UINT32_MAX - 4, .len = 64 },
		{ .off = 0, .len = 0 },
		{ .off = (uint32_t)c->area, .len = c->reg.geo.buf_size },
	};
	uint64_t pass = 0;
	uint32_t q;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		for (q = a->first_desc_q; q < c->reg.geo.nb_queues; q++)
			flip_descs(c, q, bads[(pass / 2) % RTE_DIM(bads)],
				pass & 1, &a->cnt);
		if (a->index_q0)
			flip_index(c, &a->rng, &a->cnt);
		pass++;
	}
	return NULL;
}

int
hp_flip_start(struct hp_ctx *c, pthread_t *t, struct hp_flip **arg)
{
	struct hp_flip *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return -1;
	a->c = c;
	a->rng = c->seed * 3 + 1;
	a->index_q0 = c->reg.geo.nb_queues > 1;
	a->first_desc_q = a->index_q0 ? 1 : 0;
	__atomic_store_n(&c->stop, false, __ATOMIC_RELEASE);
	if (pthread_create(t, NULL, flip_main, a) != 0) {
		free(a);
		return -1;
	}
	*arg = a;
	return 0;
}

void
hp_flip_stop(struct hp_ctx *c, pthread_t t, struct hp_flip *a,
		struct hp_counts *cnt)
{
	__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	hp_counts_add(cnt, &a->cnt);
	free(a);
}

/* Our consumer index of ring q flips right after we consumed from it. */
static void
flip_tail(struct hp_ctx *c, uint32_t q, struct hp_counts *cnt)
{
	struct shm_ring_ctl *ctl = shm_ring_ctl(&c->reg, c->cons_dir, q);
	uint32_t t = c->cons_tail[q], k;

	for (k = 0; k < 8; k++) {
		__atomic_store_n(&ctl->tail, t ^ HP_FLIP_BIT, __ATOMIC_RELEASE);
		__atomic_store_n(&ctl->tail, t, __ATOMIC_RELEASE);
	}
	cnt->flips += 16;
	cnt->hostile_writes += 8;
}

/* Frames on the descriptor-flipping queues: each slot's good length is
 * fixed, so that a flip back to "good" is right whichever entry uses it.
 */
static void
flip_produce(struct hp_ctx *c, uint32_t q, uint64_t *rng, struct hp_counts *cnt)
{
	uint32_t n = RTE_MIN(hp_prod_room(c, q), (uint32_t)HP_BURST_MAX), i;

	for (i = 0; i < n; i++)
		hp_put_frame(c, q, i, hp_slot_len(c, (c->prod_head[q] + i) &
			c->mask), false, rng);
	if (n == 0)
		return;
	hp_publish(c, q, n);
	cnt->published[q] += n;
}

int
hp_attack_flip(struct hp_ctx *c, double end, struct hp_counts *cnt)
{
	uint32_t nq = c->reg.geo.nb_queues, first = nq > 1 ? 1 : 0, q;
	uint64_t rng = c->seed;
	struct hp_flip *a;
	pthread_t t;

	if (hp_flip_start(c, &t, &a) != 0) {
		fprintf(stderr, "hostile-peer: cannot start the flip thread\n");
		return -1;
	}
	while (hp_now() < end) {
		for (q = first; q < nq; q++)
			flip_produce(c, q, &rng, cnt);
		for (q = 0; q < nq; q++) {
			hp_consume(c, q, false, cnt, NULL);
			flip_tail(c, q, cnt);
		}
	}
	hp_flip_stop(c, t, a, cnt);
	return 0;
}
