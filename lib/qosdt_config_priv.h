/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * Internal to the configuration's files, one job each:
 * qosdt_config_parse.c (JSON: units, the schema as tables of fields),
 * qosdt_config_derive.c (the fields computed from others) and
 * qosdt_config_validate.c (every rule, on a const configuration). The
 * schema is shared by parse and validate so that a range is written once;
 * both walk with struct qosdt_json_walk, which carries the JSON path of the
 * value at hand for error messages.
 */

#ifndef QOSDT_CONFIG_PRIV_H
#define QOSDT_CONFIG_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_common.h>

#include "qosdt_config.h"
#include "json_walk.h"

/** Parts per million in 100%. */
#define QOSDT_PPM 1000000u

/** How a field's JSON value is read and stored. */
enum qosdt_cfg_kind {
	QOSDT_CFG_UINT,     /**< JSON integer, stored in width bytes. */
	QOSDT_CFG_BOOL,     /**< true/false, stored in a bool. */
	QOSDT_CFG_RATE,     /**< "10G", "20%" or an integer: uint64 bit/s. */
	QOSDT_CFG_DURATION, /**< "100us": uint64 ns. */
	QOSDT_CFG_PERCENT,  /**< "25%": uint32 ppm. */
	QOSDT_CFG_COUNT,    /**< An integer count or "N%": uint32 count. */
	QOSDT_CFG_ENUM,     /**< One of names[], stored as its index. */
	QOSDT_CFG_CLASS,    /**< A class name, stored as a uint8 enum qosdt_class. */
	QOSDT_CFG_OBJECT,   /**< A nested object: sub[] at base + off. */
	QOSDT_CFG_CUSTOM,   /**< Read by parse() at base + off. */
};

/**
 * Which value a percentage ("N%") may stand for: the loader keeps it and
 * resolves it once the whole file is read (qosdt_config_parse.c).
 */
enum qosdt_cfg_pct {
	QOSDT_CFG_PCT_NONE = 0,      /**< Percentages refused. */
	QOSDT_CFG_PCT_SHARED,        /**< buffers.shared, of buffers.count. */
	QOSDT_CFG_PCT_GUARANTEE,     /**< rate.guarantee, of channel.rate. */
	QOSDT_CFG_PCT_CAP,           /**< rate.cap, of channel.rate. */
	QOSDT_CFG_PCT_BORROW,        /**< borrow_cap, of the shared pool. */
	QOSDT_CFG_PCT_MIN_BANDWIDTH, /**< slo.min_bandwidth, of channel.rate. */
	QOSDT_CFG_PCT_CAP_MIN,       /**< bounds rate_cap[0], of channel.rate. */
	QOSDT_CFG_PCT_CAP_MAX,       /**< bounds rate_cap[1], of channel.rate. */
	QOSDT_CFG_PCT_CAPACITY,      /**< tenants.capacity, of nb x channel.rate. */
	QOSDT_CFG_PCT_TENANT_RATE,   /**< a tenant's rate, of the capacity. */
};

/** A value given as an absolute number, not as a percentage. */
#define QOSDT_CFG_PCT_ABSOLUTE UINT32_MAX

/**
 * The percentages a file gave (or the defaults used), ppm, by what they
 * are of; QOSDT_CFG_PCT_ABSOLUTE where the value is absolute. Resolved
 * once the whole file is read, against its final channel rate and buffer
 * counts (qosdt_cfg_resolve_percents()).
 */
struct qosdt_cfg_percents {
	uint32_t shared;
	uint32_t guarantee[QOSDT_NB_CLASSES];
	uint32_t cap[QOSDT_NB_CLASSES];
	uint32_t borrow[QOSDT_NB_CLASSES];
	uint32_t min_bandwidth[QOSDT_NB_CLASSES];
	uint32_t cap_min[QOSDT_NB_CLASSES];
	uint32_t cap_max[QOSDT_NB_CLASSES];
	uint32_t capacity;
	uint32_t tenant_rate[QOSDT_MAX_TENANTS];
};

/** The field may be null: that clears it (0 = none). */
#define QOSDT_CFG_F_NULLABLE 0x01
/** The field must be present in its object. */
#define QOSDT_CFG_F_REQUIRED 0x02
/** PERCENT: aux_off is a bool telling whether the value was given. */
#define QOSDT_CFG_F_GIVEN 0x04

/**
 * One key of a JSON object and where its value goes. The key comes first,
 * as qosdt_json_walk_table() wants.
 */
struct qosdt_cfg_field {
	const char *key;            /**< NULL ends a table. */
	enum qosdt_cfg_kind kind;
	uint8_t width;              /**< Bytes of the stored value. */
	uint8_t flags;              /**< QOSDT_CFG_F_*. */
	uint8_t pct;                /**< enum qosdt_cfg_pct (RATE, COUNT). */
	size_t off;                 /**< Value offset from the object's base. */
	size_t aux_off;             /**< F_GIVEN: offset of the "given" bool. */
	uint64_t min;               /**< Accepted range, in stored units. */
	uint64_t max;
	const char *rule;           /**< Out-of-range message; NULL: "must be min..max". */
	const struct qosdt_cfg_field *sub;  /**< OBJECT. */
	const char * const *names;  /**< ENUM, NULL-terminated. */
	qosdt_json_parse_t *parse;  /**< CUSTOM: reads the value at base + off. */
};

