/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Private data of a net_shm port, shared by its ethdev ops and its link
 * supervision.
 */

#ifndef SHM_ETHDEV_H
#define SHM_ETHDEV_H

#include <stdbool.h>

#include <ethdev_driver.h>
#include <rte_ether.h>

#include "shm_region.h"
#include "shm_rxtx.h"

/** Counters of the link supervision, written only by the heartbeat alarm. */
struct shm_link_stats {
	uint64_t peer_restarts;		/**< peer attached with a new generation */
	uint64_t link_down_events;	/**< link went from up to down */
	uint64_t header_errors;		/**< header found changed under us */
};

/** The private data of a net_shm port. */
struct shm_internals {
	struct shm_queue rxq[SHM_MAX_QUEUES] __rte_cache_aligned;
	struct shm_queue txq[SHM_MAX_QUEUES] __rte_cache_aligned;
	struct shm_region region;
	struct rte_ether_addr mac;
	enum shm_dir rx_dir;		/**< ring direction we consume */
	enum shm_dir tx_dir;		/**< ring direction we produce */

	/* Link supervision state, owned by the heartbeat alarm. */
	bool alarm_armed;
	bool header_ok;
	bool peer_hb_moved;		/**< seen the peer's heartbeat move */
	bool peer_gen_seen;
	uint32_t peer_gen;
	uint64_t my_heartbeat;
	uint64_t peer_hb;
	uint64_t peer_hb_tsc;		/**< when the peer's heartbeat moved */
	struct shm_link_stats link_stats;
	struct shm_link_stats link_stats_base;
};

/**
 * Attach our side of the region (new generation) and start the heartbeat
 * alarm that bumps our heartbeat, watches the peer's and sets the link.
 *
 * @param dev
 *   The port.
 * @return
 *   0 or a negative errno.
 */
int shm_link_start(struct rte_eth_dev *dev);

/**
 * Stop the heartbeat alarm, detach our side and take the link down.
 *
 * @param dev
 *   The port.
 */
void shm_link_stop(struct rte_eth_dev *dev);

#endif /* SHM_ETHDEV_H */
