/* SPDX-License-Identifier: BSD-3-Clause */

#include <stdio.h>
#include <string.h>

#include "qosdt_msg.h"

#include "qos_test_util.h"

static void
scale(uint64_t *bps, double f)
{
	*bps = (uint64_t)((double)*bps * f);
}

int
qos_test_config(struct qosdt_config *cfg, enum qosdt_sched_mode mode,
		uint64_t rate_bps)
{
	char err[QOSDT_CONFIG_ERRLEN];
	double f;
	unsigned int c;

	qosdt_config_defaults(cfg);
	f = (double)rate_bps / (double)cfg->channel_rate_bps;
	cfg->mode = mode;
	cfg->channel_rate_bps = rate_bps;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		struct qosdt_class_config *cc = &cfg->classes[c];

		scale(&cc->rate_guarantee_bps, f);
		scale(&cc->rate_cap_bps, f);
		scale(&cc->slo.min_bandwidth_bps, f);
		scale(&cfg->adaptive.bounds[c].rate_cap_min_bps, f);
		scale(&cfg->adaptive.bounds[c].rate_cap_max_bps, f);
	}
	if (qosdt_config_validate(cfg, err, sizeof(err)) != 0) {
		printf("config at %lu bit/s: %s\n", (unsigned long)rate_bps, err);
		return -1;
	}
	return 0;
}

void
qos_test_three_wrr(struct qosdt_config *cfg)
{
	struct qosdt_class_config *rel = &cfg->classes[QOSDT_CLASS_RELIABLE];
	struct qosdt_class_config *tp = &cfg->classes[QOSDT_CLASS_THROUGHPUT];

	rel->strict = false;
	rel->rate_cap_bps = 0;
	tp->drop = QOSDT_DROP_TAIL;
	memset(&tp->sojourn, 0, sizeof(tp->sojourn));
}

struct rte_mbuf *
qos_test_request(struct rte_mempool *pool, uint16_t service,
		uint64_t request_id, uint32_t payload_len)
{
	struct qosdt_msg msg = { .service_id = service,
		.request_id = request_id, .length = payload_len };
	uint8_t payload[QOS_TEST_MAX_PAYLOAD];
	struct rte_mbuf *m;

	if (payload_len > sizeof(payload))
		return NULL;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return NULL;
	memset(payload, 'a' + service % 26, payload_len);
	if (qosdt_msg_build(m, NULL, NULL, &msg, payload) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}
