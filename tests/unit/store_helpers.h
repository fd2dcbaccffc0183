/* store_helpers.h: what the store's unit test programs (test_store,
 * test_store_tamper, test_store_crash) share: a seeded PRNG, a temporary
 * directory per test (cmocka fixtures), opening a store, short state
 * helpers, iteration dumps for exact compares, and the test chain whose block
 * ids, bytes and tx ids are functions of the height. Each helper fails the
 * running cmocka test on an unexpected answer. */
#ifndef HEARTH_TESTS_UNIT_STORE_HELPERS_H
#define HEARTH_TESTS_UNIT_STORE_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/overlay.h"
#include "consensus/state.h"
#include "node/store.h"

#define TEST_PATH_MAX 256

/* xorshift64*: a seeded PRNG so every run does the same thing. */
struct rng {
	uint64_t s;
};

uint64_t rng_next(struct rng *r);

/* A number in [0, n). */
uint32_t rng_below(struct rng *r, uint32_t n);

/* The seed of a randomized test: fixed, unless HEARTH_TEST_SEED gives one
 * (for stress runs). Printed so that a failure can be replayed. */
uint64_t test_seed(uint64_t fixed);

/* A temporary directory and the store path inside it. */
struct tmp {
	char dir[TEST_PATH_MAX];
	char path[TEST_PATH_MAX];
};

/* cmocka fixtures: each test gets a fresh struct tmp in *state, whose
 * directory is removed after the test even when it failed. */
int tmp_setup(void **state);
int tmp_teardown(void **state);

/* cmocka group setup: initializes the crypto library. */
int group_setup(void **state);

/* Opens the store at path with a small cache; fails the test otherwise. */
struct store *open_ok(const char *path);

/* Puts the string pair k = v into st; fails the test otherwise. */
void put_s(const struct state *st, const char *k, const char *v);

/* Asserts that k holds the string expected in st (NULL: k is missing). */
void assert_get_s(const struct state *st, const char *k, const char *expected);

/* An iteration recorded as len(key) key len(val) val ... for exact compares. */
struct dump {
	uint8_t *buf;
	size_t len;
	size_t cap;
	int stop_after;	 /* answer 1 after this many pairs (0: never) */
	int abort_after; /* answer -1 after this many pairs (0: never) */
	int seen;
};

/* A state_iter_fn that appends the pair to the struct dump arg. */
int dump_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len);

/* Out: d, a fresh dump of state_iterate(st, ...); the caller frees d->buf. */
enum state_status dump_iterate(const struct state *st, const uint8_t *prefix, size_t prefix_len,
			       const uint8_t *start, size_t start_len, int stop_after,
			       int abort_after, struct dump *d);

/* Asserts that a and b hold the same pairs in the same order. */
void assert_same_state(const struct state *a, const struct state *b);

/* The test chain: block ids, bytes and tx ids are functions of the height. */
void test_block_id(uint64_t height, uint8_t id[HASH_SIZE]);
void test_genesis_hash(uint8_t out[HASH_SIZE]);
void test_tx_id(uint64_t height, uint32_t index, uint8_t out[HASH_SIZE]);

/* Commits the genesis state writes (over an empty base). Out: app_hash. */
enum store_status commit_genesis(struct store *store, const struct overlay *ov,
				 uint8_t app_hash[HASH_SIZE], struct store_error *err);

/* Commits block height with write set ov over prev app hash app_hash, and
 * on success updates app_hash. The block has height % 4 txs of 2048 bytes. */
enum store_status commit_test_block(struct store *store, uint64_t height, const struct overlay *ov,
				    uint8_t app_hash[HASH_SIZE], struct store_error *err);

#endif
