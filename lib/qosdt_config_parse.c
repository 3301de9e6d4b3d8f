/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The JSON side of the configuration: the unit parsers, the schema as
 * tables of fields, and their reading: a jansson document applied over a
 * configuration (the defaults, qosdt_config_load.c) by the walk of
 * qosdt_json_walk.h, which carries the JSON path for error messages. It
 * only refuses what cannot be stored: unknown keys, wrong JSON types,
 * malformed units and values outside a field's range; every rule is
 * qosdt_config_validate.c's.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_red.h>

#include "qosdt_config.h"
#include "qosdt_config_priv.h"
#include "qosdt_msg.h"

/** Fastest channel accepted: 400 Gbit/s. */
#define RATE_MAX (UINT64_C(400) * 1000 * 1000 * 1000)
/** Most buffers a config may ask for. */
#define BUFFERS_MAX (1u << 20)
/** Service-level latency bounds: 1 us .. 10 s. */
#define LATENCY_MIN UINT64_C(1000)
#define LATENCY_MAX (UINT64_C(4) * 1000 * 1000 * 1000)
/** ppm in one percent. */
#define PPM_PER_PERCENT 10000u

/** A value given as an absolute number, not as a percentage. */
#define PCT_ABSOLUTE QOSDT_CFG_PCT_ABSOLUTE

/** What the walk carries (its ctx) while a file is read. */
struct load_state {
	struct qosdt_cfg_percents *pct; /**< Percentages read so far. */
	unsigned int cls;               /**< The class at hand. */
	unsigned int tenant;            /**< The tenant at hand. */
};

/** Width and offset of a member, for the tables. */
#define MEMBER(type, m) .width = RTE_SIZEOF_FIELD(type, m), .off = offsetof(type, m)

/* ------------------------------------------------------------------ */
/* Field values.                                                       */

int
qosdt_cfg_fail_range(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f)
{
	return qosdt_json_fail_range(w, f->rule, f->min, f->max);
}

