/* test_provider.c: the executor's txs (node/provider.c): which tx a lease
 * needs next, and that the receipt, commitment and reveal it submits to a
 * mempool are accepted by the market on the test chain (a reveal that opens
 * its commitment, so not faulty); and the digest a consumer signs to fetch
 * a result (node/rpc_result.c). */
#include "node/provider.h"

#include <stdlib.h>
#include <string.h>

#include "node/rpc_result.h"
#include "tests/unit/market_fixture.h"
#include "tests/unit/test_util.h"

static void test_single_replica_and_verifier_leases_use_a_plain_receipt(void **state UNUSED)
{
	struct journal_entry e;

	memset(&e, 0, sizeof(e));
	e.replicas = 1;
	e.state = JOURNAL_DONE;
	assert_int_equal(provider_next_tx(&e), PROVIDER_RECEIPT);
	e.replicas = 3;
	e.verifier = true;
	assert_int_equal(provider_next_tx(&e), PROVIDER_RECEIPT);
}

static void test_replicated_leases_commit_then_reveal(void **state UNUSED)
{
	struct journal_entry e;

	memset(&e, 0, sizeof(e));
	e.replicas = 2;
	e.state = JOURNAL_DONE;
	assert_int_equal(provider_next_tx(&e), PROVIDER_COMMIT);
	e.state = JOURNAL_COMMITTED;
	assert_int_equal(provider_next_tx(&e), PROVIDER_REVEAL);
}

static void test_result_request_digest_binds_lease_and_height(void **state UNUSED)
{
	uint8_t lease[HASH_SIZE], buf[HASH_SIZE + 8], want[HASH_SIZE], got[HASH_SIZE],
		other[HASH_SIZE];

	assert_int_equal(hearth_crypto_init(), 0);
	memset(lease, 0x42, sizeof(lease));
	memcpy(buf, lease, HASH_SIZE);
	/* height 0x0102030405060708, big-endian */
	for (int i = 0; i < 8; i++)
		buf[HASH_SIZE + i] = (uint8_t)(i + 1);
	hash_tagged("hearth/result-request", buf, sizeof(buf), want);
	rpc_result_digest(lease, 0x0102030405060708ull, got);
	assert_memory_equal(got, want, HASH_SIZE);
	rpc_result_digest(lease, 0x0102030405060709ull, other);
	assert_memory_not_equal(got, other, HASH_SIZE);
	lease[0] ^= 1;
	rpc_result_digest(lease, 0x0102030405060708ull, other);
	assert_memory_not_equal(got, other, HASH_SIZE);
}

/* The provider index (1..3) of a lease. */
static int provider_of(const struct fixture *f, const Hearth__Lease *lease)
{
	for (int i = 1; i < MF_PROVIDERS; i++) {
		if (memcmp(lease->provider.data, f->signers[i].pubkey, PUBKEY_SIZE) == 0)
			return i;
	}
	fail_msg("the lease's provider is not a fixture provider");
	return -1;
}

static void journal_of(const Hearth__Lease *lease, uint32_t replicas, struct journal_entry *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->lease_id, lease->id.data, HASH_SIZE);
	e->replicas = replicas;
	e->state = JOURNAL_DONE;
	e->has_outcome = true;
	memset(e->result_hash, 0xaa, HASH_SIZE);
	e->wall_ms = 1500;
	memset(e->salt, lease->replica + 1, JOURNAL_SALT_SIZE);
}

/* Submits one tx per entry through a fresh mempool over the tip, then
 * commits every pooled tx in one block. */
static void submit_and_commit(struct fixture *f, enum provider_tx kind, struct journal_entry *e,
			      const int *idx, size_t n)
{
	struct mempool_limits limits = { .max_txs = 16, .max_bytes = 1 << 20 };
	struct mempool mp;
	const uint8_t *pooled[16];
	uint8_t *txs[16], txid[HASH_SIZE];
	size_t lens[16], count;
	struct ledger_error err;

	mempool_init(&mp, &f->ledger, fix_chain_state(&f->chain), f->chain.tip.height + 1, &limits);
	for (size_t i = 0; i < n; i++) {
		struct provider p = { &f->signers[idx[i]], &f->ledger, &mp };

		assert_int_equal(provider_submit(&p, kind, &e[i], txid, &err), MEMPOOL_ADDED);
		assert_true(mempool_contains(&mp, txid));
	}
	count = mempool_reap(&mp, 1 << 20, 16, pooled, lens);
	assert_int_equal(count, n);
	for (size_t i = 0; i < count; i++) {
		txs[i] = malloc(lens[i]);
		assert_non_null(txs[i]);
		memcpy(txs[i], pooled[i], lens[i]);
	}
	mempool_free(&mp);
	assert_int_equal(fix_block(f, &f->chain, txs, lens, count, &err), LEDGER_OK);
}

