/* market_fixture.c: the market test chain (see market_fixture.h). */
#include "tests/unit/market_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

void mf_setup(struct fixture *f)
{
	uint8_t *txs[MF_PROVIDERS];
	size_t lens[MF_PROVIDERS];

	fix_setup(f);
	assert_int_equal(market_register(&f->ledger), 0);
	for (int i = 1; i < MF_PROVIDERS; i++)
		txs[i - 1] = fix_bond(f, i, 1, FIX_FEE, MF_BOND, &lens[i - 1]);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, MF_PROVIDERS - 1, NULL), LEDGER_OK);
}

struct offer_spec mf_offer_spec(const struct fixture *f)
{
	struct offer_spec s = {
		.cpu = 1000,
		.memory = 1 << 30,
		.disk = 1 << 30,
		.gpus = 0,
		.slots = 2,
		.runtimes = { "posix" },
		.n_runtimes = 1,
		.attr_keys = { "region" },
		.attr_values = { "eu" },
		.n_attrs = 1,
		.price = 10,
		.max_duration = 3600,
		.expiry = f->chain.tip.height + 100,
	};
	return s;
}

struct bid_spec mf_bid_spec(const struct fixture *f)
{
	struct bid_spec s = {
		.cpu = 500,
		.memory = 1 << 29,
		.runtime = "posix",
		.replicas = 1,
		.max_price = 20,
		.max_duration = 60,
		.expiry = f->chain.tip.height + 50,
		.n_argv = 1,
	};
	return s;
}

uint64_t mf_nonce(const struct fixture *f, int idx)
{
	return fix_account(f, &f->chain, idx).nonce + 1;
}

static void set_id(const uint8_t *tx, size_t len, uint8_t *id)
{
	if (id != NULL)
		tx_id(tx, len, id);
}

uint8_t *mf_offer_tx(struct fixture *f, int idx, uint64_t nonce, const struct offer_spec *s,
		     size_t *len, uint8_t *id)
{
	Hearth__TxBody body;
	Hearth__Offer o = HEARTH__OFFER__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;
	Hearth__Attribute attrs[4], *attr_ptrs[4];
	char *runtimes[4];
	uint8_t *tx;

	fix_body(f, &body, idx, nonce, FIX_FEE);
	res.cpu_millicores = s->cpu;
	res.memory_bytes = s->memory;
	res.disk_bytes = s->disk;
	res.gpus = s->gpus;
	o.per_slot = &res;
	o.slots = s->slots;
	for (size_t i = 0; i < s->n_runtimes; i++)
		runtimes[i] = (char *)s->runtimes[i];
	o.runtimes = runtimes;
	o.n_runtimes = s->n_runtimes;
	for (size_t i = 0; i < s->n_attrs; i++) {
		hearth__attribute__init(&attrs[i]);
		attrs[i].key = (char *)s->attr_keys[i];
		attrs[i].value = (char *)s->attr_values[i];
		attr_ptrs[i] = &attrs[i];
	}
	o.attributes = attr_ptrs;
	o.n_attributes = s->n_attrs;
	o.price_per_second = s->price;
	o.max_duration_seconds = s->max_duration;
	o.expiry_height = s->expiry;
	body.kind_case = HEARTH__TX_BODY__KIND_OFFER;
	body.offer = &o;
	tx = fix_sign(f, &body, idx, len);
	set_id(tx, *len, id);
	return tx;
}

