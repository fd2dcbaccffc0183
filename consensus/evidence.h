/* evidence.h: proof that a validator signed two conflicting votes or two
 * conflicting proposals, built by the engine when it sees them and checked
 * by the ledger (which slashes and jails) through evidence_verify_any.
 * struct evidence holds either kind; the duplicate-proposal rules are in
 * evidence_proposal.h.
 *
 * A duplicate vote is two votes by one validator for the same height, round
 * and type and different targets (two block ids, or a block and nil), both
 * validly signed. Its canonical form orders the two votes by target (nil
 * first, then block ids in byte order), so one misbehaviour has exactly one
 * encoding and one id. What this module does NOT check is the ledger's
 * business: that the evidence is not older than the chain's maximum evidence
 * age, that it was not already applied, and that `set` is the validator set
 * of the votes' height. */
#ifndef HEARTH_CONSENSUS_EVIDENCE_H
#define HEARTH_CONSENSUS_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/validators.h"
#include "consensus/vote.h"

#define EVIDENCE_ENCODED_MAX (2 * VOTE_ENCODED_MAX + 16)

struct duplicate_vote {
	struct vote a;
	struct vote b;
};

/* Two proposals of one validator for the same height and round with
 * different content (block id or pol_round), a before b in canonical order
 * (block id bytewise, then pol_round). */
struct duplicate_proposal {
	struct proposal_header a;
	struct proposal_header b;
};

enum evidence_kind {
	EVIDENCE_KIND_DUPLICATE_VOTE,
	EVIDENCE_KIND_DUPLICATE_PROPOSAL,
};

/* One piece of evidence of either kind. */
struct evidence {
	enum evidence_kind kind;
	union {
		struct duplicate_vote vote;
		struct duplicate_proposal proposal;
	} u;
};

enum evidence_status {
	EVIDENCE_OK = 0,
	EVIDENCE_NOT_CONFLICTING, /* different validator, height, round or type, or same target */
	EVIDENCE_NOT_CANONICAL,	  /* a's target does not sort before b's */
	EVIDENCE_UNKNOWN_VALIDATOR,
	EVIDENCE_BAD_SIGNATURE,
	/* duplicate proposals only (evidence_proposal_verify) */
	EVIDENCE_DIFFERENT_HEIGHT,
	EVIDENCE_DIFFERENT_ROUND,
	EVIDENCE_DIFFERENT_SIGNER,
	EVIDENCE_SAME_PROPOSAL, /* same block id and pol_round */
	EVIDENCE_BAD_POL_ROUND, /* pol_round not in -1 .. round - 1 */
};

/* Builds the canonical evidence of two conflicting votes (given in any order).
 * Out: ev. Returns 0, or -1 when the votes do not conflict. */
__attribute__((warn_unused_result)) int
evidence_from_votes(const struct vote *x, const struct vote *y, struct duplicate_vote *ev);

/* Checks ev alone against the validator set of the votes' height.
 * Returns EVIDENCE_OK or the first failure. */
__attribute__((warn_unused_result)) enum evidence_status
evidence_verify(const char *chain_id, const struct duplicate_vote *ev,
		const struct validator_set *set);

/* evidence_verify with a chosen signature check (NULL: sig_verify). */
__attribute__((warn_unused_result)) enum evidence_status
evidence_verify_with(const char *chain_id, const struct duplicate_vote *ev,
		     const struct validator_set *set, const struct sig_verifier *verifier);

/* A one-line description of status. Never NULL. */
const char *evidence_strerror(enum evidence_status status);

/* The protobuf view of ev, for encoders that embed it (a tx body).
 * Out: p->msg, pointing into p's other members (which must outlive it; they
 * also borrow ev's buffers). */
struct evidence_proto {
	Hearth__Evidence msg;
	Hearth__DuplicateVote dv;
	Hearth__Vote a, b;
	Hearth__DuplicateProposal dp;
	Hearth__SignedProposal pa, pb;
};
void evidence_to_proto(const struct evidence *ev, struct evidence_proto *p);

/* Copies a decoded hearth.Evidence of either kind into ev, checking field
 * sizes (not signatures). Returns 0, or -1 (no kind, a wrong size). */
__attribute__((warn_unused_result)) int evidence_from_proto(const Hearth__Evidence *msg,
							    struct evidence *ev);

/* Checks ev of either kind alone against the validator set of its height
 * (evidence_verify_with or evidence_proposal_verify).
 * Returns EVIDENCE_OK or the first failure. */
__attribute__((warn_unused_result)) enum evidence_status
evidence_verify_any(const char *chain_id, const struct evidence *ev,
		    const struct validator_set *set, const struct sig_verifier *verifier);

/* The height, round and offender (the key that signed both) of ev. */
uint64_t evidence_height(const struct evidence *ev);
uint32_t evidence_round(const struct evidence *ev);
const uint8_t *evidence_offender(const struct evidence *ev);

/* "vote" or "proposal": what the offender signed twice. Never NULL. */
const char *evidence_kind_name(enum evidence_kind kind);

/* Out: ev, the evidence of kind duplicate vote holding dv. */
void evidence_of_votes(const struct duplicate_vote *dv, struct evidence *ev);

/* The functions below handle duplicate votes only (the simulator's
 * evidence); struct evidence goes through evidence_to_proto.
 * Encodes ev as a hearth.Evidence (kind duplicate_vote).
 * Out: *out (caller frees with free()), *out_len. Returns 0 or -1. */
__attribute__((warn_unused_result)) int evidence_encode(const struct duplicate_vote *ev,
							uint8_t **out, size_t *out_len);

/* Decodes a hearth.Evidence of kind duplicate_vote strictly. Signatures are
 * not checked here (use evidence_verify). Returns 0 or -1. */
__attribute__((warn_unused_result)) int evidence_decode(const uint8_t *data, size_t len,
							struct duplicate_vote *ev);

/* The evidence id: H("hearth/evidence", canonical encoding). Returns 0 or -1. */
__attribute__((warn_unused_result)) int evidence_id(const struct duplicate_vote *ev,
						    uint8_t out[HASH_SIZE]);

#endif
