/* rpc_tx_json.c: decoderawtransaction's view of a tx. */
#include "node/rpc_tx_json.h"

#include <stdio.h>

#include "consensus/tx.h"
#include "node/rpc_json.h"
#include "node/rpc_market_json.h"

const char *rpcj_tx_kind(Hearth__TxBody__KindCase kind)
{
	switch (kind) {
	case HEARTH__TX_BODY__KIND_TRANSFER:
		return "transfer";
	case HEARTH__TX_BODY__KIND_BOND:
		return "bond";
	case HEARTH__TX_BODY__KIND_UNBOND:
		return "unbond";
	case HEARTH__TX_BODY__KIND_OFFER:
		return "offer";
	case HEARTH__TX_BODY__KIND_CANCEL_OFFER:
		return "cancel_offer";
	case HEARTH__TX_BODY__KIND_BID:
		return "bid";
	case HEARTH__TX_BODY__KIND_CANCEL_BID:
		return "cancel_bid";
	case HEARTH__TX_BODY__KIND_RECEIPT_COMMIT:
		return "receipt_commit";
	case HEARTH__TX_BODY__KIND_RECEIPT_REVEAL:
		return "receipt_reveal";
	case HEARTH__TX_BODY__KIND_RECEIPT:
		return "receipt";
	case HEARTH__TX_BODY__KIND_DISPUTE:
		return "dispute";
	case HEARTH__TX_BODY__KIND_EVIDENCE:
		return "evidence";
	case HEARTH__TX_BODY__KIND__NOT_SET:
	case _HEARTH__TX_BODY__KIND__CASE_IS_INT_SIZE:
		break;
	}
	return "unset";
}

static json_t *hex_of(ProtobufCBinaryData b)
{
	return rpcj_hex(b.data, b.len);
}

