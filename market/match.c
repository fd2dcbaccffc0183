/* match.c: matching at the end of every block (doc/market.md, "Matching").
 * A pass takes up to market_match_bids queued bids in arrival order from the
 * cursor left by the previous pass; each bid walks the book (open offers
 * with a free slot, by price then age) from the cheapest ask up to its max
 * price, examining at most market_match_offers entries, and takes the first
 * fitting offer of each of r distinct providers. A matched bid becomes r
 * leases at the offers' prices and gives back the escrow above
 * sum(prices) x max_duration (plus the tie-break reserve, r >= 2); an
 * unmatched bid records why. The bids come
 * from the queue entries, which hold their records, and the walks of a
 * pass go over the pass's in-memory view of the book (market/book.h). */
#include "market/order.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/staking.h"
#include "market/book.h"
#include "market/market.h"
#include "market/reason.h"
#include "market/reputation.h"

/* The walk of the book for one bid. */
struct scan {
	const Hearth__BidRecord *bid;
	uint32_t budget; /* book entries still to examine */
	size_t n_chosen;
	Hearth__OfferRecord *chosen[MARKET_REPLICAS_MAX];
	size_t chosen_idx[MARKET_REPLICAS_MAX]; /* their places in the view */
	uint32_t deepest;	  /* the furthest filter an offer failed (reason code) */
	int runtime;		  /* the bid's runtime's number in the pass (book.h) */
	struct market_terms want; /* the bid's terms */
	bool within_price, beyond_price, duplicate, limit_hit;
	struct pass_book *book;
};

bool market_offer_has_runtime(const Hearth__Offer *o, const char *runtime)
{
	for (size_t i = 0; i < o->n_runtimes; i++) {
		if (strcmp(o->runtimes[i], runtime) == 0)
			return true;
	}
	return false;
}

