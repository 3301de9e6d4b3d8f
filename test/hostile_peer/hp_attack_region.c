/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Attacks on the rest of the region: the header and the two side states
 * (each garbling held until the side under test has looked at it, so that
 * what it counted can be compared exactly), random values anywhere, and
 * all attacks at once. Then hp_attack(), which runs one mode and settles
 * the channel afterwards.
 */

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hp.h"

/* The fields of the header, which the side under test compares. */
static const struct {
	size_t off;
	size_t size;
} hdr_fields[] = {
	{ offsetof(struct shm_region_header, magic), 8 },
	{ offsetof(struct shm_region_header, version), 4 },
	{ offsetof(struct shm_region_header, nb_queues), 4 },
	{ offsetof(struct shm_region_header, ring_size), 4 },
	{ offsetof(struct shm_region_header, buf_size), 4 },
	{ offsetof(struct shm_region_header, region_size), 8 },
	{ offsetof(struct shm_region_header, rings_offset), 8 },
	{ offsetof(struct shm_region_header, bufs_offset), 8 },
};

/* Write a random value, other than the right one, into header field i. */
static void
garble_field(struct hp_ctx *c, unsigned int i, uint64_t *rng,
		struct hp_counts *cnt)
{
	uint8_t *p = c->reg.base + hdr_fields[i].off;
	const uint8_t *orig = (const uint8_t *)&c->hdr + hdr_fields[i].off;
	uint64_t v64, o64;
	uint32_t v32, o32;

	cnt->header_stores++;
	if (hdr_fields[i].size == 8) {
		memcpy(&o64, orig, 8);
		while ((v64 = hp_rand(rng)) == o64)
			;
		__atomic_store_n((uint64_t *)p, v64, __ATOMIC_RELEASE);
		return;
	}
	memcpy(&o32, orig, 4);
	/* half the time a plausible value: the right one doubled */
	v32 = hp_rand(rng) & 1 ? o32 * 2 : (uint32_t)hp_rand(rng);
	if (v32 == o32)
		v32 = o32 + 1;
	__atomic_store_n((uint32_t *)p, v32, __ATOMIC_RELEASE);
}

/* Garble header fields until seen, then restore until seen. */
static int
episode_header(struct hp_ctx *c, uint64_t *rng, struct hp_counts *cnt)
{
	unsigned int i, n = hp_rand(rng) % 4 == 0 ? RTE_DIM(hdr_fields) : 1;

	for (i = 0; i < n; i++) {
		garble_field(c, n == 1 ? hp_rand(rng) % RTE_DIM(hdr_fields) : i,
			rng, cnt);
		cnt->hostile_writes++;
	}
	cnt->header_episodes++;
	cnt->down_episodes++;
	if (hp_wait_their_ticks(c, 2) != 0)
		return -1;
	hp_header_restore(c);
	cnt->header_fixes++;
	return hp_wait_their_ticks(c, 2);
}

/* Our attached mark cleared or garbled, then set again. */
static int
episode_detached(struct hp_ctx *c, uint64_t *rng, struct hp_counts *cnt)
{
	uint32_t *att = &hp_my_side(c)->attached, v = (uint32_t)hp_rand(rng);

	__atomic_store_n(att, v == SHM_SIDE_ATTACHED ? 0 : v, __ATOMIC_RELEASE);
	cnt->hostile_writes++;
	cnt->down_episodes++;
	if (hp_wait_their_ticks(c, 2) != 0)
		return -1;
	__atomic_store_n(att, SHM_SIDE_ATTACHED, __ATOMIC_RELEASE);
	return hp_wait_their_ticks(c, 2);
}

/* Our heartbeat stops for longer than the peer timeout, then moves again. */
static int
episode_stall(struct hp_ctx *c, struct hp_counts *cnt)
{
	unsigned int ticks = SHM_PEER_TIMEOUT_US / SHM_HEARTBEAT_PERIOD_US + 3;

	__atomic_store_n(&c->hb_stalled, true, __ATOMIC_RELEASE);
	cnt->hostile_writes++;
	cnt->down_episodes++;
	if (hp_wait_their_ticks(c, ticks) != 0)
		return -1;
	__atomic_store_n(&c->hb_stalled, false, __ATOMIC_RELEASE);
	return hp_wait_their_ticks(c, 3);
}

/* A new generation of ours (a restart, as far as the other side knows). */
static int
episode_generation(struct hp_ctx *c, uint64_t *rng, struct hp_counts *cnt)
{
	uint32_t *gen = &hp_my_side(c)->generation, old = *gen, v;

	while ((v = (uint32_t)hp_rand(rng)) == old)
		;
	__atomic_store_n(gen, v, __ATOMIC_RELEASE);
	cnt->hostile_writes++;
	cnt->gen_changes++;
	return hp_wait_their_ticks(c, 2);
}

