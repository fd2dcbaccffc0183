/* sim.c: the simulated world: validators each running a real engine behind a
 * real double-sign guard, a network (delays, drops, duplicates, reordering,
 * partitions that heal), crashes with restarts from persisted state, and
 * byzantine validators that double-sign and equivocate proposals. Every step
 * is checked for agreement, validity, honest double-signing and certificate
 * validity; the end of a run checks liveness after the heal and that
 * evidence against every byzantine validator was committed.
 *
 * Gossip model (CometBFT's reactors, simplified): each node keeps the
 * messages of its current height and knows which peer it delivered each one
 * to; a message a peer could not use yet (too far ahead, no room, a second
 * proposal not yet justified) is reported back and resent at a later gossip
 * tick; a peer behind by a whole height is sent the decided proposal and its
 * certificate's precommits (block sync). */
#include "tests/sim/sim.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "consensus/bft.h"
#include "consensus/proposer.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim_block.h"

#define CHAIN_ID	  "hearth-sim"
#define GOSSIP_MS	  25
#define FAULT_PHASE_MS	  1500
#define LIVENESS_HEIGHTS  3
#define LIVENESS_BOUND_MS 20000
#define FUTURE_MAX	  512
#define SIGCACHE_SIZE	  (1u << 15)

const struct sim_config sim_configs[] = {
	{ "n1", 1, { 100 }, 0 },
	{ "n4", 4, { 10, 10, 10, 10 }, 1 },
	{ "n4w", 4, { 10, 20, 30, 40 }, 1 },
	{ "n7", 7, { 10, 10, 10, 10, 10, 10, 10 }, 2 },
	{ "n7w", 7, { 1, 2, 3, 5, 8, 13, 21 }, 2 },
	{ "n10", 10, { 10, 10, 10, 10, 10, 10, 10, 10, 10, 10 }, 3 },
	{ "n10w", 10, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 3 },
	{ NULL, 0, { 0 }, 0 },
};

const struct sim_config *sim_config_find(const char *name)
{
	for (const struct sim_config *c = sim_configs; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* ------------------------------------------------------------ types */

enum msg_kind {
	MSG_PROPOSAL,
	MSG_VOTE,
};

struct msg {
	enum msg_kind kind;
	struct proposal_header proposal;
	uint8_t *payload;
	size_t len;
	struct vote vote;
};

struct store_entry {
	struct msg msg;
	uint32_t delivered; /* bit per node */
};

struct committed {
	uint8_t id[HASH_SIZE];
	struct proposal_header proposal;
	uint8_t *payload;
	size_t len;
	uint32_t round;
	size_t sig_count;
	struct commit_sig *sigs;
};

struct pool_entry {
	uint8_t id[HASH_SIZE];
	struct duplicate_vote ev;
};

struct node {
	size_t num;
	bool byzantine;
	bool alive;
	uint32_t incarnation;
	uint8_t secret[SECKEY_SIZE];
	struct privval pv;
	bool has_pv;
	struct privval_record persisted; /* what the guard's persist callback stored */
	bool has_persisted;
	struct bft *engine;
	uint64_t engine_height;
	/* persisted block store */
	struct committed *blocks; /* blocks[h - 1] */
	uint64_t committed_height;
	size_t blocks_cap;
	/* gossip store of the current height */
	struct store_entry *store;
	size_t store_len, store_cap;
	uint64_t store_gen;
	/* messages for the next height */
	struct msg future[FUTURE_MAX];
	size_t future_len;
	/* evidence pool (mempool; lost on crash) and evidence already committed */
	struct pool_entry *pool;
	size_t pool_len, pool_cap;
	uint8_t (*ev_done)[HASH_SIZE];
	size_t ev_done_len, ev_done_cap;
	/* byzantine only: the last round it equivocated a proposal in, the
	 * peers that got the other block and that block's id */
	uint64_t twin_height;
	uint32_t twin_round;
	uint32_t twin_mask;
	uint8_t twin_id[HASH_SIZE];
	/* byzantine only: after giving one peer the precommit it needed to
	 * decide a block, vote nil on that block for the rest of the height */
	uint64_t withhold_height;
	uint8_t withhold_id[HASH_SIZE];
	/* byzantine only: the latest other proposal it knows at that height,
	 * which it then votes for instead (to help a conflicting decision) */
	uint64_t other_height;
	uint32_t other_round;
	uint8_t other_id[HASH_SIZE];
};

enum ev_type {
	EV_DELIVER,
	EV_TIMEOUT,
	EV_GOSSIP,
	EV_CRASH,
	EV_RESTART,
	EV_PARTITION,
	EV_HEAL_PARTITION,
	EV_HEAL_ALL,
	EV_START_NEXT, /* the application applied a block: start the next height */
};

struct event {
	uint64_t time, seq;
	enum ev_type type;
	size_t node, from;
	uint32_t incarnation;
	struct msg msg;	    /* EV_DELIVER */
	uint64_t store_gen; /* EV_DELIVER: sender's store generation */
	size_t store_index; /* EV_DELIVER: index in it, SIZE_MAX if none */
	struct bft_timeout timeout;
};

struct vote_record {
	uint64_t height;
	uint32_t round;
	int type; /* 0 proposal, 1 prevote, 2 precommit */
	uint8_t target[HASH_SIZE + 1];
};

struct sim {
	const struct sim_config *cfg;
	uint64_t seed;
	struct prng rng;
	FILE *trace;
	struct sim_result *res;
	bool failed;

	uint64_t now, seq;
	struct event **heap;
	size_t heap_len, heap_cap;

	size_t n;
	struct node nodes[SIM_NODES_MAX];
	struct validator_set **sets; /* sets[h - 1]: the set of height h (stable pointers) */
	size_t sets_len;
	struct bft_config bcfg;

	/* network faults of this seed */
	uint64_t drop_pm, dup_pm, delay_max, reorder_pm;
	bool partitioned;
	uint8_t side[SIM_NODES_MAX];
	bool healed;
	uint64_t heal_time, heal_height;

	/* checks */
	uint8_t (*decided)[HASH_SIZE];
	size_t decided_len;
	uint8_t (*proposed)[HASH_SIZE];
	size_t proposed_len, proposed_cap;
	struct vote_record *signed_by[SIM_NODES_MAX];
	size_t signed_len[SIM_NODES_MAX], signed_cap[SIM_NODES_MAX];
	bool evidence_committed[SIM_NODES_MAX];

	/* node_feed's buffers (never nested: see node_feed) */
	struct bft_actions acts;
	struct pending_list *pl;

	/* signatures verified once per run, as the node's cache would */
	uint8_t (*sigcache)[HASH_SIZE];
	bool *sigcache_used;
};

/* ------------------------------------------------------------ utilities */

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		fprintf(stderr, "sim: out of memory\n");
		abort();
	}
	return q;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		fprintf(stderr, "sim: out of memory\n");
		abort();
	}
	return p;
}

__attribute__((format(printf, 2, 3))) static void fail(struct sim *s, const char *fmt, ...)
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

__attribute__((format(printf, 2, 3))) static void trace(struct sim *s, const char *fmt, ...)
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

static const char *short_id(const uint8_t *id, bool has, char buf[9])
{
	if (!has)
		return "nil";
	snprintf(buf, 9, "%02x%02x%02x%02x", id[0], id[1], id[2], id[3]);
	return buf;
}

