/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_shm data path on a loopback pair (a server port and a client port on
 * one region): delivery in order, ring wrap-around, every burst size from
 * 1 to 512, backpressure on a full ring, queue isolation, stats accuracy,
 * multi-segment frames both ways, oversize frames, and no mbuf leaks; a
 * region whose file is named like a write-combining BAR (resource2_wc)
 * gets the burst functions that fence, and the others do not.
 */

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "shm_rxtx.h"
#include "shm_test_util.h"
#include "test.h"

static struct shm_pair pair;
static char wc_dir[128];

/* The pair on DIR/resource2_wc: what a BAR mapped write-combining is called. */
static int
pair_setup_wc(void)
{
	char path[192];

	shm_test_path(wc_dir, sizeof(wc_dir), "wcdir");
	if (mkdir(wc_dir, 0700) != 0)
		return TEST_FAILED;
	snprintf(path, sizeof(path), "%s/resource2_wc", wc_dir);
	return shm_pair_create_at(&pair, "rxtxwc", path, NULL, 4) == 0 ?
		0 : TEST_FAILED;
}

static int
pair_setup_default(void)
{
	return shm_pair_create(&pair, "rxtx", NULL, 4) == 0 ? 0 : TEST_FAILED;
}

static int
pair_setup_small_ring(void)
{
	return shm_pair_create(&pair, "rxtx64", "ring_size=64", 4) == 0 ?
		0 : TEST_FAILED;
}

static int
pair_setup_big_slots(void)
{
	return shm_pair_create(&pair, "rxtxbig", "buf_size=8192,queues=1",
		1) == 0 ? 0 : TEST_FAILED;
}

static void
pair_teardown(void)
{
	unsigned int in_use = pair.mp != NULL ?
		rte_mempool_in_use_count(pair.mp) : 0;

	shm_pair_destroy(&pair);
	if (in_use != 0)
		printf("mbuf leak: %u mbufs still in use\n", in_use);
}

/* Nothing of the pool may remain in use between test steps. */
#define ASSERT_NO_LEAK() \
	TEST_ASSERT_EQUAL(rte_mempool_in_use_count(pair.mp), 0, \
		"mbufs leaked: %u in use", rte_mempool_in_use_count(pair.mp))

