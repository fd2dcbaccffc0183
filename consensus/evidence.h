/* evidence.h: proof that a validator signed two conflicting votes, built by
 * the engine when it sees them and checked by the ledger (which slashes and
 * jails) through evidence_verify.
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

enum evidence_status {
	EVIDENCE_OK = 0,
	EVIDENCE_NOT_CONFLICTING, /* different validator, height, round or type, or same target */
	EVIDENCE_NOT_CANONICAL,	  /* a's target does not sort before b's */
	EVIDENCE_UNKNOWN_VALIDATOR,
	EVIDENCE_BAD_SIGNATURE,
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
 * Out: msg, pointing into dv, a and b (which must outlive it; a and b also
 * borrow ev's buffers). */
struct evidence_proto {
	Hearth__Evidence msg;
	Hearth__DuplicateVote dv;
	Hearth__Vote a, b;
};
void evidence_to_proto(const struct duplicate_vote *ev, struct evidence_proto *p);

/* Encodes ev as a hearth.Evidence (kind duplicate_vote).
 * Out: *out (caller frees with free()), *out_len. Returns 0 or -1. */
__attribute__((warn_unused_result)) int evidence_encode(const struct duplicate_vote *ev,
							uint8_t **out, size_t *out_len);

/* Decodes a hearth.Evidence strictly. Signatures are not checked here (use
 * evidence_verify). Returns 0 or -1. */
__attribute__((warn_unused_result)) int evidence_decode(const uint8_t *data, size_t len,
							struct duplicate_vote *ev);

/* The evidence id: H("hearth/evidence", canonical encoding). Returns 0 or -1. */
__attribute__((warn_unused_result)) int evidence_id(const struct duplicate_vote *ev,
						    uint8_t out[HASH_SIZE]);

#endif
