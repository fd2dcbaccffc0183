/* test_store.c: unit tests of the LevelDB store (node/store.c): commit and
 * reopen, state iteration against the in-memory state, snapshots, rejected
 * commits, tampered and foreign databases, and a crash test that SIGKILLs a
 * committing child process at random moments.
 *
 * The crash test's child is this program run again (fork + exec of
 * /proc/self/exe with CRASH_CHILD_ARG), so that it starts with LevelDB's
 * background thread of its own instead of a fork of the parent's. */
#include "node/store.h"

#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <leveldb/c.h>

#include "consensus/state_mem.h"
#include "tests/unit/test_util.h"

#define CRASH_CHILD_ARG "--crash-child"
#define CRASH_ROUNDS	60
#define TEST_PATH_MAX	256

/* ---- helpers ---- */

/* xorshift64*: a seeded PRNG so every run does the same thing. */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1Dull;
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

/* The seed of a randomized test: fixed, unless HEARTH_TEST_SEED gives one
 * (for stress runs). Printed so that a failure can be replayed. */
static uint64_t test_seed(uint64_t fixed)
{
	const char *env = getenv("HEARTH_TEST_SEED");
	uint64_t seed = env != NULL && *env != '\0' ? strtoull(env, NULL, 0) : fixed;

	print_message("# seed %llu\n", (unsigned long long)seed);
	return seed != 0 ? seed : 1;
}

/* A temporary directory and the store path inside it. */
struct tmp {
	char dir[TEST_PATH_MAX];
	char path[TEST_PATH_MAX];
};

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* cmocka fixtures: each test gets a fresh directory in *state, removed
 * after the test even when it failed. */
static int tmp_setup(void **state)
{
	struct tmp *t = malloc(sizeof(*t));

	if (t == NULL)
		return -1;
	strcpy(t->dir, "/tmp/hearth-test-store-XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, STORE_DIR_NAME);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	int rc = nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(t);
	return rc == 0 ? 0 : -1;
}

static struct store *open_ok(const char *path)
{
	struct store_options opts;
	struct store_error err;
	struct store *store;
	enum store_status rc;

	store_options_default(&opts);
	opts.cache_bytes = (size_t)4 << 20;
	rc = store_open(path, &opts, &store, &err);
	if (rc != STORE_OK)
		fail_msg("store_open: %s", err.msg);
	return store;
}

static void put_s(const struct state *st, const char *k, const char *v)
{
	assert_int_equal(
		state_put(st, (const uint8_t *)k, strlen(k), (const uint8_t *)v, strlen(v)),
		STATE_OK);
}

static void del_s(const struct state *st, const char *k)
{
	assert_int_equal(state_del(st, (const uint8_t *)k, strlen(k)), STATE_OK);
}

/* Returns the value of k as a malloc'd string, or NULL when missing. */
static char *get_s(const struct state *st, const char *k)
{
	uint8_t *val;
	size_t len;
	char *s;
	enum state_status rc = state_get(st, (const uint8_t *)k, strlen(k), &val, &len);

	if (rc == STATE_NOT_FOUND)
		return NULL;
	assert_int_equal(rc, STATE_OK);
	s = malloc(len + 1);
	assert_non_null(s);
	if (len > 0)
		memcpy(s, val, len);
	s[len] = '\0';
	free(val);
	return s;
}

static void assert_get_s(const struct state *st, const char *k, const char *expected)
{
	char *v = get_s(st, k);

	if (expected == NULL) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_string_equal(v, expected);
	free(v);
}

/* An iteration recorded as len(key) key len(val) val ... for exact compares. */
struct dump {
	uint8_t *buf;
	size_t len;
	size_t cap;
	int stop_after;	 /* answer 1 after this many pairs (0: never) */
	int abort_after; /* answer -1 after this many pairs (0: never) */
	int seen;
};

static void dump_append(struct dump *d, const void *p, size_t n)
{
	if (d->len + n > d->cap) {
		size_t cap = d->cap ? d->cap : 256;

		while (cap < d->len + n)
			cap *= 2;
		d->buf = realloc(d->buf, cap);
		assert_non_null(d->buf);
		d->cap = cap;
	}
	if (n > 0)
		memcpy(d->buf + d->len, p, n);
	d->len += n;
}

static int dump_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		     size_t val_len)
{
	struct dump *d = arg;
	uint32_t n = (uint32_t)key_len;

	dump_append(d, &n, sizeof(n));
	dump_append(d, key, key_len);
	n = (uint32_t)val_len;
	dump_append(d, &n, sizeof(n));
	dump_append(d, val, val_len);
	d->seen++;
	if (d->abort_after != 0 && d->seen >= d->abort_after)
		return -1;
	return d->stop_after != 0 && d->seen >= d->stop_after ? 1 : 0;
}