uint8_t *mf_bid_tx(struct fixture *f, int idx, uint64_t nonce, const struct bid_spec *s,
		   size_t *len, uint8_t *id)
{
	Hearth__TxBody body;
	Hearth__Bid b = HEARTH__BID__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;
	Hearth__Job job = HEARTH__JOB__INIT;
	Hearth__Attribute attrs[4], *attr_ptrs[4];
	char *argv[2] = { (char *)"sh", (char *)"-c" };
	uint8_t *tx;

	fix_body(f, &body, idx, nonce, FIX_FEE);
	res.cpu_millicores = s->cpu;
	res.memory_bytes = s->memory;
	res.disk_bytes = s->disk;
	res.gpus = s->gpus;
	b.resources = &res;
	b.runtime = (char *)s->runtime;
	for (size_t i = 0; i < s->n_attrs; i++) {
		hearth__attribute__init(&attrs[i]);
		attrs[i].key = (char *)s->attr_keys[i];
		attrs[i].value = (char *)s->attr_values[i];
		attr_ptrs[i] = &attrs[i];
	}
	b.required_attributes = attr_ptrs;
	b.n_required_attributes = s->n_attrs;
	b.min_reputation = s->min_reputation;
	b.max_price_per_second = s->max_price;
	b.max_duration_seconds = s->max_duration;
	b.replicas = s->replicas;
	job.argv = argv;
	job.n_argv = s->n_argv;
	if (s->inline_input != NULL) {
		job.has_inline_input = true;
		job.inline_input.data = (uint8_t *)s->inline_input;
		job.inline_input.len = s->inline_len;
	}
	if (s->input_hash != NULL) {
		job.has_input_hash = true;
		job.input_hash.data = (uint8_t *)s->input_hash;
		job.input_hash.len = s->input_hash_len;
	}
	job.input_url = (char *)s->input_url;
	b.job = &job;
	if (s->result_key != NULL) {
		b.has_result_key = true;
		b.result_key.data = (uint8_t *)s->result_key;
		b.result_key.len = s->result_key_len;
	}
	b.expiry_height = s->expiry;
	body.kind_case = HEARTH__TX_BODY__KIND_BID;
	body.bid = &b;
	tx = fix_sign(f, &body, idx, len);
	set_id(tx, *len, id);
	return tx;
}

uint8_t *mf_cancel_offer_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *id,
			    size_t id_len, size_t *len)
{
	Hearth__TxBody body;
	Hearth__CancelOffer c = HEARTH__CANCEL_OFFER__INIT;

	fix_body(f, &body, idx, nonce, FIX_FEE);
	c.offer_id.data = (uint8_t *)id;
	c.offer_id.len = id_len;
	body.kind_case = HEARTH__TX_BODY__KIND_CANCEL_OFFER;
	body.cancel_offer = &c;
	return fix_sign(f, &body, idx, len);
}

uint8_t *mf_cancel_bid_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *id,
			  size_t id_len, size_t *len)
{
	Hearth__TxBody body;
	Hearth__CancelBid c = HEARTH__CANCEL_BID__INIT;

	fix_body(f, &body, idx, nonce, FIX_FEE);
	c.bid_id.data = (uint8_t *)id;
	c.bid_id.len = id_len;
	body.kind_case = HEARTH__TX_BODY__KIND_CANCEL_BID;
	body.cancel_bid = &c;
	return fix_sign(f, &body, idx, len);
}

uint8_t *mf_receipt_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
		       size_t lease_id_len, uint64_t wall_ms, size_t hash_len, size_t *len)
{
	Hearth__TxBody body;
	Hearth__Receipt r = HEARTH__RECEIPT__INIT;
	Hearth__Outcome o = HEARTH__OUTCOME__INIT;
	Hearth__Usage u = HEARTH__USAGE__INIT;
	uint8_t hash[HASH_SIZE + 1];

	memset(hash, 0xab, sizeof(hash));
	fix_body(f, &body, idx, nonce, FIX_FEE);
	u.wall_ms = wall_ms;
	u.cpu_ms = wall_ms / 2;
	u.peak_memory_bytes = 1 << 20;
	o.result_hash.data = hash;
	o.result_hash.len = hash_len <= sizeof(hash) ? hash_len : sizeof(hash);
	o.exit_status = 0;
	o.usage = &u;
	r.lease_id.data = (uint8_t *)lease_id;
	r.lease_id.len = lease_id_len;
	r.outcome = &o;
	body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT;
	body.receipt = &r;
	return fix_sign(f, &body, idx, len);
}

