/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qosdt-pingpong: the bare channel's round trip, the floor qosdt's own is
 * compared with. One process reflects every frame it receives on a queue
 * back on the same queue (--role reflect); the other sends one frame at a
 * time and waits for it to come back (--role ping), at a fixed pace, and
 * reports the round trips. No rings, no scheduler, no service: net_shm and
 * two busy-polling loops, each on its own lcore, as qosdt's roles run.
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <qosdt.h>

#include "options.h"
#include "port.h"

#define PP_POOL_SIZE 4096
#define PP_BURST 32
#define PP_MAX_COUNT 10000000L

struct pp_options {
	bool reflect;
	long count;
	double rate;
	long size;
	uint16_t queue;
	double link_wait_s;
	const char *results;
};

static volatile bool quit;

static void
on_signal(int sig __rte_unused)
{
	quit = true;
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [EAL options] -- --role reflect|ping [options]\n"
"\n"
"The bare channel's round trip: reflect sends every frame it receives back\n"
"on the same queue, until SIGINT; ping sends one qosdt request frame at a\n"
"time and waits for it to come back, and prints the round trips.\n"
"\n"
"  --role R         reflect or ping\n"
"  --count N        ping: round trips to measure (default 4000)\n"
"  --rate PPS       ping: frames per second at most (default 1000, the\n"
"                   pace of config/idle-latency.json)\n"
"  --size B         ping: payload bytes (default 64: 104-byte frames)\n"
"  --queue Q        the queue (class) to use (default 0, realtime's)\n"
"  --link-wait S    ping: wait this long for the reflector (default 5)\n"
"  --results FILE   ping: write the round trips as JSON\n"
"  --help           this text\n", prog);
}

static int
pp_options_parse(int argc, char **argv, struct pp_options *o)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "queue", required_argument, NULL, 'q' },
		{ "link-wait", required_argument, NULL, 'w' },
		{ "results", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool role = false;
	char *end;
	long v;
	int c;

	*o = (struct pp_options){ .count = 4000, .rate = 1000, .size = 64,
		.link_wait_s = 5 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (strcmp(optarg, "reflect") != 0 &&
					strcmp(optarg, "ping") != 0) {
				fprintf(stderr, "qosdt-pingpong: --role: \"%s\" is neither reflect nor ping\n",
					optarg);
				return -1;
			}
			o->reflect = strcmp(optarg, "reflect") == 0;
			role = true;
			break;
		case 'c':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > PP_MAX_COUNT) {
				fprintf(stderr, "qosdt-pingpong: --count: \"%s\" is not 1..%ld\n",
					optarg, PP_MAX_COUNT);
				return -1;
			}
			o->count = v;
			break;
		case 'p':
			o->rate = strtod(optarg, &end);
			if (*end != '\0' || !(o->rate > 0 && o->rate <= 1e7)) {
				fprintf(stderr, "qosdt-pingpong: --rate: \"%s\" is not a rate in (0, 1e7] frames/s\n",
					optarg);
				return -1;
			}
			break;
		case 's':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 0 || v > 1400) {
				fprintf(stderr, "qosdt-pingpong: --size: \"%s\" is not 0..1400 bytes\n",
					optarg);
				return -1;
			}
			o->size = v;
			break;
		case 'q':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 0 || v >= QOSDT_NB_CLASSES) {
				fprintf(stderr, "qosdt-pingpong: --queue: \"%s\" is not 0..%d\n",
					optarg, QOSDT_NB_CLASSES - 1);
				return -1;
			}
			o->queue = (uint16_t)v;
			break;
		case 'w':
			o->link_wait_s = strtod(optarg, &end);
			if (*end != '\0' || !(o->link_wait_s >= 0 &&
					o->link_wait_s <= 3600)) {
				fprintf(stderr, "qosdt-pingpong: --link-wait: \"%s\" is not 0..3600 s\n",
					optarg);
				return -1;
			}
			break;
		case 'o':
			o->results = optarg;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 1;
		default:
			usage(stderr, argv[0]);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "qosdt-pingpong: unexpected argument \"%s\"\n",
			argv[optind]);
		return -1;
	}
	if (!role) {
		fprintf(stderr, "qosdt-pingpong: --role reflect|ping is required\n");
		return -1;
	}
	return 0;
}

