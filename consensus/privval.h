/* privval.h: the validator's signing key behind a double-sign guard.
 *
 * Every signature the engine releases goes through here. The guard keeps the
 * last signed (height, round, step, digest) and refuses to sign anything that
 * goes back in (height, round, step) order or that signs a different message
 * at the same (height, round, step); the identical message may be signed
 * again (the stored signature is returned). Before a new signature leaves
 * this module the new record is handed to a caller-supplied persist callback
 * (the node writes and fsyncs priv_validator_state); if that fails, no
 * signature is released and the record in memory is unchanged.
 *
 * The record also keeps the last signed message's fields and carries the lock of the Tendermint
 * algorithm: signing a precommit for a block at (h, r) sets lock_round = r and lock_id to the block
 * at height h, and a new height clears it. The engine reads it back when it starts a height after a
 * restart, so a restarted validator keeps its lock (and never prevotes against it), not only its
 * last signature.
 *
 * Signatures are deterministic BIP340 (aux randomness derived from the
 * digest), so this module is pure apart from the callback. */
#ifndef HEARTH_CONSENSUS_PRIVVAL_H
#define HEARTH_CONSENSUS_PRIVVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/vote.h"

enum privval_step {
	PRIVVAL_STEP_NONE = 0, /* nothing signed yet */
	PRIVVAL_STEP_PROPOSE = 1,
	PRIVVAL_STEP_PREVOTE = 2,
	PRIVVAL_STEP_PRECOMMIT = 3,
};

/* What the persist callback stores and what privval_init restores. */
struct privval_record {
	uint64_t height;
	uint32_t round;
	enum privval_step step;
	uint8_t digest[HASH_SIZE]; /* what was signed */
	uint8_t sig[SIG_SIZE];
	/* the signed message itself, so that a restarted engine can send its
	 * last vote again (peers may never have received it) */
	bool has_block; /* false: a vote for nil */
	uint8_t block_id[HASH_SIZE];
	int32_t pol_round;  /* proposals only */
	int64_t lock_round; /* -1: not locked at `height` */
	uint8_t lock_id[HASH_SIZE];
};

/* Stores rec durably. Returns 0 only when rec is safely stored. */
typedef int (*privval_persist_fn)(void *ctx, const struct privval_record *rec);

struct privval {
	struct signer signer;
	struct privval_record last;
	privval_persist_fn persist;
	void *persist_ctx;
};

enum privval_status {
	PRIVVAL_OK = 0,
	PRIVVAL_RESIGNED,   /* the identical message again: stored signature returned */
	PRIVVAL_REGRESSION, /* (height, round, step) lower than the last signed one */
	PRIVVAL_CONFLICT,   /* another message at the last signed (height, round, step) */
	PRIVVAL_PERSIST_FAILED,
	PRIVVAL_SIGN_FAILED,
};

/* Sets up pv.
 * In:  seckey (32 bytes); restored: the last record the callback stored, or
 *      NULL for a validator that never signed; persist, ctx: the callback.
 * Out: pv (wipe with privval_wipe).
 * Returns 0, or -1 for an invalid key. */
__attribute__((warn_unused_result)) int privval_init(struct privval *pv,
						     const uint8_t seckey[SECKEY_SIZE],
						     const struct privval_record *restored,
						     privval_persist_fn persist, void *ctx);

/* Wipes the key. */
void privval_wipe(struct privval *pv);

/* The validator's public key. */
const uint8_t *privval_pubkey(const struct privval *pv);

/* Signs vote (type, height, round, block id as given) and sets its validator
 * field. In: chain_id. In/Out: vote (validator and sig filled on success).
 * Returns PRIVVAL_OK or PRIVVAL_RESIGNED when vote->sig holds a signature to
 * release, else the reason of the refusal (vote->sig untouched). */
__attribute__((warn_unused_result)) enum privval_status
privval_sign_vote(struct privval *pv, const char *chain_id, struct vote *vote);

/* Same for a proposal header (proposer and sig filled). */
__attribute__((warn_unused_result)) enum privval_status
privval_sign_proposal(struct privval *pv, const char *chain_id, struct proposal_header *p);

/* The last vote signed, if it is a vote at `height`.
 * Out: vote (complete, with validator and signature). Returns true then. */
bool privval_last_vote(const struct privval *pv, uint64_t height, struct vote *vote);

/* The lock recorded for height, if any. Out: *round, id. Returns true when
 * the record is at `height` and holds a lock. */
bool privval_lock(const struct privval *pv, uint64_t height, int64_t *round, uint8_t id[HASH_SIZE]);

/* A one-line description of status. Never NULL. */
const char *privval_strerror(enum privval_status status);

#endif
