/* SPDX-License-Identifier: BSD-3-Clause */

#include <inttypes.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_red.h>
#include <rte_sched.h>

#include "qosdt_aqm.h"
#include "qosdt_log.h"
#include "qosdt_mbuf.h"
#include "qosdt_monitor.h"
#include "qosdt_sched.h"

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

struct qosdt_sched {
	struct rte_sched_port *port;
	uint32_t backlog;             /* Mbufs inside rte_sched, all classes. */
	/* The express path (cfg.express): realtime released at once, in order. */
	uint32_t express_head, express_tail;
	struct rte_mbuf *express[EXPRESS_SLOTS];
	struct qosdt_monitor *mon;
	struct sched_class cls[QOSDT_NB_CLASSES];
	struct sched_queue queues[QOSDT_NB_CLASSES];
	double ns_per_tsc;
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
 * What each TC of a class gets, bytes/s, as rte_sched sees it: in priority
 * mode a strict class's TCs share its cap equally (an uncapped one's run at
 * the channel); every other TC runs at the channel. The key of the subport
 * profiles: two sets of caps with the same key are the same profile.
 */
static void
caps_key(const struct qosdt_config *cfg, const uint64_t *cap_bps,
		uint64_t *key)
{
	uint64_t rate = bps_to_bytes(cfg->channel_rate_bps);
	unsigned int cls;

	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		key[cls] = rate;
		if (cfg->mode == QOSDT_MODE_PRIORITY &&
				qosdt_config_class_strict(cfg, cls) &&
				cap_bps[cls] != 0)
			key[cls] = RTE_MIN(bps_to_bytes(cap_bps[cls] /
				class_nb_tc(cfg, cls, NULL)), rate);
	}
}

/*
 * The subport: shaped at the channel rate; in priority mode each strict
 * class's TCs share its cap equally (@p cap_bps, which the adaptive
 * controller moves).
 */
static void
subport_profile_fill(const struct qosdt_config *cfg, const uint64_t *cap_bps,
		struct rte_sched_subport_profile_params *sp)
{
	uint64_t rate = bps_to_bytes(cfg->channel_rate_bps);
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
 * The pipe: the port's rate with a bucket of PIPE_BUCKET_FRAMES frames
 * (the subport shapes), every used TC at the channel rate, and the WRR
 * weights.
 */
static void
pipe_profile_fill(const struct qosdt_config *cfg, const uint8_t *wrr,
		struct rte_sched_pipe_params *pp)
{
	uint64_t rate = bps_to_bytes(cfg->channel_rate_bps);
	unsigned int cls, k;

