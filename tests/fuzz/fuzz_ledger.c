/* fuzz_ledger.c: libFuzzer target for the ledger and the market
 * (consensus/ledger.c, its modules, market/). Each input starts a fresh
 * in-memory chain from a fixed genesis (keys 0..3 bonded validators and
 * providers, keys 0..5 funded, keys 6 and 7 empty) with the market
 * registered, then reads operations:
 *   - a tx: the input picks kind, sender, amounts, recipients, resources,
 *     ids (of offers and bids made earlier, and their leases) and
 *     variations (nonce, fee, chain id, signing key, flipped byte); the
 *     target builds the body and signs it with the sender's fixed key, so
 *     most txs get past the signature; raw input bytes are a kind too;
 *   - end of block; a run of empty blocks (expiries, unbonding, deadlines).
 * Each tx is first applied the way a proposer does (ledger_apply_tx into
 * the block's overlay); the accepted ones make the block.
 * Invariants: ledger_apply_tx never fails internally; a block of accepted
 * txs is accepted by ledger_apply_block; a block holding a rejected tx is
 * refused; after every block the supply invariant (consensus/invariant.h)
 * holds. */
#include "consensus/account.h"
#include "consensus/block.h"
#include "consensus/genesis.h"
#include "consensus/invariant.h"
#include "consensus/staking.h"
#include "consensus/state_mem.h"
#include "consensus/tx.h"
#include "market/market.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS	   8
#define FUNDED	   6
#define VALIDATORS 4
#define BLOCK_TXS  16
#define MAX_IDS	   16
#define MAX_BLOCKS 48
#define FEE	   10000u
#define CHAIN	   "hearth-fuzz"
#define RAW_TX_MAX 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Built once: keys, genesis and ledger; only read afterwards. */
struct setup {
	struct signer keys[KEYS];
	struct genesis genesis;
	struct ledger ledger;
	bool verbose; /* FUZZ_LEDGER_VERBOSE set: print each tx's fate */
};

struct input {
	const uint8_t *data;
	size_t size, pos;
};

/* An offer or bid made earlier: its id and owner. */
struct made {
	uint8_t id[HASH_SIZE];
	int owner;
};

/* One chain, fresh for each input. */
struct run {
	const struct setup *s;
	struct state_mem mem;
	struct state st;
	struct chain_tip tip;
	uint64_t blocks;
	uint64_t aux;
	struct made offers[MAX_IDS], bids[MAX_IDS];
	size_t n_offers, n_bids;
	/* the block being built */
	struct overlay ov;
	struct state ov_st;
	struct ledger_block_ctx blk;
	uint8_t proposer[PUBKEY_SIZE];
	uint64_t next_nonce[KEYS];
	uint8_t *txs[BLOCK_TXS + 1];
	size_t lens[BLOCK_TXS + 1];
	size_t n_txs;
	uint8_t *bad_tx; /* a rejected tx, to check that a block holding it fails */
	size_t bad_len, bad_at;
};

