/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * qosdt telemetry, queried the way a user does: over this process's real
 * telemetry socket (AF_UNIX SOCK_SEQPACKET, <runtime dir>/dpdk_telemetry.v2)
 * with the replies parsed by jansson, and through the stock
 * dpdk-telemetry.py. Checks /qosdt/stats against what was recorded,
 * /qosdt/config against the configuration, /qosdt/adaptive against a
 * controller's change, /qosdt/buffers against the
 * reservation, empty replies after detach, and whole-or-empty replies while
 * another thread attaches and detaches.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include "qosdt_adaptive.h"
#include "qosdt_config.h"
#include "qosdt.h"
#include "qosdt_monitor.h"
#include "qosdt_resv.h"
#include "qosdt_telemetry.h"
#include "qos_test_util.h"
#include "test.h"

#define TELEMETRY_SOCKET "dpdk_telemetry.v2"
#define REPLY_MAX 65536
#define T0 UINT64_C(1000000000000)
#define WINDOW_MS 100
#define WINDOW_NS (WINDOW_MS * UINT64_C(1000000))
#define LAT_SAMPLES 200
#define HAMMER_CYCLES 300

static char socket_path[PATH_MAX];
static struct qosdt_config cfg;
static struct qosdt_monitor *mon;
static int client = -1;

/* What the suite records into class c before the first window closes. */
#define RX_OF(c) (1000u + 100u * (c))
#define TX_OF(c) (900u + 10u * (c))
#define DROP_OF(c) (7u + (c))
/* Latency sample i of class c. */
#define LAT_OF(c, i) (10000u * ((c) + 1) + 37u * (i))

/* Connect to this process's telemetry socket and read its greeting.
 * Returns the socket, or -1 with errno set (ENOENT or ECONNREFUSED: nobody
 * listens there; EPROTO: a bad greeting).
 */
static int
tel_connect(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[1024];
	json_t *greeting;
	ssize_t n;
	int fd, err;

	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0) {
		printf("socket: %s\n", strerror(errno));
		return -1;
	}
	strlcpy(addr.sun_path, socket_path, sizeof(addr.sun_path));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		err = errno;
		printf("connect %s: %s\n", socket_path, strerror(err));
		close(fd);
		errno = err;
		return -1;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		printf("no greeting on %s\n", socket_path);
		close(fd);
		errno = EPROTO;
		return -1;
	}
	buf[n] = '\0';
	greeting = json_loads(buf, 0, NULL);
	if (greeting == NULL || json_object_get(greeting, "max_output_len") == NULL) {
		printf("unexpected greeting: %s\n", buf);
		json_decref(greeting);
		close(fd);
		errno = EPROTO;
		return -1;
	}
	json_decref(greeting);
	return fd;
}

/*
 * Send @p cmd (with its ",parameter", if any) on @p fd and parse the
 * reply. Returns the parsed reply (the caller decrefs it) and sets *value
 * to its member named after the command.
 */
static json_t *
tel_query(int fd, const char *cmd, json_t **value)
{
	static __thread char buf[REPLY_MAX];
	json_error_t err;
	json_t *root;
	ssize_t n;

	*value = NULL;
	if (send(fd, cmd, strlen(cmd), 0) < 0) {
		printf("send %s: %s\n", cmd, strerror(errno));
		return NULL;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		printf("no reply to %s\n", cmd);
		return NULL;
	}
	buf[n] = '\0';
	root = json_loads(buf, 0, &err);
	if (root == NULL) {
		printf("reply to %s is not JSON (%s): %s\n", cmd, err.text, buf);
		return NULL;
	}
	/* The reply is keyed by the command without its parameter. */
	*value = json_object_getn(root, cmd, strcspn(cmd, ","));
	if (!json_is_object(*value)) {
		printf("reply to %s holds no object: %s\n", cmd, buf);
		*value = NULL;
	}
	return root;
}

/* The unsigned integer at obj[key]; UINT64_MAX if it is missing or not an
 * integer.
 */
static uint64_t
json_u64(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v)) {
		printf("key %s missing or not an integer\n", key);
		return UINT64_MAX;
	}
	return (uint64_t)json_integer_value(v);
}

