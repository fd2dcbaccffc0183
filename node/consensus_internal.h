/* consensus_internal.h: what the files of the consensus driver share
 * (consensus.c: events, actions, blocks, start and stop; cs_commit.c: a
 * decided block stored and the next height started; cs_precheck.c). */
#ifndef HEARTH_NODE_CONSENSUS_INTERNAL_H
#define HEARTH_NODE_CONSENSUS_INTERNAL_H

#include "node/consensus.h"

/* Logs why and stops the node: a decided block that cannot be stored
 * leaves it unable to go on (a restart resumes from the last stored one). */
void consensus_fail_fatal(struct consensus *c, const char *what);

/* The first 8 bytes of id in hex, for the logs. */
void consensus_short_id(const uint8_t id[HASH_SIZE], char out[17]);

/* S_h from S_{h-1} (or from nothing at h = 1) and the membership of h.
 * Returns 0, or -1 when the state cannot be read. */
int consensus_set_advance(const struct state *st, const struct validator_set *prev, uint64_t height,
			  struct validator_set *out);

/* Applies a block over the committed state into the cache.
 * Returns LEDGER_OK or the reason it is invalid. */
enum ledger_reason consensus_cache_apply(struct consensus *c, const uint8_t *payload, size_t len,
					 const uint8_t id[HASH_SIZE], struct ledger_error *err);

/* Forgets the cached block result. */
void consensus_cache_drop(struct consensus *c);

/* Hands ev to the engine (owned: a payload freed once it is handled) and
 * performs the actions. Returns what the engine made of ev. */
enum bft_status consensus_feed(struct consensus *c, const struct bft_event *ev, uint8_t *owned);

/* Keeps (a decoded copy of) the certificate of the new tip.
 * Returns 0, or -1 when it does not decode. */
int consensus_keep_commit(struct consensus *c, const uint8_t *bytes, size_t len);

/* The engine's COMMIT action: stores the decided block, makes it the tip
 * and starts the next height (cs_commit.c). */
void consensus_commit(struct consensus *c, const struct bft_action *a);

/* Applies the proposed block of height (block id and payload) over the
 * tip into the cache and gives the engine its validity answer. */
void consensus_validate_now(struct consensus *c, uint64_t height, const uint8_t id[HASH_SIZE],
			    const uint8_t *payload, size_t len);

#endif
