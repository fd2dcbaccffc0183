/* test_market_random.c: the market's seeded randomized run. Providers offer
 * and cancel, consumers bid and cancel, providers bond and unbond around the
 * minimum, with random resources, prices, replicas and expiries, over
 * MR_BLOCKS blocks. Each block's txs are admitted one by one as a mempool
 * would (into a scratch overlay; refused ones are dropped), then the block
 * is applied to two independent chains (one flat, one layered): identical
 * app hash after every block, the supply invariant with the escrow after
 * every block (fix_apply), the market's records against its indexes every
 * few blocks and at the end, and identical states at the end. */
#include "market/market.h"

#include <stdlib.h>
#include <string.h>

#include "market/reputation.h"
#include "tests/unit/market_fixture.h"
#include "tests/unit/test_util.h"

#define MR_SEED	     0x5eed0008u
#define MR_BLOCKS    2000
#define MR_TXS_MAX   12
#define MR_IDS	     64 /* recent offer and bid ids, the targets of cancels */
#define MR_CONSUMERS 2	/* keys 4 and 5; providers also bid sometimes */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return rnd(r) % n;
}

enum kind {
	K_OFFER,
	K_CANCEL_OFFER,
	K_BID,
	K_CANCEL_BID,
	K_BOND,
	K_UNBOND,
	K_RECEIPT, /* receipts and commitments */
	K_REVEAL,
	K_DISPUTE,
	K_KINDS
};

/* Provider 3 is lazy: it never sends a receipt, so its leases fail at their
 * deadlines and it is slashed. */
#define MR_LAZY 3

struct run {
	struct fixture *f;
	struct rng rng;
	struct overlay scratch;
	struct state scratch_st;
	struct ledger_block_ctx blk;
	uint8_t offers[MR_IDS][MARKET_ID_SIZE], bids[MR_IDS][MARKET_ID_SIZE];
	int offer_owner[MR_IDS], bid_owner[MR_IDS];
	size_t n_offers, n_bids;
	size_t accepted[K_KINDS], refused;
	size_t tiebreak_turns; /* reports tried on a tie-break's verifier lease */
};

static uint64_t scratch_nonce(struct run *r, int idx)
{
	struct account a;

	assert_int_equal(account_load(&r->scratch_st, r->f->signers[idx].pubkey, &a), STATE_OK);
	return a.nonce + 1;
}

static void random_offer(struct run *r, struct offer_spec *s)
{
	static const char *const runtimes[] = { "posix", "wasm" };
	static const char *const regions[] = { "eu", "us", "ap" };

	*s = mf_offer_spec(r->f);
	s->cpu = 250 * (1 + below(&r->rng, 8));
	s->memory = (1ull << 27) << below(&r->rng, 5);
	s->disk = (1ull << 28) * below(&r->rng, 4);
	s->gpus = (uint32_t)below(&r->rng, 2);
	s->slots = 1 + (uint32_t)below(&r->rng, 4);
	s->runtimes[0] = runtimes[below(&r->rng, 2)];
	s->n_runtimes = 1 + below(&r->rng, 2);
	s->runtimes[1] = s->runtimes[0] == runtimes[0] ? runtimes[1] : runtimes[0];
	s->attr_values[0] = regions[below(&r->rng, 3)];
	s->n_attrs = below(&r->rng, 2);
	s->price = 1 + below(&r->rng, 30);
	s->max_duration = 30 * (1 + below(&r->rng, 8));
	s->expiry = r->f->chain.tip.height + below(&r->rng, 60); /* 0, 1: refused */
}

static void random_bid(struct run *r, struct bid_spec *b)
{
	static const char *const regions[] = { "eu", "us", "ap" };
	static const uint32_t reputations[] = { 0, 0, 0, 50, 51 };

	*b = mf_bid_spec(r->f);
	b->cpu = 250 * (1 + below(&r->rng, 8));
	b->memory = (1ull << 27) << below(&r->rng, 5);
	b->disk = (1ull << 28) * below(&r->rng, 3);
	b->gpus = below(&r->rng, 4) == 0;
	b->runtime = below(&r->rng, 3) == 0 ? "wasm" : "posix";
	b->attr_keys[0] = "region";
	b->attr_values[0] = regions[below(&r->rng, 3)];
	b->n_attrs = below(&r->rng, 3) == 0;
	b->min_reputation = reputations[below(&r->rng, 5)];
	b->replicas = 1 + (uint32_t)below(&r->rng, 3);
	b->max_price = 1 + below(&r->rng, 30);
	b->max_duration = 10 * (1 + below(&r->rng, 24));
	b->expiry = r->f->chain.tip.height + below(&r->rng, 40);
}

