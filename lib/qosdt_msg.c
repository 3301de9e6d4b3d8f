/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The HyperAMP message: parse (nothing in the frame is trusted) and build.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "qosdt_log.h"
#include "qosdt_msg.h"

/*
 * Copy the header of a frame of at least QOSDT_FRAME_HDR_LEN bytes, whose
 * chain is consistent, into *hdr: from the first segment when it holds
 * the whole header, else gathered across segments by rte_pktmbuf_read().
 * The copy also frees the caller from the frame's alignment.
 */
static void
frame_hdr_copy(const struct rte_mbuf *m, struct qosdt_frame_hdr *hdr)
{
	const void *p;

	p = rte_pktmbuf_read(m, 0, QOSDT_FRAME_HDR_LEN, hdr);
	if (p != hdr)
		memcpy(hdr, p, QOSDT_FRAME_HDR_LEN);
}

int
qosdt_msg_parse(const struct rte_mbuf *m, struct qosdt_msg *msg)
{
	struct qosdt_frame_hdr hdr;
	const char *reason;
	uint32_t length;

	/*
	 * First the chain: rte_pktmbuf_read() walks the segments trusting
	 * pkt_len, so a pkt_len larger than the data would run it off the
	 * end of the chain.
	 */
	if (unlikely(rte_mbuf_check(m, 1, &reason) != 0)) {
		QOSDT_LOG(DEBUG, "frame refused, inconsistent mbuf: %s",
			reason);
		return QOSDT_MSG_ERR_MBUF;
	}
	if (unlikely(rte_pktmbuf_pkt_len(m) < QOSDT_FRAME_HDR_LEN))
		return QOSDT_MSG_ERR_SHORT;

	frame_hdr_copy(m, &hdr);
	if (unlikely(hdr.eth.ether_type != RTE_BE16(QOSDT_ETHER_TYPE)))
		return QOSDT_MSG_ERR_ETHERTYPE;
	if (unlikely(hdr.msg.version != QOSDT_MSG_VERSION))
		return QOSDT_MSG_ERR_VERSION;
	length = rte_be_to_cpu_32(hdr.msg.length);
	if (unlikely((uint64_t)QOSDT_FRAME_HDR_LEN + length >
			rte_pktmbuf_pkt_len(m)))
		return QOSDT_MSG_ERR_LENGTH;

	msg->service_id = rte_be_to_cpu_16(hdr.msg.service_id);
	msg->flags = hdr.msg.flags;
	msg->result = hdr.msg.result;
	msg->length = length;
	msg->request_id = rte_be_to_cpu_64(hdr.msg.request_id);
	msg->timestamp_ns = rte_be_to_cpu_64(hdr.msg.timestamp_ns);
	return QOSDT_MSG_OK;
}

const char *
qosdt_msg_strerror(int err)
{
	switch (err) {
	case QOSDT_MSG_OK:
		return "valid message";
	case QOSDT_MSG_ERR_SHORT:
		return "frame shorter than the 40-byte message header";
	case QOSDT_MSG_ERR_ETHERTYPE:
		return "EtherType is not 0x88B5";
	case QOSDT_MSG_ERR_VERSION:
		return "unknown message version";
	case QOSDT_MSG_ERR_LENGTH:
		return "payload length runs past the end of the frame";
	case QOSDT_MSG_ERR_MBUF:
		return "inconsistent mbuf (segment lengths, pkt_len or nb_segs)";
	default:
		return "unknown error";
	}
}

/* The header of msg, in network order, with the given addresses. */
static void
frame_hdr_fill(struct qosdt_frame_hdr *hdr, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, const struct qosdt_msg *msg)
{
	memset(hdr, 0, sizeof(*hdr));
	if (dst != NULL)
		rte_ether_addr_copy(dst, &hdr->eth.dst_addr);
	else
		memset(&hdr->eth.dst_addr, 0xff, sizeof(hdr->eth.dst_addr));
	if (src != NULL)
		rte_ether_addr_copy(src, &hdr->eth.src_addr);
	hdr->eth.ether_type = RTE_BE16(QOSDT_ETHER_TYPE);
	hdr->msg.version = QOSDT_MSG_VERSION;
	hdr->msg.flags = msg->flags;
	hdr->msg.service_id = rte_cpu_to_be_16(msg->service_id);
	hdr->msg.result = msg->result;
	hdr->msg.length = rte_cpu_to_be_32(msg->length);
	hdr->msg.request_id = rte_cpu_to_be_64(msg->request_id);
	hdr->msg.timestamp_ns = rte_cpu_to_be_64(msg->timestamp_ns);
}

/* Whether writing into the data of m would change another mbuf's data. */
static bool
mbuf_buffer_shared(const struct rte_mbuf *m)
{
	if (RTE_MBUF_CLONED(m) || rte_mbuf_refcnt_read(m) != 1)
		return true;
	return RTE_MBUF_HAS_EXTBUF(m) &&
		rte_mbuf_ext_refcnt_read(m->shinfo) != 1;
}

