/* test_block.c: unit tests of consensus/block.c and ledger_apply_block: the
 * Merkle tx root, header encoding, block ids, every check against the tip and
 * the state, app hash, and atomicity (a block with one bad tx writes
 * nothing). */
#include "consensus/block.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/ledger.h"
#include "consensus/staking.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

static int setup(void **state)
{
	struct fixture *f = malloc(sizeof(*f));

	assert_non_null(f);
	fix_setup(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fix_teardown(*state);
	free(*state);
	return 0;
}

static void leaf(const uint8_t id[HASH_SIZE], uint8_t out[HASH_SIZE])
{
	hash_tagged("hearth/merkle/leaf", id, HASH_SIZE, out);
}

static void node(const uint8_t l[HASH_SIZE], const uint8_t r[HASH_SIZE], uint8_t out[HASH_SIZE])
{
	uint8_t pair[2 * HASH_SIZE];

	memcpy(pair, l, HASH_SIZE);
	memcpy(pair + HASH_SIZE, r, HASH_SIZE);
	hash_tagged("hearth/merkle/node", pair, sizeof(pair), out);
}

static void test_tx_root_is_rfc6962_shaped(void **state UNUSED)
{
	uint8_t ids[5][HASH_SIZE], l[5][HASH_SIZE], a[HASH_SIZE], b[HASH_SIZE], c[HASH_SIZE],
		want[HASH_SIZE], got[HASH_SIZE];

	for (int i = 0; i < 5; i++) {
		memset(ids[i], i + 1, HASH_SIZE);
		leaf(ids[i], l[i]);
	}
	hash_tagged("hearth/merkle/empty", NULL, 0, want);
	block_tx_root(ids, 0, got);
	assert_memory_equal(got, want, HASH_SIZE);
	block_tx_root(ids, 1, got);
	assert_memory_equal(got, l[0], HASH_SIZE);
	/* 3 leaves: node(node(l0, l1), l2) */
	node(l[0], l[1], a);
	node(a, l[2], want);
	block_tx_root(ids, 3, got);
	assert_memory_equal(got, want, HASH_SIZE);
	/* 5 leaves: node(node(node(l0,l1), node(l2,l3)), l4) */
	node(l[2], l[3], b);
	node(a, b, c);
	node(c, l[4], want);
	block_tx_root(ids, 5, got);
	assert_memory_equal(got, want, HASH_SIZE);
	/* a leaf is not an inner node: swapping order changes the root */
	memcpy(ids[0], ids[1], HASH_SIZE);
	block_tx_root(ids, 5, got);
	assert_memory_not_equal(got, want, HASH_SIZE);
}

static void test_header_round_trips_and_id_hashes_its_bytes(void **state UNUSED)
{
	struct block_header h, back;
	uint8_t *bytes, id[HASH_SIZE], want[HASH_SIZE];
	size_t len;

	memset(&h, 0, sizeof(h));
	strcpy(h.chain_id, "c");
	h.height = 7;
	h.time_ms = 99;
	memset(h.tx_root, 3, HASH_SIZE);
	memset(h.proposer, 4, PUBKEY_SIZE);
	assert_int_equal(block_header_encode(&h, &bytes, &len), 0);
	assert_int_equal(block_header_decode(bytes, len, &back, NULL), LEDGER_OK);
	assert_memory_equal(&h, &back, sizeof(h));
	block_id(bytes, len, id);
	hash_tagged("hearth/block", bytes, len, want);
	assert_memory_equal(id, want, HASH_SIZE);
	assert_int_equal(block_header_decode(bytes, len - 1, &back, NULL),
			 LEDGER_BLOCK_HEADER_MALFORMED);
	free(bytes);
}

static void test_short_hash_in_header_is_malformed(void **state UNUSED)
{
	Hearth__BlockHeader rec = HEARTH__BLOCK_HEADER__INIT;
	uint8_t z[HASH_SIZE] = { 0 }, *bytes;
	struct block_header h;
	size_t len;

	rec.chain_id = (char *)"c";
	rec.prev_block_id = rec.tx_root = rec.app_hash = rec.validators_hash =
		rec.next_validators_hash = rec.proposer = rec.last_commit_hash =
			(ProtobufCBinaryData){ .len = HASH_SIZE, .data = z };
	rec.tx_root.len = 31;
	assert_int_equal(codec_encode(&rec.base, &bytes, &len), CODEC_OK);
	assert_int_equal(block_header_decode(bytes, len, &h, NULL), LEDGER_BLOCK_HEADER_MALFORMED);
	free(bytes);
}

/* A digest of the whole state, to show a refused block wrote nothing. */
static int digest_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	hash_bytes(arg, key, key_len);
	hash_bytes(arg, val, val_len);
	return 0;
}

