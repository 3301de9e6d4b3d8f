/* SPDX-License-Identifier: BSD-3-Clause */
#include "test.h"

static int
test_app_services(void)
{
	return TEST_SKIPPED;
}

REGISTER_TEST_COMMAND(app_services_autotest, test_app_services);
