/* SPDX-License-Identifier: BSD-3-Clause */

#include "test.h"

static int
test_qos_telemetry(void)
{
	TEST_SKIP("not written yet");
}

REGISTER_TEST_COMMAND(qos_telemetry_autotest, test_qos_telemetry);