static uint8_t take(struct input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

static uint64_t take_bytes(struct input *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | take(in);
	return v;
}

/* An amount: mostly small multiples, sometimes any 64-bit value. */
static uint64_t take_amount(struct input *in)
{
	uint8_t e = take(in);

	if (e < 0xc0)
		return (uint64_t)e * 997;
	return take_bytes(in, (e & 7) + 1);
}

static void genesis_text(const struct setup *s, char *buf, size_t size)
{
	char addr[KEYS][ADDRESS_MAX];
	int n;

	for (int i = 0; i < KEYS; i++) {
		if (address_encode(NETWORK_DEV, s->keys[i].pubkey, addr[i], ADDRESS_MAX) != 0)
			abort();
	}
	n = snprintf(buf, size,
		     "{\"chain_id\": \"" CHAIN "\", \"genesis_time_ms\": 1764201600000,\n"
		     " \"params\": {\"max_block_bytes\": 1048576, \"max_block_txs\": 1000,\n"
		     "  \"max_tx_bytes\": 4096, \"min_fee_per_byte\": 1, \"unbonding_blocks\": 3,\n"
		     "  \"min_provider_bond\": 1000, \"max_validators\": 4, "
		     "\"slash_fraction_ppm\": 100000,\n"
		     "  \"market\": {\"max_inline_input_bytes\": 1024, \"block_time_ms\": 1000,\n"
		     "   \"lease_grace_blocks\": 3, \"match_bids_per_block\": 16,\n"
		     "   \"match_offers_per_bid\": 64, \"challenge_blocks\": 3,\n"
		     "   \"slash_missed_deadline_ppm\": 100000, \"reveal_blocks\": 3,\n"
		     "   \"slash_wrong_result_ppm\": 200000, \"dispute_bond\": 5000}},\n"
		     " \"balances\": [{\"address\": \"%s\", \"amount\": 1000000000},\n"
		     "  {\"address\": \"%s\", \"amount\": 1000000000},\n"
		     "  {\"address\": \"%s\", \"amount\": 1000000000},\n"
		     "  {\"address\": \"%s\", \"amount\": 1000000000},\n"
		     "  {\"address\": \"%s\", \"amount\": 1000000000},\n"
		     "  {\"address\": \"%s\", \"amount\": 1000000000}],\n"
		     " \"validators\": [{\"address\": \"%s\", \"bond\": 1000000},\n"
		     "  {\"address\": \"%s\", \"bond\": 1000000}, {\"address\": \"%s\", \"bond\": "
		     "1000000},\n"
		     "  {\"address\": \"%s\", \"bond\": 1000000}]}\n",
		     addr[0], addr[1], addr[2], addr[3], addr[4], addr[5], addr[0], addr[1],
		     addr[2], addr[3]);
	if (n < 0 || (size_t)n >= size)
		abort();
}

static struct setup *setup_new(void)
{
	struct setup *s = calloc(1, sizeof(*s));
	struct ledger_config cfg;
	struct genesis_error gerr;
	char text[4096];

	if (s == NULL || hearth_crypto_init() != 0)
		abort();
	for (int i = 0; i < KEYS; i++) {
		uint8_t secret[SECKEY_SIZE] = { 0x42 };

		secret[31] = (uint8_t)(i + 1);
		if (signer_from_secret(&s->keys[i], secret) != 0)
			abort();
	}
	genesis_text(s, text, sizeof(text));
	if (genesis_parse(text, strlen(text), &s->genesis, &gerr) != 0) {
		fprintf(stderr, "fuzz genesis: %s\n", gerr.text);
		abort();
	}
	s->verbose = getenv("FUZZ_LEDGER_VERBOSE") != NULL;
	genesis_ledger_config(&s->genesis, &cfg);
	if (ledger_init(&s->ledger, &cfg) != 0 || market_register(&s->ledger) != 0)
		abort();
	return s;
}

static void check_invariant(const struct run *r)
{
	char why[256];

	if (invariant_check(&r->s->ledger, &r->st, why, sizeof(why)) != 0) {
		fprintf(stderr, "invariant broken at height %llu: %s\n",
			(unsigned long long)r->tip.height, why);
		abort();
	}
}

/* The senders' next nonces as st has them. */
static void load_nonces(struct run *r, const struct state *st)
{
	for (int i = 0; i < KEYS; i++) {
		struct account acct;

		if (account_load(st, r->s->keys[i].pubkey, &acct) != STATE_OK)
			abort();
		r->next_nonce[i] = acct.nonce + 1;
	}
}

/* Starts the next block: the proposer of the height, an overlay over the
 * tip, the senders' next nonces. */
static void block_begin(struct run *r)
{
	struct validator_set *set = malloc(sizeof(*set));

	if (set == NULL || staking_load_set(&r->st, r->tip.height + 1, set) != STATE_OK ||
	    set->count == 0)
		abort();
	memcpy(r->proposer, set->members[0].key, PUBKEY_SIZE);
	free(set);
	overlay_init(&r->ov, &r->st, &r->ov_st);
	ledger_block_ctx_init(&r->blk, r->tip.height + 1, r->proposer);
	memcpy(r->blk.prev_block_id, r->tip.block_id, HASH_SIZE);
	load_nonces(r, &r->st);
	r->n_txs = 0;
}

static void block_drop(struct run *r)
{
	overlay_free(&r->ov);
	for (size_t i = 0; i < r->n_txs; i++)
		free(r->txs[i]);
	r->n_txs = 0;
	free(r->bad_tx);
	r->bad_tx = NULL;
}

/* Encodes txs[n] as the block on the tip. */
static uint8_t *block_make(const struct run *r, uint8_t *const *txs, const size_t *lens, size_t n,
			   size_t *len)
{
	Hearth__Commit commit = HEARTH__COMMIT__INIT;
	struct block_header h;
	uint8_t *out;
	const Hearth__Commit *last = r->tip.height > 0 ? &commit : NULL;

	commit.height = r->tip.height;
	commit.block_id.data = (uint8_t *)r->tip.block_id;
	commit.block_id.len = HASH_SIZE;
	if (ledger_prepare_header(&r->s->ledger, &r->st, &r->tip, r->tip.time_ms + 1000,
				  r->proposer, (const uint8_t *const *)txs, lens, n, last,
				  &h) != LEDGER_OK ||
	    block_encode(&h, (const uint8_t *const *)txs, lens, n, last, &out, len) != 0)
		abort();
	return out;
}

/* A block with the rejected tx put back where it was refused must fail. */
static void block_check_bad(struct run *r)
{
	uint8_t *txs[BLOCK_TXS + 1], *block;
	size_t lens[BLOCK_TXS + 1], n = 0, len;
	struct ledger_block_result res;
	struct ledger_error err;

	for (size_t i = 0; i <= r->n_txs; i++) {
		if (i == r->bad_at) {
			txs[n] = r->bad_tx;
			lens[n++] = r->bad_len;
		}
		if (i < r->n_txs) {
			txs[n] = r->txs[i];
			lens[n++] = r->lens[i];
		}
	}
	block = block_make(r, txs, lens, n, &len);
	if (ledger_apply_block(&r->s->ledger, &r->st, &r->tip, block, len, &res, &err) ==
	    LEDGER_OK) {
		fprintf(stderr, "block with a rejected tx accepted\n");
		abort();
	}
	free(block);
}

/* Applies the block of accepted txs; it must be accepted. */
static void block_end(struct run *r)
{
	struct ledger_block_result res;
	struct ledger_error err;
	uint8_t *block;
	size_t len;

	if (r->bad_tx != NULL)
		block_check_bad(r);
	block = block_make(r, r->txs, r->lens, r->n_txs, &len);
	if (ledger_apply_block(&r->s->ledger, &r->st, &r->tip, block, len, &res, &err) !=
	    LEDGER_OK) {
		fprintf(stderr, "block of accepted txs refused: %s\n", err.text);
		abort();
	}
	free(block);
	block_drop(r);
	if (overlay_flush(&res.writes, &r->st) != STATE_OK)
		abort();
	r->tip = res.tip;
	ledger_block_result_free(&res);
	r->blocks++;
	check_invariant(r);
	if (r->s->verbose)
		fprintf(stderr, "height %llu: block of %zu bytes applied\n",
			(unsigned long long)r->tip.height, len);
	block_begin(r);
}

/* Proposer-side admission of one tx (kept or freed). Returns true when
 * accepted. */
static bool block_add(struct run *r, uint8_t *tx, size_t len)
{
	struct ledger_error err;
	enum ledger_reason why =
		ledger_apply_tx(&r->s->ledger, &r->ov_st, &r->blk, tx, len, true, &err);

	if (r->s->verbose)
		fprintf(stderr, "height %llu: tx of %zu bytes: %s\n",
			(unsigned long long)r->tip.height + 1, len,
			why == LEDGER_OK ? "accepted" : err.text);
	if (why == LEDGER_INTERNAL) {
		fprintf(stderr, "ledger_apply_tx: internal error: %s\n", err.text);
		abort();
	}
	if (why != LEDGER_OK) {
		if (r->bad_tx == NULL) {
			r->bad_tx = tx;
			r->bad_len = len;
			r->bad_at = r->n_txs;
		} else {
			free(tx);
		}
		return false;
	}
	load_nonces(r, &r->ov_st);
	r->txs[r->n_txs] = tx;
	r->lens[r->n_txs++] = len;
	if (r->n_txs == BLOCK_TXS)
		block_end(r);
	return true;
}

/* What every built tx shares: sender, nonce, fee, and their variations. */
struct envelope {
	int sender, signer;
	uint64_t nonce, fee;
	const char *chain;
	int flip; /* byte of the signed tx to flip, or -1 */
};

static struct envelope take_envelope(struct run *r, struct input *in)
{
	uint8_t k = take(in), v = take(in);
	struct envelope e = { k % KEYS, k % KEYS, 0, FEE, CHAIN, -1 };

	e.nonce = r->next_nonce[e.sender];
	if (v & 0x01)
		e.nonce += (uint64_t)take(in) - 128;
	if (v & 0x02)
		e.fee = take_amount(in);
	if ((v & 0x0c) == 0x0c)
		e.chain = "hearth-other";
	if ((v & 0x30) == 0x30)
		e.signer = (e.sender + 1) % KEYS;
	if ((v & 0xc0) == 0xc0)
		e.flip = take(in);
	return e;
}

/* Signs body as e says and hands it to the block.
 * Out: id (may be NULL), the tx id. Returns true when accepted. */
static bool submit(struct run *r, const struct envelope *e, Hearth__TxBody *body, uint8_t *id)
{
	uint8_t aux[32] = { 0 }, *tx;
	size_t len;

	body->chain_id = (char *)e->chain;
	body->sender.data = (uint8_t *)r->s->keys[e->sender].pubkey;
	body->sender.len = PUBKEY_SIZE;
	body->nonce = e->nonce;
	body->fee = e->fee;
	r->aux++;
	memcpy(aux, &r->aux, sizeof(r->aux));
	if (tx_sign(body, &r->s->keys[e->signer], aux, &tx, &len) != 0)
		abort();
	if (e->flip >= 0)
		tx[(size_t)e->flip % len] ^= 0x04;
	if (id != NULL)
		tx_id(tx, len, id);
	return block_add(r, tx, len);
}

static const uint8_t *take_key(struct run *r, struct input *in, uint8_t buf[PUBKEY_SIZE],
			       size_t *len)
{
	uint8_t c = take(in);

	*len = PUBKEY_SIZE;
	if (c < 0xf0)
		return r->s->keys[c % KEYS].pubkey;
	*len = c == 0xff ? take(in) % 40 : PUBKEY_SIZE;
	for (size_t i = 0; i < *len; i++)
		buf[i] = take(in);
	return buf;
}

/* An id of a record made earlier (or of one never made). */
static const uint8_t *take_id(const struct made *list, size_t n, struct input *in,
			      uint8_t buf[HASH_SIZE])
{
	uint8_t c = take(in);

	if (n > 0 && c < 0xf0)
		return list[c % n].id;
	for (size_t i = 0; i < HASH_SIZE; i++)
		buf[i] = take(in);
	return buf;
}

static void remember(struct made *list, size_t *n, const uint8_t id[HASH_SIZE], int owner)
{
	struct made *m = &list[*n < MAX_IDS ? (*n)++ : (size_t)owner % MAX_IDS];

	memcpy(m->id, id, HASH_SIZE);
	m->owner = owner;
}

static void take_resources(struct input *in, Hearth__Resources *res, bool big)
{
	uint8_t c = take(in);

	res->cpu_millicores = (uint64_t)(c & 7) * (big ? 1000 : 250);
	res->memory_bytes = (uint64_t)((c >> 3) & 3) << (big ? 30 : 28);
	res->disk_bytes = (uint64_t)((c >> 5) & 1) << 28;
	res->gpus = c >> 6 == 3 ? 1 : 0;
}

static const char *const runtimes[] = { "posix", "wasm", "" };

static void tx_offer(struct run *r, struct input *in, struct envelope *e)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Offer o = HEARTH__OFFER__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;
	Hearth__Attribute attr = HEARTH__ATTRIBUTE__INIT, *attrs[1] = { &attr };
	char *rts[2] = { (char *)"posix", (char *)"wasm" };
	uint8_t c = take(in), id[HASH_SIZE];

	take_resources(in, &res, true);
	o.per_slot = &res;
	o.slots = c & 3;
	o.runtimes = rts;
	o.n_runtimes = (c >> 2) & 1 ? 2 : 1;
	attr.key = (char *)"region";
	attr.value = (char *)((c >> 3) & 1 ? "eu" : "us");
	o.attributes = attrs;
	o.n_attributes = (c >> 4) & 1;
	o.price_per_second = take(in);
	o.max_duration_seconds = (uint64_t)take(in) * 60;
	o.expiry_height = r->tip.height + take(in) % 64;
	body.kind_case = HEARTH__TX_BODY__KIND_OFFER;
	body.offer = &o;
	if (submit(r, e, &body, id))
		remember(r->offers, &r->n_offers, id, e->sender);
}

