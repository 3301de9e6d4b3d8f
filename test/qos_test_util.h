/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef QOS_TEST_UTIL_H
#define QOS_TEST_UTIL_H

#include <stdint.h>

#include "qosdt_config.h"

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

#endif /* QOS_TEST_UTIL_H */
