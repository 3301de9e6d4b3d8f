/* SPDX-License-Identifier: BSD-3-Clause */
/* The application's command line: getopt_long, every value checked. */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_common.h>

#include <qosdt.h>

#include "app_log.h"
#include "dedup.h"
#include "options.h"
#include "scenario.h"
#include "services.h"

RTE_LOG_REGISTER_DEFAULT(app_logtype, NOTICE);

/* Longest --duration and --stats-period: a day. */
#define OPT_MAX_SECONDS 86400.0

enum {
	OPT_ROLE = 256,
	OPT_CONFIG,
	OPT_SCENARIO,
	OPT_MODE,
	OPT_ADAPTIVE,
	OPT_DURATION,
	OPT_STATS_PERIOD,
	OPT_RESULTS,
	OPT_TRACE,
	OPT_PORT,
	OPT_STAGE_LCORES,
	OPT_LINK_WAIT,
	OPT_SERVICES,
	OPT_MSG_LOG,
	OPT_DEDUP_ENTRIES,
	OPT_DEDUP_FILE,
	OPT_HELP,
};

static const struct option long_options[] = {
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "adaptive", required_argument, NULL, OPT_ADAPTIVE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "stage-lcores", required_argument, NULL, OPT_STAGE_LCORES },
	{ "link-wait", required_argument, NULL, OPT_LINK_WAIT },
	{ "services", required_argument, NULL, OPT_SERVICES },
	{ "msg-log", required_argument, NULL, OPT_MSG_LOG },
	{ "dedup-entries", required_argument, NULL, OPT_DEDUP_ENTRIES },
	{ "dedup-file", required_argument, NULL, OPT_DEDUP_FILE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

void
options_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [EAL options] -- --role server|client --config FILE [options]\n"
"       %s --check-config FILE [--scenario FILE]\n"
"\n"
"The QoS-differentiated transport between two VMs over a shared-memory\n"
"channel. The channel is a net_shm port given in the EAL options, e.g.\n"
"  --vdev net_shm0,path=/dev/shm/chan,role=server   (the service VM)\n"
"  --vdev net_shm0,path=/dev/shm/chan,role=client   (the requesting VM)\n"
"with one queue per class: realtime, throughput, reliable, best_effort.\n"
"\n"
"Options:\n"
"  --role server|client  server: answer requests with the 15 services;\n"
"                        client: offer the load of --scenario, measure it\n"
"  --config FILE         QoS configuration, JSON (doc/config.md)\n"
"  --scenario FILE       client: the load to offer, JSON (doc/scenario.md);\n"
"                        repeated: one client VM per scenario, the i-th on\n"
"                        port --port + i, each with its own QoS instance\n"
"  --mode priority|wrr|fifo\n"
"                        scheduler mode, overriding the config's\n"
"  --adaptive on|off     the adaptive controller (doc/adaptive.md),\n"
"                        overriding the config's adaptive.enabled\n"
"  --duration S          client: run the scenario in S seconds (its phases\n"
"                        scaled); server: stop after S seconds (default:\n"
"                        at SIGINT/SIGTERM)\n"
"  --stats-period S      print the per-class table every S seconds\n"
"                        (default 1; 0: final summary only)\n"
"  --results FILE        write the per-class results as JSON at exit\n"
"                        (doc/results.md)\n"
"  --trace FILE          stamp a sample of realtime requests at each hop\n"
"                        and write the stamps at exit (doc/perf-analysis.md)\n"
"  --port N              the ethdev port of the channel (default 0)\n"
"  --stage-lcores RX,WORKER,TX\n"
"                        the lcore running each stage; stages may share an\n"
"                        lcore, down to all three on one (run to completion,\n"
"                        the default: all on the main lcore)\n"
"  --link-wait S         wait up to S seconds for the peer (default 10);\n"
"                        client: also the longest outage its lossless\n"
"                        requests are held across (doc/hardening.md)\n"
"  --services binary|hvisor\n"
"                        server: the services' semantics (doc/services.md);\n"
"                        binary (default): explicit lengths, every byte is\n"
"                        data; hvisor: the original HyperAMP server's, in\n"
"                        place on the data and its NUL, hashes as text (for\n"
"                        qosdt-send --text; --role client needs binary)\n"
"  --msg-log FILE        client: write a line per request sent and reply\n"
"                        received (header fields; doc/app.md). It costs\n"
"                        time per message: not for measurements\n"
"  --dedup-entries N     server: remember the last N lossless requests\n"
"                        served and their replies, so that one the client\n"
"                        sends again after a restart is not served twice\n"
"                        (a power of two in [64, 1048576], default 8192;\n"
"                        0: off; doc/hardening.md)\n"
"  --dedup-file FILE     server: keep them in FILE (created mode 0600), so\n"
"                        that a restarted server remembers what the one\n"
"                        before it served (default: in process memory)\n"
"  --check-config FILE   validate FILE (and --scenario) and exit, without\n"
"                        EAL: 0 if valid, else the errors and 1\n"
"  --help                this text\n",
		prog, prog);
}

