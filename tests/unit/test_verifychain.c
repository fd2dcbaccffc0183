/* test_verifychain.c: unit tests of the chain replay of node/verifychain.c.
 * A store is filled the way the node fills it (the genesis state, then
 * blocks of the ledger fixture with transfers, each stored with a commit
 * certificate signed by the fixture's validator), then checked as it is and
 * after one raw record was changed through LevelDB. */
#include "node/verifychain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leveldb/c.h>

#include "consensus/staking.h"
#include "consensus/tx.h"
#include "consensus/vote.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/store_helpers.h"
#include "tests/unit/test_util.h"

#define BLOCKS 4

struct vc {
	struct tmp *t;
	struct fixture f;
	struct store *store;
};

/* The certificate of the block id at height: the fixture's one validator
 * (key 0) precommits it. Out: *bytes (caller frees), *len. */
static void make_commit(struct vc *v, uint64_t height, const uint8_t id[HASH_SIZE], uint8_t **bytes,
			size_t *len)
{
	struct commit *c = calloc(1, sizeof(*c));
	struct vote vote = { .type = VOTE_TYPE_PRECOMMIT, .height = height, .has_block = true };
	uint8_t digest[HASH_SIZE];

	assert_non_null(c);
	memcpy(vote.block_id, id, HASH_SIZE);
	memcpy(vote.validator, v->f.signers[0].pubkey, PUBKEY_SIZE);
	vote_digest(FIX_CHAIN, &vote, digest);
	c->height = height;
	memcpy(c->block_id, id, HASH_SIZE);
	c->count = 1;
	memcpy(c->sigs[0].validator, vote.validator, PUBKEY_SIZE);
	assert_int_equal(sig_sign(&v->f.signers[0], digest, c->sigs[0].sig), 0);
	assert_int_equal(commit_encode(c, bytes, len), 0);
	free(c);
}

/* Applies a block of one transfer over the store and commits it there, and
 * in the fixture's chain so the next block builds on it. */
static void store_next_block(struct vc *v, uint64_t nonce)
{
	struct ledger_block_result res;
	struct ledger_error lerr;
	struct store_error serr;
	size_t tx_len, block_len, commit_len;
	uint8_t *tx = fix_transfer(&v->f, 1, nonce, FIX_FEE, v->f.signers[2].pubkey, 5, &tx_len);
	uint8_t *block = fix_make_block(&v->f, &v->f.chain, &tx, &tx_len, 1, &block_len);
	uint8_t tx_ids[HASH_SIZE], *commit;
	struct store_block sb = { .tx_ids = tx_ids, .tx_count = 1 };

	assert_int_equal(ledger_apply_block(&v->f.ledger, store_state(v->store), &v->f.chain.tip,
					    block, block_len, &res, &lerr),
			 LEDGER_OK);
	tx_id(tx, tx_len, tx_ids);
	make_commit(v, res.tip.height, res.tip.block_id, &commit, &commit_len);
	sb.height = res.tip.height;
	memcpy(sb.id, res.tip.block_id, HASH_SIZE);
	sb.bytes = block;
	sb.len = block_len;
	sb.commit = commit;
	sb.commit_len = commit_len;
	assert_int_equal(store_commit_block(v->store, &sb, &res.writes, res.app_hash, &serr),
			 STORE_OK);
	ledger_block_result_free(&res);
	assert_int_equal(fix_apply(&v->f, &v->f.chain, block, block_len, &lerr, NULL), LEDGER_OK);
	free(commit);
	free(block);
	free(tx);
}

static int setup(void **state)
{
	struct vc *v = calloc(1, sizeof(*v));
	struct ledger_block_result res;
	struct ledger_error lerr;
	struct store_error serr;

	assert_non_null(v);
	assert_int_equal(tmp_setup((void **)&v->t), 0);
	fix_setup(&v->f);
	v->store = open_ok(v->t->path);
	assert_int_equal(genesis_apply(&v->f.genesis, store_state(v->store), &res, &lerr),
			 LEDGER_OK);
	assert_int_equal(
		store_init_genesis(v->store, v->f.genesis.hash, &res.writes, res.app_hash, &serr),
		STORE_OK);
	ledger_block_result_free(&res);
	for (uint64_t h = 1; h <= BLOCKS; h++)
		store_next_block(v, h);
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	struct vc *v = *state;
	void *t = v->t;

	store_close(v->store);
	fix_teardown(&v->f);
	free(v);
	return tmp_teardown(&t);
}

/* Closes the store, replaces (val != NULL) or deletes one raw record, and
 * opens the store again. */
