/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Buffer reservations: a class allocates from its own pool, then borrows
 * from the shared pool up to its cap; nobody takes another class's
 * reserve; bulks are all or nothing; the accounting is exact at every
 * step; every mbuf comes back however and wherever it is freed (free,
 * free_bulk, mempool put, a put into the wrong pool, another lcore, a
 * PMD's TX); a real PMD's RX (net_null) borrows through the class pool.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_random.h>

#include "qosdt_config.h"
#include "qosdt_mbuf.h"
#include "qosdt_resv.h"
#include "test.h"

#define RT QOSDT_CLASS_REALTIME
#define TP QOSDT_CLASS_THROUGHPUT
#define RL QOSDT_CLASS_RELIABLE
#define BE QOSDT_CLASS_BEST_EFFORT

/* The test reservation: own buffers and borrow caps per class. */
#define RT_OWN 8
#define RT_CAP 4
#define TP_OWN 20
#define TP_CAP 8
#define RL_OWN 8
#define RL_CAP 4
#define BE_OWN 4
#define BE_CAP 14
#define SHARED 16
#define TOTAL (RT_OWN + TP_OWN + RL_OWN + BE_OWN + SHARED)
#define DATA_ROOM (RTE_PKTMBUF_HEADROOM + 256)

#define STRESS_ROUNDS 20000
#define STRESS_MAX_BULK 8
#define STRESS_MAX_S 5
#define LOG_LEN 4096
/* Room for more than everything, to see an over-allocation. */
#define ALL_MAX (TOTAL + 2 * QOSDT_NB_CLASSES)

static const uint32_t own_of[QOSDT_NB_CLASSES] = {
	[RT] = RT_OWN, [TP] = TP_OWN, [RL] = RL_OWN, [BE] = BE_OWN,
};
static const uint32_t cap_of[QOSDT_NB_CLASSES] = {
	[RT] = RT_CAP, [TP] = TP_CAP, [RL] = RL_CAP, [BE] = BE_CAP,
};

static struct qosdt_resv *resv;

/* Held mbufs of one class. */
struct held {
	struct rte_mbuf *m[TOTAL];
	unsigned int n;
};

/* The defaults with small buffer numbers, so that every limit is reached
 * in a few allocations. */
static void
config_fill(struct qosdt_config *cfg)
{
	unsigned int c;

	qosdt_config_defaults(cfg);
	cfg->nb_buffers = TOTAL;
	cfg->shared_buffers = SHARED;
	cfg->buffer_data_room = DATA_ROOM;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		cfg->classes[c].nb_buffers = own_of[c];
		cfg->classes[c].borrow_cap = cap_of[c];
	}
}

