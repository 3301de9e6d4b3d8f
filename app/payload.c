/* SPDX-License-Identifier: BSD-3-Clause */
/* Payloads from splitmix64 seeded with the request id. */

#include <string.h>

#include "payload.h"

static inline uint64_t
splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
payload_fill(uint8_t *buf, uint32_t len, uint64_t request_id)
{
	uint64_t state = request_id, v;
	uint32_t i;

	for (i = 0; i + sizeof(v) <= len; i += sizeof(v)) {
		v = splitmix64(&state);
		memcpy(buf + i, &v, sizeof(v));
	}
	if (i < len) {
		v = splitmix64(&state);
		memcpy(buf + i, &v, len - i);
	}
}
