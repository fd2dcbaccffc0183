/* book.c: a matching pass's in-memory view of the book (market/book.h). */
#include "market/book.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Keys read from the state's book at once: enough that a walk rarely waits
 * for a database iterator, few enough to read little past the walks. */
#define BOOK_CHUNK_MIN 256u
#define BOOK_CHUNK_MAX 4096u

#define BOOK_KEY_LEN (1 + 8 + 8 + MARKET_ID_SIZE)

void market_book_init(struct pass_book *b, const struct market_ctx *c)
{
	memset(b, 0, sizeof(*b));
	b->c = c;
	b->last[0] = MKEY_OFFER_BOOK;
	b->last_len = 1;
}

void market_book_free(struct pass_book *b)
{
	for (size_t i = 0; i < b->n; i++)
		codec_free((ProtobufCMessage *)b->e[i].rec);
	free(b->e);
	free(b->skip);
	free(b->vals);
	b->vals = NULL;
	b->vals_len = b->vals_cap = 0;
	free(b->prov);
	b->e = NULL;
	b->skip = NULL;
	b->prov = NULL;
	b->n = b->cap = 0;
	b->n_prov = b->cap_prov = 0;
}

static int book_grow(struct pass_book *b)
{
	size_t cap = b->cap ? b->cap * 2 : BOOK_CHUNK_MIN;
	struct book_entry *e = realloc(b->e, cap * sizeof(*e));
	size_t *skip;

	if (e == NULL)
		return -1;
	b->e = e;
	skip = realloc(b->skip, cap * sizeof(*skip));
	if (skip == NULL)
		return -1;
	b->skip = skip;
	b->cap = cap;
	return 0;
}

/* Appends an entry's value to b->vals. Out: *off. Returns 0 or -1. */
static int vals_add(struct pass_book *b, const uint8_t *val, size_t len, size_t *off)
{
	if (len > MARKET_RECORD_MAX)
		return -1;
	if (b->vals_cap - b->vals_len < len) {
		size_t cap = b->vals_cap ? b->vals_cap : 4096;
		uint8_t *v;

		while (cap - b->vals_len < len)
			cap *= 2;
		v = realloc(b->vals, cap);
		if (v == NULL)
			return -1;
		b->vals = v;
		b->vals_cap = cap;
	}
	if (len > 0)
		memcpy(b->vals + b->vals_len, val, len);
	*off = b->vals_len;
	b->vals_len += len;
	return 0;
}

/* One chunk of entries after the last one read. */
struct chunk {
	struct pass_book *b;
	size_t limit, added;
	bool full;
};

static int chunk_entry(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	struct chunk *ch = arg;
	struct pass_book *b = ch->b;
	struct book_entry *e;

	if (key_len != BOOK_KEY_LEN)
		return -1;
	/* The walk starts at the last key read (inclusive). */
	if (key_len == b->last_len && memcmp(key, b->last, key_len) == 0)
		return 0;
	if (ch->added == ch->limit) {
		ch->full = true;
		return 1;
	}
	if (b->n == b->cap && book_grow(b) != 0)
		return -1;
	e = &b->e[b->n];
	if (vals_add(b, val, val_len, &e->val_off) != 0)
		return -1;
	e->val_len = val_len;
	e->price = key_get_u64(key + 1);
	memcpy(e->id, key + 17, MARKET_ID_SIZE);
	e->rec = NULL;
	e->dirty = false;
	e->rt_known = e->rt_has = 0;
	b->skip[b->n] = b->n;
	b->n++;
	ch->added++;
	memcpy(b->last, key, key_len);
	b->last_len = key_len;
	return 0;
}

/* Reads the next chunk of keys; at the end of the book sets b->end. */
static int book_load(struct pass_book *b)
{
	struct chunk ch = { .b = b, .added = 0, .full = false };
	uint8_t prefix = MKEY_OFFER_BOOK;

	ch.limit = b->n < BOOK_CHUNK_MIN ? BOOK_CHUNK_MIN : b->n;
	if (ch.limit > BOOK_CHUNK_MAX)
		ch.limit = BOOK_CHUNK_MAX;
	if (state_iterate(b->c->st, &prefix, 1, b->last, b->last_len, chunk_entry, &ch) != STATE_OK)
		return -1;
	b->end = !ch.full;
	return 0;
}

/* The first live index >= i (b->n when none is loaded), compressing the
 * path of dead entries it crossed. */
static size_t live_from(struct pass_book *b, size_t i)
{
	size_t root = i;

	while (root < b->n && b->skip[root] != root)
		root = b->skip[root];
	while (i < root) {
		size_t next = b->skip[i];

		b->skip[i] = root;
		i = next;
	}
	return root;
}

static size_t prov_hash(const struct pass_book *b, const uint8_t *key)
{
	uint8_t seed[crypto_shorthash_KEYBYTES] = { 0 }, h[crypto_shorthash_BYTES];

	if (b->c->prev_block_id != NULL)
		memcpy(seed, b->c->prev_block_id, sizeof(seed));
	crypto_shorthash(h, key, PUBKEY_SIZE, seed);
	return (size_t)key_get_u64(h);
}

static struct book_provider *prov_slot(const struct pass_book *b, const uint8_t *key)
{
	size_t i = prov_hash(b, key) & (b->cap_prov - 1);

	while (b->prov[i].used && memcmp(b->prov[i].key, key, PUBKEY_SIZE) != 0)
		i = (i + 1) & (b->cap_prov - 1);
	return &b->prov[i];
}

