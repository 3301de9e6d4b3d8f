/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Buffer reservations (doc/reservations.md). Every pool of a reservation
 * uses the "qosdt_resv" mempool ops, which keep the objects in DPDK's own
 * "ring_mp_mc" ring and add the borrowing: a class pool's dequeue takes
 * what its ring has and borrows the rest from the shared pool within the
 * class's cap; the shared pool's enqueue credits the borrower of each mbuf
 * coming back. One ops name serves both kinds of pool (pool_config says
 * which), so the reservation takes a single slot of the 16-entry ops table.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include "qosdt_log.h"
#include "qosdt_mbuf.h"
#include "qosdt_resv.h"

/** Name of the mempool ops of every reservation pool. */
#define RESV_OPS_NAME "qosdt_resv"
/** The DPDK ops whose ring holds the objects. */
#define RESV_RING_OPS_NAME "ring_mp_mc"
/** Index of the shared pool in qosdt_resv.pool[]. */
#define RESV_SHARED QOSDT_NB_CLASSES
/** Borrower value of a shared-pool mbuf no class borrowed. */
#define RESV_NO_BORROWER UINT8_MAX
/** Longest name prefix (the header's promise). */
#define RESV_NAME_MAX 16

/* Pool name suffixes, by pool index: short, so that "MP_<name>_<n>"
 * memzone names stay within RTE_MEMZONE_NAMESIZE. */
static const char * const pool_suffix[QOSDT_NB_CLASSES + 1] = {
	[QOSDT_CLASS_REALTIME] = "rt",
	[QOSDT_CLASS_THROUGHPUT] = "tp",
	[QOSDT_CLASS_RELIABLE] = "rl",
	[QOSDT_CLASS_BEST_EFFORT] = "be",
	[RESV_SHARED] = "sh",
};

/*
 * One pool of a reservation and, for a class pool, the class's borrowing
 * state. The mempool's pool_config points here. Each on its own cache
 * lines: borrowed is written by whichever lcore allocates or frees.
 */
struct resv_pool {
	struct qosdt_resv *resv;
	struct rte_mempool *mp;
	unsigned int index;      /* enum qosdt_class, or RESV_SHARED */
	bool ready;              /* populated and mbuf-initialised */
	uint32_t borrow_cap;
	uint32_t borrowed;       /* atomic */
	uint64_t alloc_fail;     /* atomic */
} __rte_cache_aligned;

struct qosdt_resv {
	struct resv_pool pool[QOSDT_NB_CLASSES + 1];
	int ring_ops;            /* index of ring_mp_mc in the ops table */
	int borrower_offset;     /* mbuf dynfield: the class that borrowed it */
	char name[RESV_NAME_MAX + 1];
};

static inline const struct rte_mempool_ops *
resv_ring(const struct qosdt_resv *resv)
{
	return rte_mempool_get_ops(resv->ring_ops);
}

static inline uint8_t *
resv_borrower(const struct qosdt_resv *resv, void *obj)
{
	return RTE_MBUF_DYNFIELD((struct rte_mbuf *)obj,
		resv->borrower_offset, uint8_t *);
}

static inline struct rte_mempool *
mbuf_home(void *obj)
{
	return ((struct rte_mbuf *)obj)->pool;
}

/* Take up to n objects from the class's own ring; returns how many. */
static unsigned int
resv_take_own(const struct rte_mempool_ops *ring, struct rte_mempool *mp,
		void **objs, unsigned int n)
{
	unsigned int k = RTE_MIN(n, ring->get_count(mp));

	/* Another lcore may empty the ring between count and dequeue. */
	while (k != 0 && ring->dequeue(mp, objs, k) != 0)
		k = RTE_MIN(n, ring->get_count(mp));
	return k;
}

/* Reserve n against the class's cap, then take n from the shared ring;
 * all or nothing. */
static int
resv_borrow(struct resv_pool *cp, void **objs, unsigned int n)
{
	struct qosdt_resv *resv = cp->resv;
	struct rte_mempool *shared = resv->pool[RESV_SHARED].mp;
	uint32_t cur = __atomic_load_n(&cp->borrowed, __ATOMIC_RELAXED);
	unsigned int i;

	if (shared == NULL)
		return -ENOBUFS;
	do {
		if (cur > cp->borrow_cap || n > cp->borrow_cap - cur)
			return -ENOBUFS;
	} while (!__atomic_compare_exchange_n(&cp->borrowed, &cur, cur + n,
			true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));

	if (resv_ring(resv)->dequeue(shared, objs, n) != 0) {
		__atomic_fetch_sub(&cp->borrowed, n, __ATOMIC_RELAXED);
		return -ENOBUFS;
	}
	for (i = 0; i < n; i++)
		*resv_borrower(resv, objs[i]) = cp->index;
	return 0;
}

