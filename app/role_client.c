/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client role's operations (role.h): its scenario and message log,
 * its reply pool, the worker of client.c.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <qosdt.h>

#include "app_log.h"
#include "client.h"
#include "port.h"
#include "role.h"
#include "scenario.h"

/*
 * The client receives replies into a pool of its own, not its classes'
 * reservations (which its requests use): enough for every RX ring full
 * and a turn in flight per queue, and the net_shm RX bursts.
 */
#define CLIENT_RX_POOL_SIZE \
	(QOSDT_NB_CLASSES * (PIPELINE_RING_SIZE + 2 * PIPELINE_BURST))

/** The client role's state. */
struct client_role {
	struct role_env env;
	struct scenario *sc;
	FILE *msg_log;                /**< --msg-log until the client takes it. */
	struct rte_mempool *rx_pool;  /**< Replies only. */
	struct client *client;
};

static void client_role_free(void *state);

/* The scenario (checked against the channel) and the message log. */
static void *
client_role_load(const struct role_env *env)
{
	const struct app_options *o = env->opt;
	struct client_role *c = calloc(1, sizeof(*c));
	char err[SCENARIO_ERRLEN];

	if (c == NULL || (c->sc = malloc(sizeof(*c->sc))) == NULL) {
		fprintf(stderr, "qosdt: out of memory\n");
		free(c);
		return NULL;
	}
	c->env = *env;
	if (scenario_load(env->scenario_path, env->cfg->channel_rate_bps, c->sc,
			err, sizeof(err)) < 0 ||
			scenario_check_frames(c->sc, env->cfg->max_frame_len, err,
			sizeof(err)) < 0) {
		options_file_error(env->scenario_path, err);
		client_role_free(c);
		return NULL;
	}
	if (o->duration_s > 0)
		scenario_scale(c->sc, (uint64_t)(o->duration_s * 1e9));
	if (o->msg_log_path != NULL) {
		c->msg_log = fopen(o->msg_log_path, "w");
		if (c->msg_log == NULL) {
			fprintf(stderr, "qosdt: --msg-log: cannot write %s: %s\n",
				o->msg_log_path, strerror(errno));
			client_role_free(c);
			return NULL;
		}
	}
	return c;
}

/* The client's scheduler shapes the channel: the configuration as is. */
static int
client_role_qos_config(void *state __rte_unused,
		struct qosdt_config *qcfg __rte_unused)
{
	return 0;
}

static int
client_role_rx_pool(void *state, struct rte_mempool **pool)
{
	struct client_role *c = state;
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "client_rx%u", c->env.session);
	c->rx_pool = rte_pktmbuf_pool_create(name, CLIENT_RX_POOL_SIZE,
		0, 0, c->env.cfg->buffer_data_room, (int)rte_socket_id());
	if (c->rx_pool == NULL) {
		APP_LOG(ERR, "cannot create the reply pool: %s",
			rte_strerror(rte_errno));
		return -1;
	}
	*pool = c->rx_pool;
	return 0;
}

static int
client_role_setup(void *state, struct qosdt *q, struct pipeline_set *pipes,
		const struct rte_ether_addr *macs)
{
	struct client_role *c = state;

	c->client = calloc(1, sizeof(*c->client));
	if (c->client == NULL || client_init(c->client, q, &pipes->p[0],
			&macs[0], c->sc,
			c->env.done) < 0) {
		free(c->client);
		c->client = NULL;
		return -1;
	}
	if (c->msg_log != NULL) {
		FILE *f = c->msg_log;

		c->msg_log = NULL;	/* the client's now, closed by client_fini() */
		if (client_log_open(c->client, f) < 0) {
			APP_LOG(ERR, "--msg-log: cannot write %s",
				c->env.opt->msg_log_path);
			return -1;
		}
	}
	client_set_link_hold(c->client, c->env.opt->link_wait_s);
	return 0;
}

static void *
client_role_worker_arg(void *state)
{
	return ((struct client_role *)state)->client;
}

/* The load starts once the server is there. */
static int
client_role_start(void *state, struct report *r)
{
	struct client_role *c = state;
	const struct app_options *o = c->env.opt;

	if (port_wait_link(c->env.port_id, o->link_wait_s, c->env.quit) < 0) {
		APP_LOG(ERR, "port %u: no peer within %g s (is the server running on the same region?)",
			c->env.port_id, o->link_wait_s);
		return -1;
	}
	printf("qosdt: client running scenario %s (%.1f s), mode %s, port %u\n",
		c->sc->name, scenario_duration_ns(c->sc) / 1e9,
		qosdt_mode_name(c->env.cfg->mode), c->env.port_id);
	r->scenario = c->sc->name;
	return 0;
}

static bool
client_role_ready(const void *state)
{
	const struct client_role *c = state;

	return __atomic_load_n(&c->client->started, __ATOMIC_ACQUIRE);
}

static void
client_role_report(const void *state, struct report *r)
{
	client_report(((const struct client_role *)state)->client, r);
}

static void
client_role_finish(void *state, struct report *r)
{
	struct client_role *c = state;

	client_finish(c->client);
	r->t0_ns = c->client->start_ns;
	r->sc = c->sc;
	r->windows = &c->client->windows;
}

/* The round trips' monitor is the client's own. */
static void
client_role_flush(void *state)
{
	struct client_role *c = state;

	qosdt_monitor_poll(c->client->rtt, qosdt_monitor_now_ns());
}

static void
client_role_conclude(void *state, struct report *r,
		uint64_t start_ns __rte_unused)
{
	struct client_role *c = state;
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		r->cls[cls].latency_hist = client_latency_hist(c->client, cls);
	if (!c->client->done)
		printf("qosdt: interrupted before every request was resolved\n");
}

static void
client_role_fini(void *state)
{
	struct client_role *c = state;

	if (c == NULL || c->client == NULL)
		return;
	client_fini(c->client);
	free(c->client);
	c->client = NULL;
}

static void
client_role_free(void *state)
{
	struct client_role *c = state;

	if (c == NULL)
		return;
	rte_mempool_free(c->rx_pool);
	free(c->sc);
	if (c->msg_log != NULL)
		fclose(c->msg_log);
	free(c);
}

const struct role_ops role_client_ops = {
	.name = "client",
	.rx_hop = HOP_CLIENT_RX,
	.tx_hop = HOP_CLIENT_TX,
	.load = client_role_load,
	.qos_config = client_role_qos_config,
	.rx_pool = client_role_rx_pool,
	.setup = client_role_setup,
	.worker = client_stage_worker,
	.urgent = client_stage_urgent,
	.worker_arg = client_role_worker_arg,
	.start = client_role_start,
	.ready = client_role_ready,
	.report = client_role_report,
	.finish = client_role_finish,
	.flush = client_role_flush,
	.conclude = client_role_conclude,
	.fini = client_role_fini,
	.free = client_role_free,
};