static int
suite_setup(void)
{
	unsigned int c, i;

	snprintf(socket_path, sizeof(socket_path), "%s/%s",
		rte_eal_get_runtime_dir(), TELEMETRY_SOCKET);
	client = tel_connect();
	if (client < 0 && (errno == ENOENT || errno == ECONNREFUSED))
		TEST_SKIP("telemetry is disabled in the EAL: nobody listens on %s",
			socket_path);
	TEST_ASSERT(client >= 0, "cannot talk to %s", socket_path);

	qosdt_config_defaults(&cfg);
	cfg.window_ms = WINDOW_MS;
	mon = qosdt_monitor_create(&cfg, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(mon, "monitor: %s", rte_strerror(rte_errno));
	qosdt_monitor_reset(mon, T0);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		qosdt_monitor_rx(mon, c, RX_OF(c), 64 * RX_OF(c));
		qosdt_monitor_tx(mon, c, TX_OF(c), 64 * TX_OF(c));
		qosdt_monitor_drop(mon, c, DROP_OF(c), 64 * DROP_OF(c));
		for (i = 0; i < LAT_SAMPLES; i++)
			qosdt_monitor_latency(mon, c, LAT_OF(c, i), 0);
	}
	TEST_ASSERT_EQUAL(qosdt_monitor_poll(mon, T0 + WINDOW_NS), 1,
		"window not closed");
	return TEST_SUCCESS;
}

static void
suite_teardown(void)
{
	qosdt_telemetry_detach();
	if (client >= 0)
		close(client);
	client = -1;
	qosdt_monitor_free(mon);
	mon = NULL;
}

static int
attach_monitor(void)
{
	struct qosdt_telemetry_source src = { .cfg = &cfg, .nb_tenants = 1,
		.mon = (const struct qosdt_monitor *const *)&mon };

	/* One source at a time: take over from the previous case. */
	qosdt_telemetry_detach();
	return qosdt_telemetry_attach(&src) == 0 ? TEST_SUCCESS : TEST_FAILED;
}

static int
check_latency(const json_t *cls, const char *key,
		const struct qosdt_latency_summary *want, unsigned int c)
{
	const json_t *lat = json_object_get(cls, key);

	TEST_ASSERT(json_is_object(lat), "class %u: no %s object", c, key);
	TEST_ASSERT(json_u64(lat, "count") == want->count &&
		json_u64(lat, "p50_ns") == want->p50_ns &&
		json_u64(lat, "p90_ns") == want->p90_ns &&
		json_u64(lat, "p99_ns") == want->p99_ns &&
		json_u64(lat, "p999_ns") == want->p999_ns &&
		json_u64(lat, "max_ns") == want->max_ns,
		"class %u: %s differs from the snapshot", c, key);
	return TEST_SUCCESS;
}

