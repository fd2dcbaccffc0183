/* test_store_tamper.c: unit tests of the LevelDB store (node/store*.c)
 * against bad input: commits that are refused and write nothing, databases
 * whose records were tampered with, and databases that are not Hearth stores
 * or cannot be opened. The tests edit a closed store's raw records through
 * LevelDB directly. */
#include "node/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leveldb/c.h>

#include "tests/unit/store_helpers.h"
#include "tests/unit/test_util.h"

/* The whole database as a dump of raw LevelDB pairs. */
static void dump_raw(const char *path, struct dump *d)
{
	leveldb_options_t *opts = leveldb_options_create();
	leveldb_readoptions_t *read = leveldb_readoptions_create();
	char *msg = NULL;
	leveldb_t *db = leveldb_open(opts, path, &msg);
	leveldb_iterator_t *it;

	assert_null(msg);
	memset(d, 0, sizeof(*d));
	it = leveldb_create_iterator(db, read);
	for (leveldb_iter_seek_to_first(it); leveldb_iter_valid(it); leveldb_iter_next(it)) {
		size_t kl, vl;
		const char *k = leveldb_iter_key(it, &kl);
		const char *v = leveldb_iter_value(it, &vl);

		dump_pair(d, (const uint8_t *)k, kl, (const uint8_t *)v, vl);
	}
	leveldb_iter_get_error(it, &msg);
	assert_null(msg);
	leveldb_iter_destroy(it);
	leveldb_readoptions_destroy(read);
	leveldb_close(db);
	leveldb_options_destroy(opts);
}

static void test_store_commit_with_wrong_height_is_rejected_and_writes_nothing(void **state)
{
	struct tmp *t = *state;
	struct store *store;
	struct store_error err;
	struct store_tip tip;
	struct state ov_st;
	struct overlay ov;
	uint8_t app_hash[HASH_SIZE], bad_hash[HASH_SIZE];
	struct dump before, after;
	const uint64_t wrong[] = { 0, 1, 2, 3, 5, 100, UINT64_MAX };

	store = open_ok(t->path);

	/* No block before genesis. */
	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "x", "1");
	memset(app_hash, 0, sizeof(app_hash));
	assert_int_equal(commit_test_block(store, 1, &ov, app_hash, &err), STORE_REJECTED);
	assert_non_null(strstr(err.msg, "no genesis"));
	overlay_free(&ov);

	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "g", "0");
	assert_int_equal(commit_genesis(store, &ov, app_hash, &err), STORE_OK);
	/* Genesis only once. */
	assert_int_equal(commit_genesis(store, &ov, bad_hash, &err), STORE_REJECTED);
	assert_non_null(strstr(err.msg, "already has a tip"));
	overlay_free(&ov);
	for (uint64_t h = 1; h <= 3; h++) {
		overlay_init(&ov, store_state(store), &ov_st);
		put_s(&ov_st, "g", h == 1 ? "1" : h == 2 ? "2" : "3");
		assert_int_equal(commit_test_block(store, h, &ov, app_hash, &err), STORE_OK);
		overlay_free(&ov);
	}
	store_close(store);
	dump_raw(t->path, &before);

	store = open_ok(t->path);
	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "g", "bad");
	put_s(&ov_st, "new", "bad");
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		memcpy(bad_hash, app_hash, HASH_SIZE);
		assert_int_equal(commit_test_block(store, wrong[i], &ov, bad_hash, &err),
				 STORE_REJECTED);
		assert_non_null(strstr(err.msg, "the tip is 3, expected 4"));
	}
	/* The right height with an app hash that does not follow from the
	 * tip and the write set. */
	{
		struct store_block block = { .height = 4 };
		uint8_t wrong_app_hash[HASH_SIZE] = { 1 };

		test_block_id(4, block.id);
		assert_int_equal(store_commit_block(store, &block, &ov, wrong_app_hash, &err),
				 STORE_REJECTED);
		assert_non_null(strstr(err.msg, "app hash does not match"));
		/* A NULL buffer with a length, with the app hash that does follow
		 * from the tip and the write set, so only the buffer is wrong. */
		{
			uint8_t ws[HASH_SIZE], right[HASH_SIZE];

			overlay_write_set_hash(&ov, ws);
			overlay_app_hash(app_hash, ws, right);
			block.len = 5;
			assert_int_equal(store_commit_block(store, &block, &ov, right, &err),
					 STORE_REJECTED);
			assert_non_null(strstr(err.msg, "a NULL buffer with a length"));
		}
	}
	overlay_free(&ov);
	assert_int_equal(store_get_tip(store, NULL, &tip, &err), STORE_OK);
	assert_int_equal(tip.height, 3);
	assert_memory_equal(tip.app_hash, app_hash, HASH_SIZE);
	assert_get_s(store_state(store), "g", "3");
	assert_get_s(store_state(store), "new", NULL);
	store_close(store);

	dump_raw(t->path, &after);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.buf, after.buf, before.len);
	free(before.buf);
	free(after.buf);
}

