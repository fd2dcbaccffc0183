/* consensus_internal.h: what the files of the consensus driver share
 * (consensus.c, cs_precheck.c). */
#ifndef HEARTH_NODE_CONSENSUS_INTERNAL_H
#define HEARTH_NODE_CONSENSUS_INTERNAL_H

#include "node/consensus.h"

/* Applies the proposed block of height (block id and payload) over the
 * tip into the cache and gives the engine its validity answer. */
void consensus_validate_now(struct consensus *c, uint64_t height, const uint8_t id[HASH_SIZE],
			    const uint8_t *payload, size_t len);

#endif