static int
resv_setup(void)
{
	struct qosdt_config cfg;

	config_fill(&cfg);
	resv = qosdt_resv_create("tresv", &cfg, SOCKET_ID_ANY);
	if (resv == NULL) {
		printf("qosdt_resv_create: %s\n", rte_strerror(rte_errno));
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
resv_teardown(void)
{
	qosdt_resv_free(resv);
	resv = NULL;
}

/* The accounting of one class is exactly in_use own and borrowed. */
static int
check_class(unsigned int cls, uint32_t in_use, uint32_t borrowed)
{
	struct qosdt_resv_usage u;

	qosdt_resv_usage(resv, &u);
	TEST_ASSERT_EQUAL(u.cls[cls].reserved, own_of[cls],
		"%s reserved %u", qosdt_class_name(cls), u.cls[cls].reserved);
	TEST_ASSERT_EQUAL(u.cls[cls].borrow_cap, cap_of[cls],
		"%s borrow_cap %u", qosdt_class_name(cls),
		u.cls[cls].borrow_cap);
	TEST_ASSERT_EQUAL(u.cls[cls].in_use, in_use,
		"%s in_use %u, expected %u", qosdt_class_name(cls),
		u.cls[cls].in_use, in_use);
	TEST_ASSERT_EQUAL(u.cls[cls].borrowed, borrowed,
		"%s borrowed %u, expected %u", qosdt_class_name(cls),
		u.cls[cls].borrowed, borrowed);
	return TEST_SUCCESS;
}

/* Shared pool: in_use out of it, and that is the sum of the borrowed. */
static int
check_shared(uint32_t in_use)
{
	struct qosdt_resv_usage u;
	uint32_t sum = 0;
	unsigned int c;

	qosdt_resv_usage(resv, &u);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		sum += u.cls[c].borrowed;
	TEST_ASSERT_EQUAL(u.shared_size, SHARED, "shared_size %u",
		u.shared_size);
	TEST_ASSERT_EQUAL(u.shared_in_use, in_use,
		"shared_in_use %u, expected %u", u.shared_in_use, in_use);
	TEST_ASSERT_EQUAL(sum, in_use, "sum of borrowed %u, shared out %u",
		sum, in_use);
	return TEST_SUCCESS;
}

static uint64_t
alloc_fails(unsigned int cls)
{
	struct qosdt_resv_usage u;

	qosdt_resv_usage(resv, &u);
	return u.cls[cls].alloc_fail;
}

/* The shared pool: the home of a borrowed mbuf (borrow one to see). */
static struct rte_mempool *
shared_pool(void)
{
	struct rte_mbuf *m[RT_OWN + 1];
	struct rte_mempool *mp;

	if (qosdt_resv_alloc_bulk(resv, RT, m, RT_OWN + 1) != 0)
		return NULL;
	mp = m[RT_OWN]->pool;
	rte_pktmbuf_free_bulk(m, RT_OWN + 1);
	return mp;
}

/* Nothing out: every count 0 and every pool (shared too) full. */
static int
check_idle(void)
{
	struct rte_mempool *shared;
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		struct rte_mempool *mp = qosdt_resv_pool(resv, c);

		TEST_ASSERT_SUCCESS(check_class(c, 0, 0), "class %u", c);
		TEST_ASSERT(rte_mempool_full(mp), "pool of %s not full: %u of %u",
			qosdt_class_name(c), rte_mempool_avail_count(mp),
			mp->size);
	}
	TEST_ASSERT_SUCCESS(check_shared(0), "shared");
	shared = shared_pool();
	TEST_ASSERT_NOT_NULL(shared, "cannot borrow one");
	TEST_ASSERT(rte_mempool_full(shared), "shared pool not full: %u of %u",
		rte_mempool_avail_count(shared), shared->size);
	return TEST_SUCCESS;
}

/* Allocate one mbuf of a class as a PMD's RX does. */
static struct rte_mbuf *
alloc_one(unsigned int cls)
{
	return rte_pktmbuf_alloc(qosdt_resv_pool(resv, cls));
}

/* Allocate one at a time until refused; returns how many were given. */
static unsigned int
flood(unsigned int cls, struct held *h)
{
	struct rte_mbuf *m;
	unsigned int before = h->n;

	while (h->n < RTE_DIM(h->m) && (m = alloc_one(cls)) != NULL)
		h->m[h->n++] = m;
	return h->n - before;
}

static void
held_free(struct held *h)
{
	rte_pktmbuf_free_bulk(h->m, h->n);
	h->n = 0;
}

/* Free the last k held mbufs (the borrowed ones of a flood). */
static void
held_free_last(struct held *h, unsigned int k)
{
	h->n -= k;
	rte_pktmbuf_free_bulk(h->m + h->n, k);
}

/* Log capture: lines logged between start and stop. */
struct log_capture {
	FILE *prev;
	FILE *f;
	char *buf;
	size_t len;
};

static int
log_capture_start(struct log_capture *lc)
{
	lc->prev = rte_log_get_stream();
	lc->buf = NULL;
	lc->f = open_memstream(&lc->buf, &lc->len);
	if (lc->f == NULL)
		return -1;
	rte_openlog_stream(lc->f);
	return 0;
}

/* Stop capturing; the text goes to log and to stdout. */
static void
log_capture_stop(struct log_capture *lc, char *log, size_t len)
{
	rte_openlog_stream(lc->prev);
	fclose(lc->f);
	snprintf(log, len, "%s", lc->buf != NULL ? lc->buf : "");
	fputs(log, stdout);
	free(lc->buf);
}

/* Create with the log captured; returns the reservation. */
static struct qosdt_resv *
create_logged(const char *name, const struct qosdt_config *cfg, char *log,
		size_t len)
{
	struct log_capture lc;
	struct qosdt_resv *r;
	int err;

	log[0] = '\0';
	if (log_capture_start(&lc) != 0)
		return qosdt_resv_create(name, cfg, SOCKET_ID_ANY);
	r = qosdt_resv_create(name, cfg, SOCKET_ID_ANY);
	err = rte_errno;
	log_capture_stop(&lc, log, len);
	rte_errno = err;
	return r;
}

/* A creation that must fail with EINVAL and a log naming what. */
static int
check_refused(const char *name, const struct qosdt_config *cfg,
		const char *what)
{
	char log[LOG_LEN];
	struct qosdt_resv *r = create_logged(name, cfg, log, sizeof(log));
	int err = rte_errno;

	qosdt_resv_free(r);
	TEST_ASSERT_NULL(r, "created despite: %s", what);
	TEST_ASSERT_EQUAL(err, EINVAL, "rte_errno %d for: %s", err, what);
	TEST_ASSERT_NOT_NULL(strstr(log, what), "log does not say \"%s\": %s",
		what, log);
	return TEST_SUCCESS;
}

static int
test_create_refuses_bad_config(void)
{
	struct qosdt_config cfg;

	config_fill(&cfg);
	TEST_ASSERT_SUCCESS(check_refused("tbad", NULL, "config is NULL"), "");
	TEST_ASSERT_SUCCESS(check_refused(NULL, &cfg, "name is NULL"), "");
	TEST_ASSERT_SUCCESS(check_refused("", &cfg, "must be 1..16"), "");
	TEST_ASSERT_SUCCESS(check_refused("a_name_of_17_char", &cfg,
		"must be 1..16"), "");
	cfg.buffer_data_room = RTE_PKTMBUF_HEADROOM;
	TEST_ASSERT_SUCCESS(check_refused("tbad", &cfg,
		"buffer_data_room"), "");
	config_fill(&cfg);
	cfg.nb_buffers = TOTAL - 1;
	TEST_ASSERT_SUCCESS(check_refused("tbad", &cfg, "exceed nb_buffers"),
		"");
	config_fill(&cfg);
	cfg.classes[RL].nb_buffers = 0;
	TEST_ASSERT_SUCCESS(check_refused("tbad", &cfg,
		"class reliable has no buffers"), "");
	return TEST_SUCCESS;
}

static int
test_create_fails_cleanly(void)
{
	struct rte_mempool *squatter;
	struct qosdt_config cfg;
	struct qosdt_resv *r, *dup;
	char log[LOG_LEN];
	int err;

	config_fill(&cfg);
	r = qosdt_resv_create("tdup", &cfg, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	dup = create_logged("tdup", &cfg, log, sizeof(log));
	err = rte_errno;
	qosdt_resv_free(dup);
	qosdt_resv_free(r);
	TEST_ASSERT_NULL(dup, "a second reservation of the same name");
	TEST_ASSERT_EQUAL(err, EEXIST, "rte_errno %d", err);
	TEST_ASSERT_NOT_NULL(strstr(log, "tdup_rt"), "log: %s", log);

	/* The throughput pool's name is taken: the realtime pool made
	 * before it must be freed again. */
	squatter = rte_pktmbuf_pool_create("tpart_tp", 1, 0, 0, DATA_ROOM,
		SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(squatter, "squatter pool");
	r = create_logged("tpart", &cfg, log, sizeof(log));
	rte_mempool_free(squatter);
	qosdt_resv_free(r);
	TEST_ASSERT_NULL(r, "created over a taken pool name");
	TEST_ASSERT_NULL(rte_mempool_lookup("tpart_rt"),
		"the realtime pool of a failed creation is left behind");
	r = qosdt_resv_create("tpart", &cfg, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(r, "create after the name is free: %s",
		rte_strerror(rte_errno));
	qosdt_resv_free(r);
	return TEST_SUCCESS;
}

static int
test_bad_arguments(void)
{
	struct qosdt_resv_usage u;
	struct rte_mbuf *m[1];

	qosdt_resv_free(NULL);
	TEST_ASSERT_NULL(qosdt_resv_pool(resv, QOSDT_NB_CLASSES), "class 4");
	TEST_ASSERT_NULL(qosdt_resv_pool(NULL, RT), "NULL reservation");
	TEST_ASSERT_EQUAL(qosdt_resv_alloc_bulk(resv, QOSDT_NB_CLASSES, m, 1),
		-EINVAL, "class 4");
	TEST_ASSERT_EQUAL(qosdt_resv_alloc_bulk(NULL, RT, m, 1), -EINVAL,
		"NULL reservation");
	TEST_ASSERT_EQUAL(qosdt_resv_alloc_bulk(resv, RT, NULL, 1), -EINVAL,
		"NULL array");
	memset(&u, 0xff, sizeof(u));
	qosdt_resv_usage(NULL, &u);
	TEST_ASSERT_EQUAL(u.shared_size, 0, "usage of NULL not zeroed");
	qosdt_resv_usage(resv, NULL);
	return check_idle();
}

/* The default configuration's reservation is what the config says. */
static int
test_default_config(void)
{
	struct qosdt_resv_usage u;
	struct qosdt_config cfg;
	struct rte_mbuf **m;
	struct qosdt_resv *r;
	uint32_t n, sum = 0;
	unsigned int c;
	int ret;

	qosdt_config_defaults(&cfg);
	r = qosdt_resv_create("tdefault", &cfg, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	qosdt_resv_usage(r, &u);
	/* The realtime reserve and one borrowed. */
	n = cfg.classes[RT].nb_buffers + 1;
	m = calloc(n, sizeof(*m));
	ret = m != NULL && cfg.classes[RT].borrow_cap > 0 ?
		qosdt_resv_alloc_bulk(r, RT, m, n) : -ENOMEM;
	if (ret == 0)
		rte_pktmbuf_free_bulk(m, n);
	free(m);
	qosdt_resv_free(r);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		TEST_ASSERT(cfg.classes[c].nb_buffers > 0, "%s has no buffers",
			qosdt_class_name(c));
		TEST_ASSERT_EQUAL(u.cls[c].reserved, cfg.classes[c].nb_buffers,
			"%s reserved %u", qosdt_class_name(c),
			u.cls[c].reserved);
		TEST_ASSERT_EQUAL(u.cls[c].borrow_cap,
			cfg.classes[c].borrow_cap, "%s borrow_cap",
			qosdt_class_name(c));
		sum += u.cls[c].reserved;
	}
	TEST_ASSERT_EQUAL(u.shared_size, cfg.shared_buffers, "shared_size %u",
		u.shared_size);
	TEST_ASSERT(sum + u.shared_size <= cfg.nb_buffers,
		"%u class + %u shared > %u", sum, u.shared_size,
		cfg.nb_buffers);
	TEST_ASSERT_SUCCESS(ret, "realtime reserve plus one borrowed");
	return TEST_SUCCESS;
}

static int
test_fresh_pools(void)
{
	struct qosdt_resv_usage u;
	unsigned int c, d;

	qosdt_resv_usage(resv, &u);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		struct rte_mempool *mp = qosdt_resv_pool(resv, c);

		TEST_ASSERT_NOT_NULL(mp, "pool of class %u", c);
		TEST_ASSERT_EQUAL(mp->cache_size, 0, "cache on %s", mp->name);
		TEST_ASSERT_EQUAL(rte_pktmbuf_data_room_size(mp), DATA_ROOM,
			"data room of %s", mp->name);
		TEST_ASSERT_EQUAL(u.cls[c].alloc_fail, 0, "alloc_fail");
		for (d = 0; d < c; d++)
			TEST_ASSERT(mp != qosdt_resv_pool(resv, d),
				"classes %u and %u share a pool", c, d);
	}
	return check_idle();
}

/* Borrowing stops exactly at the cap; exact accounting at every step. */
static int
test_borrow_stops_at_cap(void)
{
	struct rte_mempool *own = qosdt_resv_pool(resv, TP);
	struct held h = { .n = 0 };
	unsigned int i;

	for (i = 1; i <= TP_OWN + TP_CAP; i++) {
		struct rte_mbuf *m = alloc_one(TP);

		TEST_ASSERT_NOT_NULL(m, "allocation %u refused", i);
		h.m[h.n++] = m;
		TEST_ASSERT_EQUAL(qosdt_mbuf_meta(m)->cls, TP,
			"class of mbuf %u", i);
		TEST_ASSERT_EQUAL(m->pool == own, i <= TP_OWN,
			"mbuf %u comes from %s", i, m->pool->name);
		TEST_ASSERT_SUCCESS(check_class(TP, RTE_MIN(i, (unsigned int)TP_OWN),
			i > TP_OWN ? i - TP_OWN : 0), "after %u", i);
		TEST_ASSERT_SUCCESS(check_shared(i > TP_OWN ? i - TP_OWN : 0),
			"after %u", i);
	}
	TEST_ASSERT_NULL(alloc_one(TP), "borrowed beyond the cap");
	TEST_ASSERT_EQUAL(alloc_fails(TP), 1, "alloc_fail");
	TEST_ASSERT_SUCCESS(check_class(TP, TP_OWN, TP_CAP), "after refusal");
	TEST_ASSERT_SUCCESS(check_shared(TP_CAP), "after refusal");

	/* One back (a borrowed one), one more may be borrowed. */
	held_free_last(&h, 1);
	TEST_ASSERT_SUCCESS(check_class(TP, TP_OWN, TP_CAP - 1), "");
	TEST_ASSERT_EQUAL(flood(TP, &h), 1, "after one borrowed came back");
	held_free(&h);
	return check_idle();
}

/* A best-effort flood never takes realtime's reserve. */
static int
test_flood_spares_realtime(void)
{
	struct held be = { .n = 0 }, rt = { .n = 0 };

	TEST_ASSERT_EQUAL(flood(BE, &be), BE_OWN + BE_CAP, "best effort");
	TEST_ASSERT_SUCCESS(check_class(BE, BE_OWN, BE_CAP), "");
	TEST_ASSERT_SUCCESS(check_class(RT, 0, 0), "");
	TEST_ASSERT(rte_mempool_full(qosdt_resv_pool(resv, RT)),
		"the flood touched the realtime pool");

	/* Realtime: its whole reserve, then only what is left shared. */
	TEST_ASSERT_EQUAL(flood(RT, &rt), RT_OWN + (SHARED - BE_CAP),
		"realtime after the flood");
	TEST_ASSERT_SUCCESS(check_class(RT, RT_OWN, SHARED - BE_CAP), "");
	TEST_ASSERT_SUCCESS(check_shared(SHARED), "");
	TEST_ASSERT_EQUAL(alloc_fails(RT), 1, "realtime alloc_fail");
	TEST_ASSERT_EQUAL(alloc_fails(BE), 1, "best-effort alloc_fail");

	/* Best effort gives 3 borrowed back: realtime reaches its cap
	 * (2 more) and no further, though one is free in the shared pool. */
	held_free_last(&be, 3);
	TEST_ASSERT_SUCCESS(check_class(BE, BE_OWN, BE_CAP - 3), "");
	TEST_ASSERT_SUCCESS(check_shared(SHARED - 3), "");
	TEST_ASSERT_EQUAL(flood(RT, &rt), RT_CAP - (SHARED - BE_CAP),
		"realtime up to its cap");
	TEST_ASSERT_SUCCESS(check_class(RT, RT_OWN, RT_CAP), "");
	TEST_ASSERT_SUCCESS(check_shared(SHARED - 1), "");

	/* Best effort cannot take realtime's reserve back either. */
	held_free_last(&rt, RT_CAP);
	held_free_last(&rt, RT_OWN / 2);
	TEST_ASSERT_SUCCESS(check_class(RT, RT_OWN / 2, 0), "");
	TEST_ASSERT_EQUAL(flood(BE, &be), 3, "best effort refills its cap");
	TEST_ASSERT_SUCCESS(check_class(BE, BE_OWN, BE_CAP), "");
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(qosdt_resv_pool(resv, RT)),
		RT_OWN / 2, "realtime's free reserve");
	held_free(&be);
	held_free(&rt);
	return check_idle();
}

/* Two classes borrow up to the shared size together, not each. */
static int
test_shared_is_shared(void)
{
	struct held tp = { .n = 0 }, be = { .n = 0 }, rl = { .n = 0 };

	TEST_ASSERT_EQUAL(flood(TP, &tp), TP_OWN + TP_CAP, "throughput");
	TEST_ASSERT_EQUAL(flood(BE, &be), BE_OWN + (SHARED - TP_CAP),
		"best effort gets what throughput left");
	TEST_ASSERT_SUCCESS(check_class(TP, TP_OWN, TP_CAP), "");
	TEST_ASSERT_SUCCESS(check_class(BE, BE_OWN, SHARED - TP_CAP), "");
	TEST_ASSERT_SUCCESS(check_shared(SHARED), "");

	/* Under its cap, reliable still gets only its reserve. */
	TEST_ASSERT_EQUAL(flood(RL, &rl), RL_OWN, "reliable");
	TEST_ASSERT_SUCCESS(check_class(RL, RL_OWN, 0), "");

	/* Throughput returns what it borrowed: the others may take it. */
	held_free_last(&tp, TP_CAP);
	TEST_ASSERT_SUCCESS(check_shared(SHARED - TP_CAP), "");
	TEST_ASSERT_EQUAL(flood(RL, &rl), RL_CAP, "reliable borrows");
	TEST_ASSERT_EQUAL(flood(BE, &be), TP_CAP - RL_CAP,
		"best effort takes the rest");
	TEST_ASSERT_SUCCESS(check_class(BE, BE_OWN,
		SHARED - TP_CAP + TP_CAP - RL_CAP), "");
	TEST_ASSERT_SUCCESS(check_shared(SHARED), "");
	held_free(&tp);
	held_free(&be);
	held_free(&rl);
	return check_idle();
}

/* A bulk that cannot be served whole takes nothing. */
static int
test_bulk_all_or_nothing(void)
{
	struct rte_mbuf *a[TOTAL], *b[TOTAL], *c[TOTAL];

	TEST_ASSERT_SUCCESS(qosdt_resv_alloc_bulk(resv, TP, a, 0), "n = 0");
	TEST_ASSERT_EQUAL(qosdt_resv_alloc_bulk(resv, TP, a,
		TP_OWN + TP_CAP + 1), -ENOBUFS, "one over the cap");
	TEST_ASSERT_SUCCESS(check_class(TP, 0, 0), "refused bulk kept some");
	TEST_ASSERT_SUCCESS(check_shared(0), "");
	TEST_ASSERT_EQUAL(alloc_fails(TP), 1, "alloc_fail");

	/* Own part served, borrowed part over the cap: own mbufs go back. */
	TEST_ASSERT_SUCCESS(qosdt_resv_alloc_bulk(resv, TP, a, 10), "10");
	TEST_ASSERT_EQUAL(qosdt_resv_alloc_bulk(resv, TP, b,
		TP_OWN - 10 + TP_CAP + 1), -ENOBUFS, "");
	TEST_ASSERT_SUCCESS(check_class(TP, 10, 0), "");
	TEST_ASSERT_SUCCESS(qosdt_resv_alloc_bulk(resv, TP, b,
		TP_OWN - 10 + TP_CAP), "exactly up to the cap");
	TEST_ASSERT_SUCCESS(check_class(TP, TP_OWN, TP_CAP), "");
	rte_pktmbuf_free_bulk(a, 10);
	rte_pktmbuf_free_bulk(b, TP_OWN - 10 + TP_CAP);

	/* Under the cap but the shared pool is short. */
	TEST_ASSERT_SUCCESS(qosdt_resv_alloc_bulk(resv, BE, a,
		BE_OWN + BE_CAP), "best effort");
	TEST_ASSERT_EQUAL(qosdt_resv_alloc_bulk(resv, RT, b,
		RT_OWN + SHARED - BE_CAP + 1), -ENOBUFS, "");
	TEST_ASSERT_SUCCESS(check_class(RT, 0, 0), "");
	TEST_ASSERT(rte_mempool_full(qosdt_resv_pool(resv, RT)),
		"realtime's own mbufs not given back");
	TEST_ASSERT_SUCCESS(check_class(BE, BE_OWN, BE_CAP), "");
	TEST_ASSERT_SUCCESS(check_shared(BE_CAP), "");
	TEST_ASSERT_SUCCESS(qosdt_resv_alloc_bulk(resv, RT, b,
		RT_OWN + SHARED - BE_CAP), "what is there");
	TEST_ASSERT_SUCCESS(check_shared(SHARED), "");

	/* Own pool empty, shared empty: a bulk of one is refused too. */
	TEST_ASSERT_EQUAL(qosdt_resv_alloc_bulk(resv, RT, c, 1), -ENOBUFS, "");
	TEST_ASSERT_EQUAL(alloc_fails(RT), 2, "realtime alloc_fail");
	rte_pktmbuf_free_bulk(a, BE_OWN + BE_CAP);
	rte_pktmbuf_free_bulk(b, RT_OWN + SHARED - BE_CAP);
	return check_idle();
}

/* Allocate everything, one at a time round-robin over the classes, so
 * that the array mixes own and borrowed mbufs of every class. */
static int
take_everything(struct rte_mbuf **all, unsigned int *n)
{
	struct qosdt_resv_usage u;
	bool more = true;
	unsigned int c;
	uint32_t sum = 0;

	*n = 0;
	while (more && *n + QOSDT_NB_CLASSES <= ALL_MAX) {
		more = false;
		for (c = 0; c < QOSDT_NB_CLASSES; c++) {
			struct rte_mbuf *m = alloc_one(c);

			if (m != NULL) {
				all[(*n)++] = m;
				more = true;
			}
		}
	}
	TEST_ASSERT_EQUAL(*n, TOTAL, "took %u of %u", *n, TOTAL);
	qosdt_resv_usage(resv, &u);
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		TEST_ASSERT_EQUAL(u.cls[c].in_use, own_of[c], "class %u", c);
		TEST_ASSERT(u.cls[c].borrowed <= cap_of[c], "class %u", c);
		sum += u.cls[c].borrowed;
	}
	TEST_ASSERT_EQUAL(sum, SHARED, "borrowed in all");
	return check_shared(SHARED);
}

static int
test_all_return_free(void)
{
	struct rte_mbuf *all[ALL_MAX];
	unsigned int i, n;

	TEST_ASSERT_SUCCESS(take_everything(all, &n), "");
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(all[i]);
	return check_idle();
}

static int
test_all_return_free_bulk(void)
{
	struct rte_mbuf *all[ALL_MAX];
	unsigned int n;

	TEST_ASSERT_SUCCESS(take_everything(all, &n), "");
	rte_pktmbuf_free_bulk(all, n);
	return check_idle();
}

/* rte_mempool_put_bulk into each mbuf's own pool. */
static int
test_all_return_put_bulk(void)
{
	struct rte_mbuf *all[ALL_MAX];
	void *group[ALL_MAX];
	struct rte_mempool *mp;
	unsigned int i, k, n, left;

	TEST_ASSERT_SUCCESS(take_everything(all, &n), "");
	for (left = n; left != 0; left = n) {
		mp = all[0]->pool;
		for (i = 0, k = 0, n = 0; i < left; i++) {
			if (all[i]->pool == mp)
				group[k++] = all[i];
			else
				all[n++] = all[i];
		}
		rte_mempool_put_bulk(mp, group, k);
	}
	return check_idle();
}

/* A PMD's fast free puts a whole burst into the pool of its first mbuf:
 * each mbuf still goes home and borrowed ones are credited. */
static int
test_all_return_put_wrong_pool(void)
{
	struct rte_mbuf *all[ALL_MAX];
	unsigned int n;

	TEST_ASSERT_SUCCESS(take_everything(all, &n), "");
	rte_mempool_put_bulk(qosdt_resv_pool(resv, RT), (void **)all, n);
	return check_idle();
}

static int
remote_free(void *arg)
{
	struct held *h = arg;

	held_free(h);
	return 0;
}

static int
remote_flood(void *arg)
{
	struct held *h = arg;

	flood(RT, h);
	return 0;
}

static int
worker_lcore(void)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);

	return lcore < RTE_MAX_LCORE ? (int)lcore : -1;
}