static void remember(uint8_t (*ids)[MARKET_ID_SIZE], int *owners, size_t *n, const uint8_t *id,
		     int owner)
{
	size_t at = *n < MR_IDS ? (*n)++ : (size_t)(id[0] % MR_IDS);

	memcpy(ids[at], id, MARKET_ID_SIZE);
	owners[at] = owner;
}

/* Provider 2 cheats now and then: a wrong result for some leases, and for
 * some a reveal that does not open its commitment. Results are derived from
 * the ids so a provider reveals what it committed to. */
#define MR_CHEAT 2

static int index_of(const struct fixture *f, const uint8_t *key)
{
	for (int i = 0; i < FIX_KEYS; i++) {
		if (memcmp(key, f->signers[i].pubkey, PUBKEY_SIZE) == 0)
			return i;
	}
	return -1;
}

static uint8_t result_of(const Hearth__Lease *lease, int provider)
{
	uint8_t right = lease->bid_id.data[0];

	return provider == MR_CHEAT && (lease->id.data[1] & 3) == 0 ? (uint8_t)(right ^ 1) : right;
}

/* The report due on lease (a receipt, a commitment or a reveal) from its
 * provider, or a dispute from its consumer; NULL when there is none. */
static uint8_t *report_on(struct run *r, const Hearth__Lease *lease, uint32_t replicas, int *who,
			  enum kind *kind, size_t *len)
{
	struct fixture *f = r->f;
	int p = index_of(f, lease->provider.data);
	uint8_t result = result_of(lease, p), c[HASH_SIZE];
	uint64_t wall = below(&r->rng, 300000);

	*who = p;
	if (p < 0 || p == MR_LAZY)
		return NULL;
	switch (lease->state) {
	case HEARTH__LEASE_STATE__LEASE_ACTIVE:
		*kind = K_RECEIPT;
		if (replicas == 1)
			return mf_receipt_hash_tx(f, p, scratch_nonce(r, p), lease->id.data, wall,
						  result, len);
		mf_commitment(f, p, result, lease->id.data, 8, c);
		return mf_commit_tx(f, p, scratch_nonce(r, p), lease->id.data, MARKET_ID_SIZE, c,
				    HASH_SIZE, len);
	case HEARTH__LEASE_STATE__LEASE_RECEIPTED:
		if (replicas == 1) {
			/* the consumer disputes some receipts */
			*kind = K_DISPUTE;
			*who = index_of(f, lease->consumer.data);
			return below(&r->rng, 3) == 0 && *who >= 0
				       ? mf_dispute_tx(f, *who, scratch_nonce(r, *who),
						       lease->id.data, MARKET_ID_SIZE, "check", len)
				       : NULL;
		}
		*kind = K_REVEAL;
		if (p == MR_CHEAT && (lease->id.data[2] & 7) == 0)
			result ^= 2;
		return mf_reveal_tx(f, p, scratch_nonce(r, p), lease->id.data, result, HASH_SIZE,
				    lease->id.data, 8, wall, len);
	case HEARTH__LEASE_STATE__LEASE_DISPUTED:
	case HEARTH__LEASE_STATE__LEASE_SETTLED:
	case HEARTH__LEASE_STATE__LEASE_FAILED:
	case _HEARTH__LEASE_STATE_IS_INT_SIZE:
		break;
	}
	return NULL;
}

/* A report on a lease of a recent bid (or on its dispute's verifier
 * lease), or NULL. */
