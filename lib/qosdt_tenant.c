/* SPDX-License-Identifier: BSD-3-Clause */

#include <rte_common.h>

#include "qosdt_tenant.h"

void
qosdt_tenant_config(const struct qosdt_config *cfg, unsigned int tenant,
		struct qosdt_config *out)
{
	uint32_t nb;
	unsigned int c;

	*out = *cfg;
	if (cfg->tenants.nb <= 1 || cfg->nb_buffers == 0)
		return;
	nb = qosdt_config_tenant_buffers(cfg, tenant);
	out->shared_buffers = (uint64_t)cfg->shared_buffers * nb /
		cfg->nb_buffers;
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		out->classes[c].borrow_cap = (uint64_t)
			cfg->classes[c].borrow_cap * nb / cfg->nb_buffers;
	out->nb_buffers = nb;
	out->queue_slots = qosdt_config_tenant_queue_slots(cfg, tenant);
	qosdt_config_derive(out);
}

uint64_t
qosdt_tenant_pipe_bps(const struct qosdt_config *cfg, unsigned int tenant)
{
	uint64_t capacity = qosdt_config_capacity(cfg);
	uint64_t rate = cfg->tenants.t[tenant].rate_bps;

	return rate != 0 ? RTE_MIN(rate, capacity) : capacity;
}

uint64_t
qosdt_tenant_cap_bps(const struct qosdt_config *cfg, unsigned int tenant,
		uint64_t cap_bps)
{
	uint64_t cap;

	if (cfg->tenants.nb <= 1 || cap_bps == 0)
		return cap_bps;
	cap = (uint64_t)((unsigned __int128)cap_bps *
		qosdt_config_tenant_share_bps(cfg, tenant) /
		cfg->channel_rate_bps);
	return RTE_MIN(cap, qosdt_tenant_pipe_bps(cfg, tenant));
}