/* Borrowed on lcore 0 and freed on a worker, and the other way round. */
static int
test_other_lcore(void)
{
	static struct held h;
	int w = worker_lcore();

	if (w < 0)
		TEST_SKIP("needs a worker lcore (run with -l 0,1)");
	h.n = 0;
	TEST_ASSERT_EQUAL(flood(RT, &h), RT_OWN + RT_CAP, "");
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(remote_free, &h, w), "");
	TEST_ASSERT_SUCCESS(rte_eal_wait_lcore(w), "");
	TEST_ASSERT_SUCCESS(check_idle(), "after the worker freed");

	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(remote_flood, &h, w), "");
	TEST_ASSERT_SUCCESS(rte_eal_wait_lcore(w), "");
	TEST_ASSERT_EQUAL(h.n, RT_OWN + RT_CAP, "worker's flood");
	TEST_ASSERT_SUCCESS(check_class(RT, RT_OWN, RT_CAP), "");
	held_free(&h);
	return check_idle();
}

/*
 * Two lcores allocate and free random bulks of one class at once. Each
 * holds at most STRESS_MAX_BULK (RL_OWN): only the two at once borrow. They
 * go on past STRESS_ROUNDS until one of them has seen the class borrow (or
 * STRESS_MAX_S pass: then the case fails, they never overlapped).
 */
