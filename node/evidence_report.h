/* evidence_report.h: what a node remembers about the double signing it
 * reported, and the evidence tx it sends.
 *
 * When the BFT engine sees two conflicting votes, or two conflicting
 * proposals, of one validator it hands the node a struct evidence; the node (evidence_submit.c)
 * turns it into an Evidence tx signed by its own validator key, adds it to its mempool and gossips
 * it like any tx. This file holds the parts that need no node:
 *  - the reported set: (validator, height) pairs already reported, so the
 *    same evidence (same id) is never sent twice and a second conflict of
 *    the same validator at the same height (another round, another vote
 *    type, a proposal rather than a vote) is not sent either; it is a ring of the last
 *    EVIDENCE_REPORT_SEEN_MAX pairs, enough since the engine only reports
 *    conflicts of the height it decides;
 *  - the waiting list: evidence of the height being decided, which no
 *    block of that height may carry (the ledger takes evidence of heights
 *    below the block's only): it is sent once that height is committed;
 *  - the pending list: ids of own evidence txs not yet seen committed,
 *    with their evidence (sent again after a restart, since the mempool
 *    is not kept);
 *  - the signed tx itself, with fee = feerate * its encoded size. */
#ifndef HEARTH_NODE_EVIDENCE_REPORT_H
#define HEARTH_NODE_EVIDENCE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/evidence.h"

#define EVIDENCE_REPORT_SEEN_MAX    64
#define EVIDENCE_REPORT_PENDING_MAX 16
#define EVIDENCE_REPORT_WAITING_MAX 8

struct evidence_reported {
	uint8_t validator[PUBKEY_SIZE];
	uint64_t height;
};

struct evidence_report {
	struct evidence_reported seen[EVIDENCE_REPORT_SEEN_MAX];
	size_t num_seen;
	size_t next_seen; /* where the next pair goes once the ring is full */
	struct evidence waiting[EVIDENCE_REPORT_WAITING_MAX];
	size_t num_waiting;
	uint8_t pending[EVIDENCE_REPORT_PENDING_MAX][HASH_SIZE];
	struct evidence pending_ev[EVIDENCE_REPORT_PENDING_MAX]; /* what pending[i] carries */
	size_t num_pending;
	uint64_t submitted; /* own evidence txs admitted to the mempool */
	uint64_t committed; /* of those, seen in a committed block */
};

/* Out: r, empty. */
void evidence_report_init(struct evidence_report *r);

/* Records (validator, height) as reported.
 * Returns true when the pair is new (the caller reports it), false when it
 * was reported before. */
bool evidence_report_mark(struct evidence_report *r, const uint8_t validator[PUBKEY_SIZE],
			  uint64_t height);

/* Keeps ev until its height is committed.
 * Returns true, or false when the waiting list is full (ev is dropped). */
bool evidence_report_wait(struct evidence_report *r, const struct evidence *ev);

/* Adds an own evidence tx id, and the evidence it carries, to the pending
 * list (the oldest is forgotten when it is full). */
void evidence_report_add_pending(struct evidence_report *r, const uint8_t id[HASH_SIZE],
				 const struct evidence *ev);

/* Removes pending entry i (< num_pending). */
void evidence_report_drop_pending(struct evidence_report *r, size_t i);

/* Builds and signs the Evidence tx of ev.
 * In:  chain_id; key: the sender (the node's validator key); nonce;
 *      feerate: base units per byte of the signed tx.
 * Out: *tx (caller frees with free()), *len.
 * Returns 0, or -1 (fee overflow, encoding or signing failure). */
__attribute__((warn_unused_result)) int
evidence_report_build_tx(const char *chain_id, const struct signer *key, const struct evidence *ev,
			 uint64_t nonce, uint64_t feerate, uint8_t **tx, size_t *len);

#endif
