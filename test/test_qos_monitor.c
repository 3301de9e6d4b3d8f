/* SPDX-License-Identifier: BSD-3-Clause */

#include "test.h"

static int
test_qos_monitor(void)
{
	TEST_SKIP("not written yet");
}

REGISTER_TEST_COMMAND(qos_monitor_autotest, test_qos_monitor);
