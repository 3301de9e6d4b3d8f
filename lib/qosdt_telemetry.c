/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Telemetry commands /qosdt/stats, /qosdt/buffers, /qosdt/config and
 * /qosdt/adaptive.
 *
 * /qosdt/stats and /qosdt/buffers report per tenant (doc/tenants.md): with
 * one tenant, its figures; with several, every tenant's under "tenants",
 * by name. A parameter (a tenant's name or index) asks for one tenant's.
 *
 * The attached source is guarded by a spinlock taken by attach/detach and
 * by each callback while it copies what it reports (a monitor snapshot, the
 * buffer accounting, the configuration); the reply is formatted from the
 * copy after the lock is released. So once qosdt_telemetry_detach() returns,
 * no callback touches the old objects. Only control-path threads take it.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "qosdt_log.h"
#include "qosdt_telemetry.h"

static rte_spinlock_t source_lock = RTE_SPINLOCK_INITIALIZER;
static struct qosdt_telemetry_source source;

/* A named uint64_t field of a structure, for table-driven replies. */
struct u64_field {
	const char *name;
	size_t offset;
};

#define CLASS_FIELD(f) { #f, offsetof(struct qosdt_class_stats, f) }
static const struct u64_field class_stats_fields[] = {
	CLASS_FIELD(rx_pkts),
	CLASS_FIELD(rx_bytes),
	CLASS_FIELD(tx_pkts),
	CLASS_FIELD(tx_bytes),
	CLASS_FIELD(drop_pkts),
	CLASS_FIELD(drop_bytes),
	CLASS_FIELD(held_pkts),
	CLASS_FIELD(throughput_bps),
	CLASS_FIELD(offered_bps),
	CLASS_FIELD(latency_violations),
	CLASS_FIELD(slo_violation_windows),
	CLASS_FIELD(window_throughput_bps),
	CLASS_FIELD(window_offered_bps),
};

#define LATENCY_FIELD(f) { #f, offsetof(struct qosdt_latency_summary, f) }
static const struct u64_field latency_fields[] = {
	LATENCY_FIELD(count),
	LATENCY_FIELD(p50_ns),
	LATENCY_FIELD(p90_ns),
	LATENCY_FIELD(p99_ns),
	LATENCY_FIELD(p999_ns),
	LATENCY_FIELD(max_ns),
};

/* Add the fields of @p obj listed in @p fields to dictionary @p d. */
static int
add_u64_fields(struct rte_tel_data *d, const void *obj,
		const struct u64_field *fields, unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = rte_tel_data_add_dict_u64(d, fields[i].name,
			*(const uint64_t *)RTE_PTR_ADD(obj, fields[i].offset));
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* Start a nested dictionary for add_nested_dict(). */
static struct rte_tel_data *
new_dict(void)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d != NULL && rte_tel_data_start_dict(d) != 0) {
		rte_tel_data_free(d);
		return NULL;
	}
	return d;
}

/* Add @p child (from new_dict()) under @p name; @p child is owned by
 * @p d afterwards, or freed on failure.
 */
static int
add_nested_dict(struct rte_tel_data *d, const char *name,
		struct rte_tel_data *child)
{
	int ret;

	if (child == NULL)
		return -ENOMEM;
	ret = rte_tel_data_add_dict_container(d, name, child, 0);
	if (ret != 0)
		rte_tel_data_free(child);
	return ret;
}

static struct rte_tel_data *
latency_dict(const struct qosdt_latency_summary *lat)
{
	struct rte_tel_data *d = new_dict();

	if (d != NULL && add_u64_fields(d, lat, latency_fields,
			RTE_DIM(latency_fields)) != 0) {
		rte_tel_data_free(d);
		return NULL;
	}
	return d;
}