static uint8_t *random_report(struct run *r, int *who, enum kind *kind, size_t *len)
{
	uint8_t lease_id[MARKET_ID_SIZE];
	Hearth__Lease *lease;
	Hearth__BidRecord *bid;
	Hearth__DisputeRecord *d;
	uint8_t *tx = NULL;
	enum state_status rc;
	size_t pick;

	if (r->n_bids == 0)
		return NULL;
	pick = below(&r->rng, r->n_bids);
	market_lease_id(r->bids[pick], (uint32_t)below(&r->rng, 2), lease_id);
	rc = market_lease_get(&r->scratch_st, lease_id, &lease);
	assert_int_not_equal(rc, STATE_ERROR);
	if (rc != STATE_OK)
		return NULL;
	if (lease->state == HEARTH__LEASE_STATE__LEASE_DISPUTED) {
		/* the verifier's turn */
		assert_int_equal(market_dispute_get(&r->scratch_st, lease_id, &d), STATE_OK);
		codec_free((ProtobufCMessage *)lease);
		lease = NULL;
		if (d->has_verifier_lease_id)
			assert_int_equal(
				market_lease_get(&r->scratch_st, d->verifier_lease_id.data, &lease),
				STATE_OK);
		codec_free((ProtobufCMessage *)d);
		if (lease == NULL)
			return NULL;
	}
	if (lease->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED) {
		/* a replica waiting for a tie-break: the verifier's turn */
		Hearth__TieBreakRecord *t;

		rc = market_tiebreak_get(&r->scratch_st, lease->bid_id.data, &t);
		assert_int_not_equal(rc, STATE_ERROR);
		if (rc == STATE_OK && t->outcome == 0) {
			assert_true(t->has_verifier_lease_id);
			codec_free((ProtobufCMessage *)lease);
			assert_int_equal(
				market_lease_get(&r->scratch_st, t->verifier_lease_id.data, &lease),
				STATE_OK);
			r->tiebreak_turns++;
		}
		if (rc == STATE_OK)
			codec_free((ProtobufCMessage *)t);
	}
	assert_int_equal(market_bid_get(&r->scratch_st, lease->bid_id.data, &bid), STATE_OK);
	*kind = K_RECEIPT;
	tx = report_on(r, lease, lease->replica == 0x80000000u ? 1 : bid->bid->replicas, who, kind,
		       len);
	if (lease->replica == 0x80000000u && *kind == K_DISPUTE) {
		free(tx);
		tx = NULL;
	}
	codec_free((ProtobufCMessage *)bid);
	codec_free((ProtobufCMessage *)lease);
	return tx;
}

/* A random tx of a random kind. Out: *kind, *len, id (offer or bid). */
static uint8_t *random_tx(struct run *r, enum kind *kind, size_t *len, uint8_t *id, int *who)
{
	struct fixture *f = r->f;
	struct offer_spec s;
	struct bid_spec b;
	uint64_t roll = below(&r->rng, 100);
	int provider = (int)below(&r->rng, MF_PROVIDERS);
	int consumer = below(&r->rng, 5) == 0 ? provider : 4 + (int)below(&r->rng, MR_CONSUMERS);
	size_t pick;
	uint8_t *tx;

	for (int tries = 0; roll < 25 && tries < 16; tries++) {
		tx = random_report(r, who, kind, len);
		if (tx != NULL)
			return tx;
	}
	if (roll < 30) {
		*kind = K_OFFER;
		*who = provider;
		random_offer(r, &s);
		return mf_offer_tx(f, provider, scratch_nonce(r, provider), &s, len, id);
	}
	if (roll < 40 && r->n_offers > 0) {
		*kind = K_CANCEL_OFFER;
		pick = below(&r->rng, r->n_offers);
		*who = below(&r->rng, 4) == 0 ? provider : r->offer_owner[pick];
		return mf_cancel_offer_tx(f, *who, scratch_nonce(r, *who), r->offers[pick],
					  MARKET_ID_SIZE, len);
	}
	if (roll < 50 && r->n_bids > 0) {
		*kind = K_CANCEL_BID;
		pick = below(&r->rng, r->n_bids);
		*who = below(&r->rng, 4) == 0 ? consumer : r->bid_owner[pick];
		return mf_cancel_bid_tx(f, *who, scratch_nonce(r, *who), r->bids[pick],
					MARKET_ID_SIZE, len);
	}
	if (roll < 54) {
		*kind = K_BOND;
		*who = provider;
		return fix_bond(f, provider, scratch_nonce(r, provider), FIX_FEE,
				1 + below(&r->rng, 2000), len);
	}
	if (roll < 58) {
		*kind = K_UNBOND;
		*who = provider;
		return fix_unbond(f, provider, scratch_nonce(r, provider), FIX_FEE,
				  1 + below(&r->rng, 2000), len);
	}
	*kind = K_BID;
	*who = consumer;
	random_bid(r, &b);
	return mf_bid_tx(f, consumer, scratch_nonce(r, consumer), &b, len, id);
}

