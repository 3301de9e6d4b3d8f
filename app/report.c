/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <rte_common.h>


#include "app_log.h"
#include "report.h"
#include "slo_verdict.h"

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

/* The controller's running setting and what it did last. */
static void
print_adaptive(FILE *f, const struct report *r)
{
	struct qosdt_adaptive_status st;
	const struct qosdt_adaptive_change *ch;
	unsigned int n;

	if (qosdt_adaptive_read(r->qos, &st, &ch, &n) != 0)
		return;
	fprintf(f, "   adaptive: weights %u:%u:%u:%u, realtime cap %.0f Mbit/s; %"
		PRIu64 " changes (%" PRIu64 " raises, %" PRIu64 " donations, %"
		PRIu64 " decays)", st.weight[0], st.weight[1], st.weight[2],
		st.weight[3], st.rate_cap_bps / 1e6, st.counters.changes,
		st.counters.raises, st.counters.donations, st.counters.decays);
	if (st.nb_recent > 0) {
		ch = &st.recent[st.nb_recent - 1];
		fprintf(f, "; last: %s %s %" PRIu64 " -> %" PRIu64 " (%s)",
			qosdt_class_name(ch->cls),
			qosdt_adaptive_knob_name(ch->knob), ch->from, ch->to,
			qosdt_adaptive_reason_name(ch->reason));
	}
	fputc('\n', f);
}

/*
 * A tenant's class that fares worst: of those with traffic, one that
 * missed its SLO before one that met it, then the highest p99; -1 if none
 * had traffic.
 */
static int
tenant_worst_class(const struct report_tenant *t, bool final)
{
	int worst = -1;
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		const struct report_class *k = &t->cls[c], *w;
		bool missed, w_missed;

		if (k->received == 0)
			continue;
		if (worst < 0) {
			worst = c;
			continue;
		}
		w = &t->cls[worst];
		missed = final ? k->slo_violations != 0 : !k->slo_met;
		w_missed = final ? w->slo_violations != 0 : !w->slo_met;
		if (missed != w_missed ? missed :
				(final ? k->latency.p99_ns > w->latency.p99_ns :
				 k->window_latency.p99_ns > w->window_latency.p99_ns))
			worst = c;
	}
	return worst;
}

/* The final line of a dedup table (a tenant's when @p tenant is not ""). */
static void
print_dedup(FILE *f, const char *tenant, const struct dedup *d)
{
	struct dedup_counters life;

	dedup_counters_read(d, &life, NULL);
	fprintf(f, "   dedup%s%s: %" PRIu64 " lossless requests served, %" PRIu64
		" duplicates answered from the table, %" PRIu64
		" served again\n", tenant[0] != '\0' ? " of tenant " : "",
		tenant, life.served, life.replayed, life.duplicates_served);
}

/* One line per tenant: its totals and its worst class. */
static void
print_tenant(FILE *f, const struct report_tenant *t, bool final)
{
	uint64_t received = 0, sent = 0, dropped = 0;
	int worst = tenant_worst_class(t, final);
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		received += t->cls[c].received;
		sent += t->cls[c].sent;
		dropped += t->cls[c].dropped;
	}
	fprintf(f, "   tenant %-14s %12" PRIu64 " %12" PRIu64 " %10" PRIu64
		" dropped", t->name, sent, received, dropped);
	if (worst >= 0) {
		const struct report_class *k = &t->cls[worst];
		const struct qosdt_latency_summary *l =
			final ? &k->latency : &k->window_latency;
		bool missed = final ? k->slo_violations != 0 : !k->slo_met;

		fprintf(f, "; worst class %s: p99 %.1f us, SLO %s", qosdt_class_name(worst),
			us(l->p99_ns), missed ? "missed" : "met");
	}
	fputc('\n', f);
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
		const char *slo = k->slo_met ? "met" : "missed";

		if (final && r->cfg != NULL && r->services != NULL) {
			struct slo_verdict v;

			slo_verdict_class(r, c, &v);
			slo = !v.judged ? "n/a" : v.met ? "met" : "MISSED";
		} else if (final) {
			slo = k->slo_violations == 0 ? "met" : "missed";
		}

		fprintf(f, "   %-15s %12" PRIu64 " %12" PRIu64 " %9.1f %9.1f %9.1f %10"
			PRIu64 " %10" PRIu64 " %-6s\n",
			qosdt_class_name(c), k->sent, k->received, rate,
			us(l->p50_ns), us(l->p99_ns), k->lost, k->dropped, slo);
	}
	for (c = 0; c < r->nb_tenants; c++)
		print_tenant(f, &r->tenants[c], final);
	if (r->qos != NULL && qosdt_adaptive_enabled(r->qos))
		print_adaptive(f, r);
	if (final && r->dedup != NULL)
		print_dedup(f, "", r->dedup);
	for (c = 0; final && c < r->nb_tenants; c++)
		if (r->tenants[c].dedup != NULL)
			print_dedup(f, r->tenants[c].name, r->tenants[c].dedup);
	fflush(f);
}

