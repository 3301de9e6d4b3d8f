/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * Internal to lib/ (and the white-box tests): what a qosdt instance is
 * made of. Applications see struct qosdt as opaque (qosdt.h).
 */

#ifndef QOSDT_PRIV_H
#define QOSDT_PRIV_H

#include <stdbool.h>

#include "qosdt.h"

struct qosdt_classifier;
struct qosdt_sched;

/** A qosdt instance: its parts, built from one configuration. */
struct qosdt {
	struct qosdt_classifier *classifier;
	struct qosdt_sched *sched;
	uint32_t nb_tenants;              /**< Client VMs served, at least 1. */
	/** Per tenant (doc/tenants.md): its monitor and its buffers. */
	struct qosdt_monitor *mon[QOSDT_MAX_TENANTS];
	struct qosdt_resv *resv[QOSDT_MAX_TENANTS];
	struct qosdt_adaptive *adaptive;  /**< NULL: static configuration. */
	struct qosdt_counters counters;
	bool telemetry;
	struct qosdt_config cfg;
};

#endif /* QOSDT_PRIV_H */
