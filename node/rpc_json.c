/* rpc_json.c: JSON primitives and names for the query methods. */
#include "node/rpc_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "market/reason.h"
#include "proto/hex.h"

json_t *rpcj_u64(uint64_t v)
{
	char text[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(text, sizeof(text), "%" PRIu64, v);
	return json_string(text);
}

json_t *rpcj_hex(const uint8_t *bytes, size_t len)
{
	char *hex;
	json_t *s = NULL;

	if (len > (SIZE_MAX - 1) / 2)
		return NULL;
	hex = malloc(2 * len + 1);
	if (hex == NULL)
		return NULL;
	if (len == 0)
		hex[0] = '\0';
	if (len == 0 || hex_encode(bytes, len, hex, 2 * len + 1) == 0)
		s = json_string(hex);
	free(hex);
	return s;
}

json_t *rpcj_address(enum network net, const uint8_t *key, size_t len)
{
	char addr[ADDRESS_MAX];

	if (len != PUBKEY_SIZE || address_encode(net, key, addr, sizeof(addr)) != 0)
		return rpcj_hex(key, len);
	return json_string(addr);
}

json_t *rpcj_string(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");

	/* json_string refuses invalid UTF-8; anything else is lack of memory,
	 * which json_null cannot suffer. */
	return j != NULL ? j : json_null();
}

json_t *rpcj_strings(char *const *strings, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		if (json_array_append_new(arr, rpcj_string(strings[i])) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

int rpcj_put(json_t *obj, const char *key, json_t *value)
{
	if (value == NULL)
		return -1;
	return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

int rpcj_put_header(json_t *obj, enum network net, const struct block *b)
{
	const struct block_header *h = &b->header;
	int rc = rpcj_put(obj, "height", rpcj_u64(h->height));

	rc |= rpcj_put(obj, "id", rpcj_hex(b->id, HASH_SIZE));
	rc |= rpcj_put(obj, "time_ms", rpcj_u64(h->time_ms));
	rc |= rpcj_put(obj, "prev_block_id", rpcj_hex(h->prev_block_id, HASH_SIZE));
	rc |= rpcj_put(obj, "tx_root", rpcj_hex(h->tx_root, HASH_SIZE));
	rc |= rpcj_put(obj, "app_hash", rpcj_hex(h->app_hash, HASH_SIZE));
	rc |= rpcj_put(obj, "validators_hash", rpcj_hex(h->validators_hash, HASH_SIZE));
	rc |= rpcj_put(obj, "next_validators_hash", rpcj_hex(h->next_validators_hash, HASH_SIZE));
	rc |= rpcj_put(obj, "proposer", rpcj_address(net, h->proposer, PUBKEY_SIZE));
	return rc;
}

const char *rpcj_reason_name(uint32_t code)
{
	switch ((enum market_reason)code) {
	case MARKET_OK:
		return "MARKET_OK";
	case MARKET_OFFER_NO_BOND:
		return "MARKET_OFFER_NO_BOND";
	case MARKET_OFFER_JAILED:
		return "MARKET_OFFER_JAILED";
	case MARKET_OFFER_ZERO_SLOTS:
		return "MARKET_OFFER_ZERO_SLOTS";
	case MARKET_OFFER_TOO_MANY_SLOTS:
		return "MARKET_OFFER_TOO_MANY_SLOTS";
	case MARKET_OFFER_BAD_RESOURCES:
		return "MARKET_OFFER_BAD_RESOURCES";
	case MARKET_OFFER_NO_RUNTIME:
		return "MARKET_OFFER_NO_RUNTIME";
	case MARKET_OFFER_BAD_RUNTIME:
		return "MARKET_OFFER_BAD_RUNTIME";
	case MARKET_OFFER_BAD_ATTRIBUTE:
		return "MARKET_OFFER_BAD_ATTRIBUTE";
	case MARKET_OFFER_ZERO_DURATION:
		return "MARKET_OFFER_ZERO_DURATION";
	case MARKET_OFFER_DURATION_TOO_LONG:
		return "MARKET_OFFER_DURATION_TOO_LONG";
	case MARKET_OFFER_EXPIRED:
		return "MARKET_OFFER_EXPIRED";
	case MARKET_CANCEL_OFFER_BAD_ID:
		return "MARKET_CANCEL_OFFER_BAD_ID";
	case MARKET_CANCEL_OFFER_NOT_FOUND:
		return "MARKET_CANCEL_OFFER_NOT_FOUND";
	case MARKET_CANCEL_OFFER_NOT_OWNER:
		return "MARKET_CANCEL_OFFER_NOT_OWNER";
	case MARKET_CANCEL_OFFER_HAS_LEASES:
		return "MARKET_CANCEL_OFFER_HAS_LEASES";
	case MARKET_BID_ZERO_REPLICAS:
		return "MARKET_BID_ZERO_REPLICAS";
	case MARKET_BID_TOO_MANY_REPLICAS:
		return "MARKET_BID_TOO_MANY_REPLICAS";
	case MARKET_BID_BAD_RESOURCES:
		return "MARKET_BID_BAD_RESOURCES";
	case MARKET_BID_BAD_RUNTIME:
		return "MARKET_BID_BAD_RUNTIME";
	case MARKET_BID_BAD_ATTRIBUTE:
		return "MARKET_BID_BAD_ATTRIBUTE";
	case MARKET_BID_BAD_REPUTATION:
		return "MARKET_BID_BAD_REPUTATION";
	case MARKET_BID_ZERO_DURATION:
		return "MARKET_BID_ZERO_DURATION";
	case MARKET_BID_DURATION_TOO_LONG:
		return "MARKET_BID_DURATION_TOO_LONG";
	case MARKET_BID_EMPTY_ARGV:
		return "MARKET_BID_EMPTY_ARGV";
	case MARKET_BID_TWO_INPUTS:
		return "MARKET_BID_TWO_INPUTS";
	case MARKET_BID_INPUT_TOO_LARGE:
		return "MARKET_BID_INPUT_TOO_LARGE";
	case MARKET_BID_BAD_INPUT_HASH:
		return "MARKET_BID_BAD_INPUT_HASH";
	case MARKET_BID_BAD_RESULT_KEY:
		return "MARKET_BID_BAD_RESULT_KEY";
	case MARKET_BID_EXPIRED:
		return "MARKET_BID_EXPIRED";
	case MARKET_BID_ESCROW_OVERFLOW:
		return "MARKET_BID_ESCROW_OVERFLOW";
	case MARKET_BID_INSUFFICIENT_BALANCE:
		return "MARKET_BID_INSUFFICIENT_BALANCE";
	case MARKET_BID_BAD_INPUT_URL:
		return "MARKET_BID_BAD_INPUT_URL";
	case MARKET_BID_URL_WITHOUT_HASH:
		return "MARKET_BID_URL_WITHOUT_HASH";
	case MARKET_CANCEL_BID_BAD_ID:
		return "MARKET_CANCEL_BID_BAD_ID";
	case MARKET_CANCEL_BID_NOT_FOUND:
		return "MARKET_CANCEL_BID_NOT_FOUND";
	case MARKET_CANCEL_BID_NOT_OWNER:
		return "MARKET_CANCEL_BID_NOT_OWNER";
	case MARKET_CANCEL_BID_NOT_QUEUED:
		return "MARKET_CANCEL_BID_NOT_QUEUED";
	case MARKET_RECEIPT_BAD_LEASE_ID:
		return "MARKET_RECEIPT_BAD_LEASE_ID";
	case MARKET_RECEIPT_LEASE_NOT_FOUND:
		return "MARKET_RECEIPT_LEASE_NOT_FOUND";
	case MARKET_RECEIPT_NOT_PROVIDER:
		return "MARKET_RECEIPT_NOT_PROVIDER";
	case MARKET_RECEIPT_REPLICATED:
		return "MARKET_RECEIPT_REPLICATED";
	case MARKET_RECEIPT_AFTER_DEADLINE:
		return "MARKET_RECEIPT_AFTER_DEADLINE";
	case MARKET_RECEIPT_NOT_ACTIVE:
		return "MARKET_RECEIPT_NOT_ACTIVE";
	case MARKET_RECEIPT_BAD_RESULT_HASH:
		return "MARKET_RECEIPT_BAD_RESULT_HASH";
	case MARKET_COMMIT_BAD_LEASE_ID:
		return "MARKET_COMMIT_BAD_LEASE_ID";
	case MARKET_COMMIT_LEASE_NOT_FOUND:
		return "MARKET_COMMIT_LEASE_NOT_FOUND";
	case MARKET_COMMIT_NOT_PROVIDER:
		return "MARKET_COMMIT_NOT_PROVIDER";
	case MARKET_COMMIT_NOT_REPLICATED:
		return "MARKET_COMMIT_NOT_REPLICATED";
	case MARKET_COMMIT_AFTER_DEADLINE:
		return "MARKET_COMMIT_AFTER_DEADLINE";
	case MARKET_COMMIT_NOT_ACTIVE:
		return "MARKET_COMMIT_NOT_ACTIVE";
	case MARKET_COMMIT_BAD_COMMITMENT:
		return "MARKET_COMMIT_BAD_COMMITMENT";
	case MARKET_REVEAL_BAD_LEASE_ID:
		return "MARKET_REVEAL_BAD_LEASE_ID";
	case MARKET_REVEAL_LEASE_NOT_FOUND:
		return "MARKET_REVEAL_LEASE_NOT_FOUND";
	case MARKET_REVEAL_NOT_PROVIDER:
		return "MARKET_REVEAL_NOT_PROVIDER";
	case MARKET_REVEAL_NOT_REPLICATED:
		return "MARKET_REVEAL_NOT_REPLICATED";
	case MARKET_REVEAL_NOT_OPEN:
		return "MARKET_REVEAL_NOT_OPEN";
	case MARKET_REVEAL_CLOSED:
		return "MARKET_REVEAL_CLOSED";
	case MARKET_REVEAL_NOT_COMMITTED:
		return "MARKET_REVEAL_NOT_COMMITTED";
	case MARKET_REVEAL_DUPLICATE:
		return "MARKET_REVEAL_DUPLICATE";
	case MARKET_REVEAL_BAD_SALT:
		return "MARKET_REVEAL_BAD_SALT";
	case MARKET_REVEAL_BAD_RESULT_HASH:
		return "MARKET_REVEAL_BAD_RESULT_HASH";
	case MARKET_DISPUTE_BAD_LEASE_ID:
		return "MARKET_DISPUTE_BAD_LEASE_ID";
	case MARKET_DISPUTE_LEASE_NOT_FOUND:
		return "MARKET_DISPUTE_LEASE_NOT_FOUND";
	case MARKET_DISPUTE_NOT_CONSUMER:
		return "MARKET_DISPUTE_NOT_CONSUMER";
	case MARKET_DISPUTE_REPLICATED:
		return "MARKET_DISPUTE_REPLICATED";
	case MARKET_DISPUTE_NOT_RECEIPTED:
		return "MARKET_DISPUTE_NOT_RECEIPTED";
	case MARKET_DISPUTE_ALREADY_DISPUTED:
		return "MARKET_DISPUTE_ALREADY_DISPUTED";
	case MARKET_DISPUTE_WINDOW_CLOSED:
		return "MARKET_DISPUTE_WINDOW_CLOSED";
	case MARKET_DISPUTE_BAD_REASON:
		return "MARKET_DISPUTE_BAD_REASON";
	case MARKET_DISPUTE_INSUFFICIENT_BALANCE:
		return "MARKET_DISPUTE_INSUFFICIENT_BALANCE";
	case MARKET_UNMATCHED_NO_OFFERS:
		return "MARKET_UNMATCHED_NO_OFFERS";
	case MARKET_UNMATCHED_PRICE:
		return "MARKET_UNMATCHED_PRICE";
	case MARKET_UNMATCHED_OWN_OFFER:
		return "MARKET_UNMATCHED_OWN_OFFER";
	case MARKET_UNMATCHED_RUNTIME:
		return "MARKET_UNMATCHED_RUNTIME";
	case MARKET_UNMATCHED_CPU:
		return "MARKET_UNMATCHED_CPU";
	case MARKET_UNMATCHED_MEMORY:
		return "MARKET_UNMATCHED_MEMORY";
	case MARKET_UNMATCHED_DISK:
		return "MARKET_UNMATCHED_DISK";
	case MARKET_UNMATCHED_GPUS:
		return "MARKET_UNMATCHED_GPUS";
	case MARKET_UNMATCHED_DURATION:
		return "MARKET_UNMATCHED_DURATION";
	case MARKET_UNMATCHED_ATTRIBUTES:
		return "MARKET_UNMATCHED_ATTRIBUTES";
	case MARKET_UNMATCHED_REPUTATION:
		return "MARKET_UNMATCHED_REPUTATION";
	case MARKET_UNMATCHED_BOND:
		return "MARKET_UNMATCHED_BOND";
	case MARKET_UNMATCHED_JAILED:
		return "MARKET_UNMATCHED_JAILED";
	case MARKET_UNMATCHED_PROVIDERS:
		return "MARKET_UNMATCHED_PROVIDERS";
	case MARKET_UNMATCHED_SCAN_LIMIT:
		return "MARKET_UNMATCHED_SCAN_LIMIT";
	}
	return "unknown";
}

const char *rpcj_bid_state(Hearth__BidState s)
{
	switch (s) {
	case HEARTH__BID_STATE__BID_QUEUED:
		return "queued";
	case HEARTH__BID_STATE__BID_MATCHED:
		return "matched";
	case HEARTH__BID_STATE__BID_CANCELLED:
		return "cancelled";
	case HEARTH__BID_STATE__BID_EXPIRED:
		return "expired";
	case HEARTH__BID_STATE__BID_SETTLED:
		return "settled";
	case _HEARTH__BID_STATE_IS_INT_SIZE:
		break;
	}
	return "unknown";
}

const char *rpcj_lease_state(Hearth__LeaseState s)
{
	switch (s) {
	case HEARTH__LEASE_STATE__LEASE_ACTIVE:
		return "active";
	case HEARTH__LEASE_STATE__LEASE_RECEIPTED:
		return "receipted";
	case HEARTH__LEASE_STATE__LEASE_DISPUTED:
		return "disputed";
	case HEARTH__LEASE_STATE__LEASE_SETTLED:
		return "settled";
	case HEARTH__LEASE_STATE__LEASE_FAILED:
		return "failed";
	case _HEARTH__LEASE_STATE_IS_INT_SIZE:
		break;
	}
	return "unknown";
}

const char *rpcj_dispute_outcome(uint32_t outcome)
{
	static const char *const names[] = { "pending", "provider_right", "provider_wrong", "void",
					     "verifier_failed" };

	return outcome < sizeof(names) / sizeof(names[0]) ? names[outcome] : "unknown";
}
