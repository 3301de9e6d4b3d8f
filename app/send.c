/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qosdt-send: send one request to a running qosdt server and print the
 * reply, the class and the round-trip latency (the counterpart of the
 * original `hyper_amp_qos ... "data" ID`). With --text it speaks the
 * original's C strings, for a server run with --services hvisor.
 */

#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include <qosdt.h>

#include "options.h"
#include "port.h"
#include "services.h"

/* Longest --timeout and --link-wait. */
#define SEND_MAX_SECONDS 3600.0

/* Largest request payload: what fits a default mbuf. */
#define SEND_MAX_DATA 1400

struct send_options {
	long service_id;
	bool hex;
	bool text;      /**< Send a trailing NUL, print the reply as a C string. */
	const char *config_path;
	double timeout_s;
	double link_wait_s;
	uint16_t port_id;
	uint8_t data[SEND_MAX_DATA];
	uint32_t len;
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
"Usage: %s [EAL options] -- --service ID [options] DATA\n"
"\n"
"Send one request to a running qosdt server over the channel port (a\n"
"net_shm vdev with role=client) and print the reply, its class and the\n"
"round-trip latency.\n"
"\n"
"  --service ID     service id, 0..65535 (1..15 exist; see doc/services.md)\n"
"  --hex            DATA is hexadecimal (binary requests)\n"
"  --text           as the original HyperAMP client: send DATA and a NUL\n"
"                   (length + 1), print the reply as a C string (up to\n"
"                   its first NUL) and all its bytes in hex; for a server\n"
"                   run with --services hvisor (doc/services.md)\n"
"  --config FILE    QoS configuration giving the service's class\n"
"                   (default: the built-in one, = config/qos.json)\n"
"  --timeout S      wait this long for the reply (default 1)\n"
"  --link-wait S    wait this long for the server (default 5)\n"
"  --port N         the channel's ethdev port (default 0)\n"
"  --help           this text\n"
"Exit status: 0 a reply was received, 1 otherwise.\n", prog);
}

static int
parse_hex(const char *s, struct send_options *o)
{
	size_t n = strlen(s), i;

	if (n % 2 != 0 || n / 2 > sizeof(o->data))
		goto bad;
	for (i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
				!isxdigit((unsigned char)s[2 * i]) ||
				!isxdigit((unsigned char)s[2 * i + 1]))
			goto bad;
		o->data[i] = (uint8_t)v;
	}
	o->len = n / 2;
	return 0;
bad:
	fprintf(stderr, "qosdt-send: DATA: not an even number of hex digits (at most %zu bytes)\n",
		sizeof(o->data));
	return -1;
}

