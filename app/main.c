/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qosdt: the QoS-differentiated transport's application, launched like
 * dpdk-testpmd: EAL options, "--", then its own (options.c, --help).
 */

#include <limits.h>
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
#include "hop_trace.h"
#include "options.h"
#include "pipeline.h"
#include "port.h"
#include "report.h"
#include "role.h"

static volatile bool quit;

static void
on_signal(int sig __rte_unused)
{
	quit = true;
}

/*
 * One QoS instance, the role's state over it and its ports: a server's
 * (its tenants' ports), or one client VM's (a client process emulates one
 * per --scenario: doc/tenants.md).
 */
struct session {
	struct role_env env;
	void *state;                  /**< The role's (role->load()). */
	void *worker_arg;             /**< role->worker_arg(state). */
	struct qosdt *q;
	/** One pipeline per port: the ports env.port_id .. + n - 1, port i
	 *  serving tenant i (a client has one). */
	struct pipeline_set pipes;
	unsigned int nb_pipelines_ok;
	unsigned int nb_ports_ok;
	struct report report;
	volatile bool done;           /**< env.done: its work is over. */
};

/*
 * Everything one run holds; torn down in reverse order. What is the
 * role's (server or client) is in its states, behind its operations
 * (role.h): nothing here knows which role runs.
 */
struct app {
	struct app_options opt;
	struct qosdt_config cfg;
	const struct role_ops *role;
	unsigned int nb_sessions;
	struct session s[APP_MAX_CLIENTS];
};

static void
app_tick(void *arg)
{
	struct app *a = arg;
	unsigned int i;

	for (i = 0; i < a->nb_sessions; i++) {
		struct session *se = &a->s[i];

		if (!a->role->ready(se->state))
			continue;
		a->role->report(se->state, &se->report);
		report_print(stdout, &se->report, false);
	}
}

/* Stop the run once every session's work is over. */
static void
app_stop_when_done(const struct app *a)
{
	unsigned int i;

	for (i = 0; i < a->nb_sessions; i++)
		if (!a->s[i].done)
			return;
	quit = true;
}

/*
 * The worker, RX and TX stages of every session, one after another. The
 * run stops once every session is done (one that is keeps being polled:
 * its port may still bring stale replies).
 */
static unsigned int
app_stage_worker(void *arg)
{
	struct app *a = arg;
	unsigned int i, work = 0;

	for (i = 0; i < a->nb_sessions; i++)
		work += a->role->worker(a->s[i].worker_arg);
	app_stop_when_done(a);
	return work;
}

/*
 * Every stage of every session on one lcore: each session's RX, worker
 * and TX in a row (its requests leave at once), and after each, the
 * urgent work of the others (the client's realtime replies), so that
 * one session's realtime waits for one other session's turn, not a
 * whole round of them (doc/tenants.md).
 */
static unsigned int
app_stage_sessions(void *arg)
{
	struct app *a = arg;
	unsigned int i, j, work = 0;

	for (i = 0; i < a->nb_sessions; i++) {
		struct session *se = &a->s[i];

		work += pipeline_set_stage_rx(&se->pipes);
		work += a->role->worker(se->worker_arg);
		work += pipeline_set_stage_tx(&se->pipes);
		for (j = 0; a->role->urgent != NULL && j < a->nb_sessions; j++)
			if (j != i)
				work += a->role->urgent(a->s[j].worker_arg);
	}
	app_stop_when_done(a);
	return work;
}

static unsigned int
app_stage_none(void *arg __rte_unused)
{
	return 0;
}

static unsigned int
app_stage_rx(void *arg)
{
	struct app *a = arg;
	unsigned int i, work = 0;

	for (i = 0; i < a->nb_sessions; i++)
		work += pipeline_set_stage_rx(&a->s[i].pipes);
	return work;
}

static unsigned int
app_stage_tx(void *arg)
{
	struct app *a = arg;
	unsigned int i, work = 0;

	for (i = 0; i < a->nb_sessions; i++)
		work += pipeline_set_stage_tx(&a->s[i].pipes);
	return work;
}