int
options_parse_seconds(const char *prog, const char *opt, const char *arg,
		double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !isfinite(v) ||
			v < min || v > max) {
		fprintf(stderr, "%s: --%s: not a number of seconds in [%g, %g]: \"%s\"\n",
			prog, opt, min, max, arg);
		return -1;
	}
	*out = v;
	return 0;
}

int
options_parse_uint(const char *prog, const char *opt, const char *arg,
		unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (arg[0] < '0' || arg[0] > '9')
		goto bad;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "%s: --%s: not an integer in [0, %lu]: \"%s\"\n",
		prog, opt, max, arg);
	return -1;
}

static int
parse_stage_lcores(const char *arg, int *lcore)
{
	const char *p = arg;
	unsigned long v;
	char *end;
	int i;

	for (i = 0; i < STAGE_MAX; i++) {
		errno = 0;
		if (*p < '0' || *p > '9')
			goto bad;
		v = strtoul(p, &end, 10);
		if (errno != 0 || v >= RTE_MAX_LCORE ||
				*end != (i == STAGE_MAX - 1 ? '\0' : ','))
			goto bad;
		lcore[i] = (int)v;
		p = end + 1;
	}
	return 0;
bad:
	fprintf(stderr, "qosdt: --stage-lcores: expected three lcore ids RX,WORKER,TX below %u: \"%s\"\n",
		RTE_MAX_LCORE, arg);
	return -1;
}

static void
options_defaults(struct app_options *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = -1;
	o->adaptive = -1;
	o->stats_period_s = 1.0;
	o->link_wait_s = 10.0;
	o->services = SVC_SEMANTICS_BINARY;
	o->dedup_entries = DEDUP_DEFAULT_ENTRIES;
	for (unsigned int i = 0; i < STAGE_MAX; i++)
		o->stage_lcore[i] = -1;
}

/* Fail now, not after the run, if a file of option --@p opt cannot be
 * written at exit (it is written to PATH.tmp and renamed). */
static int
file_writable(const char *opt, const char *path)
{
	char tmp[4096];
	struct stat st;
	FILE *f;

	/* Renamed onto path at exit: a directory refuses. */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "qosdt: --%s: %s is a directory\n", opt, path);
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "qosdt: --%s: path too long\n", opt);
		return -1;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "qosdt: --%s: cannot write %s: %s\n", opt, tmp,
			strerror(errno));
		return -1;
	}
	fclose(f);
	remove(tmp);
	return 0;
}