uint64_t
qosdt_cfg_load(const void *p, unsigned int width)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (width) {
	case 1:
		memcpy(&u8, p, 1);
		return u8;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	case 4:
		memcpy(&u32, p, 4);
		return u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

void
qosdt_cfg_store(void *p, unsigned int width, uint64_t v)
{
	uint8_t u8 = v;
	uint16_t u16 = v;
	uint32_t u32 = v;

	switch (width) {
	case 1:
		memcpy(p, &u8, 1);
		break;
	case 2:
		memcpy(p, &u16, 2);
		break;
	case 4:
		memcpy(p, &u32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Units.                                                              */

/*
 * A decimal number, "12" or "1.25", at the start of @p s: its digits as an
 * integer and how many of them follow the point. Returns where it ends, or
 * NULL if @p s does not start with one.
 */
static const char *
decimal_parse(const char *s, uint64_t *mant, unsigned int *frac)
{
	unsigned int digits = 0, f = 0;
	bool point = false;
	uint64_t m = 0;

	for (;; s++) {
		if (*s == '.' && !point && digits > 0) {
			point = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			break;
		if (m > (UINT64_MAX - 9) / 10)
			return NULL;
		m = m * 10 + (uint64_t)(*s - '0');
		digits++;
		f += point;
	}
	if (digits == 0 || (point && f == 0))
		return NULL;
	*mant = m;
	*frac = f;
	return s;
}

/* mant / 10^frac * mult, if that is a whole number that fits in 64 bits. */
static int
decimal_scale(uint64_t mant, unsigned int frac, uint64_t mult, uint64_t *out)
{
	while (frac > 0 && mant % 10 == 0) {
		mant /= 10;
		frac--;
	}
	while (frac > 0 && mult % 10 == 0) {
		mult /= 10;
		frac--;
	}
	if (frac > 0 || (mult != 0 && mant > UINT64_MAX / mult))
		return -1;
	*out = mant * mult;
	return 0;
}

/* A percentage "12.5%", in ppm. */
static int
percent_parse(const char *s, uint64_t *ppm)
{
	unsigned int frac;
	const char *end;
	uint64_t mant;

	end = decimal_parse(s, &mant, &frac);
	if (end == NULL || strcmp(end, "%") != 0)
		return -1;
	return decimal_scale(mant, frac, PPM_PER_PERCENT, ppm);
}

/* The multiplier of a rate's unit: [k|K|M|G|T] then optionally bps or bit. */
static int
rate_unit(const char *unit, uint64_t *mult)
{
	static const char prefixes[] = "kKMGT";
	static const uint64_t values[] = {
		UINT64_C(1000), UINT64_C(1000), UINT64_C(1000000),
		UINT64_C(1000000000), UINT64_C(1000000000000),
	};
	const char *p = *unit != '\0' ? strchr(prefixes, *unit) : NULL;

	*mult = 1;
	if (p != NULL) {
		*mult = values[p - prefixes];
		unit++;
	}
	if (*unit == '\0' || strcmp(unit, "bps") == 0 || strcmp(unit, "bit") == 0)
		return 0;
	return -1;
}

int
qosdt_rate_parse(const char *s, uint64_t reference_bps, uint64_t *bps)
{
	uint64_t mant, mult, ppm;
	unsigned int frac;
	const char *unit;

	if (s == NULL || (unit = decimal_parse(s, &mant, &frac)) == NULL)
		return -1;
	if (strcmp(unit, "%") == 0) {
		if (reference_bps == 0 || percent_parse(s, &ppm) < 0 ||
				ppm > UINT64_MAX / reference_bps)
			return -1;
		*bps = ppm * reference_bps / QOSDT_PPM;
		return 0;
	}
	if (rate_unit(unit, &mult) < 0)
		return -1;
	return decimal_scale(mant, frac, mult, bps);
}

int
qosdt_duration_parse(const char *s, uint64_t *ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", UINT64_C(1000) },
		{ "ms", UINT64_C(1000000) },
		{ "s", UINT64_C(1000000000) },
	};
	unsigned int frac, i;
	const char *unit;
	uint64_t mant;

	if (s == NULL || (unit = decimal_parse(s, &mant, &frac)) == NULL)
		return -1;
	for (i = 0; i < RTE_DIM(units); i++)
		if (strcmp(unit, units[i].name) == 0)
			return decimal_scale(mant, frac, units[i].ns, ns);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Names.                                                              */

const char * const qosdt_cfg_mode_names[] = {
	[QOSDT_MODE_PRIORITY] = "priority",
	[QOSDT_MODE_WRR] = "wrr",
	[QOSDT_MODE_FIFO] = "fifo",
	NULL,
};

const char * const qosdt_cfg_drop_names[] = {
	[QOSDT_DROP_NONE] = "none",
	[QOSDT_DROP_TAIL] = "tail",
	[QOSDT_DROP_RED] = "red",
	[QOSDT_DROP_SOJOURN] = "sojourn",
	NULL,
};

/* Index of @p name in a NULL-terminated list, or -1. */
static int
name_index(const char * const *names, const char *name)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *
qosdt_mode_name(unsigned int mode)
{
	return mode < RTE_DIM(qosdt_cfg_mode_names) - 1 ?
		qosdt_cfg_mode_names[mode] : "unknown";
}

int
qosdt_mode_from_name(const char *name)
{
	return name != NULL ? name_index(qosdt_cfg_mode_names, name) : -1;
}

/* ------------------------------------------------------------------ */
/* Reading one value.                                                  */

static int walk_object(struct qosdt_json_walk *w, json_t *obj,
		const struct qosdt_cfg_field *table, void *base);

static void *
field_ptr(void *base, size_t off)
{
	return (char *)base + off;
}

/* What a percentage is of. */
static const char *
pct_of(uint8_t pct)
{
	switch (pct) {
	case QOSDT_CFG_PCT_SHARED:
		return "buffers.count";
	case QOSDT_CFG_PCT_BORROW:
		return "the shared pool";
	case QOSDT_CFG_PCT_CAPACITY:
		return "tenants.count x channel.rate";
	case QOSDT_CFG_PCT_TENANT_RATE:
		return "tenants.capacity";
	default:
		return "channel.rate";
	}
}

/* Where the loader keeps the percentage a field was given as. */
static uint32_t *
pct_slot(struct qosdt_json_walk *w, uint8_t pct)
{
	struct load_state *state = w->ctx;
	struct qosdt_cfg_percents *p = state->pct;

	switch (pct) {
	case QOSDT_CFG_PCT_SHARED:
		return &p->shared;
	case QOSDT_CFG_PCT_GUARANTEE:
		return &p->guarantee[state->cls];
	case QOSDT_CFG_PCT_CAP:
		return &p->cap[state->cls];
	case QOSDT_CFG_PCT_BORROW:
		return &p->borrow[state->cls];
	case QOSDT_CFG_PCT_MIN_BANDWIDTH:
		return &p->min_bandwidth[state->cls];
	case QOSDT_CFG_PCT_CAP_MIN:
		return &p->cap_min[state->cls];
	case QOSDT_CFG_PCT_CAPACITY:
		return &p->capacity;
	case QOSDT_CFG_PCT_TENANT_RATE:
		return &p->tenant_rate[state->tenant];
	default:
		return &p->cap_max[state->cls];
	}
}

/* Store an absolute value in a field (it is no longer a percentage). */
static void
store_value(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		void *base, uint64_t v)
{
	qosdt_cfg_store(field_ptr(base, f->off), f->width, v);
	if (f->pct != QOSDT_CFG_PCT_NONE)
		*pct_slot(w, f->pct) = PCT_ABSOLUTE;
}

/* Keep a percentage, resolved once the whole file is read. */
static int
store_percent(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		const char *s)
{
	uint64_t ppm;

	if (f->pct == QOSDT_CFG_PCT_NONE)
		return qosdt_json_fail(w, "a percentage is not allowed here");
	if (percent_parse(s, &ppm) < 0)
		return qosdt_json_fail(w, "is not a percentage (e.g. \"25%%\")");
	if (ppm > QOSDT_PPM)
		return qosdt_json_fail(w, "must be at most 100%% of %s",
			pct_of(f->pct));
	if (ppm == 0 && f->min > 0)
		return qosdt_cfg_fail_range(w, f);
	*pct_slot(w, f->pct) = ppm;
	return 0;
}

/* Check @p v against the field's range and store it. */
static int
store_checked(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		void *base, uint64_t v)
{
	if (v < f->min || v > f->max)
		return qosdt_cfg_fail_range(w, f);
	store_value(w, f, base, v);
	return 0;
}

/* A JSON integer in the field's range, stored. */
static int
parse_uint(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		json_t *v, void *base)
{
	uint64_t x;

	if (qosdt_json_uint(w, v, f->min, f->max, f->rule, &x) < 0)
		return -1;
	store_value(w, f, base, x);
	return 0;
}

static int
parse_rate(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		json_t *v, void *base)
{
	const char *s = json_string_value(v);
	uint64_t x;

	if (json_is_integer(v))
		return parse_uint(w, f, v, base);
	if (s == NULL)
		return qosdt_json_fail(w, "must be a rate: a string such as \"10G\" or an integer in bit/s");
	if (strchr(s, '%') != NULL)
		return store_percent(w, f, s);
	if (qosdt_rate_parse(s, 0, &x) < 0)
		return qosdt_json_fail(w, "is not a rate (e.g. \"10G\", \"500M\", \"64k\", \"1200bps\")");
	return store_checked(w, f, base, x);
}

static int
parse_count(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		json_t *v, void *base)
{
	const char *s = json_string_value(v);

	if (s != NULL && strchr(s, '%') != NULL)
		return store_percent(w, f, s);
	if (s != NULL)
		return qosdt_json_fail(w, "must be a count or a percentage such as \"25%%\"");
	return parse_uint(w, f, v, base);
}

static int
parse_percent(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		json_t *v, void *base)
{
	uint64_t ppm;

	if (!json_is_string(v) || percent_parse(json_string_value(v), &ppm) < 0)
		return qosdt_json_fail(w, "must be a percentage such as \"25%%\"");
	if (store_checked(w, f, base, ppm) < 0)
		return -1;
	if (f->flags & QOSDT_CFG_F_GIVEN)
		*(bool *)field_ptr(base, f->aux_off) = true;
	return 0;
}

static int
parse_duration(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		json_t *v, void *base)
{
	uint64_t ns;

	if (!json_is_string(v) ||
			qosdt_duration_parse(json_string_value(v), &ns) < 0)
		return qosdt_json_fail(w, "must be a duration such as \"500ns\", \"100us\", \"1.5ms\" or \"2s\"");
	return store_checked(w, f, base, ns);
}

static int
parse_name(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		json_t *v, void *base)
{
	const char *s = json_string_value(v);
	int i = -1;

	if (s != NULL)
		i = f->kind == QOSDT_CFG_CLASS ? qosdt_class_from_name(s) :
			name_index(f->names, s);
	if (i < 0)
		return qosdt_cfg_fail_range(w, f);
	store_value(w, f, base, (uint64_t)i);
	return 0;
}

/* A null clears a nullable field: 0 means "none". */
static void
clear_fields(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		void *base);

static void
clear_field(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		void *base)
{
	if (f->kind == QOSDT_CFG_OBJECT) {
		clear_fields(w, f->sub, field_ptr(base, f->off));
		return;
	}
	store_value(w, f, base, 0);
	if (f->flags & QOSDT_CFG_F_GIVEN)
		*(bool *)field_ptr(base, f->aux_off) = false;
}

static void
clear_fields(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		void *base)
{
	for (; f->key != NULL; f++)
		clear_field(w, f, base);
}

static int
parse_field(struct qosdt_json_walk *w, const struct qosdt_cfg_field *f,
		json_t *v, void *base)
{
	if (json_is_null(v) && (f->flags & QOSDT_CFG_F_NULLABLE) &&
			f->kind != QOSDT_CFG_CUSTOM) {
		clear_field(w, f, base);
		return 0;
	}
	switch (f->kind) {
	case QOSDT_CFG_UINT:
		return parse_uint(w, f, v, base);
	case QOSDT_CFG_BOOL:
		if (!json_is_boolean(v))
			return qosdt_json_fail(w, "must be true or false");
		*(bool *)field_ptr(base, f->off) = json_is_true(v);
		return 0;
	case QOSDT_CFG_RATE:
		return parse_rate(w, f, v, base);
	case QOSDT_CFG_DURATION:
		return parse_duration(w, f, v, base);
	case QOSDT_CFG_PERCENT:
		return parse_percent(w, f, v, base);
	case QOSDT_CFG_COUNT:
		return parse_count(w, f, v, base);
	case QOSDT_CFG_ENUM:
	case QOSDT_CFG_CLASS:
		return parse_name(w, f, v, base);
	case QOSDT_CFG_OBJECT:
		return walk_object(w, v, f->sub, field_ptr(base, f->off));
	case QOSDT_CFG_CUSTOM:
		return f->parse(w, v, field_ptr(base, f->off));
	}
	return qosdt_json_fail(w, "unhandled field kind %d", f->kind);
}

/* ------------------------------------------------------------------ */
/* Objects.                                                            */

static int
table_parse(struct qosdt_json_walk *w, const void *field, json_t *v,
		void *base)
{
	return parse_field(w, field, v, base);
}

static bool
table_required(const void *field)
{
	const struct qosdt_cfg_field *f = field;

	return f->flags & QOSDT_CFG_F_REQUIRED;
}

static const struct qosdt_json_table_ops table_ops = {
	.entry_size = sizeof(struct qosdt_cfg_field),
	.parse = table_parse,
	.required = table_required,
};

/* Apply a JSON object over @p base, field by field from @p table. */
static int
walk_object(struct qosdt_json_walk *w, json_t *obj,
		const struct qosdt_cfg_field *table, void *base)
{
	return qosdt_json_walk_table(w, obj, table, &table_ops, base);
}

/* An object keyed by class name, each value read by @p parse. */
static int
walk_per_class(struct qosdt_json_walk *w, json_t *obj,
		int (*parse)(struct qosdt_json_walk *w, json_t *v, int cls,
			void *base), void *base)
{
	const char *key;
	size_t mark;
	json_t *v;
	int cls;

	if (!json_is_object(obj))
		return qosdt_json_fail(w, "must be an object");
	json_object_foreach(obj, key, v) {
		mark = qosdt_json_walk_push(w, key);
		cls = qosdt_class_from_name(key);
		if (cls < 0)
			return qosdt_json_fail(w, "unknown class (expected: realtime, throughput, reliable, best_effort)");
		((struct load_state *)w->ctx)->cls = cls;
		if (parse(w, v, cls, base) < 0)
			return -1;
		qosdt_json_walk_pop(w, mark);
	}
	return 0;
}

/* A [min, max] array, each element read by its own field. */
static int
parse_pair(struct qosdt_json_walk *w, json_t *v, void *base,
		const struct qosdt_cfg_field pair[2])
{
	unsigned int i;
	size_t mark;

	if (!json_is_array(v) || json_array_size(v) != 2)
		return qosdt_json_fail(w, "must be [min, max]");
	for (i = 0; i < 2; i++) {
		mark = qosdt_json_walk_push_index(w, i);
		if (parse_field(w, &pair[i], json_array_get(v, i), base) < 0)
			return -1;
		qosdt_json_walk_pop(w, mark);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sections that need more than a table.                               */

static int
parse_class(struct qosdt_json_walk *w, json_t *v, int cls, void *base)
{
	struct qosdt_class_config *c = &((struct qosdt_config *)base)->classes[cls];

	if (walk_object(w, v, qosdt_cfg_class_fields, c) < 0)
		return -1;
	/* Turning RED off without a word on "red" drops the old parameters. */
	if (json_object_get(v, "drop") != NULL && c->drop != QOSDT_DROP_RED &&
			json_object_get(v, "red") == NULL)
		memset(&c->red, 0, sizeof(c->red));
	return 0;
}

static int
parse_classes(struct qosdt_json_walk *w, json_t *v, void *base)
{
	return walk_per_class(w, v, parse_class, base);
}

/* "7" or "3-8": whole numbers only. */
static int
ids_parse(const char *s, uint64_t *first, uint64_t *last)
{
	unsigned int frac;

	s = decimal_parse(s, first, &frac);
	if (s == NULL || frac != 0)
		return -1;
	*last = *first;
	if (*s == '-') {
		s = decimal_parse(s + 1, last, &frac);
		if (s == NULL || frac != 0)
			return -1;
	}
	return *s == '\0' ? 0 : -1;
}

/* "ids": 7, "7" or "3-8". */
static int
parse_ids(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct qosdt_service_rule *rule = base;
	const char *s = json_string_value(v);
	uint64_t first, last;

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		first = last = (uint64_t)json_integer_value(v);
	else if (s == NULL || ids_parse(s, &first, &last) < 0)
		return qosdt_json_fail(w, "must be an id 0..%u or a range \"a-b\"",
			QOSDT_MAX_SERVICE_ID);
	if (first > QOSDT_MAX_SERVICE_ID || last > QOSDT_MAX_SERVICE_ID)
		return qosdt_json_fail(w, "must be 0..%u", QOSDT_MAX_SERVICE_ID);
	if (first > last)
		return qosdt_json_fail(w, "%" PRIu64 "-%" PRIu64 ": the first id must not be above the last",
			first, last);
	rule->first = first;
	rule->last = last;
	return 0;
}

/* "map" replaces the whole default map. */
static int
parse_service_map(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct qosdt_config *cfg = base;
	struct qosdt_service_rule *rule;
	size_t i, n, mark;

	if (!json_is_array(v))
		return qosdt_json_fail(w, "must be an array");
	n = json_array_size(v);
	if (n > QOSDT_MAX_RULES - 1)
		return qosdt_json_fail(w, "at most %u entries", QOSDT_MAX_RULES - 1);
	for (i = 0; i < n; i++) {
		rule = &cfg->rules[i + 1];
		memset(rule, 0, sizeof(*rule));
		mark = qosdt_json_walk_push_index(w, i);
		if (walk_object(w, json_array_get(v, i), qosdt_cfg_rule_fields,
				rule) < 0)
			return -1;
		qosdt_json_walk_pop(w, mark);
	}
	cfg->nb_rules = n + 1;
	return 0;
}

static const struct qosdt_cfg_field weight_bounds[2] = {
	{ .key = "weight", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_adaptive_bounds, weight_min), .min = 1, .max = UINT8_MAX },
	{ .key = "weight", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_adaptive_bounds, weight_max), .min = 1, .max = UINT8_MAX },
};

static const struct qosdt_cfg_field rate_cap_bounds[2] = {
	{ .key = "rate_cap", .kind = QOSDT_CFG_RATE,
	  MEMBER(struct qosdt_adaptive_bounds, rate_cap_min_bps),
	  .pct = QOSDT_CFG_PCT_CAP_MIN,
	  .min = 1, .max = RATE_MAX, .rule = "must be > 0 and <= 400G" },
	{ .key = "rate_cap", .kind = QOSDT_CFG_RATE,
	  MEMBER(struct qosdt_adaptive_bounds, rate_cap_max_bps),
	  .pct = QOSDT_CFG_PCT_CAP_MAX,
	  .min = 1, .max = RATE_MAX, .rule = "must be > 0 and <= 400G" },
};

static int
parse_weight_bounds(struct qosdt_json_walk *w, json_t *v, void *base)
{
	return parse_pair(w, v, base, weight_bounds);
}

static int
parse_rate_cap_bounds(struct qosdt_json_walk *w, json_t *v, void *base)
{
	if (json_is_null(v)) {
		clear_field(w, &rate_cap_bounds[0], base);
		clear_field(w, &rate_cap_bounds[1], base);
		return 0;
	}
	return parse_pair(w, v, base, rate_cap_bounds);
}

static const struct qosdt_cfg_field bounds_fields[] = {
	{ .key = "weight", .kind = QOSDT_CFG_CUSTOM, .parse = parse_weight_bounds },
	{ .key = "rate_cap", .kind = QOSDT_CFG_CUSTOM, .parse = parse_rate_cap_bounds },
	{ .key = NULL },
};

static int
parse_class_bounds(struct qosdt_json_walk *w, json_t *v, int cls, void *base)
{
	struct qosdt_adaptive_config *a = base;

	return walk_object(w, v, bounds_fields, &a->bounds[cls]);
}

static int
parse_bounds(struct qosdt_json_walk *w, json_t *v, void *base)
{
	return walk_per_class(w, v, parse_class_bounds, base);
}

/* A tenant's name: a string that fits; its characters are validated. */
static int
parse_tenant_name(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct qosdt_tenant_config *tenant = base;
	size_t len = json_string_length(v);

	if (!json_is_string(v) || len == 0 || len >= sizeof(tenant->name))
		return qosdt_json_fail(w, "must be a name of 1..%zu characters",
			sizeof(tenant->name) - 1);
	memcpy(tenant->name, json_string_value(v), len + 1);
	return 0;
}

/* "list": the tenants in order, each over its defaults. */
static int
parse_tenant_list(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct qosdt_tenants_config *t = base;
	struct load_state *state = w->ctx;
	size_t i, n, mark;

	if (!json_is_array(v) || json_array_size(v) == 0 ||
			json_array_size(v) > QOSDT_MAX_TENANTS)
		return qosdt_json_fail(w, "must be an array of 1..%u tenants",
			QOSDT_MAX_TENANTS);
	n = json_array_size(v);
	for (i = 0; i < n; i++) {
		mark = qosdt_json_walk_push_index(w, i);
		state->tenant = i;
		if (walk_object(w, json_array_get(v, i), qosdt_cfg_tenant_fields,
				&t->t[i]) < 0)
			return -1;
		qosdt_json_walk_pop(w, mark);
	}
	return 0;
}

/*
 * "tenants": count and list say how many; when both are given they must
 * agree.
 */
static int
parse_tenants(struct qosdt_json_walk *w, json_t *v, void *base)
{
	struct qosdt_tenants_config *t = base;
	json_t *list;
	size_t n;

	if (walk_object(w, v, qosdt_cfg_tenants_fields, t) < 0)
		return -1;
	list = json_object_get(v, "list");
	if (list == NULL)
		return 0;
	n = json_array_size(list);
	if (json_object_get(v, "count") == NULL) {
		t->nb = n;
		return 0;
	}
	if (t->nb == n)
		return 0;
	qosdt_json_walk_push(w, "count");
	return qosdt_json_fail(w, "%u but tenants.list has %zu entries", t->nb, n);
}

/* ------------------------------------------------------------------ */
/* The schema.                                                         */

const struct qosdt_cfg_field qosdt_cfg_channel_fields[] = {
	{ .key = "rate", .kind = QOSDT_CFG_RATE,
	  MEMBER(struct qosdt_config, channel_rate_bps),
	  .min = 1, .max = RATE_MAX, .rule = "must be > 0 and <= 400G" },
	{ .key = "max_frame", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_config, max_frame_len),
	  .min = QOSDT_FRAME_HDR_LEN, .max = UINT16_MAX },
	{ .key = "overhead", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_config, frame_overhead), .min = 0, .max = 64 },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_scheduler_fields[] = {
	{ .key = "mode", .kind = QOSDT_CFG_ENUM, MEMBER(struct qosdt_config, mode),
	  .names = qosdt_cfg_mode_names,
	  .rule = "must be \"priority\", \"wrr\" or \"fifo\"" },
	{ .key = "queue_slots", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_config, queue_slots), .min = 16, .max = 32768 },
	{ .key = "tc_period_ms", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_config, tc_period_ms), .min = 1, .max = 1000 },
	{ .key = "bucket", .kind = QOSDT_CFG_DURATION,
	  MEMBER(struct qosdt_config, bucket_ns),
	  .min = 10000, .max = 1000000000, .rule = "must be 10us..1s" },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_buffers_fields[] = {
	{ .key = "count", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_config, nb_buffers), .min = 64, .max = BUFFERS_MAX },
	{ .key = "shared", .kind = QOSDT_CFG_COUNT,
	  MEMBER(struct qosdt_config, shared_buffers),
	  .pct = QOSDT_CFG_PCT_SHARED,
	  .min = 0, .max = BUFFERS_MAX },
	{ .key = "data_room", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_config, buffer_data_room), .min = 0, .max = UINT16_MAX },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_rate_fields[] = {
	{ .key = "guarantee", .kind = QOSDT_CFG_RATE,
	  .flags = QOSDT_CFG_F_NULLABLE,
	  MEMBER(struct qosdt_class_config, rate_guarantee_bps),
	  .pct = QOSDT_CFG_PCT_GUARANTEE,
	  .min = 0, .max = RATE_MAX, .rule = "must be <= 400G" },
	{ .key = "cap", .kind = QOSDT_CFG_RATE, .flags = QOSDT_CFG_F_NULLABLE,
	  MEMBER(struct qosdt_class_config, rate_cap_bps),
	  .pct = QOSDT_CFG_PCT_CAP,
	  .min = 1, .max = RATE_MAX,
	  .rule = "must be > 0 and <= 400G (null: no cap)" },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_red_fields[] = {
	{ .key = "min_th", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_red_config, min_th), .min = 1, .max = RTE_RED_MAX_TH_MAX },
	{ .key = "max_th", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_red_config, max_th), .min = 1, .max = RTE_RED_MAX_TH_MAX },
	{ .key = "maxp_inv", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_red_config, maxp_inv),
	  .min = RTE_RED_MAXP_INV_MIN, .max = RTE_RED_MAXP_INV_MAX },
	{ .key = "wq_log2", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_red_config, wq_log2),
	  .min = RTE_RED_WQ_LOG2_MIN, .max = RTE_RED_WQ_LOG2_MAX },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_sojourn_fields[] = {
	{ .key = "target", .kind = QOSDT_CFG_DURATION,
	  MEMBER(struct qosdt_sojourn_config, target_ns),
	  .min = LATENCY_MIN, .max = LATENCY_MAX, .rule = "must be 1us..4s" },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_slo_fields[] = {
	{ .key = "max_latency", .kind = QOSDT_CFG_DURATION,
	  .flags = QOSDT_CFG_F_NULLABLE, MEMBER(struct qosdt_slo, max_latency_ns),
	  .min = LATENCY_MIN, .max = LATENCY_MAX,
	  .rule = "must be 1us..4s (null: none)" },
	{ .key = "min_bandwidth", .kind = QOSDT_CFG_RATE,
	  .flags = QOSDT_CFG_F_NULLABLE,
	  MEMBER(struct qosdt_slo, min_bandwidth_bps),
	  .pct = QOSDT_CFG_PCT_MIN_BANDWIDTH,
	  .min = 0, .max = RATE_MAX, .rule = "must be <= 400G" },
	{ .key = "max_loss", .kind = QOSDT_CFG_PERCENT,
	  .flags = QOSDT_CFG_F_NULLABLE | QOSDT_CFG_F_GIVEN,
	  MEMBER(struct qosdt_slo, max_loss_ppm),
	  .aux_off = offsetof(struct qosdt_slo, has_max_loss),
	  .min = 0, .max = QOSDT_PPM, .rule = "must be 0%..100%" },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_class_fields[] = {
	{ .key = "buffer_share", .kind = QOSDT_CFG_PERCENT,
	  MEMBER(struct qosdt_class_config, buffer_share_ppm),
	  .min = 1, .max = QOSDT_PPM, .rule = "must be in (0%, 100%]" },
	{ .key = "queue_share", .kind = QOSDT_CFG_PERCENT,
	  MEMBER(struct qosdt_class_config, queue_share_ppm),
	  .min = 1, .max = QOSDT_PPM, .rule = "must be in (0%, 100%]" },
	{ .key = "weight", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_class_config, weight), .min = 1, .max = UINT8_MAX },
	{ .key = "rate", .kind = QOSDT_CFG_OBJECT, .sub = qosdt_cfg_rate_fields },
	{ .key = "strict", .kind = QOSDT_CFG_BOOL,
	  MEMBER(struct qosdt_class_config, strict) },
	{ .key = "drop", .kind = QOSDT_CFG_ENUM,
	  MEMBER(struct qosdt_class_config, drop), .names = qosdt_cfg_drop_names,
	  .rule = "must be \"none\", \"tail\", \"red\" or \"sojourn\"" },
	{ .key = "red", .kind = QOSDT_CFG_OBJECT, .flags = QOSDT_CFG_F_NULLABLE,
	  .off = offsetof(struct qosdt_class_config, red),
	  .sub = qosdt_cfg_red_fields },
	{ .key = "sojourn", .kind = QOSDT_CFG_OBJECT, .flags = QOSDT_CFG_F_NULLABLE,
	  .off = offsetof(struct qosdt_class_config, sojourn),
	  .sub = qosdt_cfg_sojourn_fields },
	{ .key = "borrow_cap", .kind = QOSDT_CFG_COUNT,
	  MEMBER(struct qosdt_class_config, borrow_cap),
	  .pct = QOSDT_CFG_PCT_BORROW,
	  .min = 0, .max = BUFFERS_MAX },
	{ .key = "slo", .kind = QOSDT_CFG_OBJECT,
	  .off = offsetof(struct qosdt_class_config, slo),
	  .sub = qosdt_cfg_slo_fields },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_rule_fields[] = {
	{ .key = "ids", .kind = QOSDT_CFG_CUSTOM, .flags = QOSDT_CFG_F_REQUIRED,
	  .parse = parse_ids },
	{ .key = "class", .kind = QOSDT_CFG_CLASS, .flags = QOSDT_CFG_F_REQUIRED,
	  MEMBER(struct qosdt_service_rule, cls),
	  .rule = "must be a class: realtime, throughput, reliable or best_effort" },
	{ .key = "max_latency", .kind = QOSDT_CFG_DURATION,
	  .flags = QOSDT_CFG_F_NULLABLE,
	  MEMBER(struct qosdt_service_rule, max_latency_ns),
	  .min = LATENCY_MIN, .max = LATENCY_MAX,
	  .rule = "must be 1us..4s (null: the class's)" },
	{ .key = NULL },
};

static const struct qosdt_cfg_field services_fields[] = {
	{ .key = "default", .kind = QOSDT_CFG_CLASS,
	  MEMBER(struct qosdt_config, rules[0].cls),
	  .rule = "must be a class: realtime, throughput, reliable or best_effort" },
	{ .key = "map", .kind = QOSDT_CFG_CUSTOM, .parse = parse_service_map },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_monitor_fields[] = {
	{ .key = "window_ms", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_config, window_ms), .min = 1, .max = 60000 },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_adaptive_fields[] = {
	{ .key = "enabled", .kind = QOSDT_CFG_BOOL,
	  MEMBER(struct qosdt_adaptive_config, enabled) },
	{ .key = "period_ms", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_adaptive_config, period_ms), .min = 1, .max = 60000 },
	{ .key = "healthy_windows", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_adaptive_config, healthy_windows),
	  .min = 1, .max = 1000 },
	{ .key = "weight_step", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_adaptive_config, weight_step), .min = 1, .max = 64 },
	{ .key = "rate_step", .kind = QOSDT_CFG_PERCENT,
	  MEMBER(struct qosdt_adaptive_config, rate_step_ppm),
	  .min = 1, .max = QOSDT_PPM, .rule = "must be in (0%, 100%] of channel.rate" },
	{ .key = "bounds", .kind = QOSDT_CFG_CUSTOM, .parse = parse_bounds },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_tenant_fields[] = {
	{ .key = "name", .kind = QOSDT_CFG_CUSTOM, .parse = parse_tenant_name },
	{ .key = "weight", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_tenant_config, weight), .min = 1, .max = UINT8_MAX },
	{ .key = "rate", .kind = QOSDT_CFG_RATE, .flags = QOSDT_CFG_F_NULLABLE,
	  MEMBER(struct qosdt_tenant_config, rate_bps),
	  .pct = QOSDT_CFG_PCT_TENANT_RATE,
	  .min = 1, .max = RATE_MAX,
	  .rule = "must be > 0 and <= 400G (null: no cap)" },
	{ .key = NULL },
};

