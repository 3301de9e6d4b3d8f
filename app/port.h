/* SPDX-License-Identifier: BSD-3-Clause */
/* The channel port: one rx/tx queue pair per QoS class. */

#ifndef QOSDT_APP_PORT_H
#define QOSDT_APP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

struct qosdt;

/**
 * Configure and start the channel port: QOSDT_NB_CLASSES queue pairs,
 * queue i carrying class i, receiving into class i's reservation
 * (qosdt_pool()) or into one pool of their own.
 *
 * @param port_id
 *   The ethdev port.
 * @param q
 *   The QoS instance whose pools the RX queues use.
 * @param tenant
 *   The tenant the port serves (its reservation: qosdt_tenant_pool()).
 * @param rx_pool
 *   NULL: each RX queue receives into its class's reservation in the
 *   tenant's buffers (what the server buffers is its work). Otherwise every RX queue receives into
 *   this pool (the client: replies must never wait for buffers its own
 *   requests hold, or a slow class could deadlock the two sides).
 * @param mac
 *   Receives the port's MAC address.
 * @return
 *   0, or -1 (reason logged).
 */
int port_setup(uint16_t port_id, struct qosdt *q, uint32_t tenant,
		struct rte_mempool *rx_pool, struct rte_ether_addr *mac);

/**
 * Wait for the link (the peer) to come up.
 *
 * @param port_id
 *   The port.
 * @param wait_s
 *   At most this many seconds.
 * @param quit
 *   Stop waiting when this becomes true (a signal).
 * @return
 *   0 when up, -1 on time out or quit.
 */
int port_wait_link(uint16_t port_id, double wait_s, volatile const bool *quit);

/**
 * Stop and close the port (its mbufs go back to their pools).
 *
 * @param port_id
 *   The port.
 */
void port_close(uint16_t port_id);

#endif /* QOSDT_APP_PORT_H */
