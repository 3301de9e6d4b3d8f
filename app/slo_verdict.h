/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client's verdict on each class's SLOs over a whole run: every rule
 * the configuration gives the class or its services' rules (latency at
 * p99 against each service's own max_latency, bandwidth, loss), judged on
 * the run's counts. doc/results.md says how each is computed.
 */

#ifndef QOSDT_APP_SLO_VERDICT_H
#define QOSDT_APP_SLO_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"

/** One rule's judgement. */
struct slo_rule_verdict {
	bool judged;   /**< The configuration gives the rule and the class had load. */
	bool met;      /**< Judged and kept (false when not judged). */
};

/** A class's SLO verdict over a run. */
struct slo_verdict {
	bool judged;   /**< At least one rule was judged. */
	bool met;      /**< Every judged rule was kept (false when none was judged). */
	struct slo_rule_verdict latency;   /**< Each service's p99 within its max_latency. */
	struct slo_rule_verdict bandwidth; /**< Offered >= min_bandwidth: delivered >= it. */
	struct slo_rule_verdict loss;      /**< (lost + dropped + bad) / sent <= max_loss. */
	uint64_t replies;        /**< Received replies of the class's services. */
	uint64_t replies_over;   /**< Those over their own service's max_latency. */
	double min_bandwidth_mbps;
	double offered_mbps;
	double throughput_mbps;
	double max_loss;         /**< Fraction; 0 when there is no loss bound. */
	double failed_share;     /**< (lost + dropped + bad) / sent. */
	uint64_t windows;        /**< Monitoring windows closed. */
	uint64_t windows_missed; /**< Those in which the class missed an SLO. */
};

/**
 * Whether a service's p99 round trip is within its max_latency, decided on
 * the counts: at most received - ceil(0.99 received) replies over it.
 *
 * @param s
 *   The service's results.
 * @return
 *   true when it has no objective, or replies and a p99 within it; false
 *   when it has an objective and no reply, or a p99 over it.
 */
bool slo_service_latency_met(const struct report_service *s);

/**
 * Judge one class of a client's results against the SLOs of r->cfg.
 *
 * @param r
 *   The client's results, with cfg, services and nb_windows set.
 * @param cls
 *   enum qosdt_class.
 * @param v
 *   Filled.
 */
void slo_verdict_class(const struct report *r, unsigned int cls,
		struct slo_verdict *v);

#endif /* QOSDT_APP_SLO_VERDICT_H */