static enum state_status dump_iterate(const struct state *st, const uint8_t *prefix,
				      size_t prefix_len, const uint8_t *start, size_t start_len,
				      int stop_after, int abort_after, struct dump *d)
{
	memset(d, 0, sizeof(*d));
	d->stop_after = stop_after;
	d->abort_after = abort_after;
	return state_iterate(st, prefix, prefix_len, start, start_len, dump_pair, d);
}

/* Asserts that a and b hold the same pairs in the same order. */
static void assert_same_state(const struct state *a, const struct state *b)
{
	struct dump da, db;

	assert_int_equal(dump_iterate(a, NULL, 0, NULL, 0, 0, 0, &da), STATE_OK);
	assert_int_equal(dump_iterate(b, NULL, 0, NULL, 0, 0, 0, &db), STATE_OK);
	assert_int_equal(da.len, db.len);
	if (da.len > 0)
		assert_memory_equal(da.buf, db.buf, da.len);
	free(da.buf);
	free(db.buf);
}

/* The test chain: block ids, bytes and tx ids are functions of the height. */
static void test_block_id(uint64_t height, uint8_t id[HASH_SIZE])
{
	hash_tagged("test/block", &height, sizeof(height), id);
}

static void test_genesis_hash(uint8_t out[HASH_SIZE])
{
	hash_tagged("test/genesis", "genesis", 7, out);
}

static void test_tx_id(uint64_t height, uint32_t index, uint8_t out[HASH_SIZE])
{
	uint64_t in[2] = { height, index };

	hash_tagged("test/tx", in, sizeof(in), out);
}

/* Commits the genesis state writes (over an empty base). Out: app_hash. */
static enum store_status commit_genesis(struct store *store, const struct overlay *ov,
					uint8_t app_hash[HASH_SIZE], struct store_error *err)
{
	uint8_t zero[HASH_SIZE] = { 0 };
	uint8_t genesis_hash[HASH_SIZE];
	uint8_t wsh[HASH_SIZE];

	test_genesis_hash(genesis_hash);
	overlay_write_set_hash(ov, wsh);
	overlay_app_hash(zero, wsh, app_hash);
	return store_init_genesis(store, genesis_hash, ov, app_hash, err);
}

/* Commits block height with write set ov over prev app hash app_hash, and
 * on success updates app_hash. The block has height % 4 txs. */
