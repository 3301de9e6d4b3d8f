/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * Buffer reservations: one mbuf pool per class, sized from its buffer
 * share, plus a shared pool. A class takes from its own pool first, then
 * borrows from the shared pool up to its borrow cap. The class pools are
 * ordinary rte_mempools (give one to rte_eth_rx_queue_setup()): borrowing
 * happens inside their mempool ops, so any PMD or rte_pktmbuf_alloc() gets
 * it, and a borrowed mbuf is returned to the shared pool and un-counted by
 * whoever frees it.
 */

#ifndef QOSDT_RESV_H
#define QOSDT_RESV_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "qosdt_class.h"
#include "qosdt_config.h"

struct qosdt_resv;

/** Buffer accounting of one class (exact). */
struct qosdt_resv_class_usage {
	uint32_t reserved;    /**< Own pool size. */
	uint32_t in_use;      /**< Own-pool mbufs out of the pool. */
	uint32_t borrowed;    /**< Shared-pool mbufs out, taken by this class. */
	uint32_t borrow_cap;  /**< Most it may borrow. */
	uint64_t alloc_fail;  /**< Allocations refused (own empty, cap or shared exhausted). */
};

/** Buffer accounting of the whole reservation. */
struct qosdt_resv_usage {
	struct qosdt_resv_class_usage cls[QOSDT_NB_CLASSES];
	uint32_t shared_size;     /**< Shared pool size. */
	uint32_t shared_in_use;   /**< Shared-pool mbufs out (sum of borrowed). */
};

/**
 * Create the pools: QOSDT_NB_CLASSES class pools and a shared pool, with
 * cache size 0 so that the quotas are exact.
 *
 * @param name
 *   Prefix of the pool names (at most 16 characters).
 * @param cfg
 *   nb_buffers, shared_buffers, buffer_data_room and per-class nb_buffers
 *   and borrow_cap.
 * @param socket
 *   NUMA socket, or SOCKET_ID_ANY.
 * @return
 *   The reservation, or NULL (rte_errno set).
 */
struct qosdt_resv *qosdt_resv_create(const char *name,
		const struct qosdt_config *cfg, int socket);

/**
 * Free the pools (NULL is a no-op). Every mbuf should have been returned:
 * if some are still out, a warning names each class and the count, and the
 * pools are freed anyway (those mbufs must then never be used or freed).
 *
 * @param resv
 *   The reservation.
 */
void qosdt_resv_free(struct qosdt_resv *resv);

/**
 * The pool of a class: allocate from it (rte_pktmbuf_alloc, a PMD's RX)
 * to get the class's reservation with borrowing.
 *
 * @param resv
 *   The reservation.
 * @param cls
 *   enum qosdt_class.
 * @return
 *   The pool, or NULL (logged) if @p resv is NULL or @p cls is no class.
 */
struct rte_mempool *qosdt_resv_pool(const struct qosdt_resv *resv,
		unsigned int cls);

/**
 * Allocate mbufs for a class, all or nothing: own pool first, then the
 * shared pool within the borrow cap. Each mbuf's metadata class is set.
 *
 * @param resv
 *   The reservation.
 * @param cls
 *   enum qosdt_class.
 * @param mbufs
 *   Receives @p n mbufs.
 * @param n
 *   How many.
 * @return
 *   0, -ENOBUFS (nothing allocated), or -EINVAL (logged) if an argument
 *   is NULL or @p cls is no class.
 */
int qosdt_resv_alloc_bulk(struct qosdt_resv *resv, unsigned int cls,
		struct rte_mbuf **mbufs, unsigned int n);

/**
 * Read the accounting (any thread; exact when no allocation or free runs
 * concurrently). shared_in_use counts what is out of the shared pool's
 * ring, which is the sum of the borrowed counts.
 *
 * @param resv
 *   The reservation.
 * @param usage
 *   Filled.
 */
void qosdt_resv_usage(const struct qosdt_resv *resv,
		struct qosdt_resv_usage *usage);

#endif /* QOSDT_RESV_H */
