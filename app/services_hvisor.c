/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The original HyperAMP server's service semantics, rule by rule as
 * doc/services.md states them: in place, on the C string the buffer holds,
 * its length unchanged. Its char is unsigned (the original runs on
 * aarch64): every byte is read as 0..255. Text is written as its
 * snprintf(buf, size, ...) writes it, size being the original's buffer
 * (the data and its NUL), and only within the request's bytes.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "services.h"
#include "services_hvisor.h"

#define XOR_KEY 0x42
#define CAESAR_SHIFT 3
#define ROT13_SHIFT 13
#define LETTERS 26


/* xorshift32's state before its first step, and what that step starts from. */
#define XORSHIFT_UNSEEDED 1u
#define XORSHIFT_SEED 123456789u

#define LCG_MUL 1103515245u
#define LCG_INC 12345u
#define LCG_MASK 0x7fffffffu
#define LCG_SEED 1u
#define RAND_STRING_SEED 12345u
#define RAND_LETTER_SEED 54321u

/* The random string's longest length and its characters, in this order. */
#define RAND_STRING_MAX 63u
static const char rand_string_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
#define RAND_STRING_NCHARS (sizeof(rand_string_chars) - 1)

void
svc_hvisor_state_init(struct svc_hvisor_state *st)
{
	st->xorshift = XORSHIFT_UNSEEDED;
	st->lcg = LCG_SEED;
	st->rand_string = RAND_STRING_SEED;
	st->rand_letter = RAND_LETTER_SEED;
}

/* strlen() of the original's buffer: the request's first NUL, or its end. */
static uint32_t
text_len(const uint8_t *buf, uint32_t len)
{
	const uint8_t *nul = len > 0 ? memchr(buf, '\0', len) : NULL;

	return nul != NULL ? (uint32_t)(nul - buf) : len;
}

static void
flip(uint8_t *buf, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n / 2; i++) {
		uint8_t c = buf[i];

		buf[i] = buf[n - 1 - i];
		buf[n - 1 - i] = c;
	}
}

/* Shift a-z and A-Z by @p shift (0..25) places within their case. */
static void
shift_letters(uint8_t *buf, uint32_t n, unsigned int shift)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = buf[i];

		if (c >= 'a' && c <= 'z')
			buf[i] = (uint8_t)('a' + (c - 'a' + shift) % LETTERS);
		else if (c >= 'A' && c <= 'Z')
			buf[i] = (uint8_t)('A' + (c - 'A' + shift) % LETTERS);
	}
}

/*
 * XOR all of the n bytes of the string as it was: a 'B' becoming a NUL
 * does not stop the loop (the original takes strlen() once, first).
 */
static void
xor_bytes(uint8_t *buf, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		buf[i] ^= XOR_KEY;
}

static uint32_t
lcg_next(uint32_t x)
{
	return (x * LCG_MUL + LCG_INC) & LCG_MASK;
}

static uint32_t
xorshift_next(uint32_t x)
{
	/* The original reseeds whenever its state is 1, not only at first. */
	if (x == XORSHIFT_UNSEEDED)
		x = XORSHIFT_SEED;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/*
 * The original's buffer is the data and its NUL. A request that ends with
 * a NUL is that buffer; one that does not is the data alone, and the
 * original's buffer is one byte longer: the NUL after it, which is not
 * ours to write (nor sent back). Its size, then (64 bits: len + 1 cannot
 * wrap).
 */
static uint64_t
original_size(const uint8_t *buf, uint32_t len)
{
	return len > 0 && buf[len - 1] == '\0' ? len : (uint64_t)len + 1;
}

/*
 * snprintf(buf, size, "%s", text) into the original's buffer of @p size
 * bytes, of which the first @p len are ours: at most size - 1 characters
 * and a NUL; the bytes after the NUL are left as they were.
 */
static void
put_text(uint8_t *buf, uint32_t len, uint64_t size, const char *text)
{
	uint32_t k = (uint32_t)RTE_MIN((uint64_t)strlen(text), size - 1);

	if (k > 0)      /* buf may be NULL when len is 0 */
		memcpy(buf, text, k);
	if (k < len)
		buf[k] = '\0';
}

/* min(data length, 63) characters, then a NUL. */
static void
rand_string(uint32_t *state, uint8_t *buf, uint32_t len, uint64_t size)
{
	uint32_t n = (uint32_t)RTE_MIN(size - 1, (uint64_t)RAND_STRING_MAX);
	uint32_t i;

	for (i = 0; i < n; i++) {
		*state = lcg_next(*state);
		buf[i] = (uint8_t)rand_string_chars[*state % RAND_STRING_NCHARS];
	}
	if (n < len)
		buf[n] = '\0';
}

int
svc_hvisor_run(struct svc_hvisor_state *st, uint16_t id, uint8_t *buf,
		uint32_t len)
{
	char text[RTE_MAX(sizeof("18446744073709551615"), sizeof("FFFFFFFF"))];
	uint64_t size;
	uint32_t n;

	if (!svc_exists(id))
		return -ENOENT;
	size = original_size(buf, len);
	n = text_len(buf, len);
	switch ((enum service_id)id) {
	case SVC_ECHO:
		break;
	case SVC_FLIP:
		flip(buf, n);
		break;
	case SVC_CAESAR_ENC:
		shift_letters(buf, n, CAESAR_SHIFT);
		break;
	case SVC_CAESAR_DEC:
		shift_letters(buf, n, LETTERS - CAESAR_SHIFT);
		break;
	case SVC_XOR_ENC:
	case SVC_XOR_DEC:
		xor_bytes(buf, n);
		break;
	case SVC_ROT13_ENC:
	case SVC_ROT13_DEC:
		shift_letters(buf, n, ROT13_SHIFT);
		break;
	case SVC_DJB2:
		snprintf(text, sizeof(text), "%" PRIu64, svc_djb2_64(buf, n));
		put_text(buf, len, size, text);
		break;
	case SVC_CRC32:
		snprintf(text, sizeof(text), "%08" PRIX32, svc_crc32(buf, n));
		put_text(buf, len, size, text);
		break;
	case SVC_FNV1A:
		snprintf(text, sizeof(text), "%08" PRIX32, svc_fnv1a(buf, n));
		put_text(buf, len, size, text);
		break;
	case SVC_XORSHIFT32:
		st->xorshift = xorshift_next(st->xorshift);
		snprintf(text, sizeof(text), "%" PRIu32, st->xorshift);
		put_text(buf, len, size, text);
		break;
	case SVC_LCG:
		st->lcg = lcg_next(st->lcg);
		snprintf(text, sizeof(text), "%" PRIu32, st->lcg);
		put_text(buf, len, size, text);
		break;
	case SVC_RANDOM_STRING:
		rand_string(&st->rand_string, buf, len, size);
		break;
	case SVC_RANDOM_LETTER:
		st->rand_letter = lcg_next(st->rand_letter);
		text[0] = (char)('A' + st->rand_letter % LETTERS);
		text[1] = '\0';
		put_text(buf, len, size, text);
		break;
	}
	return 0;
}