static enum store_status commit_test_block(struct store *store, uint64_t height,
					   const struct overlay *ov, uint8_t app_hash[HASH_SIZE],
					   struct store_error *err)
{
	uint8_t bytes[2048];
	char commit[64];
	uint8_t tx_ids[3 * HASH_SIZE];
	uint8_t next[HASH_SIZE];
	uint8_t wsh[HASH_SIZE];
	struct store_block block = { .height = height };
	enum store_status rc;

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(height * 31 + i);
	snprintf(commit, sizeof(commit), "commit %llu", (unsigned long long)height);
	test_block_id(height, block.id);
	block.bytes = bytes;
	block.len = sizeof(bytes);
	block.commit = (const uint8_t *)commit;
	block.commit_len = strlen(commit);
	block.tx_count = height % 4;
	for (uint32_t i = 0; i < block.tx_count; i++)
		test_tx_id(height, i, tx_ids + i * HASH_SIZE);
	block.tx_ids = block.tx_count > 0 ? tx_ids : NULL;
	overlay_write_set_hash(ov, wsh);
	overlay_app_hash(app_hash, wsh, next);
	rc = store_commit_block(store, &block, ov, next, err);
	if (rc == STORE_OK)
		memcpy(app_hash, next, HASH_SIZE);
	return rc;
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
		/* A NULL buffer with a length. */
		block.len = 5;
		memcpy(bad_hash, app_hash, HASH_SIZE);
		assert_int_equal(store_commit_block(store, &block, &ov, bad_hash, &err),
				 STORE_REJECTED);
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

/* ---- the crash test ---- */

/* Progress the child publishes in a shared file: the height it is about to
 * commit and the last height whose store_commit_block returned. */
struct crash_progress {
	_Atomic uint64_t started;
	_Atomic uint64_t done;
};

static void crash_key(char *out, size_t size, uint64_t h)
{
	snprintf(out, size, "k%08llu", (unsigned long long)h);
}

static void crash_value(char *out, size_t size, uint64_t h)
{
	size_t len = 100 + (size_t)(h % 200);
	int n = snprintf(out, size, "%llu:", (unsigned long long)h);

	for (size_t i = (size_t)n; i < len && i + 1 < size; i++)
		out[i] = (char)('a' + (h + i) % 26);
	out[len < size ? len : size - 1] = '\0';
}

/* The write set of block h (h >= 1): n = h, k(h) added, k(h-5) deleted,
 * m(h % 7) = h. Returns 0 or -1. */
static int crash_writes(const struct state *st, uint64_t h)
{
	char key[32], val[512], n[32];

	snprintf(n, sizeof(n), "%llu", (unsigned long long)h);
	crash_key(key, sizeof(key), h);
	crash_value(val, sizeof(val), h);
	if (state_put(st, (const uint8_t *)"n", 1, (const uint8_t *)n, strlen(n)) != STATE_OK ||
	    state_put(st, (const uint8_t *)key, strlen(key), (const uint8_t *)val, strlen(val)) !=
		    STATE_OK)
		return -1;
	if (h > 5) {
		crash_key(key, sizeof(key), h - 5);
		if (state_del(st, (const uint8_t *)key, strlen(key)) != STATE_OK)
			return -1;
	}
	snprintf(key, sizeof(key), "m%llu", (unsigned long long)(h % 7));
	return state_put(st, (const uint8_t *)key, strlen(key), (const uint8_t *)n, strlen(n)) ==
			       STATE_OK
		       ? 0
		       : -1;
}

/* The state after block t, built directly (not by replay). */
static void crash_expected_state(const struct state *st, uint64_t t)
{
	char key[32], val[512], n[32];

	put_s(st, "genesis", "crash");
	if (t == 0)
		return;
	snprintf(n, sizeof(n), "%llu", (unsigned long long)t);
	put_s(st, "n", n);
	for (uint64_t h = t > 4 ? t - 4 : 1; h <= t; h++) {
		crash_key(key, sizeof(key), h);
		crash_value(val, sizeof(val), h);
		put_s(st, key, val);
	}
	for (uint64_t h = t > 6 ? t - 6 : 1; h <= t; h++) {
		snprintf(key, sizeof(key), "m%llu", (unsigned long long)(h % 7));
		snprintf(n, sizeof(n), "%llu", (unsigned long long)h);
		put_s(st, key, n);
	}
}

/* A reader thread: each snapshot's tip, state and records must agree.
 * cmocka's asserts are not for other threads: a reader reports in failure. */
struct reader_arg {
	struct store *store;
	_Atomic int *stop;
	int snapshots;
	uint64_t max_seen;
	char failure[STORE_ERROR_MAX + 64];
};

static void *reader_run(void *p)
{
	struct reader_arg *a = p;

	while (!atomic_load(a->stop) && a->failure[0] == '\0') {
		struct store_snapshot *snap;
		struct store_error err;
		struct store_tip tip;
		uint8_t hash[HASH_SIZE];
		uint8_t *bytes;
		size_t len;
		char want[32];
		char *n;

		if (store_snapshot_open(a->store, &snap, &err) != STORE_OK) {
			snprintf(a->failure, sizeof(a->failure), "snapshot: %s", err.msg);
			break;
		}
		if (store_get_tip(a->store, snap, &tip, &err) != STORE_OK ||
		    store_get_app_hash(a->store, snap, tip.height, hash, &err) != STORE_OK) {
			snprintf(a->failure, sizeof(a->failure), "tip: %s", err.msg);
		} else if (memcmp(hash, tip.app_hash, HASH_SIZE) != 0) {
			snprintf(a->failure, sizeof(a->failure), "app hash of %llu differs",
				 (unsigned long long)tip.height);
		} else if (store_get_block(a->store, snap, tip.height + 1, NULL, &bytes, &len,
					   &err) != STORE_NOT_FOUND) {
			free(bytes);
			snprintf(a->failure, sizeof(a->failure), "block after tip %llu",
				 (unsigned long long)tip.height);
		} else {
			uint8_t *val;
			enum state_status rc = state_get(store_snapshot_state(snap),
							 (const uint8_t *)"n", 1, &val, &len);

			snprintf(want, sizeof(want), "%llu", (unsigned long long)tip.height);
			n = rc == STATE_OK ? strndup((const char *)val, len) : NULL;
			free(val);
			if (tip.height > 0 && (n == NULL || strcmp(n, want) != 0))
				snprintf(a->failure, sizeof(a->failure),
					 "snapshot at tip %s holds n=%s", want, n ? n : "(none)");
			free(n);
			if (tip.height > a->max_seen)
				a->max_seen = tip.height;
		}
		store_snapshot_close(snap);
		a->snapshots++;
	}
	return NULL;
}

static void test_store_snapshots_stay_consistent_while_blocks_commit(void **state)
{
	struct tmp *t = *state;
	struct store *store;
	struct store_error err;
	struct state ov_st;
	struct overlay ov;
	uint8_t app_hash[HASH_SIZE];
	_Atomic int stop = 0;
	struct reader_arg args[2] = { 0 };
	pthread_t readers[2];
	const uint64_t n = 150;

	store = open_ok(t->path);
	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "genesis", "crash");
	assert_int_equal(commit_genesis(store, &ov, app_hash, &err), STORE_OK);
	overlay_free(&ov);

