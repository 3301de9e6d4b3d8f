/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The fields of a configuration computed from others: each value a file
 * gave as a percentage, once the whole file is read, each class's share
 * of the buffers and of the queue slots, and each tenant's share of the
 * capacity, the buffers and the queue slots. Arithmetic only: it checks
 * nothing (qosdt_config_validate.c does) and reads no JSON
 * (qosdt_config_parse.c does).
 */

#include <stdint.h>

#include "qosdt_config.h"
#include "qosdt_config_priv.h"

/* ------------------------------------------------------------------ */
/* Percentages.                                                        */

/* @p ppm of @p total, or @p value if it was given absolute. */
static uint64_t
resolve(uint32_t ppm, uint64_t total, uint64_t value)
{
	return ppm == QOSDT_CFG_PCT_ABSOLUTE ? value : ppm * total / QOSDT_PPM;
}

void
qosdt_cfg_resolve_percents(struct qosdt_config *cfg,
		const struct qosdt_cfg_percents *p)
{
	uint64_t rate = cfg->channel_rate_bps;
	struct qosdt_adaptive_bounds *b;
	struct qosdt_class_config *c;
	unsigned int i;

	/* Pool sizes first: a borrow cap is a percentage of the shared pool. */
	cfg->shared_buffers = resolve(p->shared, cfg->nb_buffers,
		cfg->shared_buffers);
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		c = &cfg->classes[i];
		b = &cfg->adaptive.bounds[i];
		c->borrow_cap = resolve(p->borrow[i], cfg->shared_buffers,
			c->borrow_cap);
		c->rate_guarantee_bps = resolve(p->guarantee[i], rate,
			c->rate_guarantee_bps);
		c->rate_cap_bps = resolve(p->cap[i], rate, c->rate_cap_bps);
		c->slo.min_bandwidth_bps = resolve(p->min_bandwidth[i], rate,
			c->slo.min_bandwidth_bps);
		b->rate_cap_min_bps = resolve(p->cap_min[i], rate,
			b->rate_cap_min_bps);
		b->rate_cap_max_bps = resolve(p->cap_max[i], rate,
			b->rate_cap_max_bps);
	}
	/* The capacity before the tenants' rates: they are shares of it. */
	cfg->tenants.capacity_bps = resolve(p->capacity,
		(uint64_t)cfg->tenants.nb * rate, cfg->tenants.capacity_bps);
	for (i = 0; i < QOSDT_MAX_TENANTS; i++)
		cfg->tenants.t[i].rate_bps = resolve(p->tenant_rate[i],
			qosdt_config_capacity(cfg), cfg->tenants.t[i].rate_bps);
}

/* ------------------------------------------------------------------ */
/* Tenants.                                                            */

uint64_t
qosdt_config_capacity(const struct qosdt_config *cfg)
{
	const struct qosdt_tenants_config *t = &cfg->tenants;

	return t->capacity_bps != 0 ? t->capacity_bps :
		(uint64_t)t->nb * cfg->channel_rate_bps;
}

/* The sum of the used tenants' weights (0 in a configuration without any). */
static uint64_t
tenant_weight_sum(const struct qosdt_tenants_config *t)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < t->nb && i < QOSDT_MAX_TENANTS; i++)
		sum += t->t[i].weight;
	return sum;
}

/*
 * floor(@p total x the tenant's weight / the sum of the weights), without
 * overflow; 0 for a tenant that is not used or weights that sum to 0.
 */
static uint64_t
tenant_part(const struct qosdt_config *cfg, unsigned int tenant,
		uint64_t total)
{
	const struct qosdt_tenants_config *t = &cfg->tenants;
	uint64_t sum = tenant_weight_sum(t), w;

	if (tenant >= t->nb || tenant >= QOSDT_MAX_TENANTS || sum == 0)
		return 0;
	w = t->t[tenant].weight;
	return total / sum * w + total % sum * w / sum;
}

uint32_t
qosdt_config_tenant_buffers(const struct qosdt_config *cfg,
		unsigned int tenant)
{
	return tenant_part(cfg, tenant, cfg->nb_buffers);
}

uint32_t
qosdt_config_tenant_queue_slots(const struct qosdt_config *cfg,
		unsigned int tenant)
{
	return tenant_part(cfg, tenant, cfg->queue_slots);
}

uint64_t
qosdt_config_tenant_share_bps(const struct qosdt_config *cfg,
		unsigned int tenant)
{
	return tenant_part(cfg, tenant, qosdt_config_capacity(cfg));
}

/* ------------------------------------------------------------------ */
/* Class sizes.                                                        */

/*
 * Share @p total out by each class's share (ppm), rounding down;
 * best_effort gets the remainder so that the sum is exact.
 */
static void
share_out(const uint32_t share_ppm[QOSDT_NB_CLASSES], uint32_t total,
		uint32_t out[QOSDT_NB_CLASSES])
{
	uint64_t given = 0;
	unsigned int cls;

	for (cls = 0; cls < QOSDT_CLASS_BEST_EFFORT; cls++) {
		out[cls] = share_ppm[cls] * (uint64_t)total / QOSDT_PPM;
		given += out[cls];
	}
	out[QOSDT_CLASS_BEST_EFFORT] = given < total ? total - given : 0;
}

/* The class sizes of @p class_buffers buffers and @p queue_slots slots. */
static void
class_sizes_of(const struct qosdt_config *cfg, uint32_t class_buffers,
		uint32_t queue_slots, uint32_t nb_buffers[QOSDT_NB_CLASSES],
		uint32_t queue_limit[QOSDT_NB_CLASSES])
{
	uint32_t buffer_share[QOSDT_NB_CLASSES], queue_share[QOSDT_NB_CLASSES];
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		buffer_share[cls] = cfg->classes[cls].buffer_share_ppm;
		queue_share[cls] = cfg->classes[cls].queue_share_ppm;
	}
	share_out(buffer_share, class_buffers, nb_buffers);
	share_out(queue_share, queue_slots, queue_limit);
}

void
qosdt_cfg_class_sizes(const struct qosdt_config *cfg,
		uint32_t nb_buffers[QOSDT_NB_CLASSES],
		uint32_t queue_limit[QOSDT_NB_CLASSES])
{
	class_sizes_of(cfg, cfg->nb_buffers - cfg->shared_buffers,
		cfg->queue_slots, nb_buffers, queue_limit);
}

void
qosdt_cfg_tenant_class_sizes(const struct qosdt_config *cfg,
		unsigned int tenant, uint32_t nb_buffers[QOSDT_NB_CLASSES],
		uint32_t queue_limit[QOSDT_NB_CLASSES])
{
	uint32_t buffers = qosdt_config_tenant_buffers(cfg, tenant);
	uint32_t shared = tenant_part(cfg, tenant, cfg->shared_buffers);

	class_sizes_of(cfg, buffers > shared ? buffers - shared : 0,
		qosdt_config_tenant_queue_slots(cfg, tenant), nb_buffers,
		queue_limit);
}

void
qosdt_config_derive(struct qosdt_config *cfg)
{
	uint32_t nb_buffers[QOSDT_NB_CLASSES], queue_limit[QOSDT_NB_CLASSES];
	unsigned int cls;

	qosdt_cfg_class_sizes(cfg, nb_buffers, queue_limit);
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		cfg->classes[cls].nb_buffers = nb_buffers[cls];
		cfg->classes[cls].queue_limit = queue_limit[cls];
	}
}