/* Dequeue of a class pool: own ring first, then borrow the rest. */
static int
resv_class_dequeue(struct resv_pool *cp, void **objs, unsigned int n)
{
	const struct rte_mempool_ops *ring = resv_ring(cp->resv);
	unsigned int own = resv_take_own(ring, cp->mp, objs, n);
	unsigned int i;

	if (own < n && resv_borrow(cp, objs + own, n - own) != 0) {
		if (own != 0)
			ring->enqueue(cp->mp, objs, own);
		__atomic_fetch_add(&cp->alloc_fail, 1, __ATOMIC_RELAXED);
		return -ENOBUFS;
	}
	for (i = 0; i < n; i++)
		qosdt_mbuf_meta(objs[i])->cls = cp->index;
	return 0;
}

/* Dequeue of the shared pool by a direct user: nobody borrows. */
static int
resv_shared_dequeue(struct resv_pool *sp, void **objs, unsigned int n)
{
	unsigned int i;
	int ret;

	ret = resv_ring(sp->resv)->dequeue(sp->mp, objs, n);
	if (ret != 0)
		return ret;
	for (i = 0; i < n; i++)
		*resv_borrower(sp->resv, objs[i]) = RESV_NO_BORROWER;
	return 0;
}

static int
resv_ops_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
	struct resv_pool *p = mp->pool_config;

	if (p->index == RESV_SHARED)
		return resv_shared_dequeue(p, objs, n);
	return resv_class_dequeue(p, objs, n);
}

/* Objects of this pool back to its ring; the shared pool first credits
 * each object's borrower. */
static int
resv_put_home(struct resv_pool *p, void * const *objs, unsigned int n)
{
	struct qosdt_resv *resv = p->resv;
	uint32_t returned[QOSDT_NB_CLASSES] = { 0 };
	unsigned int i, b;

	if (n == 0)
		return 0;
	if (p->index == RESV_SHARED) {
		for (i = 0; i < n; i++) {
			b = *resv_borrower(resv, objs[i]);
			if (b < QOSDT_NB_CLASSES)
				returned[b]++;
		}
		for (b = 0; b < QOSDT_NB_CLASSES; b++)
			if (returned[b] != 0)
				__atomic_fetch_sub(&resv->pool[b].borrowed,
					returned[b], __ATOMIC_RELAXED);
	}
	return resv_ring(resv)->enqueue(p->mp, objs, n);
}

/*
 * Enqueue: each mbuf goes to its home pool (m->pool). A put into the
 * wrong pool (e.g. a PMD's fast free putting a whole burst into the pool
 * of its first mbuf) is routed to the right one, so that borrowed mbufs
 * are always credited and no ring holds another pool's objects.
 */
static int
resv_ops_enqueue(struct rte_mempool *mp, void * const *objs, unsigned int n)
{
	struct resv_pool *p = mp->pool_config;
	unsigned int i = 0, start = 0, run;
	struct rte_mempool *home;
	int ret = 0;

	/* While populating, objects are not mbufs yet. */
	if (unlikely(!p->ready))
		return resv_ring(p->resv)->enqueue(mp, objs, n);

	while (i < n) {
		home = mbuf_home(objs[i]);
		if (likely(home == mp)) {
			i++;
			continue;
		}
		ret |= resv_put_home(p, objs + start, i - start);
		for (run = 1; i + run < n && mbuf_home(objs[i + run]) == home;
				run++)
			;
		ret |= rte_mempool_ops_enqueue_bulk(home, objs + i, run);
		i += run;
		start = i;
	}
	ret |= resv_put_home(p, objs + start, n - start);
	return ret != 0 ? -ENOBUFS : 0;
}

static int
resv_ops_alloc(struct rte_mempool *mp)
{
	struct resv_pool *p = mp->pool_config;

	return resv_ring(p->resv)->alloc(mp);
}

static void
resv_ops_free(struct rte_mempool *mp)
{
	struct resv_pool *p = mp->pool_config;

	resv_ring(p->resv)->free(mp);
}

/* Only the pool's own ring: borrowed mbufs are counted by the class. */
static unsigned int
resv_ops_get_count(const struct rte_mempool *mp)
{
	const struct resv_pool *p = mp->pool_config;

	return resv_ring(p->resv)->get_count(mp);
}

static struct rte_mempool_ops resv_ops = {
	.name = RESV_OPS_NAME,
	.alloc = resv_ops_alloc,
	.free = resv_ops_free,
	.enqueue = resv_ops_enqueue,
	.dequeue = resv_ops_dequeue,
	.get_count = resv_ops_get_count,
};