static json_t *vote(enum network net, const Hearth__Vote *v)
{
	json_t *obj = json_object();
	int rc;

	if (v == NULL)
		return json_null();
	rc = rpcj_put(
		obj, "type",
		json_string(v->type == HEARTH__VOTE_TYPE__VOTE_PREVOTE ? "prevote" : "precommit"));
	rc |= rpcj_put(obj, "height", rpcj_u64(v->height));
	rc |= rpcj_put(obj, "round", rpcj_u64(v->round));
	rc |= rpcj_put(obj, "block_id", hex_of(v->block_id));
	rc |= rpcj_put(obj, "validator", rpcj_address(net, v->validator.data, v->validator.len));
	rc |= rpcj_put(obj, "sig", hex_of(v->sig));
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *signed_proposal(enum network net, const Hearth__SignedProposal *p)
{
	json_t *obj = json_object();
	int rc;

	if (p == NULL)
		return json_null();
	rc = rpcj_put(obj, "height", rpcj_u64(p->height));
	rc |= rpcj_put(obj, "round", rpcj_u64(p->round));
	rc |= rpcj_put(obj, "pol_round", json_integer(p->pol_round));
	rc |= rpcj_put(obj, "block_id", hex_of(p->block_id));
	rc |= rpcj_put(obj, "proposer", rpcj_address(net, p->proposer.data, p->proposer.len));
	rc |= rpcj_put(obj, "sig", hex_of(p->sig));
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* The two votes, or the two proposals, of a piece of evidence. */
static int evidence_fields(enum network net, const Hearth__Evidence *ev, json_t *obj)
{
	switch (ev->kind_case) {
	case HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE:
		return rpcj_put(obj, "duplicate_vote_a", vote(net, ev->duplicate_vote->a)) |
		       rpcj_put(obj, "duplicate_vote_b", vote(net, ev->duplicate_vote->b));
	case HEARTH__EVIDENCE__KIND_DUPLICATE_PROPOSAL:
		return rpcj_put(obj, "duplicate_proposal_a",
				signed_proposal(net, ev->duplicate_proposal->a)) |
		       rpcj_put(obj, "duplicate_proposal_b",
				signed_proposal(net, ev->duplicate_proposal->b));
	case HEARTH__EVIDENCE__KIND__NOT_SET:
	case _HEARTH__EVIDENCE__KIND__CASE_IS_INT_SIZE:
		break;
	}
	return 0;
}

/* The fields of the body's kind into obj. */
static int kind_fields(enum network net, const Hearth__TxBody *b, json_t *obj)
{
	switch (b->kind_case) {
	case HEARTH__TX_BODY__KIND_TRANSFER:
		return rpcj_put(obj, "to",
				rpcj_address(net, b->transfer->to.data, b->transfer->to.len)) |
		       rpcj_put(obj, "amount", rpcj_u64(b->transfer->amount));
	case HEARTH__TX_BODY__KIND_BOND:
		/* validator only when set, as on the wire */
		return rpcj_put(obj, "amount", rpcj_u64(b->bond->amount)) |
		       (b->bond->has_validator ? rpcj_put(obj, "validator", json_true()) : 0);
	case HEARTH__TX_BODY__KIND_UNBOND:
		return rpcj_put(obj, "amount", rpcj_u64(b->unbond->amount));
	case HEARTH__TX_BODY__KIND_OFFER:
		return rpcj_offer_fields(obj, b->offer);
	case HEARTH__TX_BODY__KIND_CANCEL_OFFER:
		return rpcj_put(obj, "offer_id", hex_of(b->cancel_offer->offer_id));
	case HEARTH__TX_BODY__KIND_BID:
		return rpcj_bid_fields(obj, b->bid);
	case HEARTH__TX_BODY__KIND_CANCEL_BID:
		return rpcj_put(obj, "bid_id", hex_of(b->cancel_bid->bid_id));
	case HEARTH__TX_BODY__KIND_RECEIPT_COMMIT:
		return rpcj_put(obj, "lease_id", hex_of(b->receipt_commit->lease_id)) |
		       rpcj_put(obj, "commitment", hex_of(b->receipt_commit->commitment));
	case HEARTH__TX_BODY__KIND_RECEIPT_REVEAL:
		return rpcj_put(obj, "lease_id", hex_of(b->receipt_reveal->lease_id)) |
		       rpcj_put(obj, "salt", hex_of(b->receipt_reveal->salt)) |
		       rpcj_put(obj, "outcome", rpcj_outcome(b->receipt_reveal->outcome));
	case HEARTH__TX_BODY__KIND_RECEIPT:
		return rpcj_put(obj, "lease_id", hex_of(b->receipt->lease_id)) |
		       rpcj_put(obj, "outcome", rpcj_outcome(b->receipt->outcome));
	case HEARTH__TX_BODY__KIND_DISPUTE:
		return rpcj_put(obj, "lease_id", hex_of(b->dispute->lease_id)) |
		       rpcj_put(obj, "reason", rpcj_string(b->dispute->reason));
	case HEARTH__TX_BODY__KIND_EVIDENCE:
		return evidence_fields(net, b->evidence, obj);
	case HEARTH__TX_BODY__KIND__NOT_SET:
	case _HEARTH__TX_BODY__KIND__CASE_IS_INT_SIZE:
		break;
	}
	return 0;
}

json_t *rpcj_tx_body(enum network net, const Hearth__TxBody *b)
{
	const char *kind = rpcj_tx_kind(b->kind_case);
	json_t *obj = json_object(), *fields = json_object();
	int rc = rpcj_put(obj, "chain_id", rpcj_string(b->chain_id));

	rc |= rpcj_put(obj, "sender", rpcj_address(net, b->sender.data, b->sender.len));
	rc |= rpcj_put(obj, "nonce", rpcj_u64(b->nonce));
	rc |= rpcj_put(obj, "fee", rpcj_u64(b->fee));
	rc |= rpcj_put(obj, "kind", json_string(kind));
	if (fields == NULL || kind_fields(net, b, fields) != 0)
		rc = -1;
	rc |= rpcj_put(obj, kind, fields);
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

int rpcj_tx_describe(const uint8_t *tx, size_t len, size_t max_len, enum network net, json_t **out,
		     char *why, size_t why_size)
{
	ProtobufCMessage *env_msg = NULL, *body_msg = NULL;
	struct codec_error cerr;
	const Hearth__Tx *env;
	uint8_t id[HASH_SIZE];
	json_t *obj;
	int rc;

	if (codec_decode(&hearth__tx__descriptor, tx, len, max_len, &env_msg, &cerr) != CODEC_OK) {
		snprintf(why, why_size, "Tx: %s", cerr.text);
		return cerr.status == CODEC_NO_MEMORY ? -1 : 1;
	}
	env = (const Hearth__Tx *)env_msg;
	if (codec_decode(&hearth__tx_body__descriptor, env->body.data, env->body.len, max_len,
			 &body_msg, &cerr) != CODEC_OK) {
		codec_free(env_msg);
		snprintf(why, why_size, "TxBody: %s", cerr.text);
		return cerr.status == CODEC_NO_MEMORY ? -1 : 1;
	}
	tx_id(tx, len, id);
	obj = rpcj_tx_body(net, (const Hearth__TxBody *)body_msg);
	rc = rpcj_put(obj, "txid", rpcj_hex(id, HASH_SIZE));
	rc |= rpcj_put(obj, "size", rpcj_u64(len));
	rc |= rpcj_put(obj, "feerate", rpcj_u64(((const Hearth__TxBody *)body_msg)->fee / len));
	rc |= rpcj_put(obj, "sig", rpcj_hex(env->sig.data, env->sig.len));
	codec_free(body_msg);
	codec_free(env_msg);
	if (rc != 0) {
		json_decref(obj);
		return -1;
	}
	*out = obj;
	return 0;
}