static int
test_both_directions(void)
{
	uint16_t q;

	for (q = 0; q < pair.nb_queues; q++) {
		TEST_ASSERT_EQUAL(shm_test_send(pair.server, q, pair.mp, 32, 64,
			q * 1000), 32, "server queue %u refused frames", q);
		TEST_ASSERT_EQUAL(shm_test_recv(pair.client, q, 32, 64,
			q * 1000, 1000), 32, "client queue %u: wrong frames", q);
		TEST_ASSERT_EQUAL(shm_test_send(pair.client, q, pair.mp, 32,
			1500, q), 32, "client queue %u refused frames", q);
		TEST_ASSERT_EQUAL(shm_test_recv(pair.server, q, 32, 1500, q,
			1000), 32, "server queue %u: wrong frames", q);
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* A 64-entry ring, frames sent in bursts of 48: indexes cross the ring end
 * at every other burst, and go past 2^32 in free-running terms never (that
 * is covered by the driver using unsigned differences only).
 */
static int
test_wrap_around(void)
{
	uint32_t seq = 0;
	int i;

	for (i = 0; i < 40; i++) {
		TEST_ASSERT_EQUAL(shm_test_send(pair.server, 1, pair.mp, 48,
			100 + i, seq), 48, "round %d: send", i);
		TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 1, 48, 100 + i,
			seq, 1000), 48, "round %d: frames lost or wrong", i);
		seq += 48;
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_bursts_1_to_512(void)
{
	uint32_t seq = 0;
	uint16_t n;

	for (n = 1; n <= 512; n++) {
		TEST_ASSERT_EQUAL(shm_test_send(pair.client, 2, pair.mp, n, 64,
			seq), n, "burst of %u: refused", n);
		TEST_ASSERT_EQUAL(shm_test_recv(pair.server, 2, n, 64, seq,
			1000), n, "burst of %u: frames lost or wrong", n);
		seq += n;
	}
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* A full ring makes TX return fewer and counts it; nothing is dropped. */
static int
test_full_ring_backpressure(void)
{
	struct rte_eth_stats st;
	uint64_t full0 = shm_test_xstat(pair.server, "tx_ring_full");
	uint16_t sent;

	sent = shm_test_send(pair.server, 0, pair.mp, 512, 64, 0);
	TEST_ASSERT_EQUAL(sent, 512, "empty 512-entry ring took %u", sent);
	sent = shm_test_send(pair.server, 0, pair.mp, 32, 64, 512);
	TEST_ASSERT_EQUAL(sent, 0, "full ring took %u frames", sent);
	TEST_ASSERT(shm_test_xstat(pair.server, "tx_ring_full") > full0,
		"tx_ring_full not counted");
	rte_eth_stats_get(pair.server, &st);
	TEST_ASSERT_EQUAL(st.oerrors, 0, "frames dropped on a full ring");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 512, 64, 0, 1000),
		512, "frames lost behind a full ring");
	TEST_ASSERT_EQUAL(shm_test_send(pair.server, 0, pair.mp, 32, 64, 512),
		32, "ring did not drain");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 32, 64, 512, 1000),
		32, "frames after drain lost");
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* A full best-effort ring (queue 3) does not hold up the realtime queue. */
static int
test_queue_isolation(void)
{
	int i;

	TEST_ASSERT_EQUAL(shm_test_send(pair.client, 3, pair.mp, 512, 1500, 0),
		512, "best-effort queue did not fill");
	TEST_ASSERT_EQUAL(shm_test_send(pair.client, 3, pair.mp, 1, 1500, 0),
		0, "best-effort queue is not full");
	for (i = 0; i < 100; i++) {
		TEST_ASSERT_EQUAL(shm_test_send(pair.client, 0, pair.mp, 32, 64,
			i * 32), 32, "realtime burst %d held back", i);
		TEST_ASSERT_EQUAL(shm_test_recv(pair.server, 0, 32, 64, i * 32,
			100), 32, "realtime burst %d not delivered", i);
	}
	TEST_ASSERT_EQUAL(shm_test_recv(pair.server, 3, 512, 1500, 0, 1000),
		512, "best-effort frames lost");
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

static int
test_stats(void)
{
	struct rte_eth_stats s, c;
	uint16_t q;

	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(pair.server), "reset");
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(pair.client), "reset");
	for (q = 0; q < 4; q++) {
		TEST_ASSERT_EQUAL(shm_test_send(pair.server, q, pair.mp, 10 + q,
			100 + q, 0), 10 + q, "send on %u", q);
		TEST_ASSERT_EQUAL(shm_test_recv(pair.client, q, 10 + q, 100 + q,
			0, 1000), 10 + q, "recv on %u", q);
	}
	rte_eth_stats_get(pair.server, &s);
	rte_eth_stats_get(pair.client, &c);
	TEST_ASSERT_EQUAL(s.opackets, 46, "opackets %" PRIu64, s.opackets);
	TEST_ASSERT_EQUAL(c.ipackets, 46, "ipackets %" PRIu64, c.ipackets);
	TEST_ASSERT_EQUAL(s.obytes, 10 * 100 + 11 * 101 + 12 * 102 + 13 * 103,
		"obytes %" PRIu64, s.obytes);
	TEST_ASSERT_EQUAL(c.ibytes, s.obytes, "ibytes %" PRIu64, c.ibytes);
	for (q = 0; q < 4; q++) {
		TEST_ASSERT_EQUAL(s.q_opackets[q], 10u + q, "q_opackets[%u]", q);
		TEST_ASSERT_EQUAL(c.q_ipackets[q], 10u + q, "q_ipackets[%u]", q);
		TEST_ASSERT_EQUAL(c.q_ibytes[q], (10u + q) * (100 + q),
			"q_ibytes[%u]", q);
	}
	TEST_ASSERT_EQUAL(s.ipackets + s.ierrors + s.oerrors + s.imissed +
		s.rx_nombuf + c.opackets + c.oerrors, 0,
		"counters moved that should not have");

	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(pair.client), "reset");
	rte_eth_stats_get(pair.client, &c);
	TEST_ASSERT_EQUAL(c.ipackets + c.ibytes + c.q_ipackets[0], 0,
		"stats_reset left counts");
	TEST_ASSERT_EQUAL(shm_test_send(pair.server, 0, pair.mp, 5, 64, 0), 5,
		"send after reset");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 5, 64, 0, 1000), 5,
		"recv after reset");
	rte_eth_stats_get(pair.client, &c);
	TEST_ASSERT_EQUAL(c.ipackets, 5, "counting after reset: %" PRIu64,
		c.ipackets);
	TEST_ASSERT_NOT_EQUAL(shm_test_xstat(pair.client, "rx_bad_descriptors"),
		UINT64_MAX, "xstat rx_bad_descriptors missing");
	TEST_ASSERT_NOT_EQUAL(shm_test_xstat(pair.client, "peer_restarts"), UINT64_MAX,
		"xstat peer_restarts missing");
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* A chained mbuf goes out as one frame; a frame larger than the receiver's
 * mbufs comes in chained.
 */
