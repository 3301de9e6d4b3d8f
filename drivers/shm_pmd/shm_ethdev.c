/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_shm: a DPDK ethdev over a memory region shared with a peer (another
 * VM through an ivshmem BAR, or another process through a file). One queue
 * pair per ring pair of the region. This file holds the ethdev ops and the
 * vdev probe and remove, in the primary process and in secondaries.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "shm_devargs.h"
#include "shm_ethdev.h"
#include "shm_log.h"

RTE_LOG_REGISTER_DEFAULT(shm_logtype, NOTICE);

/* Data room an RX mbuf must have past its headroom (frames are chained). */
#define SHM_MIN_RX_BUFSIZE	64

/* A port-level extended statistic: its name and where its value is. */
struct shm_xstat {
	const char *name;
	size_t queue_off;	/* offset in struct shm_queue_stats, or ... */
	size_t link_off;	/* ... offset in struct shm_link_stats */
	bool rx;		/* summed over RX (else TX) queues */
};

#define SHM_Q_XSTAT(n, field, is_rx) \
	{ n, offsetof(struct shm_queue_stats, field), SIZE_MAX, is_rx }
#define SHM_L_XSTAT(n, field) \
	{ n, SIZE_MAX, offsetof(struct shm_link_stats, field), false }

static const struct shm_xstat shm_xstats[] = {
	SHM_Q_XSTAT("rx_bad_descriptors", bad_desc, true),
	SHM_Q_XSTAT("rx_bad_index", bad_index, true),
	SHM_Q_XSTAT("rx_nombuf_drops", missed, true),
	SHM_Q_XSTAT("tx_bad_index", bad_index, false),
	SHM_Q_XSTAT("tx_ring_full", ring_full, false),
	SHM_Q_XSTAT("tx_oversize_drops", errors, false),
	SHM_L_XSTAT("peer_restarts", peer_restarts),
	SHM_L_XSTAT("link_down_events", link_down_events),
	SHM_L_XSTAT("region_header_errors", header_errors),
};

static uint64_t
stat_field(const void *base, size_t off)
{
	return *(const uint64_t *)((const uint8_t *)base + off);
}

/* A counter of one queue since the last reset. */
static uint64_t
queue_stat(const struct shm_queue *q, size_t off)
{
	return stat_field(&q->stats, off) - stat_field(&q->stats_base, off);
}

static int
shm_dev_configure(struct rte_eth_dev *dev __rte_unused)
{
	return 0;
}

static int
shm_dev_start(struct rte_eth_dev *dev)
{
	uint16_t i;
	int ret;

	ret = shm_link_start(dev);
	if (ret != 0)
		return ret;
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

static int
shm_dev_stop(struct rte_eth_dev *dev)
{
	uint16_t i;

	shm_link_stop(dev);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static int
shm_dev_close(struct rte_eth_dev *dev)
{
	struct shm_internals *pmd = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	shm_region_close(&pmd->region);
	/* mac_addrs is part of dev_private: not to be freed on its own */
	dev->data->mac_addrs = NULL;
	return 0;
}

static int
shm_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct shm_internals *pmd = dev->data->dev_private;
	const struct shm_geometry *geo = &pmd->region.geo;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = geo->buf_size;
	info->max_mtu = geo->buf_size - RTE_ETHER_HDR_LEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_rx_queues = geo->nb_queues;
	info->max_tx_queues = geo->nb_queues;
	info->min_rx_bufsize = SHM_MIN_RX_BUFSIZE;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	/* The ring size is the region's: any nb_desc is accepted and the
	 * queue gets ring_size entries (see rxq_info_get).
	 */
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->rx_desc_lim.nb_min = 1;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = geo->ring_size;
	info->default_txportconf.ring_size = geo->ring_size;
	info->default_rxportconf.nb_queues = geo->nb_queues;
	info->default_txportconf.nb_queues = geo->nb_queues;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	return 0;
}

static int
shm_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
		uint16_t nb_desc __rte_unused, unsigned int socket __rte_unused,
		const struct rte_eth_rxconf *conf __rte_unused,
		struct rte_mempool *mp)
{
	struct shm_internals *pmd = dev->data->dev_private;
	struct shm_queue *q = &pmd->rxq[qid];

	memset(q, 0, sizeof(*q));
	q->mp = mp;
	q->port_id = dev->data->port_id;
	q->queue_id = qid;
	shm_queue_bind(q, &pmd->region, pmd->rx_dir, 1);
	dev->data->rx_queues[qid] = q;
	return 0;
}

