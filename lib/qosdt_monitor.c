/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Per-class monitor. The writer (data path) keeps running totals and a
 * per-window latency histogram per class, without locks or atomics. When a
 * window closes, qosdt_monitor_poll() builds a complete struct qosdt_stats
 * in writer-private memory, then copies it into the published snapshot
 * under an rte_seqlock: readers retry while a copy is in progress and never
 * make the writer wait.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_seqlock.h>

#include "qosdt_hist.h"
#include "qosdt_log.h"
#include "qosdt_monitor.h"

#define NS_PER_MS ((uint64_t)NS_PER_S / MS_PER_S)
#define PPM UINT64_C(1000000)

/* Counters of one class; the writer keeps totals and their value at the
 * start of the current window.
 */
struct monitor_counts {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	uint64_t drop_pkts;
	uint64_t drop_bytes;
	uint64_t held_pkts;
	uint64_t latency_violations;
};

/* Writer-private state of one class. */
struct monitor_class {
	struct monitor_counts total;
	struct monitor_counts window_start;
	/* Samples of this window above their own latency objective. */
	uint64_t window_over_bound;
	/* The objective of a sample that brings none: the class's
	 * max_latency_ns, UINT64_MAX when it has none. */
	uint64_t latency_bound;
	uint64_t slo_violation_windows;
	/* Bytes of the last QOSDT_MONITOR_RATE_WINDOWS closed windows. */
	uint64_t ring_rx_bytes[QOSDT_MONITOR_RATE_WINDOWS];
	uint64_t ring_tx_bytes[QOSDT_MONITOR_RATE_WINDOWS];
	struct qosdt_slo slo;
	struct qosdt_hist window_hist;
	struct qosdt_hist total_hist;
};

struct qosdt_monitor {
	/* Writer side. */
	uint64_t window_ns;
	uint64_t start_ns;
	uint64_t window_start_ns;
	uint64_t windows;
	/* Durations of the last QOSDT_MONITOR_RATE_WINDOWS closed windows. */
	uint64_t ring_ns[QOSDT_MONITOR_RATE_WINDOWS];
	struct monitor_class cls[QOSDT_NB_CLASSES];
	/* The next snapshot, built outside the seqlock. */
	struct qosdt_stats work;

	/* Reader side: written only when a window closes. */
	rte_seqlock_t lock __rte_cache_aligned;
	struct qosdt_stats published;
};

/* Fixed-point ns per TSC cycle (32 fraction bits), set on first use. */
static uint64_t tsc_ns_mult;

uint64_t
qosdt_monitor_now_ns(void)
{
	uint64_t mult = __atomic_load_n(&tsc_ns_mult, __ATOMIC_RELAXED);
	uint64_t hz;

	if (unlikely(mult == 0)) {
		hz = rte_get_tsc_hz();
		if (hz == 0)
			return 0;
		mult = ((uint64_t)NS_PER_S << 32) / hz;
		__atomic_store_n(&tsc_ns_mult, mult, __ATOMIC_RELAXED);
	}
	return (uint64_t)(((unsigned __int128)rte_get_tsc_cycles() * mult) >> 32);
}

/* Bits per second of @p bytes over @p ns, rounded down. */
static uint64_t
rate_bps(uint64_t bytes, uint64_t ns)
{
	if (ns == 0)
		return 0;
	return (uint64_t)((unsigned __int128)bytes * 8 * NS_PER_S / ns);
}

static void
publish(struct qosdt_monitor *mon)
{
	rte_seqlock_write_lock(&mon->lock);
	mon->published = mon->work;
	rte_seqlock_write_unlock(&mon->lock);
}

void
qosdt_monitor_reset(struct qosdt_monitor *mon, uint64_t now_ns)
{
	struct monitor_class *c;
	unsigned int i;

	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		c = &mon->cls[i];
		memset(&c->total, 0, sizeof(c->total));
		memset(&c->window_start, 0, sizeof(c->window_start));
		c->window_over_bound = 0;
		c->slo_violation_windows = 0;
		memset(c->ring_rx_bytes, 0, sizeof(c->ring_rx_bytes));
		memset(c->ring_tx_bytes, 0, sizeof(c->ring_tx_bytes));
		qosdt_hist_reset(&c->window_hist);
		qosdt_hist_reset(&c->total_hist);
	}
	memset(mon->ring_ns, 0, sizeof(mon->ring_ns));
	mon->windows = 0;
	mon->start_ns = now_ns;
	mon->window_start_ns = now_ns;
	memset(&mon->work, 0, sizeof(mon->work));
	mon->work.window_ns = mon->window_ns;
	for (i = 0; i < QOSDT_NB_CLASSES; i++)
		mon->work.cls[i].slo_met = true;
	publish(mon);
}

