/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * qosdt-hostile-peer: attach to a net_shm region as the other side, attack
 * the side under test for a while, then behave as a correct peer.
 *
 *   qosdt-hostile-peer --path /dev/shm/chan [--side client|server]
 *       [--mode indexes|descs|flip|header|random|all] [--duration S]
 *       [--seed N] [--behave S] [--wait S] [--sync]
 *
 * Prints "ready" once attached and settled, "attacked {JSON}" with what it
 * did after the attack, "behaved {JSON}" after the good phase, then a
 * summary. With --sync it waits for a line on stdin after "ready" and after
 * "attacked", so that a test can read the other side's counters between
 * the phases. Exit status: 0; 1 usage, attach or a side under test that
 * stopped responding; 3 the side under test wrote a bad descriptor or
 * altered a frame, or no frame came back on some queue while behaving.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp.h"

static const char *const mode_names[HP_MODE_COUNT] = {
	[HP_MODE_INDEXES] = "indexes",
	[HP_MODE_DESCS] = "descs",
	[HP_MODE_FLIP] = "flip",
	[HP_MODE_HEADER] = "header",
	[HP_MODE_RANDOM] = "random",
	[HP_MODE_ALL] = "all",
};

struct hp_opts {
	const char *path;
	enum shm_role side;
	enum hp_mode mode;
	double duration;
	double behave;
	double wait;
	uint64_t seed;
	bool sync;
};

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --path FILE [--side client|server]\n"
		"       [--mode indexes|descs|flip|header|random|all] [--duration S]\n"
		"       [--seed N] [--behave S] [--wait S] [--sync]\n"
		"  --path      the region file (as in the net_shm devarg path=)\n"
		"  --side      the side this tool plays (default client)\n"
		"  --mode      what to attack (default all)\n"
		"  --duration  seconds of attack (default 10)\n"
		"  --seed      random seed (default 1)\n"
		"  --behave    seconds of correct behaviour afterwards (default 2, 0: none)\n"
		"  --wait      seconds to wait for a formatted region (default 5)\n"
		"  --sync      wait for a line on stdin after 'ready' and 'attacked'\n",
		prog);
}

static int
parse_seconds(const char *opt, const char *s, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(*out >= 0) ||
			*out > max) {
		fprintf(stderr, "hostile-peer: --%s %s: not a number of seconds "
			"in 0..%g\n", opt, s, max);
		return -1;
	}
	return 0;
}

static int
parse_mode(const char *s, enum hp_mode *mode)
{
	int i;

	for (i = 0; i < HP_MODE_COUNT; i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*mode = i;
			return 0;
		}
	fprintf(stderr, "hostile-peer: --mode %s: must be indexes, descs, flip, "
		"header, random or all\n", s);
	return -1;
}

static int
parse_option(int opt, const char *arg, struct hp_opts *o)
{
	char *end;

	switch (opt) {
	case 'p':
		o->path = arg;
		return 0;
	case 's':
		if (strcmp(arg, "client") == 0 || strcmp(arg, "server") == 0) {
			o->side = arg[0] == 'c' ? SHM_ROLE_CLIENT : SHM_ROLE_SERVER;
			return 0;
		}
		fprintf(stderr, "hostile-peer: --side %s: must be client or "
			"server\n", arg);
		return -1;
	case 'm':
		return parse_mode(arg, &o->mode);
	case 'd':
		return parse_seconds("duration", arg, 1e6, &o->duration);
	case 'b':
		return parse_seconds("behave", arg, 1e6, &o->behave);
	case 'w':
		return parse_seconds("wait", arg, 3600, &o->wait);
	case 'r':
		errno = 0;
		o->seed = strtoull(arg, &end, 0);
		if (errno == 0 && end != arg && *end == '\0' && arg[0] != '-')
			return 0;
		fprintf(stderr, "hostile-peer: --seed %s: not an unsigned "
			"integer\n", arg);
		return -1;
	case 'y':
		o->sync = true;
		return 0;
	default:
		return -1;
	}
}