static void tx_bid(struct run *r, struct input *in, struct envelope *e)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Bid b = HEARTH__BID__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;
	Hearth__Job job = HEARTH__JOB__INIT;
	Hearth__Attribute attr = HEARTH__ATTRIBUTE__INIT, *attrs[1] = { &attr };
	char *argv[2] = { (char *)"sh", (char *)"-c" };
	uint8_t c = take(in), input[64], key[40], id[HASH_SIZE];

	take_resources(in, &res, false);
	b.resources = &res;
	b.runtime = (char *)runtimes[(c & 3) % 3];
	attr.key = (char *)"region";
	attr.value = (char *)((c >> 2) & 1 ? "eu" : "us");
	b.required_attributes = attrs;
	b.n_required_attributes = (c >> 3) & 1;
	b.min_reputation = (c >> 4) & 1 ? take(in) : 0;
	b.max_price_per_second = take(in);
	b.max_duration_seconds = take(in);
	b.replicas = (uint32_t)take(in) % 4;
	job.argv = argv;
	job.n_argv = (c >> 5) & 1 ? 2 : 1;
	if ((c >> 6) & 1) {
		job.has_inline_input = true;
		job.inline_input.len = take(in) % sizeof(input);
		for (size_t i = 0; i < job.inline_input.len; i++)
			input[i] = take(in);
		job.inline_input.data = input;
	}
	if (c >> 7) {
		b.has_result_key = true;
		b.result_key.len = take(in) % sizeof(key);
		for (size_t i = 0; i < b.result_key.len; i++)
			key[i] = take(in);
		b.result_key.data = key;
	}
	b.job = &job;
	b.expiry_height = r->tip.height + take(in) % 64;
	body.kind_case = HEARTH__TX_BODY__KIND_BID;
	body.bid = &b;
	if (submit(r, e, &body, id))
		remember(r->bids, &r->n_bids, id, e->sender);
}

