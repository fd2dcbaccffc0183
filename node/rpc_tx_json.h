/* rpc_tx_json.h: a transaction as JSON for decoderawtransaction
 * (doc/rpc.md): the envelope, every TxBody kind field by field, the txid,
 * the sender's address, the fee and the fee rate. Decoding is the codec's
 * (strict); no signature or chain check is made here. */
#ifndef HEARTH_NODE_RPC_TX_JSON_H
#define HEARTH_NODE_RPC_TX_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "consensus/crypto.h"
#include "proto/codec.h"

/* The kind's name as the wire schema spells it ("transfer", "cancel_bid",
 * ...), or "unset". Never NULL. */
const char *rpcj_tx_kind(Hearth__TxBody__KindCase kind);

/* {chain_id, sender, nonce, fee, kind, <kind>: {fields}}, or NULL when out
 * of memory. */
json_t *rpcj_tx_body(enum network net, const Hearth__TxBody *body);

/* Decodes an encoded Tx and describes it.
 * In:  tx[len]; max_len: the chain's max_tx_bytes; net: for addresses.
 * Out: *out (new reference) on success; why: the codec's one-line reason
 *      ("Tx: ..." or "TxBody: ...") when the bytes do not decode.
 * Returns 0, 1 when the bytes do not decode, -1 when out of memory. */
__attribute__((warn_unused_result)) int rpcj_tx_describe(const uint8_t *tx, size_t len,
							 size_t max_len, enum network net,
							 json_t **out, char *why, size_t why_size);

#endif