/* Our heartbeat jumps anywhere (backwards too) and goes on from there. */
static int
episode_hb_jump(struct hp_ctx *c, uint64_t *rng, struct hp_counts *cnt)
{
	__atomic_store_n(&c->my_hb, hp_rand(rng), __ATOMIC_RELEASE);
	cnt->hostile_writes++;
	return hp_wait_their_ticks(c, 2);
}

/* The state of the side under test, and the padding, get garbage. */
static void
episode_their_state(struct hp_ctx *c, uint64_t *rng, struct hp_counts *cnt)
{
	struct shm_side_state *them = hp_their_side(c);
	unsigned int i;
	uint64_t off;

	__atomic_store_n(&them->attached, (uint32_t)hp_rand(rng), __ATOMIC_RELAXED);
	__atomic_store_n(&them->generation, (uint32_t)hp_rand(rng),
		__ATOMIC_RELAXED);
	__atomic_store_n(&them->pid, (uint32_t)hp_rand(rng), __ATOMIC_RELAXED);
	for (i = 0; i < 16; i++) {
		/* anywhere in the header page but the header and side states */
		off = hp_rand_range(rng, 3 * RTE_CACHE_LINE_SIZE, SHM_HDR_AREA - 8);
		__atomic_store_n((uint64_t *)(c->reg.base + (off & ~UINT64_C(7))),
			hp_rand(rng), __ATOMIC_RELAXED);
	}
	cnt->hostile_writes += 19;
}

static void *
traffic_main(void *arg)
{
	struct hp_ctx *c = arg;
	static struct hp_behave_result r;

	hp_behave(c, 1e9, &c->stop, &r);
	return &r;
}

int
hp_attack_header(struct hp_ctx *c, double end, struct hp_counts *cnt)
{
	struct hp_behave_result *traffic;
	uint64_t rng = c->seed;
	int ret = 0;
	pthread_t t;
	uint32_t q;

	/* frames flow all along, so that the data path runs while the link
	 * goes down and up
	 */
	__atomic_store_n(&c->stop, false, __ATOMIC_RELEASE);
	if (pthread_create(&t, NULL, traffic_main, c) != 0) {
		fprintf(stderr, "hostile-peer: cannot start the traffic thread\n");
		return -1;
	}
	while (ret == 0 && hp_now() < end) {
		switch (hp_rand(&rng) % 6) {
		case 0:
			ret = episode_header(c, &rng, cnt);
			break;
		case 1:
			ret = episode_detached(c, &rng, cnt);
			break;
		case 2:
			ret = episode_stall(c, cnt);
			break;
		case 3:
			ret = episode_generation(c, &rng, cnt);
			break;
		case 4:
			ret = episode_hb_jump(c, &rng, cnt);
			break;
		default:
			episode_their_state(c, &rng, cnt);
			break;
		}
	}
	__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
	pthread_join(t, (void **)&traffic);
	for (q = 0; q < c->reg.geo.nb_queues; q++)
		cnt->traffic_round_trips += traffic->round_trips[q];
	cnt->traffic_corrupted += traffic->corrupted;
	cnt->their_bad_descs += traffic->their_bad_descs;
	return ret;
}

/* -------------------------------------------------------------- random */

static void
store_random(uint8_t *p, unsigned int size, uint64_t *rng)
{
	uint64_t v = hp_rand(rng);

	switch (size) {
	case 8:
		__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED);
		break;
	case 4:
		__atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED);
		break;
	default:
		*p = (uint8_t)v;
		break;
	}
}

/* A ring index: anything, or near the ring's other index (so that the
 * side under test often finds a plausible number of entries to read).
 */
static void
random_index(struct hp_ctx *c, uint64_t *rng, struct hp_counts *cnt)
{
	enum shm_dir dir = hp_rand(rng) & 1 ? SHM_DIR_S2C : SHM_DIR_C2S;
	struct shm_ring_ctl *ctl = shm_ring_ctl(&c->reg, dir,
		(uint32_t)(hp_rand(rng) % c->reg.geo.nb_queues));
	bool head = hp_rand(rng) & 1;
	uint32_t *idx = head ? &ctl->head : &ctl->tail;
	uint32_t other = head ? ctl->tail : ctl->head;
	uint32_t ring = c->mask + 1, v = (uint32_t)hp_rand(rng);

	if (v & 1)
		v = other + (uint32_t)hp_rand_range(rng, 0, 4 * ring) - 2 * ring;
	__atomic_store_n(idx, v, __ATOMIC_RELEASE);
	cnt->prod_index_stores += dir == c->prod_dir && head;
	cnt->cons_index_stores += dir == c->cons_dir && !head;
}

