/* test_journal.c: the executor's per-lease journal (node/journal.c): its
 * text form round-trips, malformed text is refused, and the file is
 * replaced whole. */
#include "node/journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

static void sample(struct journal_entry *e)
{
	memset(e, 0, sizeof(*e));
	memset(e->lease_id, 0xab, HASH_SIZE);
	memset(e->bid_id, 0x01, HASH_SIZE);
	memset(e->offer_id, 0x02, HASH_SIZE);
	e->state = JOURNAL_COMMITTED;
	e->replicas = 3;
	e->price = 12345678901234ull;
	e->deadline = 77;
	e->max_duration = 30;
	e->attempts = 2;
	e->has_outcome = true;
	memset(e->result_hash, 0xcd, HASH_SIZE);
	e->exit_status = -9;
	e->timed_out = true;
	e->wall_ms = 1500;
	e->cpu_ms = 900;
	e->peak_memory_bytes = 1 << 20;
	memset(e->salt, 0x5a, JOURNAL_SALT_SIZE);
	e->has_tx = true;
	memset(e->txid, 0x77, HASH_SIZE);
	e->tx_height = 70;
	e->paid = UINT64_MAX;
	e->created_ms = 1700000000000ull;
}

static void test_format_then_parse_gives_the_same_entry(void **state UNUSED)
{
	struct journal_entry e, back;
	char text[JOURNAL_TEXT_MAX];
	int len;

	sample(&e);
	len = journal_format(&e, text, sizeof(text));
	assert_true(len > 0);
	assert_int_equal(journal_parse(text, (size_t)len, &back), 0);
	assert_memory_equal(&e.lease_id, &back.lease_id, HASH_SIZE);
	assert_int_equal(back.state, JOURNAL_COMMITTED);
	assert_int_equal(back.replicas, 3);
	assert_true(back.price == e.price);
	assert_int_equal(back.exit_status, -9);
	assert_true(back.timed_out && !back.oom_killed && back.has_outcome);
	assert_memory_equal(back.salt, e.salt, JOURNAL_SALT_SIZE);
	assert_memory_equal(back.txid, e.txid, HASH_SIZE);
	assert_true(back.paid == UINT64_MAX);
	assert_true(back.created_ms == e.created_ms);
	assert_true(back.max_duration == 30);
}

static void test_every_state_has_a_name_that_parses(void **state UNUSED)
{
	struct journal_entry e, back;
	char text[JOURNAL_TEXT_MAX];

	for (int s = JOURNAL_RECEIVED; s <= JOURNAL_FAILED; s++) {
		sample(&e);
		e.state = (enum journal_state)s;
		assert_int_equal(
			journal_parse(text, (size_t)journal_format(&e, text, sizeof(text)), &back),
			0);
		assert_int_equal(back.state, s);
	}
	assert_true(journal_state_final(JOURNAL_SETTLED) && journal_state_final(JOURNAL_FAILED));
	assert_false(journal_state_final(JOURNAL_DONE));
}

static void test_missing_field_is_refused(void **state UNUSED)
{
	struct journal_entry e, back;
	char text[JOURNAL_TEXT_MAX], *line;
	int len;

	sample(&e);
	len = journal_format(&e, text, sizeof(text));
	line = strstr(text, "deadline ");
	assert_non_null(line);
	line[0] = 'X'; /* "Xeadline": unknown key, so "deadline" is missing */
	assert_int_equal(journal_parse(text, (size_t)len, &back), -1);
}

static void test_malformed_values_are_refused(void **state UNUSED)
{
	static const char *const bad[] = { "state nonsense", "replicas -1",
					   "verifier 2",     "price 1x",
					   "lease 00",	     "exit_status 99999999999" };
	struct journal_entry e, back;
	char text[JOURNAL_TEXT_MAX], bigger[JOURNAL_TEXT_MAX + 64];
	int len;

	sample(&e);
	len = journal_format(&e, text, sizeof(text));
	assert_true(len > 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* A repeated key is refused too, so appending a bad line must fail
		 * whether the value or the repetition is caught. */
		snprintf(bigger, sizeof(bigger), "%s%s\n", text, bad[i]);
		assert_int_equal(journal_parse(bigger, strlen(bigger), &back), -1);
	}
	assert_int_equal(journal_parse("", 0, &back), -1);
}

static void test_unknown_keys_are_skipped(void **state UNUSED)
{
	struct journal_entry e, back;
	char text[JOURNAL_TEXT_MAX], bigger[JOURNAL_TEXT_MAX + 64];

	sample(&e);
	assert_true(journal_format(&e, text, sizeof(text)) > 0);
	snprintf(bigger, sizeof(bigger), "future_field 42\n%s", text);
	assert_int_equal(journal_parse(bigger, strlen(bigger), &back), 0);
	assert_int_equal(back.deadline, 77);
}

static void test_format_into_a_small_buffer_fails(void **state UNUSED)
{
	struct journal_entry e;
	char text[64];

	sample(&e);
	assert_int_equal(journal_format(&e, text, sizeof(text)), -1);
}

static void test_save_then_load_round_trips_and_leaves_no_temp_file(void **state UNUSED)
{
	char base[] = "/tmp/hearth-journal-XXXXXX", results[128], dir[256], tmp[300];
	struct journal_entry e, back;
	char err[256];

	assert_non_null(mkdtemp(base));
	snprintf(results, sizeof(results), "%s/results", base);
	sample(&e);
	assert_int_equal(journal_save(results, &e, err, sizeof(err)), 0);
	e.state = JOURNAL_SETTLED;
	assert_int_equal(journal_save(results, &e, err, sizeof(err)), 0);
	assert_int_equal(journal_dir(results, e.lease_id, dir, sizeof(dir)), 0);
	assert_int_equal(journal_load(dir, &back, err, sizeof(err)), 0);
	assert_int_equal(back.state, JOURNAL_SETTLED);
	snprintf(tmp, sizeof(tmp), "%s/journal.tmp", dir);
	assert_int_not_equal(access(tmp, F_OK), 0);
	snprintf(tmp, sizeof(tmp), "%s/journal", dir);
	assert_int_equal(unlink(tmp), 0);
	assert_int_equal(journal_load(dir, &back, err, sizeof(err)), 1);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(rmdir(results), 0);
	assert_int_equal(rmdir(base), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_then_parse_gives_the_same_entry),
		cmocka_unit_test(test_every_state_has_a_name_that_parses),
		cmocka_unit_test(test_missing_field_is_refused),
		cmocka_unit_test(test_malformed_values_are_refused),
		cmocka_unit_test(test_unknown_keys_are_skipped),
		cmocka_unit_test(test_format_into_a_small_buffer_fails),
		cmocka_unit_test(test_save_then_load_round_trips_and_leaves_no_temp_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