static void test_receipt_of_a_single_replica_lease_is_accepted(void **state UNUSED)
{
	struct fixture f;
	struct offer_spec os;
	struct bid_spec bs;
	uint8_t offer[HASH_SIZE], bid[HASH_SIZE];
	Hearth__Lease *lease;
	Hearth__ReceiptRecord *rec;
	struct journal_entry e;
	int idx;

	mf_setup(&f);
	os = mf_offer_spec(&f);
	mf_offer(&f, 1, &os, offer);
	bs = mf_bid_spec(&f);
	mf_bid(&f, 4, &bs, bid);
	lease = mf_lease_record(&f, bid, 0);
	idx = provider_of(&f, lease);
	journal_of(lease, 1, &e);
	submit_and_commit(&f, provider_next_tx(&e), &e, &idx, 1);
	assert_int_equal(market_receipt_get(fix_chain_state(&f.chain), e.lease_id, &rec), STATE_OK);
	assert_non_null(rec->outcome);
	assert_memory_equal(rec->outcome->result_hash.data, e.result_hash, HASH_SIZE);
	assert_int_equal(rec->outcome->usage->wall_ms, 1500);
	codec_free(&rec->base);
	codec_free(&lease->base);
	fix_teardown(&f);
}

static void test_commit_then_reveal_of_replicated_leases_opens_the_commitments(void **state UNUSED)
{
	struct fixture f;
	struct offer_spec os;
	struct bid_spec bs;
	uint8_t offer[HASH_SIZE], bid[HASH_SIZE];
	struct journal_entry e[2];
	int idx[2];
	Hearth__BidRecord *brec;
	Hearth__ReceiptRecord *rec;

	mf_setup(&f);
	os = mf_offer_spec(&f);
	mf_offer(&f, 1, &os, offer);
	mf_offer(&f, 2, &os, offer);
	bs = mf_bid_spec(&f);
	bs.replicas = 2;
	mf_bid(&f, 4, &bs, bid);
	for (uint32_t r = 0; r < 2; r++) {
		Hearth__Lease *lease = mf_lease_record(&f, bid, r);

		idx[r] = provider_of(&f, lease);
		journal_of(lease, 2, &e[r]);
		codec_free(&lease->base);
	}
	assert_int_equal(provider_next_tx(&e[0]), PROVIDER_COMMIT);
	submit_and_commit(&f, PROVIDER_COMMIT, e, idx, 2);
	brec = mf_bid_record(&f, bid);
	assert_true(brec->reveal_height != 0);
	codec_free(&brec->base);
	e[0].state = e[1].state = JOURNAL_COMMITTED;
	assert_int_equal(provider_next_tx(&e[0]), PROVIDER_REVEAL);
	submit_and_commit(&f, PROVIDER_REVEAL, e, idx, 2);
	for (int r = 0; r < 2; r++) {
		assert_int_equal(market_receipt_get(fix_chain_state(&f.chain), e[r].lease_id, &rec),
				 STATE_OK);
		assert_non_null(rec->outcome);
		assert_false(rec->faulty);
		codec_free(&rec->base);
	}
	/* Both revealed the same hash: the majority is paid, the bid settles. */
	brec = mf_bid_record(&f, bid);
	assert_int_equal(brec->state, HEARTH__BID_STATE__BID_SETTLED);
	codec_free(&brec->base);
	fix_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_replica_and_verifier_leases_use_a_plain_receipt),
		cmocka_unit_test(test_replicated_leases_commit_then_reveal),
		cmocka_unit_test(test_result_request_digest_binds_lease_and_height),
		cmocka_unit_test(test_receipt_of_a_single_replica_lease_is_accepted),
		cmocka_unit_test(
			test_commit_then_reveal_of_replicated_leases_opens_the_commitments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
