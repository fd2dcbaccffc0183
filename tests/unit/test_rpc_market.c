/* test_rpc_market.c: unit tests of the market query methods
 * (node/rpc_market_query.c, node/rpc_job.c) over the market test chain:
 * records by id, listings, explanations, a provider's standing and a job's
 * status from queued to settled, disputed and failed; and every parameter
 * error (-8) and unknown id (-5). */
#include "node/rpc_market_query.h"

#include <stdlib.h>
#include <string.h>

#include "node/rpc_json.h"
#include "proto/hex.h"
#include "tests/unit/market_fixture.h"
#include "tests/unit/test_util.h"

struct ctx {
	struct fixture f;
	struct rpcm_ctx c;
};

static int setup(void **state)
{
	struct ctx *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	mf_setup(&t->f);
	t->c.net = NETWORK_DEV;
	t->c.p = &t->f.genesis.params;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *t = *state;

	fix_teardown(&t->f);
	free(t);
	return 0;
}

typedef int (*method_fn)(const struct rpcm_ctx *c, json_t *params, json_t **result,
			 struct rpc_error *err);

/* Calls fn with params (stolen) on the tip; asserts success. */
static json_t *call(struct ctx *t, method_fn fn, json_t *params)
{
	struct rpc_error err = { 0 };
	json_t *result = NULL;

	assert_non_null(params);
	t->c.st = fix_chain_state(&t->f.chain);
	t->c.height = t->f.chain.tip.height;
	if (fn(&t->c, params, &result, &err) != 0)
		fail_msg("call failed: %d %s", err.code, err.message);
	json_decref(params);
	assert_true(json_is_object(result));
	return result;
}

/* Calls fn with params (stolen); asserts it fails with code. */
static void call_fails(struct ctx *t, method_fn fn, json_t *params, int code)
{
	struct rpc_error err = { 0 };
	json_t *result = NULL;

	assert_non_null(params);
	t->c.st = fix_chain_state(&t->f.chain);
	assert_int_equal(fn(&t->c, params, &result, &err), -1);
	assert_int_equal(err.code, code);
	assert_true(err.message[0] != '\0');
	json_decref(params);
}

static void hex(const uint8_t *id, char out[2 * MARKET_ID_SIZE + 1])
{
	assert_int_equal(hex_encode(id, MARKET_ID_SIZE, out, 2 * MARKET_ID_SIZE + 1), 0);
}

static void address(const struct fixture *f, int idx, char out[ADDRESS_MAX])
{
	assert_int_equal(address_encode(NETWORK_DEV, f->signers[idx].pubkey, out, ADDRESS_MAX), 0);
}

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (s == NULL)
		fail_msg("no string %s", key);
	return s;
}

static json_int_t num(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v))
		fail_msg("no integer %s", key);
	return json_integer_value(v);
}

