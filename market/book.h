/* book.h: a matching pass's in-memory view of the book (0x22 entries:
 * open offers with a free slot, by price then age). Not for use outside
 * market/.
 *
 * The view is the book as the pass found it, read lazily: entries in
 * chunks as walks go deeper (each entry's value is its offer's record,
 * kept as bytes), each record decoded and its provider's standing read on
 * first examination, once per pass; a provider's standing once per pass for
 * all its offers. An offer that the pass fills is marked dead (it left the
 * state's book too) and skipped in O(1) amortized, so a walk of the view
 * visits exactly the entries a walk of the state's book would, without a
 * database iterator per bid. The slots the pass takes change the records in
 * the view, which market_book_flush writes once per offer at the end of the
 * pass. Matching adds nothing to the book and changes no standing, so the
 * view never goes stale within the pass; it is rebuilt by every pass. */
#ifndef HEARTH_MARKET_BOOK_H
#define HEARTH_MARKET_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "market/order.h"

/* What the filters of matching compare, of an offer's record or of a bid
 * (its resources, duration and the first eight bytes of the provider's or
 * consumer's key), in one place in memory (market_terms_*). */
struct market_terms {
	uint64_t cpu, memory, disk, duration;
	uint32_t gpus;
	uint64_t key_head;
};

/* Out: *t, the terms of an offer's record or of a bid's record. */
void market_terms_of_offer(const Hearth__OfferRecord *rec, struct market_terms *t);
void market_terms_of_bid(const Hearth__BidRecord *rec, struct market_terms *t);

struct book_entry {
	uint64_t price;
	struct market_terms t; /* of rec, once read */
	uint8_t id[MARKET_ID_SIZE];
	size_t val_off, val_len;  /* the record's bytes in pass_book.vals */
	Hearth__OfferRecord *rec; /* NULL until first examined */
	struct market_standing sd;
	bool dirty; /* rec changed: market_book_flush writes it */
	/* Whether the offer lists the pass's runtime number i (bit i of
	 * rt_has), once bit i of rt_known is set: a walk compares runtime
	 * names once per offer and runtime in a pass, not once per bid. */
	uint64_t rt_known, rt_has;
};

/* Distinct runtimes a pass numbers (more are compared by name). */
#define BOOK_RUNTIMES 64

/* A provider's standing, read once per pass (open addressing on a hash of
 * the key seeded by the previous block's id, so nobody can choose keys that
 * collide in advance). */
struct book_provider {
	uint8_t key[PUBKEY_SIZE];
	bool used;
	struct market_standing sd;
};

struct pass_book {
	const struct market_ctx *c;
	size_t n, cap;
	struct book_entry *e;
	size_t *skip;  /* skip[i] == i: live; else a later index to try */
	uint8_t *vals; /* the book entries' values, one after another */
	size_t vals_len, vals_cap;
	uint8_t last[MKEY_MAX_LEN]; /* the key of e[n - 1] */
	size_t last_len;
	bool end;		 /* the state's book has no entry after e[n - 1] */
	size_t n_prov, cap_prov; /* cap_prov: 0 or a power of two */
	struct book_provider *prov;
	size_t n_runtimes; /* the runtimes of the pass's bids, numbered */
	char runtimes[BOOK_RUNTIMES][MARKET_NAME_MAX + 1];
};

/* An empty view of c's book. */
void market_book_init(struct pass_book *b, const struct market_ctx *c);

/* Frees the view and every record it read. */
void market_book_free(struct pass_book *b);

/* The first live entry at index i or later, its record and standing read.
 * Out: *idx, *e (NULL at the end of the book).
 * Returns 0, or -1 on a state error or no memory. */
__attribute__((warn_unused_result)) int market_book_next(struct pass_book *b, size_t i, size_t *idx,
							 struct book_entry **e);

/* The number of runtime in the pass (numbered on its first use), or -1 when
 * the pass has numbered BOOK_RUNTIMES already or runtime is longer than
 * MARKET_NAME_MAX (not remembered then). */
int market_book_runtime(struct pass_book *b, const char *runtime);

/* Whether e's offer (its record read) lists runtime, whose number in the
 * pass is rt (market_book_runtime). */
bool market_book_has_runtime(struct book_entry *e, int rt, const char *runtime);

/* Takes one slot of entry idx's offer (market_offer_use_slot); the record
 * is written by market_book_flush, and a full offer leaves the view.
 * Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status market_book_take(struct pass_book *b,
								       size_t idx);

/* Writes the records of the offers whose slots the pass took.
 * Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status market_book_flush(struct pass_book *b);

#endif
