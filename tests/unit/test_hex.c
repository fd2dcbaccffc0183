/* test_hex.c: unit tests of proto/hex.c. */
#include "proto/hex.h"

#include <string.h>

#include "tests/unit/test_util.h"

static void test_hex_roundtrip_all_byte_values(void **state UNUSED)
{
	uint8_t bin[256], back[256];
	char hex[513];
	size_t n;

	for (int i = 0; i < 256; i++)
		bin[i] = (uint8_t)i;
	assert_int_equal(hex_encode(bin, sizeof(bin), hex, sizeof(hex)), 0);
	assert_int_equal(strlen(hex), 512);
	assert_memory_equal(hex, "000102", 6);
	assert_string_equal(hex + 506, "fdfeff");
	assert_int_equal(hex_decode(hex, back, sizeof(back), &n), 0);
	assert_int_equal(n, 256);
	assert_memory_equal(bin, back, sizeof(bin));
}

static void test_hex_encode_rejects_small_buffer(void **state UNUSED)
{
	uint8_t bin[4] = { 1, 2, 3, 4 };
	char hex[8];

	assert_int_equal(hex_encode(bin, sizeof(bin), hex, sizeof(hex)), -1);
	assert_string_equal(hex, "");
}

static void test_hex_decode_accepts_upper_case(void **state UNUSED)
{
	uint8_t out[2];
	size_t n;

	assert_int_equal(hex_decode("ABcd", out, sizeof(out), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
}

static void test_hex_decode_rejects_bad_input(void **state UNUSED)
{
	uint8_t out[4];
	size_t n;

	assert_int_equal(hex_decode("abc", out, sizeof(out), &n), -1);
	assert_int_equal(hex_decode("zz", out, sizeof(out), &n), -1);
	assert_int_equal(hex_decode("ab cd", out, sizeof(out), &n), -1);
	assert_int_equal(hex_decode("ab:c", out, sizeof(out), &n), -1);
	assert_int_equal(hex_decode("0011223344", out, sizeof(out), &n), -1);
	assert_int_equal(hex_decode_exact("0011", out, 3), -1);
	assert_int_equal(hex_decode_exact("001122", out, 3), 0);
}

static void test_hex_decode_empty_is_zero_bytes(void **state UNUSED)
{
	uint8_t out[1];
	size_t n = 99;

	assert_int_equal(hex_decode("", out, sizeof(out), &n), 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_roundtrip_all_byte_values),
		cmocka_unit_test(test_hex_encode_rejects_small_buffer),
		cmocka_unit_test(test_hex_decode_accepts_upper_case),
		cmocka_unit_test(test_hex_decode_rejects_bad_input),
		cmocka_unit_test(test_hex_decode_empty_is_zero_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
