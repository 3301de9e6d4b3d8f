/* SPDX-License-Identifier: BSD-3-Clause */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_red.h>
#include <rte_sched.h>
#include <rte_version.h>

#include "qosdt_aqm.h"
#include "qosdt_log.h"
#include "qosdt_mbuf.h"
#include "qosdt_monitor.h"
#include "qosdt_sched.h"
#include "qosdt_tenant.h"

/* Enqueue works through the burst in chunks of this many mbufs. */
#define SCHED_CHUNK 64
/* Realtime messages the express path holds (cfg.express). */
#define EXPRESS_SLOTS 64
/* A dequeue turn of a polling thread takes microseconds; a gap longer
 * than this between two turns with something queued is a stall. */
#define SOJOURN_STALL_US 200

/*
 * The pipe's token bucket: this many largest frames. The subport shapes
 * (its bucket is scheduler.bucket deep); the pipe runs at the port rate,
 * but its credits last only this long, and rte_sched's grinder looks at
 * the pipe's traffic classes again only when it reloads the pipe, which it
 * does when the credits run out. So a message of a higher class waits
 * behind at most this much of a lower one, instead of a whole bucket.
 */
#define PIPE_BUCKET_FRAMES 2

/* An admission queue: one per class (one for all in fifo mode). */
struct sched_queue {
	uint32_t backlog;             /* Its mbufs inside rte_sched. */
	uint64_t backlog_bytes;       /* Their bytes. */
	uint32_t limit;               /* Admission limit, <= rte_sched qsize. */
	enum qosdt_drop_policy drop;
	struct rte_red_config red_cfg;
	struct rte_red red;
	struct qosdt_aqm aqm;         /* QOSDT_DROP_SOJOURN, times in TSC cycles. */
};

/*
 * What a class maps to: one rte_sched queue, or for a strict class one
 * strict traffic class per latency objective of its services (shortest
 * first), each with its rte_mbuf_sched queue id.
 */
struct sched_class {
	struct qosdt_sched_class_counters cnt;
	struct sched_queue *q;
	uint32_t nb_tc;
	uint64_t objective[QOSDT_MAX_STRICT_TCS]; /* ns, ascending */
	uint32_t sched_field[QOSDT_MAX_STRICT_TCS];
	uint8_t tc[QOSDT_MAX_STRICT_TCS];
};

/*
 * A tenant: one rte_sched pipe, its classes' admission queues, its monitor
 * and its express path. A single-client instance has one.
 */
struct sched_tenant {
	struct sched_class cls[QOSDT_NB_CLASSES];
	struct sched_queue queues[QOSDT_NB_CLASSES];
	struct qosdt_monitor *mon;
	/* The express path (cfg.express): realtime released at once, in order. */
	uint32_t express_head, express_tail;
	struct rte_mbuf *express[EXPRESS_SLOTS];
	/*
	 * With several tenants, what the express path may take of this
	 * tenant's realtime: a token bucket at its realtime cap
	 * (lane_rate_bps(), bytes x TSC Hz, refilled as time passes); above
	 * it realtime queues in its pipe, whose TC rates cap it.
	 */
	uint64_t lane_rate;           /* Bytes/s; 0: uncapped (one tenant). */
	uint64_t lane_credits;
	uint64_t lane_credits_max;
	uint64_t lane_tsc;
};

struct qosdt_sched {
	struct rte_sched_port *port;
	uint32_t backlog;             /* Mbufs inside rte_sched, all classes. */
	uint32_t nb_tenants;
	uint32_t express_next;        /* The tenant whose express path goes first. */
	/* Bit i: tenant i's express path holds some (the tenants fit: below). */
	uint64_t express_mask;
	double ns_per_tsc;
	uint64_t tsc_hz;              /* rte_get_tsc_hz(), kept at hand. */
	/* rte_sched's queue id holds the pipe at bit 4 (the hierarchy's 16
	 * queues per pipe, one subport), checked on every tenant's queue ids
	 * when they are made (class_fields_init()); if not, ask rte_sched. */
	bool pipe_in_queue_id;
	uint32_t pipe_mask;
	uint64_t red_time_per_ns;     /* RED clock units per ns (red_time()). */
	/* The sojourn classes' measurements skip the owning thread's stalls:
	 * the last dequeue turn with something queued, and the gap between
	 * two turns that is a stall (sojourn_skip_stall()). */
	unsigned int nb_sojourn;
	uint64_t last_turn_tsc;
	uint64_t stall_tsc;
	uint32_t pipe_profile;        /* Ids in use. */
	uint32_t subport_profile;
	struct qosdt_config cfg;      /* With the current weights and cap. */
	/* rte_sched's profile lists are append-only: what each id holds. */
	uint32_t nb_pipe_profiles;
	uint8_t pipe_profiles[QOSDT_SCHED_MAX_PROFILES][4]; /* WRR, reduced */
	uint32_t nb_subport_profiles;
	/* Per class, the rate each of its TCs gets (caps_key()). */
	uint64_t subport_profiles[QOSDT_SCHED_MAX_PROFILES][QOSDT_NB_CLASSES];
	struct sched_tenant t[];      /* nb_tenants of them. */
};

/*
 * Where a class's k-th objective goes in rte_sched: traffic class and
 * queue. Priority mode: the strict classes take TC0, TC1, ... in class
 * order, one per objective (realtime first); the others share the
 * best-effort TC's WRR queues in class order. WRR mode: one WRR queue per
 * class. FIFO: one queue.
 */
static void
class_position(const struct qosdt_config *cfg, unsigned int cls,
		unsigned int k, uint32_t *tc, uint32_t *queue)
{
	uint64_t obj[QOSDT_MAX_STRICT_TCS];
	unsigned int c, strict_tcs = 0, wrr = 0;

	*tc = RTE_SCHED_TRAFFIC_CLASS_BE;
	*queue = 0;
	switch (cfg->mode) {
	case QOSDT_MODE_PRIORITY:
		for (c = 0; c < cls; c++) {
			if (qosdt_config_class_strict(cfg, c))
				strict_tcs += qosdt_config_class_tcs(cfg, c, obj);
			else
				wrr++;
		}
		if (qosdt_config_class_strict(cfg, cls))
			*tc = strict_tcs + k;
		else
			*queue = wrr;
		break;
	case QOSDT_MODE_WRR:
		*queue = cls;
		break;
	default:
		break;
	}
}

/* The rte_sched queues a class spreads over. */
static uint32_t
class_nb_tc(const struct qosdt_config *cfg, unsigned int cls, uint64_t *obj)
{
	uint64_t none[QOSDT_MAX_STRICT_TCS];

	if (!qosdt_config_class_strict(cfg, cls)) {
		if (obj != NULL)
			obj[0] = 0;
		return 1;
	}
	return RTE_MIN(qosdt_config_class_tcs(cfg, cls, obj != NULL ? obj : none),
		(unsigned int)QOSDT_MAX_STRICT_TCS);
}

static uint16_t
qsize_for(uint32_t limit)
{
	return (uint16_t)rte_align32pow2(limit);
}

