/* SPDX-License-Identifier: BSD-3-Clause */

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <qosdt.h>

#include "app_log.h"
#include "port.h"

/* Descriptors asked for; net_shm takes the region's ring size anyway. */
#define PORT_NB_DESC 1024

int
port_setup(uint16_t port_id, struct qosdt *q, uint32_t tenant,
		struct rte_mempool *rx_pool, struct rte_ether_addr *mac)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	int socket, rc;
	uint16_t i;

	if (!rte_eth_dev_is_valid_port(port_id)) {
		APP_LOG(ERR, "no ethdev port %u (%u available): give the channel as "
			"--vdev net_shm0,path=/dev/shm/NAME,role=server|client",
			port_id, rte_eth_dev_count_avail());
		return -1;
	}
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		APP_LOG(ERR, "port %u: cannot get device info: %s", port_id,
			rte_strerror(-rc));
		return -1;
	}
	if (info.max_rx_queues < QOSDT_NB_CLASSES ||
			info.max_tx_queues < QOSDT_NB_CLASSES) {
		APP_LOG(ERR, "port %u (%s): %u rx / %u tx queues, need one per class (%u)",
			port_id, info.driver_name, info.max_rx_queues,
			info.max_tx_queues, QOSDT_NB_CLASSES);
		return -1;
	}
	socket = rte_eth_dev_socket_id(port_id);
	rc = rte_eth_dev_configure(port_id, QOSDT_NB_CLASSES, QOSDT_NB_CLASSES,
		&conf);
	if (rc != 0) {
		APP_LOG(ERR, "port %u: configure: %s", port_id, rte_strerror(-rc));
		return -1;
	}
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		rc = rte_eth_rx_queue_setup(port_id, i, PORT_NB_DESC, socket,
			NULL, rx_pool != NULL ? rx_pool :
			qosdt_tenant_pool(q, tenant, i));
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port_id, i, PORT_NB_DESC,
				socket, NULL);
		if (rc != 0) {
			APP_LOG(ERR, "port %u: queue %u (%s) setup: %s", port_id,
				i, qosdt_class_name(i), rte_strerror(-rc));
			goto fail;
		}
	}
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		APP_LOG(ERR, "port %u: start: %s", port_id, rte_strerror(-rc));
		goto fail;
	}
	rte_eth_macaddr_get(port_id, mac);
	return 0;
fail:
	/* Its queues may hold buffers of q's pools: release them now. */
	rte_eth_dev_close(port_id);
	return -1;
}

int
port_wait_link(uint16_t port_id, double wait_s, volatile const bool *quit)
{
	uint64_t deadline = rte_get_timer_cycles() +
		(uint64_t)(wait_s * rte_get_timer_hz());
	struct rte_eth_link link;

	for (;;) {
		if (rte_eth_link_get_nowait(port_id, &link) == 0 &&
				link.link_status == RTE_ETH_LINK_UP)
			return 0;
		if (*quit || rte_get_timer_cycles() >= deadline)
			return -1;
		rte_delay_us_sleep(10 * 1000);
	}
}

void
port_close(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}
