/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The 15 services (app/services.h) against independent known vectors:
 * ids and names, echo/flip/Caesar/XOR/ROT13 on every byte value, the three
 * hashes (CRC-32 also against a bitwise reference), the two generators
 * from hand-computed seeds, the random services' length and alphabet,
 * exact reply lengths, -ENOSPC without a write, in-place operation.
 *
 * The original HyperAMP server's semantics (app/services_hvisor.h,
 * --services hvisor): known answers for every service, computed apart
 * (by a Python model of doc/services.md's rules and, for the hashes,
 * their published check values), the generators' first values from a
 * fresh server and their independence, requests without their NUL, the
 * hash text cut to short buffers, NOT_EXIST leaving buffer and generators
 * alone, and every id on every length up to 80 against ref_hvisor_run(), a
 * reference written here from the same rules, on buffers exactly as long
 * as the request (so that ASan sees any byte read or written outside it).
 * Then the --services option: its values, a bad one, the client refused.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "options.h"
#include "services.h"
#include "services_hvisor.h"
#include "test.h"

#define BIG_LEN 1500
#define CANARY 0xA5

static const uint32_t test_lengths[] = { 0, 1, 3, 4, 5, BIG_LEN };

static uint8_t in_buf[BIG_LEN];
static uint8_t out_buf[BIG_LEN + 16];
static uint8_t ref_buf[BIG_LEN];

/* Run a service on @p len bytes of @p in; the reply must be @p want_len long. */
static int
run_ok(uint16_t id, const void *in, uint32_t len, uint32_t want_len)
{
	uint32_t out_len = UINT32_MAX;
	int ret;

	ret = svc_run(id, in, len, out_buf, sizeof(out_buf), &out_len);
	TEST_ASSERT_SUCCESS(ret, "service %u (%s) failed: %d", id,
		svc_name(id), ret);
	TEST_ASSERT_EQUAL(out_len, want_len, "service %u: reply of %u bytes",
		id, out_len);
	return TEST_SUCCESS;
}

/* The reply's 4 bytes as a big-endian number. */
static uint32_t
out_be32(void)
{
	return (uint32_t)out_buf[0] << 24 | (uint32_t)out_buf[1] << 16 |
		(uint32_t)out_buf[2] << 8 | out_buf[3];
}

