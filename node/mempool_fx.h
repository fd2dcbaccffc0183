/* mempool_fx.h: what each ready tx of the mempool did to the check state,
 * so an eviction can take txs out of it without re-applying the others
 * (mempool_fx.c records and indexes, mempool_undo.c takes out).
 *
 * When a ready tx enters the check state, every key it reads or writes
 * (a "touch") and every key range it iterates is recorded in its struct
 * mempool_fx; a write keeps the value before it (and, for an account, the
 * decoded account after it). The touches of one key are linked in pool
 * order, from the latest one (its head in mp->touched). A touch is a
 * "credit" when the tx is a transfer and the key is its recipient's account
 * (another account than the sender's; an eviction also checks that only the
 * balance grew): such a touch reads the balance only to refuse an overflow,
 * so it stays valid when an earlier tx's change of that balance is taken
 * out.
 * Not for callers outside the mempool. */
#ifndef HEARTH_NODE_MEMPOOL_FX_H
#define HEARTH_NODE_MEMPOOL_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/account.h"
#include "node/mempool.h"

enum {
	MEMPOOL_TOUCH_READ = 1,
	MEMPOOL_TOUCH_WRITE = 2,
	MEMPOOL_TOUCH_CREDIT = 4,
};

struct mempool_key_head;

struct mempool_touch {
	struct mempool_fx *fx;
	struct mempool_key_head *head;
	struct mempool_touch *prev, *next; /* the key's touches in pool order */
	uint8_t *key;
	size_t key_len;
	unsigned flags;
	/* Writes: the value before (had_prior false: absent) and, for an
	 * account key (is_account), the value after (deleted: none); both
	 * decoded on demand (mempool_touch_decode; absent: zeros), and then
	 * prior_acct and post_acct are what counts (an eviction may fix them). */
	bool had_prior, is_account, deleted, decoded;
	uint8_t *prior, *post;
	size_t prior_len, post_len;
	struct account prior_acct, post_acct;
};

/* The touches of one key: the value of its entry in mp->touched. */
struct mempool_key_head {
	struct mempool_touch *tail; /* the latest touch */
	uint64_t mark;		    /* mempool_undo's "seen" mark */
};

struct mempool_range {
	uint8_t *prefix, *start; /* start NULL: the whole prefix */
	size_t prefix_len, start_len;
};

struct mempool_fx {
	uint64_t seq; /* its entry's seq: pool order */
	uint8_t sender[PUBKEY_SIZE];
	uint64_t nonce;
	bool doomed; /* planned for eviction */
	bool failed; /* recording ran out of memory */
	struct mempool_touch *touches;
	size_t n_touches, cap_touches;
	struct mempool_range *ranges;
	size_t n_ranges, cap_ranges;
	struct mempool_fx *rprev, *rnext; /* in mp's list of fx with ranges */
};

/* Applies e's bytes to the check state, recording into a new e->fx what it
 * touched (when recording fails the pool loses its records until the next
 * re-check: mp->fx_lost). Returns the ledger's result. */
__attribute__((warn_unused_result)) enum ledger_reason
mempool_check_apply(struct mempool *mp, struct mempool_entry *e, bool verify_sig,
		    struct ledger_error *err);

/* Decodes t's account values (once). Returns 0, or -1 when t is not an
 * account write or a value does not decode. */
__attribute__((warn_unused_result)) int mempool_touch_decode(struct mempool_touch *t);

/* Unlinks e->fx from the index and frees it (e->fx becomes NULL). */
void mempool_fx_drop(struct mempool *mp, struct mempool_entry *e);

/* Drops every entry's fx and empties the index (before the check state is
 * rebuilt). */
void mempool_fx_clear(struct mempool *mp);

/* May the ready txs with fx->doomed be taken out of the check state alone?
 * True when no other ready tx read or wrote (or iterated over) a key they
 * wrote after them, except credits to an account whose doomed changes were
 * of its balance (and of its nonce, by its own txs) only.
 * In: idx[n]: the indices of the doomed entries (waiting ones too);
 *     min_seq: the lowest seq of a doomed ready tx. */
bool mempool_undo_possible(struct mempool *mp, const size_t *idx, size_t n, uint64_t min_seq);

/* Takes the doomed ready txs' effects out of the check state (what
 * mempool_undo_possible allowed) and fixes the records of the credits that
 * came after them; the entries stay (the caller removes them).
 * Returns 0, or -1 when the state failed or a balance would not fit (the
 * caller then rebuilds the check state). */
__attribute__((warn_unused_result)) int mempool_undo(struct mempool *mp, const size_t *idx,
						     size_t n, uint64_t min_seq);

#endif
