/* match.c: matching at the end of every block (doc/market.md, "Matching").
 * A pass takes up to market_match_bids queued bids in arrival order from the
 * cursor left by the previous pass; each bid walks the book (open offers
 * with a free slot, by price then age) from the cheapest ask up to its max
 * price, examining at most market_match_offers entries, and takes the first
 * fitting offer of each of r distinct providers. A matched bid becomes r
 * leases at the offers' prices and gives back the escrow above
 * sum(prices) x max_duration; an unmatched bid records why. */
#include "market/order.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/staking.h"
#include "market/market.h"
#include "market/reason.h"
#include "market/reputation.h"

/* The walk of the book for one bid. */
struct scan {
	const struct market_ctx *c;
	const Hearth__BidRecord *bid;
	uint32_t budget; /* book entries still to examine */
	size_t n_chosen;
	Hearth__OfferRecord *chosen[MARKET_REPLICAS_MAX];
	uint32_t deepest; /* the furthest filter an offer failed (reason code) */
	bool within_price, beyond_price, duplicate, limit_hit;
	struct offer_cache *cache;
};

static bool has_runtime(const Hearth__Offer *o, const char *runtime)
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

/* The filters that depend on the offer alone, in the order of the reason
 * codes; MARKET_OK when it passes them. */
static enum market_reason offer_filter(const Hearth__OfferRecord *rec, const Hearth__BidRecord *bid)
{
	const Hearth__Offer *o = rec->offer;
	const Hearth__Bid *b = bid->bid;

	if (memcmp(rec->provider.data, bid->consumer.data, PUBKEY_SIZE) == 0)
		return MARKET_UNMATCHED_OWN_OFFER;
	if (!has_runtime(o, b->runtime))
		return MARKET_UNMATCHED_RUNTIME;
	if (o->per_slot->cpu_millicores < b->resources->cpu_millicores)
		return MARKET_UNMATCHED_CPU;
	if (o->per_slot->memory_bytes < b->resources->memory_bytes)
		return MARKET_UNMATCHED_MEMORY;
	if (o->per_slot->disk_bytes < b->resources->disk_bytes)
		return MARKET_UNMATCHED_DISK;
	if (o->per_slot->gpus < b->resources->gpus)
		return MARKET_UNMATCHED_GPUS;
	if (o->max_duration_seconds < b->max_duration_seconds)
		return MARKET_UNMATCHED_DURATION;
	if (!has_attributes(o, b))
		return MARKET_UNMATCHED_ATTRIBUTES;
	return MARKET_OK;
}

/* A provider's standing, for the last filters. */
struct standing {
	uint32_t score;
	bool bond_ok, jailed;
};

static int standing_load(const struct market_ctx *c, const uint8_t *provider, struct standing *sd)
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

static enum market_reason standing_filter(const struct standing *sd, const Hearth__BidRecord *bid)
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
	struct standing sd;

	*why = offer_filter(rec, bid);
	if (*why != MARKET_OK)
		return 0;
	if (standing_load(c, rec->provider.data, &sd) != 0)
		return -1;
	*why = standing_filter(&sd, bid);
	return 0;
}

/* A matching pass's read cache of the book: each offer is read, decoded and
 * its provider's standing loaded once per pass, not once per bid. Matching
 * does not change standings; taking a slot changes the cached record in
 * place as it writes it (market_offer_take_slot), so the cache never goes
 * stale within the pass. Open addressing on the offer id (a hash). */
struct cached_offer {
	Hearth__OfferRecord *rec; /* NULL: an empty slot */
	struct standing sd;
};

struct offer_cache {
	size_t cap, n; /* cap: a power of two */
	struct cached_offer *slots;
};

static struct cached_offer *cache_slot(const struct offer_cache *oc, const uint8_t *id)
{
	size_t i = (size_t)key_get_u64(id) & (oc->cap - 1);