	for (int i = 0; i < 2; i++) {
		args[i].store = store;
		args[i].stop = &stop;
		assert_int_equal(pthread_create(&readers[i], NULL, reader_run, &args[i]), 0);
	}
	for (uint64_t h = 1; h <= n; h++) {
		overlay_init(&ov, store_state(store), &ov_st);
		assert_int_equal(crash_writes(&ov_st, h), 0);
		assert_int_equal(commit_test_block(store, h, &ov, app_hash, &err), STORE_OK);
		overlay_free(&ov);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(readers[i], NULL), 0);
		if (args[i].failure[0] != '\0')
			fail_msg("reader %d: %s", i, args[i].failure);
		assert_true(args[i].snapshots > 0);
	}
	print_message("# readers took %d and %d snapshots, saw tips up to %llu and %llu\n",
		      args[0].snapshots, args[1].snapshots, (unsigned long long)args[0].max_seen,
		      (unsigned long long)args[1].max_seen);
	store_close(store);
}

/* The child: commits blocks tip+1, tip+2, ... until killed. Exit codes
 * above 0 say which step failed (the parent reports them). */
static int crash_child_run(const char *path, const char *progress_path, const char *ready_fd)
{
	struct store_options opts;
	struct store_error err;
	struct store *store;
	struct store_tip tip;
	struct crash_progress *progress;
	uint8_t app_hash[HASH_SIZE];
	int fd = open(progress_path, O_RDWR);
	int ready = atoi(ready_fd);

	if (hearth_crypto_init() != 0 || fd < 0)
		return 10;
	progress = mmap(NULL, sizeof(*progress), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (progress == MAP_FAILED)
		return 11;
	store_options_default(&opts);
	opts.create_if_missing = false;
	opts.cache_bytes = (size_t)4 << 20;
	if (store_open(path, &opts, &store, &err) != STORE_OK) {
		fprintf(stderr, "crash child: %s\n", err.msg);
		return 12;
	}
	if (store_get_tip(store, NULL, &tip, &err) != STORE_OK)
		return 13;
	memcpy(app_hash, tip.app_hash, HASH_SIZE);
	atomic_store(&progress->started, tip.height);
	atomic_store(&progress->done, tip.height);
	if (write(ready, "R", 1) != 1)
		return 14;
	close(ready);
	for (uint64_t h = tip.height + 1; h < tip.height + 1000000; h++) {
		struct overlay ov;
		struct state ov_st;
		enum store_status rc;

		overlay_init(&ov, store_state(store), &ov_st);
		if (crash_writes(&ov_st, h) != 0)
			return 15;
		atomic_store(&progress->started, h);
		rc = commit_test_block(store, h, &ov, app_hash, &err);
		if (rc != STORE_OK) {
			fprintf(stderr, "crash child: %s\n", err.msg);
			return 16;
		}
		atomic_store(&progress->done, h);
		overlay_free(&ov);
	}
	return 17;
}

/* Starts the child; returns its pid once it has opened the store. */
static pid_t crash_child_start(const char *path, const char *progress_path)
{
	int fds[2];
	char fd_arg[16];
	char ready;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	snprintf(fd_arg, sizeof(fd_arg), "%d", fds[1]);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		execl("/proc/self/exe", "test_store", CRASH_CHILD_ARG, path, progress_path, fd_arg,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (read(fds[0], &ready, 1) != 1) {
		int status;

		assert_int_equal(waitpid(pid, &status, 0), pid);
		fail_msg("crash child failed before it was ready (status 0x%x)", status);
	}
	close(fds[0]);
	return pid;
}

/* Asserts the reopened store is exactly at the end of block t. */
static void crash_check_store(struct store *store, uint64_t t,
			      const uint8_t expected_app_hash[HASH_SIZE])
{
	struct store_tip tip;
	struct store_error err;
	struct state_mem mem;
	struct state mem_st;
	uint8_t id[HASH_SIZE], hash[HASH_SIZE];
	uint8_t *bytes;
	size_t len;

	assert_int_equal(store_get_tip(store, NULL, &tip, &err), STORE_OK);
	assert_int_equal(tip.height, t);
	assert_memory_equal(tip.app_hash, expected_app_hash, HASH_SIZE);
	assert_int_equal(store_get_app_hash(store, NULL, t, hash, &err), STORE_OK);
	assert_memory_equal(hash, expected_app_hash, HASH_SIZE);
	if (t > 0) {
		test_block_id(t, id);
		assert_memory_equal(tip.block_id, id, HASH_SIZE);
		assert_int_equal(store_get_block(store, NULL, t, id, &bytes, &len, &err), STORE_OK);
		assert_int_equal(len, 2048);
		free(bytes);
		assert_int_equal(store_get_commit(store, NULL, t, &bytes, &len, &err), STORE_OK);
		free(bytes);
	}
	assert_int_equal(store_get_block(store, NULL, t + 1, NULL, &bytes, &len, &err),
			 STORE_NOT_FOUND);
	assert_int_equal(store_get_commit(store, NULL, t + 1, &bytes, &len, &err), STORE_NOT_FOUND);
	assert_int_equal(store_get_app_hash(store, NULL, t + 1, hash, &err), STORE_NOT_FOUND);
	state_mem_init(&mem, &mem_st);
	crash_expected_state(&mem_st, t);
	assert_same_state(store_state(store), &mem_st);
	state_mem_free(&mem);
}

static void test_store_sigkill_mid_commit_leaves_old_or_new_tip(void **state)
{
	struct rng r = { .s = test_seed(0xc0ffee1234ULL) };
	struct tmp *t = *state;
	char progress_path[TEST_PATH_MAX + 16];
	struct crash_progress *progress;
	struct store *store;
	struct store_error err;
	struct state ov_st;
	struct overlay ov;
	struct state_mem empty;
	struct state empty_st;
	uint8_t(*app_hashes)[HASH_SIZE] = NULL;
	uint64_t known = 0; /* app_hashes[0..known] are computed */
	uint64_t last = 0;
	int mid_commit = 0, advanced = 0;
	int fd;

	snprintf(progress_path, sizeof(progress_path), "%s/progress", t->dir);
	fd = open(progress_path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, sizeof(*progress)), 0);
	progress = mmap(NULL, sizeof(*progress), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(progress != MAP_FAILED);
	close(fd);

	app_hashes = malloc(HASH_SIZE);
	assert_non_null(app_hashes);
	store = open_ok(t->path);
	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "genesis", "crash");
	assert_int_equal(commit_genesis(store, &ov, app_hashes[0], &err), STORE_OK);
	overlay_free(&ov);
	store_close(store);
	state_mem_init(&empty, &empty_st);

	for (int round = 0; round < CRASH_ROUNDS; round++) {
		struct timespec delay = { .tv_sec = 0,
					  .tv_nsec = (long)rng_below(&r, 4000) * 1000 };
		uint64_t started, done, tip;
		struct store_tip st;
		pid_t pid = crash_child_start(t->path, progress_path);
		int status;

		nanosleep(&delay, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("crash child ended by itself (status 0x%x)", status);
		started = atomic_load(&progress->started);
		done = atomic_load(&progress->done);

		store = open_ok(t->path);
		assert_int_equal(store_get_tip(store, NULL, &st, &err), STORE_OK);
		tip = st.height;
		/* Committed blocks stay committed; an interrupted one is all or
		 * nothing. */
		assert_true(tip >= last);
		assert_true(tip == done || tip == started);
		if (started != done)
			mid_commit++;
		if (tip > last)
			advanced++;
		if (tip > known) {
			app_hashes = realloc(app_hashes, (size_t)(tip + 1) * HASH_SIZE);
			assert_non_null(app_hashes);
			for (uint64_t h = known + 1; h <= tip; h++) {
				uint8_t wsh[HASH_SIZE];

				overlay_init(&ov, &empty_st, &ov_st);
				assert_int_equal(crash_writes(&ov_st, h), 0);
				overlay_write_set_hash(&ov, wsh);
				overlay_app_hash(app_hashes[h - 1], wsh, app_hashes[h]);
				overlay_free(&ov);
			}
			known = tip;
		}
		crash_check_store(store, tip, app_hashes[tip]);
		store_close(store);
		last = tip;
	}
	print_message("# crash test: %d rounds, %d killed inside store_commit_block, "
		      "%d advanced the tip, final tip %llu\n",
		      CRASH_ROUNDS, mid_commit, advanced, (unsigned long long)last);
	assert_true(mid_commit > 0);
	assert_true(last > 0);

	state_mem_free(&empty);
	free(app_hashes);
	munmap(progress, sizeof(*progress));
}

static int group_setup(void **state UNUSED)
{
	return hearth_crypto_init();
}

int main(int argc, char **argv)
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
		cmocka_unit_test_setup_teardown(
			test_store_commit_with_wrong_height_is_rejected_and_writes_nothing,
			tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_store_reopen_with_tampered_tip_fails_clearly,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_store_open_failures_carry_leveldb_message,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_store_snapshots_stay_consistent_while_blocks_commit, tmp_setup,
			tmp_teardown),
		cmocka_unit_test_setup_teardown(test_store_sigkill_mid_commit_leaves_old_or_new_tip,
						tmp_setup, tmp_teardown),
	};

	if (argc == 5 && strcmp(argv[1], CRASH_CHILD_ARG) == 0)
		return crash_child_run(argv[2], argv[3], argv[4]);
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