static void test_offer_queries(void **state)
{
	struct ctx *t = *state;
	struct offer_spec s = mf_offer_spec(&t->f);
	uint8_t cheap[MARKET_ID_SIZE], dear[MARKET_ID_SIZE];
	char cheap_hex[65], dear_hex[65], p1[ADDRESS_MAX], p2[ADDRESS_MAX];
	json_t *r, *offers;

	s.price = 30;
	mf_offer(&t->f, 1, &s, dear);
	s.price = 10;
	mf_offer(&t->f, 2, &s, cheap);
	hex(cheap, cheap_hex);
	hex(dear, dear_hex);
	address(&t->f, 1, p1);
	address(&t->f, 2, p2);

	r = call(t, rpcm_getoffer, json_pack("[s]", dear_hex));
	assert_string_equal(str(r, "id"), dear_hex);
	assert_string_equal(str(r, "provider"), p1);
	assert_int_equal(num(r, "price_per_second"), 30);
	assert_int_equal(num(r, "free_slots"), 2);
	assert_int_equal(num(r, "slots"), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "runtimes"), 0)),
			    "posix");
	assert_string_equal(str(json_array_get(json_object_get(r, "attributes"), 0), "value"),
			    "eu");
	assert_int_equal(num(json_object_get(r, "per_slot"), "cpu_millicores"), 1000);
	json_decref(r);

	/* The book: cheapest first; a limit cuts it and says there is more. */
	r = call(t, rpcm_listoffers, json_pack("[nn]"));
	offers = json_object_get(r, "offers");
	assert_int_equal(json_array_size(offers), 2);
	assert_string_equal(str(json_array_get(offers, 0), "id"), cheap_hex);
	assert_string_equal(str(json_array_get(offers, 1), "id"), dear_hex);
	assert_true(json_is_false(json_object_get(r, "more")));
	json_decref(r);
	r = call(t, rpcm_listoffers, json_pack("[ni]", 1));
	assert_int_equal(json_array_size(json_object_get(r, "offers")), 1);
	assert_true(json_is_true(json_object_get(r, "more")));
	json_decref(r);
	r = call(t, rpcm_listoffers, json_pack("[sn]", p1));
	offers = json_object_get(r, "offers");
	assert_int_equal(json_array_size(offers), 1);
	assert_string_equal(str(json_array_get(offers, 0), "id"), dear_hex);
	json_decref(r);

	call_fails(t, rpcm_getoffer, json_pack("[s]", "zz"), RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_getoffer, json_pack("[s]", "00"), RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_getoffer, json_pack("[s]", "ab"), RPC_INVALID_PARAMETER);
	memset(cheap_hex, 'f', 64);
	call_fails(t, rpcm_getoffer, json_pack("[s]", cheap_hex), RPC_NOT_FOUND);
	call_fails(t, rpcm_listoffers, json_pack("[ni]", 0), RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_listoffers, json_pack("[ni]", RPCM_LIMIT_MAX + 1),
		   RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_listoffers, json_pack("[sn]", "dhth1nope"), RPC_INVALID_PARAMETER);
}

static void test_unmatched_bid_is_explained(void **state)
{
	struct ctx *t = *state;
	struct offer_spec s = mf_offer_spec(&t->f);
	struct bid_spec b = mf_bid_spec(&t->f);
	uint8_t offer[MARKET_ID_SIZE], bid[MARKET_ID_SIZE];
	char bid_hex[65], c4[ADDRESS_MAX];
	json_t *r, *bids;

	s.price = 50;
	mf_offer(&t->f, 1, &s, offer);
	b.max_price = 20;
	mf_bid(&t->f, 4, &b, bid);
	hex(bid, bid_hex);
	address(&t->f, 4, c4);

	r = call(t, rpcm_explainbid, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "bid"), bid_hex);
	assert_string_equal(str(r, "state"), "queued");
	assert_string_equal(str(r, "reason"), "MARKET_UNMATCHED_PRICE");
	assert_int_equal(num(r, "code"), MARKET_UNMATCHED_PRICE);
	assert_string_equal(str(r, "message"), market_strreason(MARKET_UNMATCHED_PRICE));
	json_decref(r);

	r = call(t, rpcm_getbid, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "state"), "queued");
	assert_string_equal(str(r, "consumer"), c4);
	assert_string_equal(str(r, "reason"), "MARKET_UNMATCHED_PRICE");
	assert_int_equal(num(r, "escrow"), 20 * 60);
	assert_int_equal(json_array_size(json_object_get(r, "leases")), 0);
	assert_int_equal(num(r, "replicas"), 1);
	json_decref(r);

	r = call(t, rpcm_getjob, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "status"), "queued");
	assert_string_equal(str(r, "reason"), "MARKET_UNMATCHED_PRICE");
	assert_int_equal(json_array_size(json_object_get(r, "leases")), 0);
	json_decref(r);

	/* The queue, and the consumer's bids. */
	r = call(t, rpcm_listbids, json_pack("[nn]"));
	bids = json_object_get(r, "bids");
	assert_int_equal(json_array_size(bids), 1);
	assert_string_equal(str(json_array_get(bids, 0), "id"), bid_hex);
	json_decref(r);
	r = call(t, rpcm_listbids, json_pack("[sn]", c4));
	assert_int_equal(json_array_size(json_object_get(r, "bids")), 1);
	json_decref(r);

	call_fails(t, rpcm_explainbid, json_pack("[s]", "xyz"), RPC_INVALID_PARAMETER);
	memset(bid_hex, '0', 64);
	call_fails(t, rpcm_explainbid, json_pack("[s]", bid_hex), RPC_NOT_FOUND);
	call_fails(t, rpcm_getbid, json_pack("[s]", bid_hex), RPC_NOT_FOUND);
	call_fails(t, rpcm_getjob, json_pack("[s]", bid_hex), RPC_NOT_FOUND);
	call_fails(t, rpcm_getjob, json_pack("[s]", ""), RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_listbids, json_pack("[ni]", 0), RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_listbids, json_pack("[sn]", bid_hex), RPC_INVALID_PARAMETER);
}