static int
options_check(const struct app_options *o)
{
	if (o->role == ROLE_NONE) {
		fprintf(stderr, "qosdt: --role server|client is required\n");
		return -1;
	}
	if (o->config_path == NULL) {
		fprintf(stderr, "qosdt: --config FILE is required\n");
		return -1;
	}
	if (o->role == ROLE_CLIENT && o->scenario_path == NULL) {
		fprintf(stderr, "qosdt: --role client needs --scenario FILE\n");
		return -1;
	}
	if (o->role == ROLE_SERVER && o->scenario_path != NULL) {
		fprintf(stderr, "qosdt: --scenario is for --role client only\n");
		return -1;
	}
	if (o->role == ROLE_CLIENT && o->services != SVC_SEMANTICS_BINARY) {
		fprintf(stderr, "qosdt: --services %s is for --role server only (the client checks replies with the binary semantics)\n",
			svc_semantics_name(o->services));
		return -1;
	}
	if (o->role == ROLE_SERVER && o->msg_log_path != NULL) {
		fprintf(stderr, "qosdt: --msg-log is for --role client only\n");
		return -1;
	}
	if (o->role == ROLE_CLIENT && (o->dedup_path != NULL || o->dedup_set)) {
		fprintf(stderr, "qosdt: --%s is for --role server only (the server keeps the table)\n",
			o->dedup_path != NULL ? "dedup-file" : "dedup-entries");
		return -1;
	}
	if (o->dedup_path != NULL && o->dedup_entries == 0) {
		fprintf(stderr, "qosdt: --dedup-file %s with --dedup-entries 0: there is no table to keep\n",
			o->dedup_path);
		return -1;
	}
	if (o->nb_scenarios > 1 && (o->msg_log_path != NULL ||
			o->trace_path != NULL)) {
		fprintf(stderr, "qosdt: --%s with %u --scenario: one client VM per process only\n",
			o->msg_log_path != NULL ? "msg-log" : "trace",
			o->nb_scenarios);
		return -1;
	}
	if (o->results_path != NULL) {
		char path[PATH_MAX];
		unsigned int i;

		for (i = 0; i < RTE_MAX(o->nb_scenarios, 1u); i++)
			if (options_results_path(o, i, path, sizeof(path)) < 0 ||
					file_writable("results", path) < 0)
				return -1;
	}
	if (o->trace_path != NULL && file_writable("trace", o->trace_path) < 0)
		return -1;
	return 0;
}

int
options_results_path(const struct app_options *o, unsigned int client,
		char *buf, size_t len)
{
	const char *p = o->results_path;
	size_t n = strlen(p);
	int w;

	if (o->nb_scenarios <= 1)
		w = snprintf(buf, len, "%s", p);
	else if (n > 5 && strcmp(p + n - 5, ".json") == 0)
		w = snprintf(buf, len, "%.*s-%u.json", (int)(n - 5), p, client);
	else
		w = snprintf(buf, len, "%s-%u", p, client);
	if (w < 0 || (size_t)w >= len) {
		fprintf(stderr, "qosdt: --results %s: path too long\n", p);
		return -1;
	}
	return 0;
}

static int
options_apply(struct app_options *o, int opt, const char *arg)
{
	unsigned long v;

	switch (opt) {
	case OPT_ROLE:
		if (strcmp(arg, "server") == 0)
			o->role = ROLE_SERVER;
		else if (strcmp(arg, "client") == 0)
			o->role = ROLE_CLIENT;
		else
			goto bad;
		return 0;
	case OPT_CONFIG:
		o->config_path = arg;
		return 0;
	case OPT_SCENARIO:
		if (o->nb_scenarios == APP_MAX_CLIENTS) {
			fprintf(stderr, "qosdt: --scenario %s: at most %u scenarios (client VMs) in one process\n",
				arg, APP_MAX_CLIENTS);
			return -1;
		}
		if (o->scenario_path == NULL)
			o->scenario_path = arg;
		o->scenario_paths[o->nb_scenarios++] = arg;
		return 0;
	case OPT_MODE:
		o->mode = qosdt_mode_from_name(arg);
		if (o->mode < 0)
			goto bad;
		return 0;
	case OPT_ADAPTIVE:
		if (strcmp(arg, "on") == 0)
			o->adaptive = 1;
		else if (strcmp(arg, "off") == 0)
			o->adaptive = 0;
		else
			goto bad;
		return 0;
	case OPT_DURATION:
		return options_parse_seconds("qosdt", "duration", arg, 0.001,
			OPT_MAX_SECONDS, &o->duration_s);
	case OPT_STATS_PERIOD:
		if (options_parse_seconds("qosdt", "stats-period", arg, 0.0,
				OPT_MAX_SECONDS, &o->stats_period_s) < 0)
			return -1;
		if (o->stats_period_s != 0 && o->stats_period_s < 0.1) {
			fprintf(stderr, "qosdt: --stats-period: 0 (off) or at least 0.1 s: \"%s\"\n",
				arg);
			return -1;
		}
		return 0;
	case OPT_LINK_WAIT:
		return options_parse_seconds("qosdt", "link-wait", arg, 0.0,
			OPT_MAX_SECONDS, &o->link_wait_s);
	case OPT_RESULTS:
		o->results_path = arg;
		return 0;
	case OPT_TRACE:
		o->trace_path = arg;
		return 0;
	case OPT_MSG_LOG:
		o->msg_log_path = arg;
		return 0;
	case OPT_PORT:
		if (options_parse_uint("qosdt", "port", arg, RTE_MAX_ETHPORTS - 1,
				&v) < 0)
			return -1;
		o->port_id = (uint16_t)v;
		return 0;
	case OPT_STAGE_LCORES:
		return parse_stage_lcores(arg, o->stage_lcore);
	case OPT_SERVICES:
		o->services = svc_semantics_from_name(arg);
		if (o->services < 0) {
			fprintf(stderr, "qosdt: --services: bad value \"%s\": binary or hvisor (see --help)\n",
				arg);
			return -1;
		}
		return 0;
	case OPT_DEDUP_ENTRIES:
		if (options_parse_uint("qosdt", "dedup-entries", arg,
				DEDUP_MAX_ENTRIES, &v) < 0)
			return -1;
		if (v != 0 && (v < DEDUP_MIN_ENTRIES || !rte_is_power_of_2(v))) {
			fprintf(stderr, "qosdt: --dedup-entries: 0 (off) or a power of two in [%u, %u]: \"%s\"\n",
				DEDUP_MIN_ENTRIES, DEDUP_MAX_ENTRIES, arg);
			return -1;
		}
		o->dedup_entries = (uint32_t)v;
		o->dedup_set = true;
		return 0;
	case OPT_DEDUP_FILE:
		o->dedup_path = arg;
		return 0;
	}
	return -1;
bad:
	fprintf(stderr, "qosdt: --%s: bad value \"%s\" (see --help)\n",
		long_options[opt - OPT_ROLE].name, arg);
	return -1;
}

