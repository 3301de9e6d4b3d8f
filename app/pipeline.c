/* SPDX-License-Identifier: BSD-3-Clause */

#include <stdio.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <qosdt.h>

#include "app_log.h"
#include "pipeline.h"

static int
fifo_create(struct pipeline_fifo *f, uint32_t nb_mbufs)
{
	uint32_t size = rte_align32pow2(nb_mbufs + 1);

	f->slots = rte_zmalloc("qosdt_tx_pending", size * sizeof(f->slots[0]),
		RTE_CACHE_LINE_SIZE);
	f->mask = size - 1;
	f->head = 0;
	f->tail = 0;
	return f->slots == NULL ? -1 : 0;
}

static void
fifo_free(struct pipeline_fifo *f)
{
	if (f->slots == NULL)
		return;
	for (; f->head != f->tail; f->head++)
		rte_pktmbuf_free(f->slots[f->head & f->mask]);
	rte_free(f->slots);
	f->slots = NULL;
}

int
pipeline_create(struct pipeline *p, const char *name, uint16_t port_id,
		uint32_t nb_mbufs)
{
	char rname[RTE_RING_NAMESIZE];
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->port_id = port_id;
	for (i = 0; i <= QOSDT_NB_CLASSES; i++) {
		struct rte_ring *r;

		snprintf(rname, sizeof(rname), "%s_%s%u", name,
			i < QOSDT_NB_CLASSES ? "rx" : "tx", i);
		r = rte_ring_create(rname, PIPELINE_RING_SIZE, rte_socket_id(),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (r == NULL) {
			APP_LOG(ERR, "ring %s: %s", rname, rte_strerror(rte_errno));
			pipeline_free(p);
			return -1;
		}
		if (i < QOSDT_NB_CLASSES)
			p->rx_ring[i] = r;
		else
			p->tx_ring = r;
	}
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		if (fifo_create(&p->tx_pending[i], nb_mbufs) < 0) {
			APP_LOG(ERR, "%s: no memory for the TX FIFOs", name);
			pipeline_free(p);
			return -1;
		}
	}
	return 0;
}