static bool has_attributes(const Hearth__Offer *o, const Hearth__Bid *b)
{
	for (size_t i = 0; i < b->n_required_attributes; i++) {
		const Hearth__Attribute *want = b->required_attributes[i];
		bool found = false;

		for (size_t j = 0; j < o->n_attributes && !found; j++)
			found = strcmp(o->attributes[j]->key, want->key) == 0 &&
				strcmp(o->attributes[j]->value, want->value) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* Whether the keys a and b (PUBKEY_SIZE bytes) are the same: their first
 * eight bytes almost always tell. */
static bool same_key(const uint8_t *a, const uint8_t *b)
{
	uint64_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x == y && memcmp(a, b, PUBKEY_SIZE) == 0;
}

/* The filters that depend on the offer alone, in the order of the reason
 * codes; MARKET_OK when it passes them. o and want: the terms of the offer
 * rec and of the bid (market/book.h); runtime_ok: whether the offer lists
 * the bid's runtime (market_offer_has_runtime). */
static enum market_reason offer_filter(const Hearth__OfferRecord *rec, const struct market_terms *o,
				       const Hearth__BidRecord *bid,
				       const struct market_terms *want, bool runtime_ok)
{
	if (o->key_head == want->key_head &&
	    memcmp(rec->provider.data, bid->consumer.data, PUBKEY_SIZE) == 0)
		return MARKET_UNMATCHED_OWN_OFFER;
	if (!runtime_ok)
		return MARKET_UNMATCHED_RUNTIME;
	if (o->cpu < want->cpu)
		return MARKET_UNMATCHED_CPU;
	if (o->memory < want->memory)
		return MARKET_UNMATCHED_MEMORY;
	if (o->disk < want->disk)
		return MARKET_UNMATCHED_DISK;
	if (o->gpus < want->gpus)
		return MARKET_UNMATCHED_GPUS;
	if (o->duration < want->duration)
		return MARKET_UNMATCHED_DURATION;
	if (!has_attributes(rec->offer, bid->bid))
		return MARKET_UNMATCHED_ATTRIBUTES;
	return MARKET_OK;
}

int market_standing_load(const struct market_ctx *c, const uint8_t *provider,
			 struct market_standing *sd)
{
	struct market_reputation rep;
	struct account acct;

	if (market_reputation_load(c->st, provider, &rep) != STATE_OK ||
	    account_load(c->st, provider, &acct) != STATE_OK ||
	    staking_is_jailed(c->st, provider, &sd->jailed) != STATE_OK)
		return -1;
	sd->score = market_reputation_score(&rep);
	sd->bond_ok = acct.bonded >= c->p->min_provider_bond;
	return 0;
}

static enum market_reason standing_filter(const struct market_standing *sd,
					  const Hearth__BidRecord *bid)
{
	if (sd->score < bid->bid->min_reputation)
		return MARKET_UNMATCHED_REPUTATION;
	if (!sd->bond_ok)
		return MARKET_UNMATCHED_BOND;
	if (sd->jailed)
		return MARKET_UNMATCHED_JAILED;
	return MARKET_OK;
}

int market_offer_fits(const struct market_ctx *c, const Hearth__OfferRecord *rec,
		      const Hearth__BidRecord *bid, enum market_reason *why)
{
	struct market_standing sd;
	struct market_terms o, want;

	market_terms_of_offer(rec, &o);
	market_terms_of_bid(bid, &want);
	*why = offer_filter(rec, &o, bid, &want,
			    market_offer_has_runtime(rec->offer, bid->bid->runtime));
	if (*why != MARKET_OK)
		return 0;
	if (market_standing_load(c, rec->provider.data, &sd) != 0)
		return -1;
	*why = standing_filter(&sd, bid);
	return 0;
}

/* Examines the book entry e (index idx of the view) for s's bid, as the
 * walk of the book does. Returns 0 to go on, 1 to stop. */
static int scan_entry(struct scan *s, size_t idx, struct book_entry *e)
{
	enum market_reason why;
	bool dup = false;

	if (e->price > s->bid->bid->max_price_per_second) {
		s->beyond_price = true;
		return 1;
	}
	if (s->budget == 0) {
		s->limit_hit = true;
		return 1;
	}
	s->budget--;
	s->within_price = true;
	why = offer_filter(e->rec, &e->t, s->bid, &s->want,
			   market_book_has_runtime(e, s->runtime, s->bid->bid->runtime));
	if (why == MARKET_OK)
		why = standing_filter(&e->sd, s->bid);
	for (size_t i = 0; i < s->n_chosen && !dup; i++)
		dup = same_key(s->chosen[i]->provider.data, e->rec->provider.data);
	if (why != MARKET_OK || dup) {
		if (why > s->deepest)
			s->deepest = why;
		s->duplicate = s->duplicate || dup;
		return 0;
	}
	s->chosen_idx[s->n_chosen] = idx;
	s->chosen[s->n_chosen++] = e->rec;
	return s->n_chosen == s->bid->bid->replicas ? 1 : 0;
}

/* Walks the view from the cheapest ask. Returns 0, or -1 on an error. */
static int scan_book(struct scan *s)
{
	struct book_entry *e;
	size_t idx;

	for (size_t i = 0;; i = idx + 1) {
		if (market_book_next(s->book, i, &idx, &e) != 0)
			return -1;
		if (e == NULL || scan_entry(s, idx, e) != 0)
			return 0;
	}
}

static enum market_reason scan_reason(const struct scan *s)
{
	if (!s->within_price)
		return s->beyond_price ? MARKET_UNMATCHED_PRICE : MARKET_UNMATCHED_NO_OFFERS;
	if (s->limit_hit)
		return MARKET_UNMATCHED_SCAN_LIMIT;
	if (s->n_chosen > 0 || s->duplicate)
		return MARKET_UNMATCHED_PROVIDERS;
	return (enum market_reason)s->deepest;
}

bool market_lease_deadline(const struct market_ctx *c, uint64_t duration_s, uint64_t *deadline)
{
	uint64_t ms, blocks;

	if (__builtin_mul_overflow(duration_s, (uint64_t)1000, &ms))
		return false;
	blocks = ms / c->p->market_block_time_ms + (ms % c->p->market_block_time_ms != 0);
	return !__builtin_add_overflow(c->height, blocks, deadline) &&
	       !__builtin_add_overflow(*deadline, c->p->market_lease_grace_blocks, deadline);
}

enum state_status market_lease_create(const struct market_ctx *c, const Hearth__BidRecord *bid,
				      const Hearth__OfferRecord *offer, uint32_t replica,
				      uint64_t deadline)
{
	Hearth__Lease lease = HEARTH__LEASE__INIT;
	uint8_t id[MARKET_ID_SIZE];
	struct mkey k;

	market_lease_id(bid->id.data, replica, id);
	lease.id.data = id;
	lease.id.len = MARKET_ID_SIZE;
	lease.bid_id = bid->id;
	lease.offer_id = offer->id;
	lease.provider = offer->provider;
	lease.consumer = bid->consumer;
	lease.price_per_second = offer->offer->price_per_second;
	lease.start_height = c->height;
	lease.deadline_height = deadline;
	lease.state = HEARTH__LEASE_STATE__LEASE_ACTIVE;
	lease.replica = replica;
	mkey_id(&k, MKEY_LEASE, id);
	if (market_record_put(c->st, &k, &lease.base) != STATE_OK)
		return STATE_ERROR;
	mkey_pair(&k, MKEY_LEASE_PROVIDER, offer->provider.data, id);
	if (market_index_put(c->st, &k) != STATE_OK)
		return STATE_ERROR;
	mkey_pair(&k, MKEY_LEASE_CONSUMER, bid->consumer.data, id);
	if (market_index_put(c->st, &k) != STATE_OK)
		return STATE_ERROR;
	mkey_u64_id(&k, MKEY_DEADLINE, deadline, id);
	return market_index_put(c->st, &k);
}

/* Turns bid into leases on s->chosen and refunds the escrow above the
 * leases' worst case and the tie-break reserve (r >= 2). Returns 0, 1 when
 * an amount overflows (the bid then stays queued), -1 on a state error. */
static int bid_match(const struct market_ctx *c, struct market_state *ms, Hearth__BidRecord *bid,
		     struct scan *s)
{
	uint64_t deadline, prices = 0, kept, reserve;
	struct mkey k;

	for (size_t i = 0; i < s->n_chosen; i++) {
		if (__builtin_add_overflow(prices, s->chosen[i]->offer->price_per_second, &prices))
			return 1;
	}
	if (__builtin_mul_overflow(prices, bid->bid->max_duration_seconds, &kept) ||
	    !market_bid_reserve(bid->bid, &reserve) ||
	    __builtin_add_overflow(kept, reserve, &kept) || kept > bid->escrow ||
	    !market_lease_deadline(c, bid->bid->max_duration_seconds, &deadline))
		return 1;
	for (size_t i = 0; i < s->n_chosen; i++) {
		if (market_lease_create(c, bid, s->chosen[i], (uint32_t)i, deadline) != STATE_OK ||
		    market_book_take(s->book, s->chosen_idx[i]) != STATE_OK)
			return -1;
	}
	if (market_escrow_release(c->st, ms, bid->consumer.data, bid->escrow - kept) != 0 ||
	    market_bid_dequeue(c->st, bid) != STATE_OK)
		return -1;
	bid->escrow = kept;
	bid->state = HEARTH__BID_STATE__BID_MATCHED;
	bid->open_leases = (uint32_t)s->n_chosen;
	bid->unmatched_reason = MARKET_OK;
	mkey_id(&k, MKEY_BID, bid->id.data);
	return market_record_put(c->st, &k, &bid->base) == STATE_OK ? 0 : -1;
}

/* One attempt to match the queued bid (decoded from its queue entry).
 * Returns 0 or -1. */
static int bid_attempt(const struct market_ctx *c, struct market_state *ms, struct pass_book *book,
		       Hearth__BidRecord *bid)
{
	struct scan s = { .budget = c->p->market_match_offers, .book = book, .bid = bid };
	enum market_reason why;
	int rc = 0;

	s.runtime = market_book_runtime(book, bid->bid->runtime);
	market_terms_of_bid(bid, &s.want);
	if (scan_book(&s) != 0)
		return -1;
	if (s.n_chosen == bid->bid->replicas)
		rc = bid_match(c, ms, bid, &s);
	if (rc == 1) {
		s.limit_hit = true; /* an amount overflowed: report it as no fit */
		rc = 0;
	} else if (rc != 0 || bid->state == HEARTH__BID_STATE__BID_MATCHED) {
		return rc;
	}
	why = scan_reason(&s);
	if (bid->unmatched_reason != (uint32_t)why) {
		bid->unmatched_reason = why;
		if (market_bid_store(c->st, bid) != STATE_OK)
			return -1;
	}
	return 0;
}

/* A batch of the queued bids a pass takes, and where the next batch (or
 * pass) resumes. */
struct pass {
	uint32_t max;	  /* bids the batch may take */
	size_t max_bytes; /* of their records, unless it is the first */
	size_t n, bytes;
	bool more;	 /* the queue goes on after the batch */
	uint64_t resume; /* seq of the first entry left */
	Hearth__BidRecord **bids;
};

/* A queue entry: seq || bid id -> the bid's record (market_bid_store). */
static int collect_queued(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			  size_t val_len)
{
	struct pass *p = arg;
	ProtobufCMessage *msg;
	Hearth__BidRecord *bid;

	if (key_len != 1 + 8 + MARKET_ID_SIZE)
		return -1;
	if (p->n == p->max || (p->n > 0 && val_len > p->max_bytes - p->bytes)) {
		p->more = true;
		p->resume = key_get_u64(key + 1);
		return 1;
	}
	if (codec_decode_stored(&hearth__bid_record__descriptor, val, val_len, MARKET_RECORD_MAX,
				&msg, NULL) != CODEC_OK)
		return -1;
	bid = (Hearth__BidRecord *)msg;
	p->bids[p->n++] = bid;
	p->bytes += val_len < p->max_bytes - p->bytes ? val_len : p->max_bytes - p->bytes;
	if (bid->id.len != MARKET_ID_SIZE || memcmp(bid->id.data, key + 9, MARKET_ID_SIZE) != 0 ||
	    bid->consumer.len != PUBKEY_SIZE || bid->seq != key_get_u64(key + 1) ||
	    bid->state != HEARTH__BID_STATE__BID_QUEUED)
		return -1;
	return 0;
}

/* Takes the next batch from seq from and tries each bid of it in turn. */
static enum state_status match_batch(const struct market_ctx *c, struct market_state *ms,
				     struct pass_book *book, uint64_t from, struct pass *p)
{
	uint8_t prefix = MKEY_BID_QUEUE;
	struct mkey start;
	enum state_status rc;

	p->n = p->bytes = 0;
	p->more = false;
	mkey_start(&start, MKEY_BID_QUEUE);
	mkey_add_u64(&start, from);
	rc = state_iterate(c->st, &prefix, 1, start.bytes, start.len, collect_queued, p);
	for (size_t i = 0; rc == STATE_OK && i < p->n; i++) {
		if (bid_attempt(c, ms, book, p->bids[i]) != 0)
			rc = STATE_ERROR;
	}
	for (size_t i = 0; i < p->n; i++)
		codec_free(&p->bids[i]->base); /* the chosen offers belong to the view */
	return rc;
}

enum ledger_reason market_match_pass(const struct market_ctx *c, size_t batch_bytes,
				     struct ledger_error *err)
{
	struct pass p = { .max_bytes = batch_bytes };
	uint32_t left = c->p->market_match_bids;
	struct pass_book book;
	struct market_state ms, before;
	enum state_status rc;

	if (market_state_load(c->st, &ms) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the market state");
	before = ms;
	p.bids = calloc(left > 0 ? left : 1, sizeof(*p.bids));
	if (p.bids == NULL)
		return ledger_fail(err, LEDGER_INTERNAL, "no memory");
	market_book_init(&book, c);
	p.resume = ms.match_cursor;
	/* Batches until the pass has taken market_match_bids bids or reached
	 * the end of the queue; each resumes where the one before stopped
	 * (matching removes only the bids it tried, and adds none). */
	do {
		p.max = left;
		rc = match_batch(c, &ms, &book, p.resume, &p);
		left -= (uint32_t)p.n;
	} while (rc == STATE_OK && p.more && left > 0);
	if (rc == STATE_OK)
		rc = market_book_flush(&book);
	market_book_free(&book);
	free(p.bids);
	if (rc != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "matching");
	/* The next pass resumes after this one, or from the start of the queue
	 * when this one reached its end. */
	ms.match_cursor = p.more ? p.resume : 0;
	if (memcmp(&ms, &before, sizeof(ms)) != 0 && market_state_store(c->st, &ms) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the market state");
	return LEDGER_OK;
}

enum ledger_reason market_match_block(const struct market_ctx *c, struct ledger_error *err)
{
	return market_match_pass(c, MARKET_MATCH_BATCH_BYTES, err);
}
