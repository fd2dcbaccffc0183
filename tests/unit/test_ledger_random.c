/* test_ledger_random.c: the determinism run. A seeded generator produces
 * 10,000 valid and invalid txs; a simple model of the accounts predicts the
 * ledger's answer to each (the exact rejection reason, or acceptance). The
 * accepted ones form blocks that two independent chains apply (one commits
 * straight into memory, the other through a long-lived overlay flushed every
 * 7 blocks): after every block both app hashes must be equal, the supply
 * invariant must hold, and every account must equal the model's. Every 10th
 * block is first offered with one invalid tx appended, and must be refused
 * whole by both chains. Set HEARTH_TEST_SEED to replay another seed. */
#include "consensus/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/staking.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

#define TOTAL_TXS     10000
#define TXS_PER_BLOCK 40
#define QUEUE_MAX     8192

struct model_account {
	uint64_t balance;
	uint64_t nonce;
	uint64_t bonded;
	uint64_t unbonding;
	bool validator; /* a validator candidate */
};

struct release {
	uint64_t height;
	int key;
	uint64_t amount;
};

struct model {
	struct model_account acct[FIX_KEYS];
	struct release queue[QUEUE_MAX];
	size_t n_queue;
	uint64_t fees;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n == 0 ? 0 : rnd() % n;
}

enum gen_kind { GEN_TRANSFER, GEN_BOND, GEN_UNBOND, GEN_OFFER };

enum gen_defect {
	DEFECT_NONE,
	DEFECT_BAD_SIG,
	DEFECT_WRONG_CHAIN,
	DEFECT_FEE_TOO_LOW,
};

struct candidate {
	int sender;
	int to;
	uint64_t nonce;
	uint64_t fee;
	uint64_t amount;
	bool validator; /* a bond's validator flag */
	enum gen_kind kind;
	enum gen_defect defect;
};

/* What the ledger must answer, following its order of checks. */
static enum ledger_reason predict(const struct model *m, const struct candidate *c)
{
	const struct model_account *a = &m->acct[c->sender];
	uint64_t left;

	switch (c->defect) {
	case DEFECT_WRONG_CHAIN:
		return LEDGER_TX_WRONG_CHAIN;
	case DEFECT_FEE_TOO_LOW:
		return LEDGER_TX_FEE_TOO_LOW;
	case DEFECT_BAD_SIG:
		return LEDGER_TX_BAD_SIGNATURE;
	case DEFECT_NONE:
		break;
	}
	if (c->kind == GEN_OFFER)
		return LEDGER_TX_KIND_UNHANDLED;
	if (c->nonce <= a->nonce)
		return LEDGER_TX_NONCE_REPLAYED;
	if (c->nonce != a->nonce + 1)
		return LEDGER_TX_NONCE_GAP;
	if (a->balance < c->fee)
		return LEDGER_TX_FEE_UNPAYABLE;
	left = a->balance - c->fee;
	switch (c->kind) {
	case GEN_TRANSFER:
		if (c->amount == 0)
			return LEDGER_TRANSFER_ZERO_AMOUNT;
		return left < c->amount ? LEDGER_TRANSFER_INSUFFICIENT_BALANCE : LEDGER_OK;
	case GEN_BOND:
		if (c->amount == 0)
			return LEDGER_BOND_ZERO_AMOUNT;
		return left < c->amount ? LEDGER_BOND_INSUFFICIENT_BALANCE : LEDGER_OK;
	case GEN_UNBOND:
		if (c->amount == 0)
			return LEDGER_UNBOND_ZERO_AMOUNT;
		return c->amount > a->bonded ? LEDGER_UNBOND_EXCEEDS_BONDED : LEDGER_OK;
	case GEN_OFFER:
		break;
	}
	return LEDGER_TX_KIND_UNHANDLED;
}

static void model_apply(struct model *m, const struct candidate *c, uint64_t height,
			uint64_t unbonding_blocks)
{
	struct model_account *a = &m->acct[c->sender];

	a->nonce = c->nonce;
	a->balance -= c->fee;
	m->fees += c->fee;
	switch (c->kind) {
	case GEN_TRANSFER:
		a->balance -= c->amount;
		m->acct[c->to].balance += c->amount;
		break;
	case GEN_BOND:
		a->balance -= c->amount;
		a->bonded += c->amount;
		a->validator = a->validator || c->validator;
		break;
	case GEN_UNBOND:
		a->bonded -= c->amount;
		a->validator = a->validator && a->bonded > 0;
		a->unbonding += c->amount;
		assert_true(m->n_queue < QUEUE_MAX);
		m->queue[m->n_queue++] =
			(struct release){ height + unbonding_blocks, c->sender, c->amount };
		break;
	case GEN_OFFER:
		fail_msg("an offer cannot be accepted");
	}
}