uint8_t *mf_receipt_hash_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
			    uint64_t wall_ms, uint8_t hash_byte, size_t *len)
{
	Hearth__TxBody body;
	Hearth__Receipt r = HEARTH__RECEIPT__INIT;
	Hearth__Outcome o = HEARTH__OUTCOME__INIT;
	Hearth__Usage u = HEARTH__USAGE__INIT;
	uint8_t hash[HASH_SIZE];

	memset(hash, hash_byte, sizeof(hash));
	fix_body(f, &body, idx, nonce, FIX_FEE);
	u.wall_ms = wall_ms;
	o.result_hash.data = hash;
	o.result_hash.len = sizeof(hash);
	o.usage = &u;
	r.lease_id.data = (uint8_t *)lease_id;
	r.lease_id.len = MARKET_ID_SIZE;
	r.outcome = &o;
	body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT;
	body.receipt = &r;
	return fix_sign(f, &body, idx, len);
}

uint8_t *mf_commit_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
		      size_t lease_id_len, const uint8_t *commitment, size_t commitment_len,
		      size_t *len)
{
	Hearth__TxBody body;
	Hearth__ReceiptCommit c = HEARTH__RECEIPT_COMMIT__INIT;

	fix_body(f, &body, idx, nonce, FIX_FEE);
	c.lease_id.data = (uint8_t *)lease_id;
	c.lease_id.len = lease_id_len;
	c.commitment.data = (uint8_t *)commitment;
	c.commitment.len = commitment_len;
	body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT_COMMIT;
	body.receipt_commit = &c;
	return fix_sign(f, &body, idx, len);
}

void mf_commitment(const struct fixture *f, int idx, uint8_t hash_byte, const uint8_t *salt,
		   size_t salt_len, uint8_t out[HASH_SIZE])
{
	uint8_t hash[HASH_SIZE];

	memset(hash, hash_byte, sizeof(hash));
	market_receipt_commitment(hash, f->signers[idx].pubkey, salt, salt_len, out);
}

uint8_t *mf_reveal_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
		      uint8_t hash_byte, size_t hash_len, const uint8_t *salt, size_t salt_len,
		      uint64_t wall_ms, size_t *len)
{
	Hearth__TxBody body;
	Hearth__ReceiptReveal rv = HEARTH__RECEIPT_REVEAL__INIT;
	Hearth__Outcome o = HEARTH__OUTCOME__INIT;
	Hearth__Usage u = HEARTH__USAGE__INIT;
	uint8_t hash[HASH_SIZE + 1];

	memset(hash, hash_byte, sizeof(hash));
	fix_body(f, &body, idx, nonce, FIX_FEE);
	u.wall_ms = wall_ms;
	o.result_hash.data = hash;
	o.result_hash.len = hash_len <= sizeof(hash) ? hash_len : sizeof(hash);
	o.usage = &u;
	rv.lease_id.data = (uint8_t *)lease_id;
	rv.lease_id.len = MARKET_ID_SIZE;
	rv.salt.data = (uint8_t *)salt;
	rv.salt.len = salt_len;
	rv.outcome = &o;
	body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT_REVEAL;
	body.receipt_reveal = &rv;
	return fix_sign(f, &body, idx, len);
}

uint8_t *mf_dispute_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
		       size_t lease_id_len, const char *reason, size_t *len)
{
	Hearth__TxBody body;
	Hearth__Dispute d = HEARTH__DISPUTE__INIT;

	fix_body(f, &body, idx, nonce, FIX_FEE);
	d.lease_id.data = (uint8_t *)lease_id;
	d.lease_id.len = lease_id_len;
	d.reason = (char *)reason;
	body.kind_case = HEARTH__TX_BODY__KIND_DISPUTE;
	body.dispute = &d;
	return fix_sign(f, &body, idx, len);
}

void mf_block1(struct fixture *f, uint8_t *tx, size_t len)
{
	struct ledger_error err;

	if (fix_block(f, &f->chain, &tx, &len, 1, &err) != LEDGER_OK)
		fail_msg("block refused: %s", err.text);
	mf_assert_consistent(&f->chain);
}

void mf_empty_block(struct fixture *f)
{
	assert_int_equal(fix_block(f, &f->chain, NULL, NULL, 0, NULL), LEDGER_OK);
	mf_assert_consistent(&f->chain);
}

