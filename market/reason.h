/* reason.h: why the market refuses a transaction, and why a queued bid is not
 * matched yet. The ledger reports a market refusal as LEDGER_MODULE_REJECTED
 * with one of these codes in err->detail_code; a bid's last matching attempt
 * is stored in BidRecord.unmatched_reason (market_explain_bid). Codes are
 * stable (RPC error data): never renumbered, new ones appended. doc/market.md
 * lists every code with its rule. */
#ifndef HEARTH_MARKET_REASON_H
#define HEARTH_MARKET_REASON_H

#include "consensus/reason.h"

enum market_reason {
	MARKET_OK = 0,
	/* offer */
	MARKET_OFFER_NO_BOND = 1,
	MARKET_OFFER_JAILED = 2,
	MARKET_OFFER_ZERO_SLOTS = 3,
	MARKET_OFFER_TOO_MANY_SLOTS = 4,
	MARKET_OFFER_BAD_RESOURCES = 5,
	MARKET_OFFER_NO_RUNTIME = 6,
	MARKET_OFFER_BAD_RUNTIME = 7,
	MARKET_OFFER_BAD_ATTRIBUTE = 8,
	MARKET_OFFER_ZERO_DURATION = 9,
	MARKET_OFFER_DURATION_TOO_LONG = 10,
	MARKET_OFFER_EXPIRED = 11,
	/* cancel_offer */
	MARKET_CANCEL_OFFER_BAD_ID = 20,
	MARKET_CANCEL_OFFER_NOT_FOUND = 21,
	MARKET_CANCEL_OFFER_NOT_OWNER = 22,
	MARKET_CANCEL_OFFER_HAS_LEASES = 23,
	/* bid */
	MARKET_BID_ZERO_REPLICAS = 30,
	MARKET_BID_TOO_MANY_REPLICAS = 31,
	MARKET_BID_BAD_RESOURCES = 32,
	MARKET_BID_BAD_RUNTIME = 33,
	MARKET_BID_BAD_ATTRIBUTE = 34,
	MARKET_BID_BAD_REPUTATION = 35,
	MARKET_BID_ZERO_DURATION = 36,
	MARKET_BID_DURATION_TOO_LONG = 37,
	MARKET_BID_EMPTY_ARGV = 38,
	MARKET_BID_TWO_INPUTS = 39,
	MARKET_BID_INPUT_TOO_LARGE = 40,
	MARKET_BID_BAD_INPUT_HASH = 41,
	MARKET_BID_BAD_RESULT_KEY = 42,
	MARKET_BID_EXPIRED = 43,
	MARKET_BID_ESCROW_OVERFLOW = 44,
	MARKET_BID_INSUFFICIENT_BALANCE = 45,
	/* cancel_bid */
	MARKET_CANCEL_BID_BAD_ID = 50,
	MARKET_CANCEL_BID_NOT_FOUND = 51,
	MARKET_CANCEL_BID_NOT_OWNER = 52,
	MARKET_CANCEL_BID_NOT_QUEUED = 53,
	/* receipt */
	MARKET_RECEIPT_BAD_LEASE_ID = 60,
	MARKET_RECEIPT_LEASE_NOT_FOUND = 61,
	MARKET_RECEIPT_NOT_PROVIDER = 62,
	MARKET_RECEIPT_REPLICATED = 63,
	MARKET_RECEIPT_AFTER_DEADLINE = 64,
	MARKET_RECEIPT_NOT_ACTIVE = 65,
	MARKET_RECEIPT_BAD_RESULT_HASH = 66,
	/* why a queued bid was not matched in its last attempt; the filters
	 * are listed in the order matching applies them to an offer */
	MARKET_UNMATCHED_NO_OFFERS = 100,
	MARKET_UNMATCHED_PRICE = 101,
	MARKET_UNMATCHED_OWN_OFFER = 102,
	MARKET_UNMATCHED_RUNTIME = 103,
	MARKET_UNMATCHED_CPU = 104,
	MARKET_UNMATCHED_MEMORY = 105,
	MARKET_UNMATCHED_DISK = 106,
	MARKET_UNMATCHED_GPUS = 107,
	MARKET_UNMATCHED_DURATION = 108,
	MARKET_UNMATCHED_ATTRIBUTES = 109,
	MARKET_UNMATCHED_REPUTATION = 110,
	MARKET_UNMATCHED_BOND = 111,
	MARKET_UNMATCHED_JAILED = 112,
	MARKET_UNMATCHED_PROVIDERS = 113,
	MARKET_UNMATCHED_SCAN_LIMIT = 114,
};

/* The fixed message of code (a market_reason value, or 0). Never NULL;
 * "unknown market reason" for a code that is not one. */
const char *market_strreason(uint32_t code);

/* Fills err for a market refusal: reason LEDGER_MODULE_REJECTED, detail_code
 * code, text "market: <message>: <detail>". Returns LEDGER_MODULE_REJECTED. */
__attribute__((format(printf, 3, 4))) enum ledger_reason
market_fail(struct ledger_error *err, enum market_reason code, const char *fmt, ...);

#endif