struct qosdt_monitor *
qosdt_monitor_create(const struct qosdt_config *cfg, int socket)
{
	struct qosdt_monitor *mon;
	unsigned int i;

	if (cfg == NULL || cfg->window_ms == 0) {
		QOSDT_LOG(ERR, "monitor: %s", cfg == NULL ?
			"no configuration given" : "window_ms must be above 0");
		rte_errno = EINVAL;
		return NULL;
	}
	mon = rte_zmalloc_socket("qosdt_monitor", sizeof(*mon),
		RTE_CACHE_LINE_SIZE, socket);
	if (mon == NULL) {
		QOSDT_LOG(ERR, "monitor: cannot allocate %zu bytes on socket %d",
			sizeof(*mon), socket);
		rte_errno = ENOMEM;
		return NULL;
	}
	mon->window_ns = (uint64_t)cfg->window_ms * NS_PER_MS;
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		mon->cls[i].slo = cfg->classes[i].slo;
		mon->cls[i].latency_bound = cfg->classes[i].slo.max_latency_ns != 0 ?
			cfg->classes[i].slo.max_latency_ns : UINT64_MAX;
	}
	rte_seqlock_init(&mon->lock);
	qosdt_monitor_reset(mon, qosdt_monitor_now_ns());
	return mon;
}

void
qosdt_monitor_free(struct qosdt_monitor *mon)
{
	rte_free(mon);
}

/*
 * The recording calls ignore a class number out of range: they run per
 * burst on the data path, where there is nobody to return an error to.
 */

void
qosdt_monitor_rx(struct qosdt_monitor *mon, unsigned int cls, uint32_t pkts,
		uint64_t bytes)
{
	if (unlikely(cls >= QOSDT_NB_CLASSES))
		return;
	mon->cls[cls].total.rx_pkts += pkts;
	mon->cls[cls].total.rx_bytes += bytes;
}

void
qosdt_monitor_tx(struct qosdt_monitor *mon, unsigned int cls, uint32_t pkts,
		uint64_t bytes)
{
	if (unlikely(cls >= QOSDT_NB_CLASSES))
		return;
	mon->cls[cls].total.tx_pkts += pkts;
	mon->cls[cls].total.tx_bytes += bytes;
}

void
qosdt_monitor_drop(struct qosdt_monitor *mon, unsigned int cls, uint32_t pkts,
		uint64_t bytes)
{
	if (unlikely(cls >= QOSDT_NB_CLASSES))
		return;
	mon->cls[cls].total.drop_pkts += pkts;
	mon->cls[cls].total.drop_bytes += bytes;
}

void
qosdt_monitor_held(struct qosdt_monitor *mon, unsigned int cls, uint32_t pkts)
{
	if (unlikely(cls >= QOSDT_NB_CLASSES))
		return;
	mon->cls[cls].total.held_pkts += pkts;
}

void
qosdt_monitor_latency(struct qosdt_monitor *mon, unsigned int cls,
		uint64_t ns, uint64_t slo_ns)
{
	struct monitor_class *c;

	if (unlikely(cls >= QOSDT_NB_CLASSES))
		return;
	c = &mon->cls[cls];
	qosdt_hist_record(&c->window_hist, ns);
	c->total.latency_violations += slo_ns != 0 && ns > slo_ns;
	c->window_over_bound += ns > (slo_ns != 0 ? slo_ns : c->latency_bound);
}

void
qosdt_monitor_latency_n(struct qosdt_monitor *mon, unsigned int cls,
		uint64_t ns, uint32_t n, uint32_t over_slo, uint32_t no_slo)
{
	struct monitor_class *c;

	if (unlikely(cls >= QOSDT_NB_CLASSES || n == 0))
		return;
	c = &mon->cls[cls];
	qosdt_hist_record_n(&c->window_hist, ns, n);
	c->total.latency_violations += over_slo;
	c->window_over_bound += over_slo + (ns > c->latency_bound ? no_slo : 0);
}

/*
 * The window's p99 against each sample's own objective (its service's
 * max_latency): missed when more than n - ceil(0.99 n) samples are above
 * theirs, which for one objective is exactly "the sample of rank
 * ceil(0.99 n) is above it". Decided on the counts, not on the histogram's
 * bucket bounds.
 */
static bool
window_p99_above_bound(const struct monitor_class *c)
{
	uint64_t n = qosdt_hist_count(&c->window_hist);

	return n > 0 && c->window_over_bound > n - (99 * n + 99) / 100;
}