static void model_end_block(struct model *m, int proposer, uint64_t height)
{
	size_t kept = 0;

	m->acct[proposer].balance += m->fees;
	m->fees = 0;
	for (size_t i = 0; i < m->n_queue; i++) {
		struct release *r = &m->queue[i];

		if (r->height == height) {
			m->acct[r->key].unbonding -= r->amount;
			m->acct[r->key].balance += r->amount;
		} else {
			m->queue[kept++] = *r;
		}
	}
	m->n_queue = kept;
}

static uint64_t some_amount(uint64_t max)
{
	return 1 + below(max > 4 ? max / 4 : 1);
}

static struct candidate generate(const struct model *m)
{
	struct candidate c;
	const struct model_account *a;
	uint64_t pick = below(100), left;

	memset(&c, 0, sizeof(c));
	c.sender = (int)below(FIX_KEYS);
	c.to = (int)below(FIX_KEYS);
	a = &m->acct[c.sender];
	c.nonce = a->nonce + 1;
	c.fee = FIX_FEE / 2 + below(FIX_FEE);
	left = a->balance > c.fee ? a->balance - c.fee : 0;
	c.kind = GEN_TRANSFER;
	c.amount = some_amount(left);
	if (pick < 30) {
		if (below(10) == 0)
			c.amount = left + 1;
	} else if (pick < 45) {
		c.kind = GEN_BOND;
		c.validator = below(3) == 0;
		c.amount = below(12) == 0 ? 0 : some_amount(left / 8);
		if (below(10) == 0)
			c.amount = left + 1 + below(10);
	} else if (pick < 60) {
		c.kind = GEN_UNBOND;
		c.amount = a->bonded > 0 ? 1 + below(a->bonded) : 1;
		if (below(8) == 0)
			c.amount = a->bonded + 1;
		if (below(12) == 0)
			c.amount = 0;
	} else if (pick < 64) {
		c.defect = DEFECT_BAD_SIG;
	} else if (pick < 68) {
		c.defect = DEFECT_WRONG_CHAIN;
	} else if (pick < 73) {
		c.nonce = a->nonce > 0 ? a->nonce - below(a->nonce) : 0; /* replay */
	} else if (pick < 78) {
		c.nonce = a->nonce + 2 + below(3); /* gap */
	} else if (pick < 82) {
		c.defect = DEFECT_FEE_TOO_LOW;
		c.fee = 1;
	} else if (pick < 86) {
		c.amount = 0;
	} else if (pick < 89) {
		c.kind = GEN_OFFER;
	} else if (pick < 92) {
		c.fee = a->balance + FIX_FEE / 2 + below(1000); /* more than it has */
	} else if (pick < 94) {
		c.sender = 7; /* poor: often cannot pay the fee */
		c.nonce = m->acct[7].nonce + 1;
		c.fee = 1000 + below(2 * FIX_FEE);
		c.amount = 1 + below(100);
	}
	return c;
}

static uint8_t *encode(struct fixture *f, const struct candidate *c, size_t *len)
{
	Hearth__TxBody body;
	Hearth__Transfer t = HEARTH__TRANSFER__INIT;
	Hearth__Bond b = HEARTH__BOND__INIT;
	Hearth__Unbond u = HEARTH__UNBOND__INIT;
	Hearth__Offer o = HEARTH__OFFER__INIT;
	Hearth__Resources r = HEARTH__RESOURCES__INIT;

	fix_body(f, &body, c->sender, c->nonce, c->fee);
	if (c->defect == DEFECT_WRONG_CHAIN)
		body.chain_id = (char *)"hearth-elsewhere";
	switch (c->kind) {
	case GEN_TRANSFER:
		t.to.data = f->signers[c->to].pubkey;
		t.to.len = PUBKEY_SIZE;
		t.amount = c->amount;
		body.kind_case = HEARTH__TX_BODY__KIND_TRANSFER;
		body.transfer = &t;
		break;
	case GEN_BOND:
		b.amount = c->amount;
		b.has_validator = c->validator;
		b.validator = c->validator;
		body.kind_case = HEARTH__TX_BODY__KIND_BOND;
		body.bond = &b;
		break;
	case GEN_UNBOND:
		u.amount = c->amount;
		body.kind_case = HEARTH__TX_BODY__KIND_UNBOND;
		body.unbond = &u;
		break;
	case GEN_OFFER:
		o.per_slot = &r;
		body.kind_case = HEARTH__TX_BODY__KIND_OFFER;
		body.offer = &o;
		break;
	}
	return fix_sign(f, &body,
			c->defect == DEFECT_BAD_SIG ? (c->sender + 1) % FIX_KEYS : c->sender, len);
}

