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

#include <qosdt.h>

#include "hop_trace.h"
#include "pipeline_stage.h"

/** Frames moved between stages per call. */
#define PIPELINE_BURST 32
/**
 * Frames each port queue receives, or sends, per turn of a stage: a turn
 * stays a few microseconds long, and that is what a realtime frame arriving
 * in the middle of one waits.
 */
#define PIPELINE_TURN 8
/** Slots of each ring between stages. */
#define PIPELINE_RING_SIZE 1024
/**
 * Frames a queue may have waiting in the TX stage before its class is
 * admitted no more (pipeline_tx_depth()): beyond it the peer is not taking
 * the class, and more would only queue (and time out) here.
 */
#define PIPELINE_TX_BACKLOG 256

/**
 * The TX stage's frames for one queue that the port has not taken yet, in
 * order: a FIFO that can hold every mbuf of the process, so that a queue
 * whose peer reads slowly never makes the TX stage stop taking the other
 * classes' frames from the worker.
 */
struct pipeline_fifo {
	struct rte_mbuf **slots;
	uint32_t mask;
	uint32_t head;   /**< Next to send. */
	uint32_t tail;   /**< Next free slot. */
};

/**
 * The pipeline: the rings between its stages and the port they serve (not
 * an rte_sched pipe: the QoS core keeps those).
 */
struct pipeline {
	uint16_t port_id;
	/** The hops the RX and TX stages stamp (hop_trace.h), by role. */
	enum hop rx_hop;
	enum hop tx_hop;
	/** RX -> worker, one per class queue (per-class backpressure). */
	struct rte_ring *rx_ring[QOSDT_NB_CLASSES];
	/** Worker -> TX; the mbuf's class (qosdt_mbuf_meta) picks the queue. */
	struct rte_ring *tx_ring;
	/** TX stage only: frames waiting for their queue. */
	struct pipeline_fifo tx_pending[QOSDT_NB_CLASSES];
};

/**
 * The pipelines of a process, one per port it serves: a client's one
 * channel, or a service VM's port per tenant (doc/tenants.md), pipeline i
 * serving tenant i.
 */
struct pipeline_set {
	unsigned int n;
	struct pipeline p[QOSDT_MAX_TENANTS];
};

struct qosdt;

/**
 * The RX stage of every pipeline of a set, one after another.
 *
 * @param arg
 *   struct pipeline_set.
 * @return
 *   Frames received.
 */
unsigned int pipeline_set_stage_rx(void *arg);

/**
 * The TX stage of every pipeline of a set, one after another: the worker
 * puts each frame on the TX ring of the pipeline whose port it leaves by.
 *
 * @param arg
 *   struct pipeline_set.
 * @return
 *   Frames sent.
 */
unsigned int pipeline_set_stage_tx(void *arg);

/**
 * Frames waiting in the TX stage for queue @p q (any lcore: a snapshot).
 *
 * @param p
 *   The pipeline.
 * @param q
 *   The queue (class).
 * @return
 *   How many.
 */
unsigned int pipeline_tx_depth(const struct pipeline *p, unsigned int q);

/**
 * Messages a lossless class held back (qosdt_enqueue_burst() handed them
 * back), in order, to offer again before anything new of theirs.
 */
struct pipeline_held {
	struct rte_mbuf *pkts[PIPELINE_BURST];
	uint16_t n;
};

/**
 * Offer the held messages to the QoS core again.
 *
 * @param q
 *   The QoS instance that held them back.
 * @param tenant
 *   Whose they are (0 with one tenant).
 * @param h
 *   The held messages; keeps those held back again, in order.
 * @return
 *   true if none is held any more.
 */
bool pipeline_held_retry(struct qosdt *q, uint32_t tenant,
		struct pipeline_held *h);

/**
 * Free the held messages (at teardown).
 *
 * @param h
 *   The held messages.
 */
void pipeline_held_free(struct pipeline_held *h);

/** One stage: does a bounded piece of work, returns how much (0 = idle). */
typedef unsigned int (*pipeline_stage_fn)(void *arg);

/** A role's pipeline: its three stages and the main lcore's periodic job. */
struct pipeline_ops {
	pipeline_stage_fn stage[STAGE_MAX];
	void *arg[STAGE_MAX];
	/** Called on the main lcore every tick_period_s (NULL: none). */
	void (*tick)(void *arg);
	void *tick_arg;
	double tick_period_s;
};

/**
 * Create the rings of a pipeline.
 *
 * @param p
 *   The pipeline (zeroed by the call).
 * @param name
 *   Prefix of the ring names (unique per process).
 * @param port_id
 *   The channel port.
 * @param nb_mbufs
 *   How many mbufs the process has in all (its QoS instance's buffers):
 *   each queue's pending FIFO can hold them all.
 * @return
 *   0, or -1 (reason logged).
 */
int pipeline_create(struct pipeline *p, const char *name, uint16_t port_id,
		uint32_t nb_mbufs);

/**
 * Free the rings and every mbuf still in them or pending.
 *
 * @param p
 *   The pipeline.
 */
void pipeline_free(struct pipeline *p);

/**
 * Receive a turn from class queue @p q into its ring (nothing when the
 * ring is full: backpressure).
 *
 * @param p
 *   The pipeline.
 * @param q
 *   The queue, below QOSDT_NB_CLASSES.
 * @return
 *   Frames received.
 */
unsigned int pipeline_rx_queue(struct pipeline *p, uint16_t q);

/**
 * The RX stage: receive from the class queues, highest class first, into
 * their rings; a queue whose ring is full is left alone (backpressure).
 *
 * @param arg
 *   struct pipeline.
 * @return
 *   Frames received.
 */
unsigned int pipeline_stage_rx(void *arg);

/**
 * The TX stage: send the worker's frames on their class queue, up to a
 * turn per queue; frames the port does not take stay pending in order
 * (none is dropped), without holding back the other queues.
 *
 * @param arg
 *   struct pipeline.
 * @return
 *   Frames sent.
 */
unsigned int pipeline_stage_tx(void *arg);

/**
 * Whether every stage runs on the same lcore.
 *
 * @param stage_lcore
 *   The lcore of each stage; -1 for the main lcore (as pipeline_run()).
 * @return
 *   true if they all share one.
 */
bool pipeline_one_lcore(const int *stage_lcore);

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
int pipeline_run(const struct pipeline_ops *ops, const int *stage_lcore,
		volatile bool *quit);

#endif /* QOSDT_APP_PIPELINE_H */