/* The SLO rules a closed window broke (QOSDT_SLO_MISSED_*). */
static uint32_t
window_slo_missed(const struct monitor_class *c, const struct monitor_counts *w,
		const struct qosdt_class_stats *st)
{
	const struct qosdt_slo *slo = &c->slo;
	uint32_t missed = 0;

	if (window_p99_above_bound(c))
		missed |= QOSDT_SLO_MISSED_LATENCY;
	if (slo->min_bandwidth_bps != 0 &&
			st->window_offered_bps >= slo->min_bandwidth_bps &&
			st->window_throughput_bps < slo->min_bandwidth_bps)
		missed |= QOSDT_SLO_MISSED_BANDWIDTH;
	if (slo->has_max_loss && w->rx_pkts != 0 &&
			(unsigned __int128)w->drop_pkts * PPM >
			(unsigned __int128)slo->max_loss_ppm * w->rx_pkts)
		missed |= QOSDT_SLO_MISSED_LOSS;
	return missed;
}

/* Fill the snapshot entry of one class with the window just closed. */
static void
close_class_window(struct monitor_class *c, struct qosdt_class_stats *st,
		unsigned int slot, uint64_t window_ns, uint64_t span_ns)
{
	struct monitor_counts w;
	uint64_t rx_span = 0, tx_span = 0;
	unsigned int i;

	w.rx_pkts = c->total.rx_pkts - c->window_start.rx_pkts;
	w.rx_bytes = c->total.rx_bytes - c->window_start.rx_bytes;
	w.tx_bytes = c->total.tx_bytes - c->window_start.tx_bytes;
	w.drop_pkts = c->total.drop_pkts - c->window_start.drop_pkts;
	c->ring_rx_bytes[slot] = w.rx_bytes;
	c->ring_tx_bytes[slot] = w.tx_bytes;
	for (i = 0; i < QOSDT_MONITOR_RATE_WINDOWS; i++) {
		rx_span += c->ring_rx_bytes[i];
		tx_span += c->ring_tx_bytes[i];
	}

	st->rx_pkts = c->total.rx_pkts;
	st->rx_bytes = c->total.rx_bytes;
	st->tx_pkts = c->total.tx_pkts;
	st->tx_bytes = c->total.tx_bytes;
	st->drop_pkts = c->total.drop_pkts;
	st->drop_bytes = c->total.drop_bytes;
	st->held_pkts = c->total.held_pkts;
	st->latency_violations = c->total.latency_violations;
	st->offered_bps = rate_bps(rx_span, span_ns);
	st->throughput_bps = rate_bps(tx_span, span_ns);
	st->window_offered_bps = rate_bps(w.rx_bytes, window_ns);
	st->window_throughput_bps = rate_bps(w.tx_bytes, window_ns);
	st->window_loss_ppm = w.rx_pkts == 0 ? 0 :
		(uint32_t)RTE_MIN(w.drop_pkts * PPM / w.rx_pkts,
			(uint64_t)UINT32_MAX);

	st->slo_missed = window_slo_missed(c, &w, st);
	st->slo_met = st->slo_missed == 0;
	c->slo_violation_windows += !st->slo_met;
	st->slo_violation_windows = c->slo_violation_windows;

	qosdt_hist_summary(&c->window_hist, &st->window_latency);
	qosdt_hist_merge(&c->total_hist, &c->window_hist);
	qosdt_hist_summary(&c->total_hist, &st->latency);

	qosdt_hist_reset(&c->window_hist);
	c->window_over_bound = 0;
	c->window_start = c->total;
}

int
qosdt_monitor_poll(struct qosdt_monitor *mon, uint64_t now_ns)
{
	unsigned int slot, i;
	uint64_t window_ns, span_ns = 0;

	if (likely(now_ns < mon->window_start_ns + mon->window_ns))
		return 0;

	window_ns = now_ns - mon->window_start_ns;
	slot = mon->windows % QOSDT_MONITOR_RATE_WINDOWS;
	mon->ring_ns[slot] = window_ns;
	for (i = 0; i < QOSDT_MONITOR_RATE_WINDOWS; i++)
		span_ns += mon->ring_ns[i];
	mon->windows++;

	for (i = 0; i < QOSDT_NB_CLASSES; i++)
		close_class_window(&mon->cls[i], &mon->work.cls[i], slot,
			window_ns, span_ns);
	mon->work.windows = mon->windows;
	mon->work.uptime_ns = now_ns - mon->start_ns;
	publish(mon);
	mon->window_start_ns = now_ns;
	return 1;
}

const struct qosdt_hist *
qosdt_monitor_latency_hist(const struct qosdt_monitor *mon, unsigned int cls)
{
	return &mon->cls[cls].total_hist;
}

void
qosdt_monitor_read(const struct qosdt_monitor *mon, struct qosdt_stats *stats)
{
	uint32_t sn;

	do {
		sn = rte_seqlock_read_begin(&mon->lock);
		*stats = mon->published;
	} while (rte_seqlock_read_retry(&mon->lock, sn));
}
