/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_shm link supervision: the link follows the peer. A peer that stops,
 * closes, or is killed with -9 (a real second process running this binary
 * as an echo peer) takes the link down within the documented bound
 * (SHM_PEER_TIMEOUT_US + SHM_HEARTBEAT_PERIOD_US, under 100 ms); when it
 * comes back the channel resumes without restarting this side, and no mbuf
 * is leaked. A shared VM's host can hold the waiting thread or the
 * heartbeat's thread off the CPU: that time (shm_test_wait_link_stalls())
 * is taken off the measured delay, never a reason not to judge it.
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "shm_region.h"
#include "shm_test_util.h"
#include "test.h"

#define LINK_DOWN_BOUND_US	100000
#define PEER_ENV_PATH		"QOSDT_SHM_PEER_PATH"
#define PEER_MAX_SECONDS	60
#define KILL_ROUNDS		5

static struct shm_pair pair;

static int
pair_setup(void)
{
	return shm_pair_create(&pair, "link", NULL, 4) == 0 ? 0 : TEST_FAILED;
}

static void
pair_teardown(void)
{
	shm_pair_destroy(&pair);
}

static int
test_peer_stop_start(void)
{
	uint64_t restarts0 = shm_test_xstat(pair.server, "peer_restarts");
	uint64_t us, stall;

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(pair.client), "client stop");
	TEST_ASSERT_SUCCESS(shm_test_wait_link_stalls(pair.server, false, 1000,
		&us, &stall), "server link still up after the client stopped");
	printf("link down after %" PRIu64 " us (held off the CPU %" PRIu64
		" us of it)\n", us, stall);
	TEST_ASSERT(us - RTE_MIN(us, stall) <= LINK_DOWN_BOUND_US,
		"link down took %" PRIu64 " us, %" PRIu64 " us of it the host held "
		"us or the heartbeat off the CPU: beyond the bound of %u us", us,
		stall, LINK_DOWN_BOUND_US);
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(pair.client), "client start");
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.server, true, 1000, NULL),
		"server link not back up");
	TEST_ASSERT_EQUAL(shm_test_xstat(pair.server, "peer_restarts") - restarts0, 1,
		"peer restart not counted");
	TEST_ASSERT_EQUAL(shm_test_send(pair.server, 1, pair.mp, 16, 64, 0), 16,
		"send after restart");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 1, 16, 64, 0, 1000), 16,
		"recv after restart");
	return TEST_SUCCESS;
}

/* The client port goes away entirely and a new one attaches: what the
 * server sent meanwhile is waiting for it, in order.
 */
static int
test_peer_reattach_keeps_ring(void)
{
	char args[256];
	int port;

	shm_test_port_destroy(pair.client, pair.client_name);
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.server, false, 1000, NULL),
		"server link still up after the client left");
	TEST_ASSERT_EQUAL(shm_test_send(pair.server, 0, pair.mp, 10, 200, 7),
		10, "server refused frames while the client was away");
	snprintf(args, sizeof(args), "path=%s,role=client", pair.path);
	port = shm_test_port_create(pair.client_name, args);
	TEST_ASSERT(port >= 0, "client re-probe");
	pair.client = port;
	TEST_ASSERT_SUCCESS(shm_test_port_start(pair.client, 4, pair.mp),
		"client start");
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.client, true, 1000, NULL),
		"client link");
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.server, true, 1000, NULL),
		"server link");
	TEST_ASSERT_EQUAL(shm_test_recv(pair.client, 0, 10, 200, 7, 1000), 10,
		"frames sent while the peer was away were lost");
	TEST_ASSERT_EQUAL(rte_mempool_in_use_count(pair.mp), 0, "mbufs leaked");
	return TEST_SUCCESS;
}

static int
stop_on_link_down(uint16_t port, enum rte_eth_event_type type __rte_unused,
		void *arg, void *ret __rte_unused)
{
	struct rte_eth_link link;
	int *stopped = arg;

	if (rte_eth_link_get_nowait(port, &link) == 0 &&
			link.link_status == RTE_ETH_LINK_DOWN) {
		rte_eth_dev_stop(port);
		__atomic_store_n(stopped, 1, __ATOMIC_RELEASE);
	}
	return 0;
}

/* An application may stop the port from its LSC callback, which runs on the
 * heartbeat's own thread: the port must then stay stopped (link down), and
 * start again normally.
 */
static int
test_stop_from_lsc_callback(void)
{
	struct rte_eth_conf conf = { .intr_conf.lsc = 1 };
	static int stopped;
	uint16_t q;

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(pair.server), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_configure(pair.server, 4, 4, &conf),
		"configure with LSC");
	for (q = 0; q < 4; q++)
		TEST_ASSERT(rte_eth_rx_queue_setup(pair.server, q, 512, 0, NULL,
			pair.mp) == 0 && rte_eth_tx_queue_setup(pair.server, q,
			512, 0, NULL) == 0, "queue setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(pair.server), "start");
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.server, true, 1000, NULL),
		"link up");
	stopped = 0;
	TEST_ASSERT_SUCCESS(rte_eth_dev_callback_register(pair.server,
		RTE_ETH_EVENT_INTR_LSC, stop_on_link_down, &stopped), "cb");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(pair.client), "client stop");
	for (q = 0; q < 200 && !__atomic_load_n(&stopped, __ATOMIC_ACQUIRE); q++)
		rte_delay_us_sleep(1000);
	rte_eth_dev_callback_unregister(pair.server, RTE_ETH_EVENT_INTR_LSC,
		stop_on_link_down, &stopped);
	TEST_ASSERT(stopped, "LSC callback not called on link down");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(pair.client), "client start");
	TEST_ASSERT_FAIL(shm_test_wait_link(pair.server, true, 200, NULL),
		"a port stopped from its LSC callback came back up by itself");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(pair.server), "restart");
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.server, true, 1000, NULL),
		"link up after restart");
	return TEST_SUCCESS;
}