static int
parse_args(int argc, char **argv, struct hp_opts *o)
{
	static const struct option longopts[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "side", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "duration", required_argument, NULL, 'd' },
		{ "behave", required_argument, NULL, 'b' },
		{ "wait", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 'r' },
		{ "sync", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct hp_opts){ .side = SHM_ROLE_CLIENT, .mode = HP_MODE_ALL,
		.duration = 10, .behave = 2, .wait = 5, .seed = 1 };
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (opt == 'h' || parse_option(opt, optarg, o) != 0) {
			usage(argv[0]);
			return -1;
		}
	if (optind < argc) {
		fprintf(stderr, "hostile-peer: unexpected argument %s\n",
			argv[optind]);
		usage(argv[0]);
		return -1;
	}
	if (o->path == NULL) {
		fprintf(stderr, "hostile-peer: --path is required\n");
		usage(argv[0]);
		return -1;
	}
	return 0;
}

/* Print a phase line and, with --sync, wait for the go-ahead. */
static void
phase_done(const struct hp_opts *o, const char *line)
{
	char buf[64];

	printf("%s\n", line);
	fflush(stdout);
	if (o->sync && fgets(buf, sizeof(buf), stdin) == NULL)
		fprintf(stderr, "hostile-peer: stdin closed, going on\n");
}

#define HP_COUNT(name) { #name, offsetof(struct hp_counts, name) }

static const struct {
	const char *name;
	size_t off;
} count_names[] = {
	HP_COUNT(hostile_writes), HP_COUNT(bad_descs), HP_COUNT(good_frames),
	HP_COUNT(misplaced_frames), HP_COUNT(rx_jumps),
	HP_COUNT(rx_jumps_unseen), HP_COUNT(tx_jumps),
	HP_COUNT(tx_jumps_unseen), HP_COUNT(flips), HP_COUNT(header_episodes),
	HP_COUNT(down_episodes), HP_COUNT(gen_changes),
	HP_COUNT(their_bad_descs), HP_COUNT(their_resyncs),
	HP_COUNT(traffic_round_trips), HP_COUNT(traffic_corrupted),
	HP_COUNT(header_stores), HP_COUNT(header_fixes),
	HP_COUNT(prod_index_stores),
	HP_COUNT(cons_index_stores),
};

static uint64_t
count_value(const struct hp_counts *cnt, size_t off)
{
	return *(const uint64_t *)((const uint8_t *)cnt + off);
}

static void
print_u64_list(const uint64_t *v, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		printf("%s%" PRIu64, i ? "," : "", v[i]);
}

static void
print_attacked(const struct hp_ctx *c, const struct hp_opts *o, int ret)
{
	size_t i;

	printf("attacked {\"mode\":\"%s\",\"seed\":%" PRIu64 ",\"seconds\":%g,"
		"\"ok\":%s", mode_names[o->mode], o->seed, o->duration,
		ret == 0 ? "true" : "false");
	for (i = 0; i < RTE_DIM(count_names); i++)
		printf(",\"%s\":%" PRIu64, count_names[i].name,
			count_value(&c->counts, count_names[i].off));
	printf(",\"published\":[");
	print_u64_list(c->counts.published, c->reg.geo.nb_queues);
	printf("]}");
}

static void
print_behaved(const struct hp_ctx *c, const struct hp_behave_result *r,
		double seconds)
{
	printf("behaved {\"seconds\":%g,\"round_trips\":[", seconds);
	print_u64_list(r->round_trips, c->reg.geo.nb_queues);
	printf("],\"corrupted\":%" PRIu64 ",\"foreign\":%" PRIu64
		",\"reinjected\":%" PRIu64 ",\"their_bad_descs\":%" PRIu64
		",\"their_resyncs\":%" PRIu64 "}\n", r->corrupted, r->foreign,
		r->reinjected, r->their_bad_descs, r->their_resyncs);
}