/* Does [p, p + size) touch the 4 bytes at w? */
static bool
overlaps(const uint8_t *p, unsigned int size, const uint32_t *w)
{
	const uint8_t *b = (const uint8_t *)w;

	return p < b + sizeof(*w) && b < p + size;
}

/* Is the header as the peer found it? */
static bool
header_right(const struct hp_ctx *c)
{
	return memcmp(shm_region_hdr(&c->reg), &c->hdr, sizeof(c->hdr)) == 0;
}

/* Count a random store of @p size bytes at @p p by what it hits; true if
 * it touches the header.
 */
static bool
count_store(struct hp_ctx *c, const uint8_t *p, unsigned int size,
		struct hp_counts *cnt)
{
	bool header = p < c->reg.base + sizeof(struct shm_region_header);
	uint32_t q;

	cnt->header_stores += header;
	for (q = 0; q < c->reg.geo.nb_queues; q++) {
		cnt->prod_index_stores += overlaps(p, size,
			&shm_ring_ctl(&c->reg, c->prod_dir, q)->head);
		cnt->cons_index_stores += overlaps(p, size,
			&shm_ring_ctl(&c->reg, c->cons_dir, q)->tail);
	}
	return header;
}

/* A descriptor: any 64 bits, or one that is almost right. */
static void
random_desc(struct hp_ctx *c, uint64_t *rng)
{
	enum shm_dir dir = hp_rand(rng) & 1 ? SHM_DIR_S2C : SHM_DIR_C2S;
	union shm_desc *descs = shm_ring_descs(&c->reg, dir,
		(uint32_t)(hp_rand(rng) % c->reg.geo.nb_queues));
	union shm_desc d;

	d.raw = hp_rand(rng);
	if (d.raw & 1) {
		d.off = (uint32_t)hp_rand_range(rng, 0, c->area + c->reg.geo.buf_size);
		d.len = (uint32_t)hp_rand_range(rng, 0, c->reg.geo.buf_size + 64);
	}
	__atomic_store_n(&descs[hp_rand(rng) & c->mask].raw, d.raw,
		__ATOMIC_RELAXED);
}

void
hp_random_writes(struct hp_ctx *c, unsigned int n, uint64_t *rng,
		struct hp_counts *cnt)
{
	static const unsigned int sizes[3] = { 1, 4, 8 };
	uint64_t slots = c->reg.bufs_offset, off;
	unsigned int i, pick, size;
	bool was_right;

	for (i = 0; i < n; i++) {
		pick = hp_rand(rng) % 100;
		size = sizes[hp_rand(rng) % 3];
		if (pick < 3)		/* header */
			off = hp_rand_range(rng, 0, sizeof(struct shm_region_header) - 8);
		else if (pick < 6)	/* the two side states */
			off = hp_rand_range(rng, RTE_CACHE_LINE_SIZE,
				3 * RTE_CACHE_LINE_SIZE - 8);
		else if (pick < 30) {
			random_index(c, rng, cnt);
			continue;
		} else if (pick < 70) {
			random_desc(c, rng);
			continue;
		} else if (pick < 90)	/* frames */
			off = hp_rand_range(rng, slots, c->reg.size - 8);
		else			/* anywhere */
			off = hp_rand_range(rng, 0, c->reg.size - 8);
		off &= ~(uint64_t)(size - 1);
		if (!count_store(c, c->reg.base + off, size, cnt)) {
			store_random(c->reg.base + off, size, rng);
			continue;
		}
		was_right = header_right(c);
		store_random(c->reg.base + off, size, rng);
		cnt->header_fixes += !was_right && header_right(c);
	}
	cnt->hostile_writes += n;
}

int
hp_attack_random(struct hp_ctx *c, double end, struct hp_counts *cnt)
{
	uint64_t rng = c->seed;

	while (hp_now() < end)
		hp_random_writes(c, 4096, &rng, cnt);
	return 0;
}

/* ----------------------------------------------------------------- all */

struct random_arg {
	struct hp_ctx *c;
	struct hp_counts cnt;
};

static void *
random_main(void *p)
{
	struct random_arg *a = p;
	uint64_t rng = a->c->seed * 7 + 5;

	while (!__atomic_load_n(&a->c->stop, __ATOMIC_ACQUIRE))
		hp_random_writes(a->c, 256, &rng, &a->cnt);
	return NULL;
}