/* An offer of provider 1, a bid of consumer 4 matched on it. */
static void leased(struct ctx *t, uint8_t *bid, uint8_t *lease, char bid_hex[65],
		   char lease_hex[65])
{
	struct offer_spec s = mf_offer_spec(&t->f);
	struct bid_spec b = mf_bid_spec(&t->f);
	uint8_t offer[MARKET_ID_SIZE];

	mf_offer(&t->f, 1, &s, offer);
	mf_bid(&t->f, 4, &b, bid);
	market_lease_id(bid, 0, lease);
	hex(bid, bid_hex);
	hex(lease, lease_hex);
}

static const json_t *first_lease(const json_t *job)
{
	return json_array_get(json_object_get(job, "leases"), 0);
}

static void test_job_runs_to_settlement(void **state)
{
	struct ctx *t = *state;
	uint8_t bid[MARKET_ID_SIZE], lease[MARKET_ID_SIZE];
	char bid_hex[65], lease_hex[65], p1[ADDRESS_MAX], c4[ADDRESS_MAX];
	const json_t *l, *receipt;
	json_t *r;
	size_t len;
	uint8_t *tx;

	leased(t, bid, lease, bid_hex, lease_hex);
	address(&t->f, 1, p1);
	address(&t->f, 4, c4);

	r = call(t, rpcm_getjob, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "status"), "running");
	assert_string_equal(str(r, "bid_state"), "matched");
	l = first_lease(r);
	assert_string_equal(str(l, "id"), lease_hex);
	assert_string_equal(str(l, "provider"), p1);
	assert_string_equal(str(l, "state"), "active");
	assert_true(num(l, "deadline_height") > num(r, "height"));
	assert_true(json_is_null(json_object_get(l, "receipt")));
	json_decref(r);

	r = call(t, rpcm_getbid, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "state"), "matched");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "leases"), 0)),
			    lease_hex);
	json_decref(r);

	r = call(t, rpcm_listleases, json_pack("[snn]", p1));
	assert_int_equal(json_array_size(json_object_get(r, "leases")), 1);
	json_decref(r);
	r = call(t, rpcm_listleases, json_pack("[ssn]", c4, "consumer"));
	assert_string_equal(str(json_array_get(json_object_get(r, "leases"), 0), "consumer"), c4);
	json_decref(r);
	r = call(t, rpcm_listleases, json_pack("[snn]", bid_hex));
	assert_string_equal(str(json_array_get(json_object_get(r, "leases"), 0), "id"), lease_hex);
	json_decref(r);
	r = call(t, rpcm_listleases, json_pack("[ssn]", p1, "consumer"));
	assert_int_equal(json_array_size(json_object_get(r, "leases")), 0);
	json_decref(r);

	tx = mf_receipt_hash_tx(&t->f, 1, mf_nonce(&t->f, 1), lease, 12345, 0xab, &len);
	mf_block1(&t->f, tx, len);
	r = call(t, rpcm_getjob, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "status"), "committed");
	receipt = json_object_get(first_lease(r), "receipt");
	assert_int_equal(num(receipt, "height"), t->f.chain.tip.height);
	assert_true(json_is_null(json_object_get(receipt, "commitment")));
	assert_int_equal(num(json_object_get(receipt, "outcome"), "wall_ms"), 12345);
	assert_int_equal(strlen(str(json_object_get(receipt, "outcome"), "result_hash")), 64);
	assert_string_equal(str(first_lease(r), "state"), "receipted");
	json_decref(r);

	r = call(t, rpcm_getlease, json_pack("[s]", lease_hex));
	assert_string_equal(str(r, "bid"), bid_hex);
	assert_string_equal(str(json_object_get(r, "receipt"), "provider"), p1);
	assert_true(json_is_null(json_object_get(r, "dispute")));
	json_decref(r);

	for (int i = 0; i < 3; i++) /* challenge_blocks */
		mf_empty_block(&t->f);
	r = call(t, rpcm_getjob, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "status"), "settled");
	assert_string_equal(str(r, "bid_state"), "settled");
	assert_string_equal(str(first_lease(r), "state"), "settled");
	json_decref(r);

	r = call(t, rpcm_getprovider, json_pack("[s]", p1));
	assert_int_equal(num(r, "bonded"), MF_BOND);
	assert_true(json_is_false(json_object_get(r, "jailed")));
	assert_true(json_is_true(json_object_get(r, "eligible")));
	assert_int_equal(num(json_object_get(r, "reputation"), "completed"), 1);
	assert_int_equal(num(json_object_get(r, "reputation"), "score"), 66);
	assert_int_equal(json_array_size(json_object_get(r, "offers")), 1);
	json_decref(r);
	r = call(t, rpcm_getprovider, json_pack("[s]", c4));
	assert_int_equal(num(r, "bonded"), 0);
	assert_true(json_is_false(json_object_get(r, "eligible")));
	assert_int_equal(json_array_size(json_object_get(r, "offers")), 0);
	json_decref(r);

	memset(lease_hex, 'e', 64);
	call_fails(t, rpcm_getlease, json_pack("[s]", lease_hex), RPC_NOT_FOUND);
	call_fails(t, rpcm_getlease, json_pack("[s]", "e"), RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_listleases, json_pack("[snn]", lease_hex), RPC_NOT_FOUND);
	call_fails(t, rpcm_listleases, json_pack("[ssn]", p1, "owner"), RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_listleases, json_pack("[ssn]", p1, "bid"), RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_listleases, json_pack("[sni]", p1, 0), RPC_INVALID_PARAMETER);
	call_fails(t, rpcm_getprovider, json_pack("[s]", "hth1xyz"), RPC_INVALID_PARAMETER);
}