/* Check a /qosdt/stats reply against what suite_setup() recorded. */
static int
check_stats_reply(const json_t *stats)
{
	struct qosdt_stats st;
	const json_t *cls;
	unsigned int c;

	qosdt_monitor_read(mon, &st);
	TEST_ASSERT(json_u64(stats, "windows") == 1 &&
		json_u64(stats, "uptime_ns") == WINDOW_NS &&
		json_u64(stats, "window_ns") == WINDOW_NS,
		"windows/uptime/window_ns");
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		cls = json_object_get(stats, qosdt_class_name(c));
		TEST_ASSERT(json_is_object(cls), "no object for class %s",
			qosdt_class_name(c));
		TEST_ASSERT(json_u64(cls, "rx_pkts") == RX_OF(c) &&
			json_u64(cls, "rx_bytes") == 64 * RX_OF(c) &&
			json_u64(cls, "tx_pkts") == TX_OF(c) &&
			json_u64(cls, "tx_bytes") == 64 * TX_OF(c) &&
			json_u64(cls, "drop_pkts") == DROP_OF(c) &&
			json_u64(cls, "drop_bytes") == 64 * DROP_OF(c) &&
			json_u64(cls, "held_pkts") == 0,
			"class %u counters", c);
		/* 64 B x tx over one 100 ms window. */
		TEST_ASSERT(json_u64(cls, "window_throughput_bps") ==
			64 * 8 * 10 * TX_OF(c) &&
			json_u64(cls, "throughput_bps") == 64 * 8 * 10 * TX_OF(c) &&
			json_u64(cls, "offered_bps") == 64 * 8 * 10 * RX_OF(c),
			"class %u rates", c);
		TEST_ASSERT(json_u64(cls, "slo_met") == st.cls[c].slo_met &&
			json_u64(cls, "slo_missed") == st.cls[c].slo_missed &&
			json_u64(cls, "slo_violation_windows") ==
				st.cls[c].slo_violation_windows &&
			json_u64(cls, "window_loss_ppm") ==
				DROP_OF(c) * 1000000 / RX_OF(c) &&
			json_u64(cls, "latency_violations") == 0,
			"class %u SLO fields", c);
		TEST_ASSERT(st.cls[c].latency.count == LAT_SAMPLES &&
			st.cls[c].latency.max_ns == LAT_OF(c, LAT_SAMPLES - 1),
			"class %u: snapshot latency", c);
		if (check_latency(cls, "latency", &st.cls[c].latency, c) != 0 ||
				check_latency(cls, "window_latency",
					&st.cls[c].window_latency, c) != 0)
			return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
test_stats_over_socket(void)
{
	json_t *root, *stats;
	int ret;

	TEST_ASSERT_SUCCESS(attach_monitor(), "attach");
	root = tel_query(client, "/qosdt/stats", &stats);
	TEST_ASSERT_NOT_NULL(stats, "no /qosdt/stats reply");
	ret = check_stats_reply(stats);
	json_decref(root);
	return ret;
}

/* /qosdt/adaptive: off, then a controller that made one change. */
static int
test_adaptive_over_socket(void)
{
	struct qosdt_telemetry_source src = { .cfg = &cfg, .nb_tenants = 1,
		.mon = (const struct qosdt_monitor *const *)&mon };
	const json_t *counters, *running, *baseline, *recent, *ch;
	struct qosdt_adaptive_obs obs = { .now_ns = T0 };
	struct qosdt_adaptive *ctl;
	json_t *root, *ad;
	int ret = TEST_FAILED;

	TEST_ASSERT_SUCCESS(attach_monitor(), "attach");
	root = tel_query(client, "/qosdt/adaptive", &ad);
	TEST_ASSERT(ad != NULL && json_u64(ad, "enabled") == 0 &&
		json_object_get(ad, "counters") == NULL,
		"/qosdt/adaptive without a controller");
	json_decref(root);

	/* Realtime offers 400M against its 300M cap, and is late (the
	 * controller's own tests use three WRR classes: so does this). */
	qos_test_three_wrr(&cfg);
	ctl = qosdt_adaptive_create(&cfg, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(ctl, "controller");
	obs.cls[QOSDT_CLASS_REALTIME].slo_missed = QOSDT_SLO_MISSED_LATENCY;
	obs.cls[QOSDT_CLASS_REALTIME].p99_ns = 3000000;
	obs.cls[QOSDT_CLASS_REALTIME].offered_bps = 400000000;
	qosdt_adaptive_window(ctl, &obs);
	if (qosdt_adaptive_control(ctl, NULL, T0) != 1) {
		qosdt_adaptive_free(ctl);
		TEST_ASSERT(false, "no change made");
	}
	qosdt_telemetry_detach();
	src.adaptive = ctl;
	if (qosdt_telemetry_attach(&src) != 0) {
		qosdt_adaptive_free(ctl);
		TEST_ASSERT(false, "attach with a controller");
	}
	root = tel_query(client, "/qosdt/adaptive", &ad);
	counters = json_object_get(ad, "counters");
	running = json_object_get(ad, "running");
	baseline = json_object_get(ad, "baseline");
	recent = json_object_get(ad, "recent");
	ch = json_object_get(recent, "0");
	if (ad != NULL && json_u64(ad, "enabled") == 1 &&
			json_u64(ad, "period_ms") == cfg.adaptive.period_ms &&
			json_u64(counters, "changes") == 1 &&
			json_u64(counters, "raises") == 1 &&
			json_u64(counters, "refused") == 0 &&
			json_u64(running, "realtime_rate_cap_bps") == 500000000 &&
			json_u64(baseline, "realtime_rate_cap_bps") ==
				cfg.classes[QOSDT_CLASS_REALTIME].rate_cap_bps &&
			json_u64(running, "throughput_weight") ==
				cfg.classes[QOSDT_CLASS_THROUGHPUT].weight &&
			json_u64(ch, "time_ns") == T0 &&
			json_u64(ch, "from") == 300000000 &&
			json_u64(ch, "to") == 500000000 &&
			json_u64(ch, "measured") == 3000000 &&
			strcmp(json_string_value(json_object_get(ch, "reason")) ?: "",
				"latency") == 0 &&
			strcmp(json_string_value(json_object_get(ch, "class")) ?: "",
				"realtime") == 0 &&
			/* What it did, and the windows missed around it. */
			strcmp(json_string_value(json_object_get(ch, "outcome")) ?: "",
				"pending") == 0 &&
			strcmp(json_string_value(json_object_get(ch,
				"missed_before")) ?: "", "1,0,0,0 in 1") == 0 &&
			strcmp(json_string_value(json_object_get(ch,
				"missed_after")) ?: "", "0,0,0,0 in 0") == 0 &&
			json_object_get(counters, "trades_refused") != NULL &&
			json_object_get(counters, "unexplained") != NULL &&
			json_object_get(counters, "undone") != NULL)
		ret = TEST_SUCCESS;
	else
		printf("unexpected /qosdt/adaptive reply\n");
	json_decref(root);
	qosdt_telemetry_detach();
	qosdt_adaptive_free(ctl);
	return ret;
}

static int
test_config_over_socket(void)
{
	json_t *root, *conf;
	const json_t *cls, *slo;
	unsigned int c;
	int ret = TEST_FAILED;

	TEST_ASSERT_SUCCESS(attach_monitor(), "attach");
	root = tel_query(client, "/qosdt/config", &conf);
	TEST_ASSERT_NOT_NULL(conf, "no /qosdt/config reply");
	if (strcmp(json_string_value(json_object_get(conf, "mode")) ?: "",
			qosdt_mode_name(cfg.mode)) != 0 ||
			json_u64(conf, "channel_rate_bps") != cfg.channel_rate_bps ||
			json_u64(conf, "window_ms") != WINDOW_MS) {
		printf("mode, channel rate or window wrong\n");
		goto out;
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		cls = json_object_get(conf, qosdt_class_name(c));
		slo = json_object_get(cls, "slo");
		if (!json_is_object(slo) ||
				json_u64(cls, "weight") != cfg.classes[c].weight ||
				json_u64(cls, "buffer_share_ppm") !=
					cfg.classes[c].buffer_share_ppm ||
				json_u64(cls, "queue_share_ppm") !=
					cfg.classes[c].queue_share_ppm ||
				json_u64(slo, "max_latency_ns") !=
					cfg.classes[c].slo.max_latency_ns ||
				json_u64(slo, "min_bandwidth_bps") !=
					cfg.classes[c].slo.min_bandwidth_bps) {
			printf("class %s configuration wrong\n",
				qosdt_class_name(c));
			goto out;
		}
		/* A loss bound appears only where one is set. */
		if ((json_object_get(slo, "max_loss_ppm") != NULL) !=
				cfg.classes[c].slo.has_max_loss ||
				(cfg.classes[c].slo.has_max_loss &&
				 json_u64(slo, "max_loss_ppm") !=
					cfg.classes[c].slo.max_loss_ppm)) {
			printf("class %s max_loss_ppm wrong\n",
				qosdt_class_name(c));
			goto out;
		}
	}
	ret = TEST_SUCCESS;
out:
	json_decref(root);
	return ret;
}

static int
test_buffers_over_socket(void)
{
	struct qosdt_telemetry_source src = { .cfg = &cfg, .nb_tenants = 1,
		.mon = (const struct qosdt_monitor *const *)&mon };
	struct rte_mbuf *m[5];
	struct qosdt_resv *resv;
	const json_t *cls;
	json_t *root, *buf;
	unsigned int c;
	int ret = TEST_FAILED;

	/* Without a reservation: an empty reply. */
	TEST_ASSERT_SUCCESS(attach_monitor(), "attach");
	root = tel_query(client, "/qosdt/buffers", &buf);
	TEST_ASSERT(buf != NULL && json_object_size(buf) == 0,
		"/qosdt/buffers without a reservation is not empty");
	json_decref(root);

	/* The default reservation, with a few best-effort buffers out. */
	resv = qosdt_resv_create("tel", &cfg, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(resv, "reservation: %s", rte_strerror(rte_errno));
	src.resv = (const struct qosdt_resv *const *)&resv;
	if (qosdt_resv_alloc_bulk(resv, QOSDT_CLASS_BEST_EFFORT, m,
			RTE_DIM(m)) != 0) {
		printf("cannot allocate %zu best-effort mbufs\n", RTE_DIM(m));
		goto free_resv;
	}
	qosdt_telemetry_detach();
	if (qosdt_telemetry_attach(&src) != 0)
		goto free_mbufs;
	root = tel_query(client, "/qosdt/buffers", &buf);
	if (buf == NULL || json_u64(buf, "shared_size") != cfg.shared_buffers ||
			json_u64(buf, "shared_in_use") != 0) {
		printf("shared pool numbers wrong\n");
		goto detach;
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		cls = json_object_get(buf, qosdt_class_name(c));
		if (json_u64(cls, "reserved") != cfg.classes[c].nb_buffers ||
				json_u64(cls, "in_use") !=
					(c == QOSDT_CLASS_BEST_EFFORT ? RTE_DIM(m) : 0) ||
				json_u64(cls, "borrowed") != 0 ||
				json_u64(cls, "borrow_cap") != cfg.classes[c].borrow_cap ||
				json_u64(cls, "alloc_fail") != 0) {
			printf("class %s buffers wrong\n", qosdt_class_name(c));
			goto detach;
		}
	}
	ret = TEST_SUCCESS;
detach:
	json_decref(root);
	TEST_ASSERT_SUCCESS(attach_monitor(), "re-attach without reservation");
free_mbufs:
	rte_pktmbuf_free_bulk(m, RTE_DIM(m));
free_resv:
	qosdt_resv_free(resv);
	return ret;
}

/*
 * A service VM's instance with two tenants (doc/tenants.md): /qosdt/stats
 * and /qosdt/buffers report each under "tenants" by name, or one tenant's
 * given its name or index; a tenant that does not exist is refused.
 */
static int
test_tenants_over_socket(void)
{
	struct qosdt_config tcfg = cfg;
	const json_t *tenants, *be;
	struct rte_mbuf *m[3];
	json_t *root, *v;
	struct qosdt *q;
	int ret = TEST_FAILED;

	tcfg.tenants.nb = 2;
	snprintf(tcfg.tenants.t[0].name, QOSDT_TENANT_NAMELEN, "vm_a");
	snprintf(tcfg.tenants.t[1].name, QOSDT_TENANT_NAMELEN, "vm_b");
	tcfg.express = true;
	qosdt_telemetry_detach();
	q = qosdt_create("tel_tenants", &tcfg, SOCKET_ID_ANY, true);
	TEST_ASSERT_NOT_NULL(q, "instance with tenants: %s",
		rte_strerror(rte_errno));
	if (rte_pktmbuf_alloc_bulk(qosdt_tenant_pool(q, 1,
			QOSDT_CLASS_BEST_EFFORT), m, RTE_DIM(m)) != 0) {
		printf("cannot allocate from vm_b's best-effort pool\n");
		goto free_q;
	}
	root = tel_query(client, "/qosdt/stats", &v);
	tenants = v != NULL ? json_object_get(v, "tenants") : NULL;
	if (json_object_size(tenants) != 2 ||
			!json_is_object(json_object_get(json_object_get(tenants,
				"vm_b"), "realtime")) ||
			!json_is_object(json_object_get(json_object_get(tenants,
				"vm_a"), "best_effort"))) {
		printf("/qosdt/stats: no per-tenant sections\n");
		goto out;
	}
	json_decref(root);
	root = tel_query(client, "/qosdt/stats,vm_b", &v);
	if (v == NULL || json_object_get(v, "tenants") != NULL ||
			!json_is_object(json_object_get(v, "reliable"))) {
		printf("/qosdt/stats,vm_b: not one tenant's stats\n");
		goto out;
	}
	json_decref(root);
	root = tel_query(client, "/qosdt/buffers,1", &v);
	be = v != NULL ? json_object_get(v, "best_effort") : NULL;
	if (json_u64(be, "in_use") != RTE_DIM(m)) {
		printf("/qosdt/buffers,1: vm_b's best effort in use is not %zu\n",
			RTE_DIM(m));
		goto out;
	}
	json_decref(root);
	root = tel_query(client, "/qosdt/buffers,vm_a", &v);
	be = v != NULL ? json_object_get(v, "best_effort") : NULL;
	if (json_u64(be, "in_use") != 0) {
		printf("/qosdt/buffers,vm_a: shows vm_b's buffers\n");
		goto out;
	}
	json_decref(root);
	root = tel_query(client, "/qosdt/stats,vm_z", &v);
	if (v != NULL) {
		printf("/qosdt/stats,vm_z: answered for a tenant that does not exist\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	json_decref(root);
	rte_pktmbuf_free_bulk(m, RTE_DIM(m));
free_q:
	qosdt_free(q);
	TEST_ASSERT_SUCCESS(attach_monitor(), "re-attach");
	return ret;
}

static int
test_dpdk_telemetry_py(void)
{
	char script[PATH_MAX], cmd[2 * PATH_MAX], line[REPLY_MAX];
	const char *prefix = strrchr(rte_eal_get_runtime_dir(), '/');
	json_t *root = NULL, *stats;
	FILE *p;
	int status, ret;

	p = popen("command -v dpdk-telemetry.py", "r");
	if (p == NULL || fgets(script, sizeof(script), p) == NULL) {
		if (p != NULL)
			pclose(p);
		TEST_SKIP("dpdk-telemetry.py is not installed (not in PATH)");
	}
	pclose(p);
	script[strcspn(script, "\n")] = '\0';
	TEST_ASSERT_NOT_NULL(prefix, "runtime dir %s", rte_eal_get_runtime_dir());
	TEST_ASSERT_SUCCESS(attach_monitor(), "attach");

	snprintf(cmd, sizeof(cmd),
		"echo /qosdt/stats | timeout 60 python3 %s -f %s 2>&1",
		script, prefix + 1);
	p = popen(cmd, "r");
	TEST_ASSERT_NOT_NULL(p, "cannot run %s", cmd);
	/* Non-interactive, it prints one JSON line per command. */
	while (root == NULL && fgets(line, sizeof(line), p) != NULL) {
		printf("dpdk-telemetry.py: %.200s%s\n", line,
			strlen(line) > 200 ? "..." : "");
		root = json_loads(line, 0, NULL);
	}
	status = pclose(p);
	TEST_ASSERT_EQUAL(status, 0, "%s exited with status %d", cmd, status);
	TEST_ASSERT_NOT_NULL(root, "no JSON reply from dpdk-telemetry.py");
	stats = json_object_get(root, "/qosdt/stats");
	ret = json_is_object(stats) &&
		json_is_object(json_object_get(stats, "realtime")) &&
		json_is_object(json_object_get(stats, "throughput")) &&
		json_is_object(json_object_get(stats, "reliable")) &&
		json_is_object(json_object_get(stats, "best_effort")) ?
		check_stats_reply(stats) : TEST_FAILED;
	json_decref(root);
	TEST_ASSERT_SUCCESS(ret, "dpdk-telemetry.py output lacks the classes "
		"or their values");
	return TEST_SUCCESS;
}

static int
test_detach_empties_replies(void)
{
	static const char * const cmds[] = {
		"/qosdt/stats", "/qosdt/buffers", "/qosdt/config",
	};
	json_t *root, *v;
	unsigned int i;

	TEST_ASSERT_EQUAL(qosdt_telemetry_attach(NULL), -EINVAL,
		"NULL source accepted");
	TEST_ASSERT_SUCCESS(attach_monitor(), "attach");
	TEST_ASSERT_EQUAL(qosdt_telemetry_attach(&(struct qosdt_telemetry_source){
		.cfg = &cfg }), -EBUSY, "a second source took over the first");
	qosdt_telemetry_detach();
	for (i = 0; i < RTE_DIM(cmds); i++) {
		root = tel_query(client, cmds[i], &v);
		TEST_ASSERT(v != NULL && json_object_size(v) == 0,
			"%s not empty after detach", cmds[i]);
		json_decref(root);
	}
	/* Attached again, it reports again. */
	TEST_ASSERT_SUCCESS(attach_monitor(), "attach after detach");
	root = tel_query(client, "/qosdt/stats", &v);
	TEST_ASSERT(v != NULL && json_object_size(v) > 0,
		"/qosdt/stats empty after re-attach");
	json_decref(root);
	return TEST_SUCCESS;
}

/*
 * A client on lcore 1 queries /qosdt/stats in a loop while the main lcore
 * attaches a fresh monitor, detaches and frees it, again and again: every
 * reply must be whole (windows and the four classes) or empty.
 */
static volatile bool hammer_stop;
static volatile unsigned int hammer_replies, hammer_full, hammer_bad;

static int
hammer_client(void *arg __rte_unused)
{
	json_t *root, *v;
	unsigned int c;
	bool whole;
	int fd = tel_connect();

	if (fd < 0) {
		hammer_bad++;
		return -1;
	}
	while (!__atomic_load_n(&hammer_stop, __ATOMIC_ACQUIRE)) {
		root = tel_query(fd, "/qosdt/stats", &v);
		whole = v != NULL && json_object_get(v, "windows") != NULL;
		for (c = 0; c < QOSDT_NB_CLASSES && whole; c++)
			whole = json_u64(json_object_get(v, qosdt_class_name(c)),
				"rx_pkts") == 0;
		if (v == NULL || (json_object_size(v) != 0 && !whole))
			hammer_bad++;
		hammer_full += whole;
		hammer_replies++;
		json_decref(root);
	}
	close(fd);
	return 0;
}

static int
test_attach_detach_while_querying(void)
{
	unsigned int lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	struct qosdt_telemetry_source src = { .cfg = &cfg, .nb_tenants = 1 };
	unsigned int i, replies;
	struct qosdt_monitor *m;

	if (lcore >= RTE_MAX_LCORE)
		TEST_SKIP("needs a second lcore for the client (-l 0,1)");
	hammer_stop = false;
	hammer_replies = 0;
	hammer_full = 0;
	hammer_bad = 0;
	qosdt_telemetry_detach();
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(hammer_client, NULL, lcore),
		"cannot launch the client on lcore %u", lcore);
	for (i = 0; i < HAMMER_CYCLES && hammer_bad == 0; i++) {
		m = qosdt_monitor_create(&cfg, SOCKET_ID_ANY);
		if (m == NULL)
			break;
		src.mon = (const struct qosdt_monitor *const *)&m;
		qosdt_telemetry_attach(&src);
		/* Let a query or two run while it is attached. */
		replies = hammer_replies;
		while (hammer_replies == replies && hammer_bad == 0)
			rte_pause();
		qosdt_telemetry_detach();
		qosdt_monitor_free(m);
	}
	__atomic_store_n(&hammer_stop, true, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(lcore);
	TEST_ASSERT_EQUAL(i, HAMMER_CYCLES, "stopped after %u cycles", i);
	TEST_ASSERT_EQUAL(hammer_bad, 0, "%u bad replies of %u", hammer_bad,
		hammer_replies);
	printf("%u replies, %u whole, the rest empty\n", hammer_replies,
		hammer_full);
	return TEST_SUCCESS;
}

static struct unit_test_suite telemetry_suite = {
	.suite_name = "qosdt_telemetry",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_stats_over_socket),
		TEST_CASE(test_config_over_socket),
		TEST_CASE(test_adaptive_over_socket),
		TEST_CASE(test_buffers_over_socket),
		TEST_CASE(test_tenants_over_socket),
		TEST_CASE(test_dpdk_telemetry_py),
		TEST_CASE(test_detach_empties_replies),
		TEST_CASE(test_attach_detach_while_querying),
		TEST_CASES_END()
	}
};

static int
test_qos_telemetry(void)
{
	return unit_test_suite_runner(&telemetry_suite);
}

REGISTER_TEST_COMMAND(qos_telemetry_autotest, test_qos_telemetry);