struct stress {
	unsigned int cls;
	uint64_t rounds;
	uint64_t refused;
	uint32_t max_borrowed;
};

static bool stress_go;
static bool stress_borrowed;
static uint64_t stress_end;

static int
stress_loop(void *arg)
{
	struct stress *s = arg;
	struct rte_mbuf *m[STRESS_MAX_BULK];
	struct qosdt_resv_usage u;
	unsigned int n;

	while (!__atomic_load_n(&stress_go, __ATOMIC_ACQUIRE))
		rte_pause();
	for (s->rounds = 0; s->rounds < STRESS_ROUNDS ||
			(!__atomic_load_n(&stress_borrowed, __ATOMIC_RELAXED) &&
			rte_get_timer_cycles() < stress_end); s->rounds++) {
		n = 1 + rte_rand_max(STRESS_MAX_BULK);
		if (qosdt_resv_alloc_bulk(resv, s->cls, m, n) != 0) {
			s->refused++;
			continue;
		}
		qosdt_resv_usage(resv, &u);
		s->max_borrowed = RTE_MAX(s->max_borrowed,
			u.cls[s->cls].borrowed);
		if (u.cls[s->cls].borrowed > 0)
			__atomic_store_n(&stress_borrowed, true, __ATOMIC_RELAXED);
		rte_pktmbuf_free_bulk(m, n);
	}
	return 0;
}

