/* txseen.c: the node's two-generation table of recent tx ids (txseen.h):
 * linear probing within a generation, no deletion (a generation is emptied
 * as a whole when the other one fills). */
#include "node/txseen.h"

#include <stdlib.h>
#include <string.h>

int txseen_init(struct txseen *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned g = 0; g < 2; g++) {
		s->gen[g].slots = calloc(TXSEEN_SLOTS, sizeof(struct txseen_entry));
		if (s->gen[g].slots == NULL) {
			txseen_free(s);
			return -1;
		}
	}
	crypto_shorthash_keygen(s->key);
	return 0;
}

void txseen_free(struct txseen *s)
{
	free(s->gen[0].slots);
	free(s->gen[1].slots);
	sodium_memzero(s, sizeof(*s));
}

static size_t slot_of(const struct txseen *s, const uint8_t id[HASH_SIZE])
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v = 0;

	crypto_shorthash(h, id, HASH_SIZE, s->key);
	for (size_t i = 0; i < sizeof(v); i++)
		v = v << 8 | h[i];
	return (size_t)(v & (TXSEEN_SLOTS - 1));
}

/* The slot of id in g, or the free slot where it would go (a generation
 * never fills: it is retired at TXSEEN_GEN_MAX). */
static struct txseen_entry *probe(const struct txseen_gen *g, size_t slot,
				  const uint8_t id[HASH_SIZE])
{
	for (;;) {
		struct txseen_entry *e = &g->slots[slot];

		if (e->flags == 0 || memcmp(e->id, id, HASH_SIZE) == 0)
			return e;
		slot = (slot + 1) & (TXSEEN_SLOTS - 1);
	}
}

/* id's entry in the current generation, carried over from the older one
 * if only it knows id, or a new one. */
static struct txseen_entry *entry_of(struct txseen *s, const uint8_t id[HASH_SIZE])
{
	size_t slot = slot_of(s, id);
	struct txseen_gen *cur = &s->gen[s->cur];
	struct txseen_entry *e = probe(cur, slot, id), *old;

	if (e->flags != 0)
		return e;
	if (cur->count >= TXSEEN_GEN_MAX) {
		s->cur ^= 1u;
		cur = &s->gen[s->cur];
		memset(cur->slots, 0, TXSEEN_SLOTS * sizeof(struct txseen_entry));
		cur->count = 0;
		e = probe(cur, slot, id);
	}
	old = probe(&s->gen[s->cur ^ 1u], slot, id);
	memcpy(e->id, id, HASH_SIZE);
	e->flags = old->flags;
	e->asked_ms = old->asked_ms;
	cur->count++;
	return e;
}

unsigned txseen_flags(const struct txseen *s, const uint8_t id[HASH_SIZE])
{
	size_t slot = slot_of(s, id);

	return probe(&s->gen[0], slot, id)->flags | probe(&s->gen[1], slot, id)->flags;
}

void txseen_note(struct txseen *s, const uint8_t id[HASH_SIZE], unsigned flags)
{
	flags &= TXSEEN_VERIFIED | TXSEEN_COMMITTED;
	if (flags != 0)
		entry_of(s, id)->flags |= flags;
}

bool txseen_ask(struct txseen *s, const uint8_t id[HASH_SIZE], uint64_t now_ms, uint64_t again_ms)
{
	struct txseen_entry *e = entry_of(s, id);

	if ((e->flags & TXSEEN_ASKED) != 0 && now_ms - e->asked_ms < again_ms)
		return true;
	e->flags |= TXSEEN_ASKED;
	e->asked_ms = now_ms;
	return false;
}