static struct rte_tel_data *
class_stats_dict(const struct qosdt_class_stats *cs)
{
	struct rte_tel_data *d = new_dict();
	int ret;

	if (d == NULL)
		return NULL;
	ret = add_u64_fields(d, cs, class_stats_fields,
		RTE_DIM(class_stats_fields));
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "window_loss_ppm",
			cs->window_loss_ppm);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "slo_missed", cs->slo_missed);
	if (ret == 0)
		ret = rte_tel_data_add_dict_int(d, "slo_met", cs->slo_met);
	if (ret == 0)
		ret = add_nested_dict(d, "latency", latency_dict(&cs->latency));
	if (ret == 0)
		ret = add_nested_dict(d, "window_latency",
			latency_dict(&cs->window_latency));
	if (ret != 0) {
		rte_tel_data_free(d);
		return NULL;
	}
	return d;
}

static int
stats_reply(const struct qosdt_stats *st, struct rte_tel_data *d)
{
	unsigned int c;
	int ret;

	ret = rte_tel_data_add_dict_u64(d, "windows", st->windows);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "uptime_ns", st->uptime_ns);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "window_ns", st->window_ns);
	for (c = 0; c < QOSDT_NB_CLASSES && ret == 0; c++)
		ret = add_nested_dict(d, qosdt_class_name(c),
			class_stats_dict(&st->cls[c]));
	return ret;
}

/*
 * The tenant a command's parameter names (its name or its index); with no
 * parameter, TENANT_ALL. Source lock held.
 */
#define TENANT_ALL UINT32_MAX
#define TENANT_NONE (UINT32_MAX - 1)

static uint32_t
tenant_param(const char *params)
{
	char *end;
	unsigned long v;
	uint32_t i;

	if (params == NULL || *params == '\0')
		return TENANT_ALL;
	for (i = 0; source.cfg != NULL && i < source.nb_tenants; i++)
		if (strcmp(params, source.cfg->tenants.t[i].name) == 0)
			return i;
	v = strtoul(params, &end, 10);
	if (*end == '\0' && v < source.nb_tenants)
		return (uint32_t)v;
	return TENANT_NONE;
}

/* The tenants one reply covers: [*first, *last). Source lock held. */
static int
tenant_range(const char *params, uint32_t *first, uint32_t *last)
{
	uint32_t t = tenant_param(params);

	if (t == TENANT_NONE)
		return -EINVAL;
	*first = t == TENANT_ALL ? 0 : t;
	*last = t == TENANT_ALL ? source.nb_tenants : t + 1;
	return 0;
}

/*
 * A reply of one tenant's figures, or of every tenant's under "tenants"
 * (copies[] holds tenants [first, last), names[] their names).
 */
static int
tenants_reply(struct rte_tel_data *d, bool all, uint32_t n,
		char (*names)[QOSDT_TENANT_NAMELEN], const void *copies,
		size_t size, int (*fill)(const void *, struct rte_tel_data *))
{
	struct rte_tel_data *tenants, *one;
	uint32_t i;
	int ret = 0;

	if (!all)
		return fill(copies, d);
	tenants = new_dict();
	for (i = 0; i < n && ret == 0 && tenants != NULL; i++) {
		one = new_dict();
		ret = one == NULL ? -ENOMEM :
			fill(RTE_PTR_ADD(copies, i * size), one);
		if (ret == 0)
			ret = add_nested_dict(tenants, names[i], one);
		else if (one != NULL)
			rte_tel_data_free(one);
	}
	if (ret != 0) {
		rte_tel_data_free(tenants);
		return ret;
	}
	return add_nested_dict(d, "tenants", tenants);
}

static int
stats_fill(const void *st, struct rte_tel_data *d)
{
	return stats_reply(st, d);
}

/* The names of tenants [first, last). Source lock held. */
static void
names_copy(char (*names)[QOSDT_TENANT_NAMELEN], uint32_t first, uint32_t last)
{
	uint32_t i;

	for (i = first; i < last; i++)
		snprintf(names[i - first], QOSDT_TENANT_NAMELEN, "%s",
			source.cfg != NULL ? source.cfg->tenants.t[i].name : "");
}

/* What a per-tenant command copies of each tenant under the source lock. */
struct tenant_reader {
	size_t size;                             /* of one copy */
	bool (*attached)(void);                  /* the source has it */
	void (*copy)(uint32_t tenant, void *out); /* source lock held */
	int (*fill)(const void *copy, struct rte_tel_data *d);
};