static void state_digest(const struct chain *c, uint8_t out[HASH_SIZE])
{
	struct hasher h;

	hash_begin(&h, "test/state");
	assert_int_equal(state_iterate(fix_chain_state(c), NULL, 0, NULL, 0, digest_pair, &h),
			 STATE_OK);
	hash_finish(&h, out);
}

static void test_block_with_one_invalid_tx_is_rejected_whole(void **state)
{
	struct fixture *f = *state;
	uint8_t before[HASH_SIZE], after[HASH_SIZE], *block;
	struct chain_tip tip = f->chain.tip;
	struct ledger_error err;
	uint8_t *txs[3];
	size_t lens[3], len;

	assert_int_equal(fix_block(f, &f->chain, NULL, NULL, 0, NULL), LEDGER_OK);
	tip = f->chain.tip;
	state_digest(&f->chain, before);
	txs[0] = fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 5, &lens[0]);
	txs[1] = fix_transfer(f, 2, 1, FIX_FEE, f->signers[6].pubkey, 5, &lens[1]);
	txs[2] = fix_transfer(f, 1, 3, FIX_FEE, f->signers[6].pubkey, 5, &lens[2]); /* gap */
	block = fix_make_block(f, &f->chain, txs, lens, 3, &len);
	assert_int_equal(fix_apply(f, &f->chain, block, len, &err, NULL), LEDGER_BLOCK_BAD_TX);
	assert_int_equal(err.reason, LEDGER_BLOCK_BAD_TX);
	assert_int_equal(err.tx_index, 2);
	assert_int_equal(err.detail_code, LEDGER_TX_NONCE_GAP);
	assert_non_null(strstr(err.text, "tx 2"));
	state_digest(&f->chain, after);
	assert_memory_equal(before, after, HASH_SIZE);
	assert_memory_equal(&tip, &f->chain.tip, sizeof(tip));
	free(block);
	/* without the bad tx the same block applies */
	free(txs[2]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, 2, &err), LEDGER_OK);
	assert_int_equal(fix_account(f, &f->chain, 6).balance, 10);
	assert_int_equal(fix_account(f, &f->chain, 0).balance, FIX_BALANCE + 2 * FIX_FEE);
}

static void test_app_hash_chains_the_write_set(void **state)
{
	struct fixture *f = *state;
	struct ledger_block_result res;
	uint8_t ws[HASH_SIZE], want[HASH_SIZE], *block;
	uint8_t *tx;
	size_t len, tx_len;

	tx = fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 5, &tx_len);
	block = fix_make_block(f, &f->chain, &tx, &tx_len, 1, &len);
	assert_int_equal(ledger_apply_block(&f->ledger, fix_chain_state(&f->chain), &f->chain.tip,
					    block, len, &res, NULL),
			 LEDGER_OK);
	overlay_write_set_hash(&res.writes, ws);
	overlay_app_hash(f->chain.tip.app_hash, ws, want);
	assert_memory_equal(res.app_hash, want, HASH_SIZE);
	assert_memory_equal(res.tip.app_hash, want, HASH_SIZE);
	assert_int_equal(res.tip.height, 1);
	assert_int_equal(res.n_txs, 1);
	assert_int_equal(res.fees, FIX_FEE);
	/* the base was not written */
	assert_int_equal(fix_account(f, &f->chain, 6).balance, 0);
	ledger_block_result_free(&res);
	free(block);
	free(tx);
}

/* Rebuilds the header of block bytes with edit applied, and returns the
 * reason ledger_apply_block gives (after asserting nothing changed). */
typedef void (*edit_fn)(struct fixture *f, struct block_header *h, Hearth__Block *b);

static enum ledger_reason apply_edited(struct fixture *f, edit_fn edit)
{
	struct chain *c = &f->chain;
	uint8_t before[HASH_SIZE], after[HASH_SIZE], *block, *out;
	ProtobufCMessage *msg;
	Hearth__Block *b;
	struct block_header h;
	struct ledger_error err;
	size_t len, out_len;
	uint8_t *tx;
	size_t tx_len;
	enum ledger_reason r;