static void poke(struct vc *v, const uint8_t *key, size_t key_len, const uint8_t *val,
		 size_t val_len)
{
	leveldb_options_t *opts = leveldb_options_create();
	leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
	char *msg = NULL;
	leveldb_t *db;

	store_close(v->store);
	db = leveldb_open(opts, v->t->path, &msg);
	assert_null(msg);
	if (val != NULL)
		leveldb_put(db, wo, (const char *)key, key_len, (const char *)val, val_len, &msg);
	else
		leveldb_delete(db, wo, (const char *)key, key_len, &msg);
	assert_null(msg);
	leveldb_close(db);
	leveldb_writeoptions_destroy(wo);
	leveldb_options_destroy(opts);
	v->store = open_ok(v->t->path);
}

static void height_key(char prefix, uint64_t height, uint8_t key[9])
{
	key[0] = (uint8_t)prefix;
	for (int i = 0; i < 8; i++)
		key[1 + i] = (uint8_t)(height >> (56 - 8 * i));
}

static enum verify_status verify(struct vc *v, struct verify_report *rep)
{
	return verifychain_store(v->store, &v->f.genesis, &v->f.ledger, rep);
}

static void test_verifychain_passes_on_a_stored_chain(void **state)
{
	struct vc *v = *state;
	struct verify_report rep;

	assert_int_equal(verify(v, &rep), VERIFY_OK);
	assert_int_equal(rep.height, BLOCKS);
	assert_non_null(strstr(rep.msg, "4 blocks replayed from genesis"));
}

static void test_changed_app_hash_names_its_height(void **state)
{
	struct vc *v = *state;
	struct verify_report rep;
	uint8_t key[9], hash[HASH_SIZE];
	struct store_error serr;

	assert_int_equal(store_get_app_hash(v->store, NULL, 2, hash, &serr), STORE_OK);
	hash[0] ^= 1;
	height_key('a', 2, key);
	poke(v, key, sizeof(key), hash, sizeof(hash));
	assert_int_equal(verify(v, &rep), VERIFY_BAD);
	assert_int_equal(rep.height, 2);
	assert_non_null(strstr(rep.msg, "app hash"));
}

static void test_changed_genesis_app_hash_is_height_0(void **state)
{
	struct vc *v = *state;
	struct verify_report rep;
	uint8_t key[9], hash[HASH_SIZE] = { 0 };

	height_key('a', 0, key);
	poke(v, key, sizeof(key), hash, sizeof(hash));
	assert_int_equal(verify(v, &rep), VERIFY_BAD);
	assert_int_equal(rep.height, 0);
}

static void test_missing_or_foreign_commit_is_found(void **state)
{
	struct vc *v = *state;
	struct verify_report rep;
	uint8_t key[9], other[HASH_SIZE] = { 7 }, *commit;
	size_t len;

	/* A well-signed certificate, but for another block. */
	make_commit(v, 3, other, &commit, &len);
	height_key('c', 3, key);
	poke(v, key, sizeof(key), commit, len);
	free(commit);
	assert_int_equal(verify(v, &rep), VERIFY_BAD);
	assert_int_equal(rep.height, 3);
	assert_non_null(strstr(rep.msg, "commit certificate"));
	poke(v, key, sizeof(key), NULL, 0);
	assert_int_equal(verify(v, &rep), VERIFY_BAD);
	assert_int_equal(rep.height, 3);
}

static void test_changed_state_record_is_found(void **state)
{
	struct vc *v = *state;
	struct verify_report rep;
	const uint8_t key[] = { 's', 'z', 'z' }, val[] = { 1 };

	poke(v, key, sizeof(key), val, sizeof(val));
	assert_int_equal(verify(v, &rep), VERIFY_BAD);
	assert_int_equal(rep.height, BLOCKS);
	assert_non_null(strstr(rep.msg, "ledger state"));
}

static void test_empty_store_is_bad(void **state)
{
	struct vc *v = *state;
	struct verify_report rep;
	char path[TEST_PATH_MAX + 8];
	struct store *empty;
	struct store_error serr;

	snprintf(path, sizeof(path), "%s/empty", v->t->dir);
	assert_int_equal(store_open(path, NULL, &empty, &serr), STORE_OK);
	assert_int_equal(verifychain_store(empty, &v->f.genesis, &v->f.ledger, &rep), VERIFY_BAD);
	assert_non_null(strstr(rep.msg, "no chain"));
	store_close(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_verifychain_passes_on_a_stored_chain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_changed_app_hash_names_its_height, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_changed_genesis_app_hash_is_height_0, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_or_foreign_commit_is_found, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_changed_state_record_is_found, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_store_is_bad, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