/* Did the side under test do everything right while we behaved? */
static bool
behave_ok(const struct hp_ctx *c, const struct hp_behave_result *r)
{
	uint32_t q;

	for (q = 0; q < c->reg.geo.nb_queues; q++)
		if (r->round_trips[q] == 0)
			return false;
	return r->corrupted == 0 && r->their_bad_descs == 0;
}

/* Attach and bring every ring to a state both sides agree on. */
static int
start(struct hp_ctx *c, const struct hp_opts *o)
{
	struct hp_counts scratch;
	uint32_t q;

	if (hp_attach(c, o->path, o->side, o->wait) != 0)
		return -1;
	if (hp_heartbeat_start(c) != 0)
		return -1;
	memset(&scratch, 0, sizeof(scratch));
	for (q = 0; q < c->reg.geo.nb_queues; q++) {
		if (hp_settle_prod(c, q, true, &scratch) != 0) {
			fprintf(stderr, "hostile-peer: the other side does not "
				"consume queue %u: is it running and polling "
				"every queue of the region?\n", q);
			return -1;
		}
		hp_settle_cons(c, q);
	}
	if (hp_wait_their_ticks(c, 3) != 0) {
		fprintf(stderr, "hostile-peer: the other side's heartbeat does "
			"not move\n");
		return -1;
	}
	printf("hostile-peer: attached to %s as %s: queues=%u ring_size=%u "
		"buf_size=%u size=%" PRIu64 "\n", o->path,
		o->side == SHM_ROLE_CLIENT ? "client" : "server",
		c->reg.geo.nb_queues, c->reg.geo.ring_size,
		c->reg.geo.buf_size, c->reg.size);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct hp_ctx c;
	struct hp_behave_result br;
	struct hp_opts o;
	bool ok = true;
	int ret;

	if (parse_args(argc, argv, &o) != 0)
		return 1;
	c.seed = o.seed != 0 ? o.seed : 1;	/* xorshift needs a non-zero state */
	if (start(&c, &o) != 0) {
		hp_detach(&c);
		return 1;
	}
	phase_done(&o, "ready");
	ret = hp_attack(&c, o.mode, o.duration);
	print_attacked(&c, &o, ret);
	phase_done(&o, "");
	if (ret == 0 && (o.mode == HP_MODE_RANDOM || o.mode == HP_MODE_ALL)) {
		/* whatever the random stores did, a header garbled until
		 * seen must still be counted, and take the link down */
		struct hp_counts w;
		char line[160];

		memset(&w, 0, sizeof(w));
		ret = hp_witness_header(&c, &w);
		snprintf(line, sizeof(line), "witnessed {\"header_episodes\":%"
			PRIu64 ",\"down_episodes\":%" PRIu64 ",\"ok\":%s}",
			w.header_episodes, w.down_episodes,
			ret == 0 ? "true" : "false");
		phase_done(&o, line);
		hp_counts_add(&c.counts, &w);
	}
	/* random and all write the other side's descriptors themselves */
	ok = (c.counts.their_bad_descs == 0 || o.mode == HP_MODE_RANDOM ||
		o.mode == HP_MODE_ALL) && c.counts.traffic_corrupted == 0;
	if (ret == 0 && o.behave > 0) {
		hp_behave(&c, o.behave, NULL, &br);
		print_behaved(&c, &br, o.behave);
		ok = ok && behave_ok(&c, &br);
	}
	hp_detach(&c);
	printf("hostile-peer: mode %s, seed %" PRIu64 ": %" PRIu64 " hostile "
		"writes in %g s%s\n", mode_names[o.mode], o.seed,
		c.counts.hostile_writes, o.duration, ret != 0 ?
		"; the other side stopped responding" : ok ? "" :
		"; the other side failed a check (see above)");
	return ret != 0 ? 1 : ok ? 0 : 3;
}