static int
test_multi_segment(void)
{
	struct rte_mbuf *m[4];
	uint16_t i, n;
	uint32_t len = 7000;

	for (i = 0; i < 4; i++) {
		m[i] = shm_test_frame(pair.mp, len, i, 1000);
		TEST_ASSERT_NOT_NULL(m[i], "frame alloc");
	}
	TEST_ASSERT_EQUAL(m[0]->nb_segs, 7, "test frame not chained");
	n = rte_eth_tx_burst(pair.server, 0, m, 4);
	TEST_ASSERT_EQUAL(n, 4, "chained frames refused");
	/* 7000 B into 2048 B mbufs (2048 - 128 headroom - 0): 4 segments */
	n = 0;
	for (i = 0; i < 1000 && n < 4; i++)
		n += rte_eth_rx_burst(pair.client, 0, m + n, 4 - n);
	TEST_ASSERT_EQUAL(n, 4, "chained frames not received");
	for (i = 0; i < 4; i++) {
		TEST_ASSERT(m[i]->nb_segs > 1, "frame %u not chained", i);
		TEST_ASSERT_SUCCESS(shm_test_frame_check(m[i], len, i),
			"frame %u content wrong", i);
	}
	shm_test_free(m, 4);
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* A frame larger than a slot is freed and counted, never truncated. */
static int
test_oversize_refused(void)
{
	struct rte_mbuf *m[3];
	struct rte_eth_stats st;
	uint64_t drops0 = shm_test_xstat(pair.server, "tx_oversize_drops");

	m[0] = shm_test_frame(pair.mp, 64, 0, 0);
	m[1] = shm_test_frame(pair.mp, 2049, 1, 1024);
	m[2] = shm_test_frame(pair.mp, 64, 1, 0);
	TEST_ASSERT(m[0] && m[1] && m[2], "frame alloc");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(pair.server, 0, m, 3), 3,
		"burst with an oversize frame not consumed");
	TEST_ASSERT_EQUAL(shm_test_xstat(pair.server, "tx_oversize_drops") - drops0, 1,
		"oversize frame not counted");
	rte_eth_stats_get(pair.server, &st);
	TEST_ASSERT(st.oerrors >= 1, "oerrors not counted");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 1, 64, 0, 1000), 1,
		"frame before the oversize one");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 1, 64, 1, 1000), 1,
		"frame after the oversize one");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 1, 64, 2, 50), 0,
		"oversize frame was sent");
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* TX frees what it copied; a frame still referenced elsewhere (refcnt 2,
 * or a clone) must survive its own send, and nothing may leak.
 */
static int
test_shared_and_cloned_frames(void)
{
	struct rte_mbuf *m[3], *r[2], *kept;
	struct rte_mempool *clones;
	unsigned int i, n;

	clones = rte_pktmbuf_pool_create("mp_clones", 64, 0, 0, 0,
		rte_socket_id());
	TEST_ASSERT_NOT_NULL(clones, "clone pool");
	kept = shm_test_frame(pair.mp, 300, 1, 0);
	TEST_ASSERT_NOT_NULL(kept, "frame alloc");
	rte_mbuf_refcnt_update(kept, 1);
	m[0] = shm_test_frame(pair.mp, 300, 0, 0);
	m[1] = kept;
	m[2] = rte_pktmbuf_clone(kept, clones);
	TEST_ASSERT(m[0] != NULL && m[2] != NULL, "alloc");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(pair.server, 0, m, 3), 3, "send");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 1, 300, 0, 1000), 1,
		"plain frame");
	for (n = 0, i = 0; i < 1000 && n < 2; i++)
		n += rte_eth_rx_burst(pair.client, 0, r + n, 2 - n);
	TEST_ASSERT_EQUAL(n, 2, "shared and cloned frames not received");
	TEST_ASSERT(shm_test_frame_check(r[0], 300, 1) == 0 &&
		shm_test_frame_check(r[1], 300, 1) == 0,
		"shared or cloned frame arrived wrong");
	shm_test_free(r, 2);
	TEST_ASSERT_EQUAL(rte_mbuf_refcnt_read(kept), 1,
		"shared frame's reference count %u after send",
		rte_mbuf_refcnt_read(kept));
	TEST_ASSERT_SUCCESS(shm_test_frame_check(kept, 300, 1),
		"shared frame damaged by its send");
	rte_pktmbuf_free(kept);
	TEST_ASSERT_EQUAL(rte_mempool_in_use_count(clones), 0, "clone leaked");
	rte_mempool_free(clones);
	ASSERT_NO_LEAK();
	return TEST_SUCCESS;
}

