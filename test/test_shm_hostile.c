/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_shm against a peer that breaks the protocol. The test maps the region
 * itself and, as the producer of a ring the server port never sends on,
 * writes descriptors that point outside the
 * slot area, are longer than a slot, are empty, or overflow 32 bits, and
 * moves indexes beyond the ring. The client port must count and drop each
 * of them, deliver the good frames in between, and carry on once the peer
 * behaves. A garbled header takes the link down until it is restored.
 */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "shm_region.h"
#include "shm_test_util.h"
#include "test.h"

#define HOSTILE_Q	2	/* a queue the server port never sends on */

static struct shm_pair pair;
static struct shm_region view;	/* the test's own mapping of the region */
static uint32_t prod;		/* the test's producer index on HOSTILE_Q */

static int
hostile_setup(void)
{
	struct stat st;
	int fd;

	/* The server port never sends on HOSTILE_Q: the test produces there. */
	TEST_ASSERT_SUCCESS(shm_pair_create(&pair, "hostile", NULL, 4),
		"loopback pair");

	fd = open(pair.path, O_RDWR);
	TEST_ASSERT(fd >= 0 && fstat(fd, &st) == 0, "open region");
	memset(&view, 0, sizeof(view));
	view.map_len = st.st_size;
	view.map_addr = mmap(NULL, view.map_len, PROT_READ | PROT_WRITE,
		MAP_SHARED, fd, 0);
	close(fd);
	TEST_ASSERT(view.map_addr != MAP_FAILED, "map region");
	view.base = view.map_addr;
	view.geo.nb_queues = shm_region_hdr(&view)->nb_queues;
	view.geo.ring_size = shm_region_hdr(&view)->ring_size;
	view.geo.buf_size = shm_region_hdr(&view)->buf_size;
	view.rings_offset = shm_region_hdr(&view)->rings_offset;
	view.bufs_offset = shm_region_hdr(&view)->bufs_offset;
	view.ring_stride = sizeof(struct shm_ring_ctl) +
		(uint64_t)view.geo.ring_size * sizeof(union shm_desc);
	prod = shm_ring_ctl(&view, SHM_DIR_S2C, HOSTILE_Q)->head;
	return TEST_SUCCESS;
}

static void
hostile_teardown(void)
{
	if (view.map_addr != NULL && view.map_addr != MAP_FAILED)
		munmap(view.map_addr, view.map_len);
	view.map_addr = NULL;
	shm_pair_destroy(&pair);
}

/* Produce one descriptor on HOSTILE_Q as the peer would, good or bad. */
static void
peer_put(uint32_t off, uint32_t len, uint8_t fill)
{
	struct shm_ring_ctl *ctl = shm_ring_ctl(&view, SHM_DIR_S2C, HOSTILE_Q);
	union shm_desc *descs = shm_ring_descs(&view, SHM_DIR_S2C, HOSTILE_Q);
	uint8_t *slots = shm_ring_slots(&view, SHM_DIR_S2C, HOSTILE_Q);
	uint32_t slot = prod & (view.geo.ring_size - 1);
	uint64_t area = (uint64_t)view.geo.ring_size * view.geo.buf_size;
	union shm_desc d = { .off = off, .len = len };

	if ((uint64_t)off + len <= area)
		memset(slots + off, fill, len);
	descs[slot].raw = d.raw;
	prod++;
	__atomic_store_n(&ctl->head, prod, __ATOMIC_RELEASE);
}

/* Receive what HOSTILE_Q has; check that it is exactly the good frames. */
static int
recv_good(unsigned int expect, uint32_t len, uint8_t fill)
{
	struct rte_mbuf *m[64];
	unsigned int got = 0, i, tries;
	uint16_t n;

	for (tries = 0; tries < 100 && got <= expect; tries++) {
		n = rte_eth_rx_burst(pair.client, HOSTILE_Q, m, RTE_DIM(m));
		for (i = 0; i < n; i++) {
			const uint8_t *d = rte_pktmbuf_mtod(m[i], uint8_t *);

			if (m[i]->pkt_len != len || d[0] != fill ||
					d[len - 1] != fill) {
				shm_test_free(m, n);
				return -1;
			}
		}
		shm_test_free(m, n);
		got += n;
	}
	return got == expect ? 0 : -1;
}

