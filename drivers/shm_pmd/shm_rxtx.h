/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_shm queues and their burst functions.
 */

#ifndef SHM_RXTX_H
#define SHM_RXTX_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "shm_region.h"

/** Counters of one queue, written only by the thread polling it. */
struct shm_queue_stats {
	uint64_t pkts;		/**< frames received or sent */
	uint64_t bytes;
	uint64_t errors;	/**< frames dropped (TX: oversize/empty) */
	uint64_t nombuf;	/**< RX: mbuf allocations that failed */
	uint64_t missed;	/**< RX: frames dropped for want of mbufs */
	uint64_t bad_desc;	/**< RX: descriptors out of bounds, dropped */
	uint64_t bad_index;	/**< peer index beyond the ring: resynced */
	uint64_t ring_full;	/**< TX: bursts cut short by a full ring */
};

/** One direction of one queue pair: an RX or a TX queue. */
struct shm_queue {
	struct shm_ring_ctl *ctl;	/**< shared control block */
	union shm_desc *descs;		/**< shared descriptor array */
	uint8_t *slots;			/**< shared slot area */
	uint64_t slots_size;		/**< bytes of the slot area */
	uint32_t mask;			/**< ring_size - 1 */
	uint32_t buf_size;		/**< bytes per slot */
	uint32_t idx;		/**< our own index (RX: tail, TX: head) */
	uint32_t peer_idx;	/**< last peer index read and validated */
	struct rte_mempool *mp;		/**< RX: where frames are copied to */
	uint16_t port_id;
	uint16_t queue_id;
	struct shm_queue_stats stats;
	struct shm_queue_stats stats_base;	/**< at the last reset */
} __rte_cache_aligned;	/* queues of one port may be polled by several lcores */

/**
 * Bind a queue to its ring and pick up the ring's indexes as the previous
 * holder of this side left them (a restarted side resumes the channel).
 *
 * @param q
 *   The queue, zeroed except for mp, port_id and queue_id.
 * @param reg
 *   The mapped region.
 * @param dir
 *   Direction of the ring.
 * @param rx
 *   Non-zero for the consumer side of the ring, zero for the producer.
 */
void shm_queue_bind(struct shm_queue *q, const struct shm_region *reg,
		enum shm_dir dir, int rx);

/**
 * Receive up to nb_pkts frames: the rte_eth_rx_burst() of net_shm.
 */
uint16_t shm_rx_burst(void *rxq, struct rte_mbuf **bufs, uint16_t nb_pkts);

/**
 * Send up to nb_pkts frames: the rte_eth_tx_burst() of net_shm. Returns
 * fewer when the ring is full. Frames longer than a slot, or empty, are
 * freed and counted as errors (they are consumed, not returned).
 */
uint16_t shm_tx_burst(void *txq, struct rte_mbuf **bufs, uint16_t nb_pkts);

#endif /* SHM_RXTX_H */