static bool
is_letter(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_alnum(uint8_t c)
{
	return is_letter(c) || (c >= '0' && c <= '9');
}

static void
fill_pattern(uint8_t *buf, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
}

static int
test_ids_and_names(void)
{
	static const uint16_t not_ids[] = { 0, SVC_MAX + 1, UINT16_MAX };
	uint32_t out_len = 77;
	unsigned int i, j;

	for (i = 1; i <= 15; i++) {
		TEST_ASSERT(svc_exists(i), "service %u missing", i);
		TEST_ASSERT(strcmp(svc_name(i), "unknown") != 0,
			"service %u has no name", i);
		TEST_ASSERT_EQUAL(svc_is_deterministic(i), i < 14,
			"service %u: wrong determinism", i);
		for (j = 1; j < i; j++)
			TEST_ASSERT(strcmp(svc_name(i), svc_name(j)) != 0,
				"services %u and %u share the name %s",
				j, i, svc_name(i));
	}
	TEST_ASSERT(strcmp(svc_name(SVC_ECHO), "echo") == 0, "echo's name");
	TEST_ASSERT(strcmp(svc_name(SVC_CRC32), "crc32") == 0, "crc32's name");
	for (i = 0; i < RTE_DIM(not_ids); i++) {
		uint16_t id = not_ids[i];

		TEST_ASSERT(!svc_exists(id), "id %u exists", id);
		TEST_ASSERT(!svc_is_deterministic(id), "id %u deterministic", id);
		TEST_ASSERT(strcmp(svc_name(id), "unknown") == 0,
			"id %u named %s", id, svc_name(id));
		TEST_ASSERT_EQUAL(svc_run(id, (const uint8_t *)"x", 1, out_buf,
			sizeof(out_buf), &out_len), -ENOENT,
			"id %u ran", id);
	}
	TEST_ASSERT_EQUAL(out_len, 77u, "unknown id set out_len");
	return TEST_SUCCESS;
}

static int
test_echo_binary(void)
{
	unsigned int i;

	for (i = 0; i < 256; i++)
		in_buf[i] = (uint8_t)i;
	in_buf[256] = 0xFF;
	in_buf[257] = 0x00;
	if (run_ok(SVC_ECHO, in_buf, 258, 258) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(memcmp(out_buf, in_buf, 258) == 0,
		"echo changed a byte");
	return run_ok(SVC_ECHO, NULL, 0, 0);
}

static int
test_flip(void)
{
	static const uint8_t abc[] = { 'a', 'b', 'c', 0, 'd' };
	static const uint8_t cba[] = { 'd', 0, 'c', 'b', 'a' };

	if (run_ok(SVC_FLIP, abc, sizeof(abc), sizeof(cba)) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(memcmp(out_buf, cba, sizeof(cba)) == 0,
		"flip of \"abc\\0d\" is not \"d\\0cba\"");
	if (run_ok(SVC_FLIP, "Z", 1, 1) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(out_buf[0], 'Z', "flip of one byte");
	return run_ok(SVC_FLIP, NULL, 0, 0);
}

/* Every length up to 70, copied and in place: byte i lands at len - 1 - i. */
static int
test_flip_lengths(void)
{
	uint8_t place[70];
	uint32_t len, i, out_len;

	fill_pattern(in_buf, sizeof(place));
	for (len = 0; len <= sizeof(place); len++) {
		if (run_ok(SVC_FLIP, in_buf, len, len))
			return TEST_FAILED;
		memcpy(place, in_buf, len);
		TEST_ASSERT_SUCCESS(svc_run(SVC_FLIP, place, len, place, len,
			&out_len), "flip in place of %u bytes", len);
		for (i = 0; i < len; i++) {
			TEST_ASSERT_EQUAL(out_buf[i], in_buf[len - 1 - i],
				"flip of %u bytes: byte %u", len, i);
			TEST_ASSERT_EQUAL(place[i], in_buf[len - 1 - i],
				"flip in place of %u bytes: byte %u", len, i);
		}
	}
	return TEST_SUCCESS;
}

/* @p from through service @p id must give @p to (same length). */
static int
check_text(uint16_t id, const char *from, const char *to)
{
	uint32_t len = strlen(from);

	if (run_ok(id, from, len, len) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(memcmp(out_buf, to, len) == 0,
		"%s(\"%s\") = \"%.*s\", expected \"%s\"", svc_name(id), from,
		(int)len, (const char *)out_buf, to);
	return TEST_SUCCESS;
}

/*
 * Every byte value through service @p id, which shifts letters by @p shift
 * places: letters as the alphabet says, every other byte unchanged.
 */
static int
check_all_bytes(uint16_t id, unsigned int shift)
{
	unsigned int i;

	for (i = 0; i < 256; i++)
		in_buf[i] = (uint8_t)i;
	if (run_ok(id, in_buf, 256, 256) != TEST_SUCCESS)
		return TEST_FAILED;
	for (i = 0; i < 256; i++) {
		uint8_t want = i;

		if (i >= 'a' && i <= 'z')
			want = 'a' + (i - 'a' + shift) % 26;
		else if (i >= 'A' && i <= 'Z')
			want = 'A' + (i - 'A' + shift) % 26;
		TEST_ASSERT_EQUAL(out_buf[i], want,
			"%s: byte 0x%02x became 0x%02x, expected 0x%02x",
			svc_name(id), i, out_buf[i], want);
	}
	return TEST_SUCCESS;
}

static int
test_caesar(void)
{
	if (check_text(SVC_CAESAR_ENC, "xyzXYZ abc!", "abcABC def!") ||
			check_text(SVC_CAESAR_DEC, "abcABC def!", "xyzXYZ abc!") ||
			check_text(SVC_CAESAR_ENC, "Hello", "Khoor") ||
			check_all_bytes(SVC_CAESAR_ENC, 3) ||
			check_all_bytes(SVC_CAESAR_DEC, 26 - 3))
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
test_rot13(void)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	static const char rotated[] =
		"NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm";

	if (check_text(SVC_ROT13_ENC, "Hello, World!", "Uryyb, Jbeyq!") ||
			check_text(SVC_ROT13_DEC, "Uryyb, Jbeyq!", "Hello, World!") ||
			check_text(SVC_ROT13_ENC, alphabet, rotated) ||
			check_text(SVC_ROT13_DEC, rotated, alphabet) ||
			check_all_bytes(SVC_ROT13_ENC, 13) ||
			check_all_bytes(SVC_ROT13_DEC, 13))
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
test_xor(void)
{
	static const uint8_t bytes[] = { 'A', 0x42, 0x00, 0xFF };
	static const uint8_t xored[] = { 0x03, 0x00, 0x42, 0xBD };
	unsigned int i;

	if (run_ok(SVC_XOR_ENC, bytes, sizeof(bytes), sizeof(bytes)))
		return TEST_FAILED;
	TEST_ASSERT(memcmp(out_buf, xored, sizeof(xored)) == 0,
		"XOR 0x42 of 41 42 00 FF gave %02x %02x %02x %02x",
		out_buf[0], out_buf[1], out_buf[2], out_buf[3]);

	for (i = 0; i < 256; i++)
		in_buf[i] = (uint8_t)i;
	if (run_ok(SVC_XOR_ENC, in_buf, 256, 256))
		return TEST_FAILED;
	memcpy(ref_buf, out_buf, 256);
	if (run_ok(SVC_XOR_DEC, ref_buf, 256, 256))
		return TEST_FAILED;
	TEST_ASSERT(memcmp(out_buf, in_buf, 256) == 0,
		"XOR decode of the encoding is not the input");
	return TEST_SUCCESS;
}

/* Service @p id on @p len bytes of @p in must give @p want, big-endian. */
static int
check_hash(uint16_t id, const void *in, uint32_t len, uint32_t want)
{
	if (run_ok(id, in, len, 4) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(out_be32(), want, "%s of %u bytes = 0x%08x, expected 0x%08x",
		svc_name(id), len, out_be32(), want);
	return TEST_SUCCESS;
}

static int
test_djb2_fnv1a(void)
{
	static const uint8_t ff = 0xFF;

	/* djb2("ab") = (5381 * 33 + 97) * 33 + 98 = 177670 * 33 + 98 = 5863208. */
	/* djb2({0xFF}) = 5381 * 33 + 255 = 177828: the byte is unsigned. */
	if (check_hash(SVC_DJB2, NULL, 0, 5381) ||
			check_hash(SVC_DJB2, "ab", 2, 5863208) ||
			check_hash(SVC_DJB2, &ff, 1, 177828) ||
			check_hash(SVC_FNV1A, NULL, 0, 0x811C9DC5) ||
			check_hash(SVC_FNV1A, "a", 1, 0xE40C292C))
		return TEST_FAILED;
	/* The hash is written big-endian: 5863208 = 0x00597728. */
	if (run_ok(SVC_DJB2, "ab", 2, 4))
		return TEST_FAILED;
	TEST_ASSERT(out_buf[0] == 0x00 && out_buf[1] == 0x59 &&
		out_buf[2] == 0x77 && out_buf[3] == 0x28,
		"djb2 not big-endian: %02x %02x %02x %02x",
		out_buf[0], out_buf[1], out_buf[2], out_buf[3]);
	return TEST_SUCCESS;
}

/* CRC-32 (IEEE, reflected) one bit at a time: the reference. */
static uint32_t
crc32_bitwise(const uint8_t *p, uint32_t len)
{
	uint32_t crc = 0xFFFFFFFF;
	uint32_t i;
	int bit;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320 & -(crc & 1));
	}
	return crc ^ 0xFFFFFFFF;
}

static int
test_crc32(void)
{
	uint32_t off, len;

	if (check_hash(SVC_CRC32, "123456789", 9, 0xCBF43926) ||
			check_hash(SVC_CRC32, NULL, 0, 0))
		return TEST_FAILED;
	/* Every length up to 300 at several alignments: all code paths. */
	fill_pattern(in_buf, BIG_LEN);
	for (off = 0; off < 4; off++)
		for (len = 0; len <= 300; len++)
			if (check_hash(SVC_CRC32, in_buf + off, len,
					crc32_bitwise(in_buf + off, len)))
				return TEST_FAILED;
	return check_hash(SVC_CRC32, in_buf, BIG_LEN,
		crc32_bitwise(in_buf, BIG_LEN));
}

static int
test_xorshift32(void)
{
	static const uint8_t seed1[] = { 0, 0, 0, 1 };
	static const uint8_t seed256[] = { 0, 0, 1 };
	static const uint8_t seed1_long[] = { 0, 0, 0, 1, 0xFF, 0xFF };
	static const uint8_t zero[] = { 0, 0, 0, 0 };

	/* Seed 1: 1 ^ 1<<13 = 0x2001; >>17 adds nothing; ^ 0x2001<<5 = 0x42021. */
	if (check_hash(SVC_XORSHIFT32, seed1, 4, 270369) ||
			check_hash(SVC_XORSHIFT32, seed1_long, 6, 270369))
		return TEST_FAILED;
	/*
	 * 00 00 01 is padded to 00 00 01 00, seed 0x100:
	 * 0x100 ^ 0x200000 = 0x200100; ^ (>>17 = 0x10) = 0x200110;
	 * ^ (<<5 = 0x4002200) = 0x4202310.
	 */
	if (check_hash(SVC_XORSHIFT32, seed256, 3, 0x4202310))
		return TEST_FAILED;
	/*
	 * Seed 0 (4 zero bytes, or no input) becomes 2463534242 = 0x92D68CA2:
	 * ^ (<<13 = 0xD1944000) = 0x4342CCA2; ^ (>>17 = 0x21A1) = 0x4342ED03;
	 * ^ (<<5 = 0x685DA060) = 0x2B1F4D63.
	 */
	if (check_hash(SVC_XORSHIFT32, zero, 4, 0x2B1F4D63) ||
			check_hash(SVC_XORSHIFT32, NULL, 0, 0x2B1F4D63))
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
test_lcg(void)
{
	static const uint8_t seed1[] = { 0, 0, 0, 1 };
	static const uint8_t seed256[] = { 0, 0, 1 };
	static const uint8_t zero[] = { 0, 0, 0, 0 };

	/* Seed 1: 1103515245 + 12345 = 1103527590 (< 2^31, mask keeps it). */
	if (check_hash(SVC_LCG, seed1, 4, 1103527590))
		return TEST_FAILED;
	/*
	 * 00 00 01 -> seed 0x100: 0x100 * 0x41C64E6D = 0x41C64E6D00, low 32
	 * bits 0xC64E6D00; + 0x3039 = 0xC64E9D39; & 0x7FFFFFFF = 0x464E9D39.
	 */
	if (check_hash(SVC_LCG, seed256, 3, 0x464E9D39))
		return TEST_FAILED;
	/* A zero seed stays 0: the reply is the increment, 12345. */
	if (check_hash(SVC_LCG, zero, 4, 12345) ||
			check_hash(SVC_LCG, NULL, 0, 12345))
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
test_random_string(void)
{
	/* 62 * 200 draws: P(some character never drawn) < 62 * e^-200. */
	enum { DRAWS = 62 * 200, CHUNK = 1240 };
	bool seen[256] = { false };
	uint8_t first[16];
	unsigned int i, n, distinct = 0;
	bool differs = false;

	for (n = 0; n < DRAWS / CHUNK; n++) {
		if (run_ok(SVC_RANDOM_STRING, in_buf, CHUNK, CHUNK))
			return TEST_FAILED;
		for (i = 0; i < CHUNK; i++) {
			TEST_ASSERT(is_alnum(out_buf[i]),
				"random string byte 0x%02x is no alphanumeric",
				out_buf[i]);
			if (!seen[out_buf[i]])
				distinct++;
			seen[out_buf[i]] = true;
		}
	}
	TEST_ASSERT_EQUAL(distinct, 62u, "only %u of 62 characters drawn",
		distinct);

	if (run_ok(SVC_RANDOM_STRING, in_buf, sizeof(first), sizeof(first)))
		return TEST_FAILED;
	memcpy(first, out_buf, sizeof(first));
	for (n = 0; n < 5 && !differs; n++) {
		if (run_ok(SVC_RANDOM_STRING, in_buf, sizeof(first),
				sizeof(first)))
			return TEST_FAILED;
		differs = memcmp(first, out_buf, sizeof(first)) != 0;
	}
	TEST_ASSERT(differs, "6 random strings of 16 were the same");
	return run_ok(SVC_RANDOM_STRING, NULL, 0, 0);
}

static int
test_random_letter(void)
{
	/* 52 * 100 draws: P(some letter never drawn) < 52 * e^-100. */
	enum { DRAWS = 52 * 100 };
	bool seen[256] = { false };
	unsigned int n, distinct = 0;

	for (n = 0; n < DRAWS; n++) {
		uint32_t in_len = test_lengths[n % RTE_DIM(test_lengths)];

		if (run_ok(SVC_RANDOM_LETTER, in_buf, in_len, 1))
			return TEST_FAILED;
		TEST_ASSERT(is_letter(out_buf[0]),
			"random letter 0x%02x is no letter", out_buf[0]);
		if (!seen[out_buf[0]])
			distinct++;
		seen[out_buf[0]] = true;
	}
	TEST_ASSERT_EQUAL(distinct, 52u, "only %u of 52 letters drawn",
		distinct);
	return TEST_SUCCESS;
}

/* svc_reply_len is what svc_run writes, and nothing is written past it. */
static int
test_reply_len_exact(void)
{
	uint16_t id;
	unsigned int l;
	uint32_t i;

	fill_pattern(in_buf, BIG_LEN);
	for (id = 1; id <= SVC_MAX; id++) {
		for (l = 0; l < RTE_DIM(test_lengths); l++) {
			uint32_t len = test_lengths[l];
			uint32_t want = svc_reply_len(id, len);
			uint32_t out_len = UINT32_MAX;

			TEST_ASSERT(want <= SVC_REPLY_MAX(len),
				"%s: reply %u > SVC_REPLY_MAX(%u)",
				svc_name(id), want, len);
			memset(out_buf, CANARY, sizeof(out_buf));
			/* out_cap exactly the reply's length is enough. */
			TEST_ASSERT_SUCCESS(svc_run(id, in_buf, len, out_buf,
				want, &out_len), "%s on %u bytes", svc_name(id),
				len);
			TEST_ASSERT_EQUAL(out_len, want,
				"%s on %u bytes: wrote %u, svc_reply_len says %u",
				svc_name(id), len, out_len, want);
			for (i = want; i < sizeof(out_buf); i++)
				TEST_ASSERT_EQUAL(out_buf[i], CANARY,
					"%s on %u bytes wrote byte %u",
					svc_name(id), len, i);
		}
	}
	return TEST_SUCCESS;
}

/* Too small an out_cap: -ENOSPC, and neither out nor out_len touched. */
static int
test_enospc_untouched(void)
{
	uint16_t id;
	unsigned int l;
	uint32_t i;

	fill_pattern(in_buf, BIG_LEN);
	for (id = 1; id <= SVC_MAX; id++) {
		for (l = 0; l < RTE_DIM(test_lengths); l++) {
			uint32_t len = test_lengths[l];
			uint32_t want = svc_reply_len(id, len);
			uint32_t out_len = 12345;

			if (want == 0)
				continue;
			memset(out_buf, CANARY, sizeof(out_buf));
			TEST_ASSERT_EQUAL(svc_run(id, in_buf, len, out_buf,
				want - 1, &out_len), -ENOSPC,
				"%s on %u bytes with room for %u", svc_name(id),
				len, want - 1);
			TEST_ASSERT_EQUAL(out_len, 12345u,
				"%s: refused run set out_len", svc_name(id));
			for (i = 0; i < sizeof(out_buf); i++)
				TEST_ASSERT_EQUAL(out_buf[i], CANARY,
					"%s: refused run wrote byte %u",
					svc_name(id), i);
		}
	}
	return TEST_SUCCESS;
}

/*
 * out == in gives what a separate out buffer gives, for every service whose
 * reply is as long as its input (the random string: length and alphabet).
 */
static int
test_in_place(void)
{
	uint8_t place[BIG_LEN];
	uint16_t id;
	unsigned int l;
	uint32_t i;

	for (id = 1; id <= SVC_MAX; id++) {
		if (svc_reply_len(id, BIG_LEN) != BIG_LEN)
			continue;
		for (l = 0; l < RTE_DIM(test_lengths); l++) {
			uint32_t len = test_lengths[l];
			uint32_t out_len = UINT32_MAX;

			fill_pattern(in_buf, len);
			memcpy(place, in_buf, len);
			if (run_ok(id, in_buf, len, len))
				return TEST_FAILED;
			TEST_ASSERT_SUCCESS(svc_run(id, place, len, place, len,
				&out_len), "%s in place on %u bytes",
				svc_name(id), len);
			TEST_ASSERT_EQUAL(out_len, len, "%s in place",
				svc_name(id));
			if (svc_is_deterministic(id)) {
				TEST_ASSERT(memcmp(place, out_buf, len) == 0,
					"%s in place on %u bytes differs",
					svc_name(id), len);
				continue;
			}
			for (i = 0; i < len; i++)
				TEST_ASSERT(is_alnum(place[i]),
					"%s in place: byte 0x%02x",
					svc_name(id), place[i]);
		}
	}
	/* A hash may also land on its own input when the buffer has room. */
	memcpy(place, "123456789", 9);
	TEST_ASSERT_SUCCESS(svc_run(SVC_CRC32, place, 9, place, 9, &i),
		"crc32 in place");
	TEST_ASSERT(i == 4 && place[0] == 0xCB && place[1] == 0xF4 &&
		place[2] == 0x39 && place[3] == 0x26, "crc32 in place wrong");
	return TEST_SUCCESS;
}

/* The original's semantics (services_hvisor.h). */

/* A reference of the original's rules, written apart from the code. */
struct ref_hvisor {
	uint32_t xorshift, lcg, rand_string, rand_letter;
};

static void
ref_hvisor_init(struct ref_hvisor *g)
{
	g->xorshift = 1;          /* becomes 123456789 before each step from 1 */
	g->lcg = 1;
	g->rand_string = 12345;
	g->rand_letter = 54321;
}

static uint32_t
ref_lcg(uint32_t x)
{
	return (uint32_t)(((uint64_t)x * 1103515245u + 12345u) % 0x80000000u);
}

/* Letters shifted by @p shift within their case, written out longhand. */
static uint8_t
ref_shift(uint8_t c, unsigned int shift)
{
	static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
	static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *p;

	if (c != 0 && (p = strchr(lower, c)) != NULL)
		return (uint8_t)lower[(p - lower + shift) % 26];
	if (c != 0 && (p = strchr(upper, c)) != NULL)
		return (uint8_t)upper[(p - upper + shift) % 26];
	return c;
}

/*
 * The rules on the original's buffer of @p len bytes, the data and its
 * NUL: on a NUL-terminated copy (strlen as the original), the text
 * services' output put into the buffer by hand: min(text, len - 1)
 * characters and a NUL.
 */
static int
ref_original(struct ref_hvisor *g, uint16_t id, uint8_t *buf, uint32_t len)
{
	static char s[BIG_LEN + 1];
	char text[32] = "";
	bool has_text = true;
	uint64_t djb2 = 5381;
	uint32_t h, i, n, k;
	int bit;

	memcpy(s, buf, len);
	s[len] = '\0';
	n = strlen(s);
	switch (id) {
	case 1:
		has_text = false;
		break;
	case 2:
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)s[n - 1 - i];
		has_text = false;
		break;
	case 3: case 4: case 7: case 8:
		for (i = 0; i < n; i++)
			buf[i] = ref_shift((uint8_t)s[i],
				id == 3 ? 3 : id == 4 ? 23 : 13);
		has_text = false;
		break;
	case 5: case 6:
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)s[i] ^ 0x42;
		has_text = false;
		break;
	case 9:
		for (i = 0; i < n; i++)
			djb2 = (djb2 << 5) + djb2 + (uint8_t)s[i];
		sprintf(text, "%llu", (unsigned long long)djb2);
		break;
	case 10:
		h = 0xFFFFFFFF;
		for (i = 0; i < n; i++) {
			h ^= (uint8_t)s[i];
			for (bit = 0; bit < 8; bit++)
				h = (h & 1) ? (h >> 1) ^ 0xEDB88320 : h >> 1;
		}
		sprintf(text, "%08X", h ^ 0xFFFFFFFF);
		break;
	case 11:
		h = 2166136261u;
		for (i = 0; i < n; i++)
			h = (h ^ (uint8_t)s[i]) * 16777619u;
		sprintf(text, "%08X", h);
		break;
	case 12:
		h = g->xorshift == 1 ? 123456789u : g->xorshift;
		h ^= h << 13;
		h ^= h >> 17;
		h ^= h << 5;
		g->xorshift = h;
		sprintf(text, "%u", h);
		break;
	case 13:
		g->lcg = ref_lcg(g->lcg);
		sprintf(text, "%u", g->lcg);
		break;
	case 14:
		has_text = false;
		if (len == 0)
			break;
		k = len - 1 < 63 ? len - 1 : 63;
		for (i = 0; i < k; i++) {
			g->rand_string = ref_lcg(g->rand_string);
			buf[i] = (uint8_t)"abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				[g->rand_string % 62];
		}
		buf[k] = '\0';
		break;
	case 15:
		g->rand_letter = ref_lcg(g->rand_letter);
		text[0] = (char)('A' + g->rand_letter % 26);
		text[1] = '\0';
		break;
	default:
		return -ENOENT;
	}
	if (has_text && len > 0) {
		k = RTE_MIN((uint32_t)strlen(text), len - 1);
		memcpy(buf, text, k);
		buf[k] = '\0';
	}
	return 0;
}

/*
 * A request: the original's buffer if it ends with a NUL; else the data
 * alone, the buffer being the data and a NUL. The reply is the buffer's
 * first @p len bytes after the rules ran on all of it.
 */
static int
ref_hvisor_run(struct ref_hvisor *g, uint16_t id, uint8_t *buf, uint32_t len)
{
	static uint8_t original[BIG_LEN + 1];
	uint32_t size = len;
	int ret;

	memcpy(original, buf, len);
	if (len == 0 || buf[len - 1] != '\0')
		original[size++] = '\0';
	ret = ref_original(g, id, original, size);
	memcpy(buf, original, len);
	return ret;
}

/* A request as the original client makes it: the data and a NUL. */
struct hv_vector {
	uint16_t id;
	const char *data;   /* the data, without the request's NUL */
	uint32_t len;       /* its bytes */
	const char *reply;  /* every byte of the reply: len + 1 */
};

#define HV(id, data, reply) { id, data, sizeof(data) - 1, reply }

/*
 * Services 1-11 from a fresh state. Each reply is len + 1 bytes, given
 * here whole: the string, its NUL and what the buffer still holds after.
 */
static const struct hv_vector hv_vectors[] = {
	HV(1, "Hello", "Hello\0"),
	HV(1, "", "\0"),
	HV(1, "a\0b", "a\0b\0"),
	HV(2, "hello", "olleh\0"),
	HV(2, "ab\0cd", "ba\0cd\0"),                 /* stops at the NUL */
	HV(2, "", "\0"),
	HV(3, "xyz XYZ \xe9!", "abc ABC \xe9!\0"),   /* >= 0x80 unchanged */
	HV(3, "Hello", "Khoor\0"),
	HV(4, "abc ABC", "xyz XYZ\0"),
	HV(4, "Khoor\0Khoor", "Hello\0Khoor\0"),
	HV(5, "ABC", "\x03\x00\x01\0"),              /* 'B' becomes a NUL */
	HV(5, "a\0b", "#\0b\0"),                     /* not past the first NUL */
	HV(6, "\x03", "A\0"),
	HV(6, "\xff", "\xbd\0"),
	HV(7, "Hello, World!", "Uryyb, Jbeyq!\0"),
	HV(7, "\xc1z", "\xc1m\0"),
	HV(8, "Uryyb", "Hello\0"),
	/* djb2, 64 bits: "hello" = 210714636441, cut to the 5 data bytes. */
	HV(9, "hello", "21071\0"),
	HV(9, "hello world!", "152120978033\0"),      /* 20 digits cut to 12 */
	HV(9, "hello, world, hi!!!!", "17713776742247319662\0"),  /* 20: fit */
	HV(9, "a", "1\0"),                           /* 177670, cut to 1 */
	HV(9, "", "\0"),
	/* {0xFF} alone (the NUL ends it): 5381 * 33 + 255, unsigned. */
	HV(9, "\xff\0xxxxxxxx", "177828\0xxx\0"),
	HV(9, "\xff\x80" "abcdefghijklmnopqrstuvwxyz",
		"12991081772746284387\0tuvwxyz\0"),
	/* CRC-32 check values: "123456789" = CBF43926, "a" = E8B7BE43. */
	HV(10, "123456789", "CBF43926\0\0"),
	HV(10, "ab", "9E\0"),
	HV(10, "hello", "3610A\0"),
	HV(10, "a\0cdefghijk", "E8B7BE43\0jk\0"),
	HV(10, "The quick brown fox jumps over the lazy dog",
		"414FA339\0 brown fox jumps over the lazy dog\0"),
	HV(10, "\x80\x81\0xxxxxxx", "E0E53902\0x\0"),
	HV(10, "", "\0"),
	/* FNV-1a 32: "a" = E40C292C, "123456789" = BB86B11C. */
	HV(11, "a", "E\0"),
	HV(11, "hello", "4F9F2\0"),
	HV(11, "123456789", "BB86B11C\0\0"),
	HV(11, "\xff\0abcdefgh", "7A0B824E\0h\0"),
	HV(11, "", "\0"),
};

/*
 * Run @p id on the request @p req of @p len bytes, in a buffer exactly that
 * long; the reply must be the @p len bytes of @p want.
 */
static int
hv_check_req(struct svc_hvisor_state *st, uint16_t id, const void *req,
		uint32_t len, const void *want)
{
	uint8_t *buf = malloc(len > 0 ? len : 1);
	int ret, ok;

	TEST_ASSERT(buf != NULL, "no memory");
	memcpy(buf, req, len);
	ret = svc_hvisor_run(st, id, len > 0 ? buf : NULL, len);
	ok = ret == 0 && memcmp(buf, want, len) == 0;
	if (!ok) {
		uint32_t i;

		printf("hvisor %s on %u bytes: returned %d, reply", svc_name(id),
			len, ret);
		for (i = 0; i < len; i++)
			printf(" %02x", buf[i]);
		printf("; expected");
		for (i = 0; i < len; i++)
			printf(" %02x", ((const uint8_t *)want)[i]);
		printf("\n");
	}
	free(buf);
	TEST_ASSERT(ok, "hvisor service %u: wrong reply", id);
	return TEST_SUCCESS;
}

/*
 * Run @p id on the request made of @p data (@p len bytes) and a NUL; the
 * reply must be the @p len + 1 bytes of @p want.
 */
static int
hv_check(struct svc_hvisor_state *st, uint16_t id, const void *data,
		uint32_t len, const void *want)
{
	uint8_t req[128];

	TEST_ASSERT(len < sizeof(req), "vector too long");
	memcpy(req, data, len);
	req[len] = '\0';
	return hv_check_req(st, id, req, len + 1, want);
}

static int
test_hvisor_vectors(void)
{
	struct svc_hvisor_state st;
	unsigned int i;

	for (i = 0; i < RTE_DIM(hv_vectors); i++) {
		const struct hv_vector *v = &hv_vectors[i];

		svc_hvisor_state_init(&st);
		if (hv_check(&st, v->id, v->data, v->len, v->reply))
			return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

/*
 * Requests without their NUL: served as the data and a NUL after it, the
 * reply as long as the data (what the original's client reads). Text then
 * has one character more room than with the NUL sent.
 */
static int
test_hvisor_without_nul(void)
{
	struct svc_hvisor_state st;

	svc_hvisor_state_init(&st);
	if (hv_check_req(&st, SVC_ECHO, "Hello", 5, "Hello") ||
			hv_check_req(&st, SVC_FLIP, "hello", 5, "olleh") ||
			hv_check_req(&st, SVC_FLIP, "ab\0cd", 5, "ba\0cd") ||
			hv_check_req(&st, SVC_XOR_ENC, "ABC", 3, "\x03\x00\x01") ||
			hv_check_req(&st, SVC_ROT13_ENC, "Hello", 5, "Uryyb") ||
			hv_check_req(&st, SVC_DJB2, "hello", 5, "21071") ||
			hv_check_req(&st, SVC_DJB2, "hello, world, hi!!!!", 20,
				"17713776742247319662") ||
			hv_check_req(&st, SVC_CRC32, "ab", 2, "9E") ||
			hv_check_req(&st, SVC_CRC32, "123456789", 9, "CBF43926\0") ||
			hv_check_req(&st, SVC_FNV1A, "a", 1, "E") ||
			hv_check_req(&st, SVC_XORSHIFT32, "abc", 3, "271") ||
			hv_check_req(&st, SVC_XORSHIFT32, "", 0, "") ||  /* draws */
			hv_check_req(&st, SVC_XORSHIFT32, "0123456789", 10,
				"1250077441") ||
			hv_check_req(&st, SVC_LCG, "0123456789", 10, "1103527590") ||
			hv_check_req(&st, SVC_RANDOM_STRING, "zzzzz", 5, "yZWj2") ||
			hv_check_req(&st, SVC_RANDOM_STRING, "", 0, "") ||
			hv_check_req(&st, SVC_RANDOM_STRING, "zzz", 3, "r4l") ||
			hv_check_req(&st, SVC_RANDOM_LETTER, "a", 1, "G") ||
			hv_check_req(&st, SVC_RANDOM_LETTER, "", 0, "") ||  /* X */
			hv_check_req(&st, SVC_RANDOM_LETTER, "abc", 3, "U\0c"))
		return TEST_FAILED;
	/* A last byte of NUL is the request's NUL: "\0" is empty data. */
	if (hv_check_req(&st, SVC_DJB2, "\0", 1, "\0") ||
			hv_check_req(&st, SVC_DJB2, "a\0", 2, "1\0"))
		return TEST_FAILED;
	return TEST_SUCCESS;
}

/* The generators' first values from a fresh server, one request each. */
static int
test_hvisor_generators(void)
{
	/* xorshift32 (13/17/5) from 123456789, computed apart. */
	static const char *const xorshift[] = {
		"2714967881", "2238813396", "1250077441", "3820100336",
		"3177519686",
	};
	/* The LCG from 1: the classic rand() example's first values. */
	static const char *const lcg[] = {
		"1103527590", "377401575", "662824084", "1147902781",
		"2035015474",
	};
	static const char letters[] = "GXUXGDSDUF";
	char want[16];
	struct svc_hvisor_state st;
	unsigned int i;

	/* Each from 10 data bytes: the whole number and its NUL fit. */
	svc_hvisor_state_init(&st);
	for (i = 0; i < RTE_DIM(xorshift); i++) {
		memset(want, 0, sizeof(want));
		strcpy(want, xorshift[i]);
		if (hv_check(&st, SVC_XORSHIFT32, "0123456789", 10, want))
			return TEST_FAILED;
	}
	svc_hvisor_state_init(&st);
	for (i = 0; i < RTE_DIM(lcg); i++) {
		memset(want, 0, sizeof(want));
		strcpy(want, lcg[i]);
		if (hv_check(&st, SVC_LCG, "0123456789", 10, want))
			return TEST_FAILED;
	}
	/* Cut to 3 data bytes, the next values go on: "271" then "223". */
	svc_hvisor_state_init(&st);
	if (hv_check(&st, SVC_XORSHIFT32, "abc", 3, "271\0") ||
			hv_check(&st, SVC_XORSHIFT32, "abc", 3, "223\0") ||
			hv_check(&st, SVC_LCG, "", 0, "\0") ||  /* draws 1103527590 */
			hv_check(&st, SVC_LCG, "abc", 3, "377\0"))
		return TEST_FAILED;

	/* Random string from 12345: 63 characters at most, then the NUL. */
	svc_hvisor_state_init(&st);
	if (hv_check(&st, SVC_RANDOM_STRING,
			"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
			70, "yZWj2r4lcJg5ydaLCLiZAZovGZylKfafi5KhAXKBMxsjQl2T2nYN8PGjK5Kd0FC"
			"\0zzzzzz\0"))
		return TEST_FAILED;
	svc_hvisor_state_init(&st);
	if (hv_check(&st, SVC_RANDOM_STRING, "zzzzz", 5, "yZWj2\0") ||
			hv_check(&st, SVC_RANDOM_STRING, "", 0, "\0") ||
			hv_check(&st, SVC_RANDOM_STRING, "zzz", 3, "r4l\0"))
		return TEST_FAILED;

	/* Random letter from 54321: one letter, then the NUL. */
	svc_hvisor_state_init(&st);
	for (i = 0; i < 4; i++) {
		char one[3] = { letters[i], '\0', '\0' };

		if (hv_check(&st, SVC_RANDOM_LETTER, "a", 1, one))
			return TEST_FAILED;
	}
	/* Only the NUL: nothing written, but the letter is drawn. */
	if (hv_check(&st, SVC_RANDOM_LETTER, "", 0, "\0") ||
			hv_check(&st, SVC_RANDOM_LETTER, "abc", 3, "D\0c\0"))
		return TEST_FAILED;
	for (i = 6; i < sizeof(letters) - 1; i++) {
		char one[3] = { letters[i], '\0', '\0' };

		if (hv_check(&st, SVC_RANDOM_LETTER, "a", 1, one))
			return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

/*
 * Each generator has its own state, kept across requests and untouched by
 * the others' and by other services; two states are two servers.
 */
static int
test_hvisor_generators_apart(void)
{
	struct svc_hvisor_state a, b;
	uint8_t x[2] = { 'x', '\0' };

	svc_hvisor_state_init(&a);
	svc_hvisor_state_init(&b);
	if (hv_check(&a, SVC_LCG, "0123456789", 10, "1103527590\0") ||
			hv_check(&a, SVC_RANDOM_STRING, "zzzzz", 5, "yZWj2\0") ||
			hv_check(&a, SVC_XORSHIFT32, "0123456789", 10, "2714967881\0") ||
			hv_check(&a, SVC_RANDOM_LETTER, "a", 1, "G\0") ||
			hv_check(&a, SVC_CRC32, "123456789", 9, "CBF43926\0\0") ||
			svc_hvisor_run(&a, 99, x, 2) != -ENOENT ||
			hv_check(&a, SVC_LCG, "0123456789", 10, "377401575\0\0") ||
			hv_check(&a, SVC_RANDOM_STRING, "zzz", 3, "r4l\0") ||
			hv_check(&a, SVC_XORSHIFT32, "0123456789", 10, "2238813396\0") ||
			hv_check(&a, SVC_RANDOM_LETTER, "a", 1, "X\0"))
		return TEST_FAILED;
	/* b is another server: its generators start afresh. */
	if (hv_check(&b, SVC_LCG, "0123456789", 10, "1103527590\0") ||
			hv_check(&b, SVC_RANDOM_LETTER, "a", 1, "G\0"))
		return TEST_FAILED;
	return TEST_SUCCESS;
}

/*
 * The hashes' text cut to every shorter buffer: n data bytes, the hashed
 * string and then a NUL and padding, get the text's first n characters
 * and a NUL, and keep their bytes after them.
 */
static int
test_hvisor_truncation(void)
{
	static const struct {
		uint16_t id;
		const char *in;      /* the string hashed */
		const char *full;    /* its hash's whole text */
	} hashes[] = {
		{ SVC_DJB2, "hello world!", "15212097803322581250" },
		{ SVC_CRC32, "a", "E8B7BE43" },
		{ SVC_FNV1A, "a", "E40C292C" },
	};
	char data[32], want[32];
	struct svc_hvisor_state st;
	unsigned int h, n, in, full;

	svc_hvisor_state_init(&st);
	for (h = 0; h < RTE_DIM(hashes); h++) {
		in = strlen(hashes[h].in);
		full = strlen(hashes[h].full);
		for (n = in; n < full + 4; n++) {
			memset(data, '.', sizeof(data));
			memcpy(data, hashes[h].in, in);
			if (n > in)
				data[in] = '\0';
			memcpy(want, data, n);
			want[n] = '\0';
			memcpy(want, hashes[h].full, RTE_MIN(n, full));
			want[RTE_MIN(n, full)] = '\0';
			if (hv_check(&st, hashes[h].id, data, n, want))
				return TEST_FAILED;
		}
		/* Fewer data bytes hash less: "hello world!" cut to n bytes. */
		for (n = 0; n < 12; n++) {
			struct ref_hvisor g;
			uint8_t ref[13];

			memcpy(ref, "hello world!", n);
			ref[n] = '\0';
			ref_hvisor_init(&g);
			ref_hvisor_run(&g, hashes[h].id, ref, n + 1);
			if (hv_check(&st, hashes[h].id, "hello world!", n, ref))
				return TEST_FAILED;
		}
	}
	/* A 1-byte request (only the NUL) and a 0-byte one stay as they are. */
	for (h = 0; h < RTE_DIM(hashes); h++)
		if (hv_check(&st, hashes[h].id, "", 0, "\0") ||
				svc_hvisor_run(&st, hashes[h].id, NULL, 0) != 0)
			return TEST_FAILED;
	return TEST_SUCCESS;
}

/* An unknown id: -ENOENT, buffer and generators as they were. */
static int
test_hvisor_not_exist(void)
{
	static const uint16_t not_ids[] = { 0, SVC_MAX + 1, 100, UINT16_MAX };
	struct svc_hvisor_state st, before;
	uint8_t buf[8];
	unsigned int i;

	svc_hvisor_state_init(&st);
	for (i = 0; i < RTE_DIM(not_ids); i++) {
		memcpy(buf, "abc\0xyz", 8);
		before = st;
		TEST_ASSERT_EQUAL(svc_hvisor_run(&st, not_ids[i], buf, 8), -ENOENT,
			"id %u ran", not_ids[i]);
		TEST_ASSERT(memcmp(buf, "abc\0xyz", 8) == 0,
			"id %u changed the buffer", not_ids[i]);
		TEST_ASSERT(memcmp(&st, &before, sizeof(st)) == 0,
			"id %u moved a generator", not_ids[i]);
		TEST_ASSERT_EQUAL(svc_hvisor_run(&st, not_ids[i], NULL, 0),
			-ENOENT, "id %u on nothing", not_ids[i]);
	}
	/* The generators still give their first values. */
	if (hv_check(&st, SVC_LCG, "0123456789", 10, "1103527590\0") ||
			hv_check(&st, SVC_RANDOM_LETTER, "a", 1, "G\0"))
		return TEST_FAILED;
	return TEST_SUCCESS;
}

/* Fill @p len bytes: printable, letters, >= 0x80, NULs where @p kind says. */
static void
hv_fill(uint8_t *buf, uint32_t len, unsigned int kind)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(0x20 + (i * 37 + kind * 11) % 0xDF);
	if (kind == 1 && len > 0)
		buf[len - 1] = '\0';            /* a request: data and its NUL */
	if (kind == 2 && len > 2)
		buf[len / 2] = '\0';            /* a NUL in the middle */
	/* kind 0: no NUL at all, a request without its NUL */
}

/*
 * Every id on every length up to 80, three kinds of content, against the
 * reference: the same bytes and the same generator sequences. The buffer
 * is allocated at the exact length, so ASan catches any byte outside it.
 */
static int
test_hvisor_reference(void)
{
	struct svc_hvisor_state st;
	struct ref_hvisor g;
	uint8_t ref[96];
	uint32_t len;
	unsigned int id, kind;
	int want_ret, ret;

	svc_hvisor_state_init(&st);
	ref_hvisor_init(&g);
	for (kind = 0; kind < 3; kind++) {
		for (len = 0; len <= 80; len++) {
			for (id = 0; id <= SVC_MAX + 2; id++) {
				uint8_t *buf = malloc(len > 0 ? len : 1);

				TEST_ASSERT(buf != NULL, "no memory");
				hv_fill(buf, len, kind);
				memcpy(ref, buf, len);
				ret = svc_hvisor_run(&st, id, len > 0 ? buf : NULL, len);
				want_ret = ref_hvisor_run(&g, id, ref, len);
				ret = ret == want_ret && memcmp(buf, ref, len) == 0;
				free(buf);
				TEST_ASSERT(ret, "hvisor %s (id %u) on %u bytes of kind %u differs from the reference",
					svc_name(id), id, len, kind);
			}
		}
	}
	return TEST_SUCCESS;
}

/* Parse a qosdt command line; returns options_parse()'s result. */
static int
parse_args(struct app_options *o, const char *const *args, int n)
{
	char *argv[16];
	int i;

	for (i = 0; i < n; i++)
		argv[i] = (char *)(uintptr_t)args[i];
	argv[n] = NULL;
	return options_parse(n, argv, o);
}

#define PARSE(o, ...) parse_args(o, (const char *const []){ __VA_ARGS__ }, \
	(int)RTE_DIM(((const char *const []){ __VA_ARGS__ })))

/* --services: binary by default, hvisor, and nothing else; server only. */
static int
test_services_option(void)
{
	struct app_options o;

	TEST_ASSERT_EQUAL(svc_semantics_from_name("binary"),
		SVC_SEMANTICS_BINARY, "binary");
	TEST_ASSERT_EQUAL(svc_semantics_from_name("hvisor"),
		SVC_SEMANTICS_HVISOR, "hvisor");
	TEST_ASSERT_EQUAL(svc_semantics_from_name("HVISOR"), -1, "HVISOR");
	TEST_ASSERT_EQUAL(svc_semantics_from_name(""), -1, "empty");
	TEST_ASSERT_EQUAL(svc_semantics_from_name("hvisor "), -1, "a space");
	TEST_ASSERT(strcmp(svc_semantics_name(SVC_SEMANTICS_HVISOR), "hvisor") == 0,
		"hvisor's name");
	TEST_ASSERT(strcmp(svc_semantics_name(7), "unknown") == 0,
		"a value that is none");

	TEST_ASSERT_SUCCESS(PARSE(&o, "qosdt", "--role", "server", "--config",
		"x.json"), "server");
	TEST_ASSERT_EQUAL(o.services, SVC_SEMANTICS_BINARY, "default");
	TEST_ASSERT_SUCCESS(PARSE(&o, "qosdt", "--role", "server", "--config",
		"x.json", "--services", "hvisor"), "--services hvisor");
	TEST_ASSERT_EQUAL(o.services, SVC_SEMANTICS_HVISOR, "hvisor");
	TEST_ASSERT_SUCCESS(PARSE(&o, "qosdt", "--role", "server", "--config",
		"x.json", "--services", "hvisor", "--services", "binary"),
		"the last --services");
	TEST_ASSERT_EQUAL(o.services, SVC_SEMANTICS_BINARY, "binary");
	/* A bad value and a client with hvisor are refused (stderr says why). */
	TEST_ASSERT_EQUAL(PARSE(&o, "qosdt", "--role", "server", "--config",
		"x.json", "--services", "original"), -1, "--services original");
	TEST_ASSERT_EQUAL(PARSE(&o, "qosdt", "--role", "server", "--config",
		"x.json", "--services"), -1, "--services without a value");
	TEST_ASSERT_EQUAL(PARSE(&o, "qosdt", "--role", "client", "--config",
		"x.json", "--scenario", "s.json", "--services", "hvisor"), -1,
		"client with --services hvisor");
	TEST_ASSERT_SUCCESS(PARSE(&o, "qosdt", "--role", "client", "--config",
		"x.json", "--scenario", "s.json", "--services", "binary"),
		"client with --services binary");
	return TEST_SUCCESS;
}

static struct unit_test_suite services_suite = {
	.suite_name = "app services",
	.unit_test_cases = {
		TEST_CASE(test_ids_and_names),
		TEST_CASE(test_echo_binary),
		TEST_CASE(test_flip),
		TEST_CASE(test_flip_lengths),
		TEST_CASE(test_caesar),
		TEST_CASE(test_rot13),
		TEST_CASE(test_xor),
		TEST_CASE(test_djb2_fnv1a),
		TEST_CASE(test_crc32),
		TEST_CASE(test_xorshift32),
		TEST_CASE(test_lcg),
		TEST_CASE(test_random_string),
		TEST_CASE(test_random_letter),
		TEST_CASE(test_reply_len_exact),
		TEST_CASE(test_enospc_untouched),
		TEST_CASE(test_in_place),
		TEST_CASE(test_hvisor_vectors),
		TEST_CASE(test_hvisor_without_nul),
		TEST_CASE(test_hvisor_generators),
		TEST_CASE(test_hvisor_generators_apart),
		TEST_CASE(test_hvisor_truncation),
		TEST_CASE(test_hvisor_not_exist),
		TEST_CASE(test_hvisor_reference),
		TEST_CASE(test_services_option),
		TEST_CASES_END()
	}
};

static int
test_app_services(void)
{
	return unit_test_suite_runner(&services_suite);
}

REGISTER_TEST_COMMAND(app_services_autotest, test_app_services);