static int
test_bad_descriptors_dropped(void)
{
	uint32_t slot_bytes = view.geo.buf_size;
	uint32_t area = view.geo.ring_size * slot_bytes;
	uint64_t bad0 = shm_test_xstat(pair.client, "rx_bad_descriptors");
	struct rte_eth_stats st;

	peer_put(0, 100, 0xa1);				/* good */
	peer_put(area, 64, 0);				/* offset past the area */
	peer_put(area - 10, 100, 0);			/* runs past the area */
	peer_put(slot_bytes, slot_bytes + 1, 0);	/* longer than a slot */
	peer_put(0, 0, 0);				/* empty */
	peer_put(UINT32_MAX, UINT32_MAX, 0);		/* 32-bit overflow */
	peer_put(UINT32_MAX - 10, 64, 0);		/* wraps in 32 bits */
	peer_put(2 * slot_bytes, 100, 0xa1);		/* good */
	TEST_ASSERT_SUCCESS(recv_good(2, 100, 0xa1),
		"good frames around bad descriptors not delivered intact");
	TEST_ASSERT_EQUAL(shm_test_xstat(pair.client, "rx_bad_descriptors") - bad0, 6,
		"bad descriptors counted: %" PRIu64,
		shm_test_xstat(pair.client, "rx_bad_descriptors") - bad0);
	rte_eth_stats_get(pair.client, &st);
	TEST_ASSERT(st.ierrors >= 6, "ierrors %" PRIu64, st.ierrors);
	TEST_ASSERT_EQUAL(rte_mempool_in_use_count(pair.mp), 0,
		"mbufs leaked on bad descriptors");
	return TEST_SUCCESS;
}

/* While the mempool is empty the frames wait in the ring; a bad descriptor
 * among them is counted once, when it is finally consumed.
 */
static int
test_bad_descriptor_counted_once(void)
{
	unsigned int avail = rte_mempool_avail_count(pair.mp), n = 0, i;
	struct rte_mbuf **hoard = calloc(avail, sizeof(*hoard));
	uint64_t bad0 = shm_test_xstat(pair.client, "rx_bad_descriptors");

	TEST_ASSERT_NOT_NULL(hoard, "hoard array");
	while (n < avail && (hoard[n] = rte_pktmbuf_alloc(pair.mp)) != NULL)
		n++;
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(pair.mp), 0, "pool not empty");
	peer_put(view.geo.ring_size * view.geo.buf_size, 64, 0);
	peer_put(0, 64, 0x33);
	for (i = 0; i < 20; i++)
		TEST_ASSERT_EQUAL(recv_good(0, 64, 0x33), 0,
			"frames received with an empty pool");
	shm_test_free(hoard, n);
	free(hoard);
	TEST_ASSERT_SUCCESS(recv_good(1, 64, 0x33), "frame lost");
	TEST_ASSERT_EQUAL(shm_test_xstat(pair.client, "rx_bad_descriptors") - bad0, 1,
		"a bad descriptor counted %" PRIu64 " times",
		shm_test_xstat(pair.client, "rx_bad_descriptors") - bad0);
	return TEST_SUCCESS;
}

static int
test_index_jump_resyncs(void)
{
	struct shm_ring_ctl *ctl = shm_ring_ctl(&view, SHM_DIR_S2C, HOSTILE_Q);
	uint64_t idx0 = shm_test_xstat(pair.client, "rx_bad_index");
	unsigned int i;

	/* Producer index far beyond the ring: nothing read, counted. */
	prod += view.geo.ring_size + 5;
	__atomic_store_n(&ctl->head, prod, __ATOMIC_RELEASE);
	TEST_ASSERT_SUCCESS(recv_good(0, 64, 0), "frames read past the ring");
	TEST_ASSERT_EQUAL(shm_test_xstat(pair.client, "rx_bad_index") - idx0, 1,
		"index jump not counted");
	/* Index behind the consumer (a huge unsigned distance). */
	prod -= 3 * view.geo.ring_size;
	__atomic_store_n(&ctl->head, prod, __ATOMIC_RELEASE);
	TEST_ASSERT_SUCCESS(recv_good(0, 64, 0), "frames read past the ring");
	TEST_ASSERT_EQUAL(shm_test_xstat(pair.client, "rx_bad_index") - idx0, 2,
		"backward index jump not counted");
	/* The peer behaves again: frames flow. */
	for (i = 0; i < 3 * view.geo.ring_size; i++) {
		peer_put((i & (view.geo.ring_size - 1)) * view.geo.buf_size,
			64, 0x5c);
		if ((i & 31) == 31)
			TEST_ASSERT_SUCCESS(recv_good(32, 64, 0x5c),
				"channel did not recover (frame %u)", i);
	}
	TEST_ASSERT_EQUAL(rte_mempool_in_use_count(pair.mp), 0,
		"mbufs leaked");
	return TEST_SUCCESS;
}

/* The peer moves our consumer index (or its own) so that the TX side sees
 * more in flight than the ring holds: counted, resynced, no overwrite
 * outside the slot area, and the channel goes on.
 */
