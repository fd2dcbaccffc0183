/* book.c: a matching pass's in-memory view of the book (market/book.h). */
#include "market/book.h"

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
	b->e = NULL;
	b->skip = NULL;
	b->n = b->cap = 0;
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

/* One chunk of keys after the last one read. */
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

	(void)val;
	if (key_len != BOOK_KEY_LEN || val_len != 0)
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
	e->price = key_get_u64(key + 1);
	memcpy(e->id, key + 17, MARKET_ID_SIZE);
	e->rec = NULL;
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

static int entry_read(const struct market_ctx *c, struct book_entry *e)
{
	ProtobufCMessage *msg;
	struct mkey k;

	mkey_id(&k, MKEY_OFFER, e->id);
	if (market_record_get(c->st, &k, &hearth__offer_record__descriptor, &msg) != STATE_OK)
		return -1;
	if (market_standing_load(c, ((Hearth__OfferRecord *)msg)->provider.data, &e->sd) != 0) {
		codec_free(msg);
		return -1;
	}
	e->rec = (Hearth__OfferRecord *)msg;
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
	if (b->e[j].rec == NULL && entry_read(b->c, &b->e[j]) != 0)
		return -1;
	*idx = j;
	*e = &b->e[j];
	return 0;
}

void market_book_kill(struct pass_book *b, size_t idx)
{
	if (idx < b->n)
		b->skip[idx] = idx + 1;
}
