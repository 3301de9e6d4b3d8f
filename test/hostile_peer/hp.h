/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * qosdt-hostile-peer: a process that attaches to a net_shm region as the
 * other side and breaks the protocol on purpose (doc/threat-model.md).
 * It needs no EAL: it maps the region file itself and addresses it through
 * the layout of drivers/shm_pmd/shm_region.h.
 */

#ifndef HP_H
#define HP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "shm_region.h"

/** What the tool does during its attack phase (--mode). */
enum hp_mode {
	HP_MODE_INDEXES,	/**< ring indexes far beyond the ring */
	HP_MODE_DESCS,		/**< descriptors outside the slot area, bad lengths */
	HP_MODE_FLIP,		/**< descriptors and indexes that change under reads */
	HP_MODE_HEADER,		/**< garbage in the header and the side states */
	HP_MODE_RANDOM,		/**< random values anywhere in the region */
	HP_MODE_ALL,		/**< all of it at once */
	HP_MODE_COUNT,
};

/**
 * What the tool did, and what it saw our side do. Each thread fills its
 * own copy; they are added up at the end.
 */
struct hp_counts {
	uint64_t hostile_writes;	/**< stores of adversarial content */
	uint64_t bad_descs;		/**< bad descriptors published */
	uint64_t good_frames;		/**< good frames published (attack phase) */
	uint64_t misplaced_frames;	/**< good frames outside their own slot */
	uint64_t rx_jumps;		/**< producer index jumps seen consumed */
	uint64_t rx_jumps_unseen;	/**< ... not seen within the time limit */
	uint64_t tx_jumps;		/**< consumer index jumps seen resynced */
	uint64_t tx_jumps_unseen;
	uint64_t flips;			/**< values flipped under our side's reads */
	uint64_t header_episodes;	/**< header garbled until seen, restored */
	uint64_t down_episodes;		/**< episodes that must take the link down */
	uint64_t gen_changes;		/**< generation changes seen by our side */
	uint64_t their_bad_descs;	/**< invalid descriptors our side wrote */
	uint64_t their_resyncs;		/**< our side's index out of the ring */
	uint64_t traffic_round_trips;	/**< header mode: frames echoed intact */
	uint64_t traffic_corrupted;	/**< header mode: frames altered */
	uint64_t header_stores;		/**< random and all: garbling stores
					 *   that touch the region header */
	uint64_t header_fixes;		/**< random and all: times the header
					 *   was made right again (restored, or
					 *   a random store undid the damage) */
	uint64_t prod_index_stores;	/**< random: stores to a producer index
					 *   the side under test reads */
	uint64_t cons_index_stores;	/**< random: stores to a consumer index
					 *   the side under test reads */
	uint64_t published[SHM_MAX_QUEUES]; /**< entries published per queue */
};

/** The tool's view of the region and its own side's state. */
struct hp_ctx {
	struct shm_region reg;		/**< base and geometry for the accessors */
	enum shm_role side;		/**< the side the tool plays */
	enum shm_dir prod_dir;		/**< rings the tool produces on */
	enum shm_dir cons_dir;		/**< rings the tool consumes */
	struct shm_region_header hdr;	/**< the header as found at attach */
	uint32_t mask;			/**< ring_size - 1 */
	uint64_t area;			/**< bytes of one ring's slot area */
	uint32_t prod_head[SHM_MAX_QUEUES]; /**< our producer indexes */
	uint32_t cons_tail[SHM_MAX_QUEUES]; /**< our consumer indexes */
	uint64_t seq[SHM_MAX_QUEUES];	/**< next frame number per queue */
	uint64_t my_hb;			/**< the heartbeat value we publish */
	bool hb_stalled;		/**< heartbeat thread stops bumping */
	bool hb_quit;
	bool stop;			/**< helper threads of an attack stop */
	uint64_t seed;
	struct hp_counts counts;
};

/* ---------------------------------------------------------- hp_region.c */

/**
 * Map the region at path and attach as side: wait up to wait_s seconds
 * for a formatted region, refuse one whose header does not describe a
 * layout this tool can address safely, or whose side is held by a live
 * process. Then mark the side attached with a new generation.
 *
 * @return 0, or -1 after printing why.
 */
int hp_attach(struct hp_ctx *c, const char *path, enum shm_role side,
		double wait_s);

/** Clear the attached mark, stop the heartbeat thread and unmap. */
void hp_detach(struct hp_ctx *c);

/** Start the thread that bumps our heartbeat every heartbeat period. */
int hp_heartbeat_start(struct hp_ctx *c);

/**
 * Wait until our side's heartbeat (the process under test) has changed
 * n times: after that, n - 1 of its link checks ran entirely after the
 * call started.
 *
 * @return 0, or -1 if it stopped changing (our side is dead).
 */
int hp_wait_their_ticks(struct hp_ctx *c, unsigned int n);

/** Put back the header found at attach (magic last). */
void hp_header_restore(struct hp_ctx *c);

/** The state block of the side the tool plays. */
struct shm_side_state *hp_my_side(struct hp_ctx *c);

/** The state block of the side under test. */
struct shm_side_state *hp_their_side(struct hp_ctx *c);

/* ------------------------------------------------------------ hp_ring.c */

/** Free entries of our producer ring q, as far as the consumer's index says. */
uint32_t hp_prod_room(struct hp_ctx *c, uint32_t q);

/**
 * Write a good frame for entry prod_head[q] + i (not published yet): in its
 * own slot, or, if misplaced, at a random place inside the slot area.
 *
 * @return the descriptor written.
 */