static int
test_tx_side_index_jump(void)
{
	struct shm_ring_ctl *ctl = shm_ring_ctl(&view, SHM_DIR_C2S, 0);
	uint64_t idx0 = shm_test_xstat(pair.client, "tx_bad_index");
	uint32_t tail = __atomic_load_n(&ctl->tail, __ATOMIC_ACQUIRE);
	struct rte_eth_stats st;

	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(pair.client), "reset");

	__atomic_store_n(&ctl->tail, tail + 100000, __ATOMIC_RELEASE);
	TEST_ASSERT_EQUAL(shm_test_send(pair.client, 0, pair.mp, 32, 64, 0),
		32, "client TX stuck after a consumer index jump");
	TEST_ASSERT_EQUAL(shm_test_xstat(pair.client, "tx_bad_index") - idx0, 1,
		"tx index jump not counted");
	/* The server port consumes this ring; it also sees an index mess and
	 * resynchronises on the next bursts: the channel must come back.
	 */
	shm_test_recv(pair.server, 0, 32, 64, 0, 50);
	TEST_ASSERT_EQUAL(shm_test_send(pair.client, 0, pair.mp, 32, 64, 100),
		32, "client TX refused");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.server, 0, 32, 64, 100, 1000), 32,
		"channel did not recover after a tx index jump");
	rte_eth_stats_get(pair.client, &st);
	TEST_ASSERT_EQUAL(st.opackets, 64, "opackets %" PRIu64 " after the "
		"peer moved the index: the peer must not inflate counters",
		st.opackets);
	TEST_ASSERT_EQUAL(rte_mempool_in_use_count(pair.mp), 0,
		"mbufs leaked");
	return TEST_SUCCESS;
}

static int
test_garbled_header_link_down(void)
{
	struct shm_region_header *h = shm_region_hdr(&view);
	uint32_t saved = h->ring_size;
	uint64_t err0 = shm_test_xstat(pair.client, "region_header_errors");

	h->ring_size = 0xdead;
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.client, false, 1000, NULL),
		"link stayed up with a garbled header");
	TEST_ASSERT_EQUAL(shm_test_xstat(pair.client, "region_header_errors") - err0, 1,
		"header error not counted");
	h->ring_size = saved;
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.client, true, 1000, NULL),
		"link did not come back with the header restored");
	TEST_ASSERT_EQUAL(shm_test_send(pair.server, 0, pair.mp, 8, 64, 0), 8,
		"send after header restored");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 8, 64, 0, 1000), 8,
		"recv after header restored");
	return TEST_SUCCESS;
}

/* The peer overwrites our side's attached mark. Regression: the mark was
 * written once, at start, so it stayed garbled after the peer left and
 * every later peer took this side for detached (link down for good).
 * Each heartbeat of ours now puts it back.
 */
static int
test_attached_mark_restored(void)
{
	uint32_t *att = &shm_side(&view, SHM_ROLE_SERVER)->attached;
	unsigned int ms;

	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.client, true, 1000, NULL),
		"client link not up at start");
	__atomic_store_n(att, 0xdeadbeef, __ATOMIC_RELEASE);
	for (ms = 0; ms < 1000 && __atomic_load_n(att, __ATOMIC_ACQUIRE) !=
			SHM_SIDE_ATTACHED; ms++)
		rte_delay_us_sleep(1000);
	TEST_ASSERT_EQUAL(*att, SHM_SIDE_ATTACHED,
		"the server's attached mark stayed 0x%x for 1 s", *att);
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.client, true, 1000, NULL),
		"the client's link stayed down after the server's mark was back");
	return TEST_SUCCESS;
}

static struct unit_test_suite shm_hostile_suite = {
	.suite_name = "net_shm hostile peer",
	.unit_test_cases = {
		TEST_CASE_ST(hostile_setup, hostile_teardown,
			test_bad_descriptors_dropped),
		TEST_CASE_ST(hostile_setup, hostile_teardown,
			test_bad_descriptor_counted_once),
		TEST_CASE_ST(hostile_setup, hostile_teardown,
			test_index_jump_resyncs),
		TEST_CASE_ST(hostile_setup, hostile_teardown,
			test_tx_side_index_jump),
		TEST_CASE_ST(hostile_setup, hostile_teardown,
			test_garbled_header_link_down),
		TEST_CASE_ST(hostile_setup, hostile_teardown,
			test_attached_mark_restored),
		TEST_CASES_END(),
	},
};

static int
test_shm_hostile(void)
{
	return unit_test_suite_runner(&shm_hostile_suite);
}

REGISTER_TEST_COMMAND(shm_hostile_autotest, test_shm_hostile);
