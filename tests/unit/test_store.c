/* test_store.c: unit tests of the LevelDB store (node/store*.c): a new
 * store, commit and reopen, state iteration against the in-memory state,
 * the read-only state, and snapshots. Rejected commits and damaged databases
 * are in test_store_tamper.c, commits under concurrent readers and the
 * SIGKILL crash test in test_store_crash.c. */
#include "node/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/state_mem.h"
#include "tests/unit/store_helpers.h"
#include "tests/unit/test_util.h"

/* ---- helpers ---- */

static void del_s(const struct state *st, const char *k)
{
	assert_int_equal(state_del(st, (const uint8_t *)k, strlen(k)), STATE_OK);
}

/* Checks the chain records of heights 1..tip. */
static void assert_chain_records(const struct store *store, const struct store_snapshot *snap,
				 uint64_t tip)
{
	struct store_error err;

	for (uint64_t h = 1; h <= tip; h++) {
		uint8_t id[HASH_SIZE], want_id[HASH_SIZE], got_id[HASH_SIZE];
		uint8_t tx_id[HASH_SIZE];
		uint8_t *bytes;
		size_t len;
		uint64_t height;
		uint32_t index;
		char commit[64];

		test_block_id(h, want_id);
		assert_int_equal(store_get_block(store, snap, h, id, &bytes, &len, &err), STORE_OK);
		assert_memory_equal(id, want_id, HASH_SIZE);
		assert_int_equal(len, 2048);
		for (size_t i = 0; i < len; i++)
			assert_int_equal(bytes[i], (uint8_t)(h * 31 + i));
		free(bytes);

		assert_int_equal(
			store_get_block_by_id(store, snap, want_id, &height, &bytes, &len, &err),
			STORE_OK);
		assert_int_equal(height, h);
		assert_int_equal(len, 2048);
		assert_int_equal(bytes[5], (uint8_t)(h * 31 + 5));
		free(bytes);
		assert_int_equal(
			store_get_block_by_id(store, snap, want_id, &height, NULL, NULL, &err),
			STORE_OK);
		assert_int_equal(height, h);

		snprintf(commit, sizeof(commit), "commit %llu", (unsigned long long)h);
		assert_int_equal(store_get_commit(store, snap, h, &bytes, &len, &err), STORE_OK);
		assert_int_equal(len, strlen(commit));
		assert_memory_equal(bytes, commit, len);
		free(bytes);

		for (uint32_t i = 0; i < h % 4; i++) {
			test_tx_id(h, i, tx_id);
			assert_int_equal(
				store_get_tx_location(store, snap, tx_id, &height, &index, &err),
				STORE_OK);
			assert_int_equal(height, h);
			assert_int_equal(index, i);
		}
		assert_int_equal(store_get_app_hash(store, snap, h, got_id, &err), STORE_OK);
	}
}

/* ---- tests ---- */

static void test_store_new_store_has_no_tip_and_empty_state(void **state)
{
	struct tmp *t = *state;
	struct store *store;
	struct store_tip tip;
	struct store_error err;
	uint8_t hash[HASH_SIZE];
	uint8_t *bytes;
	size_t len;
	struct dump d;

	store = open_ok(t->path);
	assert_int_equal(store_get_tip(store, NULL, &tip, &err), STORE_NOT_FOUND);
	assert_int_equal(store_get_genesis_hash(store, NULL, hash, &err), STORE_NOT_FOUND);
	assert_int_equal(store_get_block(store, NULL, 1, NULL, &bytes, &len, &err),
			 STORE_NOT_FOUND);
	assert_null(bytes);
	assert_int_equal(dump_iterate(store_state(store), NULL, 0, NULL, 0, 0, 0, &d), STATE_OK);
	assert_int_equal(d.len, 0);
	store_close(store);
	/* An empty store reopens as empty. */
	store = open_ok(t->path);
	assert_int_equal(store_get_tip(store, NULL, &tip, &err), STORE_NOT_FOUND);
	store_close(store);
}

