/* test_addrbook.c: unit tests of the address book (node/addrbook.c): adding
 * and updating, the per-source limit, eviction from a full book, backoff,
 * the choice of the next dial (skipped, banned, backoff, preference for
 * addresses that worked) and the pruning of terrible entries. */
#include "node/addrbook.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/test_util.h"

#define T0 1700000000u /* a Unix time */

static struct addrbook book;

static int setup(void **state UNUSED)
{
	return addrbook_init(&book);
}

static int teardown(void **state UNUSED)
{
	addrbook_free(&book);
	return 0;
}

/* "10.a.b.c" for n. */
static const char *ip_of(unsigned n, char buf[ADDRBOOK_IP_MAX])
{
	snprintf(buf, ADDRBOOK_IP_MAX, "10.%u.%u.%u", (n >> 16) & 255, (n >> 8) & 255, n & 255);
	return buf;
}

static void test_addrbook_add_then_update_refreshes_last_seen(void **state UNUSED)
{
	const struct addrbook_entry *e;

	assert_int_equal(addrbook_add(&book, "127.0.0.1", 9740, "10.0.0.1", T0), ADDRBOOK_ADDED);
	/* same ip, other port: another node */
	assert_int_equal(addrbook_add(&book, "127.0.0.1", 9741, "10.0.0.1", T0), ADDRBOOK_ADDED);
	assert_int_equal(addrbook_add(&book, "127.0.0.1", 9740, "10.0.0.2", T0 + 50),
			 ADDRBOOK_UPDATED);
	assert_int_equal(book.count, 2);
	e = addrbook_find(&book, "127.0.0.1", 9740);
	assert_non_null(e);
	assert_int_equal(e->last_seen, T0 + 50);
	assert_string_equal(e->source, "10.0.0.1"); /* the first source stays */
	assert_int_equal(e->attempts, 0);
	assert_int_equal(e->last_success, 0);
	/* an older report does not move last_seen back */
	assert_int_equal(addrbook_add(&book, "127.0.0.1", 9740, "10.0.0.1", T0), ADDRBOOK_UPDATED);
	assert_int_equal(addrbook_find(&book, "127.0.0.1", 9740)->last_seen, T0 + 50);
	assert_null(addrbook_find(&book, "127.0.0.1", 9742));
}

static void test_addrbook_invalid_input_is_refused(void **state UNUSED)
{
	char long_ip[ADDRBOOK_IP_MAX + 1];

	memset(long_ip, '1', ADDRBOOK_IP_MAX);
	long_ip[ADDRBOOK_IP_MAX] = '\0';
	assert_int_equal(addrbook_add(&book, "1.2.3.4", 0, "5.6.7.8", T0), ADDRBOOK_INVALID);
	assert_int_equal(addrbook_add(&book, "", 1, "5.6.7.8", T0), ADDRBOOK_INVALID);
	assert_int_equal(addrbook_add(&book, long_ip, 1, "5.6.7.8", T0), ADDRBOOK_INVALID);
	assert_int_equal(addrbook_add(&book, "1.2.3.4", 1, long_ip, T0), ADDRBOOK_INVALID);
	assert_int_equal(addrbook_mark_good(&book, "1.2.3.4", 0, T0), -1);
	assert_int_equal(book.count, 0);
}

static void test_addrbook_one_source_cannot_fill_the_book(void **state UNUSED)
{
	char ip[ADDRBOOK_IP_MAX];

	for (unsigned i = 0; i < ADDRBOOK_SOURCE_MAX; i++)
		assert_int_equal(addrbook_add(&book, ip_of(i, ip), 9740, "6.6.6.6", T0),
				 ADDRBOOK_ADDED);
	assert_int_equal(addrbook_add(&book, ip_of(5000, ip), 9740, "6.6.6.6", T0),
			 ADDRBOOK_SOURCE_FULL);
	/* known addresses are still refreshed, other sources still add */
	assert_int_equal(addrbook_add(&book, ip_of(0, ip), 9740, "6.6.6.6", T0 + 1),
			 ADDRBOOK_UPDATED);
	assert_int_equal(addrbook_add(&book, ip_of(5000, ip), 9740, "7.7.7.7", T0), ADDRBOOK_ADDED);
	/* a connection that worked is not limited by source */
	assert_int_equal(addrbook_mark_good(&book, ip_of(5001, ip), 9740, T0), 0);
	assert_int_equal(book.count, ADDRBOOK_SOURCE_MAX + 2);
}