	tx = fix_transfer(f, 3, c->tip.height + 1, FIX_FEE, f->signers[6].pubkey, 1, &tx_len);
	block = fix_make_block(f, c, &tx, &tx_len, 1, &len);
	assert_int_equal(codec_decode(&hearth__block__descriptor, block, len, len, &msg, NULL),
			 CODEC_OK);
	b = (Hearth__Block *)msg;
	assert_int_equal(block_header_decode(b->header.data, b->header.len, &h, NULL), LEDGER_OK);
	edit(f, &h, b);
	assert_int_equal(block_encode(&h,
				      (const uint8_t *const[]){ b->n_txs ? b->txs[0].data : NULL },
				      (const size_t[]){ b->n_txs ? b->txs[0].len : 0 }, b->n_txs,
				      b->last_commit, &out, &out_len),
			 0);
	state_digest(c, before);
	r = fix_apply(f, c, out, out_len, &err, NULL);
	assert_int_equal(err.reason, r);
	if (r != LEDGER_OK) {
		state_digest(c, after);
		assert_memory_equal(before, after, HASH_SIZE);
	}
	codec_free(msg);
	free(out);
	free(block);
	free(tx);
	return r;
}

static void edit_nothing(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	(void)h;
	(void)b;
}

static void edit_chain(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	(void)b;
	strcpy(h->chain_id, "other");
}

static void edit_height(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	(void)b;
	h->height++;
}

static void edit_prev(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	(void)b;
	h->prev_block_id[0] ^= 1;
}

static void edit_time(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)b;
	h->time_ms = f->chain.tip.time_ms;
}

static void edit_app_hash(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	(void)b;
	h->app_hash[5] ^= 1;
}

static void edit_tx_root(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	(void)b;
	h->tx_root[0] ^= 1;
}

static void edit_validators(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	(void)b;
	h->validators_hash[0] ^= 1;
}

static void edit_next_validators(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	(void)b;
	h->next_validators_hash[0] ^= 1;
}

static void edit_proposer(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)b;
	memcpy(h->proposer, f->signers[1].pubkey, PUBKEY_SIZE);
}

static void edit_commit_hash(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	(void)b;
	h->last_commit_hash[0] ^= 1;
}

static void edit_commit_target(struct fixture *f, struct block_header *h, Hearth__Block *b)
{
	(void)f;
	b->last_commit->height++;
	assert_int_equal(block_commit_hash(b->last_commit, h->last_commit_hash), 0);
}

static void test_block_is_checked_against_the_tip(void **state)
{
	struct fixture *f = *state;

	/* height 1 carries no commit: a made-up commit hash is refused */
	assert_int_equal(apply_edited(f, edit_commit_hash), LEDGER_BLOCK_WRONG_LAST_COMMIT);
	assert_int_equal(apply_edited(f, edit_nothing), LEDGER_OK);
	assert_int_equal(apply_edited(f, edit_chain), LEDGER_BLOCK_WRONG_CHAIN);
	assert_int_equal(apply_edited(f, edit_height), LEDGER_BLOCK_WRONG_HEIGHT);
	assert_int_equal(apply_edited(f, edit_prev), LEDGER_BLOCK_WRONG_PREV);
	assert_int_equal(apply_edited(f, edit_time), LEDGER_BLOCK_TIME_NOT_INCREASING);
	assert_int_equal(apply_edited(f, edit_app_hash), LEDGER_BLOCK_WRONG_APP_HASH);
	assert_int_equal(apply_edited(f, edit_tx_root), LEDGER_BLOCK_WRONG_TX_ROOT);
	assert_int_equal(apply_edited(f, edit_validators), LEDGER_BLOCK_WRONG_VALIDATORS);
	assert_int_equal(apply_edited(f, edit_next_validators), LEDGER_BLOCK_WRONG_NEXT_VALIDATORS);
	assert_int_equal(apply_edited(f, edit_proposer), LEDGER_BLOCK_BAD_PROPOSER);
	assert_int_equal(apply_edited(f, edit_commit_hash), LEDGER_BLOCK_WRONG_LAST_COMMIT);
	assert_int_equal(apply_edited(f, edit_commit_target), LEDGER_BLOCK_WRONG_LAST_COMMIT);
	assert_int_equal(apply_edited(f, edit_nothing), LEDGER_OK);
	assert_int_equal(f->chain.tip.height, 2);
}