static pid_t
spawn_peer(const char *path)
{
	char prefix[64];
	pid_t pid;

	/* <our prefix>_peer: one runtime dir per test, reused each round */
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_peer",
		strrchr(rte_eal_get_runtime_dir(), '/') + 1);
	pid = fork();
	if (pid != 0)
		return pid;
	setenv(PEER_ENV_PATH, path, 1);
	setenv("DPDK_TEST", "shm_echo_peer", 1);
	execl("/proc/self/exe", "qosdt-test", "--no-huge", "-m", "128",
		"--no-pci", "-l", "1", prefix, "--log-level=lib.eal:error",
		"--log-level=pmd.net.shm:error", (char *)NULL);
	_exit(127);
}

/*
 * The real thing: a second process is the client, echoing frames back. It
 * is killed with -9 several times; each time the link must go down within
 * the bound, and come back with traffic when a new peer process starts.
 */
static int
test_peer_kill9(void)
{
	uint64_t us, stall, judged, worst = 0;
	int status, round;
	pid_t pid;

	shm_test_port_destroy(pair.client, pair.client_name);
	TEST_ASSERT_SUCCESS(shm_test_wait_link(pair.server, false, 1000, NULL),
		"server link up with no client");
	for (round = 0; round < KILL_ROUNDS; round++) {
		pid = spawn_peer(pair.path);
		TEST_ASSERT(pid > 0, "fork");
		if (shm_test_wait_link(pair.server, true, 10000, NULL) != 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			TEST_ASSERT(0, "round %d: peer process never came up "
				"(exit status %d)", round, status);
		}
		if (shm_test_send(pair.server, 0, pair.mp, 32, 128,
				round * 32) != 32 ||
				shm_test_recv(pair.server, 0, 32, 128,
				round * 32, 2000) != 32) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			TEST_ASSERT(0, "round %d: echo through the peer failed",
				round);
		}
		kill(pid, SIGKILL);
		TEST_ASSERT_SUCCESS(shm_test_wait_link_stalls(pair.server, false,
			1000, &us, &stall), "round %d: link still up after kill -9",
			round);
		waitpid(pid, &status, 0);
		judged = us - RTE_MIN(us, stall);
		printf("round %d: link down after %" PRIu64 " us (held off the "
			"CPU %" PRIu64 " us of it)\n", round, us, stall);
		worst = RTE_MAX(worst, judged);
		TEST_ASSERT(judged <= LINK_DOWN_BOUND_US,
			"round %d: link down took %" PRIu64 " us, %" PRIu64 " us "
			"of it the host held us or the heartbeat off the CPU: "
			"beyond the bound of %u us", round, us, stall,
			LINK_DOWN_BOUND_US);
	}
	printf("kill -9 x%d: link down after at most %" PRIu64 " us of the "
		"driver's (bound %u us)\n", KILL_ROUNDS, worst,
		LINK_DOWN_BOUND_US);
	TEST_ASSERT_EQUAL(rte_mempool_in_use_count(pair.mp), 0, "mbufs leaked");
	TEST_ASSERT(shm_test_xstat(pair.server, "peer_restarts") >= KILL_ROUNDS - 1,
		"peer restarts not counted");
	return TEST_SUCCESS;
}

static struct unit_test_suite shm_link_suite = {
	.suite_name = "net_shm link supervision",
	.unit_test_cases = {
		TEST_CASE_ST(pair_setup, pair_teardown, test_peer_stop_start),
		TEST_CASE_ST(pair_setup, pair_teardown,
			test_peer_reattach_keeps_ring),
		TEST_CASE_ST(pair_setup, pair_teardown,
			test_stop_from_lsc_callback),
		TEST_CASE_ST(pair_setup, pair_teardown, test_peer_kill9),
		TEST_CASES_END(),
	},
};

static int
test_shm_link(void)
{
	return unit_test_suite_runner(&shm_link_suite);
}

REGISTER_TEST_COMMAND(shm_link_autotest, test_shm_link);

/*
 * Not a test: the peer process of test_peer_kill9. Attaches as the client
 * of the region named in QOSDT_SHM_PEER_PATH and echoes every frame back on
 * the queue it came from, until killed (or PEER_MAX_SECONDS pass).
 */
static int
shm_echo_peer(void)
{
	const char *path = getenv(PEER_ENV_PATH);
	uint64_t end = rte_get_timer_cycles() +
		rte_get_timer_hz() * PEER_MAX_SECONDS;
	struct rte_mempool *mp;
	struct rte_mbuf *m[32];
	char args[256];
	uint16_t n, sent, q;
	int port;

	if (path == NULL)
		TEST_SKIP("only run as the peer of shm_link_autotest");
	mp = rte_pktmbuf_pool_create("mp_peer", 2048, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	TEST_ASSERT_NOT_NULL(mp, "peer pool");
	snprintf(args, sizeof(args), "path=%s,role=client", path);
	port = shm_test_port_create("net_shm_peer", args);
	TEST_ASSERT(port >= 0, "peer probe");
	TEST_ASSERT_SUCCESS(shm_test_port_start(port, 1, mp), "peer start");
	q = 0;
	while (rte_get_timer_cycles() < end) {
		n = rte_eth_rx_burst(port, q, m, RTE_DIM(m));
		sent = 0;
		while (sent < n)
			sent += rte_eth_tx_burst(port, q, m + sent, n - sent);
	}
	return TEST_SUCCESS;
}

REGISTER_TEST_COMMAND(shm_echo_peer, shm_echo_peer);
