/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Attaching the hostile peer to a region, as the driver's client (or
 * server) would: the header is copied once and checked, so that the tool
 * itself never addresses outside the mapping; then the side is marked
 * attached and a thread keeps its heartbeat moving.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp.h"

/* A change of our side's heartbeat is awaited this long at most. */
#define HP_TICK_TIMEOUT_S	2.0

static pthread_t hb_thread;
static bool hb_started;

struct shm_side_state *
hp_my_side(struct hp_ctx *c)
{
	return shm_side(&c->reg, c->side);
}

struct shm_side_state *
hp_their_side(struct hp_ctx *c)
{
	return shm_side(&c->reg, 1 - c->side);
}

static uint64_t
ring_stride(uint32_t ring_size)
{
	return sizeof(struct shm_ring_ctl) +
		(uint64_t)ring_size * sizeof(union shm_desc);
}

/* Does the header describe a layout that fits in file_size bytes? */
static const char *
header_problem(const struct shm_region_header *h, uint64_t file_size)
{
	uint64_t stride, bufs, need;

	if (h->magic != SHM_REGION_MAGIC)
		return "no net_shm magic (not formatted yet?)";
	if (h->version != SHM_REGION_VERSION)
		return "unknown region version";
	if (h->nb_queues < 1 || h->nb_queues > SHM_MAX_QUEUES ||
			h->ring_size < SHM_MIN_RING_SIZE ||
			h->ring_size > SHM_MAX_RING_SIZE ||
			(h->ring_size & (h->ring_size - 1)) != 0 ||
			h->buf_size < SHM_MIN_BUF_SIZE ||
			h->buf_size > SHM_MAX_BUF_SIZE || h->buf_size % 64 != 0)
		return "geometry out of the layout's limits";
	stride = ring_stride(h->ring_size);
	bufs = RTE_ALIGN_CEIL(SHM_HDR_AREA + 2 * (uint64_t)h->nb_queues *
		stride, (uint64_t)SHM_REGION_ALIGN);
	need = bufs + 2 * (uint64_t)h->nb_queues * h->ring_size * h->buf_size;
	if (h->rings_offset != SHM_HDR_AREA || h->bufs_offset != bufs ||
			h->region_size < need || h->region_size > file_size)
		return "inconsistent offsets or size";
	return NULL;
}

/* Copy the header once; 1 if the file is not (yet) a region, -1 on error. */
static int
read_header(const char *path, struct shm_region_header *h, uint64_t *size,
		const char **why)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return errno == ENOENT ? 1 : -1;
	}
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)SHM_HDR_AREA) {
		close(fd);
		*why = "file shorter than a region header";
		return 1;
	}
	p = mmap(NULL, SHM_HDR_AREA, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		*why = strerror(errno);
		return -1;
	}
	memcpy(h, p, sizeof(*h));
	munmap(p, SHM_HDR_AREA);
	*size = (uint64_t)st.st_size;
	*why = header_problem(h, *size);
	return *why == NULL ? 0 : 1;
}

static int
map_region(struct hp_ctx *c, const char *path)
{
	struct shm_region *r = &c->reg;
	const struct shm_region_header *h = &c->hdr;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "hostile-peer: %s: %s\n", path, strerror(errno));
		return -1;
	}
	r->map_addr = mmap(NULL, h->region_size, PROT_READ | PROT_WRITE,
		MAP_SHARED, fd, 0);
	close(fd);
	if (r->map_addr == MAP_FAILED) {
		fprintf(stderr, "hostile-peer: cannot map %" PRIu64 " bytes of "
			"%s: %s\n", h->region_size, path, strerror(errno));
		r->map_addr = NULL;
		return -1;
	}
	r->map_len = h->region_size;
	r->base = r->map_addr;
	r->size = h->region_size;
	r->geo.nb_queues = h->nb_queues;
	r->geo.ring_size = h->ring_size;
	r->geo.buf_size = h->buf_size;
	r->rings_offset = h->rings_offset;
	r->bufs_offset = h->bufs_offset;
	r->ring_stride = ring_stride(h->ring_size);
	r->fd = -1;
	c->mask = h->ring_size - 1;
	c->area = (uint64_t)h->ring_size * h->buf_size;
	return 0;
}

/* Is a process holding this side: attached, and its heartbeat moving? */
static bool
side_is_live(const struct shm_side_state *st)
{
	uint64_t hb;
	int i;

	if (__atomic_load_n(&st->attached, __ATOMIC_ACQUIRE) != SHM_SIDE_ATTACHED)
		return false;
	hb = __atomic_load_n(&st->heartbeat, __ATOMIC_ACQUIRE);
	for (i = 0; i < 12; i++) {
		hp_sleep_us(SHM_HEARTBEAT_PERIOD_US / 2);
		if (__atomic_load_n(&st->heartbeat, __ATOMIC_ACQUIRE) != hb)
			return true;
	}
	return false;
}