	while (oc->slots[i].rec != NULL &&
	       memcmp(oc->slots[i].rec->id.data, id, MARKET_ID_SIZE) != 0)
		i = (i + 1) & (oc->cap - 1);
	return &oc->slots[i];
}

static int cache_grow(struct offer_cache *oc)
{
	struct offer_cache bigger = { .cap = oc->cap ? oc->cap * 2 : 256, .n = oc->n };

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (bigger.slots == NULL)
		return -1;
	for (size_t i = 0; i < oc->cap; i++) {
		if (oc->slots[i].rec != NULL)
			*cache_slot(&bigger, oc->slots[i].rec->id.data) = oc->slots[i];
	}
	free(oc->slots);
	*oc = bigger;
	return 0;
}

/* The cached offer of id, read on first use. Returns NULL on an error. */
static struct cached_offer *cache_get(const struct market_ctx *c, struct offer_cache *oc,
				      const uint8_t *id)
{
	struct cached_offer *co;
	ProtobufCMessage *msg;
	struct mkey k;

	if (2 * (oc->n + 1) > oc->cap && cache_grow(oc) != 0)
		return NULL;
	co = cache_slot(oc, id);
	if (co->rec != NULL)
		return co;
	mkey_id(&k, MKEY_OFFER, id);
	if (market_record_get(c->st, &k, &hearth__offer_record__descriptor, &msg) != STATE_OK)
		return NULL;
	co->rec = (Hearth__OfferRecord *)msg;
	if (standing_load(c, co->rec->provider.data, &co->sd) != 0) {
		codec_free(msg);
		co->rec = NULL;
		return NULL;
	}
	oc->n++;
	return co;
}

static void cache_free(struct offer_cache *oc)
{
	for (size_t i = 0; i < oc->cap; i++)
		codec_free((ProtobufCMessage *)oc->slots[i].rec);
	free(oc->slots);
}

static int scan_offer(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		      size_t val_len)
{
	struct scan *s = arg;
	struct cached_offer *co;
	Hearth__OfferRecord *rec;
	enum market_reason why;
	bool dup = false;

	(void)val;
	if (key_len != 1 + 8 + 8 + MARKET_ID_SIZE || val_len != 0)
		return -1;
	if (key_get_u64(key + 1) > s->bid->bid->max_price_per_second) {
		s->beyond_price = true;
		return 1;
	}
	if (s->budget == 0) {
		s->limit_hit = true;
		return 1;
	}
	s->budget--;
	s->within_price = true;
	co = cache_get(s->c, s->cache, key + 17);
	if (co == NULL)
		return -1;
	rec = co->rec;
	why = offer_filter(rec, s->bid);
	if (why == MARKET_OK)
		why = standing_filter(&co->sd, s->bid);
	for (size_t i = 0; i < s->n_chosen && !dup; i++)
		dup = memcmp(s->chosen[i]->provider.data, rec->provider.data, PUBKEY_SIZE) == 0;
	if (why != MARKET_OK || dup) {
		if (why > s->deepest)
			s->deepest = why;
		s->duplicate = s->duplicate || dup;
		return 0;
	}
	s->chosen[s->n_chosen++] = rec;
	return s->n_chosen == s->bid->bid->replicas ? 1 : 0;
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
 * leases' worst case. Returns 0, 1 when an amount overflows (the bid then
 * stays queued), -1 on a state error. */
static int bid_match(const struct market_ctx *c, struct market_state *ms, Hearth__BidRecord *bid,
		     struct scan *s)
{
	uint64_t deadline, prices = 0, kept;
	struct mkey k;

