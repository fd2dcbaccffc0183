/* bid_lookup.h: what hearth-cli makes of a bid id the node's market does
 * not know. A bid's id is the id of the tx that made it, and `bid` returns
 * as soon as the node admits that tx to its mempool: until a block takes
 * it, getjob, explainbid and getbid answer -5 ("no bid") while
 * gettransaction answers "pending". These checks read the node's answers
 * (pure, no I/O); cli_bid_rpc (wallet/cli.h) asks the questions. */
#ifndef HEARTH_WALLET_BID_LOOKUP_H
#define HEARTH_WALLET_BID_LOOKUP_H

#include <stdbool.h>

#include <jansson.h>

#include "wallet/rpcclient.h"

/* Where the tx with a bid's id is. */
enum bid_lookup {
	BID_LOOKUP_MISSING,   /* in neither the chain nor the mempool */
	BID_LOOKUP_PENDING,   /* waiting in the mempool, not in a block yet */
	BID_LOOKUP_COMMITTED, /* in a block (just now, or not a bid's tx) */
};

/* In: e, a failed call. Returns whether it is the node's "not found"
 * (JSON-RPC error -5: no such bid, lease, tx...). */
bool bid_lookup_not_found(const struct rpc_error *e);

/* In: tx, gettransaction's answer for the bid id, or NULL when that call
 * failed. Returns where the tx is; an answer without a known status counts
 * as missing. */
enum bid_lookup bid_lookup_of_tx(const json_t *tx);

#endif