/*
 * Append a frame of msg's length to an empty, unshared, one-segment mbuf
 * and write msg's header into it; *data is the frame's start.
 */
static int
frame_append(struct rte_mbuf *m, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, const struct qosdt_msg *msg,
		char **data)
{
	struct qosdt_frame_hdr hdr;
	uint64_t frame_len;

	if (rte_pktmbuf_pkt_len(m) != 0 || rte_pktmbuf_data_len(m) != 0 ||
			m->next != NULL || mbuf_buffer_shared(m))
		return -EINVAL;
	frame_len = (uint64_t)QOSDT_FRAME_HDR_LEN + msg->length;
	if (frame_len > rte_pktmbuf_tailroom(m))
		return -ENOSPC;
	*data = rte_pktmbuf_append(m, (uint16_t)frame_len);
	frame_hdr_fill(&hdr, src, dst, msg);
	memcpy(*data, &hdr, QOSDT_FRAME_HDR_LEN);
	return 0;
}

int
qosdt_msg_build(struct rte_mbuf *m, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, const struct qosdt_msg *msg,
		const void *payload)
{
	char *data;
	int ret;

	if (m == NULL || msg == NULL || (payload == NULL && msg->length != 0))
		return -EINVAL;
	ret = frame_append(m, src, dst, msg, &data);
	if (ret == 0 && msg->length != 0)
		memcpy(data + QOSDT_FRAME_HDR_LEN, payload, msg->length);
	return ret;
}

int
qosdt_msg_build_request(struct rte_mbuf *m, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, const struct qosdt_msg *msg)
{
	struct qosdt_msg req;
	char *data;

	if (m == NULL || msg == NULL)
		return -EINVAL;
	req = *msg;
	req.flags &= ~QOSDT_MSG_F_REPLY;
	req.result = QOSDT_RESULT_NONE;
	return frame_append(m, src, dst, &req, &data);
}

uint32_t
qosdt_msg_reply_room(const struct rte_mbuf *m)
{
	if (rte_pktmbuf_data_len(m) < QOSDT_FRAME_HDR_LEN)
		return 0;
	return rte_pktmbuf_data_len(m) - QOSDT_FRAME_HDR_LEN +
		rte_pktmbuf_tailroom(m);
}

int
qosdt_msg_make_reply(struct rte_mbuf *m, const struct rte_ether_addr *src,
		uint8_t result, uint32_t length)
{
	struct qosdt_frame_hdr *h;
	uint32_t want, have;
	uint8_t flags;
	rte_be32_t len;

	if (m == NULL || m->nb_segs != 1 ||
			rte_pktmbuf_data_len(m) < QOSDT_FRAME_HDR_LEN ||
			mbuf_buffer_shared(m))
		return -EINVAL;
	if (length > qosdt_msg_reply_room(m))
		return -ENOSPC;
	want = QOSDT_FRAME_HDR_LEN + length;
	have = rte_pktmbuf_data_len(m);
	if (want > have) {
		if (rte_pktmbuf_append(m, (uint16_t)(want - have)) == NULL)
			return -ENOSPC;
	} else if (rte_pktmbuf_trim(m, (uint16_t)(have - want)) != 0) {
		return -EINVAL;
	}
	h = rte_pktmbuf_mtod(m, struct qosdt_frame_hdr *);
	rte_ether_addr_copy(&h->eth.src_addr, &h->eth.dst_addr);
	if (src != NULL)
		rte_ether_addr_copy(src, &h->eth.src_addr);
	else
		memset(&h->eth.src_addr, 0, sizeof(h->eth.src_addr));
	/* The frame may sit at any address: byte copies, no aligned store. */
	memcpy(&flags, (char *)h + QOSDT_MSG_OFF_FLAGS, 1);
	flags |= QOSDT_MSG_F_REPLY;
	memcpy((char *)h + QOSDT_MSG_OFF_FLAGS, &flags, 1);
	memcpy((char *)h + QOSDT_MSG_OFF_RESULT, &result, 1);
	len = rte_cpu_to_be_32(length);
	memcpy((char *)h + QOSDT_MSG_OFF_LENGTH, &len, sizeof(len));
	return 0;
}

const void *
qosdt_msg_payload(const struct rte_mbuf *m)
{
	struct qosdt_msg msg;

	if (qosdt_msg_parse(m, &msg) != QOSDT_MSG_OK)
		return NULL;
	if ((uint64_t)QOSDT_FRAME_HDR_LEN + msg.length >
			rte_pktmbuf_data_len(m))
		return NULL;
	return rte_pktmbuf_mtod_offset(m, const char *, QOSDT_FRAME_HDR_LEN);
}
