/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client scenarios (doc/scenario.md): what load the client offers, per
 * service, over a sequence of phases; and the pacing that turns a phase's
 * flows into send times.
 */

#ifndef QOSDT_APP_SCENARIO_H
#define QOSDT_APP_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Most phases in a scenario. */
#define SCENARIO_MAX_PHASES 16
/** Most flows in a phase. */
#define SCENARIO_MAX_FLOWS 64
/** Longest error message scenario_load() writes. */
#define SCENARIO_ERRLEN 256
/** Largest payload a flow may ask for, bytes. */
#define SCENARIO_MAX_SIZE 9000

/** How a flow's messages are spaced in time. */
enum flow_pattern {
	FLOW_CONSTANT = 0, /**< Evenly spaced. */
	FLOW_POISSON = 1,  /**< Exponential gaps (a Poisson process). */
	FLOW_BURST = 2,    /**< `burst` messages back to back, bursts evenly spaced. */
};

/** One service's traffic during one phase. */
struct flow {
	uint16_t service_id;    /**< Any id; an unknown one expects NOT_EXIST. */
	uint32_t size;          /**< Payload bytes of each request. */
	enum flow_pattern pattern;
	uint32_t burst;         /**< Messages per burst (FLOW_BURST), else 1. */
	double rate_pps;        /**< Mean messages per second (> 0). */
};

/** A stretch of time with a fixed set of flows. */
struct phase {
	char name[32];
	uint64_t duration_ns;
	uint32_t nb_flows;
	struct flow flows[SCENARIO_MAX_FLOWS];
};

/** A whole scenario. */
struct scenario {
	char name[64];
	uint64_t timeout_ns;    /**< A request unanswered this long is lost. */
	uint64_t seed;          /**< Seeds the Poisson gaps (reproducible runs). */
	uint32_t nb_phases;
	struct phase phases[SCENARIO_MAX_PHASES];
};

/**
 * Load a scenario file (JSON, doc/scenario.md). Unknown keys are refused;
 * the error message names the JSON path and the rule, e.g.
 * "phases[1].flows[0].rate: not a rate: \"fast\"".
 *
 * @param path
 *   The file.
 * @param channel_bps
 *   The channel rate, bit/s, that "NN%" rates refer to.
 * @param sc
 *   Filled on success.
 * @param err
 *   Error message buffer (SCENARIO_ERRLEN is enough).
 * @param errlen
 *   Its size.
 * @return
 *   0 on success, -1 on error (message in @p err).
 */
int scenario_load(const char *path, uint64_t channel_bps, struct scenario *sc,
		char *err, size_t errlen);

/**
 * Same as scenario_load() from a NUL-terminated JSON text.
 *
 * @param text
 *   The JSON.
 * @param channel_bps
 *   The channel rate, bit/s, that "NN%" rates refer to.
 * @param sc
 *   Filled on success.
 * @param err
 *   Error message buffer.
 * @param errlen
 *   Its size.
 * @return
 *   0 on success, -1 on error (message in @p err).
 */
int scenario_parse(const char *text, uint64_t channel_bps,
		struct scenario *sc, char *err, size_t errlen);

/**
 * Check that every flow's requests fit the channel: 40 + size at most
 * @p max_frame bytes (a larger request would be dropped by the scheduler
 * every time).
 *
 * @param sc
 *   The scenario.
 * @param max_frame
 *   The config's channel.max_frame.
 * @param err
 *   Error message buffer: "phases[i].flows[j].size: ..." on error.
 * @param errlen
 *   Its size.
 * @return
 *   0 if all fit, -1 otherwise.
 */
int scenario_check_frames(const struct scenario *sc, uint32_t max_frame,
		char *err, size_t errlen);

/**
 * The scenario's total length (sum of its phases).
 *
 * @param sc
 *   The scenario.
 * @return
 *   Nanoseconds.
 */
uint64_t scenario_duration_ns(const struct scenario *sc);

/**
 * Stretch or shrink every phase so that the whole lasts @p total_ns
 * (the client's --duration), keeping their proportions.
 *
 * @param sc
 *   The scenario.
 * @param total_ns
 *   The new total (> 0).
 */
void scenario_scale(struct scenario *sc, uint64_t total_ns);

/**
 * A flow's frame rate in bit/s (40-byte header plus payload per message),
 * the unit the scheduler and the results use.
 *
 * @param f
 *   The flow.
 * @return
 *   bit/s.
 */
double flow_bps(const struct flow *f);

/** Paces one scenario: which flow is due to send, when. Caller-allocated. */
struct loadgen {
	const struct scenario *sc;
	uint64_t start_ns;       /**< Time the scenario started. */
	uint32_t phase;          /**< Current phase index (nb_phases when done). */
	uint64_t phase_end_ns;   /**< When the current phase ends. */
	uint64_t rng;            /**< Poisson gaps' generator state. */
	uint64_t next_ns[SCENARIO_MAX_FLOWS];   /**< Next send time per flow. */
	uint32_t burst_left[SCENARIO_MAX_FLOWS]; /**< Messages left in a burst. */
};

/**
 * Start pacing a scenario at @p start_ns.
 *
 * @param lg
 *   The generator.
 * @param sc
 *   The scenario (must outlive @p lg).
 * @param start_ns
 *   Start time, ns (any monotonic clock; the same one for loadgen_due()).
 */
void loadgen_start(struct loadgen *lg, const struct scenario *sc,
		uint64_t start_ns);

/**
 * The messages due at @p now_ns: writes the index of each one's flow in
 * the current phase to @p due (a flow may appear several times) and
 * advances. When more than @p max are due, the rest stay due for the next
 * call: nothing is skipped, so a caller that falls behind catches up.
 * Phases change as time passes them; messages due in a phase that has
 * ended are dropped from the schedule (never sent late into the next).
 *
 * @param lg
 *   The generator.
 * @param now_ns
 *   Now.
 * @param due
 *   Receives flow indexes (into sc->phases[*phase].flows).
 * @param max
 *   Room in @p due.
 * @param phase
 *   Set to the phase the indexes refer to.
 * @return
 *   How many are due (0..max).
 */
uint32_t loadgen_due(struct loadgen *lg, uint64_t now_ns, uint16_t *due,
		uint32_t max, uint32_t *phase);

/**
 * Whether every phase has ended.
 *
 * @param lg
 *   The generator.
 * @param now_ns
 *   Now.
 * @return
 *   true once now_ns is past the last phase.
 */
bool loadgen_done(const struct loadgen *lg, uint64_t now_ns);

#endif /* QOSDT_APP_SCENARIO_H */