static void test_store_commit_blocks_then_reopen_keeps_tip_and_state(void **state)
{
	struct tmp *t = *state;
	struct store *store;
	struct store_tip tip;
	struct store_error err;
	struct state_mem mem;
	struct state mem_st, ov_st;
	struct overlay ov;
	uint8_t app_hash[HASH_SIZE], genesis_hash[HASH_SIZE], hash[HASH_SIZE], id[HASH_SIZE];
	uint8_t *bytes;
	size_t len;
	const uint64_t n = 25;
	char key[32], val[32];

	store = open_ok(t->path);
	state_mem_init(&mem, &mem_st);

	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "chain", "test");
	put_s(&ov_st, "empty", "");
	assert_int_equal(commit_genesis(store, &ov, app_hash, &err), STORE_OK);
	assert_int_equal(overlay_flush(&ov, &mem_st), STATE_OK);
	overlay_free(&ov);

	for (uint64_t h = 1; h <= n; h++) {
		overlay_init(&ov, store_state(store), &ov_st);
		snprintf(val, sizeof(val), "%llu", (unsigned long long)h);
		put_s(&ov_st, "height", val);
		snprintf(key, sizeof(key), "k%03llu", (unsigned long long)h);
		put_s(&ov_st, key, val);
		if (h % 3 == 0) {
			snprintf(key, sizeof(key), "k%03llu", (unsigned long long)(h - 2));
			del_s(&ov_st, key);
		}
		assert_int_equal(commit_test_block(store, h, &ov, app_hash, &err), STORE_OK);
		assert_int_equal(overlay_flush(&ov, &mem_st), STATE_OK);
		overlay_free(&ov);
	}
	assert_same_state(store_state(store), &mem_st);
	store_close(store);

	store = open_ok(t->path);
	assert_int_equal(store_get_tip(store, NULL, &tip, &err), STORE_OK);
	assert_int_equal(tip.height, n);
	test_block_id(n, id);
	assert_memory_equal(tip.block_id, id, HASH_SIZE);
	assert_memory_equal(tip.app_hash, app_hash, HASH_SIZE);
	assert_int_equal(store_get_app_hash(store, NULL, n, hash, &err), STORE_OK);
	assert_memory_equal(hash, app_hash, HASH_SIZE);
	assert_int_equal(store_get_genesis_hash(store, NULL, hash, &err), STORE_OK);
	test_genesis_hash(genesis_hash);
	assert_memory_equal(hash, genesis_hash, HASH_SIZE);
	assert_int_equal(store_get_app_hash(store, NULL, 0, hash, &err), STORE_OK);
	assert_same_state(store_state(store), &mem_st);
	assert_get_s(store_state(store), "height", "25");
	assert_get_s(store_state(store), "empty", "");
	assert_get_s(store_state(store), "k001", NULL);
	assert_get_s(store_state(store), "k002", "2");
	assert_chain_records(store, NULL, n);

	/* Height 0 is the genesis state and has no block; nothing follows the tip. */
	assert_int_equal(store_get_block(store, NULL, 0, NULL, &bytes, &len, &err),
			 STORE_NOT_FOUND);
	assert_int_equal(store_get_block(store, NULL, n + 1, NULL, &bytes, &len, &err),
			 STORE_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no block at height 26"));
	assert_int_equal(store_get_commit(store, NULL, n + 1, &bytes, &len, &err), STORE_NOT_FOUND);
	assert_int_equal(store_get_app_hash(store, NULL, n + 1, hash, &err), STORE_NOT_FOUND);
	test_block_id(n + 1, id);
	assert_int_equal(store_get_block_by_id(store, NULL, id, &tip.height, NULL, NULL, &err),
			 STORE_NOT_FOUND);
	assert_int_equal(
		store_get_block_by_id(store, NULL, genesis_hash, &tip.height, NULL, NULL, &err),
		STORE_NOT_FOUND);

	/* The reopened store goes on from its tip. */
	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "height", "26");
	assert_int_equal(commit_test_block(store, n + 1, &ov, app_hash, &err), STORE_OK);
	overlay_free(&ov);
	assert_get_s(store_state(store), "height", "26");
	store_close(store);
	state_mem_free(&mem);
}

/* Random keys over a small alphabet with the edge bytes 0x00 and 0xff, so
 * that prefixes, starts and key ends collide often. */
static size_t random_key(struct rng *r, uint8_t *key, size_t min_len, size_t max_len)
{
	static const uint8_t alphabet[] = { 0x00, 0x01, 'a', 'b', 0xfe, 0xff };
	size_t len = min_len + rng_below(r, (uint32_t)(max_len - min_len + 1));

	for (size_t i = 0; i < len; i++)
		key[i] = alphabet[rng_below(r, sizeof(alphabet))];
	return len;
}

