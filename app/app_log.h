/* SPDX-License-Identifier: BSD-3-Clause */
/* The application's one logtype, app.qosdt (registered in options.c). */

#ifndef QOSDT_APP_LOG_H
#define QOSDT_APP_LOG_H

#include <rte_log.h>

extern int app_logtype;

#define APP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, app_logtype, "qosdt: " fmt "\n", \
		##__VA_ARGS__)

#endif /* QOSDT_APP_LOG_H */
