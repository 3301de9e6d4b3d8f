/* SPDX-License-Identifier: BSD-3-Clause */

#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "qosdt.h"
#include "qosdt_adaptive.h"
#include "qosdt_classifier.h"
#include "qosdt_log.h"
#include "qosdt_mbuf.h"
#include "qosdt_priv.h"
#include "qosdt_resv.h"
#include "qosdt_sched.h"
#include "qosdt_telemetry.h"
#include "qosdt_tenant.h"

/*
 * Each tenant's monitor and buffer reservation, from its own configuration
 * (its share of the buffers). One tenant's pools are named after the
 * instance; several tenants' after it and their index.
 */
static int
tenants_create(struct qosdt *q, const char *name, int socket)
{
	struct qosdt_config tcfg;
	char tname[32];
	uint32_t i;

	q->nb_tenants = RTE_MAX(q->cfg.tenants.nb, 1u);
	if (q->nb_tenants > 1 && strlen(name) > QOSDT_TENANT_POOL_PREFIX) {
		QOSDT_LOG(ERR, "%s: with %u tenants the name must be at most %d characters",
			name, q->nb_tenants, QOSDT_TENANT_POOL_PREFIX);
		rte_errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 0; i < q->nb_tenants; i++) {
		qosdt_tenant_config(&q->cfg, i, &tcfg);
		if (q->nb_tenants > 1)
			snprintf(tname, sizeof(tname), "%s.%u", name, i);
		else
			snprintf(tname, sizeof(tname), "%s", name);
		q->mon[i] = qosdt_monitor_create(&tcfg, socket);
		if (q->mon[i] == NULL)
			return -1;
		q->resv[i] = qosdt_resv_create(tname, &tcfg, socket);
		if (q->resv[i] == NULL)
			return -1;
	}
	return 0;
}

