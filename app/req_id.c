/* SPDX-License-Identifier: BSD-3-Clause */

#include <sys/random.h>

#include <rte_random.h>

#include "req_id.h"

uint32_t
req_id_incarnation_new(void)
{
	uint32_t v = 0;

	/* The kernel's pool first; in a guest so freshly booted that it is
	 * not ready yet (GRND_NONBLOCK: we never wait for it), rte_rand(),
	 * which EAL seeds from RDSEED where the CPU has it, else the TSC. */
	do {
		if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
			v = (uint32_t)(rte_rand() ^ (rte_rand() >> 32));
		v &= REQ_ID_INC_MAX;
	} while (v == 0);
	return v;
}
