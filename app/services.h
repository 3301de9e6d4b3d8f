/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 15 services of the service VM (HyperAMP's, doc/services.md), on
 * explicit lengths: every byte value is data, nothing is NUL-terminated.
 * These are the "binary" semantics; services_hvisor.h has the original
 * server's C-string ones.
 */

#ifndef QOSDT_APP_SERVICES_H
#define QOSDT_APP_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

/** Service ids (the HyperAMP numbering). */
enum service_id {
	SVC_ECHO = 1,           /**< The input. */
	SVC_FLIP = 2,           /**< The input reversed. */
	SVC_CAESAR_ENC = 3,     /**< Letters shifted +3 (a-z, A-Z wrap). */
	SVC_CAESAR_DEC = 4,     /**< Letters shifted -3. */
	SVC_XOR_ENC = 5,        /**< Every byte XOR 0x42. */
	SVC_XOR_DEC = 6,        /**< Every byte XOR 0x42. */
	SVC_ROT13_ENC = 7,      /**< ROT13 on letters. */
	SVC_ROT13_DEC = 8,      /**< ROT13 on letters. */
	SVC_DJB2 = 9,           /**< djb2 hash, 4 bytes big-endian. */
	SVC_CRC32 = 10,         /**< CRC-32 (IEEE, reflected), 4 bytes big-endian. */
	SVC_FNV1A = 11,         /**< FNV-1a 32-bit, 4 bytes big-endian. */
	/**
	 * One xorshift32 step (13/17/5) from a seed, 4 bytes big-endian. The
	 * seed is the input's first 4 bytes, big-endian, zero-padded when the
	 * input is shorter; a zero seed is replaced by 2463534242.
	 */
	SVC_XORSHIFT32 = 12,
	/**
	 * One LCG step (seed * 1103515245 + 12345) & 0x7fffffff, 4 bytes
	 * big-endian, seeded like SVC_XORSHIFT32 (a zero seed stays 0).
	 */
	SVC_LCG = 13,
	SVC_RANDOM_STRING = 14, /**< Random alphanumerics, as long as the input. */
	SVC_RANDOM_LETTER = 15, /**< One random letter. */
};

/** The services' semantics a server answers with (--services). */
enum svc_semantics {
	SVC_SEMANTICS_BINARY = 0, /**< Explicit lengths (this file). */
	SVC_SEMANTICS_HVISOR,     /**< The original's (services_hvisor.h). */
};

/** The highest service id that exists. */
#define SVC_MAX SVC_RANDOM_LETTER

/** Longest reply any service gives for an input of @p in_len bytes. */
#define SVC_REPLY_MAX(in_len) ((in_len) > 4 ? (in_len) : 4)

/**
 * Whether a service id names one of the 15 services.
 *
 * @param id
 *   Service id.
 * @return
 *   true for 1..15.
 */
bool svc_exists(uint16_t id);

/**
 * Whether a service's reply is a function of its input alone (all but
 * 14 and 15): a client can verify it byte for byte.
 *
 * @param id
 *   Service id.
 * @return
 *   true if deterministic; false for random or unknown services.
 */
bool svc_is_deterministic(uint16_t id);

/**
 * The service's short name ("echo", "crc32", ...).
 *
 * @param id
 *   Service id.
 * @return
 *   A static string; "unknown" for an id that is no service.
 */
const char *svc_name(uint16_t id);

/**
 * The length of the reply to an input of @p in_len bytes.
 *
 * @param id
 *   Service id (must exist).
 * @param in_len
 *   Input bytes.
 * @return
 *   Reply bytes (at most SVC_REPLY_MAX(in_len)).
 */
uint32_t svc_reply_len(uint16_t id, uint32_t in_len);

/**
 * Run a service.
 *
 * @param id
 *   Service id.
 * @param in
 *   Input, @p in_len bytes (may be NULL when in_len is 0).
 * @param in_len
 *   Input bytes.
 * @param out
 *   Output buffer of @p out_cap bytes. It may be the same buffer as @p in
 *   (in-place), but must not overlap it otherwise.
 * @param out_cap
 *   Size of @p out: at least svc_reply_len(id, in_len).
 * @param out_len
 *   Set to the reply's length on success.
 * @return
 *   0 on success; -ENOENT if @p id is no service; -ENOSPC if @p out_cap
 *   is too small (nothing written).
 */
int svc_run(uint16_t id, const uint8_t *in, uint32_t in_len,
		uint8_t *out, uint32_t out_cap, uint32_t *out_len);

/**
 * The semantics a --services value names.
 *
 * @param name
 *   "binary" or "hvisor".
 * @return
 *   enum svc_semantics, or -1 for any other name.
 */
int svc_semantics_from_name(const char *name);

/**
 * The name of a semantics ("binary", "hvisor").
 *
 * @param sem
 *   enum svc_semantics.
 * @return
 *   A static string; "unknown" for a value that is none.
 */
const char *svc_semantics_name(enum svc_semantics sem);

/**
 * CRC-32 (IEEE: reflected 0xEDB88320, init and final xor 0xFFFFFFFF), the
 * hash of service 10 in both semantics.
 *
 * @param p
 *   Bytes (may be NULL when @p len is 0).
 * @param len
 *   How many.
 * @return
 *   The CRC ("123456789" gives 0xCBF43926).
 */
uint32_t svc_crc32(const uint8_t *p, uint32_t len);

/**
 * djb2 in 64 bits (h = 5381; h = h * 33 + c), the hash of service 9: the
 * original's (an unsigned long on aarch64) is all of it, the binary
 * semantics' 32-bit one its low half.
 *
 * @param p
 *   Bytes.
 * @param len
 *   How many.
 * @return
 *   The hash.
 */
uint64_t svc_djb2_64(const uint8_t *p, uint32_t len);

/**
 * FNV-1a in 32 bits, the hash of service 11 in both semantics.
 *
 * @param p
 *   Bytes.
 * @param len
 *   How many.
 * @return
 *   The hash.
 */
uint32_t svc_fnv1a(const uint8_t *p, uint32_t len);

#endif /* QOSDT_APP_SERVICES_H */
