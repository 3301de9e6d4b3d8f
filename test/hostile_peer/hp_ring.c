/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The hostile peer's rings, used correctly: producing frames it can
 * recognise when they come back, consuming (and checking) what the side
 * under test sends, and bringing a ring back to a state both sides agree on
 * after an attack.
 */

#include <string.h>

#include "hp.h"

/* A frame of the tool: an Ethernet header of a local experimental type,
 * then what identifies it, then a pattern derived from its number.
 */
#define HP_ETHERTYPE_HI		0x88
#define HP_ETHERTYPE_LO		0xb5
#define HP_FRAME_MAGIC		UINT32_C(0x31504851)	/* "QHP1" */
#define HP_OFF_MAGIC		14
#define HP_OFF_QUEUE		18
#define HP_OFF_LEN		20
#define HP_OFF_SEQ		24
#define HP_OFF_PATTERN		32
#define HP_MIN_FRAME		64

/* How long settling waits for the side under test to catch up. */
#define HP_SETTLE_TIMEOUT_S	2.0

static struct shm_ring_ctl *
prod_ctl(struct hp_ctx *c, uint32_t q)
{
	return shm_ring_ctl(&c->reg, c->prod_dir, q);
}

static struct shm_ring_ctl *
cons_ctl(struct hp_ctx *c, uint32_t q)
{
	return shm_ring_ctl(&c->reg, c->cons_dir, q);
}

static uint8_t
pattern_byte(uint64_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131 + i);
}

static void
frame_write(uint8_t *p, uint32_t q, uint32_t len, uint64_t seq)
{
	static const uint8_t macs[12] = {
		0x02, 0, 0, 0, 0, 0x02,		/* destination */
		0x02, 0, 0, 0, 0, 0x01,		/* source */
	};
	uint32_t magic = HP_FRAME_MAGIC, i;
	uint16_t queue = (uint16_t)q;

	memcpy(p, macs, sizeof(macs));
	p[12] = HP_ETHERTYPE_HI;
	p[13] = HP_ETHERTYPE_LO;
	memcpy(p + HP_OFF_MAGIC, &magic, sizeof(magic));
	memcpy(p + HP_OFF_QUEUE, &queue, sizeof(queue));
	memcpy(p + HP_OFF_LEN, &len, sizeof(len));
	memcpy(p + HP_OFF_SEQ, &seq, sizeof(seq));
	for (i = HP_OFF_PATTERN; i < len; i++)
		p[i] = pattern_byte(seq, i);
}

/* 0: a frame of ours for queue q, intact; 1: altered; 2: not ours. */
static int
frame_check(const uint8_t *p, uint32_t q, uint32_t len)
{
	uint32_t magic, flen, i;
	uint16_t queue;
	uint64_t seq;

	if (len < HP_MIN_FRAME)
		return 2;
	memcpy(&magic, p + HP_OFF_MAGIC, sizeof(magic));
	if (p[12] != HP_ETHERTYPE_HI || p[13] != HP_ETHERTYPE_LO ||
			magic != HP_FRAME_MAGIC)
		return 2;
	memcpy(&queue, p + HP_OFF_QUEUE, sizeof(queue));
	memcpy(&flen, p + HP_OFF_LEN, sizeof(flen));
	memcpy(&seq, p + HP_OFF_SEQ, sizeof(seq));
	if (queue != q || flen != len)
		return 1;
	for (i = HP_OFF_PATTERN; i < len; i++)
		if (p[i] != pattern_byte(seq, i))
			return 1;
	return 0;
}

uint32_t
hp_prod_room(struct hp_ctx *c, uint32_t q)
{
	uint32_t tail = __atomic_load_n(&prod_ctl(c, q)->tail, __ATOMIC_ACQUIRE);
	uint32_t used = c->prod_head[q] - tail;

	return used <= c->mask + 1 ? c->mask + 1 - used : 0;
}

union shm_desc
hp_put_frame(struct hp_ctx *c, uint32_t q, uint32_t i, uint32_t len,
		bool misplaced, uint64_t *rng)
{
	uint8_t *slots = shm_ring_slots(&c->reg, c->prod_dir, q);
	union shm_desc *descs = shm_ring_descs(&c->reg, c->prod_dir, q);
	uint32_t slot = (c->prod_head[q] + i) & c->mask;
	union shm_desc d;

	d.len = len;
	d.off = misplaced ? (uint32_t)hp_rand_range(rng, 0, c->area - len) :
		slot * c->reg.geo.buf_size;
	frame_write(slots + d.off, q, len, c->seq[q]++);
	__atomic_store_n(&descs[slot].raw, d.raw, __ATOMIC_RELAXED);
	return d;
}