/* The schema (qosdt_config_parse.c). Offsets of each table are relative to: */
extern const struct qosdt_cfg_field qosdt_cfg_channel_fields[];   /* config */
extern const struct qosdt_cfg_field qosdt_cfg_scheduler_fields[]; /* config */
extern const struct qosdt_cfg_field qosdt_cfg_buffers_fields[];   /* config */
extern const struct qosdt_cfg_field qosdt_cfg_class_fields[];     /* class */
extern const struct qosdt_cfg_field qosdt_cfg_rate_fields[];      /* class */
extern const struct qosdt_cfg_field qosdt_cfg_red_fields[];       /* red */
extern const struct qosdt_cfg_field qosdt_cfg_sojourn_fields[];   /* sojourn */
extern const struct qosdt_cfg_field qosdt_cfg_slo_fields[];       /* slo */
extern const struct qosdt_cfg_field qosdt_cfg_rule_fields[];      /* rule */
extern const struct qosdt_cfg_field qosdt_cfg_monitor_fields[];   /* config */
extern const struct qosdt_cfg_field qosdt_cfg_adaptive_fields[];  /* adaptive */
extern const struct qosdt_cfg_field qosdt_cfg_tenants_fields[];   /* tenants */
extern const struct qosdt_cfg_field qosdt_cfg_tenant_fields[];    /* tenant */

/** Scheduler mode names, indexed by enum qosdt_sched_mode. */
extern const char * const qosdt_cfg_mode_names[];
/** Drop policy names, indexed by enum qosdt_drop_policy. */
extern const char * const qosdt_cfg_drop_names[];

/** The stored value of an unsigned field (width 1, 2, 4 or 8). */
uint64_t qosdt_cfg_load(const void *p, unsigned int width);

/** Store an unsigned value in a field of width 1, 2, 4 or 8 bytes. */
void qosdt_cfg_store(void *p, unsigned int width, uint64_t v);

/**
 * Fail with a field's range rule: its rule text, or "must be min..max".
 *
 * @return
 *   -1.
 */
int qosdt_cfg_fail_range(struct qosdt_json_walk *w,
		const struct qosdt_cfg_field *f);

/**
 * Read a JSON document over a configuration (qosdt_config_parse.c): each
 * key it gives replaces the value in @p cfg; a value given as a percentage
 * is kept in @p pct, to be resolved once the whole document is read. No
 * rule is checked but each field's range.
 *
 * @param w
 *   A walk initialised with the caller's error buffer.
 * @param root
 *   The document.
 * @param source
 *   Its name (a path), for the message when it is not an object.
 * @param cfg
 *   The configuration read over (the defaults).
 * @param pct
 *   The percentages of @p cfg so far; updated.
 * @return
 *   0, or -1 with the message in the walk's buffer.
 */
int qosdt_cfg_parse_document(struct qosdt_json_walk *w, json_t *root,
		const char *source, struct qosdt_config *cfg,
		struct qosdt_cfg_percents *pct);

/* Derived fields (qosdt_config_derive.c). */

/**
 * Replace each value given as a percentage by its absolute value: the
 * pool sizes first, then the rates (the tenants' capacity before their
 * rates, which are percentages of it).
 *
 * @param cfg
 *   The configuration as read.
 * @param p
 *   Which of its values are percentages, and of what.
 */
void qosdt_cfg_resolve_percents(struct qosdt_config *cfg,
		const struct qosdt_cfg_percents *p);

/**
 * Each class's own pool and queue slots, as qosdt_config_derive() stores
 * them: its share of the class buffers and of the queue slots, rounded
 * down, best_effort getting the remainder.
 *
 * @param cfg
 *   The configuration.
 * @param nb_buffers
 *   Receives each class's own pool size.
 * @param queue_limit
 *   Receives each class's queue slots.
 */
void qosdt_cfg_class_sizes(const struct qosdt_config *cfg,
		uint32_t nb_buffers[QOSDT_NB_CLASSES],
		uint32_t queue_limit[QOSDT_NB_CLASSES]);

/**
 * The class pools and queue slots of one tenant: qosdt_cfg_class_sizes()
 * applied to the tenant's part of the totals, weight / sum of the
 * weights of buffers.count, of buffers.shared (its shared pool) and of
 * scheduler.queue_slots, each rounded down.
 *
 * @param cfg
 *   The configuration.
 * @param tenant
 *   The tenant, below tenants.nb.
 * @param nb_buffers
 *   Receives each class's own pool size in the tenant's buffers.
 * @param queue_limit
 *   Receives each class's queue slots in the tenant's slots.
 */
void qosdt_cfg_tenant_class_sizes(const struct qosdt_config *cfg,
		unsigned int tenant, uint32_t nb_buffers[QOSDT_NB_CLASSES],
		uint32_t queue_limit[QOSDT_NB_CLASSES]);

#endif /* QOSDT_CONFIG_PRIV_H */
