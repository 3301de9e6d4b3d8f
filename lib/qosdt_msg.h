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
 * doc/message.md has the validation rules and how capture tools show it.
 */

#ifndef QOSDT_MSG_H
#define QOSDT_MSG_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

static_assert(sizeof(struct qosdt_msg_hdr) == 26, "message header layout");

/**
 * The whole fixed part of a frame. Not packed: struct rte_ether_hdr is
 * 2-byte aligned, and 14 + 26 bytes leave no padding anyway.
 */
struct qosdt_frame_hdr {
	struct rte_ether_hdr eth;
	struct qosdt_msg_hdr msg;
};

static_assert(sizeof(struct qosdt_frame_hdr) == 40, "frame header layout");

/** Bytes before the payload. */
#define QOSDT_FRAME_HDR_LEN ((uint32_t)sizeof(struct qosdt_frame_hdr))

/** Why a frame is not a valid message. */
enum qosdt_msg_error {
	QOSDT_MSG_OK = 0,
	QOSDT_MSG_ERR_SHORT = -1,      /**< Shorter than the header. */
	QOSDT_MSG_ERR_ETHERTYPE = -2,  /**< Not 0x88B5. */
	QOSDT_MSG_ERR_VERSION = -3,    /**< Unknown version. */
	QOSDT_MSG_ERR_LENGTH = -4,     /**< Payload length beyond the frame. */
	/**
	 * The mbuf itself is inconsistent (rte_mbuf_check() fails), e.g. the
	 * segments' data_len do not add up to pkt_len, or nb_segs is wrong.
	 */
	QOSDT_MSG_ERR_MBUF = -5,
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
 * Parse and check a frame; nothing in it is trusted. In this order:
 * the mbuf must be consistent (rte_mbuf_check(): the segments' data_len
 * add up to pkt_len, nb_segs is right), else QOSDT_MSG_ERR_MBUF; pkt_len
 * must hold the 40-byte header (QOSDT_MSG_ERR_SHORT); the EtherType must
 * be QOSDT_ETHER_TYPE (QOSDT_MSG_ERR_ETHERTYPE, a VLAN tag included); the
 * version QOSDT_MSG_VERSION (QOSDT_MSG_ERR_VERSION); and 40 + the payload
 * length, in 64-bit arithmetic, must not exceed pkt_len
 * (QOSDT_MSG_ERR_LENGTH). Bytes after the payload are padding and ignored.
 * Flags, result and the reserved byte are not checked (passed on as read).
 *
 * The header may span segments: it is then copied to a local buffer
 * (rte_pktmbuf_read()). Nothing is read past a segment's data_len, and
 * the frame may start at any address (no alignment is assumed).
 *
 * @param m
 *   The frame.
 * @param msg
 *   Filled only when the frame is valid; must not be NULL.
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
 *   A static string ("unknown error" for a value that is no
 *   enum qosdt_msg_error).
 */
const char *qosdt_msg_strerror(int err);

/**
 * Write a frame into an empty mbuf: Ethernet header, message header and
 * payload (copied), in one segment. The version written is always
 * QOSDT_MSG_VERSION and the reserved byte 0.
 *
 * @param m
 *   An empty mbuf with a single segment (pkt_len 0), e.g. just allocated,
 *   whose buffer nobody else references (not a clone, nor cloned). The
 *   frame starts at its current data offset.
 * @param src
 *   Source MAC address (may be NULL for zeros).
 * @param dst
 *   Destination MAC address (may be NULL for broadcast).
 * @param msg
 *   Header fields; msg->length is the payload length.
 * @param payload
 *   msg->length bytes (may be NULL when length is 0).
 * @return
 *   0; -ENOSPC if the frame (40 + msg->length bytes) does not fit the
 *   mbuf's tailroom; -EINVAL if m or msg is NULL, m is not empty or its
 *   buffer is shared, or
 *   payload is NULL with a non-zero length. On error the mbuf is left
 *   untouched.
 */
int qosdt_msg_build(struct rte_mbuf *m, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, const struct qosdt_msg *msg,
		const void *payload);

/**
 * The payload of a valid frame, in place, when the header and the whole
 * payload lie in the first segment (always so for a frame from
 * qosdt_msg_build()). Otherwise copy the payload out with
 * rte_pktmbuf_read(m, QOSDT_FRAME_HDR_LEN, msg.length, buf).
 * The pointer has no particular alignment; with a payload length of 0 it
 * points just past the header and must not be dereferenced.
 *
 * @param m
 *   The frame, checked as qosdt_msg_parse() does.
 * @return
 *   The first payload byte, or NULL if the frame is malformed or its
 *   payload does not end inside the first segment.
 */
const void *qosdt_msg_payload(const struct rte_mbuf *m);

/**
 * The service id of a frame, for classification: what qosdt_msg_parse()
 * finds, and -1 whenever qosdt_msg_parse() reports an error (a header
 * spanning segments is read; an inconsistent mbuf is refused).
 *
 * @param m
 *   The frame.
 * @return
 *   The service id (0..65535), or -1 for a malformed frame.
 */
static inline int
qosdt_msg_service_id(const struct rte_mbuf *m)
{
	const uint8_t *p;
	rte_be16_t type, sid;
	rte_be32_t len;
	struct qosdt_msg msg;

	/* Fast path: one consistent segment holding the whole frame, read
	 * with memcpy (the frame may sit at any address). */
	if (likely(m != NULL && m->nb_segs == 1 && m->next == NULL &&
			m->data_len == m->pkt_len &&
			(uint32_t)m->data_off + m->data_len <= m->buf_len &&
			m->data_len >= QOSDT_FRAME_HDR_LEN)) {
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		memcpy(&type, p + offsetof(struct rte_ether_hdr, ether_type),
			sizeof(type));
		memcpy(&len, p + sizeof(struct rte_ether_hdr) +
			offsetof(struct qosdt_msg_hdr, length), sizeof(len));
		memcpy(&sid, p + sizeof(struct rte_ether_hdr) +
			offsetof(struct qosdt_msg_hdr, service_id), sizeof(sid));
		if (unlikely(type != RTE_BE16(QOSDT_ETHER_TYPE) ||
				p[sizeof(struct rte_ether_hdr)] != QOSDT_MSG_VERSION ||
				(uint64_t)rte_be_to_cpu_32(len) +
				QOSDT_FRAME_HDR_LEN > m->pkt_len))
			return -1;
		return rte_be_to_cpu_16(sid);
	}
	if (unlikely(qosdt_msg_parse(m, &msg) != QOSDT_MSG_OK))
		return -1;
	return msg.service_id;
}

#endif /* QOSDT_MSG_H */