/* Fills the book from many sources, entry i seen at T0 + i. */
static void fill_book(void)
{
	char ip[ADDRBOOK_IP_MAX], src[ADDRBOOK_IP_MAX];

	for (unsigned i = 0; i < ADDRBOOK_MAX; i++)
		assert_int_equal(
			addrbook_add(&book, ip_of(i, ip), 9740, ip_of(100000 + i / 8, src), T0 + i),
			ADDRBOOK_ADDED);
	assert_int_equal(book.count, ADDRBOOK_MAX);
}

static void test_addrbook_full_book_evicts_most_failed_then_oldest(void **state UNUSED)
{
	char ip[ADDRBOOK_IP_MAX];

	fill_book();
	/* entry 500 failed three times, entry 600 once */
	for (int i = 0; i < 3; i++)
		addrbook_mark_attempt(&book, ip_of(500, ip), 9740, T0 + 2000);
	addrbook_mark_attempt(&book, ip_of(600, ip), 9740, T0 + 2000);
	assert_int_equal(addrbook_add(&book, "192.168.0.1", 1, "8.8.8.8", T0 + 3000),
			 ADDRBOOK_ADDED);
	assert_int_equal(book.count, ADDRBOOK_MAX);
	assert_null(addrbook_find(&book, ip_of(500, ip), 9740));
	assert_int_equal(addrbook_add(&book, "192.168.0.2", 1, "8.8.8.8", T0 + 3000),
			 ADDRBOOK_ADDED);
	assert_null(addrbook_find(&book, ip_of(600, ip), 9740));
	/* then the one seen longest ago (entry 0) */
	assert_int_equal(addrbook_add(&book, "192.168.0.3", 1, "8.8.8.8", T0 + 3000),
			 ADDRBOOK_ADDED);
	assert_null(addrbook_find(&book, ip_of(0, ip), 9740));
	assert_non_null(addrbook_find(&book, ip_of(1, ip), 9740));
	assert_non_null(addrbook_find(&book, "192.168.0.1", 1));
}

static void test_addrbook_full_of_good_addresses_refuses_new_ones(void **state UNUSED)
{
	char ip[ADDRBOOK_IP_MAX];

	fill_book();
	for (unsigned i = 0; i < ADDRBOOK_MAX; i++)
		assert_int_equal(addrbook_mark_good(&book, ip_of(i, ip), 9740, T0 + 5000), 0);
	assert_int_equal(addrbook_add(&book, "192.168.0.1", 1, "8.8.8.8", T0 + 6000),
			 ADDRBOOK_FULL);
	assert_null(addrbook_find(&book, "192.168.0.1", 1));
	/* a new good one replaces the good one seen longest ago */
	assert_int_equal(addrbook_mark_good(&book, "192.168.0.1", 1, T0 + 6000), 0);
	assert_non_null(addrbook_find(&book, "192.168.0.1", 1));
	assert_int_equal(book.count, ADDRBOOK_MAX);
}

static void test_addrbook_backoff_doubles_and_is_bounded(void **state UNUSED)
{
	struct addrbook_entry e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(addrbook_wait_s(&e), ADDRBOOK_RETRY_MIN_S);
	e.attempts = 1;
	assert_int_equal(addrbook_wait_s(&e), ADDRBOOK_BACKOFF_MIN_S);
	e.attempts = 2;
	assert_int_equal(addrbook_wait_s(&e), 2 * ADDRBOOK_BACKOFF_MIN_S);
	e.attempts = 4;
	assert_int_equal(addrbook_wait_s(&e), 8 * ADDRBOOK_BACKOFF_MIN_S);
	e.attempts = 40;
	assert_int_equal(addrbook_wait_s(&e), ADDRBOOK_BACKOFF_MAX_S);
	e.attempts = UINT32_MAX;
	assert_int_equal(addrbook_wait_s(&e), ADDRBOOK_BACKOFF_MAX_S);
}