static void tx_cancel(struct run *r, struct input *in, struct envelope *e, bool offer)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__CancelOffer co = HEARTH__CANCEL_OFFER__INIT;
	Hearth__CancelBid cb = HEARTH__CANCEL_BID__INIT;
	uint8_t buf[HASH_SIZE];
	const uint8_t *id = offer ? take_id(r->offers, r->n_offers, in, buf)
				  : take_id(r->bids, r->n_bids, in, buf);

	if (offer) {
		co.offer_id.data = (uint8_t *)id;
		co.offer_id.len = HASH_SIZE;
		body.kind_case = HEARTH__TX_BODY__KIND_CANCEL_OFFER;
		body.cancel_offer = &co;
	} else {
		cb.bid_id.data = (uint8_t *)id;
		cb.bid_id.len = HASH_SIZE;
		body.kind_case = HEARTH__TX_BODY__KIND_CANCEL_BID;
		body.cancel_bid = &cb;
	}
	(void)submit(r, e, &body, NULL);
}

/* A lease id: of a bid made earlier and a replica (255: its verifier's
 * lease, a dispute's or a tie-break's), or any bytes. */
static void take_lease(struct run *r, struct input *in, uint8_t id[HASH_SIZE])
{
	uint8_t buf[HASH_SIZE];
	const uint8_t *bid = take_id(r->bids, r->n_bids, in, buf);
	uint8_t replica = take(in);

	market_lease_id(bid, replica == 255 ? 0x80000000u : replica % 4u, id);
}

