/* SPDX-License-Identifier: BSD-3-Clause */

#include "test.h"

static int
test_qos_classify(void)
{
	TEST_SKIP("not written yet");
}

REGISTER_TEST_COMMAND(qos_classify_autotest, test_qos_classify);