static int
shm_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
		uint16_t nb_desc __rte_unused, unsigned int socket __rte_unused,
		const struct rte_eth_txconf *conf __rte_unused)
{
	struct shm_internals *pmd = dev->data->dev_private;
	struct shm_queue *q = &pmd->txq[qid];

	memset(q, 0, sizeof(*q));
	q->port_id = dev->data->port_id;
	q->queue_id = qid;
	shm_queue_bind(q, &pmd->region, pmd->tx_dir, 0);
	dev->data->tx_queues[qid] = q;
	return 0;
}

static void
shm_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		struct rte_eth_rxq_info *qinfo)
{
	struct shm_internals *pmd = dev->data->dev_private;

	qinfo->mp = pmd->rxq[qid].mp;
	qinfo->scattered_rx = 1;
	qinfo->nb_desc = pmd->region.geo.ring_size;
}

static void
shm_txq_info_get(struct rte_eth_dev *dev, uint16_t qid __rte_unused,
		struct rte_eth_txq_info *qinfo)
{
	struct shm_internals *pmd = dev->data->dev_private;

	qinfo->nb_desc = pmd->region.geo.ring_size;
}

static int
shm_link_update(struct rte_eth_dev *dev __rte_unused,
		int wait_to_complete __rte_unused)
{
	return 0;	/* the heartbeat alarm keeps dev_link current */
}

static int
shm_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct shm_internals *pmd = dev->data->dev_private;
	uint16_t i;

	st->rx_nombuf = 0;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct shm_queue *q = &pmd->rxq[i];
		uint64_t pkts = queue_stat(q, offsetof(struct shm_queue_stats, pkts));
		uint64_t bytes = queue_stat(q, offsetof(struct shm_queue_stats, bytes));

		st->ipackets += pkts;
		st->ibytes += bytes;
		st->imissed += queue_stat(q, offsetof(struct shm_queue_stats, missed));
		st->ierrors += queue_stat(q, offsetof(struct shm_queue_stats, bad_desc));
		st->rx_nombuf += queue_stat(q, offsetof(struct shm_queue_stats, nombuf));
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[i] = pkts;
			st->q_ibytes[i] = bytes;
			st->q_errors[i] = queue_stat(q,
				offsetof(struct shm_queue_stats, bad_desc));
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct shm_queue *q = &pmd->txq[i];
		uint64_t pkts = queue_stat(q, offsetof(struct shm_queue_stats, pkts));
		uint64_t bytes = queue_stat(q, offsetof(struct shm_queue_stats, bytes));

		st->opackets += pkts;
		st->obytes += bytes;
		st->oerrors += queue_stat(q, offsetof(struct shm_queue_stats, errors));
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[i] = pkts;
			st->q_obytes[i] = bytes;
		}
	}
	return 0;
}

/*
 * The counters have one writer each (the polling thread or the alarm):
 * resetting records a base instead of writing under them.
 */
static int
shm_stats_reset(struct rte_eth_dev *dev)
{
	struct shm_internals *pmd = dev->data->dev_private;
	unsigned int i;

	for (i = 0; i < SHM_MAX_QUEUES; i++) {
		pmd->rxq[i].stats_base = pmd->rxq[i].stats;
		pmd->txq[i].stats_base = pmd->txq[i].stats;
	}
	pmd->link_stats_base = pmd->link_stats;
	return 0;
}

static uint64_t
shm_xstat_value(struct rte_eth_dev *dev, const struct shm_xstat *x)
{
	struct shm_internals *pmd = dev->data->dev_private;
	uint16_t i, n;
	uint64_t sum = 0;

	if (x->link_off != SIZE_MAX)
		return stat_field(&pmd->link_stats, x->link_off) -
			stat_field(&pmd->link_stats_base, x->link_off);
	n = x->rx ? dev->data->nb_rx_queues : dev->data->nb_tx_queues;
	for (i = 0; i < n; i++)
		sum += queue_stat(x->rx ? &pmd->rxq[i] : &pmd->txq[i],
			x->queue_off);
	return sum;
}

static int
shm_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats,
		unsigned int n)
{
	unsigned int i;

	if (xstats == NULL || n < RTE_DIM(shm_xstats))
		return RTE_DIM(shm_xstats);
	for (i = 0; i < RTE_DIM(shm_xstats); i++) {
		xstats[i].id = i;
		xstats[i].value = shm_xstat_value(dev, &shm_xstats[i]);
	}
	return RTE_DIM(shm_xstats);
}

static int
shm_xstats_get_names(struct rte_eth_dev *dev __rte_unused,
		struct rte_eth_xstat_name *names, unsigned int size)
{
	unsigned int i;

