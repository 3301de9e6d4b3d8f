/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Helpers for the net_shm tests: a loopback pair of ports (role=server and
 * role=client on one region file), frames with a checkable pattern.
 */

#ifndef SHM_TEST_UTIL_H
#define SHM_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

/** A server port and a client port attached to one region. */
struct shm_pair {
	uint16_t server;		/**< port id of the role=server port */
	uint16_t client;		/**< port id of the role=client port */
	uint16_t nb_queues;
	char path[128];			/**< the region file */
	char server_name[32];
	char client_name[32];
	struct rte_mempool *mp;		/**< cache-less: in-use counts exact */
};

/**
 * Make a unique region path under /dev/shm for this process and tag.
 */
void shm_test_path(char *buf, size_t len, const char *tag);

/**
 * Create a vdev net_shm port from a devargs string.
 *
 * @return the port id, or -1 if the probe failed.
 */
int shm_test_port_create(const char *name, const char *devargs);

/**
 * Configure nb_queues queue pairs on a port (RX from mp) and start it.
 */
int shm_test_port_start(uint16_t port, uint16_t nb_queues,
		struct rte_mempool *mp);

/** Stop, close and remove a vdev port. */
void shm_test_port_destroy(uint16_t port, const char *name);

/** Remove a vdev by name, whether or not its probe made a port. */
void shm_test_port_remove(const char *name);

/**
 * Create and start a loopback pair and wait for both links to come up.
 *
 * @param p
 *   Filled in.
 * @param tag
 *   Makes names and the region path unique.
 * @param server_args
 *   Extra devargs for the server (e.g. "ring_size=64"), or NULL.
 * @param nb_queues
 *   Queue pairs configured on both ports (the region has 4 unless
 *   server_args says otherwise).
 * @return
 *   0 on success.
 */
int shm_pair_create(struct shm_pair *p, const char *tag,
		const char *server_args, uint16_t nb_queues);

/**
 * shm_pair_create() on a region file of the caller's choosing.
 *
 * @param p
 *   Filled in.
 * @param tag
 *   Makes names unique.
 * @param path
 *   The region file (its directory must exist), or NULL for the usual one.
 * @param server_args
 *   Extra devargs for the server, or NULL.
 * @param nb_queues
 *   Queue pairs configured on both ports.
 * @return
 *   0 on success.
 */
int shm_pair_create_at(struct shm_pair *p, const char *tag, const char *path,
		const char *server_args, uint16_t nb_queues);

/** Stop and remove both ports, the pool and the region file. */
void shm_pair_destroy(struct shm_pair *p);

/**
 * A poll of a wait that came this much (us) later than its sleep asked
 * measured the host, not the driver: the thread was off the CPU. Shorter
 * lateness is the timer's own slack and is not counted.
 */
#define SHM_TEST_LATE_POLL_US 1000

/**
 * Time (ns) the threads of this process named @p comm have spent runnable
 * but waiting for a CPU so far (the run delay of
 * /proc/self/task/TID/schedstat, summed).
 *
 * @param comm
 *   The thread name, e.g. "eal-intr-thread" (EAL alarms, the net_shm
 *   heartbeat, run on it).
 * @return
 *   The run delay, or 0 when no such thread or no schedstat exists.
 */
uint64_t shm_test_thread_run_delay_ns(const char *comm);

/**
 * Wait until a port's link is up (or down), and measure how much of the
 * wait the machine, not the driver, is to blame for.
 *
 * @param elapsed_us
 *   If not NULL, receives how long it took.
 * @param stall_us
 *   If not NULL, receives the time the wait was held up by the machine:
 *   the larger of (a) the lateness of this thread's polls beyond their
 *   sleep, summed over the polls later than SHM_TEST_LATE_POLL_US (a vCPU
 *   the host preempted, another process on its CPU), and (b) how long the
 *   heartbeat's thread (EAL's interrupt thread) waited for a CPU meanwhile.
 *   elapsed_us - stall_us is what the driver took, at most.
 * @return
 *   0 if reached within timeout_ms, -1 otherwise.
 */
int shm_test_wait_link_stalls(uint16_t port, bool up, unsigned int timeout_ms,
		uint64_t *elapsed_us, uint64_t *stall_us);

/**
 * Wait until a port's link is up (or down).
 *
 * @param elapsed_us
 *   If not NULL, receives how long it took.
 * @return
 *   0 if reached within timeout_ms, -1 otherwise.
 */
int shm_test_wait_link(uint16_t port, bool up, unsigned int timeout_ms,
		uint64_t *elapsed_us);

/**
 * Allocate a frame of len bytes whose bytes are a pattern of seq.
 * With seg_len != 0, the frame is chained in segments of seg_len bytes.
 */
struct rte_mbuf *shm_test_frame(struct rte_mempool *mp, uint32_t len,
		uint32_t seq, uint32_t seg_len);

/**
 * Check a received frame: length and pattern of seq.
 *
 * @return 0 if it matches.
 */
int shm_test_frame_check(const struct rte_mbuf *m, uint32_t len, uint32_t seq);

/**
 * Send n frames of len bytes on (port, queue), numbered from seq0.
 *
 * @return how many the port took.
 */
uint16_t shm_test_send(uint16_t port, uint16_t queue, struct rte_mempool *mp,
		uint16_t n, uint32_t len, uint32_t seq0);

/**
 * Receive up to n frames on (port, queue), polling up to timeout_ms for
 * them to arrive, and check that they are len bytes numbered from seq0.
 *
 * @return how many arrived, or -1 on a frame that did not check out.
 */
int shm_test_recv(uint16_t port, uint16_t queue, uint16_t n, uint32_t len,
		uint32_t seq0, unsigned int timeout_ms);

/**
 * Probe a vdev with the log captured into log (always NUL-terminated); the
 * log is echoed to stdout too, so that the run output still shows it.
 *
 * @return what rte_vdev_init() returned.
 */
int shm_test_probe_logged(const char *name, const char *args, char *log,
		size_t len);

/**
 * Value of a port's extended statistic by name, or UINT64_MAX if the port
 * has no such statistic.
 */
uint64_t shm_test_xstat(uint16_t port, const char *name);

/** Free an array of mbufs. */
void shm_test_free(struct rte_mbuf **m, unsigned int n);

#endif /* SHM_TEST_UTIL_H */