static uint64_t
bps_to_bytes(uint64_t bps)
{
	return bps / 8;
}

/* Token bucket depth: the configured time at the rate, at least two frames. */
static uint64_t
bucket_size(const struct qosdt_config *cfg, uint64_t bytes_per_s)
{
	uint64_t frame = cfg->max_frame_len + cfg->frame_overhead;

	return RTE_MAX(2 * frame, (uint64_t)((unsigned __int128)bytes_per_s *
		cfg->bucket_ns / 1000000000));
}

/*
 * The subport's rate, bytes/s: the capacity (qosdt_config_capacity()),
 * which with one tenant is the channel's rate.
 */
static uint64_t
subport_rate(const struct qosdt_config *cfg)
{
	return bps_to_bytes(qosdt_config_capacity(cfg));
}

/*
 * What each TC of a class gets at the subport, bytes/s, as rte_sched sees
 * it: with one tenant, in priority mode, a strict class's TCs share its cap
 * equally (an uncapped one's run at the channel); every other TC, and every
 * TC when there are several tenants (each pipe caps its own then), runs at
 * the subport's rate. The key of the subport profiles: two sets of caps
 * with the same key are the same profile.
 */
static void
caps_key(const struct qosdt_config *cfg, const uint64_t *cap_bps,
		uint64_t *key)
{
	uint64_t rate = subport_rate(cfg);
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		key[cls] = rate;
		if (cfg->tenants.nb <= 1 && cfg->mode == QOSDT_MODE_PRIORITY &&
				qosdt_config_class_strict(cfg, cls) &&
				cap_bps[cls] != 0)
			key[cls] = RTE_MIN(bps_to_bytes(cap_bps[cls] /
				class_nb_tc(cfg, cls, NULL)), rate);
	}
}

/*
 * The subport: shaped at the capacity (the channel rate with one tenant);
 * with one tenant, in priority mode, each strict class's TCs share its cap
 * equally (@p cap_bps, which the adaptive controller moves).
 */
static void
subport_profile_fill(const struct qosdt_config *cfg, const uint64_t *cap_bps,
		struct rte_sched_subport_profile_params *sp)
{
	uint64_t rate = subport_rate(cfg);
	uint64_t key[QOSDT_NB_CLASSES];
	unsigned int cls, k, i;

	memset(sp, 0, sizeof(*sp));
	sp->tb_rate = rate;
	sp->tb_size = bucket_size(cfg, rate);
	for (i = 0; i < RTE_SCHED_TRAFFIC_CLASSES_PER_PIPE; i++)
		sp->tc_rate[i] = rate;
	sp->tc_period = cfg->tc_period_ms;
	caps_key(cfg, cap_bps, key);
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		uint32_t n = class_nb_tc(cfg, cls, NULL), tc, queue;

		if (!qosdt_config_class_strict(cfg, cls))
			continue;
		for (k = 0; k < n; k++) {
			class_position(cfg, cls, k, &tc, &queue);
			sp->tc_rate[tc] = key[cls];
		}
	}
}

/* The caps of a configuration, per class. */
static void
config_caps(const struct qosdt_config *cfg, uint64_t *cap_bps)
{
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++)
		cap_bps[cls] = cfg->classes[cls].rate_cap_bps;
}

static uint64_t port_rate(const struct qosdt_config *cfg);

/*
 * A TC rate rte_sched can serve: at least one largest frame per TC period
 * (below it the TC never gets the credit for one and stalls), at most the
 * pipe's rate.
 */
static uint64_t
tc_rate_clamp(const struct qosdt_config *cfg, uint64_t rate, uint64_t pipe_rate)
{
	uint64_t frame = (uint64_t)cfg->max_frame_len + cfg->frame_overhead;
	uint64_t floor = frame * 1000 / cfg->tc_period_ms + 1;

	return RTE_MIN(RTE_MAX(rate, floor), pipe_rate);
}

/*
 * A tenant's pipe: a bucket of PIPE_BUCKET_FRAMES frames, the WRR weights.
 * One tenant: the port's rate, every used TC at the channel rate (the
 * subport shapes and caps). Several: the tenant's pipe rate
 * (qosdt_tenant_pipe_bps()), each strict class's TCs sharing the tenant's
 * cap of it (qosdt_tenant_cap_bps()), and the tenant's weight for its
 * share of the subport's best-effort TC when tenants contend for it.
 */
static void
pipe_profile_fill(const struct qosdt_config *cfg, const uint8_t *wrr,
		unsigned int tenant, struct rte_sched_pipe_params *pp)
{
	uint64_t rate = bps_to_bytes(cfg->channel_rate_bps);
	bool several = cfg->tenants.nb > 1;
	unsigned int cls, k;

	memset(pp, 0, sizeof(*pp));
	pp->tb_rate = port_rate(cfg);
	if (several) {
		rate = RTE_MIN(bps_to_bytes(qosdt_tenant_pipe_bps(cfg, tenant)),
			pp->tb_rate);
		pp->tb_rate = rate;
	}
	pp->tb_size = PIPE_BUCKET_FRAMES *
		((uint64_t)cfg->max_frame_len + cfg->frame_overhead);
	pp->tc_period = cfg->tc_period_ms;
	pp->tc_ov_weight = several ? cfg->tenants.t[tenant].weight : 1;
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		uint32_t n = class_nb_tc(cfg, cls, NULL), tc, queue;
		uint64_t tc_rate = rate;

		if (several && cfg->mode == QOSDT_MODE_PRIORITY &&
				qosdt_config_class_strict(cfg, cls) &&
				cfg->classes[cls].rate_cap_bps != 0)
			tc_rate = tc_rate_clamp(cfg, bps_to_bytes(
				qosdt_tenant_cap_bps(cfg, tenant,
					cfg->classes[cls].rate_cap_bps)) / n,
				rate);
		for (k = 0; k < n; k++) {
			class_position(cfg, cls, k, &tc, &queue);
			pp->tc_rate[tc] = tc_rate;
		}
	}
	memcpy(pp->wrr_weights, wrr, sizeof(pp->wrr_weights));
}

/*
 * The four WRR weights rte_sched gets for these class weights, reduced by
 * their gcd: rte_sched refuses a profile equal to one it has after its own
 * conversion (2:2:1 and 4:4:2 are the same profile), so this is the key of
 * our profile table. fifo uses one queue: 1:1:1:1.
 */
static void
wrr_of(const struct qosdt_config *cfg, const uint8_t *class_weight, uint8_t *wrr)
{
	unsigned int i, g;

	if (qosdt_config_wrr_weights(cfg, class_weight, wrr) == 0) {
		memset(wrr, 1, 4);
		return;
	}
	g = wrr[0];
	for (i = 1; i < 4; i++) {
		unsigned int a = g, b = wrr[i];

		while (b != 0) {
			unsigned int t = a % b;

			a = b;
			b = t;
		}
		g = a;
	}
	for (i = 0; i < 4; i++)
		wrr[i] /= g;
}

