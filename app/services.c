/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 15 HyperAMP services on explicit lengths. Every byte is data; the
 * length-preserving services also work in place (out == in).
 */

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_net_crc.h>
#include <rte_random.h>

#include "services.h"

#define XOR_KEY 0x42
#define CAESAR_SHIFT 3
#define ROT13_SHIFT 13
#define LETTERS 26
#define HASH_LEN 4

#define DJB2_INIT 5381u
#define FNV1A_OFFSET 2166136261u
#define FNV1A_PRIME 16777619u
#define XORSHIFT32_ZERO_SEED 2463534242u
#define LCG_MUL 1103515245u
#define LCG_INC 12345u
#define LCG_MASK 0x7fffffffu

/* How a service's reply length follows from its input length. */
enum reply_shape {
	REPLY_NONE,      /* no such service */
	REPLY_SAME,      /* as long as the input */
	REPLY_HASH,      /* HASH_LEN bytes */
	REPLY_ONE,       /* one byte */
};

struct service_desc {
	const char *name;
	enum reply_shape shape;
	bool deterministic;
};

static const struct service_desc services[SVC_MAX + 1] = {
	[SVC_ECHO]          = { "echo", REPLY_SAME, true },
	[SVC_FLIP]          = { "flip", REPLY_SAME, true },
	[SVC_CAESAR_ENC]    = { "caesar_enc", REPLY_SAME, true },
	[SVC_CAESAR_DEC]    = { "caesar_dec", REPLY_SAME, true },
	[SVC_XOR_ENC]       = { "xor_enc", REPLY_SAME, true },
	[SVC_XOR_DEC]       = { "xor_dec", REPLY_SAME, true },
	[SVC_ROT13_ENC]     = { "rot13_enc", REPLY_SAME, true },
	[SVC_ROT13_DEC]     = { "rot13_dec", REPLY_SAME, true },
	[SVC_DJB2]          = { "djb2", REPLY_HASH, true },
	[SVC_CRC32]         = { "crc32", REPLY_HASH, true },
	[SVC_FNV1A]         = { "fnv1a", REPLY_HASH, true },
	[SVC_XORSHIFT32]    = { "xorshift32", REPLY_HASH, true },
	[SVC_LCG]           = { "lcg", REPLY_HASH, true },
	[SVC_RANDOM_STRING] = { "random_string", REPLY_SAME, false },
	[SVC_RANDOM_LETTER] = { "random_letter", REPLY_ONE, false },
};

/* Letters first: the first LETTER_COUNT characters are the letters. */
static const char alphanumerics[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
#define ALNUM_COUNT (sizeof(alphanumerics) - 1)
#define LETTER_COUNT (2 * LETTERS)

/*
 * Shift an ASCII letter by @p shift (0..25) places within its case; any
 * other byte is itself. Branch-free so that loops over it vectorise.
 */
static inline uint8_t
shift_letter(uint8_t c, uint8_t shift)
{
	uint8_t pos = (uint8_t)((c | 0x20) - 'a');
	uint8_t moved = (uint8_t)(pos + shift);

	moved = moved >= LETTERS ? (uint8_t)(moved - LETTERS) : moved;
	return pos < LETTERS ? (uint8_t)(c - pos + moved) : c;
}

static const char *const semantics_names[] = {
	[SVC_SEMANTICS_BINARY] = "binary",
	[SVC_SEMANTICS_HVISOR] = "hvisor",
};

int
svc_semantics_from_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(semantics_names); i++)
		if (strcmp(name, semantics_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
svc_semantics_name(enum svc_semantics sem)
{
	return (unsigned int)sem < RTE_DIM(semantics_names) ?
		semantics_names[sem] : "unknown";
}

bool
svc_exists(uint16_t id)
{
	return id <= SVC_MAX && services[id].shape != REPLY_NONE;
}

bool
svc_is_deterministic(uint16_t id)
{
	return svc_exists(id) && services[id].deterministic;
}

const char *
svc_name(uint16_t id)
{
	return svc_exists(id) ? services[id].name : "unknown";
}

uint32_t
svc_reply_len(uint16_t id, uint32_t in_len)
{
	if (!svc_exists(id))
		return 0;
	switch (services[id].shape) {
	case REPLY_SAME:
		return in_len;
	case REPLY_HASH:
		return HASH_LEN;
	case REPLY_ONE:
		return 1;
	default:
		return 0;
	}
}

static void
put_be32(uint8_t *out, uint32_t v)
{
	rte_be32_t be = rte_cpu_to_be_32(v);

	memcpy(out, &be, sizeof(be));
}

/* The seed of the generators: the first 4 bytes, big-endian, zero-padded. */
static uint32_t
seed_of(const uint8_t *in, uint32_t in_len)
{
	uint32_t seed = 0;
	unsigned int i;

	for (i = 0; i < HASH_LEN; i++)
		seed = (seed << 8) | (i < in_len ? in[i] : 0);
	return seed;
}

static void
copy_bytes(const uint8_t *in, uint32_t len, uint8_t *out)
{
	if (out != in && len > 0)
		memcpy(out, in, len);
}

/* The 8 bytes at @p p, reversed. */
static uint64_t
load_reversed(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return rte_bswap64(w);
}

/* Reverse @p len bytes in place: 8-byte words from both ends, then bytes. */
static void
flip_in_place(uint8_t *buf, uint32_t len)
{
	uint32_t lo = 0, hi = len;

	while (hi - lo >= 16) {
		uint64_t head = load_reversed(buf + lo);
		uint64_t tail = load_reversed(buf + hi - 8);

		memcpy(buf + lo, &tail, 8);
		memcpy(buf + hi - 8, &head, 8);
		lo += 8;
		hi -= 8;
	}
	while (hi - lo >= 2) {
		uint8_t b = buf[lo];

		buf[lo++] = buf[--hi];
		buf[hi] = b;
	}
}

static void
flip_bytes(const uint8_t *in, uint32_t len, uint8_t *out)
{
	uint32_t i = 0;

	if (out == in) {
		flip_in_place(out, len);
		return;
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t w = load_reversed(in + len - 8 - i);

		memcpy(out + i, &w, 8);
	}
	for (; i < len; i++)
		out[i] = in[len - 1 - i];
}

static void
shift_letters(uint8_t shift, const uint8_t *in, uint32_t len, uint8_t *out)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		out[i] = shift_letter(in[i], shift);
}

static void
xor_bytes(const uint8_t *in, uint32_t len, uint8_t *out)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		out[i] = in[i] ^ XOR_KEY;
}

