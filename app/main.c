/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qosdt: the QoS-differentiated transport's application, launched like
 * dpdk-testpmd: EAL options, "--", then its own (options.c, --help).
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include <qosdt.h>

#include "app_log.h"
#include "client.h"
#include "dedup.h"
#include "hop_trace.h"
#include "options.h"
#include "pipeline.h"
#include "port.h"
#include "report.h"
#include "scenario.h"
#include "server.h"

/*
 * The server's scheduler orders the processing; what reaches it has already
 * been shaped to the channel rate by the client. It runs at this multiple
 * of the channel rate, so that it shapes nothing itself: its queues build
 * (and its priorities and weights act) only when the services cannot keep
 * up. At the same rate as the channel, any jitter would queue for good.
 */
#define SERVER_RATE_HEADROOM 4

/*
 * The client receives replies into a pool of its own, not its classes'
 * reservations (which its requests use): enough for every RX ring full
 * and a turn in flight per queue, and the net_shm RX bursts.
 */
#define CLIENT_RX_POOL_SIZE \
	(QOSDT_NB_CLASSES * (PIPELINE_RING_SIZE + 2 * PIPELINE_BURST))

static volatile bool quit;

static void
on_signal(int sig __rte_unused)
{
	quit = true;
}

/* Everything one run holds; torn down in reverse order. */
struct app {
	struct app_options opt;
	struct qosdt_config cfg;
	struct scenario *sc;
	struct qosdt *q;
	struct rte_mempool *rx_pool;  /**< The client's: replies only. */
	struct pipeline pipe;
	bool pipeline_ok;
	bool port_ok;
	struct server server;
	struct dedup dedup;           /**< The server's, when dedup_ok. */
	bool dedup_ok;
	struct client *client;
	FILE *msg_log;                /**< --msg-log until the client takes it. */
	struct report report;
};

static void
app_report(struct app *a)
{
	struct report *r = &a->report;

	if (a->opt.role == ROLE_SERVER)
		server_report(&a->server, r);
	else
		client_report(a->client, r);
}

static void
app_tick(void *arg)
{
	struct app *a = arg;

	if (a->opt.role == ROLE_CLIENT &&
			!__atomic_load_n(&a->client->started, __ATOMIC_ACQUIRE))
		return;
	app_report(a);
	report_print(stdout, &a->report, false);
}