/* An outcome whose result hash is 32 bytes of secret (or other lengths). */
static void take_outcome(struct input *in, Hearth__Outcome *o, Hearth__Usage *u,
			 uint8_t hash[HASH_SIZE + 1], uint8_t secret)
{
	uint8_t c = take(in);

	memset(hash, secret, HASH_SIZE + 1);
	o->result_hash.data = hash;
	o->result_hash.len = c & 1 ? (size_t)take(in) % (HASH_SIZE + 2) : HASH_SIZE;
	if (o->result_hash.len > HASH_SIZE + 1)
		o->result_hash.len = HASH_SIZE + 1;
	o->exit_status = (c >> 1) & 1 ? (int8_t)take(in) : 0;
	o->timed_out = (c >> 2) & 1;
	o->oom_killed = (c >> 3) & 1;
	u->wall_ms = take_amount(in);
	u->cpu_ms = u->wall_ms / 2;
	u->peak_memory_bytes = 1 << 20;
	o->usage = u;
}

static void tx_receipt(struct run *r, struct input *in, struct envelope *e)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Receipt rc = HEARTH__RECEIPT__INIT;
	Hearth__Outcome o = HEARTH__OUTCOME__INIT;
	Hearth__Usage u = HEARTH__USAGE__INIT;
	uint8_t lease[HASH_SIZE], hash[HASH_SIZE + 1];

	take_lease(r, in, lease);
	take_outcome(in, &o, &u, hash, take(in));
	rc.lease_id.data = lease;
	rc.lease_id.len = HASH_SIZE;
	rc.outcome = &o;
	body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT;
	body.receipt = &rc;
	(void)submit(r, e, &body, NULL);
}