/* Admits random txs into the next block. Out: txs, lens. Returns n. */
static size_t fill_block(struct run *r, uint8_t **txs, size_t *lens)
{
	size_t want = below(&r->rng, MR_TXS_MAX + 1), n = 0;

	overlay_init(&r->scratch, fix_chain_state(&r->f->chain), &r->scratch_st);
	ledger_block_ctx_init(&r->blk, r->f->chain.tip.height + 1, r->f->signers[0].pubkey);
	for (size_t i = 0; i < want; i++) {
		uint8_t id[MARKET_ID_SIZE];
		enum kind kind;
		int who;
		size_t len;
		uint8_t *tx = random_tx(r, &kind, &len, id, &who);
		enum ledger_reason rc = ledger_apply_tx(&r->f->ledger, &r->scratch_st, &r->blk, tx,
							len, true, NULL);

		if (rc != LEDGER_OK) {
			assert_int_not_equal(rc, LEDGER_INTERNAL);
			r->refused++;
			free(tx);
			continue;
		}
		r->accepted[kind]++;
		if (kind == K_OFFER)
			remember(r->offers, r->offer_owner, &r->n_offers, id, who);
		else if (kind == K_BID)
			remember(r->bids, r->bid_owner, &r->n_bids, id, who);
		txs[n] = tx;
		lens[n++] = len;
	}
	overlay_free(&r->scratch);
	return n;
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

/* Applies a block of txs[n] (freed) to both chains: identical app hashes. */
static void apply_both(struct fixture *f, struct chain *b, uint8_t **txs, size_t *lens, size_t n)
{
	uint8_t hash_a[HASH_SIZE], hash_b[HASH_SIZE];
	struct ledger_error err;
	size_t len;
	uint8_t *block = fix_make_block(f, &f->chain, txs, lens, n, &len);

	if (fix_apply(f, &f->chain, block, len, &err, hash_a) != LEDGER_OK)
		fail_msg("chain a refused block: %s", err.text);
	if (fix_apply(f, b, block, len, &err, hash_b) != LEDGER_OK)
		fail_msg("chain b refused block: %s", err.text);
	assert_memory_equal(hash_a, hash_b, HASH_SIZE);
	free(block);
	for (size_t i = 0; i < n; i++)
		free(txs[i]);
}

struct states {
	const struct state *st;
	size_t n[HEARTH__BID_STATE__BID_SETTLED + 1];
};

static int count_state(void *arg, const uint8_t id[MARKET_ID_SIZE])
{
	struct states *s = arg;
	Hearth__BidState state;
	uint32_t reason;

	assert_int_equal(market_explain_bid(s->st, id, &state, &reason), STATE_OK);
	s->n[state]++;
	return 0;
}

/* Every kind of bid fate happened in the run. */
static void assert_bid_fates(const struct fixture *f)
{
	struct states s = { .st = fix_chain_state(&f->chain) };

	for (int i = 0; i < FIX_KEYS; i++)
		assert_int_equal(market_list(s.st, MARKET_BIDS_BY_CONSUMER, f->signers[i].pubkey,
					     NULL, count_state, &s),
				 STATE_OK);
	print_message("bids: %zu queued, %zu matched, %zu cancelled, %zu expired, %zu settled\n",
		      s.n[HEARTH__BID_STATE__BID_QUEUED], s.n[HEARTH__BID_STATE__BID_MATCHED],
		      s.n[HEARTH__BID_STATE__BID_CANCELLED], s.n[HEARTH__BID_STATE__BID_EXPIRED],
		      s.n[HEARTH__BID_STATE__BID_SETTLED]);
	assert_true(s.n[HEARTH__BID_STATE__BID_SETTLED] > 500);
	for (int i = 0; i < MF_PROVIDERS; i++) {
		struct market_reputation rep;

		assert_int_equal(market_reputation_load(s.st, f->signers[i].pubkey, &rep),
				 STATE_OK);
		print_message("provider %d: %llu completed, %llu failed, %llu slashed\n", i,
			      (unsigned long long)rep.completed, (unsigned long long)rep.failed,
			      (unsigned long long)rep.slashed);
		if (i == MR_LAZY)
			assert_true(rep.failed > 0 && rep.completed == 0);
		else
			assert_true(rep.completed > 0);
	}
	assert_true(s.n[HEARTH__BID_STATE__BID_EXPIRED] > 500);
	assert_true(s.n[HEARTH__BID_STATE__BID_CANCELLED] > 100);
}

static int count_tiebreak(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			  size_t val_len)
{
	size_t *by_outcome = arg;
	ProtobufCMessage *msg;
	uint32_t o;

	(void)key;
	(void)key_len;
	assert_int_equal(codec_decode(&hearth__tie_break_record__descriptor, val, val_len, val_len,
				      &msg, NULL),
			 CODEC_OK);
	o = ((const Hearth__TieBreakRecord *)msg)->outcome;
	assert_true(o <= 4);
	by_outcome[o]++;
	codec_free(msg);
	return 0;
}

/* The run reached tie-breaks, and verifiers that reported and that did
 * not. */
static void assert_tiebreaks(const struct fixture *f, const struct run *r)
{
	size_t by_outcome[5] = { 0 };
	uint8_t p = MKEY_TIEBREAK;

	assert_int_equal(state_iterate(fix_chain_state(&f->chain), &p, 1, NULL, 0, count_tiebreak,
				       by_outcome),
			 STATE_OK);
	print_message("tie-breaks: %zu pending, %zu agreed, %zu no match, %zu void, %zu verifier "
		      "failed; %zu verifier turns\n",
		      by_outcome[0], by_outcome[1], by_outcome[2], by_outcome[3], by_outcome[4],
		      r->tiebreak_turns);
	assert_true(by_outcome[0] + by_outcome[1] + by_outcome[2] + by_outcome[3] + by_outcome[4] >
		    0);
}

static void test_random_market_runs_are_deterministic(void **state UNUSED)
{
	struct fixture *f = malloc(sizeof(*f));
	struct run *r = calloc(1, sizeof(*r));
	struct chain *b = malloc(sizeof(*b));
	uint8_t *txs[MR_TXS_MAX], hash_a[HASH_SIZE], hash_b[HASH_SIZE];
	size_t lens[MR_TXS_MAX];

	assert_non_null(f);
	assert_non_null(r);
	assert_non_null(b);
	fix_setup(f);
	assert_int_equal(market_register(&f->ledger), 0);
	r->f = f;
	r->rng.s = MR_SEED;
	fix_chain_init(f, b, true);
	for (int i = 1; i < MF_PROVIDERS; i++)
		txs[i - 1] = fix_bond(f, i, 1, FIX_FEE, MF_BOND, &lens[i - 1]);
	apply_both(f, b, txs, lens, MF_PROVIDERS - 1);
	for (int height = 0; height < MR_BLOCKS; height++) {
		apply_both(f, b, txs, lens, fill_block(r, txs, lens));
		if (height % 100 == 0) {
			mf_assert_consistent(&f->chain);
			mf_assert_consistent(b);
		}
	}
	mf_assert_consistent(&f->chain);
	mf_assert_consistent(b);
	state_digest(&f->chain, hash_a);
	state_digest(b, hash_b);
	assert_memory_equal(hash_a, hash_b, HASH_SIZE);
	print_message(
		"accepted: %zu offers, %zu cancel_offer, %zu bids, %zu cancel_bid, "
		"%zu bonds, %zu unbonds, %zu receipts, %zu reveals, %zu disputes; refused %zu; "
		"escrow %llu\n",
		r->accepted[K_OFFER], r->accepted[K_CANCEL_OFFER], r->accepted[K_BID],
		r->accepted[K_CANCEL_BID], r->accepted[K_BOND], r->accepted[K_UNBOND],
		r->accepted[K_RECEIPT], r->accepted[K_REVEAL], r->accepted[K_DISPUTE], r->refused,
		(unsigned long long)mf_escrow(&f->chain));
	assert_true(r->accepted[K_OFFER] > 1000);
	assert_true(r->accepted[K_BID] > 1000);
	assert_true(r->accepted[K_CANCEL_OFFER] > 100);
	assert_true(r->accepted[K_CANCEL_BID] > 100);
	assert_true(r->accepted[K_RECEIPT] > 150);
	assert_true(r->accepted[K_REVEAL] > 20);
	assert_true(r->accepted[K_DISPUTE] > 20);
	assert_bid_fates(f);
	assert_tiebreaks(f, r);
	fix_chain_free(b);
	fix_teardown(f);
	free(b);
	free(r);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_market_runs_are_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