static int
app_load(struct app *a)
{
	char err[QOSDT_CONFIG_ERRLEN > SCENARIO_ERRLEN ?
		QOSDT_CONFIG_ERRLEN : SCENARIO_ERRLEN];

	if (qosdt_config_load(a->opt.config_path, &a->cfg, err, sizeof(err)) < 0) {
		options_file_error(a->opt.config_path, err);
		return -1;
	}
	if (a->opt.mode >= 0 || a->opt.adaptive >= 0) {
		if (a->opt.mode >= 0)
			a->cfg.mode = a->opt.mode;
		if (a->opt.adaptive >= 0)
			a->cfg.adaptive.enabled = a->opt.adaptive;
		if (qosdt_config_validate(&a->cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, "qosdt: %s with --mode %s --adaptive %s: %s\n",
				a->opt.config_path, qosdt_mode_name(a->cfg.mode),
				a->cfg.adaptive.enabled ? "on" : "off", err);
			return -1;
		}
	}
	if (a->opt.role != ROLE_CLIENT)
		return 0;
	a->sc = malloc(sizeof(*a->sc));
	if (a->sc == NULL) {
		fprintf(stderr, "qosdt: out of memory\n");
		return -1;
	}
	if (scenario_load(a->opt.scenario_path, a->cfg.channel_rate_bps, a->sc,
			err, sizeof(err)) < 0) {
		options_file_error(a->opt.scenario_path, err);
		return -1;
	}
	if (scenario_check_frames(a->sc, a->cfg.max_frame_len, err,
			sizeof(err)) < 0) {
		options_file_error(a->opt.scenario_path, err);
		return -1;
	}
	if (a->opt.duration_s > 0)
		scenario_scale(a->sc, (uint64_t)(a->opt.duration_s * 1e9));
	if (a->opt.msg_log_path != NULL) {
		a->msg_log = fopen(a->opt.msg_log_path, "w");
		if (a->msg_log == NULL) {
			fprintf(stderr, "qosdt: --msg-log: cannot write %s: %s\n",
				a->opt.msg_log_path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * The server's dedup table (before EAL: a file that cannot be used is
 * refused before the channel's region is touched). It keeps replies up to
 * the largest payload the QoS core admits.
 */
static int
app_dedup_open(struct app *a)
{
	char err[DEDUP_ERRLEN];

	if (a->opt.role != ROLE_SERVER || a->opt.dedup_entries == 0)
		return 0;
	if (dedup_open(&a->dedup, a->opt.dedup_path, a->opt.dedup_entries,
			a->cfg.max_frame_len - QOSDT_FRAME_HDR_LEN, err,
			sizeof(err)) < 0) {
		fprintf(stderr, "qosdt: %s\n", err);
		return -1;
	}
	a->dedup_ok = true;
	return 0;
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
app_setup(struct app *a)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config qcfg = a->cfg;
	struct rte_ether_addr mac;

	if (a->opt.role == ROLE_SERVER) {
		server_scale_rates(&qcfg, SERVER_RATE_HEADROOM);
		/* It orders the work; the client shaped the channel. */
		qcfg.express = true;
		if (qosdt_config_validate(&qcfg, err, sizeof(err)) < 0) {
			APP_LOG(ERR, "server scheduler at %dx the channel rate: %s",
				SERVER_RATE_HEADROOM, err);
			return -1;
		}
	}
	a->q = qosdt_create(a->opt.role == ROLE_SERVER ? "server" : "client",
		&qcfg, (int)rte_socket_id(), true);
	if (a->q == NULL) {
		APP_LOG(ERR, "cannot create the QoS instance: %s",
			rte_strerror(rte_errno));
		return -1;
	}
	if (a->opt.role == ROLE_CLIENT) {
		a->rx_pool = rte_pktmbuf_pool_create("client_rx",
			CLIENT_RX_POOL_SIZE, 0, 0, a->cfg.buffer_data_room,
			(int)rte_socket_id());
		if (a->rx_pool == NULL) {
			APP_LOG(ERR, "cannot create the reply pool: %s",
				rte_strerror(rte_errno));
			return -1;
		}
	}
	if (port_setup(a->opt.port_id, a->q, a->rx_pool, &mac) < 0)
		return -1;
	a->port_ok = true;
	if (pipeline_create(&a->pipe, "qp", a->opt.port_id, qcfg.nb_buffers) < 0)
		return -1;
	a->pipeline_ok = true;
	a->pipe.rx_hop = a->opt.role == ROLE_SERVER ? HOP_SERVER_RX : HOP_CLIENT_RX;
	a->pipe.tx_hop = a->opt.role == ROLE_SERVER ? HOP_SERVER_TX : HOP_CLIENT_TX;
	if (a->opt.trace_path != NULL && hop_trace_enable() < 0)
		return -1;
	if (a->opt.role == ROLE_SERVER) {
		server_init(&a->server, a->q, &a->pipe, &mac, a->opt.duration_s,
			&quit, a->opt.services);
		if (a->dedup_ok)
			server_set_dedup(&a->server, &a->dedup);
		return 0;
	}
	a->client = calloc(1, sizeof(*a->client));
	if (a->client == NULL || client_init(a->client, a->q, &a->pipe, &mac,
			a->sc, &quit) < 0) {
		free(a->client);
		a->client = NULL;
		return -1;
	}
	if (a->msg_log != NULL) {
		FILE *f = a->msg_log;

		a->msg_log = NULL;	/* the client's now, closed by client_fini() */
		if (client_log_open(a->client, f) < 0) {
			APP_LOG(ERR, "--msg-log: cannot write %s",
				a->opt.msg_log_path);
			return -1;
		}
	}
	client_set_link_hold(a->client, a->opt.link_wait_s);
	return 0;
}

/* Let the monitors publish what the last moments recorded. */
static void
app_flush_monitors(struct app *a)
{
	rte_delay_us_sleep((a->cfg.window_ms + 1) * 1000);
	qosdt_monitor_poll(qosdt_monitor_of(a->q), qosdt_monitor_now_ns());
	if (a->client != NULL)
		qosdt_monitor_poll(a->client->rtt, qosdt_monitor_now_ns());
}

static int
app_run(struct app *a)
{
	struct pipeline_ops ops = {
		.stage = { pipeline_stage_rx, NULL, pipeline_stage_tx },
		.arg = { &a->pipe, NULL, &a->pipe },
		.tick = app_tick,
		.tick_arg = a,
		.tick_period_s = a->opt.stats_period_s,
	};
	struct report *r = &a->report;
	uint64_t start_ns;

	if (a->opt.role == ROLE_SERVER) {
		ops.stage[STAGE_WORKER] = server_stage_worker;
		ops.arg[STAGE_WORKER] = &a->server;
		printf("qosdt: server ready on port %u, mode %s, services %s",
			a->opt.port_id, qosdt_mode_name(a->cfg.mode),
			svc_semantics_name(a->opt.services));
		if (a->dedup_ok)
			printf(", dedup %u entries in %s (life %u, %u requests remembered)",
				a->dedup.nb_entries, a->opt.dedup_path != NULL ?
				a->opt.dedup_path : "memory", a->dedup.life,
				a->dedup.loaded);
		printf("\n");
	} else {
		ops.stage[STAGE_WORKER] = client_stage_worker;
		ops.arg[STAGE_WORKER] = a->client;
		if (port_wait_link(a->opt.port_id, a->opt.link_wait_s, &quit) < 0) {
			APP_LOG(ERR, "port %u: no peer within %g s (is the server running on the same region?)",
				a->opt.port_id, a->opt.link_wait_s);
			return -1;
		}
		printf("qosdt: client running scenario %s (%.1f s), mode %s\n",
			a->sc->name, scenario_duration_ns(a->sc) / 1e9,
			qosdt_mode_name(a->cfg.mode));
	}
	fflush(stdout);
	r->role = a->opt.role == ROLE_SERVER ? "server" : "client";
	r->mode = qosdt_mode_name(a->cfg.mode);
	r->config = a->opt.config_path;
	r->scenario = a->sc != NULL ? a->sc->name : NULL;
	r->channel_bps = a->cfg.channel_rate_bps;
	r->overhead = a->cfg.frame_overhead;
	r->cfg = &a->cfg;
	r->qos = a->q;
	if (a->dedup_ok) {
		r->dedup = &a->dedup;
		r->dedup_file = a->opt.dedup_path;
	}
	for (unsigned int c = 0; c < QOSDT_NB_CLASSES; c++) {
		r->cls[c].weight = a->cfg.classes[c].weight;
		r->cls[c].guarantee_bps = a->cfg.classes[c].rate_guarantee_bps;
	}
	start_ns = qosdt_monitor_now_ns();
	r->t0_ns = start_ns;
	if (pipeline_run(&ops, a->opt.stage_lcore, &quit) < 0)
		return -1;
	if (a->client != NULL) {
		client_finish(a->client);
		r->t0_ns = a->client->start_ns;
		r->sc = a->sc;
		r->windows = &a->client->windows;
	}
	app_flush_monitors(a);
	app_report(a);
	for (unsigned int c = 0; a->client != NULL && c < QOSDT_NB_CLASSES; c++)
		r->cls[c].latency_hist = client_latency_hist(a->client, c);
	if (a->opt.role == ROLE_SERVER)
		r->duration_s = (qosdt_monitor_now_ns() - start_ns) / 1e9;
	if (a->client != NULL && !a->client->done)
		printf("qosdt: interrupted before every request was resolved\n");
	report_print(stdout, r, true);
	if (r->malformed != 0 || r->unmatched != 0 || r->stale != 0)
		printf("   malformed frames %" PRIu64 ", unmatched replies %" PRIu64
			", replies to an earlier client %" PRIu64 "\n",
			r->malformed, r->unmatched, r->stale);
	if (a->opt.results_path != NULL &&
			report_write_json(r, a->opt.results_path) < 0)
		return -1;
	if (a->opt.trace_path != NULL && hop_trace_write(a->opt.trace_path) < 0)
		return -1;
	return 0;
}

static void
app_teardown(struct app *a)
{
	if (a->port_ok)
		port_close(a->opt.port_id);
	server_fini(&a->server);
	if (a->pipeline_ok)
		pipeline_free(&a->pipe);
	if (a->client != NULL) {
		client_fini(a->client);
		free(a->client);
	}
	qosdt_free(a->q);
	rte_mempool_free(a->rx_pool);
	free(a->sc);
	if (a->msg_log != NULL)
		fclose(a->msg_log);
	if (a->dedup_ok)
		dedup_close(&a->dedup);
}

/* Parse the options after "--" (all of argv's if there is none). */
static int
app_options(int argc, char **argv, struct app_options *opt)
{
	char *sep_arg;
	int sep, rc;

	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (sep == argc && argc > 1) {
		fprintf(stderr, "qosdt: no \"--\": EAL options come first, then \"--\" and qosdt's own (see %s --help)\n",
			argv[0]);
		return -1;
	}
	if (sep == argc)
		return options_parse(1, argv, opt);
	sep_arg = argv[sep];
	argv[sep] = argv[0];
	rc = options_parse(argc - sep, argv + sep, opt);
	argv[sep] = sep_arg;
	return rc;
}

int
main(int argc, char **argv)
{
	static struct app a;
	int ret, rc;

	if (argc >= 2 && strcmp(argv[1], "--check-config") == 0)
		return options_check_config(argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
			strcmp(argv[1], "-h") == 0)) {
		options_usage(stdout, argv[0]);
		return 0;
	}
	/*
	 * Our options and files first, EAL after: EAL probes the channel's
	 * port, which creates its region, and a refusal must leave nothing
	 * behind.
	 */
	rc = app_options(argc, argv, &a.opt);
	if (rc != 0)
		return rc < 0 ? 1 : 0;
	if (app_load(&a) < 0 || app_dedup_open(&a) < 0) {
		free(a.sc);
		return 1;
	}
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "qosdt: EAL initialisation failed: %s (see %s --help)\n",
			rte_strerror(rte_errno), argv[0]);
		free(a.sc);
		if (a.msg_log != NULL)
			fclose(a.msg_log);
		if (a.dedup_ok)
			dedup_close(&a.dedup);
		return 1;
	}
	/* The packet-capture framework, as dpdk-testpmd enables it: the
	 * secondary processes dpdk-dumpcap and dpdk-pdump can then capture the
	 * channel port (doc/tools.md). It costs nothing until one does. */
	if (rte_pdump_init() < 0)
		APP_LOG(WARNING, "packet capture (rte_pdump) unavailable: %s",
			rte_strerror(rte_errno));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = app_setup(&a);
	if (rc == 0)
		rc = app_run(&a);
	app_teardown(&a);
	rte_pdump_uninit();
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
