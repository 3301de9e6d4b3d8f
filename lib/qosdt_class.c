/* SPDX-License-Identifier: BSD-3-Clause */

#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "qosdt_class.h"
#include "qosdt_log.h"

RTE_LOG_REGISTER_DEFAULT(qosdt_logtype, NOTICE);

static const char * const class_names[QOSDT_NB_CLASSES] = {
	[QOSDT_CLASS_REALTIME] = "realtime",
	[QOSDT_CLASS_THROUGHPUT] = "throughput",
	[QOSDT_CLASS_RELIABLE] = "reliable",
	[QOSDT_CLASS_BEST_EFFORT] = "best_effort",
};

const char *
qosdt_class_name(unsigned int cls)
{
	return cls < QOSDT_NB_CLASSES ? class_names[cls] : "unknown";
}

int
qosdt_class_from_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(class_names); i++)
		if (strcmp(name, class_names[i]) == 0)
			return i;
	return -1;
}