static void test_job_disputed_then_failed_states(void **state)
{
	struct ctx *t = *state;
	uint8_t bid[MARKET_ID_SIZE], lease[MARKET_ID_SIZE], other[MARKET_ID_SIZE];
	struct bid_spec b = mf_bid_spec(&t->f);
	char bid_hex[65], lease_hex[65], other_hex[65];
	json_t *r, *dispute;
	size_t len;
	uint8_t *tx;

	struct offer_spec s = mf_offer_spec(&t->f);

	leased(t, bid, lease, bid_hex, lease_hex);
	mf_offer(&t->f, 2, &s, other); /* a verifier for the dispute */
	tx = mf_receipt_hash_tx(&t->f, 1, mf_nonce(&t->f, 1), lease, 1000, 0xab, &len);
	mf_block1(&t->f, tx, len);
	tx = mf_dispute_tx(&t->f, 4, mf_nonce(&t->f, 4), lease, MARKET_ID_SIZE, "wrong", &len);
	mf_block1(&t->f, tx, len);
	r = call(t, rpcm_getjob, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "status"), "disputed");
	dispute = json_object_get(first_lease(r), "dispute");
	assert_true(json_is_object(dispute));
	assert_int_equal(num(dispute, "bond"), 5000);
	assert_string_equal(str(dispute, "outcome"), "pending");
	assert_int_equal(strlen(str(dispute, "verifier_lease")), 64);
	json_decref(r);

	/* A cancelled bid's job failed. */
	b.max_price = 1;
	mf_bid(&t->f, 5, &b, other);
	hex(other, other_hex);
	tx = mf_cancel_bid_tx(&t->f, 5, mf_nonce(&t->f, 5), other, MARKET_ID_SIZE, &len);
	mf_block1(&t->f, tx, len);
	r = call(t, rpcm_getjob, json_pack("[s]", other_hex));
	assert_string_equal(str(r, "status"), "failed");
	assert_string_equal(str(r, "bid_state"), "cancelled");
	json_decref(r);
}