const struct qosdt_cfg_field qosdt_cfg_tenants_fields[] = {
	{ .key = "capacity", .kind = QOSDT_CFG_RATE, .flags = QOSDT_CFG_F_NULLABLE,
	  MEMBER(struct qosdt_tenants_config, capacity_bps),
	  .pct = QOSDT_CFG_PCT_CAPACITY,
	  .min = 1, .max = RATE_MAX,
	  .rule = "must be > 0 and <= 400G (null: tenants.count x channel.rate)" },
	{ .key = "count", .kind = QOSDT_CFG_UINT,
	  MEMBER(struct qosdt_tenants_config, nb), .min = 1, .max = QOSDT_MAX_TENANTS },
	{ .key = "list", .kind = QOSDT_CFG_CUSTOM, .parse = parse_tenant_list },
	{ .key = NULL },
};

static const struct qosdt_cfg_field root_fields[] = {
	{ .key = "channel", .kind = QOSDT_CFG_OBJECT, .sub = qosdt_cfg_channel_fields },
	{ .key = "scheduler", .kind = QOSDT_CFG_OBJECT, .sub = qosdt_cfg_scheduler_fields },
	{ .key = "buffers", .kind = QOSDT_CFG_OBJECT, .sub = qosdt_cfg_buffers_fields },
	{ .key = "classes", .kind = QOSDT_CFG_CUSTOM, .parse = parse_classes },
	{ .key = "services", .kind = QOSDT_CFG_OBJECT, .sub = services_fields },
	{ .key = "monitor", .kind = QOSDT_CFG_OBJECT, .sub = qosdt_cfg_monitor_fields },
	{ .key = "adaptive", .kind = QOSDT_CFG_OBJECT,
	  .off = offsetof(struct qosdt_config, adaptive),
	  .sub = qosdt_cfg_adaptive_fields },
	{ .key = "tenants", .kind = QOSDT_CFG_CUSTOM,
	  .off = offsetof(struct qosdt_config, tenants), .parse = parse_tenants },
	{ .key = NULL },
};

/* ------------------------------------------------------------------ */
/* A document.                                                         */

int
qosdt_cfg_parse_document(struct qosdt_json_walk *w, json_t *root,
		const char *source, struct qosdt_config *cfg,
		struct qosdt_cfg_percents *pct)
{
	struct load_state state = { .pct = pct };

	w->ctx = &state;
	if (!json_is_object(root)) {
		qosdt_json_walk_set(w, "%s", source);
		return qosdt_json_fail(w, "must be a JSON object");
	}
	return walk_object(w, root, root_fields, cfg);
}
