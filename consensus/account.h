/* account.h: account records (Account under KEY_ACCOUNT || pubkey). An
 * account that was never written reads as all zeros; the ledger writes it on
 * its first tx or credit. The validator flag (a candidate for the validator
 * set) is stored only when true, and staking keeps it only while bonded > 0. */
#ifndef HEARTH_CONSENSUS_ACCOUNT_H
#define HEARTH_CONSENSUS_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/state.h"

struct account {
	uint64_t balance;   /* spendable */
	uint64_t nonce;	    /* nonce of the last applied tx (0: none yet) */
	uint64_t bonded;    /* stake: provider bond, and voting power if validator */
	uint64_t unbonding; /* stake on its way back (sum of the unbonding queue) */
	bool validator;	    /* a validator candidate (Bond.validator, genesis) */
};

/* Out: *acct (zeros when the account does not exist).
 * Returns STATE_OK (found or not) or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
account_load(const struct state *st, const uint8_t key[PUBKEY_SIZE], struct account *acct);

/* Writes acct. Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
account_store(const struct state *st, const uint8_t key[PUBKEY_SIZE], const struct account *acct);

/* Adds amount to key's balance (creating the account).
 * Returns 0, 1 when the balance would overflow (nothing written), -1 on a
 * state error. */
__attribute__((warn_unused_result)) int
account_credit(const struct state *st, const uint8_t key[PUBKEY_SIZE], uint64_t amount);

/* Decodes an Account record value. Returns 0 or -1. */
__attribute__((warn_unused_result)) int account_decode(const uint8_t *val, size_t len,
						       struct account *acct);

#endif