static void compare_random_queries(struct rng *r, const struct state *store_st,
				   const struct state *mem_st, int queries)
{
	for (int q = 0; q < queries; q++) {
		uint8_t prefix[4], start[5];
		size_t prefix_len = random_key(r, prefix, 0, 3);
		size_t start_len = random_key(r, start, 0, 5);
		bool use_start = rng_below(r, 3) != 0;
		int stop_after = (int)rng_below(r, 4);
		int abort_after = rng_below(r, 8) == 0 ? 1 + (int)rng_below(r, 3) : 0;
		struct dump a, b;
		enum state_status sa, sb;
		uint8_t *va, *vb;
		size_t la, lb;

		sa = dump_iterate(store_st, prefix_len ? prefix : NULL, prefix_len,
				  use_start ? start : NULL, use_start ? start_len : 0, stop_after,
				  abort_after, &a);
		sb = dump_iterate(mem_st, prefix_len ? prefix : NULL, prefix_len,
				  use_start ? start : NULL, use_start ? start_len : 0, stop_after,
				  abort_after, &b);
		assert_int_equal(sa, sb);
		assert_int_equal(a.len, b.len);
		if (a.len > 0)
			assert_memory_equal(a.buf, b.buf, a.len);
		free(a.buf);
		free(b.buf);

		if (start_len > 0) {
			sa = state_get(store_st, start, start_len, &va, &la);
			sb = state_get(mem_st, start, start_len, &vb, &lb);
			assert_int_equal(sa, sb);
			assert_int_equal(la, lb);
			if (la > 0)
				assert_memory_equal(va, vb, la);
			free(va);
			free(vb);
		}
	}
}

/* Puts each visited pair into the struct state arg. */
static int copy_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		     size_t val_len)
{
	return state_put(arg, key, key_len, val, val_len) == STATE_OK ? 0 : -1;
}

static void test_store_iteration_matches_state_mem_on_random_data(void **state)
{
	struct rng r = { .s = test_seed(0x5eed5eed5eedULL) };
	struct tmp *t = *state;
	struct store *store;
	struct store_snapshot *snap;
	struct store_error err;
	struct state_mem mem, snap_mem;
	struct state mem_st, snap_mem_st, ov_st;
	struct overlay ov;
	uint8_t app_hash[HASH_SIZE];

	store = open_ok(t->path);
	state_mem_init(&mem, &mem_st);
	state_mem_init(&snap_mem, &snap_mem_st);

	for (uint64_t h = 0; h <= 6; h++) {
		overlay_init(&ov, store_state(store), &ov_st);
		for (int i = 0; i < 150; i++) {
			uint8_t key[6], val[8];
			size_t key_len = random_key(&r, key, 1, 6);
			size_t val_len = rng_below(&r, sizeof(val) + 1);

			for (size_t j = 0; j < val_len; j++)
				val[j] = (uint8_t)rng_next(&r);
			if (h > 0 && rng_below(&r, 3) == 0)
				assert_int_equal(state_del(&ov_st, key, key_len), STATE_OK);
			else
				assert_int_equal(state_put(&ov_st, key, key_len, val, val_len),
						 STATE_OK);
		}
		if (h == 0)
			assert_int_equal(commit_genesis(store, &ov, app_hash, &err), STORE_OK);
		else
			assert_int_equal(commit_test_block(store, h, &ov, app_hash, &err),
					 STORE_OK);
		assert_int_equal(overlay_flush(&ov, &mem_st), STATE_OK);
		overlay_free(&ov);
		compare_random_queries(&r, store_state(store), &mem_st, 100);
	}

	/* The ledger reads through an overlay over the store: pending writes
	 * over the store answer like the same writes over the memory state. */
	{
		struct overlay ov_mem;
		struct state ov_mem_st;

		overlay_init(&ov, store_state(store), &ov_st);
		overlay_init(&ov_mem, &mem_st, &ov_mem_st);
		for (int i = 0; i < 100; i++) {
			uint8_t key[6];
			size_t key_len = random_key(&r, key, 1, 6);

			if (rng_below(&r, 2) == 0) {
				assert_int_equal(state_del(&ov_st, key, key_len), STATE_OK);
				assert_int_equal(state_del(&ov_mem_st, key, key_len), STATE_OK);
			} else {
				assert_int_equal(state_put(&ov_st, key, key_len, key, 1), STATE_OK);
				assert_int_equal(state_put(&ov_mem_st, key, key_len, key, 1),
						 STATE_OK);
			}
		}
		compare_random_queries(&r, &ov_st, &ov_mem_st, 200);
		overlay_free(&ov);
		overlay_free(&ov_mem);
	}

	/* A snapshot keeps answering like the state it froze, while more
	 * blocks are committed. */
	assert_int_equal(store_snapshot_open(store, &snap, &err), STORE_OK);
	assert_int_equal(state_iterate(&mem_st, NULL, 0, NULL, 0, copy_pair, &snap_mem_st),
			 STATE_OK);
	for (uint64_t h = 7; h <= 8; h++) {
		overlay_init(&ov, store_state(store), &ov_st);
		for (int i = 0; i < 100; i++) {
			uint8_t key[6];
			size_t key_len = random_key(&r, key, 1, 6);

			if (rng_below(&r, 2) == 0)
				assert_int_equal(state_del(&ov_st, key, key_len), STATE_OK);
			else
				assert_int_equal(state_put(&ov_st, key, key_len, key, key_len),
						 STATE_OK);
		}
		assert_int_equal(commit_test_block(store, h, &ov, app_hash, &err), STORE_OK);
		assert_int_equal(overlay_flush(&ov, &mem_st), STATE_OK);
		overlay_free(&ov);
	}
	compare_random_queries(&r, store_state(store), &mem_st, 200);
	compare_random_queries(&r, store_snapshot_state(snap), &snap_mem_st, 200);
	store_snapshot_close(snap);

	/* Survives a reopen. */
	store_close(store);
	store = open_ok(t->path);
	compare_random_queries(&r, store_state(store), &mem_st, 200);
	store_close(store);
	state_mem_free(&mem);
	state_mem_free(&snap_mem);
}

