/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request payloads the client can regenerate from the request id alone,
 * so that a reply is verified without keeping the request.
 */

#ifndef QOSDT_APP_PAYLOAD_H
#define QOSDT_APP_PAYLOAD_H

#include <stdint.h>

/**
 * Fill @p len bytes with the payload of request @p request_id: pseudo-
 * random bytes of every value (0x00 included: the services are binary
 * safe), the same for the same id.
 *
 * @param buf
 *   Destination, @p len bytes, any alignment.
 * @param len
 *   Bytes.
 * @param request_id
 *   The request id.
 */
void payload_fill(uint8_t *buf, uint32_t len, uint64_t request_id);

#endif /* QOSDT_APP_PAYLOAD_H */
