/* SPDX-License-Identifier: BSD-3-Clause */

#include <string.h>

#include "slo_verdict.h"

#define PPM UINT64_C(1000000)

bool
slo_service_latency_met(const struct report_service *s)
{
	uint64_t n = s->received;

	if (s->slo_ns == 0)
		return true;
	/* The reply of rank ceil(0.99 n) is over the objective exactly when
	 * more than n - ceil(0.99 n) replies are. */
	return n > 0 && s->over_slo <= n - (99 * n + 99) / 100;
}

static double
mbps(uint64_t bytes, double seconds)
{
	return seconds > 0 ? bytes * 8.0 / seconds / 1e6 : 0.0;
}

/* Latency: every service of the class that was sent requests and has an
 * objective keeps its p99 within it. */
static void
judge_latency(const struct report *r, unsigned int cls, struct slo_verdict *v)
{
	unsigned int i;

	v->latency.met = true;
	for (i = 0; i < r->nb_services; i++) {
		const struct report_service *s = &r->services[i];

		if (s->cls != cls || s->sent == 0)
			continue;
		v->replies += s->received;
		v->replies_over += s->over_slo;
		if (s->slo_ns == 0)
			continue;
		v->latency.judged = true;
		v->latency.met &= slo_service_latency_met(s);
	}
	v->latency.met &= v->latency.judged;
}

void
slo_verdict_class(const struct report *r, unsigned int cls,
		struct slo_verdict *v)
{
	const struct qosdt_slo *slo = &r->cfg->classes[cls].slo;
	const struct report_class *k = &r->cls[cls];
	uint64_t failed = k->lost + k->dropped + k->bad_replies;

	memset(v, 0, sizeof(*v));
	judge_latency(r, cls, v);

	v->offered_mbps = mbps(k->sent_bytes, r->duration_s);
	v->throughput_mbps = mbps(k->received_bytes, r->duration_s);
	v->min_bandwidth_mbps = slo->min_bandwidth_bps / 1e6;
	if (slo->min_bandwidth_bps != 0 && k->sent > 0) {
		v->bandwidth.judged = true;
		/* As each window is judged: a floor offered must be delivered. */
		v->bandwidth.met = v->offered_mbps < v->min_bandwidth_mbps ||
			v->throughput_mbps >= v->min_bandwidth_mbps;
	}

	v->failed_share = k->sent > 0 ? (double)failed / k->sent : 0.0;
	if (slo->has_max_loss && k->sent > 0) {
		v->max_loss = slo->max_loss_ppm / (double)PPM;
		v->loss.judged = true;
		v->loss.met = (unsigned __int128)failed * PPM <=
			(unsigned __int128)slo->max_loss_ppm * k->sent;
	}

	v->windows = r->nb_windows;
	v->windows_missed = k->slo_violations;
	v->judged = v->latency.judged || v->bandwidth.judged || v->loss.judged;
	v->met = v->judged && (!v->latency.judged || v->latency.met) &&
		(!v->bandwidth.judged || v->bandwidth.met) &&
		(!v->loss.judged || v->loss.met);
}