/* Replaces (val != NULL) or deletes one raw record of a closed store. */
static void raw_set(const char *path, const uint8_t *key, size_t key_len, const uint8_t *val,
		    size_t val_len)
{
	leveldb_options_t *opts = leveldb_options_create();
	leveldb_writeoptions_t *write = leveldb_writeoptions_create();
	char *msg = NULL;
	leveldb_t *db;

	leveldb_options_set_create_if_missing(opts, 1);
	db = leveldb_open(opts, path, &msg);
	assert_null(msg);
	if (val != NULL)
		leveldb_put(db, write, (const char *)key, key_len, (const char *)val, val_len,
			    &msg);
	else
		leveldb_delete(db, write, (const char *)key, key_len, &msg);
	assert_null(msg);
	leveldb_close(db);
	leveldb_writeoptions_destroy(write);
	leveldb_options_destroy(opts);
}

/* Reads one raw record of a closed store. Out: val (size bytes). */
static void raw_get(const char *path, const uint8_t *key, size_t key_len, uint8_t *val, size_t size)
{
	leveldb_options_t *opts = leveldb_options_create();
	leveldb_readoptions_t *read = leveldb_readoptions_create();
	char *msg = NULL;
	leveldb_t *db = leveldb_open(opts, path, &msg);
	size_t len;
	char *raw;

	assert_null(msg);
	raw = leveldb_get(db, read, (const char *)key, key_len, &len, &msg);
	assert_null(msg);
	assert_non_null(raw);
	assert_int_equal(len, size);
	memcpy(val, raw, size);
	leveldb_free(raw);
	leveldb_close(db);
	leveldb_readoptions_destroy(read);
	leveldb_options_destroy(opts);
}

static void assert_open_fails(const char *path, enum store_status want, const char *words)
{
	struct store *store;
	struct store_error err;

	assert_int_equal(store_open(path, NULL, &store, &err), want);
	assert_null(store);
	if (strstr(err.msg, words) == NULL)
		fail_msg("store_open said \"%s\", expected \"%s\"", err.msg, words);
	assert_null(strchr(err.msg, '\n'));
}

