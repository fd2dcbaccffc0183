/* evidence_proposal.h: duplicate-proposal evidence, proof that a validator
 * signed two different proposals for the same height and round (proposer
 * equivocation), as evidence.h is for duplicate votes.
 *
 * Two proposals conflict when they are of one proposer key, one height and
 * one round, and differ in what the signature covers besides those: the
 * block id or the pol_round. The canonical form orders them by block id
 * (bytewise), then pol_round, so one misbehaviour has exactly one encoding.
 * The evidence is valid when both signatures verify over their proposal
 * digests (proposal_digest, with the chain id), both pol_rounds are in
 * range, and the proposer is a member of the set given, which the caller
 * picks: the validator set of the proposals' height. Whether the proposer
 * was the designated proposer of that round is not checked: signing two
 * conflicting proposals is the offence either way. The age rules (not at
 * or above the block's height, at most unbonding_blocks below it), slashing
 * and jailing are the ledger's, exactly as for a duplicate vote. Pure: no
 * I/O. */
#ifndef HEARTH_CONSENSUS_EVIDENCE_PROPOSAL_H
#define HEARTH_CONSENSUS_EVIDENCE_PROPOSAL_H

#include <stdbool.h>

#include "consensus/evidence.h"

/* True when a and b are proposals of one proposer for the same height and
 * round with different block ids or pol_rounds. */
bool proposal_conflicts(const struct proposal_header *a, const struct proposal_header *b);

/* Builds the canonical evidence of two conflicting proposals (any order).
 * Out: ev. Returns 0, or -1 when they do not conflict. */
__attribute__((warn_unused_result)) int evidence_from_proposals(const struct proposal_header *x,
								const struct proposal_header *y,
								struct duplicate_proposal *ev);

/* Checks ev alone against set, the validator set of its height.
 * In: verifier (NULL: sig_verify).
 * Returns EVIDENCE_OK or the first failure, in this order:
 * EVIDENCE_DIFFERENT_HEIGHT, _DIFFERENT_ROUND, _DIFFERENT_SIGNER,
 * _SAME_PROPOSAL, _NOT_CANONICAL, _BAD_POL_ROUND, _UNKNOWN_VALIDATOR,
 * _BAD_SIGNATURE (which a proposal signed for another chain id gets). */
__attribute__((warn_unused_result)) enum evidence_status
evidence_proposal_verify(const char *chain_id, const struct duplicate_proposal *ev,
			 const struct validator_set *set, const struct sig_verifier *verifier);

/* Fills msg (initialised here) with views into p: msg borrows p's buffers
 * and must not outlive it. */
void signed_proposal_to_proto(const struct proposal_header *p, Hearth__SignedProposal *msg);

/* Copies a decoded hearth.SignedProposal into p, checking field sizes.
 * Returns 0, or -1 for a wrong size. */
__attribute__((warn_unused_result)) int
signed_proposal_from_proto(const Hearth__SignedProposal *msg, struct proposal_header *p);

#endif