/* The channel's configuration, then the role's own files. */
static int
app_load(struct app *a)
{
	char err[QOSDT_CONFIG_ERRLEN];
	unsigned int i;

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
	a->role = role_ops_find(a->opt.role);
	if (a->role == NULL) {
		fprintf(stderr, "qosdt: no role\n");
		return -1;
	}
	if (a->cfg.tenants.nb > 1 && a->role != &role_server_ops) {
		fprintf(stderr, "qosdt: %s: tenants.count %u: a service VM's (--role server) configuration; a client serves one channel (doc/tenants.md)\n",
			a->opt.config_path, a->cfg.tenants.nb);
		return -1;
	}
	if ((unsigned int)a->opt.port_id + a->cfg.tenants.nb > RTE_MAX_ETHPORTS) {
		fprintf(stderr, "qosdt: --port %u with %u tenants: past the last ethdev port (%u)\n",
			a->opt.port_id, a->cfg.tenants.nb, RTE_MAX_ETHPORTS - 1);
		return -1;
	}
	/* A client process runs a client VM per --scenario, on ports
	 * --port, --port + 1, ...; a server, one session. */
	a->nb_sessions = a->role == &role_client_ops ? a->opt.nb_scenarios : 1;
	if ((unsigned int)a->opt.port_id + a->nb_sessions > RTE_MAX_ETHPORTS) {
		fprintf(stderr, "qosdt: --port %u with %u scenarios: past the last ethdev port (%u)\n",
			a->opt.port_id, a->nb_sessions, RTE_MAX_ETHPORTS - 1);
		return -1;
	}
	for (i = 0; i < a->nb_sessions; i++) {
		struct session *se = &a->s[i];

		se->env = (struct role_env){
			.opt = &a->opt, .cfg = &a->cfg, .quit = &quit,
			.done = &se->done, .session = i, .port_id = a->opt.port_id + i,
			.scenario_path = a->opt.scenario_paths[i],
		};
		se->state = a->role->load(&se->env);
		if (se->state == NULL)
			return -1;
	}
	return 0;
}

/*
 * A session's QoS instance (the first one exported over telemetry: one at
 * a time), its ports and pipelines, the role's worker.
 */
static int
session_setup(struct app *a, struct session *se)
{
	static struct rte_ether_addr macs[QOSDT_MAX_TENANTS];
	struct qosdt_config qcfg = a->cfg;
	struct rte_mempool *rx_pool;
	char name[16];
	unsigned int i;

	if (a->role->qos_config(se->state, &qcfg) < 0)
		return -1;
	if (se->env.session == 0)
		snprintf(name, sizeof(name), "%s", a->role->name);
	else
		snprintf(name, sizeof(name), "%s%u", a->role->name,
			se->env.session);
	se->q = qosdt_create(name, &qcfg, (int)rte_socket_id(),
		se->env.session == 0);
	if (se->q == NULL) {
		APP_LOG(ERR, "cannot create the QoS instance %s: %s", name,
			rte_strerror(rte_errno));
		return -1;
	}
	if (a->role->rx_pool(se->state, &rx_pool) < 0)
		return -1;
	se->pipes.n = qosdt_nb_tenants(se->q);
	for (i = 0; i < se->pipes.n; i++) {
		uint16_t port = se->env.port_id + i;
		struct pipeline *p = &se->pipes.p[i];

		if (port_setup(port, se->q, i, rx_pool, &macs[i]) < 0)
			return -1;
		se->nb_ports_ok++;
		snprintf(name, sizeof(name), "qp%u", port);
		if (pipeline_create(p, name, port, qcfg.nb_buffers) < 0)
			return -1;
		se->nb_pipelines_ok++;
		p->rx_hop = a->role->rx_hop;
		p->tx_hop = a->role->tx_hop;
	}
	if (a->role->setup(se->state, se->q, &se->pipes, macs) < 0)
		return -1;
	se->worker_arg = a->role->worker_arg(se->state);
	return 0;
}

static int
app_setup(struct app *a)
{
	unsigned int i;

	if (a->opt.trace_path != NULL && hop_trace_enable() < 0)
		return -1;
	for (i = 0; i < a->nb_sessions; i++)
		if (session_setup(a, &a->s[i]) < 0)
			return -1;
	return 0;
}

/* Let the monitors publish what the last moments recorded. */
static void
app_flush_monitors(struct app *a)
{
	unsigned int i;

	rte_delay_us_sleep((a->cfg.window_ms + 1) * 1000);
	for (i = 0; i < a->nb_sessions; i++) {
		qosdt_stats_poll(a->s[i].q);
		a->role->flush(a->s[i].state);
	}
}