	memset(pp, 0, sizeof(*pp));
	pp->tb_rate = port_rate(cfg);
	pp->tb_size = PIPE_BUCKET_FRAMES *
		((uint64_t)cfg->max_frame_len + cfg->frame_overhead);
	pp->tc_period = cfg->tc_period_ms;
	pp->tc_ov_weight = 1;
	for (cls = 0; cls < QOSDT_NB_CLASSES; cls++) {
		uint32_t n = class_nb_tc(cfg, cls, NULL), tc, queue;

		for (k = 0; k < n; k++) {
			class_position(cfg, cls, k, &tc, &queue);
			pp->tc_rate[tc] = rate;
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
 * does), so it is set at about twice the channel. rte_sched keeps time in
 * bytes with an integer cycles_per_byte = (tsc_hz << 8) / rate: a rate for
 * which that division is exact keeps its clock right (at 2 x 100 Gbit/s
 * with a 2.5 GHz TSC, 25.6 truncated to 25 ran the shaper 2.4% fast).
 */
static uint64_t
port_rate(const struct qosdt_config *cfg)
{
	uint64_t hz = (uint64_t)rte_get_tsc_hz() << 8;
	uint64_t k = hz / (2 * bps_to_bytes(cfg->channel_rate_bps));

	return k == 0 ? 2 * bps_to_bytes(cfg->channel_rate_bps) : hz / k;
}

/* Admission queues and the class -> queue map. */
static int
admission_init(struct qosdt_sched *s, const struct qosdt_config *cfg)
{
	unsigned int c;

	s->nb_sojourn = 0;
	s->last_turn_tsc = 0;
	s->stall_tsc = rte_get_tsc_hz() / 1000000 * SOJOURN_STALL_US;
	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		const struct qosdt_class_config *cc = &cfg->classes[c];
		struct sched_queue *q;

		if (cfg->mode == QOSDT_MODE_FIFO) {
			/* One queue, all the slots, tail drop: no QoS at all. */
			q = &s->queues[0];
			q->limit = cfg->queue_slots;
			q->drop = QOSDT_DROP_TAIL;
		} else {
			q = &s->queues[c];
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
		s->cls[c].q = q;
	}
	return 0;
}

/* rte_sched queue sizes: each class's limit fits, so rte_sched never drops. */
static void
queue_sizes(const struct qosdt_sched *s, const struct qosdt_config *cfg,
		uint16_t *qsize)
{
	unsigned int c;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		uint32_t n = class_nb_tc(cfg, c, NULL), tc, queue, k;

		for (k = 0; k < n; k++) {
			class_position(cfg, c, k, &tc, &queue);
			qsize[tc] = RTE_MAX(qsize[tc], qsize_for(s->cls[c].q->limit));
		}
	}
}

/*
 * Build port, subport and pipe; the config was validated.
 *
 * One pipe. Spreading the classes over pipes in separate bitmap slabs keeps
 * all 8 rte_sched grinders busy (8.0 instead of 4.1 Mpps on one core
 * here), but grinders then take turns at the subport's credits: under
 * shaping, realtime in one pipe waited for bulk of the others (p50 430 us
 * instead of 7 us at 200 Mbit/s). Strict priority needs one pipe.
 */
static int
port_build(struct qosdt_sched *s, const char *name,
		const struct qosdt_config *cfg, int socket)
{
	uint64_t caps[QOSDT_NB_CLASSES];
	struct rte_sched_subport_profile_params sp;
	struct rte_sched_subport_params sub;
	struct rte_sched_port_params pp;
	struct rte_sched_pipe_params pipe;
	uint8_t wrr[4];
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
	pp.n_pipes_per_subport = 1;

	s->port = rte_sched_port_config(&pp);
	if (s->port == NULL) {
		QOSDT_LOG(ERR, "rte_sched_port_config(%s) failed", name);
		return -EINVAL;
	}

	config_wrr(cfg, wrr);
	pipe_profile_fill(cfg, wrr, &pipe);
	memset(&sub, 0, sizeof(sub));
	sub.n_pipes_per_subport_enabled = 1;
	queue_sizes(s, cfg, sub.qsize);
	sub.pipe_profiles = &pipe;
	sub.n_pipe_profiles = 1;
	sub.n_max_pipe_profiles = QOSDT_SCHED_MAX_PROFILES;
	sub.cman_params = NULL;

	/* On error both calls free the whole port (doc/dpdk-notes.md). */
	ret = rte_sched_subport_config(s->port, 0, &sub, 0);
	if (ret == 0)
		ret = rte_sched_pipe_config(s->port, 0, 0, 0);
	if (ret != 0) {
		QOSDT_LOG(ERR, "rte_sched refused the %s hierarchy: %d",
			qosdt_mode_name(cfg->mode), ret);
		s->port = NULL;
		return ret;
	}
	memcpy(s->pipe_profiles[0], wrr, sizeof(wrr));
	s->nb_pipe_profiles = 1;
	caps_key(cfg, caps, s->subport_profiles[0]);
	s->nb_subport_profiles = 1;
	return 0;
}

/* rte_sched's queue id of each class, computed once by rte_sched itself. */
static void
class_fields_init(struct qosdt_sched *s, const struct qosdt_config *cfg)
{
	struct rte_mbuf probe;
	unsigned int c, k;

	for (c = 0; c < QOSDT_NB_CLASSES; c++) {
		struct sched_class *sc = &s->cls[c];

		sc->nb_tc = class_nb_tc(cfg, c, sc->objective);
		sc->cnt.nb_tc = sc->nb_tc;
		for (k = 0; k < sc->nb_tc; k++) {
			uint32_t tc, queue;
			uint8_t tc8, color;

			class_position(cfg, c, k, &tc, &queue);
			memset(&probe, 0, sizeof(probe));
			rte_sched_port_pkt_write(s->port, &probe, 0, 0, tc, queue,
				RTE_COLOR_GREEN);
			rte_mbuf_sched_get(&probe, &sc->sched_field[k], &tc8,
				&color);
			sc->tc[k] = tc8;
		}
	}
}

struct qosdt_sched *
qosdt_sched_create(const char *name, const struct qosdt_config *cfg,
		struct qosdt_monitor *mon, int socket)
{
	struct qosdt_sched *s;
	unsigned int c;
	int ret;

	if (qosdt_mbuf_meta_register() != 0)
		return NULL;
	s = rte_zmalloc_socket("qosdt_sched", sizeof(*s), RTE_CACHE_LINE_SIZE,
		socket);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->cfg = *cfg;
	s->mon = mon;
	s->ns_per_tsc = 1e9 / (double)rte_get_tsc_hz();
	s->red_time_per_ns = red_time_per_ns(bps_to_bytes(cfg->channel_rate_bps));
	ret = admission_init(s, cfg);
	if (ret == 0)
		ret = port_build(s, name, cfg, socket);
	if (ret != 0) {
		qosdt_sched_free(s);
		rte_errno = -ret;
		return NULL;
	}
	class_fields_init(s, cfg);
	for (c = 0; c < QOSDT_NB_CLASSES; c++)
		s->cls[c].cnt.limit = s->cls[c].q->limit;
	return s;
}

void
qosdt_sched_free(struct qosdt_sched *s)
{
	if (s == NULL)
		return;
	/* rte_sched_port_free frees the mbufs still queued. */
	rte_sched_port_free(s->port);
	while (s->express_head != s->express_tail)
		rte_pktmbuf_free(s->express[s->express_head++ % EXPRESS_SLOTS]);
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
 * The express path: realtime's message goes straight out when none of
 * realtime's is inside rte_sched (all it holds of realtime are express
 * ones), which is where strict priority would put it anyway. Counted in
 * the class's backlog, so its queue limit holds.
 */
static bool
express_take(struct qosdt_sched *s, struct sched_class *sc,
		struct rte_mbuf *m)
{
	uint32_t held = s->express_tail - s->express_head;

