/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hop trace: where a realtime request's round trip goes, hop by hop. With
 * --trace FILE, each role stamps (TSC) a sample of realtime requests, those
 * whose request id is a multiple of HOP_TRACE_EVERY, at each of its hops,
 * and writes the stamps at exit; usertools/qosdt_hops.py joins the client's
 * and the server's files by request id (the TSC is the host's, the same on
 * every core: constant_tsc, nonstop_tsc). Off, each hop costs one
 * predicted branch.
 */

#ifndef QOSDT_APP_HOP_TRACE_H
#define QOSDT_APP_HOP_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <qosdt_msg.h>

/** One in this many request ids is traced. */
#define HOP_TRACE_EVERY 4
/** Traced requests kept (a ring by request id). */
#define HOP_TRACE_SLOTS 8192

/** The hops, in a round trip's order; a role stamps its own. */
enum hop {
	HOP_CLIENT_GEN = 0,   /**< Client worker: generated (the round trip starts). */
	HOP_CLIENT_SCHED,     /**< Client worker: left the client's scheduler. */
	HOP_CLIENT_TX,        /**< Client TX stage: handed to the port. */
	HOP_SERVER_RX,        /**< Server RX stage: received from the port. */
	HOP_SERVER_ADMIT,     /**< Server worker: entered the server's scheduler. */
	HOP_SERVER_SCHED,     /**< Server worker: left it. */
	HOP_SERVER_SERVED,    /**< Server worker: the service ran (the reply is built). */
	HOP_SERVER_TX,        /**< Server TX stage: handed to the port. */
	HOP_CLIENT_RX,        /**< Client RX stage: the reply received from the port. */
	HOP_CLIENT_DONE,      /**< Client worker: the reply verified (the round trip ends). */
	HOP_MAX,
};

/** Whether tracing is on (set once, before the lcores start). */
extern bool hop_trace_on;

/**
 * Turn tracing on: allocate the ring. Call before the pipeline runs.
 *
 * @return
 *   0, or -1 (out of memory).
 */
int hop_trace_enable(void);

/**
 * Stamp hop @p hop of request @p id now, if it is traced.
 *
 * @param id
 *   The request id.
 * @param hop
 *   enum hop.
 */
void hop_trace_stamp_id(uint64_t id, enum hop hop);

/**
 * Stamp hop @p hop of request @p id with TSC @p tsc, if it is traced.
 *
 * @param id
 *   The request id.
 * @param hop
 *   enum hop.
 * @param tsc
 *   The time of the hop (the round trip's own start, say).
 */
void hop_trace_stamp_id_at(uint64_t id, enum hop hop, uint64_t tsc);

/**
 * Stamp hop @p hop of the request or reply in frame @p m, if tracing is
 * on and it is a traced realtime frame (the class by the queue it is on).
 *
 * @param m
 *   The frame (its header is read, never trusted beyond its id).
 * @param queue
 *   The queue (class) it travels on.
 * @param hop
 *   enum hop.
 */
static inline void
hop_trace_stamp(const struct rte_mbuf *m, unsigned int queue, enum hop hop)
{
	if (likely(!hop_trace_on) || queue != 0 ||
			rte_pktmbuf_data_len(m) < QOSDT_FRAME_HDR_LEN)
		return;
	hop_trace_stamp_id(qosdt_msg_request_id(m), hop);
}

/**
 * Write the traced requests' stamps (ns on the TSC clock) as JSON:
 * {"every": N, "hops": [names], "requests": [[id, t0, ..., t9], ...]},
 * 0 for a hop this role does not stamp.
 *
 * @param path
 *   The file.
 * @return
 *   0, or -1 (reason logged).
 */
int hop_trace_write(const char *path);

#endif /* QOSDT_APP_HOP_TRACE_H */