static const uint8_t salt[8] = "rpc-salt";

static void commit_to(struct fixture *f, int idx, const uint8_t *lease, uint8_t hash_byte)
{
	uint8_t c[HASH_SIZE];
	size_t len;
	uint8_t *tx;

	mf_commitment(f, idx, hash_byte, salt, sizeof(salt), c);
	tx = mf_commit_tx(f, idx, mf_nonce(f, idx), lease, MARKET_ID_SIZE, c, HASH_SIZE, &len);
	mf_block1(f, tx, len);
}

static void reveal_of(struct fixture *f, int idx, const uint8_t *lease, uint8_t hash_byte)
{
	size_t len;
	uint8_t *tx = mf_reveal_tx(f, idx, mf_nonce(f, idx), lease, hash_byte, HASH_SIZE, salt,
				   sizeof(salt), 1000, &len);

	mf_block1(f, tx, len);
}

static void commit(struct fixture *f, int idx, const uint8_t *lease)
{
	commit_to(f, idx, lease, 0xaa);
}

static void reveal(struct fixture *f, int idx, const uint8_t *lease)
{
	reveal_of(f, idx, lease, 0xaa);
}

static void assert_job_status(struct ctx *t, const char *bid_hex, const char *status)
{
	json_t *r = call(t, rpcm_getjob, json_pack("[s]", bid_hex));

	assert_string_equal(str(r, "status"), status);
	json_decref(r);
}

static void test_replicated_job_commits_then_reveals(void **state)
{
	struct ctx *t = *state;
	struct offer_spec s = mf_offer_spec(&t->f);
	struct bid_spec b = mf_bid_spec(&t->f);
	uint8_t bid[MARKET_ID_SIZE], leases[3][MARKET_ID_SIZE];
	char bid_hex[65];
	const json_t *receipt;
	json_t *r;

	for (int i = 0; i < 3; i++)
		mf_offer(&t->f, i + 1, &s, NULL);
	b.replicas = 3;
	mf_bid(&t->f, 4, &b, bid);
	hex(bid, bid_hex);
	for (uint32_t i = 0; i < 3; i++)
		market_lease_id(bid, i, leases[i]);
	assert_job_status(t, bid_hex, "running");
	commit(&t->f, 1, leases[0]);
	r = call(t, rpcm_getjob, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "status"), "committed");
	assert_int_equal(num(r, "replicas"), 3);
	assert_int_equal(json_array_size(json_object_get(r, "leases")), 3);
	receipt = json_object_get(first_lease(r), "receipt");
	assert_int_equal(strlen(str(receipt, "commitment")), 64);
	assert_true(json_is_null(json_object_get(receipt, "outcome")));
	json_decref(r);
	commit(&t->f, 2, leases[1]);
	commit(&t->f, 3, leases[2]);
	assert_job_status(t, bid_hex, "committed");
	reveal(&t->f, 1, leases[0]);
	r = call(t, rpcm_getjob, json_pack("[s]", bid_hex));
	assert_string_equal(str(r, "status"), "revealed");
	assert_true(num(r, "reveal_height") > 0);
	receipt = json_object_get(first_lease(r), "receipt");
	assert_string_equal(str(json_object_get(receipt, "outcome"), "result_hash"),
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	json_decref(r);
	reveal(&t->f, 2, leases[1]);
	reveal(&t->f, 3, leases[2]); /* the last reveal closes the window */
	assert_job_status(t, bid_hex, "settled");
}

