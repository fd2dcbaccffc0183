/* addrbook.c: the address book of addrbook.h: an unordered array of at most
 * ADDRBOOK_MAX entries searched linearly (a thousand entries, touched a few
 * times a second at most), the eviction order, the backoff and the choice of
 * the next address to dial. */
#include "node/addrbook.h"

#include <stdlib.h>
#include <string.h>

int addrbook_init(struct addrbook *book)
{
	book->count = 0;
	book->entries = calloc(ADDRBOOK_MAX, sizeof(*book->entries));
	return book->entries != NULL ? 0 : -1;
}

void addrbook_free(struct addrbook *book)
{
	free(book->entries);
	book->entries = NULL;
	book->count = 0;
}

void addrbook_clear(struct addrbook *book)
{
	book->count = 0;
}

static bool text_valid(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) < ADDRBOOK_IP_MAX;
}

static struct addrbook_entry *find(const struct addrbook *book, const char *ip, uint16_t port)
{
	for (size_t i = 0; i < book->count; i++)
		if (book->entries[i].port == port && strcmp(book->entries[i].ip, ip) == 0)
			return &book->entries[i];
	return NULL;
}

const struct addrbook_entry *addrbook_find(const struct addrbook *book, const char *ip,
					   uint16_t port)
{
	return find(book, ip, port);
}

/* True when a is worse than b, the order of eviction: never reachable
 * before reachable, then more failed attempts, then seen longer ago. */
static bool worse(const struct addrbook_entry *a, const struct addrbook_entry *b)
{
	if ((a->last_success == 0) != (b->last_success == 0))
		return a->last_success == 0;
	if (a->attempts != b->attempts)
		return a->attempts > b->attempts;
	return a->last_seen < b->last_seen;
}

static size_t worst_index(const struct addrbook *book)
{
	size_t w = 0;

	for (size_t i = 1; i < book->count; i++)
		if (worse(&book->entries[i], &book->entries[w]))
			w = i;
	return w;
}

static void remove_at(struct addrbook *book, size_t i)
{
	book->count--;
	if (i != book->count)
		book->entries[i] = book->entries[book->count];
}

static size_t count_source(const struct addrbook *book, const char *source)
{
	size_t n = 0;

	for (size_t i = 0; i < book->count; i++)
		if (strcmp(book->entries[i].source, source) == 0)
			n++;
	return n;
}

/* A slot for cand: a free one, or the worst entry's when cand is better.
 * Returns NULL when the book is full of better entries. */
static struct addrbook_entry *slot_for(struct addrbook *book, const struct addrbook_entry *cand)
{
	size_t w;

	if (book->count < ADDRBOOK_MAX)
		return &book->entries[book->count++];
	w = worst_index(book);
	if (!worse(&book->entries[w], cand))
		return NULL;
	return &book->entries[w];
}

static void fill_entry(struct addrbook_entry *e, const char *ip, uint16_t port, const char *source,
		       uint64_t now)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->ip, ip, strlen(ip) + 1);
	memcpy(e->source, source, strlen(source) + 1);
	e->port = port;
	e->last_seen = now;
}

enum addrbook_add_result addrbook_add(struct addrbook *book, const char *ip, uint16_t port,
				      const char *source, uint64_t now)
{
	struct addrbook_entry cand, *e;

	if (!text_valid(ip) || !text_valid(source) || port == 0)
		return ADDRBOOK_INVALID;
	e = find(book, ip, port);
	if (e != NULL) {
		if (now > e->last_seen)
			e->last_seen = now;
		return ADDRBOOK_UPDATED;
	}
	if (count_source(book, source) >= ADDRBOOK_SOURCE_MAX)
		return ADDRBOOK_SOURCE_FULL;
	fill_entry(&cand, ip, port, source, now);
	e = slot_for(book, &cand);
	if (e == NULL)
		return ADDRBOOK_FULL;
	*e = cand;
	return ADDRBOOK_ADDED;
}

