/* SPDX-License-Identifier: BSD-3-Clause */

#include <rte_errno.h>
#include <rte_mbuf_dyn.h>

#include "qosdt_log.h"
#include "qosdt_mbuf.h"

int qosdt_mbuf_meta_offset = -1;

int
qosdt_mbuf_meta_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "qosdt_meta",
		.size = sizeof(struct qosdt_mbuf_meta),
		.align = __alignof__(struct qosdt_mbuf_meta),
	};
	int off;

	if (qosdt_mbuf_meta_offset >= 0)
		return 0;
	off = rte_mbuf_dynfield_register(&desc);
	if (off < 0) {
		QOSDT_LOG(ERR, "cannot register mbuf field %s: %s",
			desc.name, rte_strerror(rte_errno));
		return -1;
	}
	qosdt_mbuf_meta_offset = off;
	return 0;
}
