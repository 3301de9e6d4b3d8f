/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The net_shm data path. Each ring is single-producer single-consumer; each
 * index has one writer. Everything read from the region is untrusted: the
 * peer's index is read once per refill and checked against the ring size,
 * each descriptor is fetched once as one 64-bit word and checked against
 * the slot area before a byte is copied (shm_rx_avail(), shm_rx_fetch_descs()
 * in shm_rxtx.h, which test/fuzz/fuzz_shm_desc.c drives). We only ever write
 * into slots we chose ourselves.
 *
 * Memory ordering: each index is published with a release store, which
 * orders the stores before it on cached (write-back) and uncached mappings.
 * On a write-combining mapping (a BAR's resourceN_wc) x86 orders neither
 * stores nor loads: there the *_wc burst functions fence before each index
 * they publish (and after, to push the index out of the write-combining
 * buffer), and after reading the peer's. Both variants are the same code
 * compiled twice, so the plain functions carry no test for it.
 */

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_memcpy.h>

#include "shm_rxtx.h"

void
shm_queue_bind(struct shm_queue *q, const struct shm_region *reg,
		enum shm_dir dir, int rx)
{
	q->ctl = shm_ring_ctl(reg, dir, q->queue_id);
	q->descs = shm_ring_descs(reg, dir, q->queue_id);
	q->slots = shm_ring_slots(reg, dir, q->queue_id);
	q->slots_size = (uint64_t)reg->geo.ring_size * reg->geo.buf_size;
	q->mask = reg->geo.ring_size - 1;
	q->buf_size = reg->geo.buf_size;
	/*
	 * Resume from our side's index in the region; the first burst checks
	 * it against the peer's and resynchronises if the two disagree. The
	 * cached peer index is set so that the first burst reads the peer's.
	 */
	if (rx) {
		q->idx = __atomic_load_n(&q->ctl->tail, __ATOMIC_RELAXED);
		q->peer_idx = q->idx;
	} else {
		q->idx = __atomic_load_n(&q->ctl->head, __ATOMIC_RELAXED);
		q->peer_idx = q->idx - (q->mask + 1);
	}
}

/* Copy a frame of len bytes into m, chaining more mbufs if m is too small. */
static inline int
shm_copy_to_mbuf(struct shm_queue *q, struct rte_mbuf *m, const uint8_t *src,
		uint32_t len)
{
	struct rte_mbuf *seg = m, *prev;
	uint32_t room = rte_pktmbuf_tailroom(m);
	uint32_t left = len, n;

	if (likely(len <= room)) {
		rte_memcpy(rte_pktmbuf_mtod(m, void *), src, len);
		m->data_len = len;
		m->pkt_len = len;
		m->port = q->port_id;
		return 0;
	}
	m->pkt_len = len;
	m->port = q->port_id;
	for (;;) {
		n = RTE_MIN(left, room);
		rte_memcpy(rte_pktmbuf_mtod(seg, void *), src, n);
		seg->data_len = n;
		src += n;
		left -= n;
		if (left == 0)
			return 0;
		prev = seg;
		seg = rte_pktmbuf_alloc(q->mp);
		if (unlikely(seg == NULL)) {
			q->stats.nombuf++;
			return -1;
		}
		prev->next = seg;
		m->nb_segs++;
		room = rte_pktmbuf_tailroom(seg);
	}
}

static __rte_always_inline uint16_t
rx_burst(void *rxq, struct rte_mbuf **bufs, uint16_t nb_pkts, const bool wc)
{
	struct shm_queue *q = rxq;
	union shm_desc d[SHM_RX_BURST_MAX];
	uint32_t idx, i, n;
	uint64_t bytes = 0;
	uint16_t nb_rx = 0;

	n = shm_rx_avail(q, nb_pkts);
	if (n == 0)
		return 0;
	if (wc)
		rte_rmb();	/* descriptors and frames after the head */
	idx = q->idx;
	shm_rx_fetch_descs(q, idx, n, d);
	if (unlikely(rte_pktmbuf_alloc_bulk(q->mp, bufs, n) != 0)) {
		q->stats.nombuf += n;	/* frames stay in the ring */
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = bufs[i];

		if (unlikely(d[i].len == 0)) {
			q->stats.bad_desc++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (unlikely(shm_copy_to_mbuf(q, m, q->slots + d[i].off,
				d[i].len) != 0)) {
			q->stats.missed++;
			rte_pktmbuf_free(m);
			continue;
		}
		bytes += d[i].len;
		bufs[nb_rx++] = m;
	}
	q->idx = idx + n;
	if (wc)
		rte_mb();	/* the frames are read before the slots are freed */
	__atomic_store_n(&q->ctl->tail, q->idx, __ATOMIC_RELEASE);
	if (wc)
		rte_wmb();
	q->stats.pkts += nb_rx;
	q->stats.bytes += bytes;
	return nb_rx;
}

uint16_t
shm_rx_burst(void *rxq, struct rte_mbuf **bufs, uint16_t nb_pkts)
{
	return rx_burst(rxq, bufs, nb_pkts, false);
}

uint16_t
shm_rx_burst_wc(void *rxq, struct rte_mbuf **bufs, uint16_t nb_pkts)
{
	return rx_burst(rxq, bufs, nb_pkts, true);
}

/* Copy a (possibly segmented) mbuf of len bytes into a slot. */
static inline void
shm_copy_from_mbuf(uint8_t *dst, const struct rte_mbuf *m, uint32_t len)
{
	if (likely(m->nb_segs == 1)) {
		rte_memcpy(dst, rte_pktmbuf_mtod(m, const void *), len);
		return;
	}
	for (; m != NULL; m = m->next) {
		rte_memcpy(dst, rte_pktmbuf_mtod(m, const void *), m->data_len);
		dst += m->data_len;
	}
}

/*
 * Free what TX copied out. The usual burst is all direct, single-segment
 * mbufs of one pool with one reference: those go back to the pool in one
 * bulk put; anything else takes the general path.
 */
static inline void
shm_free_sent(struct rte_mbuf **bufs, uint32_t n)
{
	struct rte_mempool *mp = bufs[0]->pool;
	uint32_t i;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = bufs[i];

		if (unlikely(m->pool != mp || m->nb_segs != 1 ||
				rte_mbuf_refcnt_read(m) != 1 ||
				!RTE_MBUF_DIRECT(m))) {
			rte_pktmbuf_free_bulk(bufs, n);
			return;
		}
	}
	rte_mempool_put_bulk(mp, (void **)bufs, n);
}

static __rte_always_inline uint16_t
tx_burst(void *txq, struct rte_mbuf **bufs, uint16_t nb_pkts, const bool wc)
{
	struct shm_queue *q = txq;
	uint32_t size = q->mask + 1;
	uint32_t idx = q->idx, tail, used, room, slot, len, i, sent = 0;
	uint64_t bytes = 0;
	union shm_desc d;

	room = size - (idx - q->peer_idx);
	if (room < nb_pkts) {
		tail = __atomic_load_n(&q->ctl->tail, __ATOMIC_ACQUIRE);
		used = idx - tail;
		if (unlikely(used > size)) {
			/* The consumer's index is beyond the ring: resume as
			 * if it had read everything.
			 */
			q->stats.bad_index++;
			idx = tail;
			used = 0;
		}
		q->peer_idx = tail;
		room = size - used;
	}

	for (i = 0; i < nb_pkts && room != 0; i++) {
		struct rte_mbuf *m = bufs[i];

		len = m->pkt_len;
		if (unlikely(len == 0 || len > q->buf_size)) {
			q->stats.errors++;
			continue;
		}
		slot = idx & q->mask;
		d.off = slot * q->buf_size;
		d.len = len;
		shm_copy_from_mbuf(q->slots + d.off, m, len);
		__atomic_store_n(&q->descs[slot].raw, d.raw, __ATOMIC_RELAXED);
		bytes += len;
		idx++;
		sent++;
		room--;
	}
	if (unlikely(i < nb_pkts))
		q->stats.ring_full++;
	if (i == 0)
		return 0;
	shm_free_sent(bufs, i);
	q->stats.pkts += sent;
	q->stats.bytes += bytes;
	q->idx = idx;
	if (wc)
		rte_wmb();	/* descriptors and frames before the head */
	__atomic_store_n(&q->ctl->head, idx, __ATOMIC_RELEASE);
	if (wc)
		rte_wmb();
	return i;
}

uint16_t
shm_tx_burst(void *txq, struct rte_mbuf **bufs, uint16_t nb_pkts)
{
	return tx_burst(txq, bufs, nb_pkts, false);
}

uint16_t
shm_tx_burst_wc(void *txq, struct rte_mbuf **bufs, uint16_t nb_pkts)
{
	return tx_burst(txq, bufs, nb_pkts, true);
}
