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
 *
 * This is the one wire-format header: the library builds a request with
 * room for its payload, turns a request into its reply in place, and reads
 * and writes the request id and result; an application writes no header
 * field by hand.
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

/** Offsets of the header fields from the frame's start. */
#define QOSDT_MSG_OFF(field) \
	(sizeof(struct rte_ether_hdr) + offsetof(struct qosdt_msg_hdr, field))
#define QOSDT_MSG_OFF_FLAGS QOSDT_MSG_OFF(flags)
#define QOSDT_MSG_OFF_RESULT QOSDT_MSG_OFF(result)
#define QOSDT_MSG_OFF_LENGTH QOSDT_MSG_OFF(length)
#define QOSDT_MSG_OFF_REQUEST_ID QOSDT_MSG_OFF(request_id)

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
 * Write a request into an empty mbuf with room for its payload: the
 * Ethernet and message headers, then msg->length bytes left as they are,
 * for the caller to fill (qosdt_msg_payload_rw()) when it knows them. A
 * request: no REPLY flag, result QOSDT_RESULT_NONE, whatever @p msg says.
 *
 * @param m
 *   An empty mbuf, as for qosdt_msg_build().
 * @param src
 *   Source MAC address (may be NULL for zeros).
 * @param dst
 *   Destination MAC address (may be NULL for broadcast).
 * @param msg
 *   Header fields; msg->length is the payload room, in bytes.
 * @return
 *   0; -ENOSPC if 40 + msg->length bytes do not fit the mbuf's tailroom;
 *   -EINVAL as for qosdt_msg_build(). On error the mbuf is left untouched.
 */
int qosdt_msg_build_request(struct rte_mbuf *m, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, const struct qosdt_msg *msg);

/**
 * Payload bytes a reply written in place over a request may have: what
 * the request's first segment holds after the header, and its tailroom.
 *
 * @param m
 *   The request, one segment.
 * @return
 *   The bytes; 0 if the segment does not even hold the header.
 */
uint32_t qosdt_msg_reply_room(const struct rte_mbuf *m);

/**
 * Turn a request into its reply in place, its payload already rewritten
 * by the caller: the frame is made to hold exactly 40 + @p length bytes,
 * the addresses are swapped (the request's source becomes the
 * destination, @p src the source), the REPLY flag is set, and the result
 * and the payload length are written. The rest of the header (service,
 * request id, timestamp) is the request's.
 *
 * @param m
 *   The request, in one segment, a valid message (qosdt_msg_parse()),
 *   whose buffer nobody else references.
 * @param src
 *   The replying port's MAC address (may be NULL for zeros).
 * @param result
 *   enum qosdt_msg_result.
 * @param length
 *   Payload bytes of the reply, at most qosdt_msg_reply_room().
 * @return
 *   0; -ENOSPC if @p length is above qosdt_msg_reply_room(); -EINVAL if
 *   @p m is NULL, not one segment, shorter than the header or shared. On
 *   error the frame is left untouched.
 */
int qosdt_msg_make_reply(struct rte_mbuf *m, const struct rte_ether_addr *src,
		uint8_t result, uint32_t length);

/**
 * The payload of a frame, writable, for a frame the caller built
 * (qosdt_msg_build_request()) or parsed (qosdt_msg_parse()) and that it
 * owns; the header must lie in the first segment. Not checked: a frame
 * from the peer goes through qosdt_msg_parse() first.
 *
 * @param m
 *   The frame.
 * @return
 *   The first payload byte (no particular alignment).
 */
static inline void *
qosdt_msg_payload_rw(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, char *, QOSDT_FRAME_HDR_LEN);
}

/**
 * The request id of a frame whose header lies in its first segment (one
 * the caller built, or checked with qosdt_msg_parse() or at least for
 * data_len >= QOSDT_FRAME_HDR_LEN).
 *
 * @param m
 *   The frame.
 * @return
 *   Its request id, host order.
 */
static inline uint64_t
qosdt_msg_request_id(const struct rte_mbuf *m)
{
	rte_be64_t id;

	memcpy(&id, rte_pktmbuf_mtod_offset(m, const char *,
		QOSDT_MSG_OFF_REQUEST_ID), sizeof(id));
	return rte_be_to_cpu_64(id);
}

/**
 * Write the request id of a frame the caller owns (header in the first
 * segment).
 *
 * @param m
 *   The frame.
 * @param id
 *   The request id, host order.
 */
static inline void
qosdt_msg_set_request_id(struct rte_mbuf *m, uint64_t id)
{
	rte_be64_t be = rte_cpu_to_be_64(id);

	memcpy(rte_pktmbuf_mtod_offset(m, char *, QOSDT_MSG_OFF_REQUEST_ID),
		&be, sizeof(be));
}

/**
 * The result of a frame whose header lies in its first segment.
 *
 * @param m
 *   The frame.
 * @return
 *   enum qosdt_msg_result as written (not checked).
 */
static inline uint8_t
qosdt_msg_result(const struct rte_mbuf *m)
{
	return *rte_pktmbuf_mtod_offset(m, const uint8_t *,
		QOSDT_MSG_OFF_RESULT);
}

/**
 * Write the result of a frame the caller owns (header in the first
 * segment).
 *
 * @param m
 *   The frame.
 * @param result
 *   enum qosdt_msg_result.
 */
static inline void
qosdt_msg_set_result(struct rte_mbuf *m, uint8_t result)
{
	*rte_pktmbuf_mtod_offset(m, uint8_t *, QOSDT_MSG_OFF_RESULT) = result;
}

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
