/* reason.c: the messages of the market's reason codes. */
#include "market/reason.h"

#include <stdarg.h>
#include <stdio.h>

static const char *reason_text(enum market_reason r)
{
	switch (r) {
	case MARKET_OK:
		return "ok";
	case MARKET_OFFER_NO_BOND:
		return "provider bond below min_provider_bond";
	case MARKET_OFFER_JAILED:
		return "provider is jailed";
	case MARKET_OFFER_ZERO_SLOTS:
		return "offer has no slot";
	case MARKET_OFFER_TOO_MANY_SLOTS:
		return "offer has too many slots";
	case MARKET_OFFER_BAD_RESOURCES:
		return "offer resources need cpu and memory";
	case MARKET_OFFER_NO_RUNTIME:
		return "offer names no runtime";
	case MARKET_OFFER_BAD_RUNTIME:
		return "offer runtime empty, too long, repeated or too many";
	case MARKET_OFFER_BAD_ATTRIBUTE:
		return "offer attribute empty, too long, repeated key or too many";
	case MARKET_OFFER_ZERO_DURATION:
		return "offer max duration is zero";
	case MARKET_OFFER_DURATION_TOO_LONG:
		return "offer max duration too long";
	case MARKET_OFFER_EXPIRED:
		return "offer expiry height not above the current height";
	case MARKET_CANCEL_OFFER_BAD_ID:
		return "offer id is not 32 bytes";
	case MARKET_CANCEL_OFFER_NOT_FOUND:
		return "no such open offer";
	case MARKET_CANCEL_OFFER_NOT_OWNER:
		return "offer belongs to another provider";
	case MARKET_CANCEL_OFFER_HAS_LEASES:
		return "offer has active leases";
	case MARKET_BID_ZERO_REPLICAS:
		return "bid asks for zero replicas";
	case MARKET_BID_TOO_MANY_REPLICAS:
		return "bid asks for too many replicas";
	case MARKET_BID_BAD_RESOURCES:
		return "bid resources need cpu and memory";
	case MARKET_BID_BAD_RUNTIME:
		return "bid runtime empty or too long";
	case MARKET_BID_BAD_ATTRIBUTE:
		return "bid attribute empty, too long, repeated key or too many";
	case MARKET_BID_BAD_REPUTATION:
		return "bid minimum reputation above 100";
	case MARKET_BID_ZERO_DURATION:
		return "bid max duration is zero";
	case MARKET_BID_DURATION_TOO_LONG:
		return "bid max duration too long";
	case MARKET_BID_EMPTY_ARGV:
		return "bid job has no argv";
	case MARKET_BID_TWO_INPUTS:
		return "bid job has both an inline input and an input hash";
	case MARKET_BID_INPUT_TOO_LARGE:
		return "bid inline input above max_inline_input_bytes";
	case MARKET_BID_BAD_INPUT_HASH:
		return "bid input hash is not 32 bytes";
	case MARKET_BID_BAD_RESULT_KEY:
		return "bid result key is not 32 bytes";
	case MARKET_BID_EXPIRED:
		return "bid expiry height not above the current height";
	case MARKET_BID_ESCROW_OVERFLOW:
		return "bid escrow (price x duration x replicas) overflows";
	case MARKET_BID_INSUFFICIENT_BALANCE:
		return "balance below the bid escrow";
	case MARKET_BID_BAD_INPUT_URL:
		return "bid input url is not an http:// URL of at most 256 printable bytes";
	case MARKET_BID_URL_WITHOUT_HASH:
		return "bid input url without an input hash";
	case MARKET_CANCEL_BID_BAD_ID:
		return "bid id is not 32 bytes";
	case MARKET_CANCEL_BID_NOT_FOUND:
		return "no such bid";
	case MARKET_CANCEL_BID_NOT_OWNER:
		return "bid belongs to another consumer";
	case MARKET_CANCEL_BID_NOT_QUEUED:
		return "bid is no longer queued";
	case MARKET_RECEIPT_BAD_LEASE_ID:
		return "lease id is not 32 bytes";
	case MARKET_RECEIPT_LEASE_NOT_FOUND:
		return "no such lease";
	case MARKET_RECEIPT_NOT_PROVIDER:
		return "lease belongs to another provider";
	case MARKET_RECEIPT_REPLICATED:
		return "lease has replicas: commit then reveal";
	case MARKET_RECEIPT_AFTER_DEADLINE:
		return "lease deadline has passed";
	case MARKET_RECEIPT_NOT_ACTIVE:
		return "lease already has a receipt";
	case MARKET_RECEIPT_BAD_RESULT_HASH:
		return "result hash is not 32 bytes";
	case MARKET_COMMIT_BAD_LEASE_ID:
		return "commit: lease id is not 32 bytes";
	case MARKET_COMMIT_LEASE_NOT_FOUND:
		return "commit: no such lease";
	case MARKET_COMMIT_NOT_PROVIDER:
		return "commit: lease belongs to another provider";
	case MARKET_COMMIT_NOT_REPLICATED:
		return "commit: lease has one replica: send a receipt";
	case MARKET_COMMIT_AFTER_DEADLINE:
		return "commit: lease deadline has passed";
	case MARKET_COMMIT_NOT_ACTIVE:
		return "commit: lease already committed";
	case MARKET_COMMIT_BAD_COMMITMENT:
		return "commit: commitment is not 32 bytes";
	case MARKET_REVEAL_BAD_LEASE_ID:
		return "reveal: lease id is not 32 bytes";
	case MARKET_REVEAL_LEASE_NOT_FOUND:
		return "reveal: no such lease";
	case MARKET_REVEAL_NOT_PROVIDER:
		return "reveal: lease belongs to another provider";
	case MARKET_REVEAL_NOT_REPLICATED:
		return "reveal: lease has one replica";
	case MARKET_REVEAL_NOT_OPEN:
		return "reveal: not every replica has committed";
	case MARKET_REVEAL_CLOSED:
		return "reveal: the reveal window has closed";
	case MARKET_REVEAL_NOT_COMMITTED:
		return "reveal: lease has no commitment";
	case MARKET_REVEAL_DUPLICATE:
		return "reveal: already revealed";
	case MARKET_REVEAL_BAD_SALT:
		return "reveal: salt must be 1 to 64 bytes";
	case MARKET_REVEAL_BAD_RESULT_HASH:
		return "reveal: result hash is not 32 bytes";
	case MARKET_DISPUTE_BAD_LEASE_ID:
		return "dispute: lease id is not 32 bytes";
	case MARKET_DISPUTE_LEASE_NOT_FOUND:
		return "dispute: no such lease";
	case MARKET_DISPUTE_NOT_CONSUMER:
		return "dispute: lease belongs to another consumer";
	case MARKET_DISPUTE_REPLICATED:
		return "dispute: replicated and verifier leases are settled by their results";
	case MARKET_DISPUTE_NOT_RECEIPTED:
		return "dispute: lease has no receipt yet";
	case MARKET_DISPUTE_ALREADY_DISPUTED:
		return "dispute: lease is already disputed";
	case MARKET_DISPUTE_WINDOW_CLOSED:
		return "dispute: the challenge window has closed";
	case MARKET_DISPUTE_BAD_REASON:
		return "dispute: reason longer than 256 bytes";
	case MARKET_DISPUTE_INSUFFICIENT_BALANCE:
		return "dispute: balance below the dispute bond";
	case MARKET_UNMATCHED_NO_OFFERS:
		return "no open offer with a free slot";
	case MARKET_UNMATCHED_PRICE:
		return "max price below every ask";
	case MARKET_UNMATCHED_OWN_OFFER:
		return "only the consumer's own offers are within price";
	case MARKET_UNMATCHED_RUNTIME:
		return "runtime not offered";
	case MARKET_UNMATCHED_CPU:
		return "no offer with enough cpu";
	case MARKET_UNMATCHED_MEMORY:
		return "no offer with enough memory";
	case MARKET_UNMATCHED_DISK:
		return "no offer with enough disk";
	case MARKET_UNMATCHED_GPUS:
		return "no offer with enough gpus";
	case MARKET_UNMATCHED_DURATION:
		return "no offer allows the max duration";
	case MARKET_UNMATCHED_ATTRIBUTES:
		return "no offer has the required attributes";
	case MARKET_UNMATCHED_REPUTATION:
		return "no provider meets the minimum reputation";
	case MARKET_UNMATCHED_BOND:
		return "fitting providers are bonded below min_provider_bond";
	case MARKET_UNMATCHED_JAILED:
		return "fitting providers are jailed";
	case MARKET_UNMATCHED_PROVIDERS:
		return "fewer distinct fitting providers than replicas";
	case MARKET_UNMATCHED_SCAN_LIMIT:
		return "no fit among the offers examined (match_offers_per_bid)";
	}
	return NULL;
}

const char *market_strreason(uint32_t code)
{
	const char *s =
		code <= MARKET_UNMATCHED_SCAN_LIMIT ? reason_text((enum market_reason)code) : NULL;

	return s != NULL ? s : "unknown market reason";
}

enum ledger_reason market_fail(struct ledger_error *err, enum market_reason code, const char *fmt,
			       ...)
{
	va_list ap;
	int n;

	if (err == NULL)
		return LEDGER_MODULE_REJECTED;
	err->reason = LEDGER_MODULE_REJECTED;
	err->detail_code = (uint32_t)code;
	n = snprintf(err->text, sizeof(err->text), "market: %s", market_strreason(code));
	if (fmt != NULL && n > 0 && (size_t)n < sizeof(err->text) - 2) {
		err->text[n++] = ':';
		err->text[n++] = ' ';
		err->text[n] = '\0';
		va_start(ap, fmt);
		(void)vsnprintf(err->text + n, sizeof(err->text) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return LEDGER_MODULE_REJECTED;
}