static int
parse_options(int argc, char **argv, struct send_options *o)
{
	static const struct option opts[] = {
		{ "service", required_argument, NULL, 's' },
		{ "hex", no_argument, NULL, 'x' },
		{ "text", no_argument, NULL, 'T' },
		{ "config", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "link-wait", required_argument, NULL, 'w' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int opt;

	o->service_id = -1;
	o->timeout_s = 1.0;
	o->link_wait_s = 5.0;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (options_parse_uint("qosdt-send", "service", optarg,
					UINT16_MAX, &v) < 0)
				return -1;
			o->service_id = (long)v;
			break;
		case 'x':
			o->hex = true;
			break;
		case 'T':
			o->text = true;
			break;
		case 'c':
			o->config_path = optarg;
			break;
		case 't':
			if (options_parse_seconds("qosdt-send", "timeout", optarg,
					0, SEND_MAX_SECONDS, &o->timeout_s) < 0)
				return -1;
			break;
		case 'w':
			if (options_parse_seconds("qosdt-send", "link-wait", optarg,
					0, SEND_MAX_SECONDS, &o->link_wait_s) < 0)
				return -1;
			break;
		case 'p':
			if (options_parse_uint("qosdt-send", "port", optarg,
					RTE_MAX_ETHPORTS - 1, &v) < 0)
				return -1;
			o->port_id = (uint16_t)v;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 1;
		default:
			fprintf(stderr, "qosdt-send: unknown option or missing value: \"%s\" (see --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (o->service_id < 0 || optind != argc - 1) {
		fprintf(stderr, "qosdt-send: need --service ID and one DATA argument (see --help)\n");
		return -1;
	}
	if (o->hex) {
		if (parse_hex(argv[optind], o) < 0)
			return -1;
	} else {
		o->len = strlen(argv[optind]);
		if (o->len > sizeof(o->data)) {
			fprintf(stderr, "qosdt-send: DATA: longer than %zu bytes\n",
				sizeof(o->data));
			return -1;
		}
		memcpy(o->data, argv[optind], o->len);
	}
	if (o->text) {
		/* The original client's request: the data and a NUL. */
		if (o->len >= sizeof(o->data)) {
			fprintf(stderr, "qosdt-send: DATA: longer than %zu bytes with --text (its NUL takes one)\n",
				sizeof(o->data) - 1);
			return -1;
		}
		o->data[o->len++] = '\0';
	}
	return 0;
}

static void
print_payload(const uint8_t *p, uint32_t n)
{
	uint32_t i;
	bool text = true;

	for (i = 0; i < n; i++)
		text &= p[i] >= 0x20 && p[i] < 0x7f;
	printf("reply    %" PRIu32 " bytes: ", n);
	if (text && n > 0) {
		printf("\"%.*s\"", (int)n, (const char *)p);
	} else {
		for (i = 0; i < n; i++)
			printf("%02x", p[i]);
	}
	if (n == 4)
		printf(" (0x%08" PRIx32 " = %" PRIu32 ")",
			rte_be_to_cpu_32(*(const unaligned_uint32_t *)p),
			rte_be_to_cpu_32(*(const unaligned_uint32_t *)p));
	printf("\n");
}

/*
 * The reply as the original client shows it: the C string up to the first
 * NUL (non-printable bytes escaped), then all the bytes it holds, as many
 * as were sent.
 */
static void
print_text_payload(const uint8_t *p, uint32_t n)
{
	const uint8_t *nul = n > 0 ? memchr(p, '\0', n) : NULL;
	uint32_t slen = nul != NULL ? (uint32_t)(nul - p) : n;
	uint32_t i;

	printf("reply    \"");
	for (i = 0; i < slen; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	printf("\"%s\n", nul != NULL ? "" : " (no NUL)");
	printf("bytes    %" PRIu32 ":", n);
	for (i = 0; i < n; i++)
		printf(" %02x", p[i]);
	printf("\n");
}

static const char *const result_names[] = {
	[QOSDT_RESULT_NONE] = "NONE",
	[QOSDT_RESULT_SUCCESS] = "SUCCESS",
	[QOSDT_RESULT_FAIL] = "FAIL",
	[QOSDT_RESULT_NOT_EXIST] = "NOT_EXIST",
};

/* Wait for the reply to request_id; prints it. 0 on success. */
static int
await_reply(const struct send_options *o, uint64_t request_id, uint64_t t0)
{
	uint64_t deadline = t0 + (uint64_t)(o->timeout_s * rte_get_tsc_hz());
	uint8_t buf[SVC_REPLY_MAX(SEND_MAX_DATA)];
	struct rte_mbuf *pkts[32];
	struct qosdt_msg msg;
	uint16_t q, n, i;

	while (!quit && rte_get_tsc_cycles() < deadline) {
		for (q = 0; q < QOSDT_NB_CLASSES; q++) {
			n = rte_eth_rx_burst(o->port_id, q, pkts, RTE_DIM(pkts));
			for (i = 0; i < n; i++) {
				uint64_t t1 = rte_get_tsc_cycles();
				const void *p;

				if (qosdt_msg_parse(pkts[i], &msg) != QOSDT_MSG_OK ||
						msg.request_id != request_id ||
						!(msg.flags & QOSDT_MSG_F_REPLY) ||
						msg.length > sizeof(buf)) {
					rte_pktmbuf_free(pkts[i]);
					continue;
				}
				printf("result   %s\n", msg.result < RTE_DIM(result_names) ?
					result_names[msg.result] : "unknown");
				p = rte_pktmbuf_read(pkts[i], QOSDT_FRAME_HDR_LEN,
					msg.length, buf);
				if (p != NULL && o->text)
					print_text_payload(p, msg.length);
				else if (p != NULL)
					print_payload(p, msg.length);
				printf("queue    %u (%s)\n", q, qosdt_class_name(q));
				printf("latency  %.1f us\n",
					(t1 - t0) * 1e6 / rte_get_tsc_hz());
				rte_pktmbuf_free_bulk(pkts + i, n - i);
				return 0;
			}
		}
	}
	fprintf(stderr, "qosdt-send: no reply within %g s\n", o->timeout_s);
	return -1;
}

static int
send_one(const struct send_options *o, struct qosdt *q, unsigned int cls,
		const struct rte_ether_addr *mac)
{
	uint64_t request_id = rte_rdtsc(), t0;
	struct qosdt_msg msg = {
		.service_id = (uint16_t)o->service_id,
		.length = o->len,
		.request_id = request_id,
		.timestamp_ns = qosdt_monitor_now_ns(),
	};
	struct rte_mbuf *m = rte_pktmbuf_alloc(qosdt_pool(q, cls));
	int rc;

	if (m == NULL) {
		fprintf(stderr, "qosdt-send: no buffer\n");
		return -1;
	}
	rc = qosdt_msg_build(m, mac, NULL, &msg, o->data);
	if (rc != 0) {
		fprintf(stderr, "qosdt-send: cannot build the request: %s\n",
			strerror(-rc));
		rte_pktmbuf_free(m);
		return -1;
	}
	t0 = rte_get_tsc_cycles();
	if (rte_eth_tx_burst(o->port_id, cls, &m, 1) != 1) {
		fprintf(stderr, "qosdt-send: the channel is full\n");
		rte_pktmbuf_free(m);
		return -1;
	}
	return await_reply(o, request_id, t0);
}

static int
run(const struct send_options *o)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;
	struct rte_ether_addr mac;
	struct qosdt *q = NULL;
	unsigned int cls;
	int rc = -1;

	if (o->config_path == NULL)
		qosdt_config_defaults(&cfg);
	else if (qosdt_config_load(o->config_path, &cfg, err, sizeof(err)) < 0) {
		options_file_error(o->config_path, err);
		return -1;
	}
	q = qosdt_create("send", &cfg, (int)rte_socket_id(), false);
	if (q == NULL) {
		fprintf(stderr, "qosdt-send: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	if (port_setup(o->port_id, q, 0, NULL, &mac) < 0)
		goto out;
	cls = qosdt_service_class(q, (uint16_t)o->service_id, NULL);
	printf("service  %ld (%s), class %s\n", o->service_id,
		svc_name((uint16_t)o->service_id), qosdt_class_name(cls));
	if (port_wait_link(o->port_id, o->link_wait_s, &quit) < 0)
		fprintf(stderr, "qosdt-send: no server within %g s\n",
			o->link_wait_s);
	else
		rc = send_one(o, q, cls, &mac);
	port_close(o->port_id);
out:
	qosdt_free(q);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct send_options o;
	int ret, rc;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
			strcmp(argv[1], "-h") == 0)) {
		usage(stdout, argv[0]);
		return 0;
	}
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "qosdt-send: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argv[ret] = argv[0];
	rc = parse_options(argc - ret, argv + ret, &o);
	if (rc == 0) {
		signal(SIGINT, on_signal);
		rc = run(&o);
	}
	rte_eal_cleanup();
	return rc >= 0 ? 0 : 1;
}