static int
test_two_lcores_at_once(void)
{
	struct stress on_worker = { .cls = RL }, on_main = { .cls = RL };
	int w = worker_lcore();

	if (w < 0)
		TEST_SKIP("needs a worker lcore (run with -l 0,1)");
	RTE_BUILD_BUG_ON(STRESS_MAX_BULK > RL_OWN);
	stress_go = false;
	stress_borrowed = false;
	stress_end = rte_get_timer_cycles() + STRESS_MAX_S * rte_get_timer_hz();
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(stress_loop, &on_worker, w),
		"");
	__atomic_store_n(&stress_go, true, __ATOMIC_RELEASE);
	stress_loop(&on_main);
	TEST_ASSERT_SUCCESS(rte_eal_wait_lcore(w), "");
	printf("refused %" PRIu64 " + %" PRIu64 " of %" PRIu64 " + %" PRIu64
		" bulks, most borrowed %u\n", on_main.refused, on_worker.refused,
		on_main.rounds, on_worker.rounds,
		RTE_MAX(on_main.max_borrowed, on_worker.max_borrowed));
	TEST_ASSERT(on_main.max_borrowed > 0 || on_worker.max_borrowed > 0,
		"no borrowing in %u s: the two lcores never held more than the "
		"class's own %u at once", STRESS_MAX_S, RL_OWN);
	TEST_ASSERT(on_main.max_borrowed <= RL_CAP &&
		on_worker.max_borrowed <= RL_CAP, "borrowed above the cap");
	TEST_ASSERT_EQUAL(alloc_fails(RL), on_main.refused + on_worker.refused,
		"alloc_fail");
	return check_idle();
}

