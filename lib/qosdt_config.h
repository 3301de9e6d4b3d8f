/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * The qosdt configuration: one JSON file (see doc/config.md), parsed with
 * jansson and validated completely before anything is built from it, so
 * that rte_sched never sees a value that would free the port or stall a
 * class (doc/dpdk-notes.md).
 *
 * All rates in this structure are in bits per second, all times in
 * nanoseconds unless the field name says otherwise.
 *
 * Values a file may give as a percentage of something else ("30%" of
 * channel.rate, "25%" of buffers.count) are resolved by the loader once the
 * whole file is read, so a file that changes channel.rate also rescales
 * the "N%" defaults it does not touch. This structure holds absolute
 * values only: code may change any of them and call
 * qosdt_config_validate(), which never changes the structure
 * (qosdt_config_derive() recomputes the fields computed from others).
 */

#ifndef QOSDT_CONFIG_H
#define QOSDT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qosdt_class.h"

/** Most service-map rules a config may have (rule 0 is the default). */
#define QOSDT_MAX_RULES 255
/** Service ids are 16 bits in the HyperAMP message. */
#define QOSDT_MAX_SERVICE_ID UINT16_MAX
/**
 * Most distinct rte_sched pipe profiles (WRR weights), and subport profiles
 * (REALTIME caps), one scheduler may use over its life: rte_sched's lists
 * are append-only. The adaptive controller's reachable settings must fit.
 */
#define QOSDT_SCHED_MAX_PROFILES 4096
/** Longest error message qosdt_config_load() writes. */
#define QOSDT_CONFIG_ERRLEN 256

/** Scheduler mode: how classes map onto the rte_sched hierarchy. */
enum qosdt_sched_mode {
	/** REALTIME strict priority (rate-capped), the others WRR. */
	QOSDT_MODE_PRIORITY = 0,
	/** All four classes in the best-effort TC's WRR queues. */
	QOSDT_MODE_WRR = 1,
	/** One queue at the same rate, tail drop: the no-QoS baseline. */
	QOSDT_MODE_FIFO = 2,
};

/** What happens to a class's message when its queue is full. */
enum qosdt_drop_policy {
	/** Never dropped: held back, the producer keeps it (backpressure). */
	QOSDT_DROP_NONE = 0,
	/** Tail drop at the class's queue limit. */
	QOSDT_DROP_TAIL = 1,
	/** RED (rte_red) below the queue limit, tail drop at it. */
	QOSDT_DROP_RED = 2,
	/**
	 * Sojourn-time drop (an AQM, qosdt_aqm.h): an arrival that would wait
	 * longer than a target (the class's backlog over its departure rate)
	 * is dropped; tail drop at the queue limit.
	 */
	QOSDT_DROP_SOJOURN = 3,
};

/** The sojourn-time drop's settings (QOSDT_DROP_SOJOURN). */
struct qosdt_sojourn_config {
	uint64_t target_ns;   /**< The queueing delay the class is kept to. */
};

/** RED parameters of a class (used when drop is QOSDT_DROP_RED). */
struct qosdt_red_config {
	uint32_t min_th;    /**< Min queue length threshold, packets. */
	uint32_t max_th;    /**< Max queue length threshold, packets. */
	uint32_t maxp_inv;  /**< Inverse of the max drop probability, 1..255. */
	uint32_t wq_log2;   /**< Negated log2 of the EWMA filter weight, 1..12. */
};

/** A service level objective. A zero field means "no objective". */
struct qosdt_slo {
	uint64_t max_latency_ns;     /**< p99 latency bound. */
	uint64_t min_bandwidth_bps;  /**< Delivered rate floor. */
	uint32_t max_loss_ppm;       /**< Loss bound, parts per million. */
	bool has_max_loss;           /**< max_loss_ppm was given (0 is valid). */
};

/** One class's configuration. */
struct qosdt_class_config {
	uint32_t buffer_share_ppm;  /**< Share of the class buffers, ppm. */
	uint32_t queue_share_ppm;   /**< Share of the queue slots, ppm. */
	uint8_t weight;             /**< WRR weight, 1..255. */
	uint64_t rate_guarantee_bps;/**< 0 = none. Checked feasible. */
	uint64_t rate_cap_bps;      /**< 0 = none. Enforced for a strict-priority class. */
	/**
	 * Priority mode: served by strict-priority traffic classes of its
	 * own above the WRR ones, one per distinct max_latency of its
	 * services, shortest first, together capped at rate_cap_bps
	 * (qosdt_config_class_tcs()). Realtime always is.
	 */
	bool strict;
	enum qosdt_drop_policy drop;
	struct qosdt_red_config red;
	struct qosdt_sojourn_config sojourn; /**< QOSDT_DROP_SOJOURN only. */
	uint32_t borrow_cap;        /**< Buffers it may borrow from the shared pool. */
	struct qosdt_slo slo;
	/* Derived by the loader: */
	uint32_t nb_buffers;        /**< Own pool size (buffer share of the class buffers). */
	uint32_t queue_limit;       /**< Queue slots (queue share of scheduler.queue_slots). */
};