void addrbook_mark_attempt(struct addrbook *book, const char *ip, uint16_t port, uint64_t now)
{
	struct addrbook_entry *e = find(book, ip, port);

	if (e == NULL)
		return;
	e->last_attempt = now;
	if (e->attempts < UINT32_MAX)
		e->attempts++;
}

int addrbook_mark_good(struct addrbook *book, const char *ip, uint16_t port, uint64_t now)
{
	struct addrbook_entry cand, *e;

	if (!text_valid(ip) || port == 0)
		return -1;
	e = find(book, ip, port);
	if (e == NULL) {
		fill_entry(&cand, ip, port, ip, now);
		cand.last_success = now;
		e = slot_for(book, &cand);
		if (e == NULL)
			return -1;
		*e = cand;
	}
	e->attempts = 0;
	e->last_success = now;
	if (now > e->last_seen)
		e->last_seen = now;
	return 0;
}

bool addrbook_remove(struct addrbook *book, const char *ip, uint16_t port)
{
	struct addrbook_entry *e = find(book, ip, port);

	if (e == NULL)
		return false;
	remove_at(book, (size_t)(e - book->entries));
	return true;
}

uint64_t addrbook_wait_s(const struct addrbook_entry *e)
{
	uint64_t wait = ADDRBOOK_BACKOFF_MIN_S;

	if (e->attempts == 0)
		return ADDRBOOK_RETRY_MIN_S;
	for (uint32_t i = 1; i < e->attempts && wait < ADDRBOOK_BACKOFF_MAX_S; i++)
		wait *= 2;
	return wait < ADDRBOOK_BACKOFF_MAX_S ? wait : ADDRBOOK_BACKOFF_MAX_S;
}

/* True when e may be dialed at now. A last attempt in the future (the clock
 * went back) does not hold the address back. */
static bool ready(const struct addrbook_entry *e, uint64_t now)
{
	if (e->last_attempt == 0 || now < e->last_attempt)
		return true;
	return now - e->last_attempt >= addrbook_wait_s(e);
}

bool addrbook_is_terrible(const struct addrbook_entry *e, uint64_t now)
{
	bool reached_lately = e->last_success != 0 &&
			      (now < e->last_success || now - e->last_success < ADDRBOOK_STALE_S);

	if (e->attempts >= ADDRBOOK_FAILURES_MAX && !reached_lately)
		return true;
	return e->last_success == 0 && now > e->last_seen &&
	       now - e->last_seen >= ADDRBOOK_FORGET_S;
}

size_t addrbook_prune(struct addrbook *book, uint64_t now)
{
	size_t dropped = 0;

	for (size_t i = 0; i < book->count;) {
		if (addrbook_is_terrible(&book->entries[i], now)) {
			remove_at(book, i);
			dropped++;
		} else {
			i++;
		}
	}
	return dropped;
}

/* True when a is a better choice to dial than b. */
static bool better_to_dial(const struct addrbook_entry *a, const struct addrbook_entry *b)
{
	if ((a->last_success == 0) != (b->last_success == 0))
		return a->last_success != 0;
	if (a->attempts != b->attempts)
		return a->attempts < b->attempts;
	return a->last_seen > b->last_seen;
}

bool addrbook_select(const struct addrbook *book, uint64_t now, addrbook_skip_fn skip, void *ctx,
		     struct addrbook_entry *out)
{
	const struct addrbook_entry *best = NULL;

	for (size_t i = 0; i < book->count; i++) {
		const struct addrbook_entry *e = &book->entries[i];

		if (addrbook_is_terrible(e, now) || !ready(e, now))
			continue;
		if (best != NULL && !better_to_dial(e, best))
			continue;
		if (skip != NULL && skip(ctx, e->ip, e->port))
			continue;
		best = e;
	}
	if (best == NULL)
		return false;
	*out = *best;
	return true;
}