/*
 * A per-tenant command's reply: every tenant's copy (or the one the
 * parameter names), taken under the source lock, formatted after it.
 */
static int
tenants_cb(const struct tenant_reader *rd, const char *params,
		struct rte_tel_data *d)
{
	char (*names)[QOSDT_TENANT_NAMELEN];
	uint32_t first = 0, last = 0, i;
	bool attached, all = false;
	void *copies;
	int ret = 0;

	copies = malloc(QOSDT_MAX_TENANTS * rd->size);
	names = malloc(QOSDT_MAX_TENANTS * sizeof(*names));
	if (copies == NULL || names == NULL) {
		free(copies);
		free(names);
		return -ENOMEM;
	}
	rte_spinlock_lock(&source_lock);
	attached = rd->attached();
	if (attached) {
		ret = tenant_range(params, &first, &last);
		all = source.nb_tenants > 1 && last - first > 1;
		for (i = first; ret == 0 && i < last; i++)
			rd->copy(i, RTE_PTR_ADD(copies, (i - first) * rd->size));
		if (ret == 0)
			names_copy(names, first, last);
	}
	rte_spinlock_unlock(&source_lock);

	rte_tel_data_start_dict(d);
	if (attached && ret == 0)
		ret = tenants_reply(d, all, last - first, names, copies,
			rd->size, rd->fill);
	free(copies);
	free(names);
	return ret;
}

static bool
stats_attached(void)
{
	return source.mon != NULL;
}

static void
stats_copy(uint32_t tenant, void *out)
{
	qosdt_monitor_read(source.mon[tenant], out);
}

static int
stats_cb(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	static const struct tenant_reader rd = {
		.size = sizeof(struct qosdt_stats), .attached = stats_attached,
		.copy = stats_copy, .fill = stats_fill,
	};

	return tenants_cb(&rd, params, d);
}

static struct rte_tel_data *
class_buffers_dict(const struct qosdt_resv_class_usage *u)
{
	struct rte_tel_data *d = new_dict();
	int ret;

	if (d == NULL)
		return NULL;
	ret = rte_tel_data_add_dict_u64(d, "reserved", u->reserved);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "in_use", u->in_use);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "borrowed", u->borrowed);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "borrow_cap", u->borrow_cap);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "alloc_fail", u->alloc_fail);
	if (ret != 0) {
		rte_tel_data_free(d);
		return NULL;
	}
	return d;
}

static int
buffers_fill(const void *p, struct rte_tel_data *d)
{
	const struct qosdt_resv_usage *usage = p;
	unsigned int c;
	int ret;

	ret = rte_tel_data_add_dict_u64(d, "shared_size", usage->shared_size);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "shared_in_use",
			usage->shared_in_use);
	for (c = 0; c < QOSDT_NB_CLASSES && ret == 0; c++)
		ret = add_nested_dict(d, qosdt_class_name(c),
			class_buffers_dict(&usage->cls[c]));
	return ret;
}

static bool
buffers_attached(void)
{
	return source.resv != NULL;
}

static void
buffers_copy(uint32_t tenant, void *out)
{
	qosdt_resv_usage(source.resv[tenant], out);
}

static int
buffers_cb(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	static const struct tenant_reader rd = {
		.size = sizeof(struct qosdt_resv_usage),
		.attached = buffers_attached, .copy = buffers_copy,
		.fill = buffers_fill,
	};

	return tenants_cb(&rd, params, d);
}

static struct rte_tel_data *
slo_dict(const struct qosdt_slo *slo)
{
	struct rte_tel_data *d = new_dict();
	int ret;

	if (d == NULL)
		return NULL;
	ret = rte_tel_data_add_dict_u64(d, "max_latency_ns", slo->max_latency_ns);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "min_bandwidth_bps",
			slo->min_bandwidth_bps);
	if (ret == 0 && slo->has_max_loss)
		ret = rte_tel_data_add_dict_u64(d, "max_loss_ppm",
			slo->max_loss_ppm);
	if (ret != 0) {
		rte_tel_data_free(d);
		return NULL;
	}
	return d;
}

