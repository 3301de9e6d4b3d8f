/* SPDX-License-Identifier: BSD-3-Clause */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "shm_test_util.h"

#define SHM_TEST_POOL_SIZE	8192
#define SHM_TEST_MAX_BURST	512

void
shm_test_path(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/dev/shm/qosdt-test-%d-%s", (int)getpid(), tag);
}

int
shm_test_port_create(const char *name, const char *devargs)
{
	uint16_t port;

	if (rte_vdev_init(name, devargs) != 0)
		return -1;
	if (rte_eth_dev_get_port_by_name(name, &port) != 0)
		return -1;
	return port;
}

int
shm_test_port_start(uint16_t port, uint16_t nb_queues, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	uint16_t q;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, nb_queues, nb_queues, &conf) != 0)
		return -1;
	for (q = 0; q < nb_queues; q++) {
		if (rte_eth_rx_queue_setup(port, q, 512, rte_socket_id(), NULL,
				mp) != 0)
			return -1;
		if (rte_eth_tx_queue_setup(port, q, 512, rte_socket_id(),
				NULL) != 0)
			return -1;
	}
	return rte_eth_dev_start(port) == 0 ? 0 : -1;
}

void
shm_test_port_destroy(uint16_t port, const char *name)
{
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_vdev_uninit(name);
}

uint64_t
shm_test_thread_run_delay_ns(const char *comm)
{
	char path[300], name[64];
	unsigned long long run, wait;
	uint64_t total = 0;
	struct dirent *e;
	FILE *f;
	DIR *d;

	d = opendir("/proc/self/task");
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(name, sizeof(name), f) == NULL)
			name[0] = '\0';
		fclose(f);
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, comm) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/schedstat",
			e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%llu %llu", &run, &wait) == 2)
			total += wait;
		fclose(f);
	}
	closedir(d);
	return total;
}

int
shm_test_wait_link_stalls(uint16_t port, bool up, unsigned int timeout_ms,
		uint64_t *elapsed_us, uint64_t *stall_us)
{
	const uint64_t poll_us = 500;
	uint64_t hb_wait0 = shm_test_thread_run_delay_ns("eal-intr-thread");
	uint64_t start = rte_get_timer_cycles();
	uint64_t hz = rte_get_timer_hz();
	uint64_t last = start, late_us, late_sum = 0, hb_wait;
	struct rte_eth_link link;
	int rc;

	for (;;) {
		uint64_t now = rte_get_timer_cycles();

		late_us = (now - last) * 1000000 / hz;
		late_us = late_us > poll_us ? late_us - poll_us : 0;
		if (late_us > SHM_TEST_LATE_POLL_US)
			late_sum += late_us;
		last = now;
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
				(link.link_status == RTE_ETH_LINK_UP) == up) {
			if (elapsed_us != NULL)
				*elapsed_us = (now - start) * 1000000 / hz;
			rc = 0;
			break;
		}
		if (now - start > timeout_ms * hz / 1000) {
			rc = -1;
			break;
		}
		rte_delay_us_sleep(poll_us);
	}
	hb_wait = (shm_test_thread_run_delay_ns("eal-intr-thread") - hb_wait0) /
		1000;
	if (stall_us != NULL)
		*stall_us = RTE_MAX(late_sum, hb_wait);
	return rc;
}

int
shm_test_wait_link(uint16_t port, bool up, unsigned int timeout_ms,
		uint64_t *elapsed_us)
{
	return shm_test_wait_link_stalls(port, up, timeout_ms, elapsed_us, NULL);
}

void
shm_test_port_remove(const char *name)
{
	uint16_t port;

	if (rte_eth_dev_get_port_by_name(name, &port) == 0)
		shm_test_port_destroy(port, name);
	else
		rte_vdev_uninit(name);
}

/* Probe, start and connect the two ports of a pair whose pool exists. */
static int
pair_open(struct shm_pair *p, const char *server_args, uint16_t nb_queues)
{
	char args[512];
	int port;

	snprintf(args, sizeof(args), "path=%s,role=server%s%s", p->path,
		server_args != NULL ? "," : "",
		server_args != NULL ? server_args : "");
	port = shm_test_port_create(p->server_name, args);
	if (port < 0)
		return -1;
	p->server = port;
	snprintf(args, sizeof(args), "path=%s,role=client", p->path);
	port = shm_test_port_create(p->client_name, args);
	if (port < 0)
		return -1;
	p->client = port;
	if (shm_test_port_start(p->server, nb_queues, p->mp) != 0 ||
			shm_test_port_start(p->client, nb_queues, p->mp) != 0)
		return -1;
	if (shm_test_wait_link(p->server, true, 2000, NULL) != 0 ||
			shm_test_wait_link(p->client, true, 2000, NULL) != 0)
		return -1;
	return 0;
}

int
shm_pair_create(struct shm_pair *p, const char *tag, const char *server_args,
		uint16_t nb_queues)
{
	return shm_pair_create_at(p, tag, NULL, server_args, nb_queues);
}

