/* store_helpers.c: the helpers shared by the store's unit test programs
 * (store_helpers.h says what each does). */
#include "tests/unit/store_helpers.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/unit/test_util.h"

uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1Dull;
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

uint64_t test_seed(uint64_t fixed)
{
	const char *env = getenv("HEARTH_TEST_SEED");
	uint64_t seed = env != NULL && *env != '\0' ? strtoull(env, NULL, 0) : fixed;

	print_message("# seed %llu\n", (unsigned long long)seed);
	return seed != 0 ? seed : 1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int tmp_setup(void **state)
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

int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	int rc = nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(t);
	return rc == 0 ? 0 : -1;
}

int group_setup(void **state UNUSED)
{
	return hearth_crypto_init();
}

struct store *open_ok(const char *path)
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

void put_s(const struct state *st, const char *k, const char *v)
{
	assert_int_equal(
		state_put(st, (const uint8_t *)k, strlen(k), (const uint8_t *)v, strlen(v)),
		STATE_OK);
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

void assert_get_s(const struct state *st, const char *k, const char *expected)
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

int dump_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len)
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

enum state_status dump_iterate(const struct state *st, const uint8_t *prefix, size_t prefix_len,
			       const uint8_t *start, size_t start_len, int stop_after,
			       int abort_after, struct dump *d)
{
	memset(d, 0, sizeof(*d));
	d->stop_after = stop_after;
	d->abort_after = abort_after;
	return state_iterate(st, prefix, prefix_len, start, start_len, dump_pair, d);
}

void assert_same_state(const struct state *a, const struct state *b)
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
void test_block_id(uint64_t height, uint8_t id[HASH_SIZE])
{
	hash_tagged("test/block", &height, sizeof(height), id);
}

void test_genesis_hash(uint8_t out[HASH_SIZE])
{
	hash_tagged("test/genesis", "genesis", 7, out);
}

void test_tx_id(uint64_t height, uint32_t index, uint8_t out[HASH_SIZE])
{
	uint64_t in[2] = { height, index };

	hash_tagged("test/tx", in, sizeof(in), out);
}

enum store_status commit_genesis(struct store *store, const struct overlay *ov,
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

enum store_status commit_test_block(struct store *store, uint64_t height, const struct overlay *ov,
				    uint8_t app_hash[HASH_SIZE], struct store_error *err)
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
