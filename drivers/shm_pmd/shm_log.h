/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef SHM_LOG_H
#define SHM_LOG_H

#include <rte_log.h>

extern int shm_logtype;

/** Log a line of the net_shm driver (logtype pmd.net.shm). */
#define SHM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, shm_logtype, "net_shm: " fmt "\n", \
		##__VA_ARGS__)

#endif /* SHM_LOG_H */
