/* SPDX-License-Identifier: BSD-3-Clause */

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "qosdt_classifier.h"
#include "qosdt_log.h"
#include "qosdt_mbuf.h"
#include "qosdt_msg.h"

/* What a rule gives a message: its class and its latency objective. */
struct classify_rule {
	uint32_t slo_latency_ns;
	uint8_t cls;
};

struct qosdt_classifier {
	struct classify_rule rules[QOSDT_MAX_RULES];
	uint8_t rule_of_service[QOSDT_MAX_SERVICE_ID + 1];
};

/* The SLO in the mbuf is 32 bits of ns (4.29 s); the config allows 4 s. */
static uint32_t
slo_to_u32(uint64_t ns)
{
	return ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

struct qosdt_classifier *
qosdt_classifier_create(const struct qosdt_config *cfg, int socket)
{
	struct qosdt_classifier *cl;
	uint32_t r, id;

	if (cfg->nb_rules == 0 || cfg->nb_rules > QOSDT_MAX_RULES) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (qosdt_mbuf_meta_register() != 0)
		return NULL;
	cl = rte_zmalloc_socket("qosdt_classifier", sizeof(*cl),
		RTE_CACHE_LINE_SIZE, socket);
	if (cl == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* Later rules win over rule 0, the default that spans every id. */
	for (r = 0; r < cfg->nb_rules; r++) {
		const struct qosdt_service_rule *rule = &cfg->rules[r];
		uint64_t slo = rule->max_latency_ns;

		if (rule->cls >= QOSDT_NB_CLASSES || rule->first > rule->last) {
			QOSDT_LOG(ERR, "service rule %u is invalid", r);
			rte_free(cl);
			rte_errno = EINVAL;
			return NULL;
		}
		if (slo == 0)
			slo = cfg->classes[rule->cls].slo.max_latency_ns;
		cl->rules[r].cls = rule->cls;
		cl->rules[r].slo_latency_ns = slo_to_u32(slo);
		for (id = rule->first; id <= rule->last; id++)
			cl->rule_of_service[id] = r;
	}
	return cl;
}

void
qosdt_classifier_free(struct qosdt_classifier *cl)
{
	rte_free(cl);
}

unsigned int
qosdt_classify_service(const struct qosdt_classifier *cl, uint16_t service_id,
		uint64_t *slo_latency_ns)
{
	const struct classify_rule *r = &cl->rules[cl->rule_of_service[service_id]];

	if (slo_latency_ns != NULL)
		*slo_latency_ns = r->slo_latency_ns;
	return r->cls;
}

/* Frames ahead whose headers are prefetched. */
#define CLASSIFY_PREFETCH 4

uint16_t
qosdt_classify_burst(const struct qosdt_classifier *cl,
		struct rte_mbuf **pkts, uint16_t n, uint64_t tsc)
{
	const struct classify_rule *dflt = &cl->rules[0];
	uint16_t i, malformed = 0;

	for (i = 0; i < RTE_MIN(n, CLASSIFY_PREFETCH); i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct qosdt_mbuf_meta *meta = qosdt_mbuf_meta(m);
		const struct classify_rule *r;
		int sid;

		if (i + CLASSIFY_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + CLASSIFY_PREFETCH],
				void *));
		sid = qosdt_msg_service_id(m);
		meta->ts = tsc;
		if (likely(sid >= 0)) {
			r = &cl->rules[cl->rule_of_service[sid]];
			meta->service_id = sid;
			meta->flags = 0;
		} else {
			r = dflt;
			meta->service_id = 0;
			meta->flags = QOSDT_META_F_MALFORMED;
			malformed++;
		}
		meta->cls = r->cls;
		meta->slo_latency_ns = r->slo_latency_ns;
	}
	return malformed;
}