/* Index of the named ops in rte_mempool_ops_table, or -1. */
static int
resv_ops_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (strcmp(rte_mempool_ops_table.ops[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * Our ops are registered at the first reservation, not from a constructor
 * (RTE_MEMPOOL_REGISTER_OPS): a pool records its ops as an index into a
 * table each process fills for itself. A secondary process (dpdk-dumpcap)
 * creates a pool with the ring ops, and the primary allocates from it
 * (rte_pdump copies frames into it): both must have the ring ops at the
 * same index. EAL registers the drivers' ops as it loads them, in the same
 * order in every process; ops of ours registered before them would shift
 * every index by one (doc/tools.md).
 */
static int
resv_ops_register(void)
{
	if (resv_ops_index(RESV_OPS_NAME) >= 0)
		return 0;
	return rte_mempool_register_ops(&resv_ops) < 0 ? -1 : 0;
}

static int
resv_borrower_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "qosdt_resv_borrower",
		.size = sizeof(uint8_t),
		.align = __alignof__(uint8_t),
	};
	int off = rte_mbuf_dynfield_register(&desc);

	if (off < 0)
		QOSDT_LOG(ERR, "cannot register mbuf field %s: %s",
			desc.name, rte_strerror(rte_errno));
	return off;
}

/* Check what the pools are built from; rte_errno = EINVAL if wrong. */
static int
resv_check(const char *name, const struct qosdt_config *cfg)
{
	uint64_t total = 0;
	unsigned int c;

	if (name == NULL || cfg == NULL) {
		QOSDT_LOG(ERR, "resv: %s is NULL",
			name == NULL ? "name" : "config");
		goto invalid;
	}
	if (name[0] == '\0' || strlen(name) > RESV_NAME_MAX) {
		QOSDT_LOG(ERR, "resv: name \"%s\" must be 1..%d characters",
			name, RESV_NAME_MAX);
		goto invalid;
	}
	if (cfg->buffer_data_room <= RTE_PKTMBUF_HEADROOM) {
		QOSDT_LOG(ERR, "resv %s: buffer_data_room %u leaves no room after the %u-byte headroom",
			name, cfg->buffer_data_room, RTE_PKTMBUF_HEADROOM);
		goto invalid;
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		/* DPDK refuses an empty mempool, and a PMD needs a pool. */
		if (cfg->classes[c].nb_buffers == 0) {
			QOSDT_LOG(ERR, "resv %s: class %s has no buffers (a class pool needs at least 1)",
				name, qosdt_class_name(c));
			goto invalid;
		}
		total += cfg->classes[c].nb_buffers;
	}
	total += cfg->shared_buffers;
	if (total > cfg->nb_buffers) {
		QOSDT_LOG(ERR, "resv %s: class buffers plus shared_buffers (%" PRIu64 ") exceed nb_buffers (%u)",
			name, total, cfg->nb_buffers);
		goto invalid;
	}
	return 0;
invalid:
	rte_errno = EINVAL;
	return -1;
}

/* Create one pool of the reservation; NULL with rte_errno set. */
static struct rte_mempool *
resv_pool_create(struct resv_pool *p, uint32_t size, uint16_t data_room,
		int socket)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = data_room,
		.mbuf_priv_size = 0,
	};
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;
	int ret;

	snprintf(name, sizeof(name), "%s_%s", p->resv->name,
		pool_suffix[p->index]);
	mp = rte_mempool_create_empty(name, size,
		sizeof(struct rte_mbuf) + data_room, 0,
		sizeof(struct rte_pktmbuf_pool_private), socket, 0);
	if (mp == NULL) {
		QOSDT_LOG(ERR, "resv: cannot create pool %s of %u mbufs: %s",
			name, size, rte_strerror(rte_errno));
		return NULL;
	}
	p->mp = mp;
	ret = rte_mempool_set_ops_byname(mp, RESV_OPS_NAME, p);
	if (ret == 0) {
		rte_pktmbuf_pool_init(mp, &priv);
		ret = rte_mempool_populate_default(mp);
	}
	if (ret < 0) {
		QOSDT_LOG(ERR, "resv: cannot populate pool %s: %s",
			name, rte_strerror(-ret));
		rte_mempool_free(mp);
		p->mp = NULL;
		rte_errno = -ret;
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	p->ready = true;
	return mp;
}

