/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The 15 services (app/services.h) against independent known vectors:
 * ids and names, echo/flip/Caesar/XOR/ROT13 on every byte value, the three
 * hashes (CRC-32 also against a bitwise reference), the two generators
 * from hand-computed seeds, the random services' length and alphabet,
 * exact reply lengths, -ENOSPC without a write, in-place operation.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "services.h"
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
		TEST_CASES_END()
	}
};

static int
test_app_services(void)
{
	return unit_test_suite_runner(&services_suite);
}

REGISTER_TEST_COMMAND(app_services_autotest, test_app_services);