static void test_addrbook_select_waits_out_the_backoff(void **state UNUSED)
{
	struct addrbook_entry e;

	assert_false(addrbook_select(&book, T0, NULL, NULL, &e));
	assert_int_equal(addrbook_add(&book, "1.1.1.1", 9740, "2.2.2.2", T0), ADDRBOOK_ADDED);
	assert_true(addrbook_select(&book, T0, NULL, NULL, &e));
	assert_string_equal(e.ip, "1.1.1.1");
	assert_int_equal(e.port, 9740);
	addrbook_mark_attempt(&book, "1.1.1.1", 9740, T0);
	assert_false(addrbook_select(&book, T0 + ADDRBOOK_BACKOFF_MIN_S - 1, NULL, NULL, &e));
	assert_true(addrbook_select(&book, T0 + ADDRBOOK_BACKOFF_MIN_S, NULL, NULL, &e));
	addrbook_mark_attempt(&book, "1.1.1.1", 9740, T0 + 100);
	assert_false(
		addrbook_select(&book, T0 + 100 + 2 * ADDRBOOK_BACKOFF_MIN_S - 1, NULL, NULL, &e));
	assert_true(addrbook_select(&book, T0 + 100 + 2 * ADDRBOOK_BACKOFF_MIN_S, NULL, NULL, &e));
	/* a success ends the backoff, but not the short pause after a dial */
	addrbook_mark_attempt(&book, "1.1.1.1", 9740, T0 + 200);
	assert_int_equal(addrbook_mark_good(&book, "1.1.1.1", 9740, T0 + 201), 0);
	assert_false(addrbook_select(&book, T0 + 200 + ADDRBOOK_RETRY_MIN_S - 1, NULL, NULL, &e));
	assert_true(addrbook_select(&book, T0 + 200 + ADDRBOOK_RETRY_MIN_S, NULL, NULL, &e));
	/* a clock that went back does not hold the address forever */
	assert_true(addrbook_select(&book, T0 + 100, NULL, NULL, &e));
}

struct skip_list {
	const char *ip;
	uint16_t port;
	int calls;
};

static bool skip_one(void *ctx, const char *ip, uint16_t port)
{
	struct skip_list *s = ctx;

	s->calls++;
	return strcmp(ip, s->ip) == 0 && port == s->port;
}

static void test_addrbook_select_prefers_addresses_that_worked(void **state UNUSED)
{
	struct skip_list skip = { "3.3.3.3", 3, 0 };
	struct addrbook_entry e;

	assert_int_equal(addrbook_add(&book, "1.1.1.1", 1, "9.9.9.9", T0 + 10), ADDRBOOK_ADDED);
	assert_int_equal(addrbook_add(&book, "2.2.2.2", 2, "9.9.9.9", T0 + 20), ADDRBOOK_ADDED);
	assert_int_equal(addrbook_add(&book, "3.3.3.3", 3, "9.9.9.9", T0), ADDRBOOK_ADDED);
	/* none worked yet: the one seen last */
	assert_true(addrbook_select(&book, T0 + 30, NULL, NULL, &e));
	assert_string_equal(e.ip, "2.2.2.2");
	/* 3.3.3.3 worked once: it comes first, unless skipped */
	assert_int_equal(addrbook_mark_good(&book, "3.3.3.3", 3, T0 + 5), 0);
	assert_true(addrbook_select(&book, T0 + 30, NULL, NULL, &e));
	assert_string_equal(e.ip, "3.3.3.3");
	assert_true(addrbook_select(&book, T0 + 30, skip_one, &skip, &e));
	assert_string_equal(e.ip, "2.2.2.2");
	assert_true(skip.calls > 0);
	/* of the never-reached, the one with fewer failures */
	addrbook_mark_attempt(&book, "2.2.2.2", 2, T0 - 1000);
	assert_true(addrbook_select(&book, T0 + 30, skip_one, &skip, &e));
	assert_string_equal(e.ip, "1.1.1.1");
}

/* Skips (as the node does for connected or banned ones) every address in
 * the list of ip strings ctx, NULL-terminated. */
static bool skip_banned(void *ctx, const char *ip, uint16_t port UNUSED)
{
	for (const char *const *b = ctx; *b != NULL; b++)
		if (strcmp(*b, ip) == 0)
			return true;
	return false;
}

