/* SPDX-License-Identifier: BSD-3-Clause */

#include <stdio.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <qosdt_mbuf.h>

#include "app_log.h"
#include "pipeline.h"

int
pipe_create(struct pipe *p, const char *name, uint16_t port_id)
{
	char rname[RTE_RING_NAMESIZE];
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->port_id = port_id;
	for (i = 0; i <= QOSDT_NB_CLASSES; i++) {
		struct rte_ring *r;

		snprintf(rname, sizeof(rname), "%s_%s%u", name,
			i < QOSDT_NB_CLASSES ? "rx" : "tx", i);
		r = rte_ring_create(rname, PIPE_RING_SIZE, rte_socket_id(),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (r == NULL) {
			APP_LOG(ERR, "ring %s: %s", rname, rte_strerror(rte_errno));
			pipe_free(p);
			return -1;
		}
		if (i < QOSDT_NB_CLASSES)
			p->rx_ring[i] = r;
		else
			p->tx_ring = r;
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
pipe_free(struct pipe *p)
{
	unsigned int i;

	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		ring_drain_free(p->rx_ring[i]);
		p->rx_ring[i] = NULL;
		rte_pktmbuf_free_bulk(p->tx_pending[i], p->nb_tx_pending[i]);
		p->nb_tx_pending[i] = 0;
	}
	ring_drain_free(p->tx_ring);
	p->tx_ring = NULL;
}

unsigned int
pipe_stage_rx(void *arg)
{
	struct pipe *p = arg;
	struct rte_mbuf *pkts[PIPE_TURN];
	unsigned int total = 0, room;
	uint16_t q, n;

	for (q = 0; q < QOSDT_NB_CLASSES; q++) {
		room = rte_ring_free_count(p->rx_ring[q]);
		if (room == 0)
			continue;
		n = rte_eth_rx_burst(p->port_id, q, pkts,
			RTE_MIN(room, (unsigned int)PIPE_TURN));
		if (n == 0)
			continue;
		/* Single producer: the room counted is still there. */
		rte_ring_sp_enqueue_burst(p->rx_ring[q], (void **)pkts, n, NULL);
		p->cnt.rx_pkts[q] += n;
		total += n;
	}
	return total;
}

/* Send up to a turn of what is pending on queue q; keeps the rest in order. */
static unsigned int
tx_flush(struct pipe *p, uint16_t q)
{
	uint16_t n = p->nb_tx_pending[q], sent;

	if (n == 0)
		return 0;
	sent = rte_eth_tx_burst(p->port_id, q, p->tx_pending[q],
		RTE_MIN(n, (uint16_t)PIPE_TURN));
	if (sent < n)
		memmove(p->tx_pending[q], p->tx_pending[q] + sent,
			(n - sent) * sizeof(p->tx_pending[q][0]));
	p->nb_tx_pending[q] = n - sent;
	p->cnt.tx_pkts[q] += sent;
	return sent;
}

unsigned int
pipe_stage_tx(void *arg)
{
	struct pipe *p = arg;
	struct rte_mbuf *pkts[PIPE_BURST];
	unsigned int total = 0, i, n;
	uint16_t q;

	for (q = 0; q < QOSDT_NB_CLASSES; q++)
		if (p->nb_tx_pending[q] > PIPE_TX_PENDING - PIPE_BURST)
			goto flush;
	n = rte_ring_sc_dequeue_burst(p->tx_ring, (void **)pkts, PIPE_BURST,
		NULL);
	for (i = 0; i < n; i++) {
		q = qosdt_mbuf_meta(pkts[i])->cls;
		if (q >= QOSDT_NB_CLASSES)
			q = QOSDT_CLASS_BEST_EFFORT;
		p->tx_pending[q][p->nb_tx_pending[q]++] = pkts[i];
	}
flush:
	for (q = 0; q < QOSDT_NB_CLASSES; q++)
		total += tx_flush(p, q);
	return total;
}

unsigned int
pipe_in_flight(const struct pipe *p)
{
	unsigned int n = rte_ring_count(p->tx_ring), q;

	for (q = 0; q < QOSDT_NB_CLASSES; q++)
		n += rte_ring_count(p->rx_ring[q]) + p->nb_tx_pending[q];
	return n;
}

/* What one lcore runs. */
struct lcore_job {
	const struct pipe_ops *ops;
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
	const struct pipe_ops *ops = job->ops;
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

int
pipe_run(const struct pipe_ops *ops, const int *stage_lcore,
		volatile bool *quit)
{
	unsigned int main_lcore = rte_get_main_lcore(), lcore, s;
	int rc;

	memset(lcore_jobs, 0, sizeof(lcore_jobs));
	for (s = 0; s < STAGE_MAX; s++) {
		lcore = stage_lcore[s] < 0 ? main_lcore : (unsigned int)stage_lcore[s];
		if (lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore)) {
			APP_LOG(ERR, "--stage-lcores: lcore %u (%s stage) is not in the EAL lcore list",
				lcore, options_stage_name(s));
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