static void test_store_state_refuses_writes(void **state)
{
	struct tmp *t = *state;
	struct store *store;
	struct store_snapshot *snap;
	struct store_error err;
	const uint8_t k[] = "k";

	store = open_ok(t->path);
	assert_int_equal(state_put(store_state(store), k, 1, k, 1), STATE_ERROR);
	assert_int_equal(state_del(store_state(store), k, 1), STATE_ERROR);
	assert_int_equal(store_snapshot_open(store, &snap, &err), STORE_OK);
	assert_int_equal(state_put(store_snapshot_state(snap), k, 1, k, 1), STATE_ERROR);
	assert_int_equal(state_del(store_snapshot_state(snap), k, 1), STATE_ERROR);
	store_snapshot_close(snap);
	assert_get_s(store_state(store), "k", NULL);
	store_close(store);
}

static void test_store_snapshot_does_not_see_later_commits(void **state)
{
	struct tmp *t = *state;
	struct store *store;
	struct store_snapshot *snap;
	struct store_error err;
	struct store_tip tip;
	struct state ov_st;
	struct overlay ov;
	uint8_t app_hash[HASH_SIZE], hash[HASH_SIZE];
	uint8_t *bytes;
	size_t len;
	uint64_t height;
	uint8_t id[HASH_SIZE];
	struct dump d;

	store = open_ok(t->path);
	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "a", "1");
	put_s(&ov_st, "b", "1");
	assert_int_equal(commit_genesis(store, &ov, app_hash, &err), STORE_OK);
	overlay_free(&ov);

	assert_int_equal(store_snapshot_open(store, &snap, &err), STORE_OK);

	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "a", "2");
	del_s(&ov_st, "b");
	put_s(&ov_st, "c", "2");
	assert_int_equal(commit_test_block(store, 1, &ov, app_hash, &err), STORE_OK);
	overlay_free(&ov);

	/* The snapshot: genesis only. */
	assert_get_s(store_snapshot_state(snap), "a", "1");
	assert_get_s(store_snapshot_state(snap), "b", "1");
	assert_get_s(store_snapshot_state(snap), "c", NULL);
	assert_int_equal(dump_iterate(store_snapshot_state(snap), NULL, 0, NULL, 0, 0, 0, &d),
			 STATE_OK);
	assert_int_equal(d.seen, 2);
	free(d.buf);
	assert_int_equal(store_get_tip(store, snap, &tip, &err), STORE_OK);
	assert_int_equal(tip.height, 0);
	assert_int_equal(store_get_block(store, snap, 1, NULL, &bytes, &len, &err),
			 STORE_NOT_FOUND);
	test_block_id(1, id);
	assert_int_equal(store_get_block_by_id(store, snap, id, &height, NULL, NULL, &err),
			 STORE_NOT_FOUND);
	assert_int_equal(store_get_app_hash(store, snap, 1, hash, &err), STORE_NOT_FOUND);

	/* The latest data: block 1. */
	assert_get_s(store_state(store), "a", "2");
	assert_get_s(store_state(store), "b", NULL);
	assert_get_s(store_state(store), "c", "2");
	assert_int_equal(store_get_tip(store, NULL, &tip, &err), STORE_OK);
	assert_int_equal(tip.height, 1);
	assert_chain_records(store, NULL, 1);

	store_snapshot_close(snap);
	store_close(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_new_store_has_no_tip_and_empty_state,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_store_commit_blocks_then_reopen_keeps_tip_and_state, tmp_setup,
			tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_store_iteration_matches_state_mem_on_random_data, tmp_setup,
			tmp_teardown),
		cmocka_unit_test_setup_teardown(test_store_state_refuses_writes, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_store_snapshot_does_not_see_later_commits,
						tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
