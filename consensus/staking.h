/* staking.h: bonded stake, the unbonding queue, jailing and slashing, and the
 * choice of the validator set: the top max_validators non-jailed validator
 * candidates by bonded stake (ties broken by the smaller key), with voting
 * power = bonded stake. The set chosen at the end of block H takes effect at
 * H + 2.
 *
 * Bonding does not imply validating: a plain bond only adds stake (what a
 * provider needs to offer, slashable by the market). An account becomes a
 * candidate with a bond whose validator flag is true (or as a genesis
 * validator), stays one across later bonds, and stops being one when its
 * bonded stake reaches zero (unbond or slash); jailing removes it from the
 * ranking as before. The flag is Account.validator.
 *
 * Stored (consensus/keys.h):
 *  - KEY_STAKE_INDEX || (UINT64_MAX - bonded) || key for every non-jailed
 *    candidate with bonded > 0, so ascending iteration is the ranking;
 *  - KEY_UNBONDING || release height || key -> UnbondingEntry (amounts of the
 *    same account and release height are merged);
 *  - KEY_VALIDATOR_SET || (UINT64_MAX - from height) -> ValidatorSet, written
 *    only when the set changes, so the set of height H is the first entry at
 *    or after KEY_VALIDATOR_SET || (UINT64_MAX - H);
 *  - KEY_JAILED || key for jailed accounts (jailing is permanent for now).
 *
 * If the selection is ever empty (every validator unbonded or jailed), the
 * current set stays in force rather than leaving the chain without voters.
 * Proposer priorities are stored as 0: the BFT engine maintains them. */
#ifndef HEARTH_CONSENSUS_STAKING_H
#define HEARTH_CONSENSUS_STAKING_H

#include <stdbool.h>
#include <stdint.h>

#include "consensus/module.h"
#include "consensus/params.h"
#include "consensus/state.h"
#include "consensus/validators.h"

/* The staking module's table (bond, unbond, evidence). */
extern const struct ledger_module staking_module;

/* The set in force at height.
 * Out: *set. Returns STATE_OK, STATE_NOT_FOUND (no set recorded at or below
 * height) or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
staking_load_set(const struct state *st, uint64_t height, struct validator_set *set);

/* Records set as the set in force from height on. Returns STATE_OK or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
staking_store_set(const struct state *st, uint64_t height, const struct validator_set *set);

/* The top max_validators of the stake index (candidates only).
 * Out: *set (count 0 when nobody is bonded). Returns STATE_OK or STATE_ERROR
 * (including a total power above INT64_MAX). */
__attribute__((warn_unused_result)) enum state_status
staking_select(const struct state *st, uint32_t max_validators, struct validator_set *set);

/* Moves the stake index entry of key from old_bonded to new_bonded (either
 * may be 0, meaning no entry). Callers pass 0 for a jailed account and for
 * one that is not a validator candidate. */
__attribute__((warn_unused_result)) enum state_status
staking_reindex(const struct state *st, const uint8_t key[PUBKEY_SIZE], uint64_t old_bonded,
		uint64_t new_bonded);

/* Out: *jailed. Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
staking_is_jailed(const struct state *st, const uint8_t key[PUBKEY_SIZE], bool *jailed);

/* Slashes and jails key: burns floor(amount * fraction_ppm / 10^6) of its
 * bonded stake and of each of its unbonding entries released at or after
 * unbonding_from (UINT64_MAX: none), so stake that was still at risk when
 * the offence happened cannot escape by unbonding; the supply's burned
 * counter grows by the total. The account leaves the stake index and is
 * marked jailed, so the set chosen at the end of this block (in force two
 * heights later) no longer holds it.
 * Out: *slashed (may be NULL), the total burned.
 * Returns LEDGER_OK, LEDGER_EVIDENCE_ALREADY_JAILED, LEDGER_EVIDENCE_NO_STAKE
 * (nothing bonded and nothing slashable unbonding) or LEDGER_INTERNAL. */
__attribute__((warn_unused_result)) enum ledger_reason
staking_slash_and_jail(const struct state *st, const uint8_t key[PUBKEY_SIZE],
		       uint32_t fraction_ppm, uint64_t unbonding_from, uint64_t *slashed,
		       struct ledger_error *err);

/* Slashes key without jailing it (the market's penalties: a provider that
 * misses a deadline or reports a wrong result): burns floor(amount *
 * fraction_ppm / 10^6) of its bonded stake and of each of its unbonding
 * entries released at or after unbonding_from (UINT64_MAX: none), moves its
 * stake index entry (unless jailed), and adds the total to the supply's
 * burned counter. Nothing at stake is not an error: *slashed is then 0.
 * In:  reward_to (may be NULL): an account paid up to reward_max out of the
 *      slashed amount instead of burning it (a dispute's verifier).
 * Out: *slashed (may be NULL), the total taken from the stake; *rewarded
 *      (may be NULL), the part credited to reward_to (the rest is burned).
 * Returns LEDGER_OK or LEDGER_INTERNAL. */
__attribute__((warn_unused_result)) enum ledger_reason
staking_slash(const struct state *st, const uint8_t key[PUBKEY_SIZE], uint32_t fraction_ppm,
	      uint64_t unbonding_from, const uint8_t *reward_to, uint64_t reward_max,
	      uint64_t *slashed, uint64_t *rewarded, struct ledger_error *err);

/* End of block height: returns every unbonding entry released at height to
 * its account's balance, then records the set for height + 2 if it differs
 * from the set of height + 1. Returns LEDGER_OK or LEDGER_INTERNAL. */
__attribute__((warn_unused_result)) enum ledger_reason staking_end_block(const struct state *st,
									 const struct params *p,
									 uint64_t height,
									 struct ledger_error *err);

#endif
