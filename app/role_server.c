/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server role's operations (role.h): its dedup table, its scheduler
 * at a multiple of the channel rate, the worker of server.c.
 */

#include <limits.h>
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
	/** Each tenant's dedup table, the first nb_dedup open. */
	struct dedup dedup[QOSDT_MAX_TENANTS];
	unsigned int nb_dedup;
	/** Each table's file; "" in process memory (server_role_dedup_file()). */
	char dedup_path[QOSDT_MAX_TENANTS][PATH_MAX];
};

/*
 * Tenant @p t's dedup table file: --dedup-file itself with one tenant,
 * FILE.<tenant name> with several; "" in process memory.
 */
static int
server_role_dedup_path(struct server_role *s, unsigned int t)
{
	const struct qosdt_config *cfg = s->env.cfg;
	const char *path = s->env.opt->dedup_path;
	char *out = s->dedup_path[t];
	int n;

	if (path == NULL)
		return 0;
	if (cfg->tenants.nb > 1)
		n = snprintf(out, PATH_MAX, "%s.%s", path,
			cfg->tenants.t[t].name);
	else
		n = snprintf(out, PATH_MAX, "%s", path);
	if (n < 0 || n >= PATH_MAX) {
		fprintf(stderr, "qosdt: --dedup-file %s: too long for tenant \"%s\"'s table\n",
			path, cfg->tenants.t[t].name);
		return -1;
	}
	return 0;
}

/* Tenant @p t's dedup table file; NULL: in process memory. */
static const char *
server_role_dedup_file(const struct server_role *s, unsigned int t)
{
	return s->dedup_path[t][0] != '\0' ? s->dedup_path[t] : NULL;
}

/*
 * The dedup tables, one per tenant (before EAL: a file that cannot be used
 * is refused before the channel's region is touched). Request ids are the
 * client VM's own, so one table for all would let a tenant evict another's
 * entries, or be answered from them. Each keeps replies up to the largest
 * payload the QoS core admits.
 */
static void *
server_role_load(const struct role_env *env)
{
	struct server_role *s = calloc(1, sizeof(*s));
	unsigned int nb = RTE_MAX(env->cfg->tenants.nb, 1u), t;
	char err[DEDUP_ERRLEN];

	if (s == NULL) {
		fprintf(stderr, "qosdt: out of memory\n");
		return NULL;
	}
	s->env = *env;
	if (env->opt->dedup_entries == 0)
		return s;
	for (t = 0; t < nb; t++) {
		if (server_role_dedup_path(s, t) < 0)
			goto fail;
		if (dedup_open(&s->dedup[t], server_role_dedup_file(s, t),
				env->opt->dedup_entries,
				env->cfg->max_frame_len - QOSDT_FRAME_HDR_LEN,
				err, sizeof(err)) < 0) {
			fprintf(stderr, "qosdt: %s\n", err);
			goto fail;
		}
		s->nb_dedup++;
	}
	return s;
fail:
	while (s->nb_dedup > 0)
		dedup_close(&s->dedup[--s->nb_dedup]);
	free(s);
	return NULL;
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
	unsigned int t;

	server_init(&s->server, q, pipes, macs, s->env.opt->duration_s,
		s->env.done, s->env.opt->services);
	for (t = 0; t < s->nb_dedup; t++)
		server_set_dedup(&s->server, t, &s->dedup[t]);
	return 0;
}

static void *
server_role_worker_arg(void *state)
{
	return &((struct server_role *)state)->server;
}

/* "dedup N entries in FILE (life L, R requests remembered)" of table t. */
static void
server_role_print_dedup(const struct server_role *s, unsigned int t)
{
	const struct dedup *d = &s->dedup[t];
	const char *file = server_role_dedup_file(s, t);

	printf("dedup %u entries in %s (life %u, %u requests remembered)",
		d->nb_entries, file != NULL ? file : "memory", d->life,
		d->loaded);
}

static int
server_role_start(void *state, struct report *r)
{
	struct server_role *s = state;
	const struct app_options *o = s->env.opt;
	const struct qosdt_config *cfg = s->env.cfg;
	unsigned int t;

	if (cfg->tenants.nb > 1)
		printf("qosdt: server ready on ports %u-%u (tenants %u), mode %s, services %s",
			o->port_id, o->port_id + cfg->tenants.nb - 1,
			cfg->tenants.nb, qosdt_mode_name(cfg->mode),
			svc_semantics_name(o->services));
	else
		printf("qosdt: server ready on port %u, mode %s, services %s",
			o->port_id, qosdt_mode_name(cfg->mode),
			svc_semantics_name(o->services));
	if (s->nb_dedup == 0)
		printf(", dedup off");
	else if (s->nb_dedup == 1) {
		printf(", ");
		server_role_print_dedup(s, 0);
	}
	for (t = 0; s->nb_dedup > 1 && t < s->nb_dedup; t++) {
		printf("%s tenant %s: ", t == 0 ? "; per tenant:" : ";",
			cfg->tenants.t[t].name);
		server_role_print_dedup(s, t);
	}
	printf("\n");
	if (s->nb_dedup == 1) {
		r->dedup = &s->dedup[0];
		r->dedup_file = server_role_dedup_file(s, 0);
	}
	for (t = 0; s->nb_dedup > 1 && t < s->nb_dedup; t++) {
		r->tenants[t].dedup = &s->dedup[t];
		r->tenants[t].dedup_file = server_role_dedup_file(s, t);
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
	while (s->nb_dedup > 0)
		dedup_close(&s->dedup[--s->nb_dedup]);
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
