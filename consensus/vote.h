/* vote.h: signed votes, signed proposals and commit certificates of the BFT
 * engine, independent of the engine so that block sync, light clients and the
 * ledger's evidence check can use them alone.
 *
 * A vote signs    H("hearth/vote", chain id, height, round, type, block id)
 * a proposal signs H("hearth/proposal", chain id, height, round, pol round,
 *                    block id)
 * where the chain id and the block id enter as length-prefixed bytes
 * (hash_bytes) and a vote for nil has an empty block id. A commit certificate
 * is the precommits of more than 2/3 of the voting power for one block id at
 * one (height, round), sorted by validator key. */
#ifndef HEARTH_CONSENSUS_VOTE_H
#define HEARTH_CONSENSUS_VOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/validators.h"
#include "proto/hearth.pb-c.h"

/* Chain ids are short ASCII names ("hearth-dev-1"). */
#define CHAIN_ID_MAX 64
/* Encoded size caps handed to the strict decoder. */
#define VOTE_ENCODED_MAX   256
#define COMMIT_ENCODED_MAX (64 + VALIDATORS_MAX * 112)

enum vote_type {
	VOTE_TYPE_PREVOTE = 1,
	VOTE_TYPE_PRECOMMIT = 2,
};

/* A vote for a block id, or for nil when has_block is false (block_id is then
 * all zero, so two equal votes are equal bytes). */
struct vote {
	enum vote_type type;
	uint64_t height;
	uint32_t round;
	bool has_block;
	uint8_t block_id[HASH_SIZE];
	uint8_t validator[PUBKEY_SIZE];
	uint8_t sig[SIG_SIZE];
};

/* The signed part of a proposal; the block bytes travel beside it and the
 * application binds them to block_id. pol_round is -1 or a round < round. */
struct proposal_header {
	uint64_t height;
	uint32_t round;
	int32_t pol_round;
	uint8_t block_id[HASH_SIZE];
	uint8_t proposer[PUBKEY_SIZE];
	uint8_t sig[SIG_SIZE];
};

struct commit_sig {
	uint8_t validator[PUBKEY_SIZE];
	uint8_t sig[SIG_SIZE];
};

/* +2/3 precommits for block_id at (height, round); sigs sorted by validator
 * key, strictly ascending. */
struct commit {
	uint64_t height;
	uint32_t round;
	uint8_t block_id[HASH_SIZE];
	size_t count;
	struct commit_sig sigs[VALIDATORS_MAX];
};

enum commit_status {
	COMMIT_OK = 0,
	COMMIT_EMPTY,	   /* no signature */
	COMMIT_NOT_SORTED, /* validators not strictly ascending (or duplicated) */
	COMMIT_UNKNOWN_VALIDATOR,
	COMMIT_BAD_SIGNATURE,
	COMMIT_NO_QUORUM,    /* signers hold 2/3 of the power or less */
	COMMIT_WRONG_TARGET, /* height or block id not the expected ones */
};

/* A signature check the caller can swap for a cached one (the node's
 * verified-signature cache, the simulator's). fn NULL, or a NULL verifier
 * pointer, means sig_verify. */
typedef bool (*sig_verify_fn)(void *ctx, const uint8_t sig[SIG_SIZE],
			      const uint8_t digest[HASH_SIZE], const uint8_t pubkey[PUBKEY_SIZE]);

struct sig_verifier {
	sig_verify_fn fn;
	void *ctx;
};

/* Runs v's check (or sig_verify when v or v->fn is NULL). */
__attribute__((warn_unused_result)) bool sig_verifier_check(const struct sig_verifier *v,
							    const uint8_t sig[SIG_SIZE],
							    const uint8_t digest[HASH_SIZE],
							    const uint8_t pubkey[PUBKEY_SIZE]);

/* True when chain_id is 1..CHAIN_ID_MAX printable ASCII characters (the
 * genesis bound). */
bool chain_id_valid(const char *chain_id);

/* The digest a vote's signature covers (validator and sig are not part of it).
 * In: chain_id (NUL-terminated), vote. Out: digest. */
void vote_digest(const char *chain_id, const struct vote *vote, uint8_t digest[HASH_SIZE]);

