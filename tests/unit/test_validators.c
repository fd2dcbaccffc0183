/* test_validators.c: unit tests of consensus/validators.c. */
#include "consensus/validators.h"

#include <string.h>

#include "tests/unit/test_util.h"

static struct validator member(uint8_t first, uint64_t power)
{
	struct validator v;

	memset(&v, 0, sizeof(v));
	v.key[0] = first;
	v.power = power;
	return v;
}

static void test_validators_set_is_sorted_by_key_and_summed(void **state UNUSED)
{
	struct validator in[3] = { member(9, 10), member(1, 20), member(5, 30) };
	struct validator_set set;

	assert_int_equal(validators_set_init(&set, in, 3), 0);
	assert_int_equal(set.count, 3);
	assert_int_equal(set.total_power, 60);
	assert_int_equal(set.members[0].key[0], 1);
	assert_int_equal(set.members[2].key[0], 9);
	assert_int_equal(validators_find(&set, in[0].key), 2);
	assert_int_equal(validators_find(&set, in[1].key), 0);
	in[0].key[0] = 4;
	assert_int_equal(validators_find(&set, in[0].key), -1);
}

static void test_validators_set_rejects_bad_members(void **state UNUSED)
{
	struct validator dup[2] = { member(1, 1), member(1, 2) };
	struct validator zero[1] = { member(1, 0) };
	struct validator big[2] = { member(1, INT64_MAX), member(2, 1) };
	struct validator_set set;

	assert_int_equal(validators_set_init(&set, dup, 2), -1);
	assert_int_equal(validators_set_init(&set, zero, 1), -1);
	assert_int_equal(validators_set_init(&set, big, 2), -1);
	assert_int_equal(validators_set_init(&set, big, 0), -1);
	assert_int_equal(validators_set_init(&set, big, VALIDATORS_MAX + 1), -1);
}

static void test_validators_quorum_is_strictly_more_than_two_thirds(void **state UNUSED)
{
	assert_false(validators_has_quorum(2, 3));
	assert_true(validators_has_quorum(3, 4));
	assert_false(validators_has_quorum(66, 100));
	assert_true(validators_has_quorum(67, 100));
	assert_true(validators_has_quorum(UINT64_MAX, UINT64_MAX));
	assert_false(validators_has_quorum(UINT64_MAX / 3 * 2, UINT64_MAX));
	assert_false(validators_has_one_third(1, 3));
	assert_true(validators_has_one_third(2, 4));
	assert_true(validators_has_one_third(UINT64_MAX / 2, UINT64_MAX));
}

static void test_validators_hash_depends_on_members_not_order(void **state UNUSED)
{
	struct validator a[2] = { member(1, 5), member(2, 6) };
	struct validator b[2] = { member(2, 6), member(1, 5) };
	struct validator_set sa, sb;
	uint8_t ha[32], hb[32];

	assert_int_equal(validators_set_init(&sa, a, 2), 0);
	assert_int_equal(validators_set_init(&sb, b, 2), 0);
	validators_hash(&sa, ha);
	validators_hash(&sb, hb);
	assert_memory_equal(ha, hb, 32);
	sb.members[1].power = 7;
	validators_hash(&sb, hb);
	assert_memory_not_equal(ha, hb, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validators_set_is_sorted_by_key_and_summed),
		cmocka_unit_test(test_validators_set_rejects_bad_members),
		cmocka_unit_test(test_validators_quorum_is_strictly_more_than_two_thirds),
		cmocka_unit_test(test_validators_hash_depends_on_members_not_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
