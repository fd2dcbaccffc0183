/* test_p2p_ban.c: unit tests of the ban list (node/p2p_ban.c): expiry by the
 * caller's clock, extension, removal, and the bound on its size. */
#include "node/p2p_ban.h"

#include <string.h>

#include "tests/unit/test_util.h"

static void test_ban_expires_at_its_time(void **state UNUSED)
{
	struct p2p_banlist bl;

	p2p_banlist_init(&bl, 8);
	assert_false(p2p_banlist_contains(&bl, "10.0.0.1", 0));
	assert_int_equal(p2p_banlist_add(&bl, "10.0.0.1", 1000, "bad-frame"), 0);
	assert_true(p2p_banlist_contains(&bl, "10.0.0.1", 999));
	assert_false(p2p_banlist_contains(&bl, "10.0.0.1", 1000));
	assert_false(p2p_banlist_contains(&bl, "10.0.0.2", 0));
	p2p_banlist_expire(&bl, 999);
	assert_int_equal(bl.count, 1);
	p2p_banlist_expire(&bl, 1000);
	assert_int_equal(bl.count, 0);
	p2p_banlist_free(&bl);
}

static void test_ban_is_extended_never_shortened(void **state UNUSED)
{
	struct p2p_banlist bl;

	p2p_banlist_init(&bl, 8);
	assert_int_equal(p2p_banlist_add(&bl, "::1", 1000, "first"), 0);
	assert_int_equal(p2p_banlist_add(&bl, "::1", 500, "second"), 0);
	assert_int_equal(bl.count, 1);
	assert_true(p2p_banlist_contains(&bl, "::1", 900));
	assert_int_equal(p2p_banlist_add(&bl, "::1", 2000, "third"), 0);
	assert_true(p2p_banlist_contains(&bl, "::1", 1500));
	assert_string_equal(bl.entries[0].reason, "third");
	assert_true(p2p_banlist_remove(&bl, "::1"));
	assert_false(p2p_banlist_remove(&bl, "::1"));
	assert_false(p2p_banlist_contains(&bl, "::1", 0));
	p2p_banlist_free(&bl);
}

static void test_full_list_evicts_the_soonest_expiring(void **state UNUSED)
{
	struct p2p_banlist bl;
	char ip[32];

	p2p_banlist_init(&bl, 3);
	assert_int_equal(p2p_banlist_add(&bl, "1.1.1.1", 300, NULL), 0);
	assert_int_equal(p2p_banlist_add(&bl, "2.2.2.2", 100, NULL), 0);
	assert_int_equal(p2p_banlist_add(&bl, "3.3.3.3", 200, NULL), 0);
	assert_int_equal(p2p_banlist_add(&bl, "4.4.4.4", 400, NULL), 0);
	assert_int_equal(bl.count, 3);
	assert_false(p2p_banlist_contains(&bl, "2.2.2.2", 0));
	assert_true(p2p_banlist_contains(&bl, "4.4.4.4", 0));
	for (int i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%d", i);
		assert_int_equal(p2p_banlist_add(&bl, ip, 1000 + (uint64_t)i, "flood"), 0);
	}
	assert_int_equal(bl.count, 3);
	/* An ip longer than any address is refused. */
	{
		char longer[P2P_IP_MAX + 8];

		memset(longer, '1', sizeof(longer) - 1);
		longer[sizeof(longer) - 1] = '\0';
		assert_int_equal(p2p_banlist_add(&bl, longer, 1, NULL), -1);
	}
	p2p_banlist_free(&bl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ban_expires_at_its_time),
		cmocka_unit_test(test_ban_is_extended_never_shortened),
		cmocka_unit_test(test_full_list_evicts_the_soonest_expiring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
