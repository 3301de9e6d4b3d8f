/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * QoS metadata of a message, kept in an mbuf dynamic field: the message
 * itself carries none ("minimal intrusion").
 */

#ifndef QOSDT_MBUF_H
#define QOSDT_MBUF_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

/** Class value of an mbuf nobody classified. */
#define QOSDT_CLASS_NONE 0xff

/** meta flags: the frame is not a valid message (qosdt_msg.h). */
#define QOSDT_META_F_MALFORMED 0x01

/** The QoS metadata of one mbuf. */
struct qosdt_mbuf_meta {
	uint64_t ts;              /**< TSC when it was classified. */
	uint32_t slo_latency_ns;  /**< Its latency objective, 0 = none. */
	uint16_t service_id;
	uint8_t cls;              /**< enum qosdt_class or QOSDT_CLASS_NONE. */
	uint8_t flags;            /**< QOSDT_META_F_*. */
};

/** Offset of the dynamic field; valid after qosdt_mbuf_meta_register(). */
extern int qosdt_mbuf_meta_offset;

/**
 * Register the dynamic field (idempotent; the name is "qosdt_meta").
 *
 * @return
 *   0, or -1 with rte_errno set if the field cannot be registered.
 */
int qosdt_mbuf_meta_register(void);

/**
 * The metadata of an mbuf. qosdt_mbuf_meta_register() must have succeeded.
 *
 * @param m
 *   The mbuf.
 * @return
 *   Its metadata, inside the mbuf.
 */
static inline struct qosdt_mbuf_meta *
qosdt_mbuf_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, qosdt_mbuf_meta_offset,
		struct qosdt_mbuf_meta *);
}

#endif /* QOSDT_MBUF_H */