static json_t *
latency_json(const struct qosdt_latency_summary *l)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f}",
		"p50", us(l->p50_ns), "p90", us(l->p90_ns), "p99", us(l->p99_ns),
		"p999", us(l->p999_ns), "max", us(l->max_ns));
}

/* The non-empty buckets of a histogram: their upper bounds and counts. */
static json_t *
hist_json(const struct qosdt_hist *h)
{
	json_t *upper = json_array(), *count = json_array();
	uint64_t lo, hi;
	unsigned int i;

	for (i = 0; i < QOSDT_HIST_NB_BUCKETS; i++) {
		if (h->buckets[i] == 0 ||
				qosdt_hist_bucket_bounds(i, &lo, &hi) < 0)
			continue;
		json_array_append_new(upper, json_real(us(RTE_MIN(hi, h->max))));
		json_array_append_new(count, json_integer(h->buckets[i]));
	}
	return json_pack("{s:o, s:o}", "upper_us", upper, "count", count);
}

static json_t *
rule_json(const struct slo_rule_verdict *rule)
{
	return json_pack("{s:b, s:b}", "judged", rule->judged, "met", rule->met);
}

/* A class's "slo": the verdict on every rule and the figures it came from. */
static json_t *
slo_json(const struct report *r, unsigned int cls)
{
	struct slo_verdict v;
	json_t *lat, *bw, *loss, *services;
	unsigned int i;
	char id[8];

	slo_verdict_class(r, cls, &v);
	services = json_object();
	for (i = 0; i < r->nb_services; i++) {
		const struct report_service *s = &r->services[i];

		if (s->cls != cls)
			continue;
		snprintf(id, sizeof(id), "%u", s->id);
		json_object_set_new(services, id, json_pack(
			"{s:f, s:I, s:I, s:f, s:b}",
			"max_latency_us", us(s->slo_ns),
			"received", (json_int_t)s->received,
			"over", (json_int_t)s->over_slo,
			"p99_us", us(qosdt_hist_percentile(&s->rtt, 0.99)),
			"met", slo_service_latency_met(s)));
	}
	lat = rule_json(&v.latency);
	json_object_set_new(lat, "replies", json_integer((json_int_t)v.replies));
	json_object_set_new(lat, "replies_over",
		json_integer((json_int_t)v.replies_over));
	json_object_set_new(lat, "share_over", json_real(v.replies > 0 ?
		(double)v.replies_over / v.replies : 0.0));
	json_object_set_new(lat, "services", services);
	bw = rule_json(&v.bandwidth);
	json_object_set_new(bw, "min_mbps", json_real(v.min_bandwidth_mbps));
	json_object_set_new(bw, "offered_mbps", json_real(v.offered_mbps));
	json_object_set_new(bw, "throughput_mbps", json_real(v.throughput_mbps));
	loss = rule_json(&v.loss);
	json_object_set_new(loss, "max", json_real(v.max_loss));
	json_object_set_new(loss, "measured", json_real(v.failed_share));
	return json_pack("{s:b, s:b, s:o, s:o, s:o, s:{s:I, s:I, s:f}}",
		"judged", v.judged, "met", v.met,
		"latency", lat, "bandwidth", bw, "loss", loss,
		"windows", "closed", (json_int_t)v.windows,
		"missed", (json_int_t)v.windows_missed,
		"share_missed", v.windows > 0 ?
			(double)v.windows_missed / v.windows : 0.0);
}

/* "services": each service's requests and round trips (client). */
static json_t *
services_json(const struct report *r)
{
	json_t *o = json_object();
	unsigned int i;
	char id[8];

	for (i = 0; i < r->nb_services; i++) {
		const struct report_service *s = &r->services[i];
		struct qosdt_latency_summary l;

		qosdt_hist_summary(&s->rtt, &l);
		snprintf(id, sizeof(id), "%u", s->id);
		json_object_set_new(o, id, json_pack(
			"{s:s, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			"class", qosdt_class_name(s->cls),
			"max_latency_us", us(s->slo_ns),
			"sent", (json_int_t)s->sent,
			"received", (json_int_t)s->received,
			"lost", (json_int_t)s->lost,
			"dropped", (json_int_t)s->dropped,
			"bad_replies", (json_int_t)s->bad_replies,
			"over_slo", (json_int_t)s->over_slo,
			"latency_us", latency_json(&l)));
	}
	return o;
}