static void msg_copy(struct msg *dst, const struct msg *src)
{
	*dst = *src;
	if (src->kind == MSG_PROPOSAL) {
		dst->payload = xrealloc(NULL, src->len > 0 ? src->len : 1);
		memcpy(dst->payload, src->payload, src->len);
	} else {
		dst->payload = NULL;
	}
}

static void msg_free(struct msg *m)
{
	free(m->payload);
	m->payload = NULL;
}

static uint64_t msg_height(const struct msg *m)
{
	return m->kind == MSG_PROPOSAL ? m->proposal.height : m->vote.height;
}

static bool msg_equal(const struct msg *a, const struct msg *b)
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

static struct event *ev_new(struct sim *s, uint64_t delay, enum ev_type type, size_t node)
{
	struct event *e = xcalloc(1, sizeof(*e));
	size_t i;

	e->time = s->now + delay;
	e->seq = s->seq++;
	e->type = type;
	e->node = node;
	e->store_index = SIZE_MAX;
	if (s->heap_len == s->heap_cap) {
		s->heap_cap = s->heap_cap ? 2 * s->heap_cap : 1024;
		s->heap = xrealloc(s->heap, s->heap_cap * sizeof(*s->heap));
	}
	i = s->heap_len++;
	while (i > 0 && ev_before(e, s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
	return e;
}

static struct event *ev_pop(struct sim *s)
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

static void ev_free(struct event *e)
{
	msg_free(&e->msg);
	free(e);
}

/* ------------------------------------------------------------ validator sets */

/* The set of height h (h >= 1): S_1 from genesis, S_{h+1} = S_h incremented
 * once (proposer.h); membership does not change in the simulator. */
static const struct validator_set *set_of(struct sim *s, uint64_t h)
{
	while (s->sets_len < h) {
		s->sets = xrealloc(s->sets, (s->sets_len + 1) * sizeof(*s->sets));
		s->sets[s->sets_len] = xrealloc(NULL, sizeof(**s->sets));
		*s->sets[s->sets_len] = *s->sets[s->sets_len - 1];
		(void)proposer_increment(s->sets[s->sets_len], 1);
		s->sets_len++;
	}
	return s->sets[h - 1];
}

/* ------------------------------------------------------------ signature cache */

static bool cached_verify(void *ctx, const uint8_t sig[SIG_SIZE], const uint8_t digest[HASH_SIZE],
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

/* ------------------------------------------------------------ checks */

/* No honest validator signs two different things at one (h, r, type). */
static void check_signed(struct sim *s, struct node *nd, uint64_t h, uint32_t r, int type, bool has,
			 const uint8_t *id)
{
	struct vote_record rec;
	size_t k = nd->num;

	if (nd->byzantine)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.height = h;
	rec.round = r;
	rec.type = type;
	rec.target[0] = has;
	if (has)
		memcpy(rec.target + 1, id, HASH_SIZE);
	for (size_t i = 0; i < s->signed_len[k]; i++) {
		const struct vote_record *o = &s->signed_by[k][i];

		if (o->height == h && o->round == r && o->type == type) {
			if (memcmp(o->target, rec.target, sizeof(rec.target)) != 0)
				fail(s, "honest node %zu double-signed %s at h=%" PRIu64 " r=%u", k,
				     type == 0	 ? "a proposal"
				     : type == 1 ? "a prevote"
						 : "a precommit",
				     h, r);
			return;
		}
	}
	if (s->signed_len[k] == s->signed_cap[k]) {
		s->signed_cap[k] = s->signed_cap[k] ? 2 * s->signed_cap[k] : 256;
		s->signed_by[k] = xrealloc(s->signed_by[k], s->signed_cap[k] * sizeof(rec));
	}
	s->signed_by[k][s->signed_len[k]++] = rec;
}

static bool was_proposed(const struct sim *s, const uint8_t id[HASH_SIZE])
{
	for (size_t i = 0; i < s->proposed_len; i++)
		if (memcmp(s->proposed[i], id, HASH_SIZE) == 0)
			return true;
	return false;
}

static void note_proposed(struct sim *s, const uint8_t id[HASH_SIZE])
{
	if (s->proposed_len == s->proposed_cap) {
		s->proposed_cap = s->proposed_cap ? 2 * s->proposed_cap : 256;
		s->proposed = xrealloc(s->proposed, s->proposed_cap * HASH_SIZE);
	}
	memcpy(s->proposed[s->proposed_len++], id, HASH_SIZE);
}

static bool evidence_known(const struct node *nd, const uint8_t id[HASH_SIZE])
{
	for (size_t i = 0; i < nd->ev_done_len; i++)
		if (memcmp(nd->ev_done[i], id, HASH_SIZE) == 0)
			return true;
	return false;
}

/* The application's validity rule for a payload at the node's next height. */
static bool block_valid(struct sim *s, const struct node *nd, uint64_t height,
			const uint8_t id[HASH_SIZE], const uint8_t *payload, size_t len)
{
	struct sim_block b;
	uint8_t check[HASH_SIZE];

	sim_block_id(payload, len, check);
	if (memcmp(check, id, HASH_SIZE) != 0 || sim_block_decode(payload, len, &b) != 0)
		return false;
	if (!b.valid || b.height != height || b.proposer >= s->n)
		return false;
	for (size_t i = 0; i < b.evidence_count; i++) {
		const struct duplicate_vote *ev = &b.evidence[i];
		uint8_t eid[HASH_SIZE];

		if (ev->a.height == 0 || ev->a.height > height)
			return false;
		if (evidence_verify_with(CHAIN_ID, ev, set_of(s, ev->a.height),
					 &s->bcfg.verifier) != EVIDENCE_OK)
			return false;
		if (evidence_id(ev, eid) != 0 || evidence_known(nd, eid))
			return false;
		for (size_t j = 0; j < i; j++) {
			uint8_t other[HASH_SIZE];

			if (evidence_id(&b.evidence[j], other) != 0 ||
			    memcmp(other, eid, HASH_SIZE) == 0)
				return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------ network */

static bool link_up(const struct sim *s, size_t a, size_t b)
{
	return !s->partitioned || s->side[a] == s->side[b];
}

/* Sends m from node a to node b through the faulty network. Returns true
 * when the network accepted it (it will arrive, maybe late, maybe twice). */
static bool net_send(struct sim *s, size_t a, size_t b, const struct msg *m, uint64_t gen,
		     size_t index)
{
	int copies = 1;

	if (!s->nodes[b].alive || !link_up(s, a, b))
		return false;
	if (prng_chance(&s->rng, s->drop_pm))
		return false;
	if (prng_chance(&s->rng, s->dup_pm))
		copies = 2;
	for (int c = 0; c < copies; c++) {
		uint64_t delay = prng_range(&s->rng, 1, s->delay_max);
		struct event *e;

		if (prng_chance(&s->rng, s->reorder_pm))
			delay += prng_range(&s->rng, 1, 100);
		e = ev_new(s, delay, EV_DELIVER, b);
		e->from = a;
		e->incarnation = s->nodes[b].incarnation;
		msg_copy(&e->msg, m);
		e->store_gen = gen;
		e->store_index = index;
	}
	return true;
}

static void store_clear(struct node *nd)
{
	for (size_t i = 0; i < nd->store_len; i++)
		msg_free(&nd->store[i].msg);
	nd->store_len = 0;
	nd->store_gen++;
}

/* Adds m to nd's store unless known. Returns its index, or SIZE_MAX when known. */
static size_t store_add(struct node *nd, const struct msg *m, uint32_t delivered)
{
	for (size_t i = 0; i < nd->store_len; i++)
		if (msg_equal(&nd->store[i].msg, m)) {
			nd->store[i].delivered |= delivered;
			return SIZE_MAX;
		}
	if (nd->store_len == nd->store_cap) {
		nd->store_cap = nd->store_cap ? 2 * nd->store_cap : 64;
		nd->store = xrealloc(nd->store, nd->store_cap * sizeof(*nd->store));
	}
	msg_copy(&nd->store[nd->store_len].msg, m);
	nd->store[nd->store_len].delivered = delivered | (1u << nd->num);
	return nd->store_len++;
}

/* Sends every store entry a peer has not got yet. */
static void gossip_entry(struct sim *s, struct node *nd, size_t index)
{
	struct store_entry *se = &nd->store[index];

	for (size_t p = 0; p < s->n; p++) {
		if ((se->delivered & (1u << p)) != 0)
			continue;
		if (net_send(s, nd->num, p, &se->msg, nd->store_gen, index))
			se->delivered |= 1u << p;
	}
}

/* ------------------------------------------------------------ nodes */

static int persist_record(void *ctx, const struct privval_record *rec)
{
	struct node *nd = ctx;

	nd->persisted = *rec;
	nd->has_persisted = true;
	return 0;
}

struct pending {
	struct bft_event ev;
	uint8_t *payload;
};

struct pending_list {
	struct pending items[BFT_ACTIONS_MAX * 2];
	size_t len;
};

static void node_feed(struct sim *s, struct node *nd, const struct bft_event *ev,
		      enum bft_status *status);

static void pool_add(struct node *nd, const struct duplicate_vote *ev)
{
	uint8_t id[HASH_SIZE];

	if (evidence_id(ev, id) != 0 || evidence_known(nd, id))
		return;
	for (size_t i = 0; i < nd->pool_len; i++)
		if (memcmp(nd->pool[i].id, id, HASH_SIZE) == 0)
			return;
	if (nd->pool_len == nd->pool_cap) {
		nd->pool_cap = nd->pool_cap ? 2 * nd->pool_cap : 16;
		nd->pool = xrealloc(nd->pool, nd->pool_cap * sizeof(*nd->pool));
	}
	memcpy(nd->pool[nd->pool_len].id, id, HASH_SIZE);
	nd->pool[nd->pool_len].ev = *ev;
	nd->pool_len++;
}

/* Builds this node's block for (height, round). Out: buf, *len, id. */
static void build_block(struct sim *s, struct node *nd, uint64_t height, uint32_t round, bool valid,
			uint8_t *buf, size_t *len, uint8_t id[HASH_SIZE])
{
	struct sim_block b;

	memset(&b, 0, sizeof(b));
	b.height = height;
	b.round = round;
	b.proposer = (uint32_t)nd->num;
	b.nonce = prng_next(&s->rng);
	b.valid = valid;
	for (size_t i = 0; i < nd->pool_len && b.evidence_count < SIM_BLOCK_EVIDENCE_MAX; i++)
		if (nd->pool[i].ev.a.height <= height)
			b.evidence[b.evidence_count++] = nd->pool[i].ev;
	if (sim_block_encode(&b, buf, len) != 0) {
		fail(s, "cannot encode a block");
		*len = 0;
	}
	sim_block_id(buf, *len, id);
	note_proposed(s, id);
}

/* Cuts node k off from every other node for 50..400 ms (ending before the
 * heal): an adversarial network schedule. */
static void isolate(struct sim *s, size_t k)
{
	uint64_t len = prng_range(&s->rng, 50, 400);

	if (s->partitioned || s->n < 2)
		return;
	for (size_t i = 0; i < s->n; i++)
		s->side[i] = i == k;
	s->partitioned = true;
	trace(s, "ISOLATE n%zu for %" PRIu64 " ms", k, len);
	if (s->now + len >= s->heal_time)
		len = s->heal_time - s->now - 1;
	(void)ev_new(s, len, EV_HEAL_PARTITION, 0);
}

static void on_commit(struct sim *s, struct node *nd, const struct bft_action *a)
{
	const struct proposal_header *p = a->u.commit.proposal;
	const struct commit *c = a->u.commit.commit;
	uint64_t h = p->height;
	struct committed *cb;
	struct sim_block b;
	enum commit_status cs;
	char buf[9];

	trace(s, "n%zu COMMIT h=%" PRIu64 " r=%u %s (%zu sigs)", nd->num, h, c->round,
	      short_id(p->block_id, true, buf), c->count);
	if (h != nd->committed_height + 1) {
		fail(s, "node %zu committed height %" PRIu64 " after %" PRIu64, nd->num, h,
		     nd->committed_height);
		return;
	}
	cs = memcmp(c->block_id, p->block_id, HASH_SIZE) != 0 || c->height != h
		     ? COMMIT_WRONG_TARGET
		     : commit_verify_with(CHAIN_ID, c, set_of(s, h), &s->bcfg.verifier);
	if (cs != COMMIT_OK)
		fail(s, "node %zu produced a bad certificate at h=%" PRIu64 ": %s", nd->num, h,
		     commit_strerror(cs));
	if (!nd->byzantine) {
		/* validity: the block was proposed, and it is a valid block */
		if (!was_proposed(s, p->block_id))
			fail(s, "node %zu committed a block nobody proposed at h=%" PRIu64, nd->num,
			     h);
		if (!block_valid(s, nd, h, p->block_id, a->u.commit.payload,
				 a->u.commit.payload_len))
			fail(s, "node %zu committed an invalid block at h=%" PRIu64, nd->num, h);
		/* agreement */
		if (s->decided_len < h) {
			s->decided = xrealloc(s->decided, h * HASH_SIZE);
			memcpy(s->decided[h - 1], p->block_id, HASH_SIZE);
			s->decided_len = h;
		} else if (memcmp(s->decided[h - 1], p->block_id, HASH_SIZE) != 0) {
			char other[9];

			fail(s,
			     "AGREEMENT violated at h=%" PRIu64
			     ": node %zu committed %s, another %s",
			     h, nd->num, short_id(p->block_id, true, buf),
			     short_id(s->decided[h - 1], true, other));
		}
		if (c->round > s->res->max_round)
			s->res->max_round = c->round;
	}
	if (nd->committed_height == nd->blocks_cap) {
		nd->blocks_cap = nd->blocks_cap ? 2 * nd->blocks_cap : 64;
		nd->blocks = xrealloc(nd->blocks, nd->blocks_cap * sizeof(*nd->blocks));
	}
	cb = &nd->blocks[nd->committed_height++];
	memcpy(cb->id, p->block_id, HASH_SIZE);
	cb->proposal = *p;
	cb->len = a->u.commit.payload_len;
	cb->payload = xrealloc(NULL, cb->len > 0 ? cb->len : 1);
	memcpy(cb->payload, a->u.commit.payload, cb->len);
	cb->round = c->round;
	cb->sig_count = c->count;
	cb->sigs = xrealloc(NULL, (c->count + 1) * sizeof(*cb->sigs));
	memcpy(cb->sigs, c->sigs, c->count * sizeof(*cb->sigs));
	/* apply the block's evidence (the ledger would slash and jail here) */
	if (sim_block_decode(cb->payload, cb->len, &b) == 0) {
		for (size_t i = 0; i < b.evidence_count; i++) {
			uint8_t id[HASH_SIZE];
			int who = validators_find(set_of(s, h), b.evidence[i].a.validator);

			if (evidence_id(&b.evidence[i], id) != 0)
				continue;
			if (nd->ev_done_len == nd->ev_done_cap) {
				nd->ev_done_cap = nd->ev_done_cap ? 2 * nd->ev_done_cap : 16;
				nd->ev_done = xrealloc(nd->ev_done,
						       nd->ev_done_cap * sizeof(*nd->ev_done));
			}
			memcpy(nd->ev_done[nd->ev_done_len++], id, HASH_SIZE);
			if (who >= 0 && !nd->byzantine) {
				if (!s->nodes[who].byzantine)
					fail(s, "evidence against honest node %d committed", who);
				if (!s->evidence_committed[who])
					s->res->evidence++;
				s->evidence_committed[who] = true;
			}
			for (size_t j = 0; j < nd->pool_len; j++)
				if (memcmp(nd->pool[j].id, id, HASH_SIZE) == 0)
					nd->pool[j] = nd->pool[--nd->pool_len];
		}
	}
	/* during the fault phase the adversarial network may cut off a node
	 * that just decided, before its decision spreads */
	if (!s->healed && !nd->byzantine) {
		bool targeted = false;

		/* certainly when a byzantine node's lone precommit let it decide */
		for (size_t k = 0; k < s->n; k++)
			if (s->nodes[k].byzantine && s->nodes[k].withhold_height == h &&
			    memcmp(s->nodes[k].withhold_id, p->block_id, HASH_SIZE) == 0)
				targeted = true;
		if (targeted || prng_chance(&s->rng, 100))
			isolate(s, nd->num);
	}
	/* the application applies the block (1 ms), then starts the next height */
	{
		struct event *e = ev_new(s, 1, EV_START_NEXT, nd->num);

		e->incarnation = nd->incarnation;
	}
}

/* A byzantine node's broadcast: each peer gets one of two conflicting
 * versions; honest relays spread both. */
static void byzantine_broadcast(struct sim *s, struct node *nd, const struct msg *m)
{
	struct msg twin;
	uint8_t digest[HASH_SIZE], aux[32], buf[SIM_BLOCK_MAX];
	uint32_t got_twin = 0;
	size_t i1, i2;

	msg_copy(&twin, m);
	memset(aux, 0, sizeof(aux));
	bool coordinated = m->kind == MSG_VOTE && m->vote.height == nd->twin_height &&
			   m->vote.round == nd->twin_round && nd->twin_mask != 0;

	bool withhold = m->kind == MSG_VOTE && m->vote.has_block &&
			m->vote.height == nd->withhold_height &&
			memcmp(m->vote.block_id, nd->withhold_id, HASH_SIZE) == 0;

	if (withhold || (m->kind == MSG_VOTE && m->vote.height == nd->withhold_height &&
			 m->vote.height == nd->other_height && m->vote.round == nd->other_round)) {
		/* nil on the block it let one peer decide, and a vote for the
		 * round's other block when it knows one */
		withhold = true;
		twin.vote.has_block = false;
		memset(twin.vote.block_id, 0, HASH_SIZE);
		if (m->vote.height == nd->other_height && m->vote.round == nd->other_round &&
		    memcmp(nd->other_id, nd->withhold_id, HASH_SIZE) != 0) {
			twin.vote.has_block = true;
			memcpy(twin.vote.block_id, nd->other_id, HASH_SIZE);
		}
		vote_digest(CHAIN_ID, &twin.vote, digest);
		if (sig_sign_aux(&nd->pv.signer, digest, aux, twin.vote.sig) != 0)
			fail(s, "byzantine signing failed");
	} else if (coordinated && m->vote.type == VOTE_TYPE_PREVOTE) {
		/* vote for each peer's block: the peers that got the other
		 * proposal see a prevote for it */
		twin.vote.has_block = true;
		memcpy(twin.vote.block_id, nd->twin_id, HASH_SIZE);
		vote_digest(CHAIN_ID, &twin.vote, digest);
		if (sig_sign_aux(&nd->pv.signer, digest, aux, twin.vote.sig) != 0)
			fail(s, "byzantine signing failed");
	} else if (m->kind == MSG_VOTE) {
		if (twin.vote.has_block && prng_chance(&s->rng, 500)) {
			twin.vote.has_block = false;
			memset(twin.vote.block_id, 0, HASH_SIZE);
		} else {
			twin.vote.has_block = true;
			for (size_t k = 0; k < HASH_SIZE; k++)
				twin.vote.block_id[k] = (uint8_t)prng_next(&s->rng);
		}
		vote_digest(CHAIN_ID, &twin.vote, digest);
		if (sig_sign_aux(&nd->pv.signer, digest, aux, twin.vote.sig) != 0)
			fail(s, "byzantine signing failed");
	} else {
		size_t len;

		/* a fresh block, ignoring the valid value; invalid a third of the time */
		build_block(s, nd, m->proposal.height, m->proposal.round,
			    !prng_chance(&s->rng, 333), buf, &len, twin.proposal.block_id);
		free(twin.payload);
		twin.payload = xrealloc(NULL, len);
		memcpy(twin.payload, buf, len);
		twin.len = len;
		twin.proposal.pol_round = -1;
		proposal_digest(CHAIN_ID, &twin.proposal, digest);
		if (sig_sign_aux(&nd->pv.signer, digest, aux, twin.proposal.sig) != 0)
			fail(s, "byzantine signing failed");
	}
	if (withhold) {
		got_twin = ((1u << s->n) - 1) & ~(1u << nd->num);
	} else if (coordinated && m->vote.type == VOTE_TYPE_PREVOTE) {
		got_twin = nd->twin_mask;
	} else if (m->kind == MSG_VOTE && m->vote.type == VOTE_TYPE_PRECOMMIT &&
		   m->vote.has_block) {
		/* a precommit for a block goes to one peer only (one that got
		 * the real proposal, if it equivocated): with the network cut
		 * after a decision (see on_commit) the way to make a single
		 * correct node decide while the others move on */
		size_t lucky = (nd->num + 1 + prng_below(&s->rng, s->n - 1)) % s->n;

		for (size_t tries = 0;
		     coordinated && (nd->twin_mask & (1u << lucky)) != 0 && tries < s->n; tries++)
			lucky = (nd->num + 1 + prng_below(&s->rng, s->n - 1)) % s->n;

		got_twin = ((1u << s->n) - 1) & ~(1u << lucky) & ~(1u << nd->num);
		nd->withhold_height = m->vote.height;
		memcpy(nd->withhold_id, m->vote.block_id, HASH_SIZE);
	} else if (m->kind == MSG_PROPOSAL) {
		/* the fresh block to one peer (half of the time), to every
		 * peer, or to a random half; and always to every peer when the
		 * engine re-proposes a valid value: the attack on the lock */
		uint64_t how = m->proposal.pol_round >= 0 ? 2 : prng_below(&s->rng, 4);

		if (how <= 1)
			got_twin = 1u << ((nd->num + 1 + prng_below(&s->rng, s->n - 1)) % s->n);
		else if (how == 2)
			got_twin = (1u << s->n) - 1;
		else
			for (size_t p = 0; p < s->n; p++)
				if (prng_chance(&s->rng, 500))
					got_twin |= 1u << p;
		got_twin &= ~(1u << nd->num);
		nd->twin_height = m->proposal.height;
		nd->twin_round = m->proposal.round;
		nd->twin_mask = got_twin;
		memcpy(nd->twin_id, twin.proposal.block_id, HASH_SIZE);
		nd->other_height = m->proposal.height;
		nd->other_round = m->proposal.round;
		memcpy(nd->other_id, twin.proposal.block_id, HASH_SIZE);
	} else {
		for (size_t p = 0; p < s->n; p++)
			if (p != nd->num && prng_chance(&s->rng, 500))
				got_twin |= 1u << p;
	}
	i1 = store_add(nd, m, got_twin);
	i2 = store_add(nd, &twin, ~got_twin & ((1u << s->n) - 1));
	if (i1 != SIZE_MAX)
		gossip_entry(s, nd, i1);
	if (i2 != SIZE_MAX)
		gossip_entry(s, nd, i2);
	msg_free(&twin);
}

static void broadcast(struct sim *s, struct node *nd, const struct msg *m)
{
	size_t i;

	if (nd->byzantine) {
		byzantine_broadcast(s, nd, m);
		return;
	}
	i = store_add(nd, m, 0);
	if (i != SIZE_MAX)
		gossip_entry(s, nd, i);
}

static void handle_actions(struct sim *s, struct node *nd, const struct bft_actions *acts,
			   struct pending_list *pl)
{
	char buf[9];

	for (size_t i = 0; i < acts->count && !s->failed; i++) {
		const struct bft_action *a = &acts->items[i];
		struct pending *pe;
		struct msg m;

		switch (a->type) {
		case BFT_ACTION_BROADCAST_PROPOSAL:
			trace(s, "n%zu propose h=%" PRIu64 " r=%u pol=%d %s", nd->num,
			      a->u.proposal.header.height, a->u.proposal.header.round,
			      a->u.proposal.header.pol_round,
			      short_id(a->u.proposal.header.block_id, true, buf));
			check_signed(s, nd, a->u.proposal.header.height, a->u.proposal.header.round,
				     0, true, a->u.proposal.header.block_id);
			memset(&m, 0, sizeof(m));
			m.kind = MSG_PROPOSAL;
			m.proposal = a->u.proposal.header;
			m.payload = (uint8_t *)a->u.proposal.payload;
			m.len = a->u.proposal.payload_len;
			broadcast(s, nd, &m);
			break;
		case BFT_ACTION_BROADCAST_VOTE:
			trace(s, "n%zu %s h=%" PRIu64 " r=%u %s", nd->num,
			      a->u.vote.type == VOTE_TYPE_PREVOTE ? "prevote" : "precommit",
			      a->u.vote.height, a->u.vote.round,
			      short_id(a->u.vote.block_id, a->u.vote.has_block, buf));
			check_signed(s, nd, a->u.vote.height, a->u.vote.round, (int)a->u.vote.type,
				     a->u.vote.has_block, a->u.vote.block_id);
			memset(&m, 0, sizeof(m));
			m.kind = MSG_VOTE;
			m.vote = a->u.vote;
			broadcast(s, nd, &m);
			break;
		case BFT_ACTION_SCHEDULE_TIMEOUT: {
			struct event *e = ev_new(s, a->u.timeout.delay_ms, EV_TIMEOUT, nd->num);

			e->incarnation = nd->incarnation;
			e->timeout = a->u.timeout;
			break;
		}
		case BFT_ACTION_REQUEST_BLOCK: {
			uint8_t block[SIM_BLOCK_MAX];
			size_t len;

			if (pl->len == sizeof(pl->items) / sizeof(pl->items[0])) {
				fail(s, "pending list full");
				break;
			}
			pe = &pl->items[pl->len++];
			memset(pe, 0, sizeof(*pe));
			build_block(s, nd, a->u.request.height, a->u.request.round, true, block,
				    &len, pe->ev.u.block.block_id);
			pe->payload = xrealloc(NULL, len);
			memcpy(pe->payload, block, len);
			pe->ev.type = BFT_EVENT_BLOCK;
			pe->ev.u.block.height = a->u.request.height;
			pe->ev.u.block.round = a->u.request.round;
			pe->ev.u.block.payload = pe->payload;
			pe->ev.u.block.payload_len = len;
			break;
		}
		case BFT_ACTION_VALIDATE_BLOCK:
			if (pl->len == sizeof(pl->items) / sizeof(pl->items[0])) {
				fail(s, "pending list full");
				break;
			}
			pe = &pl->items[pl->len++];
			memset(pe, 0, sizeof(*pe));
			pe->ev.type = BFT_EVENT_VALIDITY;
			pe->ev.u.validity.height = a->u.validate.height;
			memcpy(pe->ev.u.validity.block_id, a->u.validate.block_id, HASH_SIZE);
			pe->ev.u.validity.valid =
				block_valid(s, nd, a->u.validate.height, a->u.validate.block_id,
					    a->u.validate.payload, a->u.validate.payload_len);
			break;
		case BFT_ACTION_COMMIT:
			on_commit(s, nd, a);
			break;
		case BFT_ACTION_EVIDENCE: {
			enum evidence_status es = evidence_verify_with(
				CHAIN_ID, &a->u.evidence, set_of(s, a->u.evidence.a.height),
				&s->bcfg.verifier);

			trace(s, "n%zu EVIDENCE against %02x%02x h=%" PRIu64 " r=%u", nd->num,
			      a->u.evidence.a.validator[0], a->u.evidence.a.validator[1],
			      a->u.evidence.a.height, a->u.evidence.a.round);
			if (es != EVIDENCE_OK)
				fail(s, "engine produced bad evidence: %s", evidence_strerror(es));
			else
				pool_add(nd, &a->u.evidence);
			break;
		}
		}
	}
}

static void deliver(struct sim *s, struct node *nd, size_t from, const struct msg *m, uint64_t gen,
		    size_t index);

/* Called when the engine entered a new height (its store was emptied then):
 * deliver the messages that arrived early. */
static void enter_height(struct sim *s, struct node *nd)
{
	size_t n = nd->future_len;
	struct msg *early;

	if (n == 0)
		return;
	early = xrealloc(NULL, n * sizeof(*early));
	memcpy(early, nd->future, n * sizeof(*early));
	nd->future_len = 0;
	for (size_t i = 0; i < n; i++) {
		if (!s->failed && nd->alive && msg_height(&early[i]) == nd->engine_height)
			deliver(s, nd, SIZE_MAX, &early[i], 0, SIZE_MAX);
		msg_free(&early[i]);
	}
	free(early);
}

/* Feeds one event to nd's engine and everything that follows from it. */
static void node_feed(struct sim *s, struct node *nd, const struct bft_event *first,
		      enum bft_status *status)
{
	struct bft_actions *acts = &s->acts;
	struct pending_list *pl = s->pl;
	size_t next = 0;
	bool height_changed = false;
	const struct bft_event *ev = first;

	for (;;) {
		enum bft_status st = bft_handle(nd->engine, ev, acts);

		if (ev == first && status != NULL)
			*status = st;
		if (st == BFT_ERROR || st == BFT_NO_MEMORY)
			fail(s, "node %zu engine error: %s", nd->num, bft_strstatus(st));
		if (bft_height(nd->engine) != nd->engine_height) {
			store_clear(nd);
			nd->engine_height = bft_height(nd->engine);
			height_changed = true;
		}
		handle_actions(s, nd, acts, pl);
		if (s->failed || next == pl->len)
			break;
		ev = &pl->items[next++].ev;
	}
	for (size_t i = 0; i < pl->len; i++)
		free(pl->items[i].payload);
	pl->len = 0;
	/* only now may deliveries nest: the buffers are free again */
	if (height_changed && !s->failed)
		enter_height(s, nd);
}

/* The peer reports that it could not use a message yet: resend later. */
static void nack(struct sim *s, size_t from, size_t to, uint64_t gen, size_t index)
{
	struct node *sender;

	if (from == SIZE_MAX || index == SIZE_MAX)
		return;
	sender = &s->nodes[from];
	if (sender->store_gen == gen && index < sender->store_len)
		sender->store[index].delivered &= ~(1u << to);
}

static void deliver(struct sim *s, struct node *nd, size_t from, const struct msg *m, uint64_t gen,
		    size_t index)
{
	uint64_t h = bft_height(nd->engine), mh = msg_height(m);
	struct bft_event ev;
	enum bft_status st = BFT_ERROR;

	s->res->messages++;
	if (mh == h + 1) {
		if (nd->future_len < FUTURE_MAX)
			msg_copy(&nd->future[nd->future_len++], m);
		else
			nack(s, from, nd->num, gen, index);
		return;
	}
	if (mh > h + 1) {
		nack(s, from, nd->num, gen, index);
		return;
	}
	if (mh < h)
		return;
	memset(&ev, 0, sizeof(ev));
	if (m->kind == MSG_PROPOSAL) {
		ev.type = BFT_EVENT_PROPOSAL;
		ev.u.proposal.header = m->proposal;
		ev.u.proposal.payload = m->payload;
		ev.u.proposal.payload_len = m->len;
	} else {
		ev.type = BFT_EVENT_VOTE;
		ev.u.vote = m->vote;
	}
	node_feed(s, nd, &ev, &st);
	if (nd->byzantine && m->kind == MSG_PROPOSAL && st == BFT_OK) {
		nd->other_height = m->proposal.height;
		nd->other_round = m->proposal.round;
		memcpy(nd->other_id, m->proposal.block_id, HASH_SIZE);
	}
	if (s->trace != NULL) {
		char buf[9];

		if (m->kind == MSG_PROPOSAL)
			trace(s, "n%zu <- n%zd proposal h=%" PRIu64 " r=%u %s: %s", nd->num,
			      (ssize_t)(from == SIZE_MAX ? -1 : (ssize_t)from), mh,
			      m->proposal.round, short_id(m->proposal.block_id, true, buf),
			      bft_strstatus(st));
		else
			trace(s, "n%zu <- n%zd %s of %02x%02x h=%" PRIu64 " r=%u %s: %s", nd->num,
			      (ssize_t)(from == SIZE_MAX ? -1 : (ssize_t)from),
			      m->vote.type == VOTE_TYPE_PREVOTE ? "prevote" : "precommit",
			      m->vote.validator[0], m->vote.validator[1], mh, m->vote.round,
			      short_id(m->vote.block_id, m->vote.has_block, buf),
			      bft_strstatus(st));
	}
	switch (st) {
	case BFT_OK:
	case BFT_CONFLICT:
		/* relay what the engine accepted, at the next gossip tick (as
		 * CometBFT's gossip routines do), not at once */
		if (bft_height(nd->engine) == mh && !nd->byzantine)
			(void)store_add(nd, m, from == SIZE_MAX ? 0 : 1u << from);
		break;
	case BFT_UNJUSTIFIED:
	case BFT_DROPPED:
		nack(s, from, nd->num, gen, index);
		break;
	case BFT_DUPLICATE:
	case BFT_STALE:
	case BFT_INVALID:
	case BFT_NO_MEMORY:
	case BFT_ERROR:
		break;
	}
}

/* Block sync: send a peer one height behind us the decided proposal and the
 * precommits of its certificate. */
static void catch_up(struct sim *s, struct node *nd, size_t p)
{
	struct node *peer = &s->nodes[p];
	uint64_t ph;
	const struct committed *cb;
	struct msg m;

	if (!peer->alive || !link_up(s, nd->num, p))
		return;
	ph = bft_height(peer->engine);
	if (ph == 0 || ph > nd->committed_height || bft_step(peer->engine) == BFT_STEP_COMMIT)
		return;
	cb = &nd->blocks[ph - 1];
	memset(&m, 0, sizeof(m));
	m.kind = MSG_PROPOSAL;
	m.proposal = cb->proposal;
	m.payload = cb->payload;
	m.len = cb->len;
	(void)net_send(s, nd->num, p, &m, 0, SIZE_MAX);
	for (size_t i = 0; i < cb->sig_count; i++) {
		memset(&m, 0, sizeof(m));
		m.kind = MSG_VOTE;
		m.vote.type = VOTE_TYPE_PRECOMMIT;
		m.vote.height = ph;
		m.vote.round = cb->round;
		m.vote.has_block = true;
		memcpy(m.vote.block_id, cb->id, HASH_SIZE);
		memcpy(m.vote.validator, cb->sigs[i].validator, PUBKEY_SIZE);
		memcpy(m.vote.sig, cb->sigs[i].sig, SIG_SIZE);
		(void)net_send(s, nd->num, p, &m, 0, SIZE_MAX);
	}
}

/* A peer at our height waits for the prevotes of its proposal's
 * proof-of-lock round (peers know each other's round state in CometBFT):
 * send ours again, whatever we sent before. */
static void send_pol(struct sim *s, struct node *nd, size_t p)
{
	struct node *peer = &s->nodes[p];
	int64_t vr;

	if (!peer->alive || !link_up(s, nd->num, p) ||
	    bft_height(peer->engine) != bft_height(nd->engine))
		return;
	vr = bft_pol_wanted(peer->engine);
	if (vr < 0)
		return;
	for (size_t i = 0; i < nd->store_len; i++) {
		const struct msg *m = &nd->store[i].msg;

		if (m->kind == MSG_VOTE && m->vote.type == VOTE_TYPE_PREVOTE &&
		    (int64_t)m->vote.round == vr)
			(void)net_send(s, nd->num, p, m, nd->store_gen, i);
	}
}

static void gossip_tick(struct sim *s, struct node *nd)
{
	for (size_t i = 0; i < nd->store_len; i++)
		gossip_entry(s, nd, i);
	for (size_t p = 0; p < s->n && !nd->byzantine; p++)
		if (p != nd->num)
			send_pol(s, nd, p);
	/* byzantine nodes help nobody: they send their own messages only */
	for (size_t p = 0; p < s->n && !nd->byzantine; p++)
		if (p != nd->num)
			catch_up(s, nd, p);
}

/* Starts (or restarts) a node from its persisted state. */
static void node_start(struct sim *s, struct node *nd)
{
	struct bft_event ev;
	struct store_entry *wal;
	size_t wal_len;

	if (privval_init(&nd->pv, nd->secret, nd->has_persisted ? &nd->persisted : NULL,
			 persist_record, nd) != 0) {
		fail(s, "privval_init failed");
		return;
	}
	nd->has_pv = true;
	nd->engine = bft_new(&s->bcfg, &nd->pv);
	if (nd->engine == NULL) {
		fail(s, "bft_new failed");
		return;
	}
	nd->alive = true;
	nd->incarnation++;
	nd->engine_height = 0;
	nd->future_len = 0;
	/* the store of the height doubles as the write-ahead log: take it
	 * aside, start the engine, then replay it (CometBFT's WAL replay) */
	wal = nd->store;
	wal_len = nd->store_len;
	nd->store = NULL;
	nd->store_len = nd->store_cap = 0;
	nd->store_gen++;
	memset(&ev, 0, sizeof(ev));
	ev.type = BFT_EVENT_START_HEIGHT;
	ev.u.start.height = nd->committed_height + 1;
	ev.u.start.validators = set_of(s, nd->committed_height + 1);
	trace(s, "n%zu start at h=%" PRIu64 "%s", nd->num, ev.u.start.height,
	      nd->has_persisted ? " (restart)" : "");
	node_feed(s, nd, &ev, NULL);
	for (size_t i = 0; i < wal_len; i++) {
		if (!s->failed && msg_height(&wal[i].msg) == bft_height(nd->engine)) {
			deliver(s, nd, SIZE_MAX, &wal[i].msg, 0, SIZE_MAX);
			(void)store_add(nd, &wal[i].msg, 0);
		}
		msg_free(&wal[i].msg);
	}
	free(wal);
	/* peers reconnect: everything is to be sent to it again */
	for (size_t p = 0; p < s->n; p++)
		for (size_t i = 0; i < s->nodes[p].store_len; i++)
			s->nodes[p].store[i].delivered &= ~(1u << nd->num);
	{
		struct event *e = ev_new(s, prng_range(&s->rng, 1, GOSSIP_MS), EV_GOSSIP, nd->num);

		e->incarnation = nd->incarnation;
	}
}

static void node_crash(struct sim *s, struct node *nd)
{
	trace(s, "n%zu CRASH", nd->num);
	bft_free(nd->engine);
	nd->engine = NULL;
	privval_wipe(&nd->pv);
	nd->has_pv = false;
	nd->alive = false;
	nd->incarnation++;
	/* the store is the node's WAL: it survives (see node_start) */
	for (size_t i = 0; i < nd->future_len; i++)
		msg_free(&nd->future[i]);
	nd->future_len = 0;
	nd->pool_len = 0; /* the mempool is not persisted */
}

/* ------------------------------------------------------------ setup and loop */

static int setup(struct sim *s)
{
	struct validator members[SIM_NODES_MAX];
	uint8_t secrets[SIM_NODES_MAX][SECKEY_SIZE];
	struct validator_set empty;
	uint64_t byz_power;

	s->n = s->cfg->nodes;
	for (size_t i = 0; i < s->n; i++) {
		struct signer sg;
		struct hasher h;

		hash_begin(&h, "hearth/sim-key");
		hash_u64(&h, s->seed);
		hash_u64(&h, i);
		hash_finish(&h, secrets[i]);
		if (signer_from_secret(&sg, secrets[i]) != 0)
			return -1;
		memset(&members[i], 0, sizeof(members[i]));
		memcpy(members[i].key, sg.pubkey, PUBKEY_SIZE);
		members[i].power = s->cfg->power[i];
		signer_wipe(&sg);
	}
	memset(&empty, 0, sizeof(empty));
	s->sets = xcalloc(1, sizeof(*s->sets));
	s->sets[0] = xcalloc(1, sizeof(**s->sets));
	s->sets_len = 1;
	if (proposer_update(&empty, members, s->n, s->sets[0]) != 0)
		return -1;
	/* node k is validator k of the sorted set; it holds its member's power */
	for (size_t k = 0; k < s->n; k++) {
		struct node *nd = &s->nodes[k];

		nd->num = k;
		for (size_t i = 0; i < s->n; i++)
			if (memcmp(members[i].key, s->sets[0]->members[k].key, PUBKEY_SIZE) == 0)
				memcpy(nd->secret, secrets[i], SECKEY_SIZE);
	}
	/* byzantine nodes: a random set of the configured size holding less
	 * than a third of the power */
	for (int attempt = 0; s->cfg->byzantine > 0; attempt++) {
		size_t chosen = 0;

		if (attempt > 1000)
			return -1;
		for (size_t k = 0; k < s->n; k++)
			s->nodes[k].byzantine = false;
		byz_power = 0;
		while (chosen < s->cfg->byzantine) {
			size_t k = prng_below(&s->rng, s->n);

			if (s->nodes[k].byzantine)
				continue;
			s->nodes[k].byzantine = true;
			byz_power += s->sets[0]->members[k].power;
			chosen++;
		}
		if (!validators_has_one_third(byz_power, s->sets[0]->total_power))
			break;
	}
	s->pl = xcalloc(1, sizeof(*s->pl));
	s->sigcache = xcalloc(SIGCACHE_SIZE, HASH_SIZE);
	s->sigcache_used = xcalloc(SIGCACHE_SIZE, sizeof(bool));
	memset(&s->bcfg, 0, sizeof(s->bcfg));
	snprintf(s->bcfg.chain_id, sizeof(s->bcfg.chain_id), "%s", CHAIN_ID);
	bft_timeouts_test(&s->bcfg.timeouts);
	s->bcfg.timeouts.skip_timeout_commit = prng_chance(&s->rng, 500);
	if (prng_chance(&s->rng, 500)) {
		/* timeouts shorter than the network's delays: rounds fail and
		 * nodes move on with partial views until the rounds' growth
		 * catches up (asynchrony before GST) */
		s->bcfg.timeouts.propose_ms = 10;
		s->bcfg.timeouts.prevote_ms = 5;
		s->bcfg.timeouts.precommit_ms = 5;
		s->bcfg.timeouts.propose_delta_ms = 5;
		s->bcfg.timeouts.prevote_delta_ms = 5;
		s->bcfg.timeouts.precommit_delta_ms = 5;
	}
	s->bcfg.verifier.fn = cached_verify;
	s->bcfg.verifier.ctx = s;
	/* the network of this seed */
	s->drop_pm = prng_range(&s->rng, 0, 200);
	s->dup_pm = prng_range(&s->rng, 0, 100);
	s->delay_max = prng_range(&s->rng, 2, 40);
	s->reorder_pm = prng_range(&s->rng, 0, 80);
	s->heal_time = FAULT_PHASE_MS;
	/* faults: up to two partitions and one crash, all over by the heal */
	for (uint64_t k = prng_below(&s->rng, 3); k > 0; k--) {
		uint64_t at = prng_range(&s->rng, 0, FAULT_PHASE_MS - 200);
		uint64_t len = prng_range(&s->rng, 50, 800);

		(void)ev_new(s, at, EV_PARTITION, 0);
		(void)ev_new(s, at + len < FAULT_PHASE_MS ? at + len : FAULT_PHASE_MS - 1,
			     EV_HEAL_PARTITION, 0);
	}
	if (prng_chance(&s->rng, 700)) {
		size_t victim = prng_below(&s->rng, s->n);
		uint64_t at = prng_range(&s->rng, 0, FAULT_PHASE_MS - 200);
		uint64_t down = prng_range(&s->rng, 10, 600);

		if (!s->nodes[victim].byzantine) {
			(void)ev_new(s, at, EV_CRASH, victim);
			(void)ev_new(s, at + down < FAULT_PHASE_MS ? at + down : FAULT_PHASE_MS - 1,
				     EV_RESTART, victim);
		}
	}
	(void)ev_new(s, FAULT_PHASE_MS, EV_HEAL_ALL, 0);
	if (s->trace != NULL) {
		fprintf(s->trace,
			"sim %s seed %" PRIu64 ": drop %" PRIu64 "/1000 dup %" PRIu64
			"/1000 delay 1..%" PRIu64 "ms reorder %" PRIu64
			"/1000 skip_commit %d propose timeout %" PRIu64 "ms\n",
			s->cfg->name, s->seed, s->drop_pm, s->dup_pm, s->delay_max, s->reorder_pm,
			s->bcfg.timeouts.skip_timeout_commit, s->bcfg.timeouts.propose_ms);
		for (size_t k = 0; k < s->n; k++)
			fprintf(s->trace, "  n%zu key %02x%02x.. power %" PRIu64 "%s\n", k,
				s->sets[0]->members[k].key[0], s->sets[0]->members[k].key[1],
				s->sets[0]->members[k].power,
				s->nodes[k].byzantine ? " BYZANTINE" : "");
	}
	for (size_t k = 0; k < s->n && !s->failed; k++)
		node_start(s, &s->nodes[k]);
	return s->failed ? -1 : 0;
}

static void new_partition(struct sim *s)
{
	size_t ones = 0;

	if (s->n < 2)
		return;
	while (ones == 0 || ones == s->n) {
		ones = 0;
		for (size_t k = 0; k < s->n; k++) {
			s->side[k] = (uint8_t)prng_below(&s->rng, 2);
			ones += s->side[k];
		}
	}
	s->partitioned = true;
	if (s->trace != NULL) {
		fprintf(s->trace, "%8" PRIu64 " PARTITION", s->now);
		for (size_t k = 0; k < s->n; k++)
			fprintf(s->trace, " n%zu:%u", k, s->side[k]);
		fputc('\n', s->trace);
	}
}

static uint64_t min_honest_height(const struct sim *s)
{
	uint64_t m = UINT64_MAX;

	for (size_t k = 0; k < s->n; k++)
		if (!s->nodes[k].byzantine && s->nodes[k].committed_height < m)
			m = s->nodes[k].committed_height;
	return m;
}

static bool done(const struct sim *s)
{
	if (!s->healed || min_honest_height(s) < s->heal_height + LIVENESS_HEIGHTS)
		return false;
	for (size_t k = 0; k < s->n; k++)
		if (s->nodes[k].byzantine && !s->evidence_committed[k])
			return false;
	return true;
}

static void step(struct sim *s, struct event *e)
{
	struct node *nd = &s->nodes[e->node];

	switch (e->type) {
	case EV_DELIVER:
		if (nd->alive && e->incarnation == nd->incarnation)
			deliver(s, nd, e->from, &e->msg, e->store_gen, e->store_index);
		break;
	case EV_TIMEOUT:
		if (nd->alive && e->incarnation == nd->incarnation) {
			struct bft_event ev;

			memset(&ev, 0, sizeof(ev));
			enum bft_status st = BFT_OK;

			ev.type = BFT_EVENT_TIMEOUT;
			ev.u.timeout = e->timeout;
			node_feed(s, nd, &ev, &st);
			trace(s, "n%zu timeout %s h=%" PRIu64 " r=%u: %s (now r=%u %s)", nd->num,
			      bft_strstep(e->timeout.step), e->timeout.height, e->timeout.round,
			      bft_strstatus(st), bft_round(nd->engine),
			      bft_strstep(bft_step(nd->engine)));
		}
		break;
	case EV_GOSSIP:
		if (nd->alive && e->incarnation == nd->incarnation) {
			struct event *next = ev_new(s, GOSSIP_MS, EV_GOSSIP, nd->num);

			next->incarnation = nd->incarnation;
			gossip_tick(s, nd);
		}
		break;
	case EV_CRASH:
		if (nd->alive)
			node_crash(s, nd);
		break;
	case EV_RESTART:
		if (!nd->alive)
			node_start(s, nd);
		break;
	case EV_START_NEXT:
		if (nd->alive && e->incarnation == nd->incarnation) {
			struct bft_event ev;

			memset(&ev, 0, sizeof(ev));
			ev.type = BFT_EVENT_START_HEIGHT;
			ev.u.start.height = nd->committed_height + 1;
			ev.u.start.validators = set_of(s, nd->committed_height + 1);
			node_feed(s, nd, &ev, NULL);
		}
		break;
	case EV_PARTITION:
		new_partition(s);
		break;
	case EV_HEAL_PARTITION:
		if (s->partitioned)
			trace(s, "HEAL partition");
		s->partitioned = false;
		break;
	case EV_HEAL_ALL:
		s->partitioned = false;
		for (size_t k = 0; k < s->n; k++)
			if (!s->nodes[k].alive)
				node_start(s, &s->nodes[k]);
		s->healed = true;
		s->heal_height = 0;
		for (size_t k = 0; k < s->n; k++)
			if (!s->nodes[k].byzantine && s->nodes[k].committed_height > s->heal_height)
				s->heal_height = s->nodes[k].committed_height;
		trace(s, "HEAL all; honest max height %" PRIu64, s->heal_height);
		break;
	}
}

static void teardown(struct sim *s)
{
	struct event *e;

	while ((e = ev_pop(s)) != NULL)
		ev_free(e);
	free(s->heap);
	for (size_t k = 0; k < s->n; k++) {
		struct node *nd = &s->nodes[k];

		bft_free(nd->engine);
		if (nd->has_pv)
			privval_wipe(&nd->pv);
		store_clear(nd);
		free(nd->store);
		for (size_t i = 0; i < nd->future_len; i++)
			msg_free(&nd->future[i]);
		for (size_t i = 0; i < nd->committed_height; i++) {
			free(nd->blocks[i].payload);
			free(nd->blocks[i].sigs);
		}
		free(nd->blocks);
		free(nd->pool);
		free(nd->ev_done);
		free(s->signed_by[k]);
	}
	for (size_t h = 0; h < s->sets_len; h++)
		free(s->sets[h]);
	free(s->sets);
	free(s->decided);
	free(s->proposed);
	free(s->pl);
	free(s->sigcache);
	free(s->sigcache_used);
}

int sim_run(const struct sim_config *cfg, uint64_t seed, FILE *trace_out, struct sim_result *res)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	int rc = 0;

	memset(res, 0, sizeof(*res));
	s->cfg = cfg;
	s->seed = seed;
	s->trace = trace_out;
	s->res = res;
	prng_seed(&s->rng, seed);
	if (setup(s) != 0) {
		rc = s->failed ? 0 : -1;
	} else {
		struct event *e;

		while (!s->failed && !done(s) && (e = ev_pop(s)) != NULL) {
			s->now = e->time;
			if (s->healed && s->now > s->heal_time + LIVENESS_BOUND_MS) {
				ev_free(e);
				break;
			}
			step(s, e);
			ev_free(e);
		}
		if (!s->failed && !done(s)) {
			if (min_honest_height(s) < s->heal_height + LIVENESS_HEIGHTS)
				fail(s,
				     "LIVENESS: honest nodes at height %" PRIu64 " %" PRIu64
				     "ms after the heal (needed %" PRIu64 ")",
				     min_honest_height(s), (uint64_t)LIVENESS_BOUND_MS,
				     s->heal_height + LIVENESS_HEIGHTS);
			else
				fail(s,
				     "EVIDENCE of a byzantine node not committed %" PRIu64
				     "ms after the heal",
				     (uint64_t)LIVENESS_BOUND_MS);
		}
	}
	res->ok = !s->failed;
	res->sim_ms = s->now;
	res->heights = min_honest_height(s);
	teardown(s);
	free(s);
	return rc;
}
