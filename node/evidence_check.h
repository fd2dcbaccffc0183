/* evidence_check.h: the node's evidence verifier, the ledger_config
 * callback that lets the staking module accept evidence txs (without it
 * every one is rejected with LEDGER_EVIDENCE_NO_VERIFIER).
 *
 * A duplicate vote or a duplicate proposal is checked with
 * evidence_verify_any against the validator set in force at its height, read from the state the tx
 * applies to (staking_load_set: the staking module keeps every set the chain ever had, one record
 * per change, so the set of any past height is there). How old evidence may be is the ledger's
 * rule, not this file's: the staking module rejects evidence of a height not below the block's
 * (LEDGER_EVIDENCE_FUTURE) or more than unbonding_blocks below it (LEDGER_EVIDENCE_TOO_OLD), before
 * this verifier runs. The node (chain.c) and verifychain install the same
 * verifier, so both replay a chain with evidence alike. */
#ifndef HEARTH_NODE_EVIDENCE_CHECK_H
#define HEARTH_NODE_EVIDENCE_CHECK_H

#include <stdint.h>

#include "consensus/ledger.h"

/* The ledger_evidence_verify_fn of the node (arg is unused).
 * In:  chain_id; st: the state the evidence tx applies to; ev.
 * Out: offender, the key of the validator that signed both votes (or both
 * proposals).
 * Returns 0 when ev is a valid duplicate vote or duplicate proposal of a
 * member of the set in force at its height, -1 otherwise (malformed, no set
 * at that height, any evidence_status failure, state failure, no memory). */
__attribute__((warn_unused_result)) int evidence_check_verify(void *arg, const char *chain_id,
							      const struct state *st,
							      const Hearth__Evidence *ev,
							      uint8_t offender[PUBKEY_SIZE]);

/* Installs evidence_check_verify in cfg (before ledger_init). */
void evidence_check_install(struct ledger_config *cfg);

#endif
