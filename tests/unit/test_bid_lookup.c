/* test_bid_lookup.c: unit tests of wallet/bid_lookup.c: only the node's
 * -5 counts as "not found", and gettransaction's answer tells a bid whose
 * tx waits in the mempool from one in a block or nowhere. */
#include "wallet/bid_lookup.h"

#include "tests/unit/test_util.h"

static struct rpc_error failure(enum rpc_failure kind, int64_t code)
{
	struct rpc_error e = { .failure = kind, .code = code };

	return e;
}

static void test_only_the_nodes_minus_5_is_not_found(void **state UNUSED)
{
	struct rpc_error e = failure(RPC_FAIL_REMOTE, -5);

	assert_true(bid_lookup_not_found(&e));
	e = failure(RPC_FAIL_REMOTE, -8); /* malformed id */
	assert_false(bid_lookup_not_found(&e));
	e = failure(RPC_FAIL_REMOTE, RPC_CLIENT_CODE_WARMUP);
	assert_false(bid_lookup_not_found(&e));
	e = failure(RPC_FAIL_CONNECT, -5); /* a code left over is not an answer */
	assert_false(bid_lookup_not_found(&e));
	e = failure(RPC_FAIL_PROTOCOL, -5);
	assert_false(bid_lookup_not_found(&e));
}

static enum bid_lookup of_text(const char *text)
{
	json_t *tx = json_loads(text, 0, NULL);
	enum bid_lookup where;

	assert_non_null(tx);
	where = bid_lookup_of_tx(tx);
	json_decref(tx);
	return where;
}

static void test_tx_in_the_mempool_is_pending(void **state UNUSED)
{
	assert_int_equal(of_text("{\"status\":\"pending\"}"), BID_LOOKUP_PENDING);
}

static void test_tx_in_a_block_is_committed(void **state UNUSED)
{
	assert_int_equal(of_text("{\"status\":\"committed\",\"height\":12,\"index\":0}"),
			 BID_LOOKUP_COMMITTED);
}

static void test_no_tx_or_an_odd_answer_is_missing(void **state UNUSED)
{
	assert_int_equal(bid_lookup_of_tx(NULL), BID_LOOKUP_MISSING);
	assert_int_equal(of_text("{}"), BID_LOOKUP_MISSING);
	assert_int_equal(of_text("{\"status\":\"unknown\"}"), BID_LOOKUP_MISSING);
	assert_int_equal(of_text("{\"status\":7}"), BID_LOOKUP_MISSING);
	assert_int_equal(of_text("[\"pending\"]"), BID_LOOKUP_MISSING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_the_nodes_minus_5_is_not_found),
		cmocka_unit_test(test_tx_in_the_mempool_is_pending),
		cmocka_unit_test(test_tx_in_a_block_is_committed),
		cmocka_unit_test(test_no_tx_or_an_odd_answer_is_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
