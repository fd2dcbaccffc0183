/* rpc_json.h: the JSON forms shared by hearthd's query methods (doc/rpc.md):
 * amounts as integers in base units (a value above 2^63 - 1, which only a
 * user-chosen field can hold, as a decimal string), ids and hashes as
 * lower-case hex, keys as bech32m addresses of the node's network, and the
 * names of the market's reason codes and record states. Every function
 * returns a new reference, or NULL when out of memory. */
#ifndef HEARTH_NODE_RPC_JSON_H
#define HEARTH_NODE_RPC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "consensus/block.h"
#include "consensus/crypto.h"
#include "proto/codec.h"

/* v as an integer, or a decimal string above INT64_MAX. */
json_t *rpcj_u64(uint64_t v);

/* bytes[len] in hex ("" for len 0). */
json_t *rpcj_hex(const uint8_t *bytes, size_t len);

/* The address of a key on net; a key that is not PUBKEY_SIZE bytes (only
 * in a tx being decoded) as hex instead. */
json_t *rpcj_address(enum network net, const uint8_t *key, size_t len);

/* s, or JSON null when s is not valid UTF-8 (JSON cannot carry it). */
json_t *rpcj_string(const char *s);

/* The names of strings[n] (rpcj_string each). */
json_t *rpcj_strings(char *const *strings, size_t n);

/* Adds key: value to obj; value is stolen and may be NULL (a failure).
 * Returns 0, or -1. Failures accumulate with |, so a builder checks once. */
int rpcj_put(json_t *obj, const char *key, json_t *value);

/* Adds the header fields getblock and getblockheader share to obj: height,
 * id, time_ms, prev_block_id, tx_root, app_hash, validators_hash,
 * next_validators_hash, proposer (an address of net). Returns 0, or -1. */
int rpcj_put_header(json_t *obj, enum network net, const struct block *b);

/* The constant's name of a market reason code ("MARKET_UNMATCHED_PRICE"),
 * or "unknown". Never NULL. */
const char *rpcj_reason_name(uint32_t code);

/* Lower-case names of the record states and dispute outcomes. */
const char *rpcj_bid_state(Hearth__BidState s);
const char *rpcj_lease_state(Hearth__LeaseState s);
const char *rpcj_dispute_outcome(uint32_t outcome);

#endif
