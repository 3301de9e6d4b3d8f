/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * A walk over a jansson document against tables of keys, carrying the
 * JSON path of the value at hand so that every refusal names it
 * ("classes.realtime.weight: must be 1..255"). Shared by the QoS config
 * loader (lib/qosdt_config_parse.c) and the application's scenario loader
 * (app/scenario.c); it belongs to neither, so it is no part of qosdt.h.
 */

#ifndef QOSDT_COMMON_JSON_WALK_H
#define QOSDT_COMMON_JSON_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_common.h>

/** Bytes of the path buffer, and of a refusal's text before its path. */
#define QOSDT_JSON_WALK_LEN 256

/** Where the walk is, and where a refusal goes. */
struct qosdt_json_walk {
	char path[QOSDT_JSON_WALK_LEN]; /**< JSON path, "" at the root. */
	size_t path_size; /**< Bytes of path used, at most sizeof(path). */
	size_t len;       /**< strlen(path). */
	char *err;        /**< Message buffer (may be NULL). */
	size_t errlen;
	void *ctx;        /**< The caller's state, for its readers. */
};

/** Reads the JSON value @p v into @p base; 0, or -1 with a refusal written. */
typedef int (qosdt_json_parse_t)(struct qosdt_json_walk *w, json_t *v,
		void *base);

/** One key of a JSON object, read by its own function. */
struct qosdt_json_field {
	const char *key;           /**< NULL ends a table. */
	qosdt_json_parse_t *parse; /**< Reads the key's value. */
	bool required;             /**< The key must be given. */
};

/**
 * How qosdt_json_walk_table() reads a table whose entries are not
 * struct qosdt_json_field: each entry starts with its key (a
 * const char *, NULL ending the table).
 */
struct qosdt_json_table_ops {
	size_t entry_size; /**< Bytes from one entry to the next. */
	/** Reads @p v, the value of the key of @p field, into @p base. */
	int (*parse)(struct qosdt_json_walk *w, const void *field, json_t *v,
		void *base);
	/** Whether the key of @p field must be given. */
	bool (*required)(const void *field);
};

/**
 * Start a walk at the root.
 *
 * @param w
 *   The walk; its path may use the whole buffer, its ctx is NULL.
 * @param err
 *   Where a refusal is written (may be NULL).
 * @param errlen
 *   Size of @p err.
 */
void qosdt_json_walk_init(struct qosdt_json_walk *w, char *err, size_t errlen);

/**
 * Append ".key" (just "key" at the root) to the path, clipped at
 * path_size.
 *
 * @return
 *   The previous path length, for qosdt_json_walk_pop().
 */
size_t qosdt_json_walk_push(struct qosdt_json_walk *w, const char *key);

/**
 * Append "[i]" to the path, clipped at path_size.
 *
 * @return
 *   The previous path length, for qosdt_json_walk_pop().
 */
size_t qosdt_json_walk_push_index(struct qosdt_json_walk *w, size_t i);

/**
 * Go back to a path length returned by a push.
 *
 * @param w
 *   The walk.
 * @param len
 *   The length to go back to.
 */
void qosdt_json_walk_pop(struct qosdt_json_walk *w, size_t len);

/**
 * Replace the whole path (printf-style), clipped at path_size.
 *
 * @param w
 *   The walk.
 * @param fmt
 *   Format of the new path.
 */
void qosdt_json_walk_set(struct qosdt_json_walk *w, const char *fmt, ...)
	__rte_format_printf(2, 3);

/**
 * Write "<path>: <message>" to the walk's error buffer.
 *
 * @param w
 *   The walk.
 * @param fmt
 *   Format of the message (at most QOSDT_JSON_WALK_LEN - 1 bytes kept).
 * @return
 *   -1, to be returned by the caller.
 */
int qosdt_json_fail(struct qosdt_json_walk *w, const char *fmt, ...)
	__rte_format_printf(2, 3);

/**
 * Fail with a range rule: @p rule, or "must be min..max" without one.
 *
 * @return
 *   -1.
 */
int qosdt_json_fail_range(struct qosdt_json_walk *w, const char *rule,
		uint64_t min, uint64_t max);

/**
 * Read a JSON integer in [min, max]. Refusals: "must be a whole number"
 * (a real), "must be a number" (any other type), and the range rule as
 * qosdt_json_fail_range() writes it (negative or out of range).
 *
 * @param w
 *   The walk, at the value.
 * @param v
 *   The JSON value.
 * @param min
 *   Smallest value accepted.
 * @param max
 *   Largest value accepted.
 * @param rule
 *   Refusal for a value out of range; NULL for "must be min..max".
 * @param x
 *   The value read; 0 on failure.
 * @return
 *   0, or -1 with a refusal written.
 */
int qosdt_json_uint(struct qosdt_json_walk *w, json_t *v, uint64_t min,
		uint64_t max, const char *rule, uint64_t *x);

/**
 * Read a JSON object into @p base, key by key, from a table of entries
 * laid out as @p ops says. An unknown key is refused with the list of
 * the table's keys ("unknown key (expected: a, b)"), a required key that
 * is missing with "required"; anything but an object with
 * "must be an object".
 *
 * @param w
 *   The walk, at the object.
 * @param obj
 *   The JSON value.
 * @param table
 *   The first entry of the table.
 * @param ops
 *   How to read an entry.
 * @param base
 *   Passed to each entry's reader.
 * @return
 *   0, or -1 with a refusal written; the path then names the value at fault.
 */
int qosdt_json_walk_table(struct qosdt_json_walk *w, json_t *obj,
		const void *table, const struct qosdt_json_table_ops *ops,
		void *base);

/**
 * qosdt_json_walk_table() over a table of struct qosdt_json_field.
 *
 * @param w
 *   The walk, at the object.
 * @param obj
 *   The JSON value.
 * @param table
 *   The keys, ended by a NULL key.
 * @param base
 *   Passed to each key's reader.
 * @return
 *   0, or -1 with a refusal written.
 */
int qosdt_json_walk_object(struct qosdt_json_walk *w, json_t *obj,
		const struct qosdt_json_field *table, void *base);

/**
 * Write a jansson load error as "<source>:<line>:<column>: <text>", or
 * "<source>: <text>" when it has no position, or "<source>: is a
 * directory" when source names one (jansson reads it as an empty file).
 *
 * @param e
 *   The error jansson filled.
 * @param source
 *   The file name, or what stands for it.
 * @param err
 *   Message buffer (may be NULL).
 * @param errlen
 *   Size of @p err.
 * @return
 *   -1.
 */
int qosdt_json_fail_load(const json_error_t *e, const char *source,
		char *err, size_t errlen);

/** What a document given as text is called in messages. */
#define QOSDT_JSON_TEXT_SOURCE "<string>"

/**
 * Parse a JSON document given as text, refusing duplicate keys.
 *
 * @param text
 *   The document.
 * @param err
 *   Where jansson's error goes, as qosdt_json_fail_load() writes it with
 *   QOSDT_JSON_TEXT_SOURCE (may be NULL).
 * @param errlen
 *   Size of @p err.
 * @return
 *   The document (the caller's reference), or NULL.
 */
json_t *qosdt_json_load_text(const char *text, char *err, size_t errlen);

#endif /* QOSDT_COMMON_JSON_WALK_H */
