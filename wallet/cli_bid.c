/* cli_bid.c: asking the node about a bid whose tx may still wait in its
 * mempool (bid_lookup.h), shared by explain, job, wait and result; and the
 * one line those commands print for such a bid (doc/cli.md, "Exit
 * status"). */
#include "wallet/cli.h"

#include "wallet/bid_lookup.h"

int cli_bid_rpc(struct cli_ctx *ctx, const char *method, const char *id, json_t **result,
		struct rpc_error *e)
{
	struct rpc_error e_tx;
	enum bid_lookup where;
	json_t *tx = NULL;

	if (cli_rpc_quiet(ctx, method, json_pack("[s]", id), result, e) == 0)
		return 0;
	if (!bid_lookup_not_found(e))
		return 1;
	if (cli_rpc_quiet(ctx, "gettransaction", json_pack("[s]", id), &tx, &e_tx) != 0)
		tx = NULL;
	where = bid_lookup_of_tx(tx);
	json_decref(tx);
	switch (where) {
	case BID_LOOKUP_MISSING:
		return 1;
	case BID_LOOKUP_PENDING:
		return CLI_EXIT_PENDING;
	case BID_LOOKUP_COMMITTED:
		/* In a block between the two calls (or not a bid's tx: then
		 * the node's "no bid" stands): ask once more. */
		return cli_rpc_quiet(ctx, method, json_pack("[s]", id), result, e) == 0 ? 0 : 1;
	}
	return 1;
}

int cli_fail_pending(const char *id, const char *what)
{
	cli_fail("bid %s is %s: its tx is in the node's mempool, not in a block yet", id, what);
	return CLI_EXIT_PENDING;
}