struct qosdt_resv *
qosdt_resv_create(const char *name, const struct qosdt_config *cfg,
		int socket)
{
	struct qosdt_resv *resv;
	unsigned int i;
	uint32_t size;
	int err;

	if (resv_check(name, cfg) != 0)
		return NULL;
	if (resv_ops_register() != 0) {
		QOSDT_LOG(ERR, "resv %s: cannot register mempool ops %s (ops table full?)",
			name, RESV_OPS_NAME);
		rte_errno = ENOTSUP;
		return NULL;
	}
	if (qosdt_mbuf_meta_register() != 0)
		return NULL;
	resv = rte_zmalloc_socket("qosdt_resv", sizeof(*resv),
		RTE_CACHE_LINE_SIZE, socket);
	if (resv == NULL) {
		QOSDT_LOG(ERR, "resv %s: out of memory", name);
		rte_errno = ENOMEM;
		return NULL;
	}
	strcpy(resv->name, name);
	resv->ring_ops = resv_ops_index(RESV_RING_OPS_NAME);
	if (resv->ring_ops < 0) {
		QOSDT_LOG(ERR, "resv %s: mempool ops %s not found (is the mempool_ring driver loaded?)",
			name, RESV_RING_OPS_NAME);
		err = ENOTSUP;
		goto fail;
	}
	resv->borrower_offset = resv_borrower_register();
	if (resv->borrower_offset < 0) {
		err = rte_errno;
		goto fail;
	}
	for (i = 0; i <= RESV_SHARED; i++) {
		struct resv_pool *p = &resv->pool[i];

		p->resv = resv;
		p->index = i;
		if (i == RESV_SHARED) {
			size = cfg->shared_buffers;
			if (size == 0)
				break; /* no shared pool: nobody borrows */
		} else {
			size = cfg->classes[i].nb_buffers;
			p->borrow_cap = cfg->classes[i].borrow_cap;
		}
		if (resv_pool_create(p, size, cfg->buffer_data_room,
				socket) == NULL) {
			err = rte_errno;
			goto fail;
		}
	}
	return resv;
fail:
	for (i = 0; i <= RESV_SHARED; i++)
		rte_mempool_free(resv->pool[i].mp);
	rte_free(resv);
	rte_errno = err;
	return NULL;
}

void
qosdt_resv_free(struct qosdt_resv *resv)
{
	struct qosdt_resv_usage u;
	unsigned int c;

	if (resv == NULL)
		return;
	qosdt_resv_usage(resv, &u);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		if (u.cls[c].in_use != 0 || u.cls[c].borrowed != 0)
			QOSDT_LOG(WARNING, "resv %s: freeing with %u own and %u borrowed %s mbufs still out",
				resv->name, u.cls[c].in_use, u.cls[c].borrowed,
				qosdt_class_name(c));
	if (u.shared_in_use != 0)
		QOSDT_LOG(WARNING, "resv %s: freeing with %u shared mbufs still out",
			resv->name, u.shared_in_use);
	for (c = 0; c <= RESV_SHARED; c++)
		rte_mempool_free(resv->pool[c].mp);
	rte_free(resv);
}

struct rte_mempool *
qosdt_resv_pool(const struct qosdt_resv *resv, unsigned int cls)
{
	if (resv == NULL || cls >= QOSDT_NB_CLASSES) {
		QOSDT_LOG(ERR, "resv: no pool for class %u%s", cls,
			resv == NULL ? " of a NULL reservation" : "");
		return NULL;
	}
	return resv->pool[cls].mp;
}

int
qosdt_resv_alloc_bulk(struct qosdt_resv *resv, unsigned int cls,
		struct rte_mbuf **mbufs, unsigned int n)
{
	if (resv == NULL || cls >= QOSDT_NB_CLASSES || mbufs == NULL) {
		QOSDT_LOG(ERR, "resv: alloc_bulk: bad argument (class %u)",
			cls);
		return -EINVAL;
	}
	if (rte_pktmbuf_alloc_bulk(resv->pool[cls].mp, mbufs, n) != 0)
		return -ENOBUFS;
	return 0;
}

void
qosdt_resv_usage(const struct qosdt_resv *resv,
		struct qosdt_resv_usage *usage)
{
	const struct rte_mempool *shared;
	const struct resv_pool *p;
	unsigned int c;

	if (resv == NULL || usage == NULL) {
		QOSDT_LOG(ERR, "resv: usage: %s is NULL",
			resv == NULL ? "reservation" : "usage");
		if (usage != NULL)
			memset(usage, 0, sizeof(*usage));
		return;
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		p = &resv->pool[c];
		usage->cls[c] = (struct qosdt_resv_class_usage){
			.reserved = p->mp->size,
			.in_use = rte_mempool_in_use_count(p->mp),
			.borrowed = __atomic_load_n(&p->borrowed,
				__ATOMIC_RELAXED),
			.borrow_cap = p->borrow_cap,
			.alloc_fail = __atomic_load_n(&p->alloc_fail,
				__ATOMIC_RELAXED),
		};
	}
	shared = resv->pool[RESV_SHARED].mp;
	usage->shared_size = shared != NULL ? shared->size : 0;
	usage->shared_in_use = shared != NULL ?
		rte_mempool_in_use_count(shared) : 0;
}