static struct rte_tel_data *
class_config_dict(const struct qosdt_class_config *cc)
{
	struct rte_tel_data *d = new_dict();
	int ret;

	if (d == NULL)
		return NULL;
	ret = rte_tel_data_add_dict_u64(d, "weight", cc->weight);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "buffer_share_ppm",
			cc->buffer_share_ppm);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "queue_share_ppm",
			cc->queue_share_ppm);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "rate_guarantee_bps",
			cc->rate_guarantee_bps);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "rate_cap_bps",
			cc->rate_cap_bps);
	if (ret == 0)
		ret = add_nested_dict(d, "slo", slo_dict(&cc->slo));
	if (ret != 0) {
		rte_tel_data_free(d);
		return NULL;
	}
	return d;
}

/* What /qosdt/config reports, copied out under the lock. */
struct config_summary {
	unsigned int mode;
	uint64_t channel_rate_bps;
	uint32_t window_ms;
	struct qosdt_class_config classes[QOSDT_NB_CLASSES];
};

static int
config_cb(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct config_summary cs;
	unsigned int c;
	bool attached;
	int ret;

	rte_spinlock_lock(&source_lock);
	attached = source.cfg != NULL;
	if (attached) {
		cs.mode = source.cfg->mode;
		cs.channel_rate_bps = source.cfg->channel_rate_bps;
		cs.window_ms = source.cfg->window_ms;
		memcpy(cs.classes, source.cfg->classes, sizeof(cs.classes));
	}
	rte_spinlock_unlock(&source_lock);

	rte_tel_data_start_dict(d);
	if (!attached)
		return 0;
	ret = rte_tel_data_add_dict_string(d, "mode", qosdt_mode_name(cs.mode));
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "channel_rate_bps",
			cs.channel_rate_bps);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "window_ms", cs.window_ms);
	for (c = 0; c < QOSDT_NB_CLASSES && ret == 0; c++)
		ret = add_nested_dict(d, qosdt_class_name(c),
			class_config_dict(&cs.classes[c]));
	return ret;
}

#define ADAPTIVE_FIELD(f) { #f, offsetof(struct qosdt_adaptive_counters, f) }
static const struct u64_field adaptive_counter_fields[] = {
	ADAPTIVE_FIELD(windows),
	ADAPTIVE_FIELD(controls),
	ADAPTIVE_FIELD(changes),
	ADAPTIVE_FIELD(raises),
	ADAPTIVE_FIELD(donations),
	ADAPTIVE_FIELD(decays),
	ADAPTIVE_FIELD(at_bound),
	ADAPTIVE_FIELD(backoffs),
	ADAPTIVE_FIELD(refused),
	ADAPTIVE_FIELD(unrecorded),
	ADAPTIVE_FIELD(unexplained),
	ADAPTIVE_FIELD(trades),
	ADAPTIVE_FIELD(trades_refused),
	ADAPTIVE_FIELD(undone),
};

/* Weights per class, the strict classes' caps, the AQM targets. */
static struct rte_tel_data *
adaptive_setting_dict(const uint8_t *weight, const uint64_t *cap,
		const uint64_t *target)
{
	struct rte_tel_data *d = new_dict();
	char key[40];
	unsigned int c;
	int ret = d == NULL ? -ENOMEM : 0;

	for (c = 0; c < QOSDT_NB_CLASSES && ret == 0; c++) {
		snprintf(key, sizeof(key), "%s_weight", qosdt_class_name(c));
		ret = rte_tel_data_add_dict_u64(d, key, weight[c]);
		if (ret == 0 && cap[c] != 0) {
			snprintf(key, sizeof(key), "%s_rate_cap_bps",
				qosdt_class_name(c));
			ret = rte_tel_data_add_dict_u64(d, key, cap[c]);
		}
		if (ret == 0 && target[c] != 0) {
			snprintf(key, sizeof(key), "%s_aqm_target_ns",
				qosdt_class_name(c));
			ret = rte_tel_data_add_dict_u64(d, key, target[c]);
		}
	}
	if (ret != 0) {
		rte_tel_data_free(d);
		return NULL;
	}
	return d;
}