int
hp_attach(struct hp_ctx *c, const char *path, enum shm_role side,
		double wait_s)
{
	double deadline = hp_now() + wait_s;
	struct shm_side_state *me;
	const char *why = NULL;
	uint64_t size = 0;
	uint32_t q;
	int ret;

	while ((ret = read_header(path, &c->hdr, &size, &why)) == 1 &&
			hp_now() < deadline)
		hp_sleep_us(20000);
	if (ret != 0) {
		fprintf(stderr, "hostile-peer: %s: %s\n", path, why);
		return -1;
	}
	if (map_region(c, path) != 0)
		return -1;
	c->side = side;
	c->prod_dir = side == SHM_ROLE_CLIENT ? SHM_DIR_C2S : SHM_DIR_S2C;
	c->cons_dir = side == SHM_ROLE_CLIENT ? SHM_DIR_S2C : SHM_DIR_C2S;
	me = hp_my_side(c);
	if (side_is_live(me)) {
		fprintf(stderr, "hostile-peer: %s: a live %s already holds that "
			"side of the region\n", path,
			side == SHM_ROLE_CLIENT ? "client" : "server");
		hp_detach(c);
		return -1;
	}
	for (q = 0; q < c->reg.geo.nb_queues; q++) {
		c->prod_head[q] = __atomic_load_n(
			&shm_ring_ctl(&c->reg, c->prod_dir, q)->head,
			__ATOMIC_ACQUIRE);
		c->cons_tail[q] = __atomic_load_n(
			&shm_ring_ctl(&c->reg, c->cons_dir, q)->tail,
			__ATOMIC_ACQUIRE);
	}
	c->my_hb = __atomic_load_n(&me->heartbeat, __ATOMIC_RELAXED) + 1;
	me->pid = (uint32_t)getpid();
	__atomic_store_n(&me->heartbeat, c->my_hb, __ATOMIC_RELEASE);
	__atomic_store_n(&me->generation, me->generation + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&me->attached, SHM_SIDE_ATTACHED, __ATOMIC_RELEASE);
	return 0;
}

static void *
heartbeat_main(void *arg)
{
	struct hp_ctx *c = arg;
	struct shm_side_state *me = hp_my_side(c);
	uint64_t v;

	while (!__atomic_load_n(&c->hb_quit, __ATOMIC_ACQUIRE)) {
		if (!__atomic_load_n(&c->hb_stalled, __ATOMIC_ACQUIRE)) {
			v = __atomic_add_fetch(&c->my_hb, 1, __ATOMIC_ACQ_REL);
			__atomic_store_n(&me->heartbeat, v, __ATOMIC_RELEASE);
		}
		hp_sleep_us(SHM_HEARTBEAT_PERIOD_US);
	}
	return NULL;
}

int
hp_heartbeat_start(struct hp_ctx *c)
{
	int ret = pthread_create(&hb_thread, NULL, heartbeat_main, c);

	if (ret != 0) {
		fprintf(stderr, "hostile-peer: heartbeat thread: %s\n",
			strerror(ret));
		return -1;
	}
	hb_started = true;
	return 0;
}

void
hp_detach(struct hp_ctx *c)
{
	if (hb_started) {
		__atomic_store_n(&c->hb_quit, true, __ATOMIC_RELEASE);
		pthread_join(hb_thread, NULL);
		hb_started = false;
	}
	if (c->reg.map_addr == NULL)
		return;
	__atomic_store_n(&hp_my_side(c)->attached, 0, __ATOMIC_RELEASE);
	munmap(c->reg.map_addr, c->reg.map_len);
	c->reg.map_addr = NULL;
	c->reg.base = NULL;
}

int
hp_wait_their_ticks(struct hp_ctx *c, unsigned int n)
{
	const uint64_t *hb = &hp_their_side(c)->heartbeat;
	uint64_t last = __atomic_load_n(hb, __ATOMIC_ACQUIRE), v;
	double deadline = hp_now() + HP_TICK_TIMEOUT_S;

	while (n > 0) {
		v = __atomic_load_n(hb, __ATOMIC_ACQUIRE);
		if (v != last) {
			last = v;
			n--;
			deadline = hp_now() + HP_TICK_TIMEOUT_S;
			continue;
		}
		if (hp_now() > deadline)
			return -1;
		hp_sleep_us(500);
	}
	return 0;
}

void
hp_header_restore(struct hp_ctx *c)
{
	struct shm_region_header *h = shm_region_hdr(&c->reg);
	struct shm_region_header copy = c->hdr;

	copy.magic = 0;
	__atomic_store_n(&h->magic, 0, __ATOMIC_RELEASE);
	memcpy((uint8_t *)h + sizeof(h->magic), (uint8_t *)&copy +
		sizeof(copy.magic), sizeof(copy) - sizeof(copy.magic));
	__atomic_store_n(&h->magic, c->hdr.magic, __ATOMIC_RELEASE);
}
