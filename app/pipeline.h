/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pinned-core pipeline: RX -> worker -> TX stages joined by SP/SC
 * rings, each stage run by one lcore; an lcore may run several stages in
 * turn, down to all three (run to completion). The RX and TX stages are
 * the same for both roles; the worker is the role's.
 */

#ifndef QOSDT_APP_PIPELINE_H
#define QOSDT_APP_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <qosdt_class.h>

#include "options.h"

/** Frames moved between stages per call. */
#define PIPE_BURST 32
/**
 * Frames each port queue receives, or sends, per turn of a stage: a turn
 * stays a few microseconds long, and that is what a realtime frame arriving
 * in the middle of one waits.
 */
#define PIPE_TURN 8
/** Slots of each ring between stages. */
#define PIPE_RING_SIZE 1024
/** Frames the TX stage keeps per class while the peer's ring is full. */
#define PIPE_TX_PENDING 128

/** What the RX and TX stages counted (their own lcores write it). */
struct pipe_counters {
	uint64_t rx_pkts[QOSDT_NB_CLASSES];  /**< Received per class queue. */
	uint64_t tx_pkts[QOSDT_NB_CLASSES];  /**< Sent per class queue. */
};

/** The stages' rings and the port they serve. */
struct pipe {
	uint16_t port_id;
	/** RX -> worker, one per class queue (per-class backpressure). */
	struct rte_ring *rx_ring[QOSDT_NB_CLASSES];
	/** Worker -> TX; the mbuf's class (qosdt_mbuf_meta) picks the queue. */
	struct rte_ring *tx_ring;
	/* The TX stage's frames the port did not take yet, per queue. */
	struct rte_mbuf *tx_pending[QOSDT_NB_CLASSES][PIPE_TX_PENDING];
	uint16_t nb_tx_pending[QOSDT_NB_CLASSES];
	struct pipe_counters cnt;
};

/** One stage: does a bounded piece of work, returns how much (0 = idle). */
typedef unsigned int (*pipe_stage_fn)(void *arg);

/** A role's pipeline: its three stages and the main lcore's periodic job. */
struct pipe_ops {
	pipe_stage_fn stage[STAGE_MAX];
	void *arg[STAGE_MAX];
	/** Called on the main lcore every tick_period_s (NULL: none). */
	void (*tick)(void *arg);
	void *tick_arg;
	double tick_period_s;
};

/**
 * Create the rings of a pipe.
 *
 * @param p
 *   The pipe (zeroed by the call).
 * @param name
 *   Prefix of the ring names (unique per process).
 * @param port_id
 *   The channel port.
 * @return
 *   0, or -1 (reason logged).
 */
int pipe_create(struct pipe *p, const char *name, uint16_t port_id);

/**
 * Free the rings and every mbuf still in them or pending.
 *
 * @param p
 *   The pipe.
 */
void pipe_free(struct pipe *p);

/**
 * The RX stage: receive from the class queues, highest class first, into
 * their rings; a queue whose ring is full is left alone (backpressure).
 *
 * @param arg
 *   struct pipe.
 * @return
 *   Frames received.
 */
unsigned int pipe_stage_rx(void *arg);

/**
 * The TX stage: send the worker's frames on their class queue; frames the
 * port does not take stay pending (none is dropped), and while a queue's
 * pending frames fill up, the stage stops taking new ones.
 *
 * @param arg
 *   struct pipe.
 * @return
 *   Frames sent.
 */
unsigned int pipe_stage_tx(void *arg);

/**
 * Frames still inside the pipe: in the rings or pending transmission.
 *
 * @param p
 *   The pipe.
 * @return
 *   How many.
 */
unsigned int pipe_in_flight(const struct pipe *p);

/**
 * Run the stages on their lcores until @p quit becomes true; returns when
 * every lcore has stopped.
 *
 * @param ops
 *   The stages.
 * @param stage_lcore
 *   The lcore of each stage; -1 for the main lcore.
 * @param quit
 *   Set it (from a signal handler or a stage) to stop.
 * @return
 *   0, or -1 if an lcore is not usable (nothing was started).
 */
int pipe_run(const struct pipe_ops *ops, const int *stage_lcore,
		volatile bool *quit);

#endif /* QOSDT_APP_PIPELINE_H */
