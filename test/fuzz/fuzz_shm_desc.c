/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * libFuzzer target: what net_shm's RX path does with the indexes and
 * descriptors a peer writes into a ring (shm_rx_avail(),
 * shm_rx_fetch_descs() and shm_desc_valid() in shm_rxtx.h), without EAL.
 *
 * Each input builds a region image of one queue pair at the very end of a
 * heap buffer and binds an RX queue, with shm_queue_bind(), to the last
 * ring of the image (client to server), whose slot area therefore ends
 * where the buffer ends: ASan sees any read past it. The input then
 * plays the peer and the consumer in turn (see the record format below).
 * Each RX burst takes what shm_rx_avail() grants, fetches the descriptors
 * with shm_rx_fetch_descs() and reads every frame they let through, byte
 * for byte, as the burst copies it into mbufs. A finding is a sanitizer
 * report or a broken rule of doc/shm_region.md:
 * - a peer head more than the ring size ahead of our index is never
 *   taken as is;
 * - a burst never takes more than it asked for, SHM_RX_BURST_MAX or the
 *   ring size, nor anything the peer's head does not cover;
 * - a descriptor is accepted if and only if its frame is 1..buf_size bytes
 *   wholly inside the ring's slot area.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_rxtx.h"

/* Slot areas beyond this are shrunk (fewer slots): keeps each run fast. */
#define FUZZ_MAX_SLOT_AREA	(4u << 20)

/*
 * Input: a 12-byte header, then records until the input ends.
 *   header: u8 ring size (64 << (b % 9)), u16 slot size (128 + 64 * (v %
 *           1023)), u8 unused, u32 the tail and u32 the head the image
 *           holds when the queue binds (a restarted consumer).
 *   record: one op byte, op % 4:
 *     0 peer writes a descriptor: 8 bytes, stored at the peer's next slot;
 *     1 peer publishes: head = the peer's next index;
 *     2 peer writes any head: 4 bytes;
 *     3 RX burst: 1 byte, nb_pkts (0..255).
 * Multi-byte fields are little-endian; a short input reads as zeros.
 */
struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static uint64_t
take(struct fuzz_input *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes && in->left > 0; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

/*
 * The heap buffer images are built in, allocated once (a fresh allocation
 * of up to 4 MiB per run would take most of the run's time).
 */
static uint8_t *arena;
static size_t arena_size;

/* One queue pair; rings first, then the slot areas, nothing between. */
struct fuzz_image {
	struct shm_region reg;
	uint8_t *buf;
	size_t size;
};

static size_t
image_size(uint32_t ring_size, uint32_t buf_size)
{
	uint64_t stride = sizeof(struct shm_ring_ctl) +
		(uint64_t)ring_size * sizeof(union shm_desc);

	return 2 * stride + 2 * (uint64_t)ring_size * buf_size;
}

static void
image_build(struct fuzz_image *im, uint32_t ring_size, uint32_t buf_size)
{
	memset(&im->reg, 0, sizeof(im->reg));
	im->reg.geo.nb_queues = 1;
	im->reg.geo.ring_size = ring_size;
	im->reg.geo.buf_size = buf_size;
	im->reg.ring_stride = sizeof(struct shm_ring_ctl) +
		(uint64_t)ring_size * sizeof(union shm_desc);
	im->reg.rings_offset = 0;
	im->reg.bufs_offset = 2 * im->reg.ring_stride;
	im->size = image_size(ring_size, buf_size);
	im->reg.size = im->size;
	/* Every part is a multiple of the cache line: so is the offset. */
	im->buf = arena + arena_size - im->size;
	memset(im->buf, 0, im->reg.bufs_offset); /* slots may hold garbage */
	im->reg.base = im->buf;
}

/* The rule of doc/shm_region.md, written independently of the driver's. */
static int
spec_frame_ok(uint32_t off, uint32_t len, uint32_t buf_size,
		uint64_t slots_size)
{
	return len >= 1 && len <= buf_size && off <= slots_size - len;
}

static void
fail(const char *what, uint64_t a, uint64_t b)
{
	fprintf(stderr, "fuzz_shm_desc: %s (%llu, %llu)\n", what,
		(unsigned long long)a, (unsigned long long)b);
	abort();
}

/* One RX burst as shm_rx_burst() does it, frames read into a local copy. */
static void
rx_burst(struct shm_queue *q, uint16_t nb_pkts)
{
	static uint8_t frame[SHM_MAX_BUF_SIZE];
	union shm_desc d[SHM_RX_BURST_MAX];
	uint32_t idx, n, i;
	union shm_desc raw;

	n = shm_rx_avail(q, nb_pkts);
	if (n > nb_pkts || n > SHM_RX_BURST_MAX || n > q->mask + 1)
		fail("burst takes too much", n, nb_pkts);
	if (q->peer_idx - q->idx > q->mask + 1)
		fail("peer head beyond the ring accepted", q->peer_idx, q->idx);
	if (n == 0)
		return;
	idx = q->idx;
	if (q->peer_idx - idx < n)
		fail("burst takes what the peer's head does not cover",
			q->peer_idx - idx, n);
	shm_rx_fetch_descs(q, idx, n, d);
	for (i = 0; i < n; i++) {
		raw = q->descs[(idx + i) & q->mask];
		if (d[i].len == 0) {
			if (spec_frame_ok(raw.off, raw.len, q->buf_size,
					q->slots_size))
				fail("good descriptor refused", raw.off, raw.len);
			continue;
		}
		if (d[i].raw != raw.raw)
			fail("descriptor changed on fetch", d[i].raw, raw.raw);
		if (!spec_frame_ok(d[i].off, d[i].len, q->buf_size,
				q->slots_size))
			fail("bad descriptor accepted", d[i].off, d[i].len);
		memcpy(frame, q->slots + d[i].off, d[i].len);
	}
	q->idx = idx + n;
	__atomic_store_n(&q->ctl->tail, q->idx, __ATOMIC_RELEASE);
}

static void
play(struct shm_queue *q, struct fuzz_input *in, uint32_t peer)
{
	union shm_desc d;

	while (in->left > 0) {
		switch (take(in, 1) % 4) {
		case 0:
			d.raw = take(in, 8);
			q->descs[peer++ & q->mask] = d;
			break;
		case 1:
			q->ctl->head = peer;
			break;
		case 2:
			peer = (uint32_t)take(in, 4);
			q->ctl->head = peer;
			break;
		default:
			rx_burst(q, (uint16_t)take(in, 1));
			break;
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	/* The largest image: every larger geometry is shrunk to fit. */
	arena_size = image_size(SHM_MAX_RING_SIZE,
		FUZZ_MAX_SLOT_AREA / SHM_MAX_RING_SIZE);
	arena = aligned_alloc(RTE_CACHE_LINE_SIZE, arena_size);
	if (arena == NULL) {
		fprintf(stderr, "fuzz_shm_desc: no memory for a %zu-byte image\n",
			arena_size);
		exit(1);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fuzz_image im;
	struct shm_queue q;
	struct shm_ring_ctl *ctl;
	uint32_t ring_size, buf_size, tail, head;

	ring_size = SHM_MIN_RING_SIZE << (take(&in, 1) % 9);
	buf_size = SHM_MIN_BUF_SIZE + RTE_CACHE_LINE_SIZE * (take(&in, 2) %
		((SHM_MAX_BUF_SIZE - SHM_MIN_BUF_SIZE) / RTE_CACHE_LINE_SIZE + 1));
	while ((uint64_t)ring_size * buf_size > FUZZ_MAX_SLOT_AREA)
		ring_size /= 2;
	take(&in, 1);
	tail = (uint32_t)take(&in, 4);
	head = (uint32_t)take(&in, 4);
	image_build(&im, ring_size, buf_size);

	ctl = shm_ring_ctl(&im.reg, SHM_DIR_C2S, 0);
	ctl->tail = tail;
	ctl->head = head;
	memset(&q, 0, sizeof(q));
	shm_queue_bind(&q, &im.reg, SHM_DIR_C2S, 1);
	if (q.slots + q.slots_size != im.buf + im.size)
		fail("ring under test is not the last", q.slots_size, im.size);
	play(&q, &in, head);
	return 0;
}