/* True when vote->sig is vote->validator's signature of vote_digest, and a
 * nil vote has an all-zero block id. */
__attribute__((warn_unused_result)) bool vote_verify(const char *chain_id, const struct vote *vote);

/* vote_verify with a chosen signature check (NULL: sig_verify). */
__attribute__((warn_unused_result)) bool vote_verify_with(const char *chain_id,
							  const struct vote *vote,
							  const struct sig_verifier *verifier);

/* The digest a proposal's signature covers. */
void proposal_digest(const char *chain_id, const struct proposal_header *p,
		     uint8_t digest[HASH_SIZE]);

/* True when p->sig is p->proposer's signature of proposal_digest and
 * -1 <= pol_round < round. */
__attribute__((warn_unused_result)) bool proposal_verify(const char *chain_id,
							 const struct proposal_header *p);

/* proposal_verify with a chosen signature check (NULL: sig_verify). */
__attribute__((warn_unused_result)) bool proposal_verify_with(const char *chain_id,
							      const struct proposal_header *p,
							      const struct sig_verifier *verifier);

/* True when a and b are votes of one validator for the same height, round
 * and type but for different targets (block ids, or a block and nil). */
bool vote_conflicts(const struct vote *a, const struct vote *b);

/* Checks a commit certificate alone against the validator set of its height:
 * sorted distinct members, every signature a precommit for
 * (commit->height, commit->round, commit->block_id), more than 2/3 of
 * set->total_power.
 * In: chain_id, commit, set. Returns COMMIT_OK or the first failure. */
__attribute__((warn_unused_result)) enum commit_status
commit_verify(const char *chain_id, const struct commit *commit, const struct validator_set *set);

/* commit_verify with a chosen signature check (NULL: sig_verify). */
__attribute__((warn_unused_result)) enum commit_status
commit_verify_with(const char *chain_id, const struct commit *commit,
		   const struct validator_set *set, const struct sig_verifier *verifier);

/* As commit_verify, and also that the commit is for (height, block_id). */
__attribute__((warn_unused_result)) enum commit_status
commit_verify_for(const char *chain_id, const struct commit *commit,
		  const struct validator_set *set, uint64_t height,
		  const uint8_t block_id[HASH_SIZE]);

/* A one-line description of status. Never NULL. */
const char *commit_strerror(enum commit_status status);

/* Encodes a vote as a hearth.Vote.
 * Out: *out (caller frees with free()), *out_len. Returns 0 or -1 (no memory). */
__attribute__((warn_unused_result)) int vote_encode(const struct vote *vote, uint8_t **out,
						    size_t *out_len);

/* Decodes a hearth.Vote strictly (codec_decode with VOTE_ENCODED_MAX), with a
 * 32-byte or empty block id, a 32-byte validator and a 64-byte signature. The
 * signature is not checked here. Returns 0 or -1. */
__attribute__((warn_unused_result)) int vote_decode(const uint8_t *data, size_t len,
						    struct vote *vote);

/* Encodes / decodes a hearth.Commit (same conventions as the vote functions;
 * decoding checks sizes and count, not signatures: use commit_verify). */
__attribute__((warn_unused_result)) int commit_encode(const struct commit *commit, uint8_t **out,
						      size_t *out_len);
__attribute__((warn_unused_result)) int commit_decode(const uint8_t *data, size_t len,
						      struct commit *commit);

/* Fills msg (initialised here) with views into vote: msg borrows vote's
 * buffers and must not outlive it. Used by the encoders of Vote and Evidence. */
void vote_to_proto(const struct vote *vote, Hearth__Vote *msg);

/* Copies a decoded hearth.Vote into vote, checking field sizes.
 * Returns 0, or -1 for a wrong size. */
__attribute__((warn_unused_result)) int vote_from_proto(const Hearth__Vote *msg, struct vote *vote);

/* H("hearth/commit", encoded commit): the header's last_commit_hash.
 * Returns 0 or -1 (no memory). */
__attribute__((warn_unused_result)) int commit_hash(const struct commit *commit,
						    uint8_t out[HASH_SIZE]);

#endif