static void test_block_size_and_tx_count_are_capped(void **state)
{
	struct fixture *f = *state;
	uint8_t *block, *txs[2];
	size_t len, lens[2];

	txs[0] = fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 5, &lens[0]);
	txs[1] = fix_transfer(f, 1, 2, FIX_FEE, f->signers[6].pubkey, 5, &lens[1]);
	block = fix_make_block(f, &f->chain, txs, lens, 2, &len);
	f->ledger.cfg.params.max_block_txs = 1;
	assert_int_equal(fix_apply(f, &f->chain, block, len, NULL, NULL),
			 LEDGER_BLOCK_TOO_MANY_TXS);
	f->ledger.cfg.params.max_block_txs = 2;
	f->ledger.cfg.params.max_block_bytes = len - 1;
	assert_int_equal(fix_apply(f, &f->chain, block, len, NULL, NULL), LEDGER_BLOCK_TOO_LARGE);
	f->ledger.cfg.params.max_block_bytes = len;
	assert_int_equal(fix_apply(f, &f->chain, block, len - 1, NULL, NULL),
			 LEDGER_BLOCK_MALFORMED);
	assert_int_equal(fix_apply(f, &f->chain, block, len, NULL, NULL), LEDGER_OK);
	free(block);
	free(txs[0]);
	free(txs[1]);
}

/* A state over another that fails every read once armed, as a disk would. */
struct failing {
	const struct state *inner;
	bool armed;
};

static enum state_status failing_get(void *impl, const uint8_t *key, size_t key_len, uint8_t **val,
				     size_t *val_len)
{
	struct failing *fs = impl;

	if (fs->armed)
		return STATE_ERROR;
	return state_get(fs->inner, key, key_len, val, val_len);
}

static enum state_status failing_put(void *impl, const uint8_t *key, size_t key_len,
				     const uint8_t *val, size_t val_len)
{
	struct failing *fs = impl;

	return state_put(fs->inner, key, key_len, val, val_len);
}

static enum state_status failing_del(void *impl, const uint8_t *key, size_t key_len)
{
	struct failing *fs = impl;

	return state_del(fs->inner, key, key_len);
}

static enum state_status failing_iterate(void *impl, const uint8_t *prefix, size_t prefix_len,
					 const uint8_t *start, size_t start_len, state_iter_fn fn,
					 void *arg)
{
	struct failing *fs = impl;

	return state_iterate(fs->inner, prefix, prefix_len, start, start_len, fn, arg);
}

static const struct state_ops failing_ops = {
	.get = failing_get,
	.put = failing_put,
	.del = failing_del,
	.iterate = failing_iterate,
};

static void test_state_failure_is_internal_not_the_blocks_fault(void **state)
{
	struct fixture *f = *state;
	struct failing fs = { .inner = fix_chain_state(&f->chain), .armed = false };
	struct state st = { .ops = &failing_ops, .impl = &fs };
	struct ledger_block_result res;
	struct ledger_error err;
	uint8_t *tx, *block;
	size_t tx_len, len;

	tx = fix_transfer(f, 1, 1, FIX_FEE, f->signers[6].pubkey, 5, &tx_len);
	block = fix_make_block(f, &f->chain, &tx, &tx_len, 1, &len);
	fs.armed = true;
	assert_int_equal(ledger_apply_block(&f->ledger, &st, &f->chain.tip, block, len, &res, &err),
			 LEDGER_INTERNAL);
	assert_int_equal(ledger_check_tx(&f->ledger, &st, 1, tx, tx_len, &err), LEDGER_INTERNAL);
	fs.armed = false;
	assert_int_equal(ledger_apply_block(&f->ledger, &st, &f->chain.tip, block, len, &res, &err),
			 LEDGER_OK);
	ledger_block_result_free(&res);
	free(block);
	free(tx);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_root_is_rfc6962_shaped),
		cmocka_unit_test(test_header_round_trips_and_id_hashes_its_bytes),
		cmocka_unit_test(test_short_hash_in_header_is_malformed),
		T(test_block_with_one_invalid_tx_is_rejected_whole),
		T(test_app_hash_chains_the_write_set),
		T(test_block_is_checked_against_the_tip),
		T(test_block_size_and_tx_count_are_capped),
		T(test_state_failure_is_internal_not_the_blocks_fault),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
