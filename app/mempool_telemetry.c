/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry command /qosdt/mempools: every mempool of the process, with its
 * size and how many of its objects are out of it. DPDK 22.11's
 * /mempool/info reports no count in use; a leak check needs one, for the
 * client's reply pool as much as for the QoS core's (/qosdt/buffers).
 * Registered by a constructor: linked into the qosdt binary only.
 */

#include <rte_common.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

static void
mempool_add(struct rte_mempool *mp, void *arg)
{
	struct rte_tel_data *d = arg;
	struct rte_tel_data *pool = rte_tel_data_alloc();

	if (pool == NULL)
		return;
	rte_tel_data_start_dict(pool);
	rte_tel_data_add_dict_u64(pool, "size", mp->size);
	rte_tel_data_add_dict_u64(pool, "in_use",
		rte_mempool_in_use_count(mp));
	/* A name telemetry refuses (not [A-Za-z0-9_/]) is left out. */
	if (rte_tel_data_add_dict_container(d, mp->name, pool, 0) != 0)
		rte_tel_data_free(pool);
}

static int
mempools_handle(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	rte_mempool_walk(mempool_add, d);
	return 0;
}

RTE_INIT(mempool_telemetry_init)
{
	rte_telemetry_register_cmd("/qosdt/mempools", mempools_handle,
		"Every mempool: size and objects in use. Takes no parameters");
}