/* The tiebreak member of a method's answer on bid_hex (or lease_hex). */
static json_t *tiebreak_in(struct ctx *t, method_fn fn, const char *id_hex)
{
	json_t *r = call(t, fn, json_pack("[s]", id_hex));
	json_t *tb = json_incref(json_object_get(r, "tiebreak"));

	json_decref(r);
	assert_non_null(tb);
	return tb;
}

static void test_tiebreak_is_shown_until_decided(void **state)
{
	struct ctx *t = *state;
	struct offer_spec s = mf_offer_spec(&t->f);
	struct bid_spec b = mf_bid_spec(&t->f);
	uint8_t bid[MARKET_ID_SIZE], leases[2][MARKET_ID_SIZE], vid[MARKET_ID_SIZE];
	char bid_hex[65], lease_hex[65];
	json_t *tb, *r;
	size_t len;
	uint8_t *tx;

	mf_offer(&t->f, 1, &s, NULL);
	mf_offer(&t->f, 2, &s, NULL);
	b.replicas = 2;
	mf_bid(&t->f, 4, &b, bid);
	hex(bid, bid_hex);
	market_lease_id(bid, 0, leases[0]);
	market_lease_id(bid, 1, leases[1]);
	hex(leases[0], lease_hex);
	tb = tiebreak_in(t, rpcm_getbid, bid_hex);
	assert_true(json_is_null(tb));
	json_decref(tb);
	mf_offer(&t->f, 3, &s, NULL); /* the verifier-to-be, after matching */
	commit_to(&t->f, 1, leases[0], 0xaa);
	commit_to(&t->f, 2, leases[1], 0xbb);
	reveal_of(&t->f, 1, leases[0], 0xaa);
	reveal_of(&t->f, 2, leases[1], 0xbb);
	assert_job_status(t, bid_hex, "verifying");
	tb = tiebreak_in(t, rpcm_explainbid, bid_hex);
	assert_string_equal(str(tb, "outcome"), "pending");
	assert_int_equal(num(tb, "cover"), 20 * 60); /* the reserve: max price x duration */
	assert_true(json_is_null(json_object_get(tb, "result_hash")));
	market_lease_id(bid, 0x80000000u, vid);
	hex(vid, lease_hex);
	assert_string_equal(str(tb, "verifier_lease"), lease_hex);
	json_decref(tb);
	tb = tiebreak_in(t, rpcm_getlease, lease_hex); /* the verifier's lease too */
	assert_string_equal(str(tb, "outcome"), "pending");
	json_decref(tb);
	tx = mf_receipt_hash_tx(&t->f, 3, mf_nonce(&t->f, 3), vid, 2000, 0xbb, &len);
	mf_block1(&t->f, tx, len);
	assert_job_status(t, bid_hex, "settled");
	tb = tiebreak_in(t, rpcm_getbid, bid_hex);
	assert_string_equal(str(tb, "outcome"), "agreed");
	assert_string_equal(str(tb, "result_hash"),
			    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	json_decref(tb);
	r = call(t, rpcm_getjob, json_pack("[s]", bid_hex));
	assert_string_equal(str(json_object_get(r, "tiebreak"), "outcome"), "agreed");
	json_decref(r);
}

static void test_reason_names(void **state UNUSED)
{
	assert_string_equal(rpcj_reason_name(0), "MARKET_OK");
	assert_string_equal(rpcj_reason_name(MARKET_UNMATCHED_SCAN_LIMIT),
			    "MARKET_UNMATCHED_SCAN_LIMIT");
	assert_string_equal(rpcj_reason_name(MARKET_OFFER_NO_BOND), "MARKET_OFFER_NO_BOND");
	assert_string_equal(rpcj_reason_name(99999), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offer_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_bid_is_explained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_runs_to_settlement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_disputed_then_failed_states, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replicated_job_commits_then_reveals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tiebreak_is_shown_until_decided, setup,
						teardown),
		cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