/* rte_pktmbuf_alloc on the class pool, as a PMD's RX refill does. */
static int
test_pktmbuf_alloc_borrows(void)
{
	struct rte_mempool *own = qosdt_resv_pool(resv, BE);
	struct held h = { .n = 0 };
	unsigned int i;

	TEST_ASSERT_EQUAL(flood(BE, &h), BE_OWN + BE_CAP, "");
	for (i = 0; i < h.n; i++) {
		TEST_ASSERT_EQUAL(qosdt_mbuf_meta(h.m[i])->cls, BE, "mbuf %u",
			i);
		TEST_ASSERT_EQUAL(h.m[i]->pool == own, i < BE_OWN,
			"mbuf %u from %s", i, h.m[i]->pool->name);
		TEST_ASSERT_EQUAL(rte_pktmbuf_data_room_size(h.m[i]->pool),
			DATA_ROOM, "mbuf %u", i);
	}
	TEST_ASSERT_SUCCESS(check_class(BE, BE_OWN, BE_CAP), "");
	TEST_ASSERT_SUCCESS(check_shared(BE_CAP), "");
	held_free(&h);
	return check_idle();
}

/* A real PMD: net_null's RX allocates from the queue's pool (the class
 * pool) and borrows; its TX frees, and the borrowed come back. */