/* A session's report before the run: what the configuration says. */
static void
session_report_init(struct app *a, struct session *se, uint64_t start_ns)
{
	struct report *r = &se->report;

	r->role = a->role->name;
	r->mode = qosdt_mode_name(a->cfg.mode);
	r->config = a->opt.config_path;
	r->channel_bps = a->cfg.channel_rate_bps;
	r->overhead = a->cfg.frame_overhead;
	r->cfg = &a->cfg;
	r->qos = se->q;
	for (unsigned int c = 0; c < QOSDT_NB_CLASSES; c++) {
		r->cls[c].weight = a->cfg.classes[c].weight;
		r->cls[c].guarantee_bps = a->cfg.classes[c].rate_guarantee_bps;
	}
	r->t0_ns = start_ns;
}

/* A session's final report: printed, and written with --results. */
static int
session_conclude(struct app *a, struct session *se, uint64_t start_ns)
{
	struct report *r = &se->report;
	char path[PATH_MAX];

	a->role->report(se->state, r);
	a->role->conclude(se->state, r, start_ns);
	report_print(stdout, r, true);
	if (r->malformed != 0 || r->unmatched != 0 || r->stale != 0)
		printf("   malformed frames %" PRIu64 ", unmatched replies %" PRIu64
			", replies to an earlier client %" PRIu64 "\n",
			r->malformed, r->unmatched, r->stale);
	if (a->opt.results_path == NULL)
		return 0;
	if (options_results_path(&a->opt, se->env.session, path,
			sizeof(path)) < 0)
		return -1;
	return report_write_json(r, path);
}

static int
app_run(struct app *a)
{
	struct pipeline_ops ops = {
		.stage = { app_stage_rx, app_stage_worker, app_stage_tx },
		.arg = { a, a, a },
		.tick = app_tick,
		.tick_arg = a,
		.tick_period_s = a->opt.stats_period_s,
	};
	uint64_t start_ns = qosdt_monitor_now_ns();
	unsigned int i;
	int rc = 0;

	/* Several sessions, every stage on one lcore: session by session. */
	if (a->nb_sessions > 1 && pipeline_one_lcore(a->opt.stage_lcore)) {
		ops.stage[STAGE_RX] = app_stage_none;
		ops.stage[STAGE_WORKER] = app_stage_sessions;
		ops.stage[STAGE_TX] = app_stage_none;
	}
	for (i = 0; i < a->nb_sessions; i++)
		if (a->role->start(a->s[i].state, &a->s[i].report) < 0)
			return -1;
	fflush(stdout);
	start_ns = qosdt_monitor_now_ns();
	for (i = 0; i < a->nb_sessions; i++)
		session_report_init(a, &a->s[i], start_ns);
	if (pipeline_run(&ops, a->opt.stage_lcore, &quit) < 0)
		return -1;
	for (i = 0; i < a->nb_sessions; i++)
		a->role->finish(a->s[i].state, &a->s[i].report);
	app_flush_monitors(a);
	for (i = 0; i < a->nb_sessions; i++)
		if (session_conclude(a, &a->s[i], start_ns) < 0)
			rc = -1;
	if (a->opt.trace_path != NULL && hop_trace_write(a->opt.trace_path) < 0)
		return -1;
	return rc;
}

static void
app_teardown(struct app *a)
{
	unsigned int i, k;

	for (i = a->nb_sessions; i-- > 0; ) {
		struct session *se = &a->s[i];

		for (k = 0; k < se->nb_ports_ok; k++)
			port_close(se->env.port_id + k);
		if (se->state != NULL)
			a->role->fini(se->state);
		for (k = 0; k < se->nb_pipelines_ok; k++)
			pipeline_free(&se->pipes.p[k]);
		qosdt_free(se->q);
		if (se->state != NULL)
			a->role->free(se->state);
	}
}

/* Before EAL: the states app_load() made. */
static void
app_free_states(struct app *a)
{
	unsigned int i;

	for (i = 0; i < a->nb_sessions; i++)
		if (a->s[i].state != NULL)
			a->role->free(a->s[i].state);
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
	if (app_load(&a) < 0) {
		app_free_states(&a);
		return 1;
	}
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "qosdt: EAL initialisation failed: %s (see %s --help)\n",
			rte_strerror(rte_errno), argv[0]);
		app_free_states(&a);
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
