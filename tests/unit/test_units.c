/* test_units.c: unit tests of node/units.c (command-line quantities). */
#include "node/units.h"

#include "tests/unit/test_util.h"

static void test_units_millicores(void **state UNUSED)
{
	uint64_t v;

	assert_int_equal(units_parse_millicores("500m", &v), 0);
	assert_int_equal(v, 500);
	assert_int_equal(units_parse_millicores("2", &v), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(units_parse_millicores("1.5", &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(units_parse_millicores("0", &v), -1);
	assert_int_equal(units_parse_millicores("1.5m", &v), -1);
	assert_int_equal(units_parse_millicores("m", &v), -1);
	assert_int_equal(units_parse_millicores("-1", &v), -1);
}

static void test_units_bytes_and_durations(void **state UNUSED)
{
	uint64_t v;

	assert_int_equal(units_parse_bytes("256M", &v), 0);
	assert_int_equal(v, 256ULL << 20);
	assert_int_equal(units_parse_bytes("1.5G", &v), 0);
	assert_int_equal(v, 3ULL << 29);
	assert_int_equal(units_parse_bytes("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(units_parse_bytes("99999999999999999999", &v), -1);
	assert_int_equal(units_parse_bytes("16E", &v), -1);
	assert_int_equal(units_parse_ms("10s", &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(units_parse_ms("250ms", &v), 0);
	assert_int_equal(v, 250);
	assert_int_equal(units_parse_ms("2m", &v), 0);
	assert_int_equal(v, 120000);
	assert_int_equal(units_parse_ms("3", &v), 0);
	assert_int_equal(v, 3000);
	assert_int_equal(units_parse_ms("1x", &v), -1);
	assert_int_equal(units_parse_count("64", &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(units_parse_count("6.4", &v), -1);
	assert_int_equal(units_parse_count("", &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_millicores),
		cmocka_unit_test(test_units_bytes_and_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
