/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "app_log.h"
#include "report.h"

static double
mbps(uint64_t bytes, double seconds)
{
	return seconds > 0 ? bytes * 8.0 / seconds / 1e6 : 0.0;
}

static double
us(uint64_t ns)
{
	return ns / 1000.0;
}

void
report_class_monitored(struct report_class *k,
		const struct qosdt_class_stats *cs)
{
	k->window_mbps = cs->window_throughput_bps / 1e6;
	k->latency = cs->latency;
	k->window_latency = cs->window_latency;
	k->latency_violations = cs->latency_violations;
	k->slo_violations = cs->slo_violation_windows;
	k->slo_met = cs->slo_met;
}

void
report_print(FILE *f, const struct report *r, bool final)
{
	unsigned int c;

	fprintf(f, "%s %-6s %-8s %12s %12s %9s %9s %9s %10s %10s %-6s\n",
		final ? "==" : "--", r->role, r->mode, "sent", "received",
		"Mbit/s", "p50 us", "p99 us", "lost", "dropped", "SLO");
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		const struct report_class *k = &r->cls[c];
		const struct qosdt_latency_summary *l =
			final ? &k->latency : &k->window_latency;
		double rate = final ?
			mbps(k->received_bytes, r->duration_s) : k->window_mbps;
		const char *slo = final ?
			(k->slo_violations == 0 ? "met" : "missed") :
			(k->slo_met ? "met" : "missed");

		fprintf(f, "   %-15s %12" PRIu64 " %12" PRIu64 " %9.1f %9.1f %9.1f %10"
			PRIu64 " %10" PRIu64 " %-6s\n",
			qosdt_class_name(c), k->sent, k->received, rate,
			us(l->p50_ns), us(l->p99_ns), k->lost, k->dropped, slo);
	}
	fflush(f);
}

static json_t *
latency_json(const struct qosdt_latency_summary *l)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f}",
		"p50", us(l->p50_ns), "p90", us(l->p90_ns), "p99", us(l->p99_ns),
		"p999", us(l->p999_ns), "max", us(l->max_ns));
}

static json_t *
class_json(const struct report *r, const struct report_class *k)
{
	double avg_frame = k->received > 0 ?
		(double)k->received_bytes / k->received :
		k->sent > 0 ? (double)k->sent_bytes / k->sent : 0.0;

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f,"
			" s:i, s:f, s:o, s:o, s:I, s:I, s:I}",
		"sent", (json_int_t)k->sent,
		"received", (json_int_t)k->received,
		"lost", (json_int_t)k->lost,
		"dropped", (json_int_t)k->dropped,
		"deferred", (json_int_t)k->deferred,
		"late", (json_int_t)k->late,
		"bad_replies", (json_int_t)k->bad_replies,
		"offered_mbps", mbps(k->sent_bytes, r->duration_s),
		"throughput_mbps", mbps(k->received_bytes, r->duration_s),
		"avg_frame_bytes", avg_frame,
		"weight", (int)k->weight,
		"guarantee_mbps", k->guarantee_bps / 1e6,
		"latency_us", latency_json(&k->latency),
		"sched_latency_us", latency_json(&k->sched_latency),
		"slo_violations", (json_int_t)k->slo_violations,
		"latency_violations", (json_int_t)k->latency_violations,
		"starved_windows", (json_int_t)k->starved_windows);
}

int
report_write_json(const struct report *r, const char *path)
{
	char tmp[4096];
	json_t *root, *classes;
	unsigned int c;
	int rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		APP_LOG(ERR, "--results: path too long: %s", path);
		return -1;
	}
	classes = json_object();
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		json_object_set_new(classes, qosdt_class_name(c),
			class_json(r, &r->cls[c]));
	root = json_pack("{s:s, s:s, s:s, s:s?, s:f, s:f, s:i, s:I, s:I, s:o}",
		"role", r->role, "mode", r->mode, "config", r->config,
		"scenario", r->scenario, "duration_s", r->duration_s,
		"channel_mbps", r->channel_bps / 1e6,
		"channel_overhead_bytes", (int)r->overhead,
		"malformed", (json_int_t)r->malformed,
		"unmatched_replies", (json_int_t)r->unmatched,
		"classes", classes);
	if (root == NULL) {
		APP_LOG(ERR, "--results: cannot build the JSON");
		return -1;
	}
	if (json_dump_file(root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		APP_LOG(ERR, "--results: cannot write %s: %s", tmp, strerror(errno));
	else if (rename(tmp, path) != 0)
		APP_LOG(ERR, "--results: cannot rename %s to %s: %s", tmp, path,
			strerror(errno));
	else
		rc = 0;
	json_decref(root);
	return rc;
}