static int
test_net_null_rx(void)
{
	static const char name[] = "net_null_resv";
	struct rte_eth_conf conf = { 0 };
	struct held h = { .n = 0 };
	uint16_t port, sent;
	int ret;

	if (rte_vdev_init(name, NULL) != 0)
		TEST_SKIP("net_null driver not available: %s",
			rte_strerror(rte_errno));
	ret = rte_eth_dev_get_port_by_name(name, &port);
	if (ret == 0)
		ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, 64, SOCKET_ID_ANY, NULL,
			qosdt_resv_pool(resv, BE));
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 64, SOCKET_ID_ANY, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0) {
		rte_vdev_uninit(name);
		TEST_ASSERT_SUCCESS(ret, "net_null setup");
	}
	/* Bursts of one: net_null refills a burst all or nothing. */
	while (h.n < RTE_DIM(h.m) &&
			rte_eth_rx_burst(port, 0, &h.m[h.n], 1) == 1)
		h.n++;
	ret = TEST_SUCCESS;
	if (h.n != BE_OWN + BE_CAP || check_class(BE, BE_OWN, BE_CAP) != 0) {
		printf("net_null received %u, expected %u\n", h.n,
			BE_OWN + BE_CAP);
		ret = TEST_FAILED;
	}
	sent = rte_eth_tx_burst(port, 0, h.m, h.n);
	rte_pktmbuf_free_bulk(h.m + sent, h.n - sent);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_vdev_uninit(name);
	TEST_ASSERT_SUCCESS(ret, "RX through the class pool");
	TEST_ASSERT_EQUAL(sent, h.n, "net_null TX took %u of %u", sent, h.n);
	return check_idle();
}