/* The WRR weights of the configuration's class weights. */
static void
config_wrr(const struct qosdt_config *cfg, uint8_t *wrr)
{
	uint8_t w[QOSDT_NB_CLASSES];
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		w[c] = cfg->classes[c].weight;
	wrr_of(cfg, w, wrr);
}

/*
 * The RED clock. rte_red decays the average queue over an idle period by
 * (1 - wq)^m with m = idle time / RTE_RED_S, RTE_RED_S being meant as the
 * time to send one packet (rte_sched passes its port time in bytes and has
 * RTE_RED_S bytes per "packet" for its many queues). Our unit makes
 * RTE_RED_S one 64-byte frame at the channel rate, so m counts the small
 * frames the channel could have sent: an idle queue is forgotten in a few
 * milliseconds at 1 Gbit/s, not minutes. The product wraps after hours of
 * uptime; rte_red only subtracts two readings.
 */
#define RED_FRAME_BYTES 64

static uint64_t
red_time_per_ns(uint64_t channel_bytes_per_s)
{
	uint64_t units = (uint64_t)((unsigned __int128)channel_bytes_per_s *
		(RTE_RED_S / RED_FRAME_BYTES) / 1000000000);

	return units != 0 ? units : 1;
}

static uint64_t
red_time(const struct qosdt_sched *s)
{
	return (uint64_t)((double)rte_rdtsc() * s->ns_per_tsc) *
		s->red_time_per_ns;
}

/*
 * The port rate: rte_sched does not shape at the port rate (the subport
 * does), so it is set at about twice the subport's. rte_sched keeps time in
 * bytes with an integer cycles_per_byte = (tsc_hz << 8) / rate: a rate for
 * which that division is exact keeps its clock right (at 2 x 100 Gbit/s
 * with a 2.5 GHz TSC, 25.6 truncated to 25 ran the shaper 2.4% fast).
 */
static uint64_t
port_rate(const struct qosdt_config *cfg)
{
	uint64_t hz = (uint64_t)rte_get_tsc_hz() << 8;
	uint64_t k = hz / (2 * subport_rate(cfg));

	return k == 0 ? 2 * subport_rate(cfg) : hz / k;
}

/*
 * rte_sched's best-effort oversubscription (doc/dpdk-notes.md): the pipes'
 * tc_ov_weight shares the subport's best-effort TC between contending
 * pipes through a watermark that rte_sched_subport_config() sets to its
 * maximum, meant as the largest pipe best-effort rate x tc_period. From
 * DPDK 20.11 (read up to 25.11) it multiplies the period already converted
 * to bytes at the port rate instead of the milliseconds, which makes the
 * maximum port bytes per ms times too large (25000x at 100 Mbit/s): the
 * watermark, coming down by 1/128 per period, then takes some 15 s of
 * contention before a weight acts at all. The maximum comes from the pipe
 * profiles the subport is configured with, not from those added later; so
 * with several tenants the subport gets one profile, never run by a pipe,
 * whose best-effort rate makes rte_sched's product the intended maximum,
 * and the tenants' profiles are added after it. A later
 * rte_sched_subport_config() would take the maximum from every profile
 * again: with several tenants qosdt never calls it
 * (qosdt_sched_set_knobs() refuses).
 */
#define SCHED_TC_OV_WM_IN_PORT_BYTES \
	(RTE_VERSION >= RTE_VERSION_NUM(20, 11, 0, 0) && \
	 RTE_VERSION < RTE_VERSION_NUM(26, 0, 0, 0))

/*
 * The best-effort rate of the watermark profile, bytes/s: rte_sched's
 * tc_period_bytes x it / 1000 is at least tc_period_ms x @p be_rate_max /
 * 1000, the intended maximum (by less than a port ms of bytes more).
 */
static uint64_t
tc_ov_wm_profile_rate(const struct qosdt_config *cfg, uint64_t be_rate_max)
{
	uint64_t period_bytes = (uint64_t)cfg->tc_period_ms * port_rate(cfg) /
		1000;
	uint64_t wm_max = (uint64_t)cfg->tc_period_ms * be_rate_max / 1000;

	return RTE_MAX((wm_max * 1000 + period_bytes - 1) / period_bytes,
		(uint64_t)1);
}

/*
 * Several tenants: each distinct tenant profile added to the subport
 * (configured with the watermark profile only, id 0), each pipe
 * configured with its tenant's. On error the port is gone.
 */
static int
tenant_pipes_config(struct qosdt_sched *s, struct rte_sched_pipe_params *pipes)
{
	uint32_t id[QOSDT_MAX_TENANTS], i, j, nb_profiles = 1;
	int ret = 0;

	for (i = 0; i < s->nb_tenants; i++) {
		/* rte_sched refuses a duplicate: equal tenants share one. */
		for (j = 0; j < i; j++)
			if (memcmp(&pipes[j], &pipes[i], sizeof(pipes[i])) == 0)
				break;
		if (j < i) {
			id[i] = id[j];
			continue;
		}
		ret = rte_sched_subport_pipe_profile_add(s->port, 0, &pipes[i],
			&id[i]);
		if (ret != 0) {
			rte_sched_port_free(s->port);
			return ret;
		}
		nb_profiles++;
	}
	/* On error it frees the port (doc/dpdk-notes.md). */
	for (i = 0; ret == 0 && i < s->nb_tenants; i++)
		ret = rte_sched_pipe_config(s->port, 0, i, id[i]);
	s->nb_pipe_profiles = nb_profiles;
	return ret;
}

/*
 * A tenant's admission queues and class -> queue map, from its own
 * configuration (qosdt_tenant_config(): its share of the queue slots).
 */
static int
admission_init(struct qosdt_sched *s, struct sched_tenant *t,
		const struct qosdt_config *cfg)
{
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		const struct qosdt_class_config *cc = &cfg->classes[c];
		struct sched_queue *q;

		if (cfg->mode == QOSDT_MODE_FIFO) {
			/* One queue, all the slots, tail drop: no QoS at all. */
			q = &t->queues[0];
			q->limit = cfg->queue_slots;
			q->drop = QOSDT_DROP_TAIL;
		} else {
			q = &t->queues[c];
			q->limit = cc->queue_limit;
			q->drop = cc->drop;
		}
		s->nb_sojourn += q->drop == QOSDT_DROP_SOJOURN;
		if (q->drop == QOSDT_DROP_SOJOURN)
			qosdt_aqm_init(&q->aqm,
				(double)cc->sojourn.target_ns * rte_get_tsc_hz() / 1e9,
				(double)bps_to_bytes(cfg->channel_rate_bps) /
					rte_get_tsc_hz(),
				2 * ((uint64_t)cfg->max_frame_len + cfg->frame_overhead));
		if (q->drop == QOSDT_DROP_RED) {
			if (rte_red_config_init(&q->red_cfg, cc->red.wq_log2,
					cc->red.min_th, cc->red.max_th,
					cc->red.maxp_inv) != 0 ||
					rte_red_rt_data_init(&q->red) != 0) {
				QOSDT_LOG(ERR, "classes.%s.red: refused by rte_red",
					qosdt_class_name(c));
				return -EINVAL;
			}
		}
		if (q->limit == 0) {
			QOSDT_LOG(ERR, "scheduler.queue_slots: tenant %s's share leaves classes.%s no queue slot",
				cfg->tenants.t[t - s->t].name,
				qosdt_class_name(c));
			return -EINVAL;
		}
		t->cls[c].q = q;
	}
	return 0;
}