static json_t *
class_json(const struct report *r, const struct report_class *k)
{
	double avg_frame = k->received > 0 ?
		(double)k->received_bytes / k->received :
		k->sent > 0 ? (double)k->sent_bytes / k->sent : 0.0;

	json_t *o;

	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f,"
			" s:i, s:f, s:o, s:o, s:I, s:I, s:I}",
		"sent", (json_int_t)k->sent,
		"received", (json_int_t)k->received,
		"lost", (json_int_t)k->lost,
		"dropped", (json_int_t)k->dropped,
		"deferred", (json_int_t)k->deferred,
		"late", (json_int_t)k->late,
		"bad_replies", (json_int_t)k->bad_replies,
		"resent", (json_int_t)k->resent,
		"duplicate_replies", (json_int_t)k->duplicates,
		"unresolved_at_stop", (json_int_t)k->at_stop,
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
	if (o != NULL && k->latency_hist != NULL)
		json_object_set_new(o, "latency_hist", hist_json(k->latency_hist));
	if (o != NULL && r->cfg != NULL && r->services != NULL)
		json_object_set_new(o, "slo", slo_json(r, (unsigned int)(k - r->cls)));
	return o;
}

static json_t *
dedup_counters_json(const struct dedup_counters *k)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"served", (json_int_t)k->served,
		"redone", (json_int_t)k->redone,
		"replayed", (json_int_t)k->replayed,
		"replayed_earlier", (json_int_t)k->replayed_earlier,
		"duplicates_served", (json_int_t)k->duplicates_served,
		"conflicts", (json_int_t)k->conflicts,
		"unstored", (json_int_t)k->unstored,
		"evicted", (json_int_t)k->evicted);
}

/* "dedup" (server): a table, this process's counts and the store's. */
static json_t *
dedup_json(const struct dedup *d, const char *file)
{
	struct dedup_counters life, total;
	uint32_t lives;

	if (d == NULL)
		return json_pack("{s:b}", "enabled", 0);
	lives = dedup_counters_read(d, &life, &total);
	return json_pack("{s:b, s:i, s:i, s:s?, s:i, s:i, s:i, s:I, s:o, s:o}",
		"enabled", 1, "entries", (int)d->nb_entries,
		"reply_cap_bytes", (int)d->reply_cap,
		"file", file,
		"life", (int)d->life, "lives", (int)lives,
		"loaded", (int)d->loaded,
		"deepest_replay", (json_int_t)d->deepest_replay,
		"this_life", dedup_counters_json(&life),
		"store", dedup_counters_json(&total));
}

/* The scenario's phases, when each starts. */
static json_t *
phases_json(const struct scenario *sc)
{
	json_t *a = json_array();
	uint64_t start = 0;
	uint32_t i;

	for (i = 0; i < sc->nb_phases; i++) {
		json_array_append_new(a, json_pack("{s:s, s:f, s:f}",
			"name", sc->phases[i].name, "start_s", start / 1e9,
			"duration_s", sc->phases[i].duration_ns / 1e9));
		start += sc->phases[i].duration_ns;
	}
	return a;
}

static json_t *
class_counts_json(const uint8_t *n)
{
	json_t *o = json_object();
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		json_object_set_new(o, qosdt_class_name(c), json_integer(n[c]));
	return o;
}

/* One change: what, why, the trade it made (the class it took from and
 * what the model said that class keeps), and the windows each class missed
 * in before and after it.
 */
static json_t *
adaptive_change_json(const struct qosdt_adaptive_change *ch, uint64_t t0_ns)
{
	json_t *o = json_pack("{s:f, s:s, s:s, s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:i, s:i}",
		"t_s", ch->time_ns > t0_ns ? (ch->time_ns - t0_ns) / 1e9 : 0.0,
		"class", qosdt_class_name(ch->cls),
		"knob", qosdt_adaptive_knob_name(ch->knob),
		"from", (json_int_t)ch->from, "to", (json_int_t)ch->to,
		"reason", qosdt_adaptive_reason_name(ch->reason),
		"for_class", qosdt_class_name(ch->for_cls),
		"measured", (json_int_t)ch->measured,
		"objective", (json_int_t)ch->objective,
		"outcome", qosdt_adaptive_outcome_name(ch->outcome),
		"windows_before", ch->windows_before,
		"windows_after", ch->windows_after);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "missed_before", class_counts_json(ch->missed_before));
	json_object_set_new(o, "missed_after", class_counts_json(ch->missed_after));
	json_object_set_new(o, "trade", ch->hurt_cls >= QOSDT_NB_CLASSES ?
		json_null() : json_pack("{s:s, s:f, s:f, s:f, s:f}",
		"class", qosdt_class_name(ch->hurt_cls),
		"get_mbps", ch->hurt_get_bps / 1e6,
		"ask_mbps", ch->hurt_demand_bps / 1e6,
		"p99_us", ch->hurt_p99_ns == UINT64_MAX ? -1.0 :
			ch->hurt_p99_ns / 1e3,
		"objective_us", ch->hurt_objective_ns / 1e3));
	/* A refused trade: the rule that refused it. */
	if (ch->outcome == QOSDT_ADAPTIVE_REFUSED)
		json_object_set_new(o, "refused_by", json_string(
			ch->hurt_rule == QOSDT_ADAPTIVE_RULE_PRIORITY ?
			"priority" : "slo"));
	return o;
}

