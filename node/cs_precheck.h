/* cs_precheck.h: a proposal's tx signatures checked on the worker pool
 * before the proposal is validated. Validating a block checks the
 * signature of every tx this node has not checked yet; done there, on the
 * loop thread, it is one core's work and it repeats the work of gossip
 * copies of the same txs that are still queued for the pool. So the
 * driver first hands the unchecked txs to the pool (net->txv, the queue
 * gossip uses: one check per tx id, on both cores) and validates the
 * proposal once none of its txs is pending there; by then the signatures
 * are in the verified-signature cache (sigcache.h) and block apply checks
 * only the state-dependent rules. At most one proposal waits. */
#ifndef HEARTH_NODE_CS_PRECHECK_H
#define HEARTH_NODE_CS_PRECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"

struct consensus;

/* The proposal that waits for its txs' checks. */
struct cs_precheck {
	bool waiting;
	uint64_t height;
	uint8_t id[HASH_SIZE];
	uint8_t *payload; /* a copy */
	size_t len;
	uint8_t (*pending)[HASH_SIZE]; /* ids of its txs queued on the pool */
	size_t n_pending;
};

/* Called for a proposal to validate. A proposal that waited before is
 * validated first. In: block id and payload of height (not kept).
 * Returns true when the proposal now waits for its txs' checks (validated
 * later, by cs_precheck_on_checked), false when it is to be validated now
 * (nothing to check, no pool, or no memory). */
bool cs_precheck_defer(struct consensus *c, uint64_t height, const uint8_t id[HASH_SIZE],
		       const uint8_t *payload, size_t len);

/* Called after the pool handed back a batch of verdicts: validates the
 * waiting proposal once none of its txs is pending any more (drops it if
 * the chain moved past its height). */
void cs_precheck_on_checked(struct consensus *c);

/* Forgets the waiting proposal, if any. */
void cs_precheck_clear(struct cs_precheck *p);

#endif
