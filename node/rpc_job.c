/* rpc_job.c: getjob, the one-word status of a bid's job that the wallet's
 * `job ID` command shows, with each lease's provider, state, deadline and
 * receipt. The status is derived from the bid and its leases (doc/rpc.md,
 * getjob):
 *   queued     the bid waits for a match;
 *   running    matched, no lease has reported yet;
 *   committed  a receipt (r = 1) or a commitment (r >= 2) is on chain and
 *              the result is not final yet;
 *   revealed   r >= 2: at least one provider has revealed its outcome;
 *   disputed   the consumer disputed the receipt; a verifier decides;
 *   verifying  r >= 2: the reveals had no majority; a tie-break verifier
 *              re-runs the job and decides;
 *   settled    every lease ended and at least one was paid;
 *   failed     the bid was cancelled or expired, or every lease failed. */
#include <stdbool.h>
#include <string.h>

#include "market/market.h"
#include "node/rpc_json.h"
#include "node/rpc_market_query.h"

struct job_view {
	bool any_receipt, any_outcome, any_disputed, any_settled;
	bool tiebreak_pending;
};

/* Adds lease replica r of bid to leases and to the view. */
static enum state_status add_lease(const struct rpcm_ctx *c, const uint8_t *bid_id, uint32_t r,
				   json_t *leases, struct job_view *v)
{
	uint8_t id[MARKET_ID_SIZE];
	Hearth__ReceiptRecord *receipt;
	Hearth__Lease *lease;
	enum state_status st;
	json_t *full;

	market_lease_id(bid_id, r, id);
	st = market_lease_get(c->st, id, &lease);
	if (st != STATE_OK)
		return st;
	v->any_disputed |= lease->state == HEARTH__LEASE_STATE__LEASE_DISPUTED;
	v->any_settled |= lease->state == HEARTH__LEASE_STATE__LEASE_SETTLED;
	codec_free((ProtobufCMessage *)lease);
	st = market_receipt_get(c->st, id, &receipt);
	if (st == STATE_OK) {
		v->any_receipt = true;
		v->any_outcome |= receipt->outcome != NULL;
		codec_free((ProtobufCMessage *)receipt);
	} else if (st != STATE_NOT_FOUND) {
		return st;
	}
	st = rpcm_lease_full(c, id, &full);
	if (st != STATE_OK)
		return st;
	return json_array_append_new(leases, full) == 0 ? STATE_OK : STATE_ERROR;
}

static const char *job_status(const Hearth__BidRecord *rec, const struct job_view *v)
{
	switch (rec->state) {
	case HEARTH__BID_STATE__BID_QUEUED:
		return "queued";
	case HEARTH__BID_STATE__BID_CANCELLED:
	case HEARTH__BID_STATE__BID_EXPIRED:
		return "failed";
	case HEARTH__BID_STATE__BID_SETTLED:
		return v->any_settled ? "settled" : "failed";
	case HEARTH__BID_STATE__BID_MATCHED:
	case _HEARTH__BID_STATE_IS_INT_SIZE:
		break;
	}
	if (v->any_disputed)
		return "disputed";
	if (v->tiebreak_pending)
		return "verifying";
	/* A single replica's receipt carries its outcome at once: it is the
	 * commitment to its result until the challenge window closes. */
	if (v->any_outcome && rec->bid->replicas >= 2)
		return "revealed";
	if (v->any_receipt)
		return "committed";
	return "running";
}

int rpcm_getjob(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err)
{
	const json_t *param = json_array_get(params, 0);
	struct job_view v = { 0 };
	uint8_t id[MARKET_ID_SIZE];
	Hearth__BidRecord *rec;
	enum state_status st;
	json_t *leases, *tiebreak;
	const char *outcome;
	int rc;

	if (rpcm_parse_id(param, "bid", id, err) != 0)
		return -1;
	st = market_bid_get(c->st, id, &rec);
	if (st == STATE_NOT_FOUND)
		return rpc_error_set(err, RPC_NOT_FOUND, "no bid %s", json_string_value(param));
	if (st != STATE_OK)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "cannot read the market state");
	leases = json_array();
	st = leases != NULL && rec->bid != NULL ? STATE_OK : STATE_ERROR;
	for (uint32_t r = 0; st == STATE_OK && r < rec->bid->replicas; r++) {
		st = add_lease(c, id, r, leases, &v);
		if (st == STATE_NOT_FOUND) /* not matched (yet) */
			st = STATE_OK;
	}
	tiebreak = st == STATE_OK ? rpcm_tiebreak_of(c, id, &st) : NULL;
	outcome = json_string_value(json_object_get(tiebreak, "outcome"));
	v.tiebreak_pending = outcome != NULL && strcmp(outcome, "pending") == 0;
	if (st != STATE_OK) {
		codec_free((ProtobufCMessage *)rec);
		json_decref(leases);
		json_decref(tiebreak);
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "cannot read the market state");
	}
	*result = json_object();
	rc = rpcj_put(*result, "bid", rpcj_hex(id, MARKET_ID_SIZE));
	rc |= rpcj_put(*result, "status", json_string(job_status(rec, &v)));
	rc |= rpcj_put(*result, "bid_state", json_string(rpcj_bid_state(rec->state)));
	rc |= rpcj_put(*result, "replicas", rpcj_u64(rec->bid->replicas));
	rc |= rpcj_put(*result, "escrow", rpcj_u64(rec->escrow));
	rc |= rpcj_put(*result, "reason", json_string(rpcj_reason_name(rec->unmatched_reason)));
	rc |= rpcj_put(*result, "message", json_string(market_strreason(rec->unmatched_reason)));
	rc |= rpcj_put(*result, "reveal_height", rpcj_u64(rec->reveal_height));
	rc |= rpcj_put(*result, "expiry_height", rpcj_u64(rec->bid->expiry_height));
	rc |= rpcj_put(*result, "height", rpcj_u64(c->height));
	rc |= rpcj_put(*result, "leases", leases);
	rc |= rpcj_put(*result, "tiebreak", tiebreak);
	codec_free((ProtobufCMessage *)rec);
	if (rc != 0) {
		json_decref(*result);
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	}
	return 0;
}