/* Commit and reveal share a secret byte: the result hash is 32 bytes of it
 * and the salt is that byte, so a reveal with the same byte matches. */
static void tx_commit(struct run *r, struct input *in, struct envelope *e)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__ReceiptCommit c = HEARTH__RECEIPT_COMMIT__INIT;
	uint8_t lease[HASH_SIZE], hash[HASH_SIZE], commitment[HASH_SIZE], secret;

	take_lease(r, in, lease);
	secret = take(in);
	memset(hash, secret, sizeof(hash));
	market_receipt_commitment(hash, r->s->keys[e->sender].pubkey, &secret, 1, commitment);
	c.lease_id.data = lease;
	c.lease_id.len = HASH_SIZE;
	c.commitment.data = commitment;
	c.commitment.len = HASH_SIZE;
	body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT_COMMIT;
	body.receipt_commit = &c;
	(void)submit(r, e, &body, NULL);
}

static void tx_reveal(struct run *r, struct input *in, struct envelope *e)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__ReceiptReveal rv = HEARTH__RECEIPT_REVEAL__INIT;
	Hearth__Outcome o = HEARTH__OUTCOME__INIT;
	Hearth__Usage u = HEARTH__USAGE__INIT;
	uint8_t lease[HASH_SIZE], hash[HASH_SIZE + 1], secret;

	take_lease(r, in, lease);
	secret = take(in);
	take_outcome(in, &o, &u, hash, secret);
	rv.lease_id.data = lease;
	rv.lease_id.len = HASH_SIZE;
	rv.salt.data = &secret;
	rv.salt.len = 1;
	rv.outcome = &o;
	body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT_REVEAL;
	body.receipt_reveal = &rv;
	(void)submit(r, e, &body, NULL);
}