/* A mempool whose mbufs have no room past the headroom is refused. */
static int
test_roomless_pool_refused(void)
{
	struct rte_mempool *tiny;
	int ret;

	tiny = rte_pktmbuf_pool_create("mp_tiny", 64, 0, 0,
		RTE_PKTMBUF_HEADROOM, rte_socket_id());
	TEST_ASSERT_NOT_NULL(tiny, "pool");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(pair.client), "stop");
	ret = rte_eth_rx_queue_setup(pair.client, 0, 512, rte_socket_id(),
		NULL, tiny);
	rte_mempool_free(tiny);
	TEST_ASSERT_FAIL(ret, "RX queue accepted a pool with no data room");
	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_setup(pair.client, 0, 512,
		rte_socket_id(), NULL, pair.mp), "RX queue setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(pair.client), "start");
	TEST_ASSERT_EQUAL(shm_test_send(pair.server, 0, pair.mp, 4, 64, 0), 4,
		"send");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 4, 64, 0, 1000), 4,
		"recv after queue re-setup");
	return TEST_SUCCESS;
}

static void
pair_teardown_wc(void)
{
	pair_teardown();
	rmdir(wc_dir);
}

/* Which burst functions the ports got: the fencing ones only on WC. */
static int
check_burst_functions(bool wc)
{
	uint16_t ports[2] = { pair.server, pair.client };
	unsigned int i;

	for (i = 0; i < RTE_DIM(ports); i++) {
		const struct rte_eth_dev *dev = &rte_eth_devices[ports[i]];

		TEST_ASSERT(dev->rx_pkt_burst == (wc ? shm_rx_burst_wc :
			shm_rx_burst), "port %u: %s RX burst function",
			ports[i], wc ? "not the fencing" : "the fencing");
		TEST_ASSERT(dev->tx_pkt_burst == (wc ? shm_tx_burst_wc :
			shm_tx_burst), "port %u: %s TX burst function",
			ports[i], wc ? "not the fencing" : "the fencing");
	}
	return TEST_SUCCESS;
}

static int
test_plain_mapping(void)
{
	return check_burst_functions(false);
}

/* The fencing functions move frames as the plain ones do. */
static int
test_wc_mapping(void)
{
	if (check_burst_functions(true) != TEST_SUCCESS)
		return TEST_FAILED;
	if (test_both_directions() != TEST_SUCCESS)
		return TEST_FAILED;
	return test_bursts_1_to_512();
}

static struct unit_test_suite shm_rxtx_suite = {
	.suite_name = "net_shm data path",
	.unit_test_cases = {
		TEST_CASE_ST(pair_setup_default, pair_teardown,
			test_both_directions),
		TEST_CASE_ST(pair_setup_small_ring, pair_teardown,
			test_wrap_around),
		TEST_CASE_ST(pair_setup_default, pair_teardown,
			test_bursts_1_to_512),
		TEST_CASE_ST(pair_setup_default, pair_teardown,
			test_full_ring_backpressure),
		TEST_CASE_ST(pair_setup_default, pair_teardown,
			test_queue_isolation),
		TEST_CASE_ST(pair_setup_default, pair_teardown, test_stats),
		TEST_CASE_ST(pair_setup_big_slots, pair_teardown,
			test_multi_segment),
		TEST_CASE_ST(pair_setup_default, pair_teardown,
			test_oversize_refused),
		TEST_CASE_ST(pair_setup_default, pair_teardown,
			test_shared_and_cloned_frames),
		TEST_CASE_ST(pair_setup_default, pair_teardown,
			test_roomless_pool_refused),
		TEST_CASE_ST(pair_setup_default, pair_teardown,
			test_plain_mapping),
		TEST_CASE_ST(pair_setup_wc, pair_teardown_wc, test_wc_mapping),
		TEST_CASES_END(),
	},
};

static int
test_shm_rxtx(void)
{
	return unit_test_suite_runner(&shm_rxtx_suite);
}

REGISTER_TEST_COMMAND(shm_rxtx_autotest, test_shm_rxtx);
