/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app_log.h"
#include "hop_trace.h"

struct hop_entry {
	uint64_t id;
	uint64_t tsc[HOP_MAX];
};

bool hop_trace_on;
static struct hop_entry *ring;

static const char *const hop_names[HOP_MAX] = {
	[HOP_CLIENT_GEN] = "client_gen",
	[HOP_CLIENT_SCHED] = "client_sched",
	[HOP_CLIENT_TX] = "client_tx",
	[HOP_SERVER_RX] = "server_rx",
	[HOP_SERVER_ADMIT] = "server_admit",
	[HOP_SERVER_SCHED] = "server_sched",
	[HOP_SERVER_SERVED] = "server_served",
	[HOP_SERVER_TX] = "server_tx",
	[HOP_CLIENT_RX] = "client_rx",
	[HOP_CLIENT_DONE] = "client_done",
};

int
hop_trace_enable(void)
{
	ring = calloc(HOP_TRACE_SLOTS, sizeof(*ring));
	if (ring == NULL) {
		APP_LOG(ERR, "--trace: out of memory");
		return -1;
	}
	hop_trace_on = true;
	return 0;
}

void
hop_trace_stamp_id(uint64_t id, enum hop hop)
{
	hop_trace_stamp_id_at(id, hop, rte_rdtsc());
}

void
hop_trace_stamp_id_at(uint64_t id, enum hop hop, uint64_t tsc)
{
	struct hop_entry *e;

	if (!hop_trace_on || id == 0 || id % HOP_TRACE_EVERY != 0 ||
			hop >= HOP_MAX)
		return;
	/* The stages of one role may run on different lcores: a slot is
	 * written by each hop once; a reused slot starts afresh. */
	e = &ring[(id / HOP_TRACE_EVERY) % HOP_TRACE_SLOTS];
	if (__atomic_load_n(&e->id, __ATOMIC_ACQUIRE) != id) {
		memset(e->tsc, 0, sizeof(e->tsc));
		__atomic_store_n(&e->id, id, __ATOMIC_RELEASE);
	}
	if (e->tsc[hop] == 0)
		e->tsc[hop] = tsc;
}

int
hop_trace_write(const char *path)
{
	double ns_per_tsc = 1e9 / (double)rte_get_tsc_hz();
	json_t *hops = json_array(), *reqs = json_array(), *root;
	unsigned int i, h;
	int rc = 0;

	for (h = 0; h < HOP_MAX; h++)
		json_array_append_new(hops, json_string(hop_names[h]));
	for (i = 0; ring != NULL && i < HOP_TRACE_SLOTS; i++) {
		json_t *row;

		if (ring[i].id == 0)
			continue;
		row = json_array();
		json_array_append_new(row, json_integer((json_int_t)ring[i].id));
		for (h = 0; h < HOP_MAX; h++)
			json_array_append_new(row, json_integer(
				(json_int_t)(ring[i].tsc[h] * ns_per_tsc)));
		json_array_append_new(reqs, row);
	}
	root = json_pack("{s:i, s:o, s:o}", "every", HOP_TRACE_EVERY,
		"hops", hops, "requests", reqs);
	if (root == NULL || json_dump_file(root, path, JSON_COMPACT) != 0) {
		APP_LOG(ERR, "--trace: cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	json_decref(root);
	return rc;
}