static void tx_dispute(struct run *r, struct input *in, struct envelope *e)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Dispute d = HEARTH__DISPUTE__INIT;
	uint8_t lease[HASH_SIZE];

	take_lease(r, in, lease);
	d.lease_id.data = lease;
	d.lease_id.len = HASH_SIZE;
	d.reason = (char *)(take(in) & 1 ? "wrong result" : "");
	body.kind_case = HEARTH__TX_BODY__KIND_DISPUTE;
	body.dispute = &d;
	(void)submit(r, e, &body, NULL);
}

/* transfer, bond, unbond */
static void tx_bank(struct run *r, struct input *in, struct envelope *e, int kind)
{
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Transfer t = HEARTH__TRANSFER__INIT;
	Hearth__Bond b = HEARTH__BOND__INIT;
	Hearth__Unbond u = HEARTH__UNBOND__INIT;
	uint8_t buf[40];
	size_t len;

	switch (kind) {
	case 0:
		t.to.data = (uint8_t *)take_key(r, in, buf, &len);
		t.to.len = len;
		t.amount = take_amount(in);
		body.kind_case = HEARTH__TX_BODY__KIND_TRANSFER;
		body.transfer = &t;
		break;
	case 1:
		b.amount = take_amount(in);
		body.kind_case = HEARTH__TX_BODY__KIND_BOND;
		body.bond = &b;
		break;
	default:
		u.amount = take_amount(in);
		body.kind_case = HEARTH__TX_BODY__KIND_UNBOND;
		body.unbond = &u;
		break;
	}
	(void)submit(r, e, &body, NULL);
}

static void tx_raw(struct run *r, struct input *in)
{
	size_t len = (size_t)take_bytes(in, 2) % RAW_TX_MAX;
	uint8_t *tx = malloc(len + 1);

	if (tx == NULL)
		abort();
	for (size_t i = 0; i < len; i++)
		tx[i] = take(in);
	(void)block_add(r, tx, len);
}

/* One operation of the input. */
static void step(struct run *r, struct input *in)
{
	uint8_t op = take(in);
	struct envelope e;

	if (op % 16 == 13) {
		block_end(r);
		return;
	}
	if (op % 16 == 14) {
		for (unsigned n = take(in) % 8 + 1; n > 0 && r->blocks < MAX_BLOCKS; n--)
			block_end(r);
		return;
	}
	if (op % 16 == 15) {
		tx_raw(r, in);
		return;
	}
	e = take_envelope(r, in);
	switch (op % 16) {
	case 0:
	case 1:
	case 2:
		tx_bank(r, in, &e, op % 16);
		break;
	case 3:
		tx_offer(r, in, &e);
		break;
	case 4:
		tx_cancel(r, in, &e, true);
		break;
	case 5:
	case 6:
		tx_bid(r, in, &e);
		break;
	case 7:
		tx_cancel(r, in, &e, false);
		break;
	case 8:
	case 9:
		tx_receipt(r, in, &e);
		break;
	case 10:
		tx_commit(r, in, &e);
		break;
	case 11:
		tx_reveal(r, in, &e);
		break;
	default:
		tx_dispute(r, in, &e);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct setup *s;
	struct input in = { data, size, 0 };
	struct ledger_block_result res;
	struct run *r;

	if (s == NULL)
		s = setup_new();
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		abort();
	r->s = s;
	state_mem_init(&r->mem, &r->st);
	if (genesis_apply(&s->genesis, &r->st, &res, NULL) != LEDGER_OK ||
	    overlay_flush(&res.writes, &r->st) != STATE_OK)
		abort();
	r->tip = res.tip;
	ledger_block_result_free(&res);
	check_invariant(r);
	block_begin(r);
	while (in.pos < in.size && r->blocks < MAX_BLOCKS)
		step(r, &in);
	if (r->n_txs > 0 || r->bad_tx != NULL)
		block_end(r);
	block_drop(r);
	state_mem_free(&r->mem);
	free(r);
	return 0;
}
