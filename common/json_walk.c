/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The JSON path of the value at hand, refusals that name it, and the walk
 * of an object over a table of keys (json_walk.h).
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <rte_common.h>

#include "json_walk.h"

void
qosdt_json_walk_init(struct qosdt_json_walk *w, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->path_size = sizeof(w->path);
	w->err = err;
	w->errlen = errlen;
}

/* Append formatted text to the path (clipped at path_size). */
static size_t __rte_format_printf(2, 3)
walk_append(struct qosdt_json_walk *w, const char *fmt, ...)
{
	size_t old = w->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->path + old, w->path_size - old, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->len = RTE_MIN(old + (size_t)n, w->path_size - 1);
	return old;
}

size_t
qosdt_json_walk_push(struct qosdt_json_walk *w, const char *key)
{
	return walk_append(w, "%s%s", w->len > 0 ? "." : "", key);
}

size_t
qosdt_json_walk_push_index(struct qosdt_json_walk *w, size_t i)
{
	return walk_append(w, "[%zu]", i);
}

void
qosdt_json_walk_pop(struct qosdt_json_walk *w, size_t len)
{
	w->len = len;
	w->path[len] = '\0';
}

void
qosdt_json_walk_set(struct qosdt_json_walk *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->path, w->path_size, fmt, ap);
	va_end(ap);
	w->len = n > 0 ? RTE_MIN((size_t)n, w->path_size - 1) : 0;
	w->path[w->len] = '\0';
}

/*
 * Messages are one line: a control character the file put in a key or a
 * value (a newline, an escape sequence) is shown as '?'.
 */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int
qosdt_json_fail(struct qosdt_json_walk *w, const char *fmt, ...)
{
	char msg[QOSDT_JSON_WALK_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->err != NULL && w->errlen > 0) {
		snprintf(w->err, w->errlen, "%s: %s", w->path, msg);
		one_line(w->err);
	}
	return -1;
}

int
qosdt_json_fail_range(struct qosdt_json_walk *w, const char *rule,
		uint64_t min, uint64_t max)
{
	if (rule != NULL)
		return qosdt_json_fail(w, "%s", rule);
	return qosdt_json_fail(w, "must be %" PRIu64 "..%" PRIu64, min, max);
}

int
qosdt_json_uint(struct qosdt_json_walk *w, json_t *v, uint64_t min,
		uint64_t max, const char *rule, uint64_t *x)
{
	json_int_t i;

	*x = 0;
	if (json_is_real(v))
		return qosdt_json_fail(w, "must be a whole number");
	if (!json_is_integer(v))
		return qosdt_json_fail(w, "must be a number");
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return qosdt_json_fail_range(w, rule, min, max);
	*x = (uint64_t)i;
	return 0;
}

/* An entry's key: the const char * it starts with. */
static const char *
entry_key(const void *entry)
{
	return *(const char * const *)entry;
}

static const void *
entry_next(const void *entry, const struct qosdt_json_table_ops *ops)
{
	return (const char *)entry + ops->entry_size;
}

static const void *
entry_find(const void *table, const struct qosdt_json_table_ops *ops,
		const char *key)
{
	const void *e;

	for (e = table; entry_key(e) != NULL; e = entry_next(e, ops))
		if (strcmp(entry_key(e), key) == 0)
			return e;
	return NULL;
}

static int
fail_unknown_key(struct qosdt_json_walk *w, const void *table,
		const struct qosdt_json_table_ops *ops)
{
	char keys[QOSDT_JSON_WALK_LEN] = "";
	const void *e;
	size_t len = 0;

	for (e = table; entry_key(e) != NULL && len < sizeof(keys);
			e = entry_next(e, ops))
		len += snprintf(keys + len, sizeof(keys) - len, "%s%s",
			len > 0 ? ", " : "", entry_key(e));
	return qosdt_json_fail(w, "unknown key (expected: %s)", keys);
}

int
qosdt_json_walk_table(struct qosdt_json_walk *w, json_t *obj,
		const void *table, const struct qosdt_json_table_ops *ops,
		void *base)
{
	const char *key;
	const void *e;
	size_t mark;
	json_t *v;

	if (!json_is_object(obj))
		return qosdt_json_fail(w, "must be an object");
	json_object_foreach(obj, key, v) {
		mark = qosdt_json_walk_push(w, key);
		e = entry_find(table, ops, key);
		if (e == NULL)
			return fail_unknown_key(w, table, ops);
		if (ops->parse(w, e, v, base) < 0)
			return -1;
		qosdt_json_walk_pop(w, mark);
	}
	for (e = table; entry_key(e) != NULL; e = entry_next(e, ops)) {
		if (ops->required(e) && json_object_get(obj, entry_key(e)) == NULL) {
			qosdt_json_walk_push(w, entry_key(e));
			return qosdt_json_fail(w, "required");
		}
	}
	return 0;
}

static int
field_parse(struct qosdt_json_walk *w, const void *field, json_t *v,
		void *base)
{
	const struct qosdt_json_field *f = field;

	return f->parse(w, v, base);
}

static bool
field_required(const void *field)
{
	const struct qosdt_json_field *f = field;

	return f->required;
}

static const struct qosdt_json_table_ops field_ops = {
	.entry_size = sizeof(struct qosdt_json_field),
	.parse = field_parse,
	.required = field_required,
};

int
qosdt_json_walk_object(struct qosdt_json_walk *w, json_t *obj,
		const struct qosdt_json_field *table, void *base)
{
	return qosdt_json_walk_table(w, obj, table, &field_ops, base);
}

int
qosdt_json_fail_load(const json_error_t *e, const char *source,
		char *err, size_t errlen)
{
	struct stat st;

	if (err == NULL || errlen == 0)
		return -1;
	/* A directory opens and reads as an empty file: name it as one. */
	if (stat(source, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(err, errlen, "%s: is a directory", source);
	else if (e->line > 0)
		snprintf(err, errlen, "%s:%d:%d: %s", source, e->line,
			e->column, e->text);
	else
		snprintf(err, errlen, "%s: %s", source, e->text);
	one_line(err);
	return -1;
}

json_t *
qosdt_json_load_text(const char *text, char *err, size_t errlen)
{
	json_error_t e;
	json_t *root;

	root = json_loads(text, JSON_REJECT_DUPLICATES, &e);
	if (root == NULL)
		qosdt_json_fail_load(&e, QOSDT_JSON_TEXT_SOURCE, err, errlen);
	return root;
}