static void
ring_drain_free(struct rte_ring *r)
{
	struct rte_mbuf *m;

	if (r == NULL)
		return;
	while (rte_ring_sc_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
pipeline_free(struct pipeline *p)
{
	unsigned int i;

	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		ring_drain_free(p->rx_ring[i]);
		p->rx_ring[i] = NULL;
		fifo_free(&p->tx_pending[i]);
	}
	ring_drain_free(p->tx_ring);
	p->tx_ring = NULL;
}

unsigned int
pipeline_rx_queue(struct pipeline *p, uint16_t q)
{
	struct rte_mbuf *pkts[PIPELINE_TURN];
	unsigned int room;
	uint16_t n;

	room = rte_ring_free_count(p->rx_ring[q]);
	if (room == 0)
		return 0;
	n = rte_eth_rx_burst(p->port_id, q, pkts,
		RTE_MIN(room, (unsigned int)PIPELINE_TURN));
	if (unlikely(hop_trace_on))
		for (uint16_t i = 0; i < n; i++)
			hop_trace_stamp(pkts[i], q, p->rx_hop);
	/* Single producer: the room counted is still there. */
	rte_ring_sp_enqueue_burst(p->rx_ring[q], (void **)pkts, n, NULL);
	return n;
}

unsigned int
pipeline_stage_rx(void *arg)
{
	struct pipeline *p = arg;
	unsigned int total = 0;
	uint16_t q;

	for (q = 0; q < QOSDT_NB_CLASSES; q++)
		total += pipeline_rx_queue(p, q);
	return total;
}

/* Send up to a turn of what is pending on queue q, in order. */
static unsigned int
tx_flush(struct pipeline *p, uint16_t q)
{
	struct pipeline_fifo *f = &p->tx_pending[q];
	uint32_t n = RTE_MIN(f->tail - f->head, (uint32_t)PIPELINE_TURN), i;
	struct rte_mbuf *pkts[PIPELINE_TURN];
	uint16_t sent;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		pkts[i] = f->slots[(f->head + i) & f->mask];
	sent = rte_eth_tx_burst(p->port_id, q, pkts, n);
	if (unlikely(hop_trace_on))
		for (i = 0; i < sent; i++)
			hop_trace_stamp(pkts[i], q, p->tx_hop);
	__atomic_store_n(&f->head, f->head + sent, __ATOMIC_RELAXED);
	return sent;
}

unsigned int
pipeline_stage_tx(void *arg)
{
	struct pipeline *p = arg;
	struct rte_mbuf *pkts[PIPELINE_BURST];
	unsigned int total = 0, i, n;
	uint16_t q;

	/* Never blocked: each FIFO can hold every mbuf there is. */
	n = rte_ring_sc_dequeue_burst(p->tx_ring, (void **)pkts, PIPELINE_BURST,
		NULL);
	for (i = 0; i < n; i++) {
		struct pipeline_fifo *f;

		q = qosdt_mbuf_meta(pkts[i])->cls;
		if (q >= QOSDT_NB_CLASSES)
			q = QOSDT_CLASS_BEST_EFFORT;
		f = &p->tx_pending[q];
		f->slots[f->tail & f->mask] = pkts[i];
		__atomic_store_n(&f->tail, f->tail + 1, __ATOMIC_RELAXED);
	}
	for (q = 0; q < QOSDT_NB_CLASSES; q++)
		total += tx_flush(p, q);
	return total;
}

unsigned int
pipeline_set_stage_rx(void *arg)
{
	struct pipeline_set *set = arg;
	unsigned int i, total = 0;

	for (i = 0; i < set->n; i++)
		total += pipeline_stage_rx(&set->p[i]);
	return total;
}

unsigned int
pipeline_set_stage_tx(void *arg)
{
	struct pipeline_set *set = arg;
	unsigned int i, total = 0;

	for (i = 0; i < set->n; i++)
		total += pipeline_stage_tx(&set->p[i]);
	return total;
}

unsigned int
pipeline_tx_depth(const struct pipeline *p, unsigned int q)
{
	const struct pipeline_fifo *f = &p->tx_pending[q];
	/* head first: it never passes tail, so the difference never wraps. */
	uint32_t head = __atomic_load_n(&f->head, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&f->tail, __ATOMIC_ACQUIRE) - head;
}

bool
pipeline_held_retry(struct qosdt *q, uint32_t tenant, struct pipeline_held *h)
{
	uint16_t k;

	if (h->n == 0)
		return true;
	k = qosdt_enqueue_tenant_classified_burst(q, tenant, h->pkts, h->n);
	memmove(h->pkts, h->pkts + k, (h->n - k) * sizeof(h->pkts[0]));
	h->n -= k;
	return h->n == 0;
}

void
pipeline_held_free(struct pipeline_held *h)
{
	rte_pktmbuf_free_bulk(h->pkts, h->n);
	h->n = 0;
}

/* What one lcore runs. */
struct lcore_job {
	const struct pipeline_ops *ops;
	volatile bool *quit;
	bool stage_on[STAGE_MAX];
	bool main;
	bool busy;     /* runs at least one stage */
};

static struct lcore_job lcore_jobs[RTE_MAX_LCORE];

static int
lcore_loop(void *arg)
{
	struct lcore_job *job = arg;
	const struct pipeline_ops *ops = job->ops;
	uint64_t period = 0, next_tick = UINT64_MAX;
	unsigned int s;

	if (job->main && ops->tick != NULL && ops->tick_period_s > 0) {
		period = (uint64_t)(ops->tick_period_s * rte_get_tsc_hz());
		next_tick = rte_get_tsc_cycles() + period;
	}
	while (!*job->quit) {
		unsigned int work = 0;

		for (s = 0; s < STAGE_MAX; s++)
			if (job->stage_on[s])
				work += ops->stage[s](ops->arg[s]);
		if (period != 0 && rte_get_tsc_cycles() >= next_tick) {
			ops->tick(ops->tick_arg);
			next_tick += period;
		}
		/* An lcore with nothing but the tick sleeps between ticks. */
		if (!job->busy)
			rte_delay_us_sleep(1000);
		else if (work == 0)
			rte_pause();
	}
	return 0;
}

/* The lcore stage s runs on: its own, or the main lcore's (-1). */
static unsigned int
stage_lcore_of(const int *stage_lcore, unsigned int s)
{
	return stage_lcore[s] < 0 ? rte_get_main_lcore() :
		(unsigned int)stage_lcore[s];
}

bool
pipeline_one_lcore(const int *stage_lcore)
{
	unsigned int s;

	for (s = 1; s < STAGE_MAX; s++)
		if (stage_lcore_of(stage_lcore, s) !=
				stage_lcore_of(stage_lcore, 0))
			return false;
	return true;
}

int
pipeline_run(const struct pipeline_ops *ops, const int *stage_lcore,
		volatile bool *quit)
{
	unsigned int main_lcore = rte_get_main_lcore(), lcore, s;
	int rc;

	memset(lcore_jobs, 0, sizeof(lcore_jobs));
	for (s = 0; s < STAGE_MAX; s++) {
		lcore = stage_lcore_of(stage_lcore, s);
		if (lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore)) {
			APP_LOG(ERR, "--stage-lcores: lcore %u (%s stage) is not in the EAL lcore list",
				lcore, pipeline_stage_name(s));
			return -1;
		}
		lcore_jobs[lcore].stage_on[s] = true;
		lcore_jobs[lcore].busy = true;
	}
	RTE_LCORE_FOREACH(lcore) {
		lcore_jobs[lcore].ops = ops;
		lcore_jobs[lcore].quit = quit;
		lcore_jobs[lcore].main = lcore == main_lcore;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct lcore_job *job = &lcore_jobs[lcore];

		if (!job->busy)
			continue;
		rc = rte_eal_remote_launch(lcore_loop, job, lcore);
		if (rc != 0) {
			APP_LOG(ERR, "lcore %u: launch: %s", lcore, rte_strerror(-rc));
			*quit = true;
			rte_eal_mp_wait_lcore();
			return -1;
		}
	}
	lcore_loop(&lcore_jobs[main_lcore]);
	rte_eal_mp_wait_lcore();
	return 0;
}