static int proposer_of(struct fixture *f, const struct chain *c, uint64_t height)
{
	struct validator_set *set = malloc(sizeof(*set));
	int who = -1;

	assert_non_null(set);
	assert_int_equal(staking_load_set(fix_chain_state(c), height, set), STATE_OK);
	for (int i = 0; i < FIX_KEYS; i++) {
		if (memcmp(set->members[0].key, f->signers[i].pubkey, PUBKEY_SIZE) == 0)
			who = i;
	}
	free(set);
	assert_true(who >= 0);
	return who;
}

static void assert_model_matches(const struct fixture *f, const struct model *m,
				 const struct chain *c)
{
	for (int i = 0; i < FIX_KEYS; i++) {
		struct account a = fix_account(f, c, i);
		const struct model_account *want = &m->acct[i];

		if (a.balance != want->balance || a.nonce != want->nonce ||
		    a.bonded != want->bonded || a.unbonding != want->unbonding ||
		    a.validator != want->validator)
			fail_msg("height %" PRIu64 " key %d: ledger %" PRIu64 "/%" PRIu64
				 "/%" PRIu64 "/%" PRIu64 "/%d, model %" PRIu64 "/%" PRIu64
				 "/%" PRIu64 "/%" PRIu64 "/%d",
				 c->tip.height, i, a.balance, a.nonce, a.bonded, a.unbonding,
				 a.validator, want->balance, want->nonce, want->bonded,
				 want->unbonding, want->validator);
	}
}

/* Whoever the stake index ranks is a candidate of the model, at its stake.
 * Returns how many are ranked. */
static size_t assert_ranked_are_candidates(const struct fixture *f, const struct model *m,
					   const struct chain *c)
{
	struct validator_set *set = malloc(sizeof(*set));
	size_t k_ranked;

	assert_non_null(set);
	assert_int_equal(staking_select(fix_chain_state(c), VALIDATORS_MAX, set), STATE_OK);
	for (size_t k = 0; k < set->count; k++) {
		int who = -1;

		for (int i = 0; i < FIX_KEYS; i++) {
			if (memcmp(set->members[k].key, f->signers[i].pubkey, PUBKEY_SIZE) == 0)
				who = i;
		}
		assert_true(who >= 0);
		assert_true(m->acct[who].validator);
		assert_int_equal(set->members[k].power, m->acct[who].bonded);
	}
	k_ranked = set->count;
	free(set);
	return k_ranked;
}

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

/* Offers block txs[0..n) plus one invalid tx to both chains: both refuse. */
static void offer_poisoned(struct fixture *f, struct chain *a, struct chain *b, uint8_t **txs,
			   size_t *lens, size_t n, const struct model *m)
{
	struct candidate bad;
	struct ledger_error err;
	struct chain_tip tip_a = a->tip, tip_b = b->tip;
	uint8_t *block;
	size_t len;

	memset(&bad, 0, sizeof(bad));
	bad.sender = (int)below(6);
	bad.to = 1;
	bad.fee = FIX_FEE;
	bad.amount = 1;
	bad.kind = GEN_TRANSFER;
	bad.nonce = m->acct[bad.sender].nonce + 2; /* after this block: a gap or a replay */
	txs[n] = encode(f, &bad, &lens[n]);
	block = fix_make_block(f, a, txs, lens, n + 1, &len);
	assert_int_equal(fix_apply(f, a, block, len, &err, NULL), LEDGER_BLOCK_BAD_TX);
	assert_int_equal(err.tx_index, n);
	assert_int_equal(fix_apply(f, b, block, len, &err, NULL), LEDGER_BLOCK_BAD_TX);
	assert_memory_equal(&tip_a, &a->tip, sizeof(tip_a));
	assert_memory_equal(&tip_b, &b->tip, sizeof(tip_b));
	free(block);
	free(txs[n]);
}