int
shm_pair_create_at(struct shm_pair *p, const char *tag, const char *path,
		const char *server_args, uint16_t nb_queues)
{
	char pool[64];

	memset(p, 0, sizeof(*p));
	p->nb_queues = nb_queues;
	if (path != NULL)
		snprintf(p->path, sizeof(p->path), "%s", path);
	else
		shm_test_path(p->path, sizeof(p->path), tag);
	unlink(p->path);
	snprintf(p->server_name, sizeof(p->server_name), "net_shm_s%s", tag);
	snprintf(p->client_name, sizeof(p->client_name), "net_shm_c%s", tag);
	snprintf(pool, sizeof(pool), "mp_%s", tag);
	p->mp = rte_pktmbuf_pool_create(pool, SHM_TEST_POOL_SIZE, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (p->mp == NULL)
		return -1;
	if (pair_open(p, server_args, nb_queues) != 0) {
		shm_pair_destroy(p);	/* no teardown follows a failed setup */
		return -1;
	}
	return 0;
}

void
shm_pair_destroy(struct shm_pair *p)
{
	uint16_t port;

	if (rte_eth_dev_get_port_by_name(p->client_name, &port) == 0)
		shm_test_port_destroy(port, p->client_name);
	if (rte_eth_dev_get_port_by_name(p->server_name, &port) == 0)
		shm_test_port_destroy(port, p->server_name);
	rte_mempool_free(p->mp);
	p->mp = NULL;
	if (p->path[0] != '\0')
		unlink(p->path);
}

static uint8_t
pattern_byte(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 131 + i * 7 + (i >> 8));
}

struct rte_mbuf *
shm_test_frame(struct rte_mempool *mp, uint32_t len, uint32_t seq,
		uint32_t seg_len)
{
	struct rte_mbuf *head = NULL, *seg;
	uint32_t i = 0, n;
	uint8_t *d;

	if (seg_len == 0)
		seg_len = len;
	do {
		seg = rte_pktmbuf_alloc(mp);
		if (seg == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = RTE_MIN(seg_len, len - i);
		d = (uint8_t *)rte_pktmbuf_append(seg, n);
		if (d == NULL) {
			rte_pktmbuf_free(seg);
			rte_pktmbuf_free(head);
			return NULL;
		}
		for (uint32_t k = 0; k < n; k++)
			d[k] = pattern_byte(seq, i + k);
		i += n;
		if (head == NULL)
			head = seg;
		else if (rte_pktmbuf_chain(head, seg) != 0) {
			rte_pktmbuf_free(seg);
			rte_pktmbuf_free(head);
			return NULL;
		}
	} while (i < len);
	return head;
}

int
shm_test_frame_check(const struct rte_mbuf *m, uint32_t len, uint32_t seq)
{
	uint32_t i = 0;

	if (m->pkt_len != len)
		return -1;
	for (; m != NULL; m = m->next) {
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

		for (uint32_t k = 0; k < m->data_len; k++, i++)
			if (d[k] != pattern_byte(seq, i))
				return -1;
	}
	return i == len ? 0 : -1;
}

uint16_t
shm_test_send(uint16_t port, uint16_t queue, struct rte_mempool *mp,
		uint16_t n, uint32_t len, uint32_t seq0)
{
	struct rte_mbuf *m[SHM_TEST_MAX_BURST];
	uint16_t i, sent;

	n = RTE_MIN(n, (uint16_t)SHM_TEST_MAX_BURST);
	for (i = 0; i < n; i++) {
		m[i] = shm_test_frame(mp, len, seq0 + i, 0);
		if (m[i] == NULL) {
			shm_test_free(m, i);
			return 0;
		}
	}
	sent = rte_eth_tx_burst(port, queue, m, n);
	shm_test_free(m + sent, n - sent);
	return sent;
}

int
shm_test_recv(uint16_t port, uint16_t queue, uint16_t n, uint32_t len,
		uint32_t seq0, unsigned int timeout_ms)
{
	struct rte_mbuf *m[SHM_TEST_MAX_BURST];
	uint64_t deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * timeout_ms / 1000;
	uint16_t got = 0, r, i;
	int bad = 0;

	n = RTE_MIN(n, (uint16_t)SHM_TEST_MAX_BURST);
	while (got < n) {
		r = rte_eth_rx_burst(port, queue, m, n - got);
		for (i = 0; i < r; i++) {
			if (shm_test_frame_check(m[i], len, seq0 + got + i) != 0)
				bad = 1;
			rte_pktmbuf_free(m[i]);
		}
		got += r;
		if (r == 0 && rte_get_timer_cycles() > deadline)
			break;
	}
	return bad ? -1 : got;
}

void
shm_test_free(struct rte_mbuf **m, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

int
shm_test_probe_logged(const char *name, const char *args, char *log,
		size_t len)
{
	FILE *prev = rte_log_get_stream();
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int ret;

	log[0] = '\0';
	f = open_memstream(&buf, &n);
	if (f == NULL)
		return rte_vdev_init(name, args);
	rte_openlog_stream(f);
	ret = rte_vdev_init(name, args);
	rte_openlog_stream(prev);
	fclose(f);
	if (buf != NULL) {
		snprintf(log, len, "%s", buf);
		fputs(buf, stdout);
		free(buf);
	}
	return ret;
}

uint64_t
shm_test_xstat(uint16_t port, const char *name)
{
	uint64_t id, value = UINT64_MAX;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) == 0)
		rte_eth_xstats_get_by_id(port, &id, &value, 1);
	return value;
}