void mf_offer(struct fixture *f, int idx, const struct offer_spec *s, uint8_t *id)
{
	size_t len;
	uint8_t *tx = mf_offer_tx(f, idx, mf_nonce(f, idx), s, &len, id);

	mf_block1(f, tx, len);
}

void mf_bid(struct fixture *f, int idx, const struct bid_spec *s, uint8_t *id)
{
	size_t len;
	uint8_t *tx = mf_bid_tx(f, idx, mf_nonce(f, idx), s, &len, id);

	mf_block1(f, tx, len);
}

void mf_assert_rejected(struct fixture *f, uint8_t *tx, size_t len, enum market_reason code)
{
	struct ledger_error err;
	enum ledger_reason r;
	size_t blen;
	uint8_t *block;

	r = ledger_check_tx(&f->ledger, fix_chain_state(&f->chain), f->chain.tip.height + 1, tx,
			    len, &err);
	if (r != LEDGER_MODULE_REJECTED || err.detail_code != (uint32_t)code)
		fail_msg("expected market reason %d, got %d/%u: %s", (int)code, (int)r,
			 err.detail_code, err.text);
	block = fix_make_block(f, &f->chain, &tx, &len, 1, &blen);
	assert_int_equal(fix_apply(f, &f->chain, block, blen, &err, NULL), LEDGER_BLOCK_BAD_TX);
	assert_int_equal(err.detail_code, LEDGER_MODULE_REJECTED);
	free(block);
	free(tx);
}

Hearth__BidRecord *mf_bid_record(const struct fixture *f, const uint8_t *id)
{
	Hearth__BidRecord *rec;

	assert_int_equal(market_bid_get(fix_chain_state(&f->chain), id, &rec), STATE_OK);
	return rec;
}

Hearth__OfferRecord *mf_offer_record(const struct fixture *f, const uint8_t *id)
{
	Hearth__OfferRecord *rec;

	assert_int_equal(market_offer_get(fix_chain_state(&f->chain), id, &rec), STATE_OK);
	return rec;
}

Hearth__Lease *mf_lease_record(const struct fixture *f, const uint8_t *bid_id, uint32_t replica)
{
	Hearth__Lease *rec;
	uint8_t id[MARKET_ID_SIZE];

	market_lease_id(bid_id, replica, id);
	assert_int_equal(market_lease_get(fix_chain_state(&f->chain), id, &rec), STATE_OK);
	return rec;
}

bool mf_offer_exists(const struct fixture *f, const uint8_t *id)
{
	Hearth__OfferRecord *rec;
	enum state_status rc = market_offer_get(fix_chain_state(&f->chain), id, &rec);

	assert_int_not_equal(rc, STATE_ERROR);
	codec_free((ProtobufCMessage *)rec);
	return rc == STATE_OK;
}

bool mf_lease_exists(const struct fixture *f, const uint8_t *bid_id, uint32_t replica)
{
	Hearth__Lease *rec;
	uint8_t id[MARKET_ID_SIZE];
	enum state_status rc;

	market_lease_id(bid_id, replica, id);
	rc = market_lease_get(fix_chain_state(&f->chain), id, &rec);
	assert_int_not_equal(rc, STATE_ERROR);
	codec_free((ProtobufCMessage *)rec);
	return rc == STATE_OK;
}

void mf_assert_bid(const struct fixture *f, const uint8_t *id, Hearth__BidState state,
		   enum market_reason reason)
{
	Hearth__BidState got;
	uint32_t why;

	assert_int_equal(market_explain_bid(fix_chain_state(&f->chain), id, &got, &why), STATE_OK);
	if (got != state || why != (uint32_t)reason)
		fail_msg("bid: state %d reason %u (%s), expected state %d reason %d (%s)", (int)got,
			 why, market_strreason(why), (int)state, (int)reason,
			 market_strreason((uint32_t)reason));
}

uint64_t mf_escrow(const struct chain *c)
{
	uint64_t amount;

	assert_int_equal(market_escrow_total(fix_chain_state(c), &amount), STATE_OK);
	return amount;
}