static struct rte_tel_data *
adaptive_change_dict(const struct qosdt_adaptive_change *ch)
{
	struct rte_tel_data *d = new_dict();
	char buf[48];
	int ret = d == NULL ? -ENOMEM : 0;

	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "time_ns", ch->time_ns);
	if (ret == 0)
		ret = rte_tel_data_add_dict_string(d, "class",
			qosdt_class_name(ch->cls));
	if (ret == 0)
		ret = rte_tel_data_add_dict_string(d, "knob",
			qosdt_adaptive_knob_name(ch->knob));
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "from", ch->from);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "to", ch->to);
	if (ret == 0)
		ret = rte_tel_data_add_dict_string(d, "reason",
			qosdt_adaptive_reason_name(ch->reason));
	if (ret == 0)
		ret = rte_tel_data_add_dict_string(d, "for_class",
			qosdt_class_name(ch->for_cls));
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "measured", ch->measured);
	if (ret == 0)
		ret = rte_tel_data_add_dict_u64(d, "objective", ch->objective);
	if (ret == 0)
		ret = rte_tel_data_add_dict_string(d, "outcome",
			qosdt_adaptive_outcome_name(ch->outcome));
	if (ret == 0 && ch->outcome != QOSDT_ADAPTIVE_REFUSED) {
		/* Windows each class missed in, per class in class order. */
		snprintf(buf, sizeof(buf), "%u,%u,%u,%u in %u",
			ch->missed_before[0], ch->missed_before[1],
			ch->missed_before[2], ch->missed_before[3],
			ch->windows_before);
		ret = rte_tel_data_add_dict_string(d, "missed_before", buf);
		snprintf(buf, sizeof(buf), "%u,%u,%u,%u in %u",
			ch->missed_after[0], ch->missed_after[1],
			ch->missed_after[2], ch->missed_after[3],
			ch->windows_after);
		if (ret == 0)
			ret = rte_tel_data_add_dict_string(d, "missed_after", buf);
	}
	if (ret == 0 && ch->hurt_cls < QOSDT_NB_CLASSES) {
		ret = rte_tel_data_add_dict_string(d, "trade_class",
			qosdt_class_name(ch->hurt_cls));
		if (ret == 0)
			ret = rte_tel_data_add_dict_u64(d, "trade_get_bps",
				ch->hurt_get_bps);
		if (ret == 0)
			ret = rte_tel_data_add_dict_u64(d, "trade_ask_bps",
				ch->hurt_demand_bps);
		if (ret == 0)
			ret = rte_tel_data_add_dict_u64(d, "trade_p99_ns",
				ch->hurt_p99_ns);
		if (ret == 0)
			ret = rte_tel_data_add_dict_u64(d, "trade_objective_ns",
				ch->hurt_objective_ns);
		if (ret == 0 && ch->outcome == QOSDT_ADAPTIVE_REFUSED)
			ret = rte_tel_data_add_dict_string(d, "refused_by",
				ch->hurt_rule == QOSDT_ADAPTIVE_RULE_PRIORITY ?
				"priority" : "slo");
	}
	if (ret != 0) {
		rte_tel_data_free(d);
		return NULL;
	}
	return d;
}

/* The recent changes, keyed by their index among all changes. */
static struct rte_tel_data *
adaptive_recent_dict(const struct qosdt_adaptive_status *st)
{
	uint64_t first = st->counters.changes - st->nb_recent;
	struct rte_tel_data *d = new_dict();
	int ret = d == NULL ? -ENOMEM : 0;
	char key[24];
	unsigned int i;

	for (i = 0; i < st->nb_recent && ret == 0; i++) {
		snprintf(key, sizeof(key), "%" PRIu64, first + i);
		ret = add_nested_dict(d, key,
			adaptive_change_dict(&st->recent[i]));
	}
	if (ret != 0) {
		rte_tel_data_free(d);
		return NULL;
	}
	return d;
}

