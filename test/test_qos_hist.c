/* SPDX-License-Identifier: BSD-3-Clause */

#include "test.h"

static int
test_qos_hist(void)
{
	TEST_SKIP("not written yet");
}

REGISTER_TEST_COMMAND(qos_hist_autotest, test_qos_hist);