void
hp_publish(struct hp_ctx *c, uint32_t q, uint32_t n)
{
	uint32_t head = c->prod_head[q] + n;

	__atomic_store_n(&c->prod_head[q], head, __ATOMIC_RELEASE);
	__atomic_store_n(&prod_ctl(c, q)->head, head, __ATOMIC_RELEASE);
}

/* Send frame p of len bytes back as entry prod_head[q] + i. */
static void
echo_frame(struct hp_ctx *c, uint32_t q, uint32_t i, const uint8_t *p,
		uint32_t len)
{
	uint8_t *slots = shm_ring_slots(&c->reg, c->prod_dir, q);
	union shm_desc *descs = shm_ring_descs(&c->reg, c->prod_dir, q);
	uint32_t slot = (c->prod_head[q] + i) & c->mask;
	union shm_desc d = { .off = slot * c->reg.geo.buf_size, .len = len };

	memcpy(slots + d.off, p, len);
	__atomic_store_n(&descs[slot].raw, d.raw, __ATOMIC_RELAXED);
}

uint32_t
hp_skip_pending(struct hp_ctx *c, uint32_t q)
{
	struct shm_ring_ctl *ctl = cons_ctl(c, q);
	uint32_t head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);
	uint32_t n = head - c->cons_tail[q];

	c->cons_tail[q] = head;
	__atomic_store_n(&ctl->tail, head, __ATOMIC_RELEASE);
	return n;
}

uint32_t
hp_consume(struct hp_ctx *c, uint32_t q, bool echo, struct hp_counts *cnt,
		uint64_t res[3])
{
	struct shm_ring_ctl *ctl = cons_ctl(c, q);
	const union shm_desc *descs = shm_ring_descs(&c->reg, c->cons_dir, q);
	const uint8_t *slots = shm_ring_slots(&c->reg, c->cons_dir, q);
	uint32_t head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);
	uint32_t avail = head - c->cons_tail[q], i, slot, sent = 0;
	union shm_desc d;
	int kind;

	if (avail > c->mask + 1) {
		/* The side under test moved its index out of the ring (it
		 * resynchronised after an attack of ours): follow it.
		 */
		cnt->their_resyncs++;
		c->cons_tail[q] = head;
		__atomic_store_n(&ctl->tail, head, __ATOMIC_RELEASE);
		return 0;
	}
	if (echo)
		avail = RTE_MIN(avail, hp_prod_room(c, q));
	for (i = 0; i < avail; i++) {
		slot = (c->cons_tail[q] + i) & c->mask;
		d.raw = __atomic_load_n(&descs[slot].raw, __ATOMIC_RELAXED);
		if (d.off != slot * c->reg.geo.buf_size || d.len == 0 ||
				d.len > c->reg.geo.buf_size) {
			cnt->their_bad_descs++;
			continue;
		}
		if (!echo)
			continue;
		kind = frame_check(slots + d.off, q, d.len);
		res[kind]++;
		if (kind == 0)
			echo_frame(c, q, sent++, slots + d.off, d.len);
	}
	c->cons_tail[q] += avail;
	__atomic_store_n(&ctl->tail, c->cons_tail[q], __ATOMIC_RELEASE);
	if (sent != 0)
		hp_publish(c, q, sent);
	return avail;
}

/* Wait until the consumer's index of our ring q is v. */
static int
wait_tail(struct hp_ctx *c, uint32_t q, uint32_t v)
{
	double deadline = hp_now() + HP_SETTLE_TIMEOUT_S;

	while (__atomic_load_n(&prod_ctl(c, q)->tail, __ATOMIC_ACQUIRE) != v) {
		if (hp_now() > deadline)
			return -1;
		hp_sleep_us(20);
	}
	return 0;
}

int
hp_settle_prod(struct hp_ctx *c, uint32_t q, bool jump, struct hp_counts *cnt)
{
	uint32_t v;

	if (!jump)
		return wait_tail(c, q, c->prod_head[q]);
	v = __atomic_load_n(&prod_ctl(c, q)->tail, __ATOMIC_ACQUIRE) +
		UINT32_C(0x80000000);
	hp_publish(c, q, v - c->prod_head[q]);
	cnt->hostile_writes++;
	if (wait_tail(c, q, v) != 0) {
		cnt->rx_jumps_unseen++;
		return -1;
	}
	cnt->rx_jumps++;
	return 0;
}

void
hp_settle_cons(struct hp_ctx *c, uint32_t q)
{
	struct shm_ring_ctl *ctl = cons_ctl(c, q);

	c->cons_tail[q] = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);
	__atomic_store_n(&ctl->tail, c->cons_tail[q], __ATOMIC_RELEASE);
}

uint32_t
hp_slot_len(const struct hp_ctx *c, uint32_t slot)
{
	uint32_t span = c->reg.geo.buf_size - HP_MIN_FRAME + 1;

	return HP_MIN_FRAME + (slot * 1031u) % span;
}
