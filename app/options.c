/* SPDX-License-Identifier: BSD-3-Clause */
#include "app_log.h"

RTE_LOG_REGISTER_DEFAULT(app_logtype, NOTICE);