static int
adaptive_reply(const struct qosdt_adaptive_status *st, struct rte_tel_data *d)
{
	struct rte_tel_data *counters = new_dict();
	int ret;

	ret = rte_tel_data_add_dict_u64(d, "period_ms", st->period_ms);
	if (ret == 0 && counters != NULL)
		ret = add_u64_fields(counters, &st->counters,
			adaptive_counter_fields, RTE_DIM(adaptive_counter_fields));
	if (ret == 0)
		ret = add_nested_dict(d, "counters", counters);
	else
		rte_tel_data_free(counters);
	if (ret == 0)
		ret = add_nested_dict(d, "running",
			adaptive_setting_dict(st->weight, st->cap_bps,
				st->aqm_target_ns));
	if (ret == 0)
		ret = add_nested_dict(d, "baseline",
			adaptive_setting_dict(st->base_weight, st->base_cap_bps,
				st->base_aqm_target_ns));
	if (ret == 0)
		ret = add_nested_dict(d, "recent", adaptive_recent_dict(st));
	/* The last trade not made, and which class it would have hurt. */
	if (ret == 0 && st->counters.trades_refused > 0)
		ret = add_nested_dict(d, "last_refused_trade",
			adaptive_change_dict(&st->last_refused));
	return ret;
}

static int
adaptive_cb(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct qosdt_adaptive_status st;
	bool attached, enabled;

	rte_spinlock_lock(&source_lock);
	attached = source.cfg != NULL;
	enabled = source.adaptive != NULL;
	if (enabled)
		qosdt_adaptive_status_read(source.adaptive, &st);
	rte_spinlock_unlock(&source_lock);

	rte_tel_data_start_dict(d);
	if (!attached)
		return 0;
	if (rte_tel_data_add_dict_int(d, "enabled", enabled) != 0)
		return -ENOMEM;
	return enabled ? adaptive_reply(&st, d) : 0;
}

struct command {
	const char *name;
	telemetry_cb fn;
	const char *help;
};

static const struct command commands[] = {
	{ "/qosdt/stats", stats_cb,
		"Per class: counters, rates, latency, SLO of the last window. Optional parameter: a tenant (name or index)." },
	{ "/qosdt/buffers", buffers_cb,
		"Per class: buffers reserved, in use, borrowed, borrow cap. Optional parameter: a tenant (name or index)." },
	{ "/qosdt/config", config_cb,
		"Mode, channel rate, per-class weight, shares and SLO. No parameters." },
	{ "/qosdt/adaptive", adaptive_cb,
		"Adaptive controller: settings, counters, recent changes with their trades and effects, last refused trade. No parameters." },
};

/* Which commands are registered (guarded by source_lock). */
static bool registered[RTE_DIM(commands)];

static int
register_commands(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(commands); i++) {
		if (registered[i])
			continue;
		ret = rte_telemetry_register_cmd(commands[i].name,
			commands[i].fn, commands[i].help);
		if (ret != 0) {
			QOSDT_LOG(ERR, "telemetry: cannot register %s: %s",
				commands[i].name, strerror(-ret));
			return ret;
		}
		registered[i] = true;
	}
	return 0;
}

int
qosdt_telemetry_attach(const struct qosdt_telemetry_source *src)
{
	int ret;

	if (src == NULL) {
		QOSDT_LOG(ERR, "telemetry: attach without a source");
		return -EINVAL;
	}
	rte_spinlock_lock(&source_lock);
	if (source.cfg != NULL || source.mon != NULL || source.resv != NULL) {
		rte_spinlock_unlock(&source_lock);
		QOSDT_LOG(ERR, "telemetry: another instance is exported");
		return -EBUSY;
	}
	ret = register_commands();
	if (ret == 0)
		source = *src;
	rte_spinlock_unlock(&source_lock);
	return ret;
}

void
qosdt_telemetry_detach(void)
{
	rte_spinlock_lock(&source_lock);
	memset(&source, 0, sizeof(source));
	rte_spinlock_unlock(&source_lock);
}