	for (size_t i = 0; i < s->n_chosen; i++) {
		if (__builtin_add_overflow(prices, s->chosen[i]->offer->price_per_second, &prices))
			return 1;
	}
	if (__builtin_mul_overflow(prices, bid->bid->max_duration_seconds, &kept) ||
	    kept > bid->escrow ||
	    !market_lease_deadline(c, bid->bid->max_duration_seconds, &deadline))
		return 1;
	for (size_t i = 0; i < s->n_chosen; i++) {
		if (market_lease_create(c, bid, s->chosen[i], (uint32_t)i, deadline) != STATE_OK ||
		    market_offer_take_slot(c->st, s->chosen[i]) != STATE_OK)
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

/* One attempt to match the queued bid id. Returns 0 or -1. */
static int bid_attempt(const struct market_ctx *c, struct market_state *ms,
		       struct offer_cache *cache, const uint8_t *id)
{
	struct scan s = { .c = c, .budget = c->p->market_match_offers, .cache = cache };
	ProtobufCMessage *msg;
	Hearth__BidRecord *bid;
	uint8_t prefix = MKEY_OFFER_BOOK;
	enum market_reason why;
	struct mkey k;
	int rc = 0;

	mkey_id(&k, MKEY_BID, id);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return -1;
	bid = (Hearth__BidRecord *)msg;
	s.bid = bid;
	if (state_iterate(c->st, &prefix, 1, NULL, 0, scan_offer, &s) != STATE_OK)
		rc = -1;
	if (rc == 0 && s.n_chosen == bid->bid->replicas)
		rc = bid_match(c, ms, bid, &s);
	if (rc == 1) {
		s.limit_hit = true; /* an amount overflowed: report it as no fit */
		rc = 0;
	} else if (rc == 0 && bid->state == HEARTH__BID_STATE__BID_MATCHED) {
		goto done;
	}
	why = scan_reason(&s);
	if (rc == 0 && bid->unmatched_reason != (uint32_t)why) {
		bid->unmatched_reason = why;
		if (market_record_put(c->st, &k, &bid->base) != STATE_OK)
			rc = -1;
	}
done:
	codec_free(msg); /* the chosen offers belong to the cache */
	return rc;
}

/* The queue entries a pass takes, and where the next pass resumes. */
struct pass {
	uint32_t max;
	size_t n;
	bool more;	 /* the queue goes on after the pass */
	uint64_t resume; /* seq of the first entry left for the next pass */
	uint8_t (*ids)[MARKET_ID_SIZE];
};

static int collect_queued(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			  size_t val_len)
{
	struct pass *p = arg;

	(void)val;
	if (key_len != 1 + 8 + MARKET_ID_SIZE || val_len != 0)
		return -1;
	if (p->n == p->max) {
		p->more = true;
		p->resume = key_get_u64(key + 1);
		return 1;
	}
	memcpy(p->ids[p->n++], key + 9, MARKET_ID_SIZE);
	return 0;
}

enum ledger_reason market_match_block(const struct market_ctx *c, struct ledger_error *err)
{
	struct pass p = { .max = c->p->market_match_bids };
	struct offer_cache cache = { .cap = 0, .n = 0, .slots = NULL };
	struct market_state ms, before;
	uint8_t prefix = MKEY_BID_QUEUE;
	struct mkey start;
	enum state_status rc;

	if (market_state_load(c->st, &ms) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the market state");
	before = ms;
	p.ids = malloc((size_t)p.max * MARKET_ID_SIZE);
	if (p.ids == NULL)
		return ledger_fail(err, LEDGER_INTERNAL, "no memory");
	mkey_start(&start, MKEY_BID_QUEUE);
	mkey_add_u64(&start, ms.match_cursor);
	rc = state_iterate(c->st, &prefix, 1, start.bytes, start.len, collect_queued, &p);
	for (size_t i = 0; rc == STATE_OK && i < p.n; i++) {
		if (bid_attempt(c, &ms, &cache, p.ids[i]) != 0)
			rc = STATE_ERROR;
	}
	cache_free(&cache);
	free(p.ids);
	if (rc != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "matching");
	/* The next pass resumes after this one, or from the start of the queue
	 * when this one reached its end. */
	ms.match_cursor = p.more ? p.resume : 0;
	if (memcmp(&ms, &before, sizeof(ms)) != 0 && market_state_store(c->st, &ms) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the market state");
	return LEDGER_OK;
}