	if (names == NULL || size < RTE_DIM(shm_xstats))
		return RTE_DIM(shm_xstats);
	for (i = 0; i < RTE_DIM(shm_xstats); i++)
		strlcpy(names[i].name, shm_xstats[i].name,
			sizeof(names[i].name));
	return RTE_DIM(shm_xstats);
}

static int
shm_mtu_set(struct rte_eth_dev *dev __rte_unused, uint16_t mtu __rte_unused)
{
	return 0;	/* ethdev checked it against max_mtu */
}

/* No filtering happens on a point-to-point channel: accept every mode. */
static int
shm_accept_mode(struct rte_eth_dev *dev __rte_unused)
{
	return 0;
}

static const struct eth_dev_ops shm_ops = {
	.dev_configure = shm_dev_configure,
	.dev_start = shm_dev_start,
	.dev_stop = shm_dev_stop,
	.dev_close = shm_dev_close,
	.dev_infos_get = shm_dev_infos_get,
	.rx_queue_setup = shm_rx_queue_setup,
	.tx_queue_setup = shm_tx_queue_setup,
	.rxq_info_get = shm_rxq_info_get,
	.txq_info_get = shm_txq_info_get,
	.link_update = shm_link_update,
	.stats_get = shm_stats_get,
	.stats_reset = shm_stats_reset,
	.xstats_get = shm_xstats_get,
	.xstats_get_names = shm_xstats_get_names,
	.xstats_reset = shm_stats_reset,
	.mtu_set = shm_mtu_set,
	.promiscuous_enable = shm_accept_mode,
	.promiscuous_disable = shm_accept_mode,
	.allmulticast_enable = shm_accept_mode,
	.allmulticast_disable = shm_accept_mode,
};

/*
 * A secondary process (dpdk-proc-info, dpdk-dumpcap, dpdk-pdump) maps
 * nothing of the region: the mapping, the queues' ring pointers and the
 * heartbeat alarm are the primary's. It reads the port's information and
 * counters from the private data, which is in DPDK's shared memory, and may
 * reset the counters (a base is recorded, as in the primary). Everything
 * that would touch the region or the port's state (configure, start, stop,
 * queue setup, MTU) is left out, so ethdev refuses it with -ENOTSUP; closing
 * releases only the secondary's own view of the port.
 */
static int
shm_secondary_close(struct rte_eth_dev *dev __rte_unused)
{
	return 0;
}

static const struct eth_dev_ops shm_secondary_ops = {
	.dev_close = shm_secondary_close,
	.dev_infos_get = shm_dev_infos_get,
	.rxq_info_get = shm_rxq_info_get,
	.txq_info_get = shm_txq_info_get,
	.link_update = shm_link_update,
	.stats_get = shm_stats_get,
	.stats_reset = shm_stats_reset,
	.xstats_get = shm_xstats_get,
	.xstats_get_names = shm_xstats_get_names,
	.xstats_reset = shm_stats_reset,
	/* dpdk-dumpcap asks for promiscuous mode: a no-op here as there. */
	.promiscuous_enable = shm_accept_mode,
	.promiscuous_disable = shm_accept_mode,
	.allmulticast_enable = shm_accept_mode,
	.allmulticast_disable = shm_accept_mode,
};

/*
 * The burst functions of a secondary process: it has no mapping of the
 * rings, and the primary is each ring's only producer or consumer on this
 * side. Nothing is received; nothing is sent (the frames stay the
 * caller's).
 */
static uint16_t
shm_secondary_rx(void *rxq __rte_unused, struct rte_mbuf **bufs __rte_unused,
		uint16_t nb_pkts __rte_unused)
{
	return 0;
}

static uint16_t
shm_secondary_tx(void *txq __rte_unused, struct rte_mbuf **bufs __rte_unused,
		uint16_t nb_pkts __rte_unused)
{
	return 0;
}