/*
 * rte_sched queue sizes (one per TC for every pipe): each tenant's class
 * limit fits, so rte_sched never drops.
 */
static void
queue_sizes(const struct qosdt_sched *s, const struct qosdt_config *cfg,
		uint16_t *qsize)
{
	unsigned int c, i;

	for (i = 0; i < s->nb_tenants; i++)
		for (c = 0; c < QOSDT_NB_CLASSES; c++) {
			uint32_t n = class_nb_tc(cfg, c, NULL), tc, queue, k;
			uint16_t size = qsize_for(s->t[i].cls[c].q->limit);

			for (k = 0; k < n; k++) {
				class_position(cfg, c, k, &tc, &queue);
				qsize[tc] = RTE_MAX(qsize[tc], size);
			}
		}
}

/*
 * Build port, subport and pipes; the config was validated.
 *
 * One pipe per tenant, all classes of a tenant in its pipe. Spreading one
 * tenant's classes over pipes in separate bitmap slabs keeps all 8
 * rte_sched grinders busy (8.0 instead of 4.1 Mpps on one core here), but
 * grinders then take turns at the subport's credits: under shaping,
 * realtime in one pipe waited for bulk of the others (p50 430 us instead
 * of 7 us at 200 Mbit/s). So strict priority within a tenant needs its
 * one pipe, and across tenants realtime takes the express path
 * (doc/tenants.md).
 */
static int
port_build(struct qosdt_sched *s, const char *name,
		const struct qosdt_config *cfg, int socket)
{
	uint64_t caps[QOSDT_NB_CLASSES];
	struct rte_sched_subport_profile_params sp;
	struct rte_sched_subport_params sub;
	struct rte_sched_port_params pp;
	struct rte_sched_pipe_params *pipes;
	struct rte_sched_pipe_params wm_profile;
	bool wm_fix = s->nb_tenants > 1 && SCHED_TC_OV_WM_IN_PORT_BYTES;
	uint64_t be_max = 0;
	uint8_t wrr[4];
	uint32_t i;
	int ret;

	config_caps(cfg, caps);
	subport_profile_fill(cfg, caps, &sp);
	memset(&pp, 0, sizeof(pp));
	pp.name = name;
	/* rte_sched refuses SOCKET_ID_ANY. */
	pp.socket = socket >= 0 ? socket : 0;
	pp.rate = port_rate(cfg);
	pp.mtu = cfg->max_frame_len;
	pp.frame_overhead = cfg->frame_overhead;
	pp.n_subports_per_port = 1;
	pp.subport_profiles = &sp;
	pp.n_subport_profiles = 1;
	pp.n_max_subport_profiles = QOSDT_SCHED_MAX_PROFILES;
	pp.n_pipes_per_subport = rte_align32pow2(s->nb_tenants);

	s->port = rte_sched_port_config(&pp);
	if (s->port == NULL) {
		QOSDT_LOG(ERR, "rte_sched_port_config(%s) failed", name);
		return -EINVAL;
	}

	/* One pipe profile per tenant: pipe i runs profile i (several
	 * tenants: after the watermark profile, tenant_pipes_config()). */
	pipes = calloc(s->nb_tenants, sizeof(*pipes));
	if (pipes == NULL) {
		rte_sched_port_free(s->port);
		s->port = NULL;
		return -ENOMEM;
	}
	config_wrr(cfg, wrr);
	for (i = 0; i < s->nb_tenants; i++) {
		pipe_profile_fill(cfg, wrr, i, &pipes[i]);
		be_max = RTE_MAX(be_max,
			pipes[i].tc_rate[RTE_SCHED_TRAFFIC_CLASS_BE]);
	}
	memset(&sub, 0, sizeof(sub));
	/* rte_sched wants a power of 2; the pipes past the tenants stay
	 * unconfigured (nothing is ever enqueued to them). */
	sub.n_pipes_per_subport_enabled = rte_align32pow2(s->nb_tenants);
	queue_sizes(s, cfg, sub.qsize);
	sub.pipe_profiles = pipes;
	sub.n_pipe_profiles = s->nb_tenants;
	if (wm_fix) {
		/* The watermark's maximum (tc_ov_wm_profile_rate()). */
		wm_profile = pipes[0];
		wm_profile.tc_rate[RTE_SCHED_TRAFFIC_CLASS_BE] =
			tc_ov_wm_profile_rate(cfg, be_max);
		sub.pipe_profiles = &wm_profile;
		sub.n_pipe_profiles = 1;
	}
	sub.n_max_pipe_profiles = QOSDT_SCHED_MAX_PROFILES;
	sub.cman_params = NULL;

	/* On error both calls free the whole port (doc/dpdk-notes.md). */
	ret = rte_sched_subport_config(s->port, 0, &sub, 0);
	if (ret == 0 && wm_fix)
		ret = tenant_pipes_config(s, pipes);
	for (i = 0; ret == 0 && !wm_fix && i < s->nb_tenants; i++)
		ret = rte_sched_pipe_config(s->port, 0, i, i);
	free(pipes);
	if (ret != 0) {
		QOSDT_LOG(ERR, "rte_sched refused the %s hierarchy: %d",
			qosdt_mode_name(cfg->mode), ret);
		s->port = NULL;
		return ret;
	}
	memcpy(s->pipe_profiles[0], wrr, sizeof(wrr));
	if (!wm_fix)
		s->nb_pipe_profiles = s->nb_tenants;
	caps_key(cfg, caps, s->subport_profiles[0]);
	s->nb_subport_profiles = 1;
	return 0;
}

/* The pipe of an rte_sched queue id, as rte_sched lays it out here. */
static inline uint32_t
queue_id_pipe(const struct qosdt_sched *s, uint32_t queue_id)
{
	return (queue_id >> 4) & s->pipe_mask;
}

/*
 * rte_sched's queue id of each class of a tenant (its pipe), computed once
 * by rte_sched itself; whether queue_id_pipe() reads the pipe back from
 * each (pipe_in_queue_id, cleared if not).
 */
static void
class_fields_init(struct qosdt_sched *s, uint32_t tenant,
		const struct qosdt_config *cfg)
{
	struct rte_mbuf probe;
	unsigned int c, k;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		struct sched_class *sc = &s->t[tenant].cls[c];

		sc->nb_tc = class_nb_tc(cfg, c, sc->objective);
		sc->cnt.nb_tc = sc->nb_tc;
		for (k = 0; k < sc->nb_tc; k++) {
			uint32_t tc, queue, subport, pipe;
			uint8_t tc8, color;

			class_position(cfg, c, k, &tc, &queue);
			memset(&probe, 0, sizeof(probe));
			rte_sched_port_pkt_write(s->port, &probe, 0, tenant, tc,
				queue, RTE_COLOR_GREEN);
			rte_mbuf_sched_get(&probe, &sc->sched_field[k], &tc8,
				&color);
			sc->tc[k] = tc8;
			rte_sched_port_pkt_read_tree_path(s->port, &probe,
				&subport, &pipe, &tc, &queue);
			if (pipe != tenant ||
					queue_id_pipe(s, sc->sched_field[k]) != pipe)
				s->pipe_in_queue_id = false;
		}
	}
}

