/* test_bech32m.c: unit tests of proto/bech32m.c, first against the BIP350
 * vectors in tests/vectors/bech32m-test-vectors.txt, then edge cases. */
#include "proto/bech32m.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

/* Expands \xNN escapes of the vector file in place. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] == 'x' && isxdigit((unsigned char)r[2]) &&
		    isxdigit((unsigned char)r[3])) {
			char hex[3] = { r[2], r[3], '\0' };

			*w++ = (char)strtol(hex, NULL, 16);
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static void check_valid(const char *str)
{
	char hrp[BECH32M_MAX_HRP + 1], again[BECH32M_MAX_LEN + 1], lower[BECH32M_MAX_LEN + 1];
	uint8_t data[BECH32M_MAX_LEN];
	size_t n, len = strlen(str);

	assert_int_equal(bech32m_decode(str, hrp, sizeof(hrp), data, sizeof(data), &n), BECH32M_OK);
	assert_int_equal(bech32m_encode(hrp, data, n, again, sizeof(again)), BECH32M_OK);
	for (size_t i = 0; i <= len; i++)
		lower[i] = (char)tolower((unsigned char)str[i]);
	assert_string_equal(again, lower);
}

static void check_invalid(const char *str, const char *reason)
{
	char hrp[BECH32M_MAX_HRP + 1];
	uint8_t data[BECH32M_MAX_LEN];
	size_t n;

	if (bech32m_decode(str, hrp, sizeof(hrp), data, sizeof(data), &n) == BECH32M_OK)
		fail_msg("invalid vector accepted: %s (%s)", str, reason);
}

static void test_bech32m_bip350_vectors(void **state UNUSED)
{
	FILE *f = test_open_vector("bech32m-test-vectors.txt");
	char line[512];
	int valid = 0, invalid = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		char *kind, *str, *reason, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		kind = strtok_r(line, "\t", &save);
		str = strtok_r(NULL, "\t", &save);
		reason = strtok_r(NULL, "\t", &save);
		assert_non_null(kind);
		assert_non_null(str);
		unescape(str);
		if (strcmp(kind, "VALID") == 0) {
			check_valid(str);
			valid++;
		} else {
			assert_string_equal(kind, "INVALID");
			check_invalid(str, reason ? reason : "");
			invalid++;
		}
	}
	fclose(f);
	assert_int_equal(valid, 7);
	assert_int_equal(invalid, 14);
}

static void test_bech32m_rejects_mixed_case(void **state UNUSED)
{
	char hrp[16];
	uint8_t data[16];
	size_t n;

	assert_int_equal(bech32m_decode("A1lqfn3a", hrp, sizeof(hrp), data, sizeof(data), &n),
			 BECH32M_MIXED_CASE);
}

static void test_bech32m_single_flipped_char_fails_checksum(void **state UNUSED)
{
	char s[] = "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx";
	char hrp[16];
	uint8_t data[64];
	size_t n;

	s[10] = s[10] == 'q' ? 'p' : 'q';
	assert_int_equal(bech32m_decode(s, hrp, sizeof(hrp), data, sizeof(data), &n),
			 BECH32M_BAD_CHECKSUM);
}

static void test_bech32m_5bit_roundtrip_and_padding(void **state UNUSED)
{
	uint8_t bytes[33], five[64], back[64];
	size_t n5, n8;

	for (int len = 0; len <= 33; len++) {
		for (int i = 0; i < len; i++)
			bytes[i] = (uint8_t)(i * 37 + len);
		assert_int_equal(bech32m_bytes_to_5bit(bytes, (size_t)len, five, sizeof(five), &n5),
				 BECH32M_OK);
		assert_int_equal(n5, ((size_t)len * 8 + 4) / 5);
		assert_int_equal(bech32m_5bit_to_bytes(five, n5, back, sizeof(back), &n8),
				 BECH32M_OK);
		assert_int_equal(n8, (size_t)len);
		assert_memory_equal(bytes, back, (size_t)len);
	}
	/* 2 bytes = 16 bits -> 4 groups with 4 padding bits; set one: rejected. */
	bytes[0] = 0xff;
	bytes[1] = 0xff;
	assert_int_equal(bech32m_bytes_to_5bit(bytes, 2, five, sizeof(five), &n5), BECH32M_OK);
	five[n5 - 1] |= 1;
	assert_int_equal(bech32m_5bit_to_bytes(five, n5, back, sizeof(back), &n8),
			 BECH32M_BAD_PADDING);
	/* A whole spare group of padding is also rejected. */
	five[0] = 0;
	assert_int_equal(bech32m_5bit_to_bytes(five, 1, back, sizeof(back), &n8),
			 BECH32M_BAD_PADDING);
}

static void test_bech32m_encode_refuses_too_long_and_small_buffer(void **state UNUSED)
{
	uint8_t data[90] = { 0 };
	char out[128];

	assert_int_equal(bech32m_encode("hth", data, 82, out, sizeof(out)), BECH32M_TOO_LONG);
	assert_int_equal(bech32m_encode("hth", data, 10, out, 10), BECH32M_BUFFER);
	assert_int_equal(bech32m_encode("", data, 10, out, sizeof(out)), BECH32M_EMPTY_HRP);
	data[3] = 32;
	assert_int_equal(bech32m_encode("hth", data, 10, out, sizeof(out)), BECH32M_DATA_CHAR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bech32m_bip350_vectors),
		cmocka_unit_test(test_bech32m_rejects_mixed_case),
		cmocka_unit_test(test_bech32m_single_flipped_char_fails_checksum),
		cmocka_unit_test(test_bech32m_5bit_roundtrip_and_padding),
		cmocka_unit_test(test_bech32m_encode_refuses_too_long_and_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