union shm_desc hp_put_frame(struct hp_ctx *c, uint32_t q, uint32_t i,
		uint32_t len, bool misplaced, uint64_t *rng);

/** Publish n entries of producer ring q (one release store of head). */
void hp_publish(struct hp_ctx *c, uint32_t q, uint32_t n);

/**
 * Take every frame the side under test has published on its ring q so
 * far without looking at it: what it sent while we attacked, whose
 * descriptors our own stores may have garbled, is not judged as its.
 * Returns how many.
 */
uint32_t hp_skip_pending(struct hp_ctx *c, uint32_t q);

/**
 * Consume what our side sent on ring q: check each descriptor it wrote,
 * and if echo, send the frame back on our producer ring q (as far as there
 * is room; what does not fit stays for the next call).
 *
 * @param res
 *   If not NULL, counts echoed frames of ours: [0] intact, [1] corrupted,
 *   [2] foreign (not made by this tool).
 * @return frames consumed.
 */
uint32_t hp_consume(struct hp_ctx *c, uint32_t q, bool echo,
		struct hp_counts *cnt, uint64_t res[3]);

/**
 * Bring producer ring q back to a state both sides agree on: wait until
 * our side consumed everything; if jump, first move the index far away so
 * that our side resynchronises whatever state the attack left (counted as
 * an index jump when seen).
 *
 * @return 0, or -1 if our side did not catch up in time.
 */
int hp_settle_prod(struct hp_ctx *c, uint32_t q, bool jump,
		struct hp_counts *cnt);

/** Drop what is pending on consumer ring q and take its index as ours. */
void hp_settle_cons(struct hp_ctx *c, uint32_t q);

/** Length of the good frame of a slot in the flip attack (fixed per slot). */
uint32_t hp_slot_len(const struct hp_ctx *c, uint32_t slot);

/* ----------------------------------------------------------- hp_util.c */

/** xorshift64*: the tool's only source of randomness (reproducible by seed). */
uint64_t hp_rand(uint64_t *s);

/** Uniform in [lo, hi] (hi >= lo). */
uint64_t hp_rand_range(uint64_t *s, uint64_t lo, uint64_t hi);

/** Monotonic seconds. */
double hp_now(void);

/** Sleep for us microseconds. */
void hp_sleep_us(unsigned int us);

/** Add b's counters to a's. */
void hp_counts_add(struct hp_counts *a, const struct hp_counts *b);

/* ---------------------------------------------------------- hp_attack*.c */

/**
 * Run one attack mode until the time is up, then bring the channel back to
 * a consistent state (header restored, indexes settled).
 *
 * @return 0, or -1 if our side stopped responding.
 */
int hp_attack(struct hp_ctx *c, enum hp_mode mode, double seconds);

/**
 * After an attack (the channel settled): garble the header from a right
 * state until the side under test has seen it, then restore it until seen
 * again. The side under test must count exactly one header error for it,
 * and take its link down, whatever came before.
 *
 * @param c
 *   The context.
 * @param cnt
 *   Receives header_episodes and down_episodes (1 each), and the stores.
 * @return
 *   0, or -1 when the other side's heartbeat stopped.
 */
int hp_witness_header(struct hp_ctx *c, struct hp_counts *cnt);

/** The attacks of each mode (hp_attack_ring.c, hp_attack_region.c). */
int hp_attack_indexes(struct hp_ctx *c, double end, struct hp_counts *cnt);
int hp_attack_descs(struct hp_ctx *c, double end, struct hp_counts *cnt);
int hp_attack_flip(struct hp_ctx *c, double end, struct hp_counts *cnt);
int hp_attack_header(struct hp_ctx *c, double end, struct hp_counts *cnt);
int hp_attack_random(struct hp_ctx *c, double end, struct hp_counts *cnt);
int hp_attack_all(struct hp_ctx *c, double end, struct hp_counts *cnt);

/** One burst of good and bad descriptors on ring q (descs and all modes). */
void hp_descs_burst(struct hp_ctx *c, uint32_t q, uint64_t *rng,
		struct hp_counts *cnt);

/** The thread flipping descriptors and indexes (flip and all modes). */
struct hp_flip;

/**
 * Start the flipping thread. It owns queue 0 (its producer index flips)
 * when there are other queues; on those, published descriptors flip
 * between good and bad until hp_flip_stop().
 *
 * @return 0, or -1 if the thread could not start.
 */
int hp_flip_start(struct hp_ctx *c, pthread_t *t, struct hp_flip **f);

/** Stop the flipping thread and add what it did to cnt. */
void hp_flip_stop(struct hp_ctx *c, pthread_t t, struct hp_flip *f,
		struct hp_counts *cnt);

/** Random bytes at random places of the region (random and all modes). */
void hp_random_writes(struct hp_ctx *c, unsigned int n, uint64_t *rng,
		struct hp_counts *cnt);

/* ---------------------------------------------------------- hp_behave.c */

/** What the tool saw while it behaved. */
struct hp_behave_result {
	uint64_t round_trips[SHM_MAX_QUEUES];	/**< frames back intact */
	uint64_t corrupted;	/**< frames of ours that came back altered */
	uint64_t foreign;	/**< frames that were not ours (left from before) */
	uint64_t reinjected;	/**< frames sent again after a queue went idle */
	uint64_t their_bad_descs;
	uint64_t their_resyncs;
};

/**
 * Act as a correct peer for seconds: send frames on every queue, echo
 * back whatever our side sends, check every frame that returns.
 *
 * @param stop
 *   If not NULL, also stops when *stop becomes true.
 */
void hp_behave(struct hp_ctx *c, double seconds, const bool *stop,
		struct hp_behave_result *r);

#endif /* HP_H */
