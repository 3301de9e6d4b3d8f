/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Private data of a net_shm port, shared by its ethdev ops and its link
 * supervision.
 */

#ifndef SHM_ETHDEV_H
#define SHM_ETHDEV_H

#include <stdbool.h>

#include <bus_vdev_driver.h>
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

/**
 * The private data of a net_shm port. It lives in DPDK's shared memory
 * (rte_eth_vdev_allocate()), so a secondary process reads the counters
 * straight from it; everything else in it (the region's mapping, the
 * queues' ring pointers) is the primary's and valid in the primary only.
 */
struct shm_internals {
	/** shm_priv_layout() of the build that created the port: a secondary
	 *  of another build refuses to read the rest. */
	uint64_t layout;
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

/** "SHMP" in the high half of shm_priv_layout(). */
#define SHM_PRIV_MAGIC	UINT64_C(0x53484d50)

/**
 * The layout stamp of struct shm_internals in this build: a magic number
 * and the structure's size, stored first in the private data by the
 * primary and compared by a secondary before it reads anything else.
 *
 * @return
 *   The stamp.
 */
static inline uint64_t
shm_priv_layout(void)
{
	return SHM_PRIV_MAGIC << 32 | (uint64_t)sizeof(struct shm_internals);
}

/**
 * Register the net_shm vdev driver, once per process: when another copy
 * of it is registered already (net_shm built into the application or given
 * with -d, and installed in DPDK's plugin directory as well), the copy
 * installed in the plugin directory steps aside for the other one; between
 * two others, the first one registered stays. shm_register.c.
 *
 * @param drv
 *   This copy's driver, its name set.
 */
void shm_driver_register(struct rte_vdev_driver *drv);

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
