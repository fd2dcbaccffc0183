/* reason.h: why the ledger refuses a transaction or a block. Every rejection
 * has its own code (stable: these become RPC error data, so values are never
 * renumbered; new ones are appended) and a fixed message from
 * ledger_strerror; struct ledger_error adds a one-line detail. */
#ifndef HEARTH_CONSENSUS_REASON_H
#define HEARTH_CONSENSUS_REASON_H

#include <stdint.h>

enum ledger_reason {
	LEDGER_OK = 0,
	/* stateless checks of a tx (consensus/tx.c) */
	LEDGER_TX_TOO_LARGE = 1,
	LEDGER_TX_MALFORMED = 2,
	LEDGER_TX_BODY_MALFORMED = 3,
	LEDGER_TX_WRONG_CHAIN = 4,
	LEDGER_TX_BAD_SENDER = 5,
	LEDGER_TX_BAD_SIGNATURE = 6,
	LEDGER_TX_FEE_TOO_LOW = 7,
	/* stateful checks common to every tx (consensus/ledger.c) */
	LEDGER_TX_NONCE_REPLAYED = 20,
	LEDGER_TX_NONCE_GAP = 21,
	LEDGER_TX_NONCE_EXHAUSTED = 22,
	LEDGER_TX_FEE_UNPAYABLE = 23,
	LEDGER_TX_KIND_UNHANDLED = 24,
	/* transfer */
	LEDGER_TRANSFER_ZERO_AMOUNT = 40,
	LEDGER_TRANSFER_BAD_RECIPIENT = 41,
	LEDGER_TRANSFER_INSUFFICIENT_BALANCE = 42,
	LEDGER_TRANSFER_OVERFLOW = 43,
	/* staking */
	LEDGER_BOND_ZERO_AMOUNT = 60,
	LEDGER_BOND_INSUFFICIENT_BALANCE = 61,
	LEDGER_BOND_OVERFLOW = 62,
	LEDGER_BOND_JAILED = 63,
	LEDGER_UNBOND_ZERO_AMOUNT = 64,
	LEDGER_UNBOND_EXCEEDS_BONDED = 65,
	LEDGER_UNBOND_OVERFLOW = 66,
	LEDGER_EVIDENCE_NO_VERIFIER = 70,
	LEDGER_EVIDENCE_INVALID = 71,
	LEDGER_EVIDENCE_TOO_OLD = 72,
	LEDGER_EVIDENCE_FUTURE = 73,
	LEDGER_EVIDENCE_NO_STAKE = 74,
	LEDGER_EVIDENCE_ALREADY_JAILED = 75,
	/* a module outside consensus/ refused; detail_code says why */
	LEDGER_MODULE_REJECTED = 90,
	/* blocks (consensus/block.c, ledger.c) */
	LEDGER_BLOCK_TOO_LARGE = 100,
	LEDGER_BLOCK_MALFORMED = 101,
	LEDGER_BLOCK_HEADER_MALFORMED = 102,
	LEDGER_BLOCK_WRONG_CHAIN = 103,
	LEDGER_BLOCK_WRONG_HEIGHT = 104,
	LEDGER_BLOCK_WRONG_PREV = 105,
	LEDGER_BLOCK_TIME_NOT_INCREASING = 106,
	LEDGER_BLOCK_WRONG_APP_HASH = 107,
	LEDGER_BLOCK_WRONG_TX_ROOT = 108,
	LEDGER_BLOCK_WRONG_VALIDATORS = 109,
	LEDGER_BLOCK_WRONG_NEXT_VALIDATORS = 110,
	LEDGER_BLOCK_BAD_PROPOSER = 111,
	LEDGER_BLOCK_WRONG_LAST_COMMIT = 112,
	LEDGER_BLOCK_TOO_MANY_TXS = 113,
	LEDGER_BLOCK_BAD_TX = 114,
	/* the node's fault, not the tx's: state I/O or memory */
	LEDGER_INTERNAL = 200,
};

/* Most detail any rejection carries. */
struct ledger_error {
	enum ledger_reason reason;
	uint32_t detail_code; /* module's own code for LEDGER_MODULE_REJECTED; in a
			       * block rejected for a tx, the tx's reason */
	uint32_t tx_index;    /* LEDGER_BLOCK_BAD_TX: which tx of the block */
	char text[200];	      /* one line: the message and the values involved */
};

/* The fixed message of reason. Never NULL. */
const char *ledger_strerror(enum ledger_reason reason);

/* Fills err (may be NULL) with reason and a printf-style detail appended to
 * ledger_strerror(reason). Returns reason, so callers can write
 * `return ledger_fail(err, LEDGER_..., "...")`. */
__attribute__((format(printf, 3, 4))) enum ledger_reason
ledger_fail(struct ledger_error *err, enum ledger_reason reason, const char *fmt, ...);

/* Clears err (may be NULL) to LEDGER_OK. */
void ledger_error_clear(struct ledger_error *err);

#endif