static int prov_grow(struct pass_book *b)
{
	struct pass_book bigger = *b;

	bigger.cap_prov = b->cap_prov ? b->cap_prov * 2 : 64;
	bigger.prov = calloc(bigger.cap_prov, sizeof(*bigger.prov));
	if (bigger.prov == NULL)
		return -1;
	for (size_t i = 0; i < b->cap_prov; i++) {
		if (b->prov[i].used)
			*prov_slot(&bigger, b->prov[i].key) = b->prov[i];
	}
	free(b->prov);
	b->prov = bigger.prov;
	b->cap_prov = bigger.cap_prov;
	return 0;
}

/* Out: *sd, provider's standing, read on its first use in the pass. */
static int prov_standing(struct pass_book *b, const uint8_t *provider, struct market_standing *sd)
{
	struct book_provider *p;

	if (2 * (b->n_prov + 1) > b->cap_prov && prov_grow(b) != 0)
		return -1;
	p = prov_slot(b, provider);
	if (!p->used) {
		if (market_standing_load(b->c, provider, &p->sd) != 0)
			return -1;
		memcpy(p->key, provider, PUBKEY_SIZE);
		p->used = true;
		b->n_prov++;
	}
	*sd = p->sd;
	return 0;
}

static int entry_read(struct pass_book *b, struct book_entry *e)
{
	ProtobufCMessage *msg;
	Hearth__OfferRecord *rec;

	/* The book entry's value is the offer's record (market_offer_store). */
	if (codec_decode_stored(&hearth__offer_record__descriptor, b->vals + e->val_off, e->val_len,
				MARKET_RECORD_MAX, &msg, NULL) != CODEC_OK)
		return -1;
	rec = (Hearth__OfferRecord *)msg;
	if (rec->id.len != MARKET_ID_SIZE || memcmp(rec->id.data, e->id, MARKET_ID_SIZE) != 0 ||
	    rec->provider.len != PUBKEY_SIZE || prov_standing(b, rec->provider.data, &e->sd) != 0) {
		codec_free(msg);
		return -1;
	}
	e->rec = rec;
	e->dirty = false;
	market_terms_of_offer(rec, &e->t);
	return 0;
}

int market_book_next(struct pass_book *b, size_t i, size_t *idx, struct book_entry **e)
{
	size_t j = live_from(b, i);

	while (j == b->n) {
		if (b->end) {
			*idx = j;
			*e = NULL;
			return 0;
		}
		if (book_load(b) != 0)
			return -1;
		j = live_from(b, j);
	}
	if (b->e[j].rec == NULL && entry_read(b, &b->e[j]) != 0)
		return -1;
	*idx = j;
	*e = &b->e[j];
	return 0;
}

static uint64_t key_head(const uint8_t *key)
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return h;
}

void market_terms_of_offer(const Hearth__OfferRecord *rec, struct market_terms *t)
{
	const Hearth__Resources *r = rec->offer->per_slot;

	t->cpu = r->cpu_millicores;
	t->memory = r->memory_bytes;
	t->disk = r->disk_bytes;
	t->gpus = r->gpus;
	t->duration = rec->offer->max_duration_seconds;
	t->key_head = key_head(rec->provider.data);
}

void market_terms_of_bid(const Hearth__BidRecord *rec, struct market_terms *t)
{
	const Hearth__Resources *r = rec->bid->resources;

	t->cpu = r->cpu_millicores;
	t->memory = r->memory_bytes;
	t->disk = r->disk_bytes;
	t->gpus = r->gpus;
	t->duration = rec->bid->max_duration_seconds;
	t->key_head = key_head(rec->consumer.data);
}

int market_book_runtime(struct pass_book *b, const char *runtime)
{
	size_t len = strnlen(runtime, MARKET_NAME_MAX + 1);

	if (len > MARKET_NAME_MAX)
		return -1;
	for (size_t i = 0; i < b->n_runtimes; i++) {
		if (strcmp(b->runtimes[i], runtime) == 0)
			return (int)i;
	}
	if (b->n_runtimes == BOOK_RUNTIMES)
		return -1;
	memcpy(b->runtimes[b->n_runtimes], runtime, len + 1);
	return (int)b->n_runtimes++;
}

bool market_book_has_runtime(struct book_entry *e, int rt, const char *runtime)
{
	uint64_t bit;

	if (rt < 0)
		return market_offer_has_runtime(e->rec->offer, runtime);
	bit = (uint64_t)1 << rt;
	if ((e->rt_known & bit) == 0) {
		e->rt_known |= bit;
		if (market_offer_has_runtime(e->rec->offer, runtime))
			e->rt_has |= bit;
	}
	return (e->rt_has & bit) != 0;
}

enum state_status market_book_take(struct pass_book *b, size_t idx)
{
	struct book_entry *e;

	if (idx >= b->n)
		return STATE_ERROR;
	e = &b->e[idx];
	if (e->rec == NULL || market_offer_use_slot(b->c->st, e->rec) != STATE_OK)
		return STATE_ERROR;
	e->dirty = true;
	if (e->rec->free_slots == 0)
		b->skip[idx] = idx + 1;
	return STATE_OK;
}

enum state_status market_book_flush(struct pass_book *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const Hearth__OfferRecord *rec = b->e[i].rec;

		if (!b->e[i].dirty)
			continue;
		/* Still in the book while it has a free slot: its entry's copy
		 * is rewritten too. */
		if (market_offer_store(b->c->st, rec, rec->free_slots > 0) != STATE_OK)
			return STATE_ERROR;
		b->e[i].dirty = false;
	}
	return STATE_OK;
}