static void
reflect(uint16_t port, uint16_t queue)
{
	struct rte_mbuf *pkts[PP_BURST];
	uint16_t n, sent;

	while (!quit) {
		n = rte_eth_rx_burst(port, queue, pkts, PP_BURST);
		for (sent = 0; sent < n && !quit; )
			sent += rte_eth_tx_burst(port, queue, pkts + sent,
				n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

/* One round trip of a fresh request frame; 0 ns when it did not return. */
static uint64_t
ping_once(uint16_t port, uint16_t queue, struct rte_mempool *pool,
		uint32_t size, uint64_t id)
{
	struct qosdt_msg msg = { .service_id = 1, .request_id = id,
		.length = size };
	uint8_t payload[1400];
	uint64_t hz = rte_get_tsc_hz(), t0, deadline;
	struct rte_mbuf *m, *back[PP_BURST];
	uint16_t n;

	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return 0;
	memset(payload, 'p', size);
	if (qosdt_msg_build(m, NULL, NULL, &msg, payload) != 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	t0 = rte_rdtsc();
	if (rte_eth_tx_burst(port, queue, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return 0;
	}
	deadline = t0 + hz;
	do {
		n = rte_eth_rx_burst(port, queue, back, PP_BURST);
		if (n > 0) {
			uint64_t t1 = rte_rdtsc();

			rte_pktmbuf_free_bulk(back, n);
			return (uint64_t)((double)(t1 - t0) * 1e9 / hz);
		}
	} while (!quit && rte_rdtsc() < deadline);
	return 0;
}

static int
write_results(const char *path, const struct pp_options *o,
		const struct qosdt_hist *h, long lost)
{
	struct qosdt_latency_summary l;
	json_t *root;
	int rc;

	qosdt_hist_summary(h, &l);
	root = json_pack("{s:s, s:I, s:I, s:I, s:f, s:{s:f, s:f, s:f, s:f, s:f}}",
		"role", "ping", "frame_bytes", (json_int_t)(QOSDT_FRAME_HDR_LEN + o->size),
		"received", (json_int_t)l.count, "lost", (json_int_t)lost,
		"rate_pps", o->rate, "latency_us",
		"p50", l.p50_ns / 1e3, "p90", l.p90_ns / 1e3, "p99", l.p99_ns / 1e3,
		"p999", l.p999_ns / 1e3, "max", l.max_ns / 1e3);
	rc = root == NULL ? -1 : json_dump_file(root, path, JSON_INDENT(2));
	json_decref(root);
	if (rc != 0)
		fprintf(stderr, "qosdt-pingpong: cannot write %s\n", path);
	return rc;
}

static int
ping(uint16_t port, const struct pp_options *o, struct rte_mempool *pool)
{
	uint64_t hz = rte_get_tsc_hz(), gap = (uint64_t)(hz / o->rate);
	uint64_t next = rte_rdtsc(), ns;
	struct qosdt_latency_summary l;
	struct qosdt_hist *h;
	long i, lost = 0;
	int rc = 0;

	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -1;
	if (port_wait_link(port, o->link_wait_s, &quit) < 0) {
		fprintf(stderr, "qosdt-pingpong: no reflector within %g s\n",
			o->link_wait_s);
		free(h);
		return -1;
	}
	for (i = 0; i < o->count && !quit; i++) {
		while (rte_rdtsc() < next)
			rte_pause();
		next += gap;
		ns = ping_once(port, o->queue, pool, (uint32_t)o->size,
			(uint64_t)i + 1);
		if (ns == 0)
			lost++;
		else
			qosdt_hist_record(h, ns);
	}
	qosdt_hist_summary(h, &l);
	printf("qosdt-pingpong: %" PRIu64 " round trips of %ld-byte frames, %ld lost: p50 %.1f us, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f\n",
		l.count, QOSDT_FRAME_HDR_LEN + o->size, lost, l.p50_ns / 1e3,
		l.p90_ns / 1e3, l.p99_ns / 1e3, l.p999_ns / 1e3, l.max_ns / 1e3);
	if (o->results != NULL)
		rc = write_results(o->results, o, h, lost);
	free(h);
	return rc == 0 && lost == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *pool;
	struct rte_ether_addr mac;
	struct pp_options o;
	int sep, ret, rc;

	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (sep == argc) {
		if (argc > 1 && strcmp(argv[1], "--help") == 0) {
			usage(stdout, argv[0]);
			return 0;
		}
		fprintf(stderr, "qosdt-pingpong: no \"--\": EAL options first, then \"--\" and its own (--help)\n");
		return 1;
	}
	argv[sep] = argv[0];
	rc = pp_options_parse(argc - sep, argv + sep, &o);
	argv[sep] = (char *)"--";
	if (rc != 0)
		return rc < 0 ? 1 : 0;
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "qosdt-pingpong: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	pool = rte_pktmbuf_pool_create("pingpong", PP_POOL_SIZE, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	rc = pool == NULL || port_setup(0, NULL, 0, pool, &mac) < 0 ? -1 : 0;
	if (rc == 0) {
		printf("qosdt-pingpong: %s ready\n", o.reflect ? "reflect" : "ping");
		fflush(stdout);
		if (o.reflect)
			reflect(0, o.queue);
		else
			rc = ping(0, &o, pool);
		port_close(0);
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
