/* reason.c: the messages of the ledger's rejection codes. */
#include "consensus/reason.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ledger_strerror(enum ledger_reason reason)
{
	switch (reason) {
	case LEDGER_OK:
		return "ok";
	case LEDGER_TX_TOO_LARGE:
		return "transaction larger than max_tx_bytes";
	case LEDGER_TX_MALFORMED:
		return "transaction envelope is not a valid Tx record";
	case LEDGER_TX_BODY_MALFORMED:
		return "transaction body is not a valid TxBody record";
	case LEDGER_TX_WRONG_CHAIN:
		return "transaction is for another chain id";
	case LEDGER_TX_BAD_SENDER:
		return "sender is not a valid public key";
	case LEDGER_TX_BAD_SIGNATURE:
		return "signature does not verify";
	case LEDGER_TX_FEE_TOO_LOW:
		return "fee below min_fee_per_byte times the transaction size";
	case LEDGER_TX_NONCE_REPLAYED:
		return "nonce already used";
	case LEDGER_TX_NONCE_GAP:
		return "nonce skips ahead of the account nonce + 1";
	case LEDGER_TX_NONCE_EXHAUSTED:
		return "account nonce cannot grow any further";
	case LEDGER_TX_FEE_UNPAYABLE:
		return "balance does not cover the fee";
	case LEDGER_TX_KIND_UNHANDLED:
		return "no module handles this transaction kind";
	case LEDGER_TRANSFER_ZERO_AMOUNT:
		return "transfer of zero";
	case LEDGER_TRANSFER_BAD_RECIPIENT:
		return "recipient is not a valid public key";
	case LEDGER_TRANSFER_INSUFFICIENT_BALANCE:
		return "balance does not cover the fee and the amount";
	case LEDGER_TRANSFER_OVERFLOW:
		return "recipient balance would overflow";
	case LEDGER_BOND_ZERO_AMOUNT:
		return "bond of zero";
	case LEDGER_BOND_INSUFFICIENT_BALANCE:
		return "balance does not cover the fee and the bond";
	case LEDGER_BOND_OVERFLOW:
		return "bonded stake would overflow";
	case LEDGER_BOND_JAILED:
		return "account is jailed and cannot bond";
	case LEDGER_UNBOND_ZERO_AMOUNT:
		return "unbond of zero";
	case LEDGER_UNBOND_EXCEEDS_BONDED:
		return "unbond of more than the bonded stake";
	case LEDGER_UNBOND_OVERFLOW:
		return "unbonding amount would overflow";
	case LEDGER_EVIDENCE_NO_VERIFIER:
		return "this node has no evidence verifier configured";
	case LEDGER_EVIDENCE_INVALID:
		return "evidence does not verify";
	case LEDGER_EVIDENCE_TOO_OLD:
		return "evidence older than unbonding_blocks";
	case LEDGER_EVIDENCE_FUTURE:
		return "evidence from a height not yet reached";
	case LEDGER_EVIDENCE_NO_STAKE:
		return "offender has no bonded stake";
	case LEDGER_EVIDENCE_ALREADY_JAILED:
		return "offender is already jailed";
	case LEDGER_MODULE_REJECTED:
		return "rejected by module";
	case LEDGER_BLOCK_TOO_LARGE:
		return "block larger than max_block_bytes";
	case LEDGER_BLOCK_MALFORMED:
		return "block is not a valid Block record";
	case LEDGER_BLOCK_HEADER_MALFORMED:
		return "block header is not a valid BlockHeader record";
	case LEDGER_BLOCK_WRONG_CHAIN:
		return "block is for another chain id";
	case LEDGER_BLOCK_WRONG_HEIGHT:
		return "block height is not the tip height + 1";
	case LEDGER_BLOCK_WRONG_PREV:
		return "block does not extend the tip";
	case LEDGER_BLOCK_TIME_NOT_INCREASING:
		return "block time is not after the previous block's";
	case LEDGER_BLOCK_WRONG_APP_HASH:
		return "block app_hash is not the tip's app hash";
	case LEDGER_BLOCK_WRONG_TX_ROOT:
		return "block tx_root is not the Merkle root of its txs";
	case LEDGER_BLOCK_WRONG_VALIDATORS:
		return "block validators_hash is not this height's set";
	case LEDGER_BLOCK_WRONG_NEXT_VALIDATORS:
		return "block next_validators_hash is not the next height's set";
	case LEDGER_BLOCK_BAD_PROPOSER:
		return "block proposer is not a validator of this height";
	case LEDGER_BLOCK_WRONG_LAST_COMMIT:
		return "block last commit does not match its header or the tip";
	case LEDGER_BLOCK_TOO_MANY_TXS:
		return "block has more than max_block_txs transactions";
	case LEDGER_BLOCK_BAD_TX:
		return "block contains an invalid transaction";
	case LEDGER_INTERNAL:
		return "internal error (state access or memory)";
	}
	return "unknown reason";
}

enum ledger_reason ledger_fail(struct ledger_error *err, enum ledger_reason reason, const char *fmt,
			       ...)
{
	va_list ap;
	int n;

	if (err == NULL)
		return reason;
	err->reason = reason;
	err->detail_code = 0;
	err->tx_index = 0;
	n = snprintf(err->text, sizeof(err->text), "%s", ledger_strerror(reason));
	if (fmt != NULL && fmt[0] != '\0' && n > 0 && (size_t)n + 2 < sizeof(err->text)) {
		memcpy(err->text + n, ": ", 3);
		va_start(ap, fmt);
		vsnprintf(err->text + n + 2, sizeof(err->text) - (size_t)n - 2, fmt, ap);
		va_end(ap);
	}
	return reason;
}

void ledger_error_clear(struct ledger_error *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
	err->reason = LEDGER_OK;
}
