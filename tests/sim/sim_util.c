/* sim_util.c: the simulator's small shared parts: allocation that aborts
 * on failure, failure and trace output, message copies, the event heap
 * (ordered by time, then by sequence number), the validator set of each
 * height and the run's signature cache. */
#include "tests/sim/sim_world.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/bft.h"
#include "consensus/proposer.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim_block.h"

/* ------------------------------------------------------------ utilities */

void *sim_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		fprintf(stderr, "sim: out of memory\n");
		abort();
	}
	return q;
}

void *sim_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		fprintf(stderr, "sim: out of memory\n");
		abort();
	}
	return p;
}

__attribute__((format(printf, 2, 3))) void sim_fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (s->failed)
		return;
	s->failed = true;
	off = snprintf(s->res->reason, sizeof(s->res->reason), "t=%" PRIu64 "ms: ", s->now);
	va_start(ap, fmt);
	vsnprintf(s->res->reason + off, sizeof(s->res->reason) - (size_t)off, fmt, ap);
	va_end(ap);
	if (s->trace != NULL)
		fprintf(s->trace, "FAIL %s\n", s->res->reason);
}

__attribute__((format(printf, 2, 3))) void sim_trace(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->trace == NULL)
		return;
	fprintf(s->trace, "%8" PRIu64 " ", s->now);
	va_start(ap, fmt);
	vfprintf(s->trace, fmt, ap);
	va_end(ap);
	fputc('\n', s->trace);
}

const char *sim_short_id(const uint8_t *id, bool has, char buf[9])
{
	if (!has)
		return "nil";
	snprintf(buf, 9, "%02x%02x%02x%02x", id[0], id[1], id[2], id[3]);
	return buf;
}

void sim_msg_copy(struct msg *dst, const struct msg *src)
{
	*dst = *src;
	if (src->kind == MSG_PROPOSAL) {
		dst->payload = sim_xrealloc(NULL, src->len > 0 ? src->len : 1);
		memcpy(dst->payload, src->payload, src->len);
	} else {
		dst->payload = NULL;
	}
}

void sim_msg_free(struct msg *m)
{
	free(m->payload);
	m->payload = NULL;
}

uint64_t sim_msg_height(const struct msg *m)
{
	return m->kind == MSG_PROPOSAL ? m->proposal.height : m->vote.height;
}

bool sim_msg_equal(const struct msg *a, const struct msg *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == MSG_PROPOSAL)
		return memcmp(&a->proposal, &b->proposal, sizeof(a->proposal)) == 0;
	return a->vote.type == b->vote.type && a->vote.height == b->vote.height &&
	       a->vote.round == b->vote.round && a->vote.has_block == b->vote.has_block &&
	       memcmp(a->vote.block_id, b->vote.block_id, HASH_SIZE) == 0 &&
	       memcmp(a->vote.validator, b->vote.validator, PUBKEY_SIZE) == 0 &&
	       memcmp(a->vote.sig, b->vote.sig, SIG_SIZE) == 0;
}

/* ------------------------------------------------------------ event heap */

static bool ev_before(const struct event *a, const struct event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

struct event *sim_ev_new(struct sim *s, uint64_t delay, enum ev_type type, size_t node)
{
	struct event *e = sim_xcalloc(1, sizeof(*e));
	size_t i;

	e->time = s->now + delay;
	e->seq = s->seq++;
	e->type = type;
	e->node = node;
	e->store_index = SIZE_MAX;
	if (s->heap_len == s->heap_cap) {
		s->heap_cap = s->heap_cap ? 2 * s->heap_cap : 1024;
		s->heap = sim_xrealloc(s->heap, s->heap_cap * sizeof(*s->heap));
	}
	i = s->heap_len++;
	while (i > 0 && ev_before(e, s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
	return e;
}

struct event *sim_ev_pop(struct sim *s)
{
	struct event *top, *last;
	size_t i = 0;

	if (s->heap_len == 0)
		return NULL;
	top = s->heap[0];
	last = s->heap[--s->heap_len];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->heap_len)
			break;
		if (c + 1 < s->heap_len && ev_before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!ev_before(s->heap[c], last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->heap_len > 0)
		s->heap[i] = last;
	return top;
}

void sim_ev_free(struct event *e)
{
	sim_msg_free(&e->msg);
	free(e);
}

/* ------------------------------------------------------------ validator sets */

/* The set of height h (h >= 1): S_1 from genesis, S_{h+1} = S_h incremented
 * once (proposer.h); membership does not change in the simulator. */
const struct validator_set *sim_set_of(struct sim *s, uint64_t h)
{
	while (s->sets_len < h) {
		s->sets = sim_xrealloc(s->sets, (s->sets_len + 1) * sizeof(*s->sets));
		s->sets[s->sets_len] = sim_xrealloc(NULL, sizeof(**s->sets));
		*s->sets[s->sets_len] = *s->sets[s->sets_len - 1];
		(void)proposer_increment(s->sets[s->sets_len], 1);
		s->sets_len++;
	}
	return s->sets[h - 1];
}

/* ------------------------------------------------------------ signature cache */

bool sim_cached_verify(void *ctx, const uint8_t sig[SIG_SIZE], const uint8_t digest[HASH_SIZE],
		       const uint8_t pubkey[PUBKEY_SIZE])
{
	struct sim *s = ctx;
	struct hasher h;
	uint8_t key[HASH_SIZE];
	size_t slot;

	hash_begin(&h, "hearth/sim-sigcache");
	hash_update(&h, sig, SIG_SIZE);
	hash_update(&h, digest, HASH_SIZE);
	hash_update(&h, pubkey, PUBKEY_SIZE);
	hash_finish(&h, key);
	slot = ((size_t)key[0] | (size_t)key[1] << 8 | (size_t)key[2] << 16) % SIGCACHE_SIZE;
	if (s->sigcache_used[slot] && memcmp(s->sigcache[slot], key, HASH_SIZE) == 0)
		return true;
	if (!sig_verify(sig, digest, pubkey))
		return false;
	s->sigcache_used[slot] = true;
	memcpy(s->sigcache[slot], key, HASH_SIZE);
	return true;
}