int
options_parse(int argc, char **argv, struct app_options *o)
{
	int opt;

	options_defaults(o);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (opt == OPT_HELP) {
			options_usage(stdout, argv[0]);
			return 1;
		}
		if (opt == '?' || opt == ':') {
			fprintf(stderr, "qosdt: unknown option or missing value: \"%s\" (see --help)\n",
				argv[optind - 1]);
			return -1;
		}
		if (options_apply(o, opt, optarg) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "qosdt: unexpected argument \"%s\" (see --help)\n",
			argv[optind]);
		return -1;
	}
	return options_check(o);
}

void
options_file_error(const char *path, const char *err)
{
	size_t n = strlen(path);

	if (strncmp(err, path, n) == 0 && err[n] == ':')
		fprintf(stderr, "%s\n", err);
	else
		fprintf(stderr, "%s: %s\n", path, err);
}

int
options_check_config(int argc, char **argv)
{
	char err[QOSDT_CONFIG_ERRLEN > SCENARIO_ERRLEN ?
		QOSDT_CONFIG_ERRLEN : SCENARIO_ERRLEN];
	struct qosdt_config cfg;
	struct scenario *sc;
	const char *scenario_path = NULL;
	int rc, status = 0;

	if (argc == 5 && strcmp(argv[3], "--scenario") == 0)
		scenario_path = argv[4];
	else if (argc != 3)
		goto usage;

	/* Both files are checked, whatever the first one gives: a scenario
	 * with a broken config is checked against the built-in defaults. */
	if (qosdt_config_load(argv[2], &cfg, err, sizeof(err)) < 0) {
		options_file_error(argv[2], err);
		qosdt_config_defaults(&cfg);
		status = 1;
	} else {
		printf("%s: ok\n", argv[2]);
	}
	if (scenario_path == NULL)
		return status;
	sc = malloc(sizeof(*sc));
	if (sc == NULL) {
		fprintf(stderr, "qosdt: out of memory\n");
		return 1;
	}
	rc = scenario_load(scenario_path, cfg.channel_rate_bps, sc, err,
		sizeof(err));
	if (rc == 0)
		rc = scenario_check_frames(sc, cfg.max_frame_len, err, sizeof(err));
	free(sc);
	if (rc < 0) {
		options_file_error(scenario_path, err);
		return 1;
	}
	printf("%s: ok\n", scenario_path);
	return status;
usage:
	fprintf(stderr, "qosdt: usage: %s --check-config FILE [--scenario FILE]\n",
		argv[0]);
	return 1;
}