/*
 * A tenant's express path: with several tenants, a token bucket at its
 * realtime cap, one bucket (scheduler.bucket) deep; with one, uncapped.
 */
static void
lane_init(struct sched_tenant *t, const struct qosdt_config *cfg,
		unsigned int tenant)
{
	uint64_t cap = cfg->classes[QOSDT_CLASS_REALTIME].rate_cap_bps;

	t->lane_rate = 0;
	if (cfg->tenants.nb <= 1 || cap == 0)
		return;
	t->lane_rate = bps_to_bytes(qosdt_tenant_cap_bps(cfg, tenant, cap));
	t->lane_credits_max = bucket_size(cfg, t->lane_rate) * rte_get_tsc_hz();
	t->lane_credits = t->lane_credits_max;
	t->lane_tsc = rte_rdtsc();
}

struct qosdt_sched *
qosdt_sched_create(const char *name, const struct qosdt_config *cfg,
		struct qosdt_monitor *const *mon, int socket)
{
	struct qosdt_config tcfg;
	struct qosdt_sched *s;
	uint32_t nb = RTE_MAX(cfg->tenants.nb, 1u), i;
	unsigned int c;
	int ret = 0;

	if (qosdt_mbuf_meta_register() != 0)
		return NULL;
	RTE_BUILD_BUG_ON(QOSDT_MAX_TENANTS > 64);
	if (nb > QOSDT_MAX_TENANTS) {
		rte_errno = EINVAL;
		return NULL;
	}
	s = rte_zmalloc_socket("qosdt_sched", sizeof(*s) + nb * sizeof(s->t[0]),
		RTE_CACHE_LINE_SIZE, socket);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->cfg = *cfg;
	s->nb_tenants = nb;
	s->ns_per_tsc = 1e9 / (double)rte_get_tsc_hz();
	s->tsc_hz = rte_get_tsc_hz();
	s->red_time_per_ns = red_time_per_ns(bps_to_bytes(cfg->channel_rate_bps));
	s->stall_tsc = rte_get_tsc_hz() / 1000000 * SOJOURN_STALL_US;
	for (i = 0; ret == 0 && i < nb; i++) {
		s->t[i].mon = mon != NULL ? mon[i] : NULL;
		qosdt_tenant_config(cfg, i, &tcfg);
		ret = admission_init(s, &s->t[i], &tcfg);
		lane_init(&s->t[i], cfg, i);
	}
	if (ret == 0)
		ret = port_build(s, name, cfg, socket);
	if (ret != 0) {
		qosdt_sched_free(s);
		rte_errno = -ret;
		return NULL;
	}
	s->pipe_mask = rte_align32pow2(nb) - 1;
	s->pipe_in_queue_id = true;
	for (i = 0; i < nb; i++) {
		class_fields_init(s, i, cfg);
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			s->t[i].cls[c].cnt.limit = s->t[i].cls[c].q->limit;
	}
	return s;
}

void
qosdt_sched_free(struct qosdt_sched *s)
{
	uint32_t i;

	if (s == NULL)
		return;
	/* rte_sched_port_free frees the mbufs still queued. */
	rte_sched_port_free(s->port);
	for (i = 0; i < s->nb_tenants; i++) {
		struct sched_tenant *t = &s->t[i];

		while (t->express_head != t->express_tail)
			rte_pktmbuf_free(t->express[t->express_head++ %
				EXPRESS_SLOTS]);
	}
	rte_free(s);
}

/* Admission of one mbuf into its queue: 0 accept, 1 drop, 2 hold. */
static int
admit(const struct qosdt_sched *s, struct sched_queue *q)
{
	if (unlikely(q->backlog >= q->limit))
		return q->drop == QOSDT_DROP_NONE ? 2 : 1;
	if (q->drop == QOSDT_DROP_RED &&
			rte_red_enqueue(&q->red_cfg, &q->red, q->backlog,
				q->backlog == 0 ? red_time(s) : 0) != 0)
		return 1;
	if (q->drop == QOSDT_DROP_SOJOURN &&
			qosdt_aqm_drop(&q->aqm, q->backlog_bytes))
		return 1;
	return 0;
}

/* The rte_sched queue of a class's message: by its latency objective. */
static unsigned int
class_tc_of(const struct sched_class *sc, uint64_t slo_ns)
{
	unsigned int k;

	for (k = 0; k + 1 < sc->nb_tc && sc->objective[k] < slo_ns; k++)
		;
	return k;
}

/*
 * Whether a tenant's express path has the credit for @p len bytes now
 * (taken if so); always with one tenant. *now is the TSC of the burst at
 * hand, read here on the first use (0: not yet): one reading serves the
 * whole burst, which the lane's bucket cannot tell from one per message.
 */
static bool
lane_credit(const struct qosdt_sched *s, struct sched_tenant *t, uint32_t len,
		uint64_t *now_tsc)
{
	uint64_t now, gap, cost;

	if (t->lane_rate == 0)
		return true;
	if (*now_tsc == 0)
		*now_tsc = rte_rdtsc();
	now = *now_tsc;
	gap = RTE_MIN(now - t->lane_tsc, s->tsc_hz);
	t->lane_tsc = now;
	t->lane_credits = RTE_MIN(t->lane_credits + gap * t->lane_rate,
		t->lane_credits_max);
	cost = (uint64_t)len * s->tsc_hz;
	if (t->lane_credits < cost)
		return false;
	t->lane_credits -= cost;
	return true;
}

/*
 * The express path: realtime's message goes straight out when none of its
 * tenant's realtime is inside rte_sched (all it holds of realtime are
 * express ones), which is where strict priority would put it anyway, and,
 * with several tenants, while the tenant is within its realtime cap.
 * Counted in the class's backlog, so its queue limit holds.
 */
static bool
express_take(struct qosdt_sched *s, struct sched_tenant *t,
		struct sched_class *sc, struct rte_mbuf *m, uint64_t *now_tsc)
{
	uint32_t held = t->express_tail - t->express_head;

	if (sc->q->backlog != held || held == EXPRESS_SLOTS ||
			!lane_credit(s, t, m->pkt_len, now_tsc))
		return false;
	t->express[t->express_tail++ % EXPRESS_SLOTS] = m;
	s->express_mask |= UINT64_C(1) << (t - s->t);
	sc->q->backlog++;
	sc->q->backlog_bytes += m->pkt_len;
	sc->cnt.enq_pkts++;
	sc->cnt.enq_bytes += m->pkt_len;
	return true;
}

/* Per-class counts of one burst, reported to the monitor once. */
struct burst_counts {
	uint32_t pkts[QOSDT_NB_CLASSES];
	uint64_t bytes[QOSDT_NB_CLASSES];
};