/* Freeing with mbufs out: a warning names the class and counts. */
static int
test_free_with_mbufs_out(void)
{
	struct rte_mbuf *m[RT_OWN + 1];
	struct qosdt_config cfg;
	struct log_capture lc;
	struct qosdt_resv *r;
	char log[LOG_LEN];

	config_fill(&cfg);
	r = qosdt_resv_create("tleak", &cfg, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_SUCCESS(qosdt_resv_alloc_bulk(r, RT, m, RT_OWN + 1), "");
	rte_pktmbuf_free_bulk(m, 2);	/* two own back: 6 own, 1 borrowed */
	if (log_capture_start(&lc) != 0) {
		qosdt_resv_free(r);
		TEST_SKIP("cannot capture the log: %s", strerror(errno));
	}
	qosdt_resv_free(r);
	log_capture_stop(&lc, log, sizeof(log));
	TEST_ASSERT_NOT_NULL(strstr(log,
		"6 own and 1 borrowed realtime mbufs still out"), "log: %s",
		log);
	TEST_ASSERT_NOT_NULL(strstr(log, "1 shared mbufs still out"),
		"log: %s", log);
	TEST_ASSERT_NULL(rte_mempool_lookup("tleak_rt"), "pools not freed");
	return TEST_SUCCESS;
}

/* Without a shared pool nobody borrows; each class has its reserve. */
static int
test_no_shared_pool(void)
{
	struct qosdt_resv_usage u;
	struct qosdt_config cfg;
	struct rte_mbuf *m[TP_OWN + 1];
	struct qosdt_resv *r;

	config_fill(&cfg);
	cfg.shared_buffers = 0;
	r = qosdt_resv_create("tnoshare", &cfg, SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(qosdt_resv_alloc_bulk(r, TP, m, TP_OWN + 1),
		-ENOBUFS, "borrowed without a shared pool");
	TEST_ASSERT_SUCCESS(qosdt_resv_alloc_bulk(r, TP, m, TP_OWN), "");
	qosdt_resv_usage(r, &u);
	rte_pktmbuf_free_bulk(m, TP_OWN);
	qosdt_resv_free(r);
	TEST_ASSERT_EQUAL(u.cls[TP].in_use, TP_OWN, "");
	TEST_ASSERT_EQUAL(u.cls[TP].borrowed, 0, "");
	TEST_ASSERT_EQUAL(u.cls[TP].alloc_fail, 1, "");
	TEST_ASSERT_EQUAL(u.shared_size, 0, "");
	TEST_ASSERT_EQUAL(u.shared_in_use, 0, "");
	return TEST_SUCCESS;
}

static struct unit_test_suite qos_resv_suite = {
	.suite_name = "qos buffer reservations",
	.unit_test_cases = {
		TEST_CASE(test_create_refuses_bad_config),
		TEST_CASE(test_create_fails_cleanly),
		TEST_CASE(test_default_config),
		TEST_CASE_ST(resv_setup, resv_teardown, test_bad_arguments),
		TEST_CASE_ST(resv_setup, resv_teardown, test_fresh_pools),
		TEST_CASE_ST(resv_setup, resv_teardown,
			test_borrow_stops_at_cap),
		TEST_CASE_ST(resv_setup, resv_teardown,
			test_flood_spares_realtime),
		TEST_CASE_ST(resv_setup, resv_teardown, test_shared_is_shared),
		TEST_CASE_ST(resv_setup, resv_teardown,
			test_bulk_all_or_nothing),
		TEST_CASE_ST(resv_setup, resv_teardown, test_all_return_free),
		TEST_CASE_ST(resv_setup, resv_teardown,
			test_all_return_free_bulk),
		TEST_CASE_ST(resv_setup, resv_teardown,
			test_all_return_put_bulk),
		TEST_CASE_ST(resv_setup, resv_teardown,
			test_all_return_put_wrong_pool),
		TEST_CASE_ST(resv_setup, resv_teardown, test_other_lcore),
		TEST_CASE_ST(resv_setup, resv_teardown,
			test_two_lcores_at_once),
		TEST_CASE_ST(resv_setup, resv_teardown,
			test_pktmbuf_alloc_borrows),
		TEST_CASE_ST(resv_setup, resv_teardown, test_net_null_rx),
		TEST_CASE(test_free_with_mbufs_out),
		TEST_CASE(test_no_shared_pool),
		TEST_CASES_END()
	}
};

static int
test_qos_resv(void)
{
	return unit_test_suite_runner(&qos_resv_suite);
}

REGISTER_TEST_COMMAND(qos_resv_autotest, test_qos_resv);
