/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server role's operations (role.h): its dedup table, its scheduler
 * at a multiple of the channel rate, the worker of server.c.
 */

#include <stdio.h>
#include <stdlib.h>

#include <qosdt.h>
#include <qosdt_msg.h>

#include "app_log.h"
#include "dedup.h"
#include "role.h"
#include "server.h"
#include "services.h"

/*
 * The server's scheduler orders the processing; what reaches it has already
 * been shaped to the channel rate by the client. It runs at this multiple
 * of the channel rate, so that it shapes nothing itself: its queues build
 * (and its priorities and weights act) only when the services cannot keep
 * up. At the same rate as the channel, any jitter would queue for good.
 */
#define SERVER_RATE_HEADROOM 4

/** The server role's state. */
struct server_role {
	struct role_env env;
	struct server server;
	struct dedup dedup;           /**< When dedup_ok. */
	bool dedup_ok;
};

/*
 * The dedup table (before EAL: a file that cannot be used is refused
 * before the channel's region is touched). It keeps replies up to the
 * largest payload the QoS core admits.
 */
static void *
server_role_load(const struct role_env *env)
{
	struct server_role *s = calloc(1, sizeof(*s));
	char err[DEDUP_ERRLEN];

	if (s == NULL) {
		fprintf(stderr, "qosdt: out of memory\n");
		return NULL;
	}
	s->env = *env;
	if (env->opt->dedup_entries == 0)
		return s;
	/* One table keyed by request id would answer one client VM's
	 * request with another's reply (doc/tenants.md). */
	if (env->cfg->tenants.nb > 1) {
		if (env->opt->dedup_path != NULL) {
			fprintf(stderr, "qosdt: --dedup-file: not with %u tenants (one table per tenant is not built: doc/tenants.md)\n",
				env->cfg->tenants.nb);
			free(s);
			return NULL;
		}
		return s;
	}
	if (dedup_open(&s->dedup, env->opt->dedup_path,
			env->opt->dedup_entries,
			env->cfg->max_frame_len - QOSDT_FRAME_HDR_LEN, err,
			sizeof(err)) < 0) {
		fprintf(stderr, "qosdt: %s\n", err);
		free(s);
		return NULL;
	}
	s->dedup_ok = true;
	return s;
}

/*
 * The server's rates: the channel's and every rate derived from it (the
 * realtime cap and the controller's bounds on it, the guarantees), so that
 * its classes keep their proportions and nothing is shaped twice.
 */
static void
server_scale_rates(struct qosdt_config *cfg, unsigned int factor)
{
	struct qosdt_adaptive_bounds *b;
	struct qosdt_class_config *cc;
	unsigned int c;

	cfg->channel_rate_bps *= factor;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		cc = &cfg->classes[c];
		b = &cfg->adaptive.bounds[c];
		cc->rate_cap_bps *= factor;
		cc->rate_guarantee_bps *= factor;
		b->rate_cap_min_bps *= factor;
		b->rate_cap_max_bps *= factor;
	}
}

static int
server_role_qos_config(void *state __rte_unused, struct qosdt_config *qcfg)
{
	char err[QOSDT_CONFIG_ERRLEN];

	server_scale_rates(qcfg, SERVER_RATE_HEADROOM);
	/* It orders the work; the client shaped the channel. */
	qcfg->express = true;
	if (qosdt_config_validate(qcfg, err, sizeof(err)) < 0) {
		APP_LOG(ERR, "server scheduler at %dx the channel rate: %s",
			SERVER_RATE_HEADROOM, err);
		return -1;
	}
	return 0;
}

/* Requests are received into their class's pool: none of its own. */
static int
server_role_rx_pool(void *state __rte_unused, struct rte_mempool **pool)
{
	*pool = NULL;
	return 0;
}

static int
server_role_setup(void *state, struct qosdt *q, struct pipeline_set *pipes,
		const struct rte_ether_addr *macs)
{
	struct server_role *s = state;

	server_init(&s->server, q, pipes, macs, s->env.opt->duration_s,
		s->env.done, s->env.opt->services);
	if (s->dedup_ok)
		server_set_dedup(&s->server, &s->dedup);
	return 0;
}

static void *
server_role_worker_arg(void *state)
{
	return &((struct server_role *)state)->server;
}

static int
server_role_start(void *state, struct report *r)
{
	struct server_role *s = state;
	const struct app_options *o = s->env.opt;

	if (s->env.cfg->tenants.nb > 1)
		printf("qosdt: server ready on ports %u-%u (tenants %u), mode %s, services %s, dedup off",
			o->port_id, o->port_id + s->env.cfg->tenants.nb - 1,
			s->env.cfg->tenants.nb, qosdt_mode_name(s->env.cfg->mode),
			svc_semantics_name(o->services));
	else
		printf("qosdt: server ready on port %u, mode %s, services %s",
			o->port_id, qosdt_mode_name(s->env.cfg->mode),
			svc_semantics_name(o->services));
	if (s->dedup_ok)
		printf(", dedup %u entries in %s (life %u, %u requests remembered)",
			s->dedup.nb_entries, o->dedup_path != NULL ?
			o->dedup_path : "memory", s->dedup.life,
			s->dedup.loaded);
	printf("\n");
	if (s->dedup_ok) {
		r->dedup = &s->dedup;
		r->dedup_file = o->dedup_path;
	}
	return 0;
}

static bool
server_role_ready(const void *state __rte_unused)
{
	return true;
}

static void
server_role_report(const void *state, struct report *r)
{
	server_report(&((const struct server_role *)state)->server, r);
}

static void
server_role_finish(void *state __rte_unused, struct report *r __rte_unused)
{
}

static void
server_role_flush(void *state __rte_unused)
{
}

/* The server ran from start to stop. */
static void
server_role_conclude(void *state __rte_unused, struct report *r,
		uint64_t start_ns)
{
	r->duration_s = (qosdt_monitor_now_ns() - start_ns) / 1e9;
}

static void
server_role_fini(void *state)
{
	struct server_role *s = state;

	if (s != NULL)
		server_fini(&s->server);
}

static void
server_role_free(void *state)
{
	struct server_role *s = state;

	if (s == NULL)
		return;
	if (s->dedup_ok)
		dedup_close(&s->dedup);
	free(s);
}

const struct role_ops role_server_ops = {
	.name = "server",
	.rx_hop = HOP_SERVER_RX,
	.tx_hop = HOP_SERVER_TX,
	.load = server_role_load,
	.qos_config = server_role_qos_config,
	.rx_pool = server_role_rx_pool,
	.setup = server_role_setup,
	.worker = server_stage_worker,
	.worker_arg = server_role_worker_arg,
	.start = server_role_start,
	.ready = server_role_ready,
	.report = server_role_report,
	.finish = server_role_finish,
	.flush = server_role_flush,
	.conclude = server_role_conclude,
	.fini = server_role_fini,
	.free = server_role_free,
};