struct qosdt *
qosdt_create(const char *name, const struct qosdt_config *cfg, int socket,
		bool telemetry)
{
	struct qosdt_telemetry_source src;
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt *q;
	int ret;

	q = rte_zmalloc_socket("qosdt", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (q == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	q->cfg = *cfg;
	qosdt_config_derive(&q->cfg);
	if (qosdt_config_validate(&q->cfg, err, sizeof(err)) != 0) {
		QOSDT_LOG(ERR, "%s: invalid configuration: %s", name, err);
		rte_free(q);
		rte_errno = EINVAL;
		return NULL;
	}
	q->classifier = qosdt_classifier_create(&q->cfg, socket);
	if (q->classifier == NULL)
		goto fail;
	if (tenants_create(q, name, socket) != 0)
		goto fail;
	q->sched = qosdt_sched_create(name, &q->cfg, q->mon, socket);
	if (q->sched == NULL)
		goto fail;
	if (q->cfg.adaptive.enabled) {
		q->adaptive = qosdt_adaptive_create(&q->cfg, socket);
		if (q->adaptive == NULL)
			goto fail;
	}
	if (telemetry) {
		src.cfg = &q->cfg;
		src.nb_tenants = q->nb_tenants;
		src.mon = (const struct qosdt_monitor * const *)q->mon;
		src.resv = (const struct qosdt_resv * const *)q->resv;
		src.adaptive = q->adaptive;
		ret = qosdt_telemetry_attach(&src);
		if (ret != 0) {
			rte_errno = -ret;
			goto fail;
		}
		q->telemetry = true;
	}
	return q;
fail:
	ret = rte_errno;
	QOSDT_LOG(ERR, "%s: cannot create: %s", name, rte_strerror(ret));
	qosdt_free(q);
	rte_errno = ret;
	return NULL;
}

void
qosdt_free(struct qosdt *q)
{
	uint32_t i;

	if (q == NULL)
		return;
	if (q->telemetry)
		qosdt_telemetry_detach();
	/* The scheduler first: it frees queued mbufs into the pools. */
	qosdt_sched_free(q->sched);
	qosdt_adaptive_free(q->adaptive);
	for (i = 0; i < q->nb_tenants; i++) {
		qosdt_resv_free(q->resv[i]);
		qosdt_monitor_free(q->mon[i]);
	}
	qosdt_classifier_free(q->classifier);
	rte_free(q);
}

uint16_t
qosdt_classify_burst_now(struct qosdt *q, struct rte_mbuf **pkts, uint16_t n)
{
	return qosdt_classify_burst(q->classifier, pkts, n, rte_rdtsc());
}

/* Drop the malformed frames of a classified burst, keeping the order. */
static uint16_t
drop_malformed(struct qosdt *q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (qosdt_mbuf_meta(pkts[i])->flags & QOSDT_META_F_MALFORMED)
			rte_pktmbuf_free(pkts[i]);
		else
			pkts[k++] = pkts[i];
	}
	q->counters.malformed += n - k;
	return k;
}

uint16_t
qosdt_enqueue_burst(struct qosdt *q, struct rte_mbuf **pkts,
		uint16_t n)
{
	return qosdt_enqueue_tenant_burst(q, 0, pkts, n);
}

uint16_t
qosdt_enqueue_classified_burst(struct qosdt *q, struct rte_mbuf **pkts,
		uint16_t n)
{
	return qosdt_sched_enqueue_tenant(q->sched, 0, pkts, n);
}

uint16_t
qosdt_dequeue_burst(struct qosdt *q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = qosdt_sched_dequeue(q->sched, pkts, n);
	uint64_t now = qosdt_monitor_now_ns();

	uint32_t i;

	/* The controller acts on closed windows, on this (the scheduler's)
	 * thread; it runs with one tenant only (qosdt_config_validate()). */
	if (qosdt_monitor_poll(q->mon[0], now) == 1 && q->adaptive != NULL)
		qosdt_adaptive_poll(q->adaptive, q->sched, q->mon[0], now);
	for (i = 1; i < q->nb_tenants; i++)
		qosdt_monitor_poll(q->mon[i], now);
	return k;
}

void
qosdt_stats_read(const struct qosdt *q, struct qosdt_stats *stats)
{
	qosdt_monitor_read(q->mon[0], stats);
}

void
qosdt_counters_read(const struct qosdt *q, struct qosdt_counters *c)
{
	*c = q->counters;
}

struct rte_mempool *
qosdt_pool(const struct qosdt *q, unsigned int cls)
{
	return qosdt_resv_pool(q->resv[0], cls);
}

const struct qosdt_config *
qosdt_config_of(const struct qosdt *q)
{
	return qosdt_sched_config(q->sched);
}

unsigned int
qosdt_service_class(const struct qosdt *q, uint16_t service_id,
		uint64_t *slo_ns)
{
	return qosdt_classify_service(q->classifier, service_id, slo_ns);
}

struct rte_mbuf *
qosdt_request_new(struct qosdt *q, const struct rte_ether_addr *src,
		const struct qosdt_msg *msg, unsigned int cls, uint64_t slo_ns)
{
	struct qosdt_mbuf_meta *meta;
	struct rte_mbuf *m;
	int ret;

	if (cls >= QOSDT_NB_CLASSES) {
		rte_errno = EINVAL;
		return NULL;
	}
	m = rte_pktmbuf_alloc(qosdt_resv_pool(q->resv[0], cls));
	if (m == NULL) {
		rte_errno = ENOBUFS;
		return NULL;
	}
	ret = qosdt_msg_build_request(m, src, NULL, msg);
	if (ret != 0) {
		rte_pktmbuf_free(m);
		rte_errno = -ret;
		return NULL;
	}
	meta = qosdt_mbuf_meta(m);
	meta->ts = rte_rdtsc();
	meta->slo_latency_ns = (uint32_t)RTE_MIN(slo_ns, (uint64_t)UINT32_MAX);
	meta->service_id = msg->service_id;
	meta->cls = cls;
	meta->flags = 0;
	return m;
}

void
qosdt_stats_poll(struct qosdt *q)
{
	uint64_t now = qosdt_monitor_now_ns();
	uint32_t i;

	for (i = 0; i < q->nb_tenants; i++)
		qosdt_monitor_poll(q->mon[i], now);
}

void
qosdt_buffers_read(const struct qosdt *q, struct qosdt_resv_usage *u)
{
	qosdt_resv_usage(q->resv[0], u);
}

uint32_t
qosdt_nb_tenants(const struct qosdt *q)
{
	return q->nb_tenants;
}

uint16_t
qosdt_enqueue_tenant_burst(struct qosdt *q, uint32_t tenant,
		struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t good = n, consumed;

	if (unlikely(qosdt_classify_burst_now(q, pkts, n) != 0))
		good = drop_malformed(q, pkts, n);
	consumed = qosdt_sched_enqueue_tenant(q->sched, tenant, pkts, good);
	if (good == n)
		return consumed;
	/* Held mbufs must end at pkts[n - 1]: shift them past the gap. */
	memmove(pkts + n - (good - consumed), pkts + consumed,
		(good - consumed) * sizeof(*pkts));
	return n - (good - consumed);
}

uint16_t
qosdt_enqueue_tenant_classified_burst(struct qosdt *q, uint32_t tenant,
		struct rte_mbuf **pkts, uint16_t n)
{
	return qosdt_sched_enqueue_tenant(q->sched, tenant, pkts, n);
}

int
qosdt_tenant_stats_read(const struct qosdt *q, uint32_t tenant,
		struct qosdt_stats *stats)
{
	if (tenant >= q->nb_tenants)
		return -ENOENT;
	qosdt_monitor_read(q->mon[tenant], stats);
	return 0;
}

int
qosdt_tenant_buffers_read(const struct qosdt *q, uint32_t tenant,
		struct qosdt_resv_usage *u)
{
	if (tenant >= q->nb_tenants)
		return -ENOENT;
	qosdt_resv_usage(q->resv[tenant], u);
	return 0;
}

struct rte_mempool *
qosdt_tenant_pool(const struct qosdt *q, uint32_t tenant, unsigned int cls)
{
	if (tenant >= q->nb_tenants)
		return NULL;
	return qosdt_resv_pool(q->resv[tenant], cls);
}

const char *
qosdt_tenant_name(const struct qosdt *q, uint32_t tenant)
{
	if (tenant >= q->nb_tenants)
		return NULL;
	return q->cfg.tenants.t[tenant].name;
}

bool
qosdt_adaptive_enabled(const struct qosdt *q)
{
	return q->adaptive != NULL;
}

int
qosdt_adaptive_read(const struct qosdt *q, struct qosdt_adaptive_status *st,
		const struct qosdt_adaptive_change **changes,
		unsigned int *nb_changes)
{
	if (q->adaptive == NULL)
		return -ENOTSUP;
	qosdt_adaptive_status_read(q->adaptive, st);
	*nb_changes = qosdt_adaptive_timeline(q->adaptive, changes);
	return 0;
}
