/* rpc_market_json.h: JSON forms of the market's orders (as signed in a tx)
 * and of its stored records, for decoderawtransaction and the market query
 * methods (doc/rpc.md). Conventions of node/rpc_json.h. */
#ifndef HEARTH_NODE_RPC_MARKET_JSON_H
#define HEARTH_NODE_RPC_MARKET_JSON_H

#include <jansson.h>

#include "consensus/crypto.h"
#include "proto/codec.h"

/* Add the fields of an Offer / a Bid to obj. Returns 0, or -1. */
int rpcj_offer_fields(json_t *obj, const Hearth__Offer *o);
int rpcj_bid_fields(json_t *obj, const Hearth__Bid *b);

/* {result_hash, exit_status, timed_out, oom_killed, wall_ms, cpu_ms,
 *  peak_memory_bytes}, or NULL. */
json_t *rpcj_outcome(const Hearth__Outcome *o);

/* The records, each an object or NULL. */
json_t *rpcj_offer_record(enum network net, const Hearth__OfferRecord *rec);
json_t *rpcj_bid_record(enum network net, const Hearth__BidRecord *rec);
json_t *rpcj_lease(enum network net, const Hearth__Lease *lease);
json_t *rpcj_receipt(enum network net, const Hearth__ReceiptRecord *rec);
json_t *rpcj_dispute(enum network net, const Hearth__DisputeRecord *rec);

/* A replicated bid's tie-break: {height, cover, verifier_lease (null until
 * drawn, and when none was), outcome (pending, agreed, no_match, void,
 * verifier_failed), result_hash (the verifier's; null until it reported)},
 * or NULL. */
json_t *rpcj_tiebreak(const Hearth__TieBreakRecord *rec);

#endif