static void
monitor_enqueue_report(struct qosdt_monitor *mon,
		const struct burst_counts *offered, const struct burst_counts *dropped,
		const uint32_t *held)
{
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		if (offered->pkts[c] != 0)
			qosdt_monitor_rx(mon, c, offered->pkts[c],
				offered->bytes[c]);
		if (dropped->pkts[c] != 0)
			qosdt_monitor_drop(mon, c, dropped->pkts[c],
				dropped->bytes[c]);
		if (held[c] != 0)
			qosdt_monitor_held(mon, c, held[c]);
	}
}

/* Admit and enqueue up to SCHED_CHUNK mbufs of a tenant; held ones go to held[]. */
static void
enqueue_chunk(struct qosdt_sched *s, struct sched_tenant *t,
		struct rte_mbuf **pkts, uint16_t n,
		struct rte_mbuf **held, uint16_t *nb_held)
{
	struct rte_mbuf *accepted[SCHED_CHUNK];
	struct burst_counts offered = { {0}, {0} }, dropped = { {0}, {0} };
	uint32_t held_cls[QOSDT_NB_CLASSES] = {0};
	uint64_t now_tsc = 0;
	uint16_t i, na = 0, nh = 0;
	unsigned int k;
	int ret;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct qosdt_mbuf_meta *meta = qosdt_mbuf_meta(m);
		unsigned int c = meta->cls;
		struct sched_class *sc;

		if (unlikely(c >= QOSDT_NB_CLASSES))
			c = QOSDT_CLASS_BEST_EFFORT;
		sc = &t->cls[c];
		k = sc->nb_tc == 1 ? 0 : class_tc_of(sc, meta->slo_latency_ns);
		/* Longer than the buckets: rte_sched would never send it, and it
		 * would block its queue for good. */
		switch (unlikely(m->pkt_len > s->cfg.max_frame_len) ? 1 :
				admit(s, sc->q)) {
		case 0:
			sc->cnt.tc_offered_bytes[k] += m->pkt_len;
			/* Also on an express message: its pipe names its tenant. */
			rte_mbuf_sched_set(m, sc->sched_field[k], sc->tc[k],
				RTE_COLOR_GREEN);
			if (c == QOSDT_CLASS_REALTIME && s->cfg.express &&
					express_take(s, t, sc, m, &now_tsc)) {
				offered.pkts[c]++;
				offered.bytes[c] += m->pkt_len;
				break;
			}
			sc->q->backlog++;
			sc->q->backlog_bytes += m->pkt_len;
			sc->cnt.enq_pkts++;
			sc->cnt.enq_bytes += m->pkt_len;
			offered.pkts[c]++;
			offered.bytes[c] += m->pkt_len;
			accepted[na++] = m;
			break;
		case 1:
			sc->cnt.tc_offered_bytes[k] += m->pkt_len;
			sc->cnt.drop_pkts++;
			sc->cnt.drop_bytes += m->pkt_len;
			offered.pkts[c]++;
			offered.bytes[c] += m->pkt_len;
			dropped.pkts[c]++;
			dropped.bytes[c] += m->pkt_len;
			rte_pktmbuf_free(m);
			break;
		default:
			sc->cnt.held_pkts++;
			held_cls[c]++;
			held[nh++] = m;
			break;
		}
	}
	s->backlog += na;
	ret = rte_sched_port_enqueue(s->port, accepted, na);
	if (unlikely(ret != na))
		/* Cannot happen while admission keeps every queue under its
		 * qsize; if it did, rte_sched freed them: whose, unknown. */
		QOSDT_LOG(ERR, "rte_sched dropped %d admitted messages", na - ret);
	if (t->mon != NULL)
		monitor_enqueue_report(t->mon, &offered, &dropped, held_cls);
	*nb_held = nh;
}

uint16_t
qosdt_sched_enqueue(struct qosdt_sched *s, struct rte_mbuf **pkts, uint16_t n)
{
	return qosdt_sched_enqueue_tenant(s, 0, pkts, n);
}

uint16_t
qosdt_sched_enqueue_tenant(struct qosdt_sched *s, uint32_t tenant,
		struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t done, nb_held = 0;
	struct sched_tenant *t;

	if (unlikely(s->port == NULL || tenant >= s->nb_tenants)) {
		/* rte_sched freed the port on a refused change, or no such
		 * tenant: drop all. */
		rte_pktmbuf_free_bulk(pkts, n);
		return n;
	}
	t = &s->t[tenant];
	/*
	 * Held mbufs are gathered at the front of pkts: there are never more
	 * of them than mbufs already read, whose slots are free (consumed
	 * mbufs belong to rte_sched or were freed). They move to the tail last.
	 */
	for (done = 0; done < n; ) {
		uint16_t chunk = RTE_MIN(n - done, SCHED_CHUNK);
		uint16_t nh;

		enqueue_chunk(s, t, pkts + done, chunk, pkts + nb_held, &nh);
		nb_held += nh;
		done += chunk;
	}
	if (nb_held != 0)
		memmove(pkts + n - nb_held, pkts, nb_held * sizeof(*pkts));
	return n - nb_held;
}

/*
 * A dequeue turn with something queued: when the last one was longer ago
 * than a turn takes, the thread was away (a host stall, preemption), and
 * the sojourn classes' rate measurements leave that time out
 * (qosdt_aqm_paused()).
 */
static void
sojourn_skip_stall(struct qosdt_sched *s)
{
	uint64_t now = rte_rdtsc(), gap = now - s->last_turn_tsc;
	unsigned int c, i;

	if (s->last_turn_tsc != 0 && gap > s->stall_tsc)
		for (i = 0; i < s->nb_tenants; i++)
			for (c = 0; c < QOSDT_NB_CLASSES; c++) {
				struct sched_queue *q = &s->t[i].queues[c];

				if (q->drop == QOSDT_DROP_SOJOURN)
					qosdt_aqm_paused(&q->aqm, gap);
			}
	s->last_turn_tsc = now;
}

/*
 * Up to n messages of the express paths, one tenant's after another's,
 * starting with the tenant after the last one served.
 */
static int
express_dequeue(struct qosdt_sched *s, struct rte_mbuf **pkts, uint16_t n)
{
	int k = 0;

	/* Straight to the next tenant whose path holds some (express_mask),
	 * in the order a visit of every tenant in turn would take them. */
	while (k < n && s->express_mask != 0) {
		uint64_t after = s->express_mask &
			(UINT64_MAX << s->express_next);
		uint32_t i = rte_bsf64(after != 0 ? after : s->express_mask);
		struct sched_tenant *t = &s->t[i];

		pkts[k++] = t->express[t->express_head++ % EXPRESS_SLOTS];
		if (t->express_head == t->express_tail)
			s->express_mask &= ~(UINT64_C(1) << i);
		s->express_next = i + 1 == s->nb_tenants ? 0 : i + 1;
	}
	return k;
}

