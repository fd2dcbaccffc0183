/* consensus.h: the consensus driver of hearthd. It runs the pure BFT engine
 * (consensus/bft.h) on the loop thread: it feeds the engine its events
 * (start of a height, timeouts fired by libuv timers, the blocks it builds,
 * validity answers) and performs the engine's actions (build a block from
 * the mempool, check a proposed block by applying it on a scratch overlay,
 * commit a decided block through store_commit_block, arm timeouts, sign
 * through the double-sign guard persisted in priv_validator_state).
 *
 * Validator sets carry CometBFT proposer priorities, recomputed at start-up
 * from the sets stored in the state (S_1 from the genesis set, then
 * S_{h+1} = update(increment(S_h), membership of h+1)), so every node agrees
 * on the proposer of every (height, round) without storing priorities.
 *
 * On the dev network an empty block is made at most every
 * emptyblockinterval ms: a block request waits until a tx arrives or the
 * interval has passed (CometBFT's create_empty_blocks_interval).
 *
 * Proposals and votes the engine broadcasts go to the peers through the
 * node's network layer (node/net.h); the ones peers send come back in
 * through consensus_receive, and blocks fetched by block sync through
 * consensus_apply_synced. */
#ifndef HEARTH_NODE_CONSENSUS_H
#define HEARTH_NODE_CONSENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "consensus/bft.h"
#include "consensus/ledger.h"
#include "consensus/privval.h"
#include "node/cs_early.h"
#include "node/cs_precheck.h"
#include "node/cs_wal.h"

struct node;
struct consensus_timer;

#define CONSENSUS_QUEUE_MAX 16

struct consensus_queued {
	struct bft_event ev;
	uint8_t *owned; /* payload to free once the event is handled */
};

struct consensus {
	struct node *node;
	struct bft *engine;
	struct privval pv;
	bool is_validator;
	struct validator_set set; /* S_h of the height being decided */
	struct consensus_timer *timers;
	struct consensus_queued queue[CONSENSUS_QUEUE_MAX];
	size_t queue_len;
	bool feeding;
	/* The last block applied while checking it, kept for its commit. */
	bool cached;
	uint8_t cached_id[HASH_SIZE];
	struct ledger_block_result cached_res;
	Hearth__Commit *last_commit; /* the tip's certificate; NULL at height 0 */
	/* Dev network: empty blocks at most every empty_interval_ms. */
	uint64_t empty_interval_ms;
	bool request_pending;
	uint64_t request_height;
	uint32_t request_round;
	uv_timer_t heartbeat;
	bool heartbeat_open;
	uint64_t last_commit_ms; /* loop time of the last commit */
	bool failed;		 /* a decided block could not be stored */
	struct cs_wal wal;
	bool wal_open;
	/* This proposer's block while the engine signs its proposal. */
	const uint8_t *own_payload;
	size_t own_len;
	uint8_t own_id[HASH_SIZE];
	struct cs_precheck precheck; /* a proposal waiting for its txs' checks */
	struct cs_early early;	     /* the next height's messages, kept */
};

/* Starts the driver on node's loop: loads the validator key's guard (a
 * validator only), computes the validator set of the next height and starts
 * the engine there.
 * Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int consensus_start(struct consensus *c, struct node *node,
							char *err, size_t err_size);

/* Tells the driver a tx entered the mempool (a waiting block request of the
 * dev network goes ahead). */
void consensus_on_tx(struct consensus *c);

/* Hands a proposal or vote from a peer to the engine.
 * Returns what the engine made of it (BFT_OK: new and counted). */
enum bft_status consensus_receive(struct consensus *c, const struct bft_event *ev);

/* Block sync: checks block payload[len] (an encoded Block of the next
 * height) against its certificate commit_bytes[commit_len] and the
 * validator set of that height, applies it, stores it and moves the engine
 * to the height after it.
 * Out: why (one line) on failure.
 * Returns 0; -1 when the block or certificate is invalid (the sender's
 * fault); -2 when this node cannot go on (not ready, store failure). */
__attribute__((warn_unused_result)) int
consensus_apply_synced(struct consensus *c, const uint8_t *payload, size_t len,
		       const uint8_t *commit_bytes, size_t commit_len, char *why, size_t why_size);

/* True when the node commits blocks (the last commit is recent). */
bool consensus_is_committing(const struct consensus *c, uint64_t now_ms);

/* Stops the timers and frees the engine; the loop must run once more for the
 * timers to close. */
void consensus_stop(struct consensus *c);

#endif
