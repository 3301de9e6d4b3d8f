/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef QOS_TEST_UTIL_H
#define QOS_TEST_UTIL_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "qosdt_config.h"

/** Longest payload qos_test_request() builds. */
#define QOS_TEST_MAX_PAYLOAD 1500

/**
 * The default configuration (config/qos.json's values) in @p mode at
 * channel rate @p rate_bps, every other rate scaled with the channel so that
 * shares and caps keep their proportions; validated.
 *
 * @return
 *   0, or -1 (the validation error is printed).
 */
int qos_test_config(struct qosdt_config *cfg, enum qosdt_sched_mode mode,
		uint64_t rate_bps);

/**
 * Turn @p cfg (priority mode) into the layout of three WRR classes under
 * strict realtime: reliable not strict and uncapped, throughput with tail
 * drop. The adaptive controller's tests and the WRR share tests are
 * written against it; not validated.
 */
void qos_test_three_wrr(struct qosdt_config *cfg);

/**
 * A one-segment request frame (qosdt_msg_build()) from @p pool: service
 * @p service, request id @p request_id, @p payload_len bytes of a pattern.
 *
 * @return
 *   The mbuf, or NULL (pool empty, too long a payload).
 */
struct rte_mbuf *qos_test_request(struct rte_mempool *pool, uint16_t service,
		uint64_t request_id, uint32_t payload_len);

#endif /* QOS_TEST_UTIL_H */
