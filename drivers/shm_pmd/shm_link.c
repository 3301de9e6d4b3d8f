/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Link supervision of a net_shm port. A shared region gives no signal that
 * the peer is there (an ivshmem BAR has none), so each attached side bumps a
 * heartbeat counter every SHM_HEARTBEAT_PERIOD_US from an EAL alarm, and
 * watches the peer's: the link is up while the peer is attached and its
 * heartbeat moved within SHM_PEER_TIMEOUT_US, as timed by our own clock.
 * A peer killed with -9 is seen down within timeout + one period.
 */

#include <errno.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_atomic.h>
#include <rte_cycles.h>

#include "shm_ethdev.h"
#include "shm_log.h"

static void shm_heartbeat(void *arg);

static void
shm_link_set(struct rte_eth_dev *dev, bool up)
{
	struct shm_internals *pmd = dev->data->dev_private;
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_UNKNOWN,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	if (rte_eth_linkstatus_set(dev, &link) != 0)
		return;		/* unchanged */
	if (!up)
		pmd->link_stats.link_down_events++;
	SHM_LOG(INFO, "%s: link %s", dev->data->name, up ? "up" : "down");
	if (dev->data->dev_conf.intr_conf.lsc != 0)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/* Read the peer's state once and decide whether it is alive. */
static bool
shm_peer_alive(struct shm_internals *pmd, uint64_t now)
{
	const struct shm_region *reg = &pmd->region;
	const struct shm_side_state *peer = shm_side(reg, 1 - reg->role);
	uint64_t timeout = rte_get_timer_hz() / 1000000 * SHM_PEER_TIMEOUT_US;
	uint32_t attached, gen;
	uint64_t hb;

	attached = __atomic_load_n(&peer->attached, __ATOMIC_ACQUIRE);
	gen = __atomic_load_n(&peer->generation, __ATOMIC_ACQUIRE);
	hb = __atomic_load_n(&peer->heartbeat, __ATOMIC_ACQUIRE);
	if (attached != SHM_SIDE_ATTACHED)
		return false;
	if (hb != pmd->peer_hb) {
		pmd->peer_hb = hb;
		pmd->peer_hb_tsc = now;
		pmd->peer_hb_moved = true;
	}
	if (!pmd->peer_gen_seen || gen != pmd->peer_gen) {
		if (pmd->peer_gen_seen)
			pmd->link_stats.peer_restarts++;
		pmd->peer_gen = gen;
		pmd->peer_gen_seen = true;
	}
	return pmd->peer_hb_moved && now - pmd->peer_hb_tsc < timeout;
}

static void
shm_heartbeat(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct shm_internals *pmd = dev->data->dev_private;
	const struct shm_region *reg = &pmd->region;
	struct shm_side_state *me = shm_side(reg, reg->role);
	bool header_ok, alive;

	/* The peer can write our state too: put our mark back each time, or
	 * a mark it garbled would make every later peer see us detached.
	 */
	__atomic_store_n(&me->attached, SHM_SIDE_ATTACHED, __ATOMIC_RELAXED);
	__atomic_store_n(&me->heartbeat, ++pmd->my_heartbeat, __ATOMIC_RELEASE);
	if (reg->wc)
		rte_wmb();	/* out of the write-combining buffer, now */
	header_ok = shm_region_header_matches(reg);
	if (!header_ok && pmd->header_ok) {
		pmd->link_stats.header_errors++;
		SHM_LOG(ERR, "%s: the region header at %s changed under us; "
			"link down until it is restored", dev->data->name,
			reg->path);
	}
	pmd->header_ok = header_ok;
	alive = shm_peer_alive(pmd, rte_get_timer_cycles());
	shm_link_set(dev, alive && header_ok);
	/* An LSC callback may have stopped the port: then do not re-arm. */
	if (!__atomic_load_n(&pmd->alarm_armed, __ATOMIC_ACQUIRE))
		return;
	if (rte_eal_alarm_set(SHM_HEARTBEAT_PERIOD_US, shm_heartbeat, dev) != 0)
		SHM_LOG(ERR, "%s: cannot re-arm the heartbeat alarm; the peer "
			"will see this side die", dev->data->name);
}

int
shm_link_start(struct rte_eth_dev *dev)
{
	struct shm_internals *pmd = dev->data->dev_private;
	const struct shm_region *reg = &pmd->region;
	struct shm_side_state *me = shm_side(reg, reg->role);
	const struct shm_side_state *peer = shm_side(reg, 1 - reg->role);
	int ret;

	pmd->my_heartbeat = __atomic_load_n(&me->heartbeat, __ATOMIC_RELAXED);
	me->pid = (uint32_t)getpid();
	__atomic_store_n(&me->heartbeat, ++pmd->my_heartbeat, __ATOMIC_RELAXED);
	__atomic_store_n(&me->generation,
		__atomic_load_n(&me->generation, __ATOMIC_RELAXED) + 1,
		__ATOMIC_RELAXED);
	__atomic_store_n(&me->attached, SHM_SIDE_ATTACHED, __ATOMIC_RELEASE);
	if (reg->wc)
		rte_wmb();

	/* The peer counts as alive only once its heartbeat moves. */
	pmd->peer_hb = __atomic_load_n(&peer->heartbeat, __ATOMIC_ACQUIRE);
	pmd->peer_hb_moved = false;
	pmd->header_ok = true;
	__atomic_store_n(&pmd->alarm_armed, true, __ATOMIC_RELEASE);
	ret = rte_eal_alarm_set(SHM_HEARTBEAT_PERIOD_US, shm_heartbeat, dev);
	if (ret != 0) {
		SHM_LOG(ERR, "%s: cannot arm the heartbeat alarm: %s",
			dev->data->name, strerror(-ret));
		__atomic_store_n(&pmd->alarm_armed, false, __ATOMIC_RELEASE);
		__atomic_store_n(&me->attached, 0, __ATOMIC_RELEASE);
		return ret;
	}
	return 0;
}

void
shm_link_stop(struct rte_eth_dev *dev)
{
	struct shm_internals *pmd = dev->data->dev_private;
	const struct shm_region *reg = &pmd->region;

	/* Cleared first: a heartbeat running now (even the one whose LSC
	 * callback is stopping us) will not re-arm itself.
	 */
	if (__atomic_exchange_n(&pmd->alarm_armed, false, __ATOMIC_ACQ_REL))
		rte_eal_alarm_cancel(shm_heartbeat, dev);
	__atomic_store_n(&shm_side(reg, reg->role)->attached, 0,
		__ATOMIC_RELEASE);
	shm_link_set(dev, false);
}
