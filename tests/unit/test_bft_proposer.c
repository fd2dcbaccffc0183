/* test_bft_proposer.c: unit tests of consensus/proposer.c against CometBFT's
 * own test vectors (types/validator_set_test.go) and its invariants. */
#include "consensus/proposer.h"

#include <string.h>

#include "tests/unit/test_util.h"

/* A member whose key starts with name (CometBFT's tests use short
 * addresses; keys compare the same way). */
static struct validator named(const char *name, uint64_t power)
{
	struct validator v;

	memset(&v, 0, sizeof(v));
	memcpy(v.key, name, strlen(name));
	v.power = power;
	return v;
}

static void genesis(const struct validator *m, size_t n, struct validator_set *out)
{
	struct validator_set empty;

	memset(&empty, 0, sizeof(empty));
	assert_int_equal(proposer_update(&empty, m, n, out), 0);
}

/* TestProposerSelection1: foo 1000, bar 300, baz 330, 99 proposers. */
static void test_proposer_matches_cometbft_selection1(void **state UNUSED)
{
	static const char *expected =
		"foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar "
		"foo foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo "
		"bar "
		"foo baz foo foo bar foo baz foo foo bar foo baz foo foo foo baz bar foo foo foo "
		"baz "
		"foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz "
		"foo "
		"foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo";
	struct validator m[3] = { named("foo", 1000), named("bar", 300), named("baz", 330) };
	struct validator_set set;
	char got[1024] = "";

	genesis(m, 3, &set);
	for (int i = 0; i < 99; i++) {
		size_t p = proposer_increment(&set, 1);

		if (i > 0)
			strcat(got, " ");
		strncat(got, (const char *)set.members[p].key, 3);
	}
	assert_string_equal(got, expected);
}

/* TestProposerSelection2: equal power goes in address order; a bigger
 * validator proposes first, then the others in order. */
static void test_proposer_equal_power_goes_in_key_order(void **state UNUSED)
{
	struct validator m[3] = { named("\x02", 100), named("\x00", 100), named("\x01", 100) };
	struct validator_set set;

	genesis(m, 3, &set);
	for (int i = 0; i < 15; i++) {
		size_t p = proposer_increment(&set, 1);

		assert_int_equal(set.members[p].key[0], i % 3);
	}
	m[0] = named("\x02", 400);
	genesis(m, 3, &set);
	assert_int_equal(set.members[proposer_increment(&set, 1)].key[0], 2);
}

/* Over a long run each validator proposes in proportion to its power. */
static void test_proposer_frequency_follows_power(void **state UNUSED)
{
	struct validator m[4] = { named("a", 10), named("b", 20), named("c", 30), named("d", 40) };
	struct validator_set set;
	unsigned count[4] = { 0 };

	genesis(m, 4, &set);
	for (int i = 0; i < 1000; i++)
		count[proposer_increment(&set, 1)]++;
	assert_int_equal(count[0], 100);
	assert_int_equal(count[1], 200);
	assert_int_equal(count[2], 300);
	assert_int_equal(count[3], 400);
}

/* A new validator starts at -1.125 * total (before re-centring), so it
 * cannot reset a negative priority by unbonding and bonding again. */
static void test_proposer_new_validator_starts_behind(void **state UNUSED)
{
	struct validator m[3] = { named("a", 10), named("b", 10), named("c", 10) };
	struct validator_set set, next;

	genesis(m, 2, &set);
	assert_int_equal(set.members[0].proposer_priority, 0);
	assert_int_equal(set.members[1].proposer_priority, 0);
	assert_int_equal(proposer_update(&set, m, 3, &next), 0);
	/* total 30: the newcomer at -(30 + 30/8) = -33, then every priority
	 * shifted by floor(-33/3) = -11: 11, 11, -22 */
	assert_int_equal(next.members[0].proposer_priority, 11);
	assert_int_equal(next.members[1].proposer_priority, 11);
	assert_int_equal(next.members[2].proposer_priority, -22);
	/* removed validators still count in the newcomer's start */
	{
		struct validator two[2] = { named("b", 10), named("c", 10) };

		assert_int_equal(proposer_update(&set, two, 2, &next), 0);
		/* total after updates and before removals: 10 + 10 + 10 = 30:
		 * b keeps 0, c at -33; average floor(-33/2) = -17: 17, -16 */
		assert_int_equal(next.members[0].proposer_priority, 17);
		assert_int_equal(next.members[1].proposer_priority, -16);
	}
}

/* The window of priorities never exceeds 2 * total after an increment, and
 * the average stays near zero; extreme priorities do not overflow. */
static void test_proposer_rescales_and_centres(void **state UNUSED)
{
	struct validator m[3] = { named("a", 1), named("b", 2), named("c", 1000000) };
	struct validator_set set;

	genesis(m, 3, &set);
	set.members[0].proposer_priority = INT64_MAX;
	set.members[1].proposer_priority = INT64_MIN;
	for (int i = 0; i < 50; i++) {
		int64_t max = INT64_MIN, min = INT64_MAX;

		(void)proposer_increment(&set, 1);
		for (size_t k = 0; k < 3; k++) {
			if (set.members[k].proposer_priority > max)
				max = set.members[k].proposer_priority;
			if (set.members[k].proposer_priority < min)
				min = set.members[k].proposer_priority;
		}
		if (i > 0)
			assert_true((uint64_t)max - (uint64_t)min <= 4 * set.total_power);
	}
}

/* proposer_select depends on (set, round) only, and round 0 is the first
 * increment. */
static void test_proposer_select_is_a_function_of_round(void **state UNUSED)
{
	struct validator m[4] = { named("a", 10), named("b", 20), named("c", 30), named("d", 40) };
	struct validator_set set, scratch, copy;

	genesis(m, 4, &set);
	copy = set;
	assert_int_equal(proposer_select(&set, 0, &scratch), proposer_increment(&copy, 1));
	for (uint32_t r = 0; r < 20; r++) {
		size_t a = proposer_select(&set, r, &scratch);
		size_t b = proposer_select(&set, r, &scratch);

		assert_int_equal(a, b);
	}
	copy = set;
	(void)proposer_increment(&copy, 1);
	assert_int_equal(proposer_select(&set, 5, &scratch), proposer_increment(&copy, 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proposer_matches_cometbft_selection1),
		cmocka_unit_test(test_proposer_equal_power_goes_in_key_order),
		cmocka_unit_test(test_proposer_frequency_follows_power),
		cmocka_unit_test(test_proposer_new_validator_starts_behind),
		cmocka_unit_test(test_proposer_rescales_and_centres),
		cmocka_unit_test(test_proposer_select_is_a_function_of_round),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
