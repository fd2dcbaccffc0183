/* bft.h: the Tendermint BFT engine (Buchman, Kwon, Milosevic, "The latest
 * gossip on BFT consensus", 2018, Algorithm 1) as a pure state machine:
 *
 *     bft_handle(engine, event) -> actions
 *
 * Events: start a height, a proposal or a vote from the network, a timeout
 * that fired, the block the application built on request, the
 * application's validity answer for a block. Actions: broadcast a proposal
 * or a vote, schedule a timeout, request a block, ask whether a block is
 * valid, commit a block with its certificate, report evidence (two
 * conflicting votes, or two conflicting proposals, of one validator). The engine
 * has no clock, no sockets, no threads and no randomness: the caller owns
 * time (it fires the timeouts it was asked to schedule) and the network.
 *
 * A block is opaque here: a 32-byte block id and the payload bytes. The
 * application binds the two (for the ledger: block id = H("hearth/block",
 * header bytes)) and answers validity; it must answer "invalid" when the
 * payload does not match the id.
 *
 * Memory: per height the engine allocates its vote sets (BFT_ROUND_SLOTS
 * rounds x 2 types x validator count) once and copies of proposed payloads;
 * everything is freed when the next height starts (or by bft_free). At most
 * BFT_ROUND_SLOTS rounds of one height are tracked at a time: a message for
 * a new round takes a free slot, or evicts the lowest tracked round below it
 * that is neither the current, the locked, the valid round nor the
 * proof-of-lock round of the current proposal (whose prevotes may evict any
 * such round); otherwise it is dropped (BFT_DROPPED). Dropping only costs
 * liveness, never safety: gossip brings the message again later, and
 * bft_pol_wanted tells gossip which old round's prevotes to send again.
 *
 * Actions point into engine memory; they stay valid until the next call of
 * bft_handle or bft_free on that engine. */
#ifndef HEARTH_CONSENSUS_BFT_H
#define HEARTH_CONSENSUS_BFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/evidence.h"
#include "consensus/privval.h"
#include "consensus/validators.h"
#include "consensus/vote.h"

#define BFT_ROUND_SLOTS 16
#define BFT_BLOCKS_MAX	(2 * BFT_ROUND_SLOTS + 2)
#define BFT_ACTIONS_MAX 64
/* Largest proposal payload the engine copies (the ledger's block cap must
 * not exceed it). */
#define BFT_PAYLOAD_MAX (16u << 20)

/* Timeout of a step at round r: init + r * delta (saturating), in ms. */
struct bft_timeouts {
	uint64_t propose_ms, propose_delta_ms;
	uint64_t prevote_ms, prevote_delta_ms;
	uint64_t precommit_ms, precommit_delta_ms;
	uint64_t commit_ms;	  /* wait after a decision before the next height */
	bool skip_timeout_commit; /* start the next height early when all precommits are in */
};

/* CometBFT's defaults: propose 3 s + 0.5 s/round, prevote and precommit
 * 1 s + 0.5 s/round, commit 1 s, no skip. */
void bft_timeouts_production(struct bft_timeouts *t);
/* A local devnet: propose 300 ms, prevote/precommit 100 ms, +50 ms/round,
 * commit 100 ms, skip when all precommits are in. */
void bft_timeouts_dev(struct bft_timeouts *t);
/* Tests and the simulator: propose 40 ms, prevote/precommit 20 ms,
 * +10 ms/round, commit 10 ms, skip. */
void bft_timeouts_test(struct bft_timeouts *t);

struct bft_config {
	char chain_id[CHAIN_ID_MAX + 1];
	struct bft_timeouts timeouts;
	/* how signatures are checked (fn NULL: sig_verify); lets the node plug
	 * its verified-signature cache */
	struct sig_verifier verifier;
};

enum bft_step {
	BFT_STEP_PROPOSE,
	BFT_STEP_PREVOTE,
	BFT_STEP_PRECOMMIT,
	BFT_STEP_COMMIT, /* decided; waiting for timeout_commit and the next height */
};

/* A proposal as it travels: the signed header and the block bytes. */
struct bft_proposal {
	struct proposal_header header;
	const uint8_t *payload;
	size_t payload_len;
};

enum bft_event_type {
	BFT_EVENT_START_HEIGHT,
	BFT_EVENT_PROPOSAL,
	BFT_EVENT_VOTE,
	BFT_EVENT_TIMEOUT,
	BFT_EVENT_BLOCK,    /* answer to BFT_ACTION_REQUEST_BLOCK */
	BFT_EVENT_VALIDITY, /* answer to BFT_ACTION_VALIDATE_BLOCK */
};

struct bft_timeout {
	uint64_t height;
	uint32_t round;
	enum bft_step step;
	uint64_t delay_ms; /* in actions only */
};