	if (sc->q->backlog != held || held == EXPRESS_SLOTS)
		return false;
	s->express[s->express_tail++ % EXPRESS_SLOTS] = m;
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

/* Admit and enqueue up to SCHED_CHUNK mbufs; held ones go to held[]. */
static void
enqueue_chunk(struct qosdt_sched *s, struct rte_mbuf **pkts, uint16_t n,
		struct rte_mbuf **held, uint16_t *nb_held)
{
	struct rte_mbuf *accepted[SCHED_CHUNK];
	struct burst_counts offered = { {0}, {0} }, dropped = { {0}, {0} };
	uint32_t held_cls[QOSDT_NB_CLASSES] = {0};
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
		sc = &s->cls[c];
		k = sc->nb_tc == 1 ? 0 : class_tc_of(sc, meta->slo_latency_ns);
		/* Longer than the buckets: rte_sched would never send it, and it
		 * would block its queue for good. */
		switch (unlikely(m->pkt_len > s->cfg.max_frame_len) ? 1 :
				admit(s, sc->q)) {
		case 0:
			sc->cnt.tc_offered_bytes[k] += m->pkt_len;
			if (c == QOSDT_CLASS_REALTIME && s->cfg.express &&
					express_take(s, sc, m)) {
				offered.pkts[c]++;
				offered.bytes[c] += m->pkt_len;
				break;
			}
			rte_mbuf_sched_set(m, sc->sched_field[k], sc->tc[k],
				RTE_COLOR_GREEN);
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
	if (s->mon != NULL)
		monitor_enqueue_report(s->mon, &offered, &dropped, held_cls);
	*nb_held = nh;
}

uint16_t
qosdt_sched_enqueue(struct qosdt_sched *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t done, nb_held = 0;

	if (unlikely(s->port == NULL)) {
		/* rte_sched freed the port on a refused change: drop all. */
		rte_pktmbuf_free_bulk(pkts, n);
		return n;
	}
	/*
	 * Held mbufs are gathered at the front of pkts: there are never more
	 * of them than mbufs already read, whose slots are free (consumed
	 * mbufs belong to rte_sched or were freed). They move to the tail last.
	 */
	for (done = 0; done < n; ) {
		uint16_t chunk = RTE_MIN(n - done, SCHED_CHUNK);
		uint16_t nh;

		enqueue_chunk(s, pkts + done, chunk, pkts + nb_held, &nh);
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
	unsigned int c;

	if (s->last_turn_tsc != 0 && gap > s->stall_tsc)
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			if (s->queues[c].drop == QOSDT_DROP_SOJOURN)
				qosdt_aqm_paused(&s->queues[c].aqm, gap);
	s->last_turn_tsc = now;
}

uint16_t
qosdt_sched_dequeue(struct qosdt_sched *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct burst_counts sent = { {0}, {0} };
	uint64_t now = 0;
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
	for (k = 0; k < n && s->express_head != s->express_tail; k++)
		pkts[k] = s->express[s->express_head++ % EXPRESS_SLOTS];
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
		struct sched_class *sc;
		struct sched_queue *q;

		c = meta->cls < QOSDT_NB_CLASSES ?
			meta->cls : QOSDT_CLASS_BEST_EFFORT;
		sc = &s->cls[c];
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
		if (s->mon != NULL)
			qosdt_monitor_latency(s->mon, c,
				(uint64_t)((double)(now - meta->ts) * s->ns_per_tsc),
				meta->slo_latency_ns);
	}
	if (s->mon != NULL)
		for (c = 0; c < QOSDT_NB_CLASSES; c++)
			if (sent.pkts[c] != 0)
				qosdt_monitor_tx(s->mon, c, sent.pkts[c],
					sent.bytes[c]);
	return k;
}

void
qosdt_sched_counters(const struct qosdt_sched *s, unsigned int cls,
		struct qosdt_sched_class_counters *c)
{
	if (cls >= QOSDT_NB_CLASSES) {
		memset(c, 0, sizeof(*c));
		return;
	}
	*c = s->cls[cls].cnt;
	c->backlog = s->cls[cls].q->backlog;
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
	pipe_profile_fill(cfg, wrr, &pp);
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
		struct sched_queue *q = s->cls[c].q;

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
