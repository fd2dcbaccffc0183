/* evidence_submit.h: the node's side of double-sign punishment. The
 * consensus driver calls evidence_submit_conflict when the engine reports
 * two conflicting votes or two conflicting proposals (BFT_ACTION_EVIDENCE); the node then builds an
 * Evidence tx signed by its validator key (which pays the fee: four times
 * min_fee_per_byte per byte, so it goes ahead of the cheapest txs), adds it
 * to its mempool and announces it to its peers like any tx. The engine sees
 * conflicts at the height it decides, and a block only carries evidence of
 * lower heights, so such evidence waits for that height's commit. Each
 * (validator, height) is reported once (node/evidence_report.h), and not at
 * all when the offender is already jailed. The reported set, the waiting
 * evidence and the own evidence txs not yet committed are kept in
 * evidence.dat (node/evidence_store.h) across restarts. After each commit evidence_submit_on_commit
 * counts the own evidence txs that made it into a block (metric hearth_evidence_total, state
 * "submitted" and "committed": this node's txs only).
 *
 * A node without a validator key only logs what it saw: the votes or
 * proposals themselves still reach the validators (net_consensus.c relays
 * the message that revealed the conflict). */
#ifndef HEARTH_NODE_EVIDENCE_SUBMIT_H
#define HEARTH_NODE_EVIDENCE_SUBMIT_H

#include "consensus/evidence.h"

struct node;

/* Fee rate of an evidence tx, as a multiple of min_fee_per_byte. */
#define EVIDENCE_FEE_MULTIPLE 4
/* Nonces tried past the committed one while own txs wait in the mempool. */
#define EVIDENCE_NONCE_TRIES 8

/* On the loop thread: reports ev (see above). Failures are logged. */
void evidence_submit_conflict(struct node *node, const struct evidence *ev);

/* On the loop thread, after a commit (the mempool already updated): moves
 * the own evidence txs now in a block from pending to committed, forgets
 * those that left the mempool without being committed (e.g. another node's
 * evidence against the same validator came first), then sends the evidence
 * that waited for this commit. */
void evidence_submit_on_commit(struct node *node);

/* On the loop thread, once the node is started: reads evidence.dat
 * (node/evidence_store.h) into node->evidence, sends again the evidence of
 * its txs that were not seen committed, and sends at once the loaded
 * waiting evidence whose height is committed (each dropped, as after a
 * commit, when the offender is jailed already or the ledger refuses it).
 * Only a node with a validator key reads the file. */
void evidence_submit_start(struct node *node);

#endif
