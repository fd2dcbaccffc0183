/* test_provider.c: the pure parts of the executor's txs and results
 * service: which tx a lease needs next (node/provider.c) and the digest a
 * consumer signs to fetch a result (node/rpc_result.c). */
#include "node/provider.h"

#include <string.h>

#include "node/rpc_result.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_replica_and_verifier_leases_use_a_plain_receipt),
		cmocka_unit_test(test_replicated_leases_commit_then_reveal),
		cmocka_unit_test(test_result_request_digest_binds_lease_and_height),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