/** One service-map rule: ids first..last go to class cls. */
struct qosdt_service_rule {
	uint16_t first;
	uint16_t last;
	uint8_t cls;                /**< enum qosdt_class. */
	uint64_t max_latency_ns;    /**< Per-service latency SLO; 0 = the class's. */
};

/** Per-class bounds the adaptive controller must stay within. */
struct qosdt_adaptive_bounds {
	uint8_t weight_min;
	uint8_t weight_max;
	uint64_t rate_cap_min_bps;  /**< Strict-priority class only; 0 = unused. */
	uint64_t rate_cap_max_bps;
};

/** Adaptive-controller parameters (issue 5). */
struct qosdt_adaptive_config {
	bool enabled;               /**< Off reproduces the static behaviour. */
	uint32_t period_ms;         /**< Control period. */
	uint32_t healthy_windows;   /**< Healthy windows before decaying back. */
	uint8_t weight_step;        /**< Weight change per action. */
	uint32_t rate_step_ppm;     /**< Cap change per action, ppm of the channel. */
	struct qosdt_adaptive_bounds bounds[QOSDT_NB_CLASSES];
};

/** Most tenants (client VMs, one port each) one instance serves. */
#define QOSDT_MAX_TENANTS 64
/** Longest tenant name, with its NUL. */
#define QOSDT_TENANT_NAMELEN 32

/**
 * One tenant: a client VM behind one port of a service VM, one rte_sched
 * pipe (doc/tenants.md). The JSON config's tenants.list[i]
 * (doc/config.md).
 */
struct qosdt_tenant_config {
	/**
	 * Default "tenant<i>". NUL-terminated, 1..QOSDT_TENANT_NAMELEN - 1
	 * characters of [A-Za-z0-9_.-], unique among the tenants.
	 */
	char name[QOSDT_TENANT_NAMELEN];
	/**
	 * Its share, 1..255 (default 1): of the capacity when tenants
	 * contend (rte_sched's best-effort oversubscription weight), of the
	 * buffers and of the queue slots.
	 */
	uint8_t weight;
	/**
	 * Its cap, bits/s; 0 (default): none beyond the capacity. At most
	 * the capacity.
	 */
	uint64_t rate_bps;
};

/**
 * The tenants an instance serves: one rte_sched pipe each in one subport
 * shaped at the capacity. One tenant (no "tenants" section) is the
 * single-client instance of before.
 */
struct qosdt_tenants_config {
	uint32_t nb;                 /**< 1..QOSDT_MAX_TENANTS. */
	/**
	 * The subport's rate, bits/s: what all tenants together get; 0
	 * (default): nb x channel.rate, what their channels can bring
	 * (qosdt_config_capacity() resolves it).
	 */
	uint64_t capacity_bps;
	struct qosdt_tenant_config t[QOSDT_MAX_TENANTS];
};

/** A whole, validated configuration. */
struct qosdt_config {
	/* channel */
	uint64_t channel_rate_bps;  /**< Shaped rate of the channel. */
	uint32_t max_frame_len;     /**< Largest frame, bytes (Ethernet header included). */
	uint32_t frame_overhead;    /**< Bytes added to each frame for shaping. */
	/* scheduler */
	enum qosdt_sched_mode mode;
	uint32_t queue_slots;       /**< Total queue slots shared out by queue_share. */
	uint32_t tc_period_ms;      /**< rte_sched TC credit period. */
	uint64_t bucket_ns;         /**< Token bucket depth, as time at the channel rate. */
	/**
	 * Priority mode, for an instance that orders work and shapes
	 * nothing (a server's): a realtime message that finds no realtime
	 * message queued is released at once, ahead of everything, without
	 * passing through rte_sched; realtime's cap is then not enforced. Not
	 * a key of the JSON config: the application sets it.
	 */
	bool express;
	/* buffers */
	uint32_t nb_buffers;        /**< All buffers: class pools + shared pool. */
	uint32_t shared_buffers;    /**< Of which in the shared pool. */
	uint16_t buffer_data_room;  /**< mbuf data room, bytes (headroom included). */
	/* classes, indexed by enum qosdt_class */
	struct qosdt_class_config classes[QOSDT_NB_CLASSES];
	/* service map: rules[0] is the default (first=0, last=65535) */
	uint32_t nb_rules;
	struct qosdt_service_rule rules[QOSDT_MAX_RULES];
	/* monitoring */
	uint32_t window_ms;         /**< Monitoring window. */
	/* adaptive controller */
	struct qosdt_adaptive_config adaptive;
	/* tenants (a service VM's client VMs) */
	struct qosdt_tenants_config tenants;
};