/* The tenant of a message the scheduler took: its pipe. */
static uint32_t
tenant_of(const struct qosdt_sched *s, const struct rte_mbuf *m)
{
	uint32_t subport, pipe, tc, queue;

	if (s->nb_tenants == 1)
		return 0;
	if (likely(s->pipe_in_queue_id)) {
		pipe = queue_id_pipe(s, rte_mbuf_sched_queue_get(m));
		return pipe < s->nb_tenants ? pipe : 0;
	}
	rte_sched_port_pkt_read_tree_path(s->port, m, &subport, &pipe, &tc,
		&queue);
	return pipe < s->nb_tenants ? pipe : 0;
}

/* Report a tenant's departures of one turn to its monitor. */
static void
monitor_tx_report(struct qosdt_monitor *mon, struct burst_counts *sent)
{
	unsigned int c;

	if (mon == NULL)
		return;
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		if (sent->pkts[c] != 0)
			qosdt_monitor_tx(mon, c, sent->pkts[c], sent->bytes[c]);
	memset(sent, 0, sizeof(*sent));
}

/*
 * Messages of one tenant and class that waited the same time (a burst's
 * share one classification timestamp and leave rte_sched class by
 * class), recorded in the monitor at once.
 */
struct latency_run {
	struct qosdt_monitor *mon;
	unsigned int cls;
	uint64_t ns;
	uint32_t n;        /* Messages in the run. */
	uint32_t over_slo; /* Of them, with an objective below ns. */
	uint32_t no_slo;   /* Of them, with no objective. */
};

static inline void
latency_run_flush(struct latency_run *run)
{
	if (run->n == 0)
		return;
	qosdt_monitor_latency_n(run->mon, run->cls, run->ns, run->n,
		run->over_slo, run->no_slo);
	run->n = 0;
	run->over_slo = 0;
	run->no_slo = 0;
}

uint16_t
qosdt_sched_dequeue(struct qosdt_sched *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct burst_counts sent = { {0}, {0} };
	struct latency_run run = { .mon = NULL };
	struct sched_tenant *t = NULL;
	uint64_t now = 0, ts = 0, wait_ns = 0;
	uint32_t slo;
	unsigned int c;
	int i, k;

	/* rte_sched_port_dequeue() stops only when it has n: with 0 it would
	 * write past the caller's array. Nothing queued: its grinders would
	 * only scan an empty bitmap, which an idle polling loop pays for in
	 * every turn (and a message arriving waits for). */
	if (unlikely(s->port == NULL || n == 0))
		return 0;
	if (s->backlog != 0 && s->nb_sojourn != 0)
		sojourn_skip_stall(s);
	k = express_dequeue(s, pkts, n);
	if (s->backlog != 0 && k < n) {
		int r = rte_sched_port_dequeue(s->port, pkts + k, n - k);

		if (r > 0) {
			s->backlog -= r;
			k += r;
		}
	}
	if (k == 0)
		return 0;
	now = rte_rdtsc();
	for (i = 0; i < k; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct qosdt_mbuf_meta *meta = qosdt_mbuf_meta(m);
		struct sched_tenant *mt = &s->t[tenant_of(s, m)];
		struct sched_class *sc;
		struct sched_queue *q;

		if (mt != t) {
			if (t != NULL)
				monitor_tx_report(t->mon, &sent);
			t = mt;
		}
		c = meta->cls < QOSDT_NB_CLASSES ?
			meta->cls : QOSDT_CLASS_BEST_EFFORT;
		sc = &t->cls[c];
		q = sc->q;
		q->backlog--;
		q->backlog_bytes -= m->pkt_len;
		if (q->drop == QOSDT_DROP_SOJOURN)
			qosdt_aqm_dequeued(&q->aqm, now, m->pkt_len, q->backlog);
		else if (q->backlog == 0 && q->drop == QOSDT_DROP_RED) {
			rte_red_mark_queue_empty(&q->red, red_time(s));
		}
		sc->cnt.deq_pkts++;
		sc->cnt.deq_bytes += m->pkt_len;
		sent.pkts[c]++;
		sent.bytes[c] += m->pkt_len;
		if (t->mon == NULL)
			continue;
		/* A burst's messages share their classification's TSC: the
		 * conversion is done once per distinct one. */
		if (run.n == 0 || meta->ts != ts) {
			ts = meta->ts;
			wait_ns = (uint64_t)((double)(now - ts) * s->ns_per_tsc);
		}
		if (run.n != 0 && (run.mon != t->mon || run.cls != c ||
				run.ns != wait_ns))
			latency_run_flush(&run);
		run.mon = t->mon;
		run.cls = c;
		run.ns = wait_ns;
		slo = meta->slo_latency_ns;
		run.n++;
		run.over_slo += slo != 0 && wait_ns > slo;
		run.no_slo += slo == 0;
	}
	latency_run_flush(&run);
	monitor_tx_report(t->mon, &sent);
	return k;
}

void
qosdt_sched_tenant_counters(const struct qosdt_sched *s, uint32_t tenant,
		unsigned int cls, struct qosdt_sched_class_counters *c)
{
	if (cls >= QOSDT_NB_CLASSES || tenant >= s->nb_tenants) {
		memset(c, 0, sizeof(*c));
		return;
	}
	*c = s->t[tenant].cls[cls].cnt;
	c->backlog = s->t[tenant].cls[cls].q->backlog;
}

void
qosdt_sched_counters(const struct qosdt_sched *s, unsigned int cls,
		struct qosdt_sched_class_counters *c)
{
	struct qosdt_sched_class_counters one;
	uint32_t i;
	unsigned int k;

	qosdt_sched_tenant_counters(s, 0, cls, c);
	for (i = 1; i < s->nb_tenants && cls < QOSDT_NB_CLASSES; i++) {
		qosdt_sched_tenant_counters(s, i, cls, &one);
		c->enq_pkts += one.enq_pkts;
		c->enq_bytes += one.enq_bytes;
		c->deq_pkts += one.deq_pkts;
		c->deq_bytes += one.deq_bytes;
		c->drop_pkts += one.drop_pkts;
		c->drop_bytes += one.drop_bytes;
		c->held_pkts += one.held_pkts;
		c->backlog += one.backlog;
		c->limit += one.limit;
		for (k = 0; k < QOSDT_MAX_STRICT_TCS; k++)
			c->tc_offered_bytes[k] += one.tc_offered_bytes[k];
	}
}

uint32_t
qosdt_sched_nb_tenants(const struct qosdt_sched *s)
{
	return s->nb_tenants;
}

/* The id of a pipe profile with these WRR weights, appended if new. */
static int
pipe_profile_get(struct qosdt_sched *s, const struct qosdt_config *cfg,
		const uint8_t *wrr, uint32_t *id)
{
	struct rte_sched_pipe_params pp;
	uint32_t i;
	int ret;

	for (i = 0; i < s->nb_pipe_profiles; i++)
		if (memcmp(s->pipe_profiles[i], wrr, 4) == 0) {
			*id = i;
			return 0;
		}
	if (s->nb_pipe_profiles == QOSDT_SCHED_MAX_PROFILES)
		return -ENOSPC;
	pipe_profile_fill(cfg, wrr, 0, &pp);
	ret = rte_sched_subport_pipe_profile_add(s->port, 0, &pp, id);
	if (ret != 0)
		return ret;
	if (*id != s->nb_pipe_profiles)
		return -EIO;
	memcpy(s->pipe_profiles[*id], wrr, 4);
	s->nb_pipe_profiles++;
	return 0;
}

