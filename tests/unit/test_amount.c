/* test_amount.c: unit tests of wallet/amount.c (HTH amounts and the market's
 * units, parsed exactly). */
#include "wallet/amount.h"

#include <string.h>

#include "tests/unit/test_util.h"

static void test_amount_valid_amounts_parse_exactly(void **state UNUSED)
{
	uint64_t v;

	assert_int_equal(amount_parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(amount_parse("1", &v), 0);
	assert_int_equal(v, 1000000);
	assert_int_equal(amount_parse("0.000001", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(amount_parse("12.5", &v), 0);
	assert_int_equal(v, 12500000);
	assert_int_equal(amount_parse("0.1", &v), 0);
	assert_int_equal(v, 100000);
	assert_int_equal(amount_parse("007", &v), 0);
	assert_int_equal(v, 7000000);
	/* The largest amount: UINT64_MAX base units. */
	assert_int_equal(amount_parse("18446744073709.551615", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void test_amount_invalid_amounts_are_rejected(void **state UNUSED)
{
	static const char *const bad[] = {
		"1.0000001",
		"18446744073709.551616",
		"18446744073709551616",
		"-1",
		"+1",
		"",
		"1e3",
		" 1",
		"1 ",
		".5",
		"1.",
		".",
		"1,5",
		"0x10",
		"1.5/s",
		"99999999999999999999",
	};
	uint64_t v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (amount_parse(bad[i], &v) != -1)
			fail_msg("amount %s was accepted", bad[i]);
	}
	assert_int_equal(v, 42);
	assert_int_equal(amount_parse(NULL, &v), -1);
}

static void test_amount_overlong_text_is_rejected(void **state UNUSED)
{
	char text[AMOUNT_INPUT_MAX + 2];
	uint64_t v;

	memset(text, '0', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(amount_parse(text, &v), -1);
	text[AMOUNT_INPUT_MAX] = '\0';
	assert_int_equal(amount_parse(text, &v), 0);
	assert_int_equal(v, 0);
}

static void test_amount_format_round_trips(void **state UNUSED)
{
	static const uint64_t values[] = { 0, 1, 999999, 1000000, 1500000, 123456789, UINT64_MAX };
	char text[AMOUNT_TEXT_MAX], small[8];
	uint64_t back;

	assert_int_equal(amount_format(1500000, text, sizeof(text)), 0);
	assert_string_equal(text, "1.500000");
	assert_int_equal(amount_format(1, text, sizeof(text)), 0);
	assert_string_equal(text, "0.000001");
	assert_int_equal(amount_format(UINT64_MAX, text, sizeof(text)), 0);
	assert_string_equal(text, "18446744073709.551615");
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		assert_int_equal(amount_format(values[i], text, sizeof(text)), 0);
		assert_int_equal(amount_parse(text, &back), 0);
		assert_true(back == values[i]);
	}
	assert_int_equal(amount_format(1, small, sizeof(small)), -1);
}

static void test_amount_cpu(void **state UNUSED)
{
	uint64_t v;

	assert_int_equal(amount_parse_cpu("2000m", &v), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(amount_parse_cpu("2", &v), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(amount_parse_cpu("0.5", &v), 0);
	assert_int_equal(v, 500);
	assert_int_equal(amount_parse_cpu("1.25", &v), 0);
	assert_int_equal(v, 1250);
	assert_int_equal(amount_parse_cpu("1m", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(amount_parse_cpu("0", &v), -1);
	assert_int_equal(amount_parse_cpu("0m", &v), -1);
	assert_int_equal(amount_parse_cpu("1.5m", &v), -1);
	assert_int_equal(amount_parse_cpu("1.0005", &v), -1);
	assert_int_equal(amount_parse_cpu("m", &v), -1);
	assert_int_equal(amount_parse_cpu("-1", &v), -1);
	assert_int_equal(amount_parse_cpu("2 cores", &v), -1);
	assert_int_equal(amount_parse_cpu("", &v), -1);
	assert_int_equal(amount_parse_cpu("99999999999999999999", &v), -1);
}

static void test_amount_bytes(void **state UNUSED)
{
	uint64_t v;

	assert_int_equal(amount_parse_bytes("4G", &v), 0);
	assert_true(v == 4ULL << 30);
	assert_int_equal(amount_parse_bytes("256M", &v), 0);
	assert_true(v == 256ULL << 20);
	assert_int_equal(amount_parse_bytes("512Ki", &v), 0);
	assert_true(v == 512ULL << 10);
	assert_int_equal(amount_parse_bytes("10GiB", &v), 0);
	assert_true(v == 10ULL << 30);
	assert_int_equal(amount_parse_bytes("1.5G", &v), 0);
	assert_true(v == 3ULL << 29);
	assert_int_equal(amount_parse_bytes("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(amount_parse_bytes("1T", &v), 0);
	assert_true(v == 1ULL << 40);
	assert_int_equal(amount_parse_bytes("0", &v), -1);
	assert_int_equal(amount_parse_bytes("0.5", &v), -1);
	assert_int_equal(amount_parse_bytes("0.0001K", &v), -1);
	assert_int_equal(amount_parse_bytes("4X", &v), -1);
	assert_int_equal(amount_parse_bytes("4g", &v), -1);
	assert_int_equal(amount_parse_bytes("G", &v), -1);
	assert_int_equal(amount_parse_bytes("16777216T", &v), -1);
	assert_int_equal(amount_parse_bytes("-4G", &v), -1);
}

static void test_amount_duration(void **state UNUSED)
{
	uint64_t v;

	assert_int_equal(amount_parse_duration("60s", &v), 0);
	assert_int_equal(v, 60);
	assert_int_equal(amount_parse_duration("90", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(amount_parse_duration("5m", &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(amount_parse_duration("1h", &v), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(amount_parse_duration("2d", &v), 0);
	assert_int_equal(v, 172800);
	assert_int_equal(amount_parse_duration("0s", &v), -1);
	assert_int_equal(amount_parse_duration("1.5h", &v), -1);
	assert_int_equal(amount_parse_duration("1w", &v), -1);
	assert_int_equal(amount_parse_duration("h", &v), -1);
	assert_int_equal(amount_parse_duration("1h30m", &v), -1);
}

static void test_amount_price(void **state UNUSED)
{
	uint64_t v;

	assert_int_equal(amount_parse_price("0.01/s", &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(amount_parse_price("0.000001/s", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(amount_parse_price("36/h", &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(amount_parse_price("0.6/m", &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(amount_parse_price("1/h", &v), -1);
	assert_int_equal(amount_parse_price("0.01", &v), -1);
	assert_int_equal(amount_parse_price("0.01/d", &v), -1);
	assert_int_equal(amount_parse_price("0.0000001/s", &v), -1);
	assert_int_equal(amount_parse_price("-1/s", &v), -1);
	assert_int_equal(amount_parse_price("/s", &v), -1);
}

static void test_amount_count(void **state UNUSED)
{
	uint64_t v;

	assert_int_equal(amount_parse_count("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(amount_parse_count("10", 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(amount_parse_count("11", 10, &v), -1);
	assert_int_equal(amount_parse_count("1.0", 10, &v), -1);
	assert_int_equal(amount_parse_count("-1", 10, &v), -1);
	assert_int_equal(amount_parse_count("", 10, &v), -1);
	assert_int_equal(amount_parse_count("4294967296", UINT32_MAX, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount_valid_amounts_parse_exactly),
		cmocka_unit_test(test_amount_invalid_amounts_are_rejected),
		cmocka_unit_test(test_amount_overlong_text_is_rejected),
		cmocka_unit_test(test_amount_format_round_trips),
		cmocka_unit_test(test_amount_cpu),
		cmocka_unit_test(test_amount_bytes),
		cmocka_unit_test(test_amount_duration),
		cmocka_unit_test(test_amount_price),
		cmocka_unit_test(test_amount_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
