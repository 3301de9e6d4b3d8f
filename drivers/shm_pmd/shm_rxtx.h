/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_shm queues and their burst functions.
 */

#ifndef SHM_RXTX_H
#define SHM_RXTX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

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

/** Frames one RX burst takes at most: a larger nb_pkts gets fewer. */
#define SHM_RX_BURST_MAX	64

/**
 * Check a descriptor fetched from the peer's ring: a frame of 1..buf_size
 * bytes lying wholly inside the ring's own slot area (in 64 bits, so that
 * no offset + length can wrap).
 *
 * @param q
 *   The RX queue the descriptor was read from.
 * @param d
 *   The descriptor, already copied out of the region.
 * @return
 *   true if the frame may be read.
 */
static inline bool
shm_desc_valid(const struct shm_queue *q, union shm_desc d)
{
	return d.len != 0 && d.len <= q->buf_size &&
		(uint64_t)d.off + d.len <= q->slots_size;
}

/**
 * How many ring entries an RX burst of nb_pkts takes: those between our
 * index and the peer's head, read from the region only when the last one
 * read does not cover the burst. A head more than the ring size ahead of
 * us is not trusted: it is counted in bad_index, and we resume at it
 * (our tail is set to it) and take nothing this time.
 *
 * @param q
 *   The RX queue.
 * @param nb_pkts
 *   Frames the caller asks for.
 * @return
 *   Entries to take, at most nb_pkts, SHM_RX_BURST_MAX and the ring size.
 */
static inline uint32_t
shm_rx_avail(struct shm_queue *q, uint16_t nb_pkts)
{
	uint32_t avail = q->peer_idx - q->idx;
	uint32_t head;

	if (avail < nb_pkts) {
		head = __atomic_load_n(&q->ctl->head, __ATOMIC_ACQUIRE);
		avail = head - q->idx;
		if (unlikely(avail > q->mask + 1)) {
			/* The peer's index is beyond the ring: it restarted or
			 * misbehaves. Whatever lies between cannot be trusted;
			 * resume at its index.
			 */
			q->stats.bad_index++;
			q->idx = head;
			q->peer_idx = head;
			__atomic_store_n(&q->ctl->tail, head, __ATOMIC_RELEASE);
			return 0;
		}
		q->peer_idx = head;
	}
	return RTE_MIN(avail, RTE_MIN((uint32_t)nb_pkts,
		(uint32_t)SHM_RX_BURST_MAX));
}

/**
 * Fetch n descriptors, from index idx on, out of the region, each read
 * exactly once, and check each with shm_desc_valid(); a bad one is handed
 * back with length 0. The frames of the good ones are prefetched: the
 * other core wrote them, and an RX burst would otherwise wait for them one
 * at a time.
 *
 * @param q
 *   The RX queue.
 * @param idx
 *   Ring index of the first descriptor.
 * @param n
 *   How many: at most what shm_rx_avail() returned.
 * @param d
 *   Receives the n descriptors.
 */
static inline void
shm_rx_fetch_descs(struct shm_queue *q, uint32_t idx, uint32_t n,
		union shm_desc *d)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		d[i].raw = __atomic_load_n(&q->descs[(idx + i) & q->mask].raw,
			__ATOMIC_RELAXED);
		if (unlikely(!shm_desc_valid(q, d[i]))) {
			d[i].len = 0;	/* counted when consumed */
			continue;
		}
		rte_prefetch0(q->slots + d[i].off);
	}
}

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

/**
 * shm_rx_burst() for a region mapped write-combining: a load fence after
 * the peer's head is read, a full fence before our tail is published.
 */
uint16_t shm_rx_burst_wc(void *rxq, struct rte_mbuf **bufs, uint16_t nb_pkts);

/**
 * shm_tx_burst() for a region mapped write-combining: a store fence before
 * the head is published (the descriptors and frames reach the region
 * first) and after it (the head leaves the write-combining buffer).
 */
uint16_t shm_tx_burst_wc(void *txq, struct rte_mbuf **bufs, uint16_t nb_pkts);

#endif /* SHM_RXTX_H */