static int
shm_probe_secondary(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	const struct shm_internals *pmd;
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_attach_secondary(name);
	if (dev == NULL) {
		SHM_LOG(ERR, "%s: the primary process has no such port", name);
		return -ENODEV;
	}
	pmd = dev->data->dev_private;
	if (pmd == NULL || pmd->layout != shm_priv_layout()) {
		SHM_LOG(ERR, "%s: the primary process runs another build of "
			"net_shm (private data stamp 0x%" PRIx64 ", ours 0x%"
			PRIx64 "): give this process the same build (make "
			"install, or -d)", name,
			pmd != NULL ? pmd->layout : 0, shm_priv_layout());
		rte_eth_dev_release_port(dev);
		return -EPROTO;
	}
	dev->dev_ops = &shm_secondary_ops;
	dev->device = &vdev->device;
	dev->rx_pkt_burst = shm_secondary_rx;
	dev->tx_pkt_burst = shm_secondary_tx;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

static int
shm_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct shm_region_params rp;
	struct shm_internals *pmd;
	struct rte_eth_dev *dev;
	struct shm_devargs da;
	int ret;

	if (rte_eal_process_type() == RTE_PROC_SECONDARY)
		return shm_probe_secondary(vdev);
	ret = shm_devargs_parse(name, rte_vdev_device_args(vdev), &da);
	if (ret != 0)
		return ret;

	dev = rte_eth_vdev_allocate(vdev, sizeof(*pmd));
	if (dev == NULL) {
		SHM_LOG(ERR, "%s: cannot allocate the port", name);
		return -ENOMEM;
	}
	if (da.pci[0] != '\0') {
		char err[PATH_MAX + 128];

		ret = shm_pci_bar_path(da.pci, da.wc, da.path, sizeof(da.path),
			err, sizeof(err));
		if (ret != 0) {
			SHM_LOG(ERR, "%s: devarg pci=%s: %s", name, da.pci, err);
			rte_eth_dev_release_port(dev);
			return ret;
		}
	}
	pmd = dev->data->dev_private;
	pmd->layout = shm_priv_layout();
	rp = (struct shm_region_params){
		.path = da.path,
		.offset = da.offset,
		.size = da.size,
		.role = da.role,
		.geo = da.geo,
		.numa_node = vdev->device.numa_node >= 0 ?
			vdev->device.numa_node : (int)rte_socket_id(),
		.name = name,
	};
	ret = shm_region_open(&pmd->region, &rp);
	if (ret != 0) {
		rte_eth_dev_release_port(dev);
		return ret;
	}
	pmd->rx_dir = da.role == SHM_ROLE_SERVER ? SHM_DIR_C2S : SHM_DIR_S2C;
	pmd->tx_dir = da.role == SHM_ROLE_SERVER ? SHM_DIR_S2C : SHM_DIR_C2S;
	if (da.has_mac)
		pmd->mac = da.mac;
	else
		rte_eth_random_addr(pmd->mac.addr_bytes);

	dev->dev_ops = &shm_ops;
	/* A write-combining mapping gets the burst functions that fence;
	 * cached and uncached ones keep the plain ones (doc/vm.md).
	 */
	dev->rx_pkt_burst = pmd->region.wc ? shm_rx_burst_wc : shm_rx_burst;
	dev->tx_pkt_burst = pmd->region.wc ? shm_tx_burst_wc : shm_tx_burst;
	dev->data->mac_addrs = &pmd->mac;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	dev->data->dev_link.link_speed = RTE_ETH_SPEED_NUM_UNKNOWN;
	dev->data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC |
		RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

static int
shm_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (dev == NULL)
		return 0;	/* already gone: nothing to do */
	/* A secondary (or EAL cleanup in one) lets go of its own view only:
	 * the port, its region and its link are the primary's. */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return rte_eth_dev_release_port(dev);
	if (dev->data->dev_started)
		rte_eth_dev_stop(dev->data->port_id);
	shm_dev_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver shm_pmd_driver = {
	.probe = shm_probe,
	.remove = shm_remove,
};

/* RTE_PMD_REGISTER_VDEV() less its unconditional registration: the
 * name for dpdk-pmdinfo, and a registration that yields to another copy. */
RTE_PMD_EXPORT_NAME(net_shm, __COUNTER__);

RTE_INIT(shm_pmd_init)
{
	shm_pmd_driver.driver.name = RTE_STR(net_shm);
	shm_driver_register(&shm_pmd_driver);
}

RTE_PMD_REGISTER_PARAM_STRING(net_shm,
	SHM_DEVARG_PATH "=<file> "
	SHM_DEVARG_ROLE "=server|client "
	SHM_DEVARG_OFFSET "=<bytes> "
	SHM_DEVARG_SIZE "=<bytes> "
	SHM_DEVARG_QUEUES "=<1-16> "
	SHM_DEVARG_RING_SIZE "=<64-16384, power of 2> "
	SHM_DEVARG_BUF_SIZE "=<128-65536, multiple of 64> "
	SHM_DEVARG_MAC "=<xx:xx:xx:xx:xx:xx> "
	SHM_DEVARG_PCI "=<DDDD:BB:DD.F> "
	SHM_DEVARG_WC "=0|1");