static void test_addrbook_select_skips_banned_and_connected(void **state UNUSED)
{
	const char *banned[] = { "1.1.1.1", "2.2.2.2", NULL };
	const char *all[] = { "1.1.1.1", "2.2.2.2", "3.3.3.3", NULL };
	struct addrbook_entry e;

	assert_int_equal(addrbook_add(&book, "1.1.1.1", 1, "9.9.9.9", T0), ADDRBOOK_ADDED);
	assert_int_equal(addrbook_add(&book, "2.2.2.2", 2, "9.9.9.9", T0), ADDRBOOK_ADDED);
	assert_int_equal(addrbook_add(&book, "3.3.3.3", 3, "9.9.9.9", T0 - 100), ADDRBOOK_ADDED);
	assert_int_equal(addrbook_mark_good(&book, "1.1.1.1", 1, T0), 0);
	assert_true(addrbook_select(&book, T0 + 30, skip_banned, (void *)banned, &e));
	assert_string_equal(e.ip, "3.3.3.3");
	assert_false(addrbook_select(&book, T0 + 30, skip_banned, (void *)all, &e));
}

static void test_addrbook_prune_drops_failing_and_forgotten(void **state UNUSED)
{
	struct addrbook_entry e;
	uint64_t now = T0 + 100 * 86400ull;

	/* failed FAILURES_MAX times, never reached: dropped */
	assert_int_equal(addrbook_add(&book, "1.1.1.1", 1, "9.9.9.9", now), ADDRBOOK_ADDED);
	/* failed as often, but reached yesterday: kept */
	assert_int_equal(addrbook_add(&book, "2.2.2.2", 2, "9.9.9.9", now), ADDRBOOK_ADDED);
	assert_int_equal(addrbook_mark_good(&book, "2.2.2.2", 2, now - 86400), 0);
	/* failed as often, reached long ago: dropped */
	assert_int_equal(addrbook_mark_good(&book, "3.3.3.3", 3, now - ADDRBOOK_STALE_S - 1), 0);
	/* one failure short: kept */
	assert_int_equal(addrbook_add(&book, "4.4.4.4", 4, "9.9.9.9", now), ADDRBOOK_ADDED);
	/* never tried, not heard of for ADDRBOOK_FORGET_S: dropped */
	assert_int_equal(addrbook_add(&book, "5.5.5.5", 5, "9.9.9.9", now - ADDRBOOK_FORGET_S),
			 ADDRBOOK_ADDED);
	for (int i = 0; i < ADDRBOOK_FAILURES_MAX; i++) {
		addrbook_mark_attempt(&book, "1.1.1.1", 1, now - 10000);
		addrbook_mark_attempt(&book, "2.2.2.2", 2, now - 10000);
		addrbook_mark_attempt(&book, "3.3.3.3", 3, now - 10000);
		if (i > 0)
			addrbook_mark_attempt(&book, "4.4.4.4", 4, now - 10000);
	}
	assert_true(addrbook_is_terrible(addrbook_find(&book, "1.1.1.1", 1), now));
	/* a terrible entry is never selected, even before it is pruned */
	assert_true(addrbook_select(&book, now, NULL, NULL, &e));
	assert_string_equal(e.ip, "2.2.2.2");
	assert_int_equal(addrbook_prune(&book, now), 3);
	assert_int_equal(book.count, 2);
	assert_non_null(addrbook_find(&book, "2.2.2.2", 2));
	assert_non_null(addrbook_find(&book, "4.4.4.4", 4));
	assert_true(addrbook_remove(&book, "4.4.4.4", 4));
	assert_false(addrbook_remove(&book, "4.4.4.4", 4));
	assert_int_equal(book.count, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_addrbook_add_then_update_refreshes_last_seen),
		T(test_addrbook_invalid_input_is_refused),
		T(test_addrbook_one_source_cannot_fill_the_book),
		T(test_addrbook_full_book_evicts_most_failed_then_oldest),
		T(test_addrbook_full_of_good_addresses_refuses_new_ones),
		T(test_addrbook_backoff_doubles_and_is_bounded),
		T(test_addrbook_select_waits_out_the_backoff),
		T(test_addrbook_select_prefers_addresses_that_worked),
		T(test_addrbook_select_skips_banned_and_connected),
		T(test_addrbook_prune_drops_failing_and_forgotten),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