/* One round of the all mode's main thread: bad descriptors, index jumps
 * that nobody waits for, header fields garbled for a millisecond.
 */
static void
all_round(struct hp_ctx *c, uint64_t round, uint64_t *rng,
		struct hp_counts *cnt)
{
	uint32_t nq = c->reg.geo.nb_queues, first = nq > 1 ? 1 : 0, q;

	for (q = first; q < nq; q++)
		hp_descs_burst(c, q, rng, cnt);
	for (q = 0; q < nq; q++)
		hp_consume(c, q, false, cnt, NULL);
	q = first + (uint32_t)(hp_rand(rng) % (nq - first));
	if (round % 64 == 0) {
		hp_publish(c, q, (uint32_t)hp_rand(rng));
		cnt->hostile_writes++;
	}
	if (round % 1024 == 0) {
		garble_field(c, hp_rand(rng) % RTE_DIM(hdr_fields), rng, cnt);
		cnt->hostile_writes++;
		hp_sleep_us(1000);
		hp_header_restore(c);
		cnt->header_fixes++;
	}
}

int
hp_attack_all(struct hp_ctx *c, double end, struct hp_counts *cnt)
{
	struct random_arg ra = { .c = c };
	uint64_t rng = c->seed, round = 0;
	struct hp_flip *f;
	pthread_t ft, rt;

	if (hp_flip_start(c, &ft, &f) != 0) {
		fprintf(stderr, "hostile-peer: cannot start the flip thread\n");
		return -1;
	}
	if (pthread_create(&rt, NULL, random_main, &ra) != 0) {
		fprintf(stderr, "hostile-peer: cannot start the random thread\n");
		hp_flip_stop(c, ft, f, cnt);
		return -1;
	}
	while (hp_now() < end)
		all_round(c, round++, &rng, cnt);
	hp_flip_stop(c, ft, f, cnt);	/* sets c->stop: both threads end */
	pthread_join(rt, NULL);
	hp_counts_add(cnt, &ra.cnt);
	return 0;
}

/* ---------------------------------------------------------- dispatcher */

typedef int (*attack_fn)(struct hp_ctx *c, double end, struct hp_counts *cnt);

static const attack_fn attacks[HP_MODE_COUNT] = {
	[HP_MODE_INDEXES] = hp_attack_indexes,
	[HP_MODE_DESCS] = hp_attack_descs,
	[HP_MODE_FLIP] = hp_attack_flip,
	[HP_MODE_HEADER] = hp_attack_header,
	[HP_MODE_RANDOM] = hp_attack_random,
	[HP_MODE_ALL] = hp_attack_all,
};

/* Must ring q be resynchronised by a jump after this mode's attack? Only
 * the modes that leave indexes nobody can account for.
 */
static bool
needs_jump(const struct hp_ctx *c, enum hp_mode mode, uint32_t q)
{
	return mode == HP_MODE_RANDOM || mode == HP_MODE_ALL ||
		(mode == HP_MODE_FLIP && q == 0 && c->reg.geo.nb_queues > 1);
}

int
hp_attack(struct hp_ctx *c, enum hp_mode mode, double seconds)
{
	struct hp_counts cnt;
	int ret;
	uint32_t q;

	memset(&cnt, 0, sizeof(cnt));
	ret = attacks[mode](c, hp_now() + seconds, &cnt);
	/* stop: the header as it was, our side attached and alive */
	if (!header_right(c)) {
		hp_header_restore(c);
		cnt.header_fixes++;
	}
	__atomic_store_n(&hp_my_side(c)->attached, SHM_SIDE_ATTACHED,
		__ATOMIC_RELEASE);
	__atomic_store_n(&c->hb_stalled, false, __ATOMIC_RELEASE);
	for (q = 0; q < c->reg.geo.nb_queues; q++) {
		if (hp_settle_prod(c, q, needs_jump(c, mode, q), &cnt) != 0)
			ret = -1;
		hp_settle_cons(c, q);
		cnt.prod_index_stores += needs_jump(c, mode, q);
		cnt.cons_index_stores++;
	}
	if (hp_wait_their_ticks(c, 3) != 0)
		ret = -1;
	hp_counts_add(&c->counts, &cnt);
	return ret;
}

int
hp_witness_header(struct hp_ctx *c, struct hp_counts *cnt)
{
	uint64_t rng = c->seed * 3 + 1;

	if (!header_right(c)) {
		hp_header_restore(c);
		cnt->header_fixes++;
		if (hp_wait_their_ticks(c, 2) != 0)
			return -1;
	}
	return episode_header(c, &rng, cnt);
}