uint64_t
svc_djb2_64(const uint8_t *in, uint32_t len)
{
	uint64_t h = DJB2_INIT;
	uint32_t i;

	for (i = 0; i < len; i++)
		h = h * 33 + in[i];
	return h;
}

uint32_t
svc_fnv1a(const uint8_t *in, uint32_t len)
{
	uint32_t h = FNV1A_OFFSET;
	uint32_t i;

	for (i = 0; i < len; i++)
		h = (h ^ in[i]) * FNV1A_PRIME;
	return h;
}

/*
 * DPDK 22.11's rte_net_crc picks its implementation on the first call and
 * clears its handler table meanwhile: two lcores making their first call
 * together can read the cleared table. Pick it once, before any use: the
 * best the CPU and EAL's SIMD limit allow (the same choice as its own).
 */
static pthread_once_t crc32_pick_once = PTHREAD_ONCE_INIT;

static void
crc32_pick(void)
{
	rte_net_crc_set_alg(RTE_NET_CRC_AVX512);
}

uint32_t
svc_crc32(const uint8_t *in, uint32_t len)
{
	static const uint8_t empty;

	pthread_once(&crc32_pick_once, crc32_pick);
	/* rte_net_crc_calc does the init and final xor 0xFFFFFFFF. */
	return rte_net_crc_calc(len > 0 ? in : &empty, len, RTE_NET_CRC32_ETH);
}

static uint32_t
xorshift32(uint32_t x)
{
	if (x == 0)
		x = XORSHIFT32_ZERO_SEED;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static uint32_t
lcg(uint32_t x)
{
	return (x * LCG_MUL + LCG_INC) & LCG_MASK;
}

/*
 * Alphanumerics from 6-bit slices of one 64-bit draw each: a slice of 62
 * or 63 is skipped, so every character is equally likely.
 */
static void
random_alnum(uint32_t len, uint8_t *out)
{
	uint32_t i = 0;

	while (i < len) {
		uint64_t r = rte_rand();
		unsigned int slices;

		for (slices = 64 / 6; slices > 0 && i < len; slices--, r >>= 6) {
			unsigned int v = r & 0x3f;

			if (v < ALNUM_COUNT)
				out[i++] = alphanumerics[v];
		}
	}
}

int
svc_run(uint16_t id, const uint8_t *in, uint32_t in_len,
		uint8_t *out, uint32_t out_cap, uint32_t *out_len)
{
	uint32_t len;

	if (!svc_exists(id))
		return -ENOENT;
	len = svc_reply_len(id, in_len);
	if (out_cap < len)
		return -ENOSPC;

	switch ((enum service_id)id) {
	case SVC_ECHO:
		copy_bytes(in, in_len, out);
		break;
	case SVC_FLIP:
		flip_bytes(in, in_len, out);
		break;
	case SVC_CAESAR_ENC:
		shift_letters(CAESAR_SHIFT, in, in_len, out);
		break;
	case SVC_CAESAR_DEC:
		shift_letters(LETTERS - CAESAR_SHIFT, in, in_len, out);
		break;
	case SVC_XOR_ENC:
	case SVC_XOR_DEC:
		xor_bytes(in, in_len, out);
		break;
	case SVC_ROT13_ENC:
	case SVC_ROT13_DEC:
		shift_letters(ROT13_SHIFT, in, in_len, out);
		break;
	case SVC_DJB2:
		/* Mod 2^32 throughout: the 64-bit hash's low half. */
		put_be32(out, (uint32_t)svc_djb2_64(in, in_len));
		break;
	case SVC_CRC32:
		put_be32(out, svc_crc32(in, in_len));
		break;
	case SVC_FNV1A:
		put_be32(out, svc_fnv1a(in, in_len));
		break;
	case SVC_XORSHIFT32:
		put_be32(out, xorshift32(seed_of(in, in_len)));
		break;
	case SVC_LCG:
		put_be32(out, lcg(seed_of(in, in_len)));
		break;
	case SVC_RANDOM_STRING:
		random_alnum(in_len, out);
		break;
	case SVC_RANDOM_LETTER:
		out[0] = alphanumerics[rte_rand_max(LETTER_COUNT)];
		break;
	}
	*out_len = len;
	return 0;
}
