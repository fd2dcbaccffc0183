/* txseen.h: what the node remembers of recent tx ids beyond its mempool,
 * so that tx gossip neither fetches nor verifies a tx twice: when it last
 * asked a peer for an id, that the bytes with an id passed every stateless
 * check and their signature (in a block it applied, or on the worker
 * pool), that a committed block holds an id.
 *
 * Two generations of an open-addressing table of TXSEEN_SLOTS slots: once
 * the current one holds TXSEEN_GEN_MAX ids the older one is emptied and
 * becomes the current one. The node thus remembers at least the last
 * TXSEEN_GEN_MAX ids it noted (at most twice that), in fixed memory and
 * O(1) per lookup. The slot of an id comes from a keyed hash (SipHash, key
 * drawn at init), so a peer announcing chosen ids cannot pile them into
 * one run of slots. Owned by the loop thread. */
#ifndef HEARTH_NODE_TXSEEN_H
#define HEARTH_NODE_TXSEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "consensus/crypto.h"

#define TXSEEN_SLOTS   (1u << 16)
#define TXSEEN_GEN_MAX 40000u /* 61% of the slots */

enum txseen_flag {
	TXSEEN_ASKED = 1,     /* asked a peer for it at asked_ms */
	TXSEEN_VERIFIED = 2,  /* these bytes passed their checks and signature */
	TXSEEN_COMMITTED = 4, /* a committed block holds it */
};

struct txseen_entry {
	uint8_t id[HASH_SIZE];
	uint64_t asked_ms;
	uint32_t flags; /* 0: the slot is free */
};

struct txseen_gen {
	struct txseen_entry *slots; /* TXSEEN_SLOTS of them */
	size_t count;
};

struct txseen {
	struct txseen_gen gen[2];
	unsigned cur; /* index of the generation ids are noted in */
	uint8_t key[crypto_shorthash_KEYBYTES];
};

/* Out: s, empty (free with txseen_free).
 * Returns 0, or -1 when out of memory. */
__attribute__((warn_unused_result)) int txseen_init(struct txseen *s);

void txseen_free(struct txseen *s);

/* The flags noted for id (0: none, or forgotten). */
unsigned txseen_flags(const struct txseen *s, const uint8_t id[HASH_SIZE]);

/* Adds flags (TXSEEN_VERIFIED, TXSEEN_COMMITTED) to what is noted for id. */
void txseen_note(struct txseen *s, const uint8_t id[HASH_SIZE], unsigned flags);

/* Asking a peer for id at now_ms. Returns true when it was asked for less
 * than again_ms before now_ms (then nothing changes); else notes that it is
 * asked for now and returns false. */
bool txseen_ask(struct txseen *s, const uint8_t id[HASH_SIZE], uint64_t now_ms, uint64_t again_ms);

#endif
