/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * Service-aware classification: service id -> class and latency SLO in
 * O(1) (one 64 KiB table of rule indexes, one small rule array), applied
 * to bursts of frames. It writes only the mbuf's QoS metadata
 * (qosdt_mbuf.h); the frame is read, never changed.
 */

#ifndef QOSDT_CLASSIFIER_H
#define QOSDT_CLASSIFIER_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "qosdt_config.h"

struct qosdt_classifier;

/**
 * Build a classifier from the service map of a validated configuration.
 *
 * @param cfg
 *   The configuration (rules and class SLOs are copied).
 * @param socket
 *   NUMA socket for the table, or SOCKET_ID_ANY.
 * @return
 *   The classifier, or NULL (rte_errno set).
 */
struct qosdt_classifier *qosdt_classifier_create(const struct qosdt_config *cfg,
		int socket);

/**
 * Free a classifier (NULL is a no-op).
 *
 * @param cl
 *   The classifier.
 */
void qosdt_classifier_free(struct qosdt_classifier *cl);

/**
 * Class of a service id.
 *
 * @param cl
 *   The classifier.
 * @param service_id
 *   Any id; unmapped ids get services.default's class.
 * @param slo_latency_ns
 *   If not NULL, receives the id's latency SLO (per-service override, else
 *   its class's max_latency), 0 if none.
 * @return
 *   enum qosdt_class.
 */
unsigned int qosdt_classify_service(const struct qosdt_classifier *cl,
		uint16_t service_id, uint64_t *slo_latency_ns);

/**
 * Classify a burst of frames: for each mbuf, parse the service id
 * (qosdt_msg_service_id()) and write its metadata: class, service id,
 * latency SLO, timestamp @p tsc. A malformed frame gets
 * QOSDT_META_F_MALFORMED and the default class.
 *
 * @param cl
 *   The classifier.
 * @param pkts
 *   The frames.
 * @param n
 *   How many.
 * @param tsc
 *   Timestamp to record (rte_rdtsc()); latency is measured from it.
 * @return
 *   The number of malformed frames in the burst.
 */
uint16_t qosdt_classify_burst(const struct qosdt_classifier *cl,
		struct rte_mbuf **pkts, uint16_t n, uint64_t tsc);

#endif /* QOSDT_CLASSIFIER_H */