/**
 * Fill @p cfg with the built-in defaults: the original QoS extension's
 * numbers (the same as config/qos.json).
 *
 * @param cfg
 *   The configuration to fill.
 */
void qosdt_config_defaults(struct qosdt_config *cfg);

/**
 * Load and validate a JSON configuration file.
 *
 * Keys absent from the file keep qosdt_config_defaults() values; unknown
 * keys are refused. On error nothing is kept and @p err holds one line
 * naming the JSON path and the rule, e.g.
 * "classes.realtime.weight: must be 1..255".
 *
 * @param path
 *   The file.
 * @param cfg
 *   Filled on success.
 * @param err
 *   Error message buffer, at least QOSDT_CONFIG_ERRLEN bytes.
 * @param errlen
 *   Size of @p err.
 * @return
 *   0 on success, -1 on error (message in @p err).
 */
int qosdt_config_load(const char *path, struct qosdt_config *cfg,
		char *err, size_t errlen);

/**
 * Same as qosdt_config_load() from a string holding the JSON text.
 *
 * @param text
 *   NUL-terminated JSON.
 * @param cfg
 *   Filled on success.
 * @param err
 *   Error message buffer.
 * @param errlen
 *   Size of @p err.
 * @return
 *   0 on success, -1 on error (message in @p err).
 */
int qosdt_config_parse(const char *text, struct qosdt_config *cfg,
		char *err, size_t errlen);

/**
 * Recompute the fields computed from others: each class's nb_buffers and
 * queue_limit, its share of the class buffers (buffers.count less the
 * shared pool) and of scheduler.queue_slots. The loaders and
 * qosdt_create() call it; code that changes a share or a total and keeps
 * the structure calls it too.
 *
 * @param cfg
 *   The configuration; nothing but the derived fields is changed.
 */
void qosdt_config_derive(struct qosdt_config *cfg);

/**
 * Check a configuration built or changed in code (the loaders call it).
 * Every rule of doc/config.md, including the rte_sched traps. The class
 * sizes are checked as qosdt_config_derive() computes them from the
 * shares, whatever the structure holds.
 *
 * @param cfg
 *   The configuration; not changed.
 * @param err
 *   Error message buffer.
 * @param errlen
 *   Size of @p err.
 * @return
 *   0 if valid, -1 otherwise (message in @p err).
 */
int qosdt_config_validate(const struct qosdt_config *cfg, char *err,
		size_t errlen);

/**
 * Check what a run-time change may touch, the WRR weights and REALTIME's
 * cap, in a configuration that was valid before they changed: the checks of
 * qosdt_config_validate() that involve them (the WRR uint8 trap, the cap's
 * TC credit, the guarantees, the adaptive bounds). Cheap enough for a
 * data-path thread: nothing is copied.
 *
 * @param cfg
 *   A valid configuration with new weights and cap.
 * @param err
 *   Receives the reason, as "json.path: rule" (may be NULL).
 * @param errlen
 *   Size of @p err.
 * @return
 *   0 if rte_sched would take it as meant, -1 otherwise.
 */
int qosdt_config_check_profile(const struct qosdt_config *cfg, char *err,
		size_t errlen);

/**
 * Parse a rate: "10G", "500M", "64k", "1200" (bits per second; decimal
 * multipliers k, M, G, T; an optional "bps"/"bit" suffix), or "20%" of
 * @p reference_bps.
 *
 * @param s
 *   The text.
 * @param reference_bps
 *   What 100% is; 0 refuses percentages.
 * @param bps
 *   The rate, bits per second.
 * @return
 *   0 on success, -1 if @p s is not a rate.
 */
int qosdt_rate_parse(const char *s, uint64_t reference_bps, uint64_t *bps);

/**
 * Parse a duration: "100us", "1.5ms", "2s", "500ns".
 *
 * @param s
 *   The text.
 * @param ns
 *   The duration in nanoseconds.
 * @return
 *   0 on success, -1 if @p s is not a duration.
 */
int qosdt_duration_parse(const char *s, uint64_t *ns);

/** Strict-priority traffic classes rte_sched has (TC0 .. TC11). */
#define QOSDT_MAX_STRICT_TCS 12

/**
 * Whether a class is served by strict-priority traffic classes: in
 * priority mode, realtime and every class with "strict": true.
 *
 * @param cfg
 *   The configuration.
 * @param cls
 *   enum qosdt_class.
 * @return
 *   true if it is.
 */
