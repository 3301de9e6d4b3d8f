/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qosdt: the QoS-differentiated transport's application, launched like
 * dpdk-testpmd: EAL options, "--", then its own (options.c, --help).
 */

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
 * Everything one run holds; torn down in reverse order. What is the
 * role's (server or client) is in its state, behind its operations
 * (role.h): nothing here knows which role runs.
 */
struct app {
	struct app_options opt;
	struct qosdt_config cfg;
	const struct role_ops *role;
	struct role_env env;
	void *state;                  /**< The role's (role->load()). */
	struct qosdt *q;
	/** One pipeline per port: the ports port_id .. port_id + n - 1,
	 *  port i serving tenant i (a client has one). */
	struct pipeline_set pipes;
	unsigned int nb_pipelines_ok;
	unsigned int nb_ports_ok;
	struct report report;
};

static void
app_tick(void *arg)
{
	struct app *a = arg;

	if (!a->role->ready(a->state))
		return;
	a->role->report(a->state, &a->report);
	report_print(stdout, &a->report, false);
}

/* The channel's configuration, then the role's own files. */
static int
app_load(struct app *a)
{
	char err[QOSDT_CONFIG_ERRLEN];

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
	a->env = (struct role_env){
		.opt = &a->opt, .cfg = &a->cfg, .quit = &quit,
	};
	a->state = a->role->load(&a->env);
	return a->state != NULL ? 0 : -1;
}

static int
app_setup(struct app *a)
{
	static struct rte_ether_addr macs[QOSDT_MAX_TENANTS];
	struct qosdt_config qcfg = a->cfg;
	struct rte_mempool *rx_pool;
	char name[16];
	unsigned int i;

	if (a->role->qos_config(a->state, &qcfg) < 0)
		return -1;
	a->q = qosdt_create(a->role->name, &qcfg, (int)rte_socket_id(), true);
	if (a->q == NULL) {
		APP_LOG(ERR, "cannot create the QoS instance: %s",
			rte_strerror(rte_errno));
		return -1;
	}
	if (a->role->rx_pool(a->state, &rx_pool) < 0)
		return -1;
	a->pipes.n = qosdt_nb_tenants(a->q);
	for (i = 0; i < a->pipes.n; i++) {
		uint16_t port = a->opt.port_id + i;
		struct pipeline *p = &a->pipes.p[i];

		if (port_setup(port, a->q, i, rx_pool, &macs[i]) < 0)
			return -1;
		a->nb_ports_ok++;
		snprintf(name, sizeof(name), "qp%u", i);
		if (pipeline_create(p, name, port, qcfg.nb_buffers) < 0)
			return -1;
		a->nb_pipelines_ok++;
		p->rx_hop = a->role->rx_hop;
		p->tx_hop = a->role->tx_hop;
	}
	if (a->opt.trace_path != NULL && hop_trace_enable() < 0)
		return -1;
	return a->role->setup(a->state, a->q, &a->pipes, macs);
}

/* Let the monitors publish what the last moments recorded. */
static void
app_flush_monitors(struct app *a)
{
	rte_delay_us_sleep((a->cfg.window_ms + 1) * 1000);
	qosdt_stats_poll(a->q);
	a->role->flush(a->state);
}

static int
app_run(struct app *a)
{
	struct pipeline_ops ops = {
		.stage = { pipeline_set_stage_rx, NULL, pipeline_set_stage_tx },
		.arg = { &a->pipes, NULL, &a->pipes },
		.tick = app_tick,
		.tick_arg = a,
		.tick_period_s = a->opt.stats_period_s,
	};
	struct report *r = &a->report;
	uint64_t start_ns;

	ops.stage[STAGE_WORKER] = a->role->worker;
	ops.arg[STAGE_WORKER] = a->role->worker_arg(a->state);
	if (a->role->start(a->state, r) < 0)
		return -1;
	fflush(stdout);
	r->role = a->role->name;
	r->mode = qosdt_mode_name(a->cfg.mode);
	r->config = a->opt.config_path;
	r->channel_bps = a->cfg.channel_rate_bps;
	r->overhead = a->cfg.frame_overhead;
	r->cfg = &a->cfg;
	r->qos = a->q;
	for (unsigned int c = 0; c < QOSDT_NB_CLASSES; c++) {
		r->cls[c].weight = a->cfg.classes[c].weight;
		r->cls[c].guarantee_bps = a->cfg.classes[c].rate_guarantee_bps;
	}
	start_ns = qosdt_monitor_now_ns();
	r->t0_ns = start_ns;
	if (pipeline_run(&ops, a->opt.stage_lcore, &quit) < 0)
		return -1;
	a->role->finish(a->state, r);
	app_flush_monitors(a);
	a->role->report(a->state, r);
	a->role->conclude(a->state, r, start_ns);
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
	unsigned int i;

	for (i = 0; i < a->nb_ports_ok; i++)
		port_close(a->opt.port_id + i);
	a->role->fini(a->state);
	for (i = 0; i < a->nb_pipelines_ok; i++)
		pipeline_free(&a->pipes.p[i]);
	qosdt_free(a->q);
	a->role->free(a->state);
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
	if (app_load(&a) < 0)
		return 1;
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "qosdt: EAL initialisation failed: %s (see %s --help)\n",
			rte_strerror(rte_errno), argv[0]);
		a.role->free(a.state);
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
