/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 15 services with the original HyperAMP server's semantics
 * (`qosdt --services hvisor`, doc/services.md): C strings worked on in
 * place. The original's buffer is the data and a trailing NUL; the length
 * never changes; the text services stop at the first NUL; hashes and
 * numbers are written as text cut to the buffer (snprintf); the generators
 * keep their state for the whole server.
 */

#ifndef QOSDT_APP_SERVICES_HVISOR_H
#define QOSDT_APP_SERVICES_HVISOR_H

#include <stdint.h>

/** The generators' states: one set per server, shared by all requests. */
struct svc_hvisor_state {
	uint32_t xorshift;     /**< Service 12: xorshift32 (13/17/5). */
	uint32_t lcg;          /**< Service 13: the LCG. */
	uint32_t rand_string;  /**< Service 14: its own LCG. */
	uint32_t rand_letter;  /**< Service 15: its own LCG. */
};

/**
 * Put the generators in the original server's start state: xorshift32
 * before its first step (which starts from 123456789), the LCG at 1, the
 * random string's LCG at 12345 and the random letter's at 54321.
 *
 * @param st
 *   The states.
 */
void svc_hvisor_state_init(struct svc_hvisor_state *st);

/**
 * Run a service in place on a request, as the original server does.
 *
 * A request is the data, with or without the NUL the original client puts
 * after it (qosdt-send --text sends it). If its last byte is a NUL, the
 * request is the original's buffer; if not, the original's buffer is the
 * request and a NUL after it, which is neither written nor part of the
 * reply. Either way the reply is the first @p len bytes of that buffer
 * once served: what the original's client reads. Nothing outside
 * @p buf[0, len) is read or written.
 *
 * @param st
 *   The generators' states (services 12, 13 and 15 advance theirs on every
 *   request, 14 once per character written).
 * @param id
 *   Service id.
 * @param buf
 *   The request (may be NULL when @p len is 0), rewritten with the reply,
 *   which has the same length.
 * @param len
 *   Bytes in @p buf: the message's length.
 * @return
 *   0 on success; -ENOENT if @p id is no service (@p buf and @p st are
 *   left as they were).
 */
int svc_hvisor_run(struct svc_hvisor_state *st, uint16_t id, uint8_t *buf,
		uint32_t len);

#endif /* QOSDT_APP_SERVICES_HVISOR_H */