static void test_store_reopen_with_tampered_tip_fails_clearly(void **state)
{
	struct tmp *t = *state;
	struct store *store;
	struct store_error err;
	struct state ov_st;
	struct overlay ov;
	uint8_t app_hash[HASH_SIZE];
	const uint8_t tip_key[1] = { 't' };
	const uint8_t version_key[1] = { 'v' };
	uint8_t tip[8 + 2 * HASH_SIZE], bad[8 + 2 * HASH_SIZE];
	uint8_t version[4];

	store = open_ok(t->path);
	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "g", "0");
	assert_int_equal(commit_genesis(store, &ov, app_hash, &err), STORE_OK);
	overlay_free(&ov);
	for (uint64_t h = 1; h <= 3; h++) {
		overlay_init(&ov, store_state(store), &ov_st);
		put_s(&ov_st, "g", "x");
		assert_int_equal(commit_test_block(store, h, &ov, app_hash, &err), STORE_OK);
		overlay_free(&ov);
	}
	store_close(store);
	raw_get(t->path, tip_key, 1, tip, sizeof(tip));
	assert_int_equal(tip[7], 3);

	/* A flipped bit in the tip's app hash. */
	memcpy(bad, tip, sizeof(tip));
	bad[8 + HASH_SIZE] ^= 1;
	raw_set(t->path, tip_key, 1, bad, sizeof(bad));
	assert_open_fails(t->path, STORE_CORRUPT, "app hash differs");

	/* A flipped bit in the tip's block id. */
	memcpy(bad, tip, sizeof(tip));
	bad[8] ^= 1;
	raw_set(t->path, tip_key, 1, bad, sizeof(bad));
	assert_open_fails(t->path, STORE_CORRUPT, "is not the tip's block");

	/* A tip beyond the last block. */
	memcpy(bad, tip, sizeof(tip));
	bad[7] = 4;
	raw_set(t->path, tip_key, 1, bad, sizeof(bad));
	assert_open_fails(t->path, STORE_CORRUPT, "tip names height 4 but no block");

	/* A tip moved back to height 2 with height 2's own id and app hash. */
	{
		uint8_t key[9] = { 'a', 0, 0, 0, 0, 0, 0, 0, 2 };

		bad[7] = 2;
		test_block_id(2, bad + 8);
		raw_get(t->path, key, sizeof(key), bad + 8 + HASH_SIZE, HASH_SIZE);
		raw_set(t->path, tip_key, 1, bad, sizeof(bad));
		assert_open_fails(t->path, STORE_CORRUPT, "after the tip");
	}

	/* A tip record of the wrong size. */
	raw_set(t->path, tip_key, 1, tip, 10);
	assert_open_fails(t->path, STORE_CORRUPT, "tip record is 10 bytes");

	/* No tip at all, but blocks. */
	raw_set(t->path, tip_key, 1, NULL, 0);
	assert_open_fails(t->path, STORE_CORRUPT, "records but no tip");

	/* Restored, the store opens again. */
	raw_set(t->path, tip_key, 1, tip, sizeof(tip));
	store = open_ok(t->path);
	store_close(store);

	/* A schema version of the future. */
	raw_get(t->path, version_key, 1, version, sizeof(version));
	assert_int_equal(version[3], STORE_SCHEMA_VERSION);
	version[3] = STORE_SCHEMA_VERSION + 1;
	raw_set(t->path, version_key, 1, version, sizeof(version));
	assert_open_fails(t->path, STORE_CORRUPT, "schema version 2 is not supported");
	raw_set(t->path, version_key, 1, NULL, 0);
	assert_open_fails(t->path, STORE_CORRUPT, "not a Hearth store");
}

static void test_store_open_failures_carry_leveldb_message(void **state)
{
	struct tmp *t = *state;
	struct store *store, *second;
	struct store_options opts;
	struct store_error err;
	const uint8_t key[] = "foreign";
	char foreign[TEST_PATH_MAX + 16];

	/* No database and no permission to create one. */
	store_options_default(&opts);
	opts.create_if_missing = false;
	assert_int_equal(store_open(t->path, &opts, &store, &err), STORE_ERROR);
	assert_null(store);
	assert_non_null(strstr(err.msg, "LevelDB"));
	assert_non_null(strstr(err.msg, t->path));

	/* The same store twice: LevelDB's lock refuses the second. */
	store = open_ok(t->path);
	assert_int_equal(store_open(t->path, NULL, &second, &err), STORE_ERROR);
	assert_null(second);
	assert_non_null(strstr(err.msg, "LevelDB"));
	store_close(store);

	/* A LevelDB database of another program. */
	snprintf(foreign, sizeof(foreign), "%s/foreign", t->dir);
	raw_set(foreign, key, sizeof(key) - 1, key, sizeof(key) - 1);
	assert_open_fails(foreign, STORE_CORRUPT, "not a Hearth store");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_store_commit_with_wrong_height_is_rejected_and_writes_nothing,
			tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_store_reopen_with_tampered_tip_fails_clearly,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_store_open_failures_carry_leveldb_message,
						tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
