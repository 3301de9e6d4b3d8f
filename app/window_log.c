/* SPDX-License-Identifier: BSD-3-Clause */

#include <stdlib.h>
#include <string.h>

#include "window_log.h"

int
window_log_init(struct window_log *l, uint32_t cap)
{
	memset(l, 0, sizeof(*l));
	l->rows = calloc(cap, sizeof(*l->rows));
	if (l->rows == NULL)
		return -1;
	l->cap = cap;
	return 0;
}

void
window_log_free(struct window_log *l)
{
	free(l->rows);
	memset(l, 0, sizeof(*l));
}

void
window_log_add(struct window_log *l, uint64_t t_ns,
		const struct qosdt_stats *rtt, const struct qosdt_stats *sched,
		const struct qosdt_resv_usage *buf)
{
	struct window_row *r;
	unsigned int c;

	if (l->n == l->cap) {
		l->overflow++;
		return;
	}
	r = &l->rows[l->n++];
	r->t_ns = t_ns;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		r->missed[c] = rtt->cls[c].slo_missed;
		r->sched_missed[c] = sched->cls[c].slo_missed;
		r->p99_ns[c] = rtt->cls[c].window_latency.p99_ns;
		r->throughput_bps[c] = rtt->cls[c].window_throughput_bps;
		r->buf_in_use[c] = buf->cls[c].in_use;
		r->buf_borrowed[c] = buf->cls[c].borrowed;
		r->alloc_fail[c] = buf->cls[c].alloc_fail;
	}
	l->buffers = *buf;
}

static json_t *
class_series(const struct window_log *l, unsigned int c)
{
	json_t *missed = json_array(), *sched = json_array();
	json_t *p99 = json_array(), *mbps = json_array();
	json_t *in_use = json_array(), *borrowed = json_array();
	json_t *fail = json_array();
	const struct window_row *r;
	uint32_t i;

	for (i = 0; i < l->n; i++) {
		r = &l->rows[i];
		json_array_append_new(missed, json_integer(r->missed[c]));
		json_array_append_new(sched, json_integer(r->sched_missed[c]));
		json_array_append_new(p99, json_real(r->p99_ns[c] / 1e3));
		json_array_append_new(mbps, json_real(r->throughput_bps[c] / 1e6));
		json_array_append_new(in_use, json_integer(r->buf_in_use[c]));
		json_array_append_new(borrowed, json_integer(r->buf_borrowed[c]));
		json_array_append_new(fail, json_integer(r->alloc_fail[c]));
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i}",
		"missed", missed, "sched_missed", sched, "p99_us", p99,
		"mbps", mbps, "buffers_in_use", in_use,
		"buffers_borrowed", borrowed, "alloc_fail", fail,
		"buffers_reserved", (int)l->buffers.cls[c].reserved,
		"borrow_cap", (int)l->buffers.cls[c].borrow_cap);
}

json_t *
window_log_json(const struct window_log *l)
{
	json_t *t = json_array(), *classes = json_object();
	unsigned int c;
	uint32_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(t, json_real(l->rows[i].t_ns / 1e9));
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		json_object_set_new(classes, qosdt_class_name(c),
			class_series(l, c));
	return json_pack("{s:o, s:o, s:i, s:I}", "t_s", t, "classes", classes,
		"shared_buffers", (int)l->buffers.shared_size,
		"overflow", (json_int_t)l->overflow);
}
