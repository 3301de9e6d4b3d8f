/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * The HyperAMP message as carried over net_shm: one Ethernet frame.
 *
 *   offset  size  field
 *        0    14  Ethernet header, EtherType 0x88B5 (IEEE local experimental)
 *       14     1  version (QOSDT_MSG_VERSION)
 *       15     1  flags (QOSDT_MSG_F_*)
 *       16     2  service id
 *       18     1  result (enum qosdt_msg_result)
 *       19     1  reserved, 0
 *       20     4  payload length
 *       24     8  request id
 *       32     8  sender's timestamp, ns
 *       40     -  payload (length bytes; the frame may be longer: padding)
 *
 * Multi-byte fields are in network byte order. The 64-bit fields are
 * 8-byte aligned in the frame. No QoS field is in the message: the class
 * and the scheduling metadata live in the mbuf (qosdt_mbuf.h).
 */

#ifndef QOSDT_MSG_H
#define QOSDT_MSG_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

/** EtherType of a qosdt frame (IEEE 802 local experimental 1). */
#define QOSDT_ETHER_TYPE 0x88B5
/** Message format version. */
#define QOSDT_MSG_VERSION 1

/** flags: the message is a reply (the original's deal_state). */
#define QOSDT_MSG_F_REPLY 0x01

/** Result of a request (the original's service_result). */
enum qosdt_msg_result {
	QOSDT_RESULT_NONE = 0,       /**< A request, not processed yet. */
	QOSDT_RESULT_SUCCESS = 1,
	QOSDT_RESULT_FAIL = 2,
	QOSDT_RESULT_NOT_EXIST = 3,  /**< Unknown service id. */
};

/** The message header, after the Ethernet header. */
struct qosdt_msg_hdr {
	uint8_t version;
	uint8_t flags;
	rte_be16_t service_id;
	uint8_t result;
	uint8_t reserved;
	rte_be32_t length;
	rte_be64_t request_id;
	rte_be64_t timestamp_ns;
} __rte_packed;

/**
 * The whole fixed part of a frame. Not packed: struct rte_ether_hdr is
 * 2-byte aligned, and 14 + 26 bytes leave no padding anyway.
 */
struct qosdt_frame_hdr {
	struct rte_ether_hdr eth;
	struct qosdt_msg_hdr msg;
};

/** Bytes before the payload. */
#define QOSDT_FRAME_HDR_LEN ((uint32_t)sizeof(struct qosdt_frame_hdr))

/** Why a frame is not a valid message. */
enum qosdt_msg_error {
	QOSDT_MSG_OK = 0,
	QOSDT_MSG_ERR_SHORT = -1,      /**< Shorter than the header. */
	QOSDT_MSG_ERR_ETHERTYPE = -2,  /**< Not 0x88B5. */
	QOSDT_MSG_ERR_VERSION = -3,    /**< Unknown version. */
	QOSDT_MSG_ERR_LENGTH = -4,     /**< Payload length beyond the frame. */
};

/** A parsed message: header fields in host order. */
struct qosdt_msg {
	uint16_t service_id;
	uint8_t flags;
	uint8_t result;
	uint32_t length;         /**< Payload bytes, checked against the frame. */
	uint64_t request_id;
	uint64_t timestamp_ns;
};

/**
 * Parse and check a frame. Every length is checked against the mbuf's
 * packet length; a multi-segment mbuf is read safely.
 *
 * @param m
 *   The frame.
 * @param msg
 *   Filled when the frame is valid.
 * @return
 *   QOSDT_MSG_OK, or a negative enum qosdt_msg_error.
 */
int qosdt_msg_parse(const struct rte_mbuf *m, struct qosdt_msg *msg);

/**
 * Name of a parse error, for logs and counters.
 *
 * @param err
 *   A value returned by qosdt_msg_parse().
 * @return
 *   A static string.
 */
const char *qosdt_msg_strerror(int err);

/**
 * Write a frame into an empty mbuf: Ethernet header, message header and
 * payload (copied), in one segment.
 *
 * @param m
 *   An mbuf just allocated (data_len 0).
 * @param src
 *   Source MAC address (may be NULL for zeros).
 * @param dst
 *   Destination MAC address (may be NULL for broadcast).
 * @param msg
 *   Header fields; msg->length is the payload length.
 * @param payload
 *   msg->length bytes (may be NULL when length is 0).
 * @return
 *   0, or -ENOSPC if the frame does not fit the mbuf's tailroom.
 */
int qosdt_msg_build(struct rte_mbuf *m, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, const struct qosdt_msg *msg,
		const void *payload);

/**
 * The service id of a frame, cheaply, for classification: -1 unless the
 * first segment holds a whole valid header (EtherType, version) and the
 * payload length fits the frame.
 *
 * @param m
 *   The frame.
 * @return
 *   The service id (0..65535), or -1 for a malformed frame.
 */
static inline int
qosdt_msg_service_id(const struct rte_mbuf *m)
{
	const struct qosdt_frame_hdr *h;

	if (unlikely(m->data_len < QOSDT_FRAME_HDR_LEN))
		return -1;
	h = rte_pktmbuf_mtod(m, const struct qosdt_frame_hdr *);
	if (unlikely(h->eth.ether_type != RTE_BE16(QOSDT_ETHER_TYPE) ||
			h->msg.version != QOSDT_MSG_VERSION ||
			(uint64_t)rte_be_to_cpu_32(h->msg.length) +
			QOSDT_FRAME_HDR_LEN > m->pkt_len))
		return -1;
	return rte_be_to_cpu_16(h->msg.service_id);
}

#endif /* QOSDT_MSG_H */