bool qosdt_config_class_strict(const struct qosdt_config *cfg,
		unsigned int cls);

/**
 * The latency objectives a class's services have, distinct and in
 * ascending order: each service rule's max_latency for the class, else the
 * class's own (0 when it has none). A strict class gets one traffic class
 * per objective, the shortest first (deadline-monotonic order), so a
 * service never waits behind one with a longer objective.
 *
 * @param cfg
 *   The configuration.
 * @param cls
 *   enum qosdt_class.
 * @param objective
 *   Receives the objectives, ns.
 * @return
 *   How many (at least 1, at most QOSDT_MAX_STRICT_TCS + 1 to tell "too
 *   many"); objective[] holds the first QOSDT_MAX_STRICT_TCS of them.
 */
unsigned int qosdt_config_class_tcs(const struct qosdt_config *cfg,
		unsigned int cls, uint64_t objective[QOSDT_MAX_STRICT_TCS]);

/**
 * The four weights rte_sched's best-effort traffic class (its WRR queues)
 * gets for these class weights. Priority mode: the classes that are not
 * strict, in class order, the last one's weight repeated in the queues
 * left over. WRR mode: realtime, throughput, reliable, best_effort. FIFO:
 * none.
 *
 * @param cfg
 *   The configuration: its mode and which classes are strict.
 * @param class_weight
 *   A weight per class, indexed by enum qosdt_class.
 * @param wrr
 *   The four WRR queue weights (untouched when none is used).
 * @return
 *   How many queues carry a class (1..4), or 0 if none does.
 */
unsigned int qosdt_config_wrr_weights(const struct qosdt_config *cfg,
		const uint8_t class_weight[QOSDT_NB_CLASSES], uint8_t wrr[4]);

/**
 * Whether rte_sched keeps the ratios of four WRR weights. It stores each
 * queue's cost lcm(weights) / weight in a uint8, so the weights fit only
 * if lcm / min(weights) <= 255 (1:16:17:1 does not: doc/dpdk-notes.md).
 * The adaptive controller must check each weight set it applies.
 *
 * @param wrr
 *   Four weights, each 1..255.
 * @return
 *   true if rte_sched represents them exactly.
 */
bool qosdt_wrr_weights_fit(const uint8_t wrr[4]);

/**
 * What the tenants together get, bits/s: tenants.capacity, or when it is
 * 0, tenants.nb x channel.rate.
 *
 * @param cfg
 *   The configuration.
 * @return
 *   The capacity.
 */
uint64_t qosdt_config_capacity(const struct qosdt_config *cfg);

/**
 * A tenant's buffers: floor(buffers.count x its weight / the sum of the
 * weights of the tenants.nb tenants). Its class pools are its buffers less
 * its part of buffers.shared (the same rounding), shared out by the
 * classes' buffer_share as buffers.count is for one tenant
 * (doc/config.md).
 *
 * @param cfg
 *   The configuration.
 * @param tenant
 *   The tenant, 0..tenants.nb - 1.
 * @return
 *   Its buffers; 0 for a tenant at or beyond tenants.nb.
 */
uint32_t qosdt_config_tenant_buffers(const struct qosdt_config *cfg,
		unsigned int tenant);

/**
 * A tenant's queue slots: floor(scheduler.queue_slots x its weight / the
 * sum of the weights), shared out to its classes by their queue_share.
 *
 * @param cfg
 *   The configuration.
 * @param tenant
 *   The tenant, 0..tenants.nb - 1.
 * @return
 *   Its queue slots; 0 for a tenant at or beyond tenants.nb.
 */
uint32_t qosdt_config_tenant_queue_slots(const struct qosdt_config *cfg,
		unsigned int tenant);

/**
 * A tenant's weighted share of the capacity, bits/s: floor(
 * qosdt_config_capacity() x its weight / the sum of the weights), what it
 * gets when every tenant is busy (before its own cap, tenants.list[i].rate).
 *
 * @param cfg
 *   The configuration.
 * @param tenant
 *   The tenant, 0..tenants.nb - 1.
 * @return
 *   Its share; 0 for a tenant at or beyond tenants.nb.
 */
uint64_t qosdt_config_tenant_share_bps(const struct qosdt_config *cfg,
		unsigned int tenant);

/**
 * Name of a scheduler mode ("priority", "wrr", "fifo").
 *
 * @param mode
 *   enum qosdt_sched_mode.
 * @return
 *   A static string, "unknown" for an invalid value.
 */
const char *qosdt_mode_name(unsigned int mode);

/**
 * Look a scheduler mode up by name.
 *
 * @param name
 *   "priority", "wrr" or "fifo".
 * @return
 *   The mode, or -1.
 */
int qosdt_mode_from_name(const char *name);

#endif /* QOSDT_CONFIG_H */