/* The id of a subport profile with these caps, appended if new. */
static int
subport_profile_get(struct qosdt_sched *s, const struct qosdt_config *cfg,
		const uint64_t *cap_bps, uint32_t *id)
{
	struct rte_sched_subport_profile_params sp;
	uint64_t key[QOSDT_NB_CLASSES];
	uint32_t i;
	int ret;

	caps_key(cfg, cap_bps, key);
	for (i = 0; i < s->nb_subport_profiles; i++)
		if (memcmp(s->subport_profiles[i], key, sizeof(key)) == 0) {
			*id = i;
			return 0;
		}
	if (s->nb_subport_profiles == QOSDT_SCHED_MAX_PROFILES)
		return -ENOSPC;
	subport_profile_fill(cfg, cap_bps, &sp);
	ret = rte_sched_port_subport_profile_add(s->port, &sp, id);
	if (ret != 0)
		return ret;
	if (*id != s->nb_subport_profiles)
		return -EIO;
	memcpy(s->subport_profiles[*id], key, sizeof(key));
	s->nb_subport_profiles++;
	return 0;
}

void
qosdt_sched_knobs_of(const struct qosdt_config *cfg,
		struct qosdt_sched_knobs *k)
{
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		k->weight[c] = cfg->classes[c].weight;
		k->rate_cap_bps[c] = cfg->classes[c].rate_cap_bps;
		k->sojourn_target_ns[c] = cfg->classes[c].drop ==
			QOSDT_DROP_SOJOURN ? cfg->classes[c].sojourn.target_ns : 0;
	}
}

void
qosdt_sched_knobs_get(const struct qosdt_sched *s, struct qosdt_sched_knobs *k)
{
	qosdt_sched_knobs_of(&s->cfg, k);
}

/* An AQM target rte_sched has nothing to do with: within the config's
 * range and below the class's objective, on a "sojourn" class only.
 */
static int
check_targets(const struct qosdt_config *cfg, const uint64_t *target_ns)
{
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		const struct qosdt_class_config *cc = &cfg->classes[c];
		uint64_t t = target_ns[c];

		if (cc->drop != QOSDT_DROP_SOJOURN || cfg->mode == QOSDT_MODE_FIFO) {
			if (t != 0 && t != cc->sojourn.target_ns) {
				QOSDT_LOG(ERR, "scheduler profile refused: classes.%s.sojourn.target: the class has no sojourn-time drop",
					qosdt_class_name(c));
				return -EINVAL;
			}
			continue;
		}
		if (t < 1000 || t > UINT64_C(4000000000) ||
				(cc->slo.max_latency_ns != 0 &&
				 t >= cc->slo.max_latency_ns)) {
			QOSDT_LOG(ERR, "scheduler profile refused: classes.%s.sojourn.target: %" PRIu64 " ns is not within 1us..4s and below the class's max_latency",
				qosdt_class_name(c), t);
			return -EINVAL;
		}
	}
	return 0;
}

int
qosdt_sched_set_knobs(struct qosdt_sched *s, const struct qosdt_sched_knobs *k)
{
	struct qosdt_config trial = s->cfg;
	char err[QOSDT_CONFIG_ERRLEN];
	uint32_t pipe_id, subport_id;
	uint64_t caps[QOSDT_NB_CLASSES];
	uint8_t wrr[4];
	unsigned int c;
	int ret;

	if (s->port == NULL)
		return -ENODEV;
	if (s->nb_tenants > 1) {
		QOSDT_LOG(ERR, "scheduler profile refused: not with %u tenants (doc/tenants.md)",
			s->nb_tenants);
		return -ENOTSUP;
	}
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		trial.classes[c].weight = k->weight[c];
		/* Caps mean something to rte_sched in priority mode only. */
		if (s->cfg.mode == QOSDT_MODE_PRIORITY)
			trial.classes[c].rate_cap_bps = k->rate_cap_bps[c];
	}
	if (qosdt_config_check_profile(&trial, err, sizeof(err)) != 0) {
		QOSDT_LOG(ERR, "scheduler profile refused: %s", err);
		return -EINVAL;
	}
	if (check_targets(&trial, k->sojourn_target_ns) != 0)
		return -EINVAL;
	wrr_of(&trial, k->weight, wrr);
	config_caps(&trial, caps);
	ret = pipe_profile_get(s, &trial, wrr, &pipe_id);
	if (ret == 0)
		ret = subport_profile_get(s, &trial, caps, &subport_id);
	if (ret != 0) {
		QOSDT_LOG(ERR, "scheduler profile not added: %s",
			rte_strerror(-ret));
		return ret;
	}
	/*
	 * Reconfiguring restarts the credits: only what changed. Valid ids
	 * cannot fail; if they did, rte_sched would have freed the port
	 * under us (doc/dpdk-notes.md), and the scheduler drops from then on.
	 */
	if (subport_id != s->subport_profile)
		ret = rte_sched_subport_config(s->port, 0, NULL, subport_id);
	if (ret == 0 && pipe_id != s->pipe_profile)
		ret = rte_sched_pipe_config(s->port, 0, 0, pipe_id);
	if (ret != 0) {
		QOSDT_LOG(CRIT, "rte_sched refused profiles %u/%u (%d): the "
			"port is gone, every message is dropped",
			subport_id, pipe_id, ret);
		s->port = NULL;
		return ret;
	}
	s->subport_profile = subport_id;
	s->pipe_profile = pipe_id;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		struct sched_queue *q = s->t[0].cls[c].q;

		if (s->cfg.mode == QOSDT_MODE_FIFO ||
				trial.classes[c].drop != QOSDT_DROP_SOJOURN ||
				k->sojourn_target_ns[c] == 0)
			continue;
		trial.classes[c].sojourn.target_ns = k->sojourn_target_ns[c];
		q->aqm.target = (double)k->sojourn_target_ns[c] *
			rte_get_tsc_hz() / 1e9;
		qosdt_aqm_set_limit(&q->aqm);
	}
	s->cfg = trial;
	return 0;
}

int
qosdt_sched_set_profile(struct qosdt_sched *s,
		const uint8_t weights[QOSDT_NB_CLASSES], uint64_t rt_cap_bps)
{
	struct qosdt_sched_knobs k;

	qosdt_sched_knobs_get(s, &k);
	memcpy(k.weight, weights, sizeof(k.weight));
	if (s->cfg.mode == QOSDT_MODE_PRIORITY)
		k.rate_cap_bps[QOSDT_CLASS_REALTIME] = rt_cap_bps;
	return qosdt_sched_set_knobs(s, &k);
}

const struct qosdt_config *
qosdt_sched_config(const struct qosdt_sched *s)
{
	return &s->cfg;
}