struct bft_event {
	enum bft_event_type type;
	union {
		/* validators: the set of `height` with its proposer priorities
		 * (see proposer.h); copied. After a decision, height + 1 starts
		 * when the commit wait is over; a later height, or any higher
		 * height before a decision (block sync), starts at once. */
		struct {
			uint64_t height;
			const struct validator_set *validators;
		} start;
		struct bft_proposal proposal; /* payload copied when kept */
		struct vote vote;
		struct bft_timeout timeout;
		struct {
			uint64_t height;
			uint32_t round;
			uint8_t block_id[HASH_SIZE];
			const uint8_t *payload;
			size_t payload_len;
		} block;
		struct {
			uint64_t height;
			uint8_t block_id[HASH_SIZE];
			bool valid;
		} validity;
	} u;
};

enum bft_action_type {
	BFT_ACTION_BROADCAST_PROPOSAL,
	BFT_ACTION_BROADCAST_VOTE,
	BFT_ACTION_SCHEDULE_TIMEOUT,
	BFT_ACTION_REQUEST_BLOCK,
	BFT_ACTION_VALIDATE_BLOCK,
	BFT_ACTION_COMMIT,
	BFT_ACTION_EVIDENCE,
};

struct bft_action {
	enum bft_action_type type;
	union {
		struct bft_proposal proposal;
		struct vote vote;
		struct bft_timeout timeout;
		struct {
			uint64_t height;
			uint32_t round;
		} request;
		struct {
			uint64_t height;
			uint8_t block_id[HASH_SIZE];
			const uint8_t *payload;
			size_t payload_len;
		} validate;
		struct {
			const struct proposal_header *proposal;
			const uint8_t *payload;
			size_t payload_len;
			const struct commit *commit;
		} commit;
		struct evidence evidence; /* two votes or two proposals */
	} u;
};

struct bft_actions {
	size_t count;
	struct bft_action items[BFT_ACTIONS_MAX];
};

enum bft_status {
	BFT_OK = 0,
	BFT_DUPLICATE,	 /* already known; nothing changed */
	BFT_CONFLICT,	 /* a vote conflicting with the validator's counted one, or the first
			  * proposal conflicting with the round's: evidence */
	BFT_STALE,	 /* for another height, or the height is decided */
	BFT_INVALID,	 /* bad signature, not a validator, wrong proposer, bad field */
	BFT_UNJUSTIFIED, /* a second proposal for a round without a quorum for it yet */
	BFT_DROPPED,	 /* no room for its round (see above) or for its block */
	BFT_NO_MEMORY,
	BFT_ERROR, /* misuse: event out of order, or too many actions (a bug) */
};

struct bft;

/* Creates an engine.
 * In: config (copied; chain_id must satisfy chain_id_valid); pv: the
 *     validator's guarded signer, or NULL for a node that only follows.
 *     pv is borrowed and must outlive the engine.
 * Returns the engine (free with bft_free), or NULL (no memory, bad config). */
struct bft *bft_new(const struct bft_config *config, struct privval *pv);

void bft_free(struct bft *engine);

/* Feeds one event. Out: actions (emptied first, then filled in the order
 * the caller should perform them). Returns what became of the event. */
__attribute__((warn_unused_result)) enum bft_status
bft_handle(struct bft *engine, const struct bft_event *event, struct bft_actions *actions);

/* Observers for the node, tests and the simulator. */
uint64_t bft_height(const struct bft *engine);
uint32_t bft_round(const struct bft *engine);
enum bft_step bft_step(const struct bft *engine);
/* The locked round, or -1. */
int64_t bft_locked_round(const struct bft *engine);
/* The proof-of-lock round whose prevotes the engine waits for: the current
 * round's proposal names it and we do not hold +2/3 of its prevotes for
 * that block (we never saw them, or we dropped that round). -1 when none.
 * Gossip sends such a peer the prevotes of that round again (CometBFT's
 * peers do so from the proposal's POL round in their round state). */
int64_t bft_pol_wanted(const struct bft *engine);
/* The proposer's index of (current height, round) in the current set. */
size_t bft_proposer(struct bft *engine, uint32_t round);

/* What the engine holds of its current height, for vote gossip
 * (node/net_gossip.c sends peers the votes they lack). Pointers handed out
 * stay valid until the next bft_handle or bft_free. */
/* Number of validators of the current height (0 before the first height). */
size_t bft_num_validators(const struct bft *engine);
/* Index of key in the current height's set, or -1. */
int bft_validator_index(const struct bft *engine, const uint8_t key[PUBKEY_SIZE]);
/* Out: *vote, the first vote of type counted for validator idx at round of
 * the current height. Returns true when the engine holds one. */
bool bft_vote_get(const struct bft *engine, uint32_t round, enum vote_type type, size_t idx,
		  struct vote *vote);
/* Out: *p, the proposal of round of the current height (its header, and
 * its payload in engine memory). Returns true when the engine holds both. */
bool bft_proposal_get(const struct bft *engine, uint32_t round, struct bft_proposal *p);

/* The delay of step at round (timeouts of struct bft_timeouts). */
uint64_t bft_timeout_ms(const struct bft_timeouts *t, enum bft_step step, uint32_t round);

const char *bft_strstatus(enum bft_status status);
const char *bft_strstep(enum bft_step step);

#endif