static void test_random_tx_sequences_are_deterministic(void **state UNUSED)
{
	struct fixture *f = malloc(sizeof(*f));
	struct chain *b = malloc(sizeof(*b));
	struct model *m = calloc(1, sizeof(*m));
	const char *seed_env = getenv("HEARTH_TEST_SEED");
	uint64_t seed = seed_env != NULL ? strtoull(seed_env, NULL, 0) : 0x5eedu;
	uint8_t *txs[TXS_PER_BLOCK + 1];
	size_t lens[TXS_PER_BLOCK + 1];
	size_t generated = 0, accepted = 0, blocks = 0, most_ranked = 0, plain_stakers = 0;
	size_t by_reason[LEDGER_INTERNAL + 1] = { 0 };
	uint8_t da[HASH_SIZE], db[HASH_SIZE];

	assert_non_null(f);
	assert_non_null(b);
	assert_non_null(m);
	rng_state = seed;
	printf("# seed %" PRIu64 "\n", seed);
	fix_setup(f);
	fix_chain_init(f, b, true);
	for (int i = 0; i < 6; i++)
		m->acct[i].balance = FIX_BALANCE;
	m->acct[0].bonded = FIX_BOND;
	m->acct[0].validator = true;
	while (generated < TOTAL_TXS) {
		struct chain *a = &f->chain;
		uint64_t height = a->tip.height + 1;
		int proposer = proposer_of(f, a, height);
		struct ledger_block_ctx blk;
		struct overlay pool;
		struct state pool_st;
		uint8_t hash_a[HASH_SIZE], hash_b[HASH_SIZE], *block;
		size_t n = 0, len;

		/* the mempool: each candidate checked over the txs accepted so far */
		overlay_init(&pool, fix_chain_state(a), &pool_st);
		ledger_block_ctx_init(&blk, height, f->signers[proposer].pubkey);
		for (int k = 0; k < TXS_PER_BLOCK && generated < TOTAL_TXS; k++, generated++) {
			struct candidate c = generate(m);
			enum ledger_reason want = predict(m, &c), got;
			struct ledger_error err;
			size_t tx_len;
			uint8_t *tx = encode(f, &c, &tx_len);

			got = ledger_apply_tx(&f->ledger, &pool_st, &blk, tx, tx_len, true, &err);
			if (got != want)
				fail_msg("seed %" PRIu64
					 " tx %zu: ledger says %d (%s), model %d (%s)",
					 seed, generated, got, err.text, want,
					 ledger_strerror(want));
			by_reason[got]++;
			if (got != LEDGER_OK) {
				free(tx);
				continue;
			}
			model_apply(m, &c, height, f->ledger.cfg.params.unbonding_blocks);
			txs[n] = tx;
			lens[n] = tx_len;
			n++;
		}
		overlay_free(&pool);
		accepted += n;
		if (blocks % 10 == 9)
			offer_poisoned(f, a, b, txs, lens, n, m);
		block = fix_make_block(f, a, txs, lens, n, &len);
		assert_int_equal(fix_apply(f, a, block, len, NULL, hash_a), LEDGER_OK);
		assert_int_equal(fix_apply(f, b, block, len, NULL, hash_b), LEDGER_OK);
		assert_memory_equal(hash_a, hash_b, HASH_SIZE);
		model_end_block(m, proposer, height);
		assert_model_matches(f, m, a);
		{
			size_t ranked = assert_ranked_are_candidates(f, m, a);

			most_ranked = ranked > most_ranked ? ranked : most_ranked;
			for (int i = 0; i < FIX_KEYS; i++)
				plain_stakers += m->acct[i].bonded > 0 && !m->acct[i].validator;
		}
		free(block);
		for (size_t i = 0; i < n; i++)
			free(txs[i]);
		blocks++;
	}
	state_digest(&f->chain, da);
	state_digest(b, db);
	assert_memory_equal(da, db, HASH_SIZE);
	/* the run exercised both outcomes broadly */
	assert_true(accepted > TOTAL_TXS / 4);
	assert_true(by_reason[LEDGER_TX_NONCE_GAP] > 0 && by_reason[LEDGER_TX_NONCE_REPLAYED] > 0);
	assert_true(by_reason[LEDGER_TX_FEE_UNPAYABLE] > 0 &&
		    by_reason[LEDGER_UNBOND_EXCEEDS_BONDED] > 0);
	assert_true(by_reason[LEDGER_TRANSFER_INSUFFICIENT_BALANCE] > 0 &&
		    by_reason[LEDGER_TX_BAD_SIGNATURE] > 0);
	/* candidates joined the ranking, and plain stake stayed out of it */
	assert_true(most_ranked > 1 && plain_stakers > 0);
	printf("# %zu txs, %zu accepted, %zu blocks, up to %zu ranked\n", generated, accepted,
	       blocks, most_ranked);
	fix_chain_free(b);
	fix_teardown(f);
	free(b);
	free(f);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_tx_sequences_are_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
