/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef QOSDT_LOG_H
#define QOSDT_LOG_H

#include <rte_log.h>

extern int qosdt_logtype;

/** Log a line of the QoS core (logtype lib.qosdt). */
#define QOSDT_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, qosdt_logtype, "qosdt: " fmt "\n", \
		##__VA_ARGS__)

#endif /* QOSDT_LOG_H */
