/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request ids (doc/message.md, "request id"): the client puts the
 * incarnation of its process in the high bits and numbers its requests in
 * the low ones, so that a reply meant for an earlier client process (one
 * that was killed, its replies still in the channel) is told apart from a
 * reply to this one, and a server can key what it remembers of a request
 * by the id alone (doc/hardening.md, "Across a restart").
 *
 *   bit 63      0 (ids stay positive as JSON integers and signed 64 bits)
 *   bits 62-40  incarnation, 23 bits, random and non-zero per process
 *   bits 39-0   sequence number, from 1
 */

#ifndef QOSDT_APP_REQ_ID_H
#define QOSDT_APP_REQ_ID_H

#include <stdint.h>

/** Bits of the sequence number. */
#define REQ_ID_SEQ_BITS 40
/** Bits of the incarnation. */
#define REQ_ID_INC_BITS 23
/** Largest sequence number. */
#define REQ_ID_SEQ_MAX ((UINT64_C(1) << REQ_ID_SEQ_BITS) - 1)
/** Largest incarnation. */
#define REQ_ID_INC_MAX ((UINT32_C(1) << REQ_ID_INC_BITS) - 1)

/**
 * A new incarnation: random (getrandom(2), else the TSC-seeded rte_rand()),
 * in [1, REQ_ID_INC_MAX].
 *
 * @return
 *   The incarnation.
 */
uint32_t req_id_incarnation_new(void);

/**
 * The id of request @p seq of incarnation @p inc.
 *
 * @param inc
 *   The incarnation, at most REQ_ID_INC_MAX (higher bits are ignored).
 * @param seq
 *   The sequence number, at most REQ_ID_SEQ_MAX (higher bits are ignored).
 * @return
 *   The 64-bit request id.
 */
static inline uint64_t
req_id_make(uint32_t inc, uint64_t seq)
{
	return ((uint64_t)(inc & REQ_ID_INC_MAX) << REQ_ID_SEQ_BITS) |
		(seq & REQ_ID_SEQ_MAX);
}

/**
 * The incarnation an id names (whatever its top bit: an id from the peer
 * is any 64-bit value).
 *
 * @param id
 *   A request id.
 * @return
 *   Its bits 62-40.
 */
static inline uint32_t
req_id_incarnation(uint64_t id)
{
	return (uint32_t)(id >> REQ_ID_SEQ_BITS) & REQ_ID_INC_MAX;
}

/**
 * Whether @p id belongs to incarnation @p inc: its incarnation bits and
 * its top bit (0) are what req_id_make() writes.
 *
 * @param id
 *   A request id.
 * @param inc
 *   The incarnation.
 * @return
 *   1 if it does, else 0.
 */
static inline int
req_id_is_of(uint64_t id, uint32_t inc)
{
	return (id >> REQ_ID_SEQ_BITS) == (uint64_t)(inc & REQ_ID_INC_MAX);
}

/**
 * The sequence number of an id.
 *
 * @param id
 *   A request id.
 * @return
 *   Its bits 39-0.
 */
static inline uint64_t
req_id_seq(uint64_t id)
{
	return id & REQ_ID_SEQ_MAX;
}

#endif /* QOSDT_APP_REQ_ID_H */