/* "adaptive": whether it ran, its counters, the timeline of changes. */
static json_t *
adaptive_json(const struct report *r)
{
	const struct qosdt_adaptive_change *ch;
	struct qosdt_adaptive_status st;
	json_t *timeline;
	unsigned int i, n;

	if (r->qos == NULL || qosdt_adaptive_read(r->qos, &st, &ch, &n) != 0)
		return json_pack("{s:b}", "enabled", 0);
	timeline = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(timeline, adaptive_change_json(&ch[i],
			r->t0_ns));
	json_t *o = json_pack("{s:b, s:i, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o}",
		"enabled", 1, "period_ms", (int)st.period_ms,
		"counters",
		"windows", (json_int_t)st.counters.windows,
		"controls", (json_int_t)st.counters.controls,
		"changes", (json_int_t)st.counters.changes,
		"raises", (json_int_t)st.counters.raises,
		"donations", (json_int_t)st.counters.donations,
		"decays", (json_int_t)st.counters.decays,
		"at_bound", (json_int_t)st.counters.at_bound,
		"backoffs", (json_int_t)st.counters.backoffs,
		"refused", (json_int_t)st.counters.refused,
		"unrecorded", (json_int_t)st.counters.unrecorded,
		"unexplained", (json_int_t)st.counters.unexplained,
		"trades", (json_int_t)st.counters.trades,
		"trades_refused", (json_int_t)st.counters.trades_refused,
		"undone", (json_int_t)st.counters.undone,
		"timeline", timeline);

	/* The last trade not made: the class it would have hurt, and why. */
	if (o != NULL && st.counters.trades_refused > 0)
		json_object_set_new(o, "last_refused_trade",
			adaptive_change_json(&st.last_refused, r->t0_ns));
	return o;
}

/* Each tenant's classes, by tenant name, in tenant order. */
static json_t *
tenants_json(const struct report *r)
{
	json_t *tenants = json_object(), *classes;
	unsigned int t, c;

	for (t = 0; t < r->nb_tenants; t++) {
		classes = json_object();
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			json_object_set_new(classes, qosdt_class_name(c),
				class_json(r, &r->tenants[t].cls[c]));
		json_object_set_new(tenants, r->tenants[t].name,
			json_pack("{s:I, s:o, s:o}", "index", (json_int_t)t,
				"classes", classes, "dedup",
				dedup_json(r->tenants[t].dedup,
					r->tenants[t].dedup_file)));
	}
	return tenants;
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
	root = json_pack("{s:s, s:s, s:s, s:s?, s:f, s:f, s:i, s:I, s:I, s:I, s:I, s:o}",
		"role", r->role, "mode", r->mode, "config", r->config,
		"scenario", r->scenario, "duration_s", r->duration_s,
		"channel_mbps", r->channel_bps / 1e6,
		"channel_overhead_bytes", (int)r->overhead,
		"malformed", (json_int_t)r->malformed,
		"unmatched_replies", (json_int_t)r->unmatched,
		"stale_replies", (json_int_t)r->stale,
		"link_downs", (json_int_t)r->link_downs,
		"classes", classes);
	if (root != NULL && json_object_set_new(root, "adaptive",
			adaptive_json(r)) != 0) {
		json_decref(root);
		root = NULL;
	}
	/* Several tenants: each one's table is in its section. */
	if (root != NULL && strcmp(r->role, "server") == 0 &&
			r->nb_tenants == 0)
		json_object_set_new(root, "dedup",
			dedup_json(r->dedup, r->dedup_file));
	if (root != NULL && r->sc != NULL)
		json_object_set_new(root, "phases", phases_json(r->sc));
	if (root != NULL && r->windows != NULL)
		json_object_set_new(root, "windows", window_log_json(r->windows));
	if (root != NULL && r->services != NULL)
		json_object_set_new(root, "services", services_json(r));
	if (root != NULL && r->nb_tenants > 0)
		json_object_set_new(root, "tenants", tenants_json(r));
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
