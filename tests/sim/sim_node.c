/* sim_node.c: one honest validator in the simulator: feeding the real
 * engine, carrying out its actions (broadcast, timeouts, commits), delivery
 * of received messages, catch-up of a peer a height behind, and crash and
 * restart from the persisted double-sign guard. */
#include "tests/sim/sim_world.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/bft.h"
#include "consensus/proposer.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim_block.h"

/* ------------------------------------------------------------ nodes */

static int persist_record(void *ctx, const struct privval_record *rec)
{
	struct node *nd = ctx;

	nd->persisted = *rec;
	nd->has_persisted = true;
	return 0;
}

static void pool_add(struct node *nd, const struct duplicate_vote *ev)
{
	uint8_t id[HASH_SIZE];

	if (evidence_id(ev, id) != 0 || sim_evidence_known(nd, id))
		return;
	for (size_t i = 0; i < nd->pool_len; i++)
		if (memcmp(nd->pool[i].id, id, HASH_SIZE) == 0)
			return;
	if (nd->pool_len == nd->pool_cap) {
		nd->pool_cap = nd->pool_cap ? 2 * nd->pool_cap : 16;
		nd->pool = sim_xrealloc(nd->pool, nd->pool_cap * sizeof(*nd->pool));
	}
	memcpy(nd->pool[nd->pool_len].id, id, HASH_SIZE);
	nd->pool[nd->pool_len].ev = *ev;
	nd->pool_len++;
}

/* Builds this node's block for (height, round). Out: buf, *len, id. */
void sim_build_block(struct sim *s, struct node *nd, uint64_t height, uint32_t round, bool valid,
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
		sim_fail(s, "cannot encode a block");
		*len = 0;
	}
	sim_block_id(buf, *len, id);
	sim_note_proposed(s, id);
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
	sim_trace(s, "ISOLATE n%zu for %" PRIu64 " ms", k, len);
	if (s->now + len >= s->heal_time)
		len = s->heal_time - s->now - 1;
	(void)sim_ev_new(s, len, EV_HEAL_PARTITION, 0);
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

	sim_trace(s, "n%zu COMMIT h=%" PRIu64 " r=%u %s (%zu sigs)", nd->num, h, c->round,
		  sim_short_id(p->block_id, true, buf), c->count);
	if (h != nd->committed_height + 1) {
		sim_fail(s, "node %zu committed height %" PRIu64 " after %" PRIu64, nd->num, h,
			 nd->committed_height);
		return;
	}
	cs = memcmp(c->block_id, p->block_id, HASH_SIZE) != 0 || c->height != h
		     ? COMMIT_WRONG_TARGET
		     : commit_verify_with(CHAIN_ID, c, sim_set_of(s, h), &s->bcfg.verifier);
	if (cs != COMMIT_OK)
		sim_fail(s, "node %zu produced a bad certificate at h=%" PRIu64 ": %s", nd->num, h,
			 commit_strerror(cs));
	if (!nd->byzantine) {
		/* validity: the block was proposed, and it is a valid block */
		if (!sim_was_proposed(s, p->block_id))
			sim_fail(s, "node %zu committed a block nobody proposed at h=%" PRIu64,
				 nd->num, h);
		if (!sim_block_valid(s, nd, h, p->block_id, a->u.commit.payload,
				     a->u.commit.payload_len))
			sim_fail(s, "node %zu committed an invalid block at h=%" PRIu64, nd->num,
				 h);
		/* agreement */
		if (s->decided_len < h) {
			s->decided = sim_xrealloc(s->decided, h * HASH_SIZE);
			memcpy(s->decided[h - 1], p->block_id, HASH_SIZE);
			s->decided_len = h;
		} else if (memcmp(s->decided[h - 1], p->block_id, HASH_SIZE) != 0) {
			char other[9];

			sim_fail(s,
				 "AGREEMENT violated at h=%" PRIu64
				 ": node %zu committed %s, another %s",
				 h, nd->num, sim_short_id(p->block_id, true, buf),
				 sim_short_id(s->decided[h - 1], true, other));
		}
		if (c->round > s->res->max_round)
			s->res->max_round = c->round;
	}
	if (nd->committed_height == nd->blocks_cap) {
		nd->blocks_cap = nd->blocks_cap ? 2 * nd->blocks_cap : 64;
		nd->blocks = sim_xrealloc(nd->blocks, nd->blocks_cap * sizeof(*nd->blocks));
	}
	cb = &nd->blocks[nd->committed_height++];
	memcpy(cb->id, p->block_id, HASH_SIZE);
	cb->proposal = *p;
	cb->len = a->u.commit.payload_len;
	cb->payload = sim_xrealloc(NULL, cb->len > 0 ? cb->len : 1);
	memcpy(cb->payload, a->u.commit.payload, cb->len);
	cb->round = c->round;
	cb->sig_count = c->count;
	cb->sigs = sim_xrealloc(NULL, (c->count + 1) * sizeof(*cb->sigs));
	memcpy(cb->sigs, c->sigs, c->count * sizeof(*cb->sigs));
	/* apply the block's evidence (the ledger would slash and jail here) */
	if (sim_block_decode(cb->payload, cb->len, &b) == 0) {
		for (size_t i = 0; i < b.evidence_count; i++) {
			uint8_t id[HASH_SIZE];
			int who = validators_find(sim_set_of(s, h), b.evidence[i].a.validator);

			if (evidence_id(&b.evidence[i], id) != 0)
				continue;
			if (nd->ev_done_len == nd->ev_done_cap) {
				nd->ev_done_cap = nd->ev_done_cap ? 2 * nd->ev_done_cap : 16;
				nd->ev_done = sim_xrealloc(nd->ev_done,
							   nd->ev_done_cap * sizeof(*nd->ev_done));
			}
			memcpy(nd->ev_done[nd->ev_done_len++], id, HASH_SIZE);
			if (who >= 0 && !nd->byzantine) {
				if (!s->nodes[who].byzantine)
					sim_fail(s, "evidence against honest node %d committed",
						 who);
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
		struct event *e = sim_ev_new(s, 1, EV_START_NEXT, nd->num);

		e->incarnation = nd->incarnation;
	}
}

/* A byzantine node's broadcast: each peer gets one of two conflicting
 * versions; honest relays spread both. */
static void broadcast(struct sim *s, struct node *nd, const struct msg *m)
{
	size_t i;

	if (nd->byzantine) {
		sim_byzantine_broadcast(s, nd, m);
		return;
	}
	i = sim_store_add(nd, m, 0);
	if (i != SIZE_MAX)
		sim_gossip_entry(s, nd, i);
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
			sim_trace(s, "n%zu propose h=%" PRIu64 " r=%u pol=%d %s", nd->num,
				  a->u.proposal.header.height, a->u.proposal.header.round,
				  a->u.proposal.header.pol_round,
				  sim_short_id(a->u.proposal.header.block_id, true, buf));
			sim_check_signed(s, nd, a->u.proposal.header.height,
					 a->u.proposal.header.round, 0, true,
					 a->u.proposal.header.block_id);
			memset(&m, 0, sizeof(m));
			m.kind = MSG_PROPOSAL;
			m.proposal = a->u.proposal.header;
			m.payload = (uint8_t *)a->u.proposal.payload;
			m.len = a->u.proposal.payload_len;
			broadcast(s, nd, &m);
			break;
		case BFT_ACTION_BROADCAST_VOTE:
			sim_trace(s, "n%zu %s h=%" PRIu64 " r=%u %s", nd->num,
				  a->u.vote.type == VOTE_TYPE_PREVOTE ? "prevote" : "precommit",
				  a->u.vote.height, a->u.vote.round,
				  sim_short_id(a->u.vote.block_id, a->u.vote.has_block, buf));
			sim_check_signed(s, nd, a->u.vote.height, a->u.vote.round,
					 (int)a->u.vote.type, a->u.vote.has_block,
					 a->u.vote.block_id);
			memset(&m, 0, sizeof(m));
			m.kind = MSG_VOTE;
			m.vote = a->u.vote;
			broadcast(s, nd, &m);
			break;
		case BFT_ACTION_SCHEDULE_TIMEOUT: {
			struct event *e = sim_ev_new(s, a->u.timeout.delay_ms, EV_TIMEOUT, nd->num);

			e->incarnation = nd->incarnation;
			e->timeout = a->u.timeout;
			break;
		}
		case BFT_ACTION_REQUEST_BLOCK: {
			uint8_t block[SIM_BLOCK_MAX];
			size_t len;

			if (pl->len == sizeof(pl->items) / sizeof(pl->items[0])) {
				sim_fail(s, "pending list full");
				break;
			}
			pe = &pl->items[pl->len++];
			memset(pe, 0, sizeof(*pe));
			sim_build_block(s, nd, a->u.request.height, a->u.request.round, true, block,
					&len, pe->ev.u.block.block_id);
			pe->payload = sim_xrealloc(NULL, len);
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
				sim_fail(s, "pending list full");
				break;
			}
			pe = &pl->items[pl->len++];
			memset(pe, 0, sizeof(*pe));
			pe->ev.type = BFT_EVENT_VALIDITY;
			pe->ev.u.validity.height = a->u.validate.height;
			memcpy(pe->ev.u.validity.block_id, a->u.validate.block_id, HASH_SIZE);
			pe->ev.u.validity.valid =
				sim_block_valid(s, nd, a->u.validate.height, a->u.validate.block_id,
						a->u.validate.payload, a->u.validate.payload_len);
			break;
		case BFT_ACTION_COMMIT:
			on_commit(s, nd, a);
			break;
		case BFT_ACTION_EVIDENCE: {
			const struct evidence *ev = &a->u.evidence;
			const uint8_t *who = evidence_offender(ev);
			enum evidence_status es = evidence_verify_any(
				CHAIN_ID, ev, sim_set_of(s, evidence_height(ev)),
				&s->bcfg.verifier);

			sim_trace(s, "n%zu EVIDENCE (%s) against %02x%02x h=%" PRIu64 " r=%u",
				  nd->num, evidence_kind_name(ev->kind), who[0], who[1],
				  evidence_height(ev), evidence_round(ev));
			if (es != EVIDENCE_OK)
				sim_fail(s, "engine produced bad evidence: %s",
					 evidence_strerror(es));
			else if (ev->kind == EVIDENCE_KIND_DUPLICATE_VOTE)
				pool_add(nd, &ev->u.vote); /* the sim's blocks carry votes only */
			break;
		}
		}
	}
}

/* Called when the engine entered a new height (its store was emptied then):
 * deliver the messages that arrived early. */
static void enter_height(struct sim *s, struct node *nd)
{
	size_t n = nd->future_len;
	struct msg *early;

	if (n == 0)
		return;
	early = sim_xrealloc(NULL, n * sizeof(*early));
	memcpy(early, nd->future, n * sizeof(*early));
	nd->future_len = 0;
	for (size_t i = 0; i < n; i++) {
		if (!s->failed && nd->alive && sim_msg_height(&early[i]) == nd->engine_height)
			sim_deliver(s, nd, SIZE_MAX, &early[i], 0, SIZE_MAX);
		sim_msg_free(&early[i]);
	}
	free(early);
}

/* Feeds one event to nd's engine and everything that follows from it. */
void sim_node_feed(struct sim *s, struct node *nd, const struct bft_event *first,
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
			sim_fail(s, "node %zu engine error: %s", nd->num, bft_strstatus(st));
		if (bft_height(nd->engine) != nd->engine_height) {
			sim_store_clear(nd);
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

void sim_deliver(struct sim *s, struct node *nd, size_t from, const struct msg *m, uint64_t gen,
		 size_t index)
{
	uint64_t h = bft_height(nd->engine), mh = sim_msg_height(m);
	struct bft_event ev;
	enum bft_status st = BFT_ERROR;

	s->res->messages++;
	if (mh == h + 1) {
		if (nd->future_len < FUTURE_MAX)
			sim_msg_copy(&nd->future[nd->future_len++], m);
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
	sim_node_feed(s, nd, &ev, &st);
	if (nd->byzantine && m->kind == MSG_PROPOSAL && st == BFT_OK) {
		nd->other_height = m->proposal.height;
		nd->other_round = m->proposal.round;
		memcpy(nd->other_id, m->proposal.block_id, HASH_SIZE);
	}
	if (s->trace != NULL) {
		char buf[9];

		if (m->kind == MSG_PROPOSAL)
			sim_trace(s, "n%zu <- n%zd proposal h=%" PRIu64 " r=%u %s: %s", nd->num,
				  (ssize_t)(from == SIZE_MAX ? -1 : (ssize_t)from), mh,
				  m->proposal.round, sim_short_id(m->proposal.block_id, true, buf),
				  bft_strstatus(st));
		else
			sim_trace(s, "n%zu <- n%zd %s of %02x%02x h=%" PRIu64 " r=%u %s: %s",
				  nd->num, (ssize_t)(from == SIZE_MAX ? -1 : (ssize_t)from),
				  m->vote.type == VOTE_TYPE_PREVOTE ? "prevote" : "precommit",
				  m->vote.validator[0], m->vote.validator[1], mh, m->vote.round,
				  sim_short_id(m->vote.block_id, m->vote.has_block, buf),
				  bft_strstatus(st));
	}
	switch (st) {
	case BFT_OK:
	case BFT_CONFLICT:
		/* relay what the engine accepted, at the next gossip tick (as
		 * CometBFT's gossip routines do), not at once */
		if (bft_height(nd->engine) == mh && !nd->byzantine)
			(void)sim_store_add(nd, m, from == SIZE_MAX ? 0 : 1u << from);
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

	if (!peer->alive || !sim_link_up(s, nd->num, p))
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
	(void)sim_net_send(s, nd->num, p, &m, 0, SIZE_MAX);
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
		(void)sim_net_send(s, nd->num, p, &m, 0, SIZE_MAX);
	}
}

/* A peer at our height waits for the prevotes of its proposal's
 * proof-of-lock round (peers know each other's round state in CometBFT):
 * send ours again, whatever we sent before. */
static void send_pol(struct sim *s, struct node *nd, size_t p)
{
	struct node *peer = &s->nodes[p];
	int64_t vr;

	if (!peer->alive || !sim_link_up(s, nd->num, p) ||
	    bft_height(peer->engine) != bft_height(nd->engine))
		return;
	vr = bft_pol_wanted(peer->engine);
	if (vr < 0)
		return;
	for (size_t i = 0; i < nd->store_len; i++) {
		const struct msg *m = &nd->store[i].msg;

		if (m->kind == MSG_VOTE && m->vote.type == VOTE_TYPE_PREVOTE &&
		    (int64_t)m->vote.round == vr)
			(void)sim_net_send(s, nd->num, p, m, nd->store_gen, i);
	}
}

void sim_gossip_tick(struct sim *s, struct node *nd)
{
	for (size_t i = 0; i < nd->store_len; i++)
		sim_gossip_entry(s, nd, i);
	for (size_t p = 0; p < s->n && !nd->byzantine; p++)
		if (p != nd->num)
			send_pol(s, nd, p);
	/* byzantine nodes help nobody: they send their own messages only */
	for (size_t p = 0; p < s->n && !nd->byzantine; p++)
		if (p != nd->num)
			catch_up(s, nd, p);
}

/* Starts (or restarts) a node from its persisted state. */
void sim_node_start(struct sim *s, struct node *nd)
{
	struct bft_event ev;
	struct store_entry *wal;
	size_t wal_len;

	if (privval_init(&nd->pv, nd->secret, nd->has_persisted ? &nd->persisted : NULL,
			 persist_record, nd) != 0) {
		sim_fail(s, "privval_init failed");
		return;
	}
	nd->has_pv = true;
	nd->engine = bft_new(&s->bcfg, &nd->pv);
	if (nd->engine == NULL) {
		sim_fail(s, "bft_new failed");
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
	ev.u.start.validators = sim_set_of(s, nd->committed_height + 1);
	sim_trace(s, "n%zu start at h=%" PRIu64 "%s", nd->num, ev.u.start.height,
		  nd->has_persisted ? " (restart)" : "");
	sim_node_feed(s, nd, &ev, NULL);
	for (size_t i = 0; i < wal_len; i++) {
		if (!s->failed && sim_msg_height(&wal[i].msg) == bft_height(nd->engine)) {
			sim_deliver(s, nd, SIZE_MAX, &wal[i].msg, 0, SIZE_MAX);
			(void)sim_store_add(nd, &wal[i].msg, 0);
		}
		sim_msg_free(&wal[i].msg);
	}
	free(wal);
	/* peers reconnect: everything is to be sent to it again */
	for (size_t p = 0; p < s->n; p++)
		for (size_t i = 0; i < s->nodes[p].store_len; i++)
			s->nodes[p].store[i].delivered &= ~(1u << nd->num);
	{
		struct event *e =
			sim_ev_new(s, prng_range(&s->rng, 1, GOSSIP_MS), EV_GOSSIP, nd->num);

		e->incarnation = nd->incarnation;
	}
}

void sim_node_crash(struct sim *s, struct node *nd)
{
	sim_trace(s, "n%zu CRASH", nd->num);
	bft_free(nd->engine);
	nd->engine = NULL;
	privval_wipe(&nd->pv);
	nd->has_pv = false;
	nd->alive = false;
	nd->incarnation++;
	/* the store is the node's WAL: it survives (see node_start) */
	for (size_t i = 0; i < nd->future_len; i++)
		sim_msg_free(&nd->future[i]);
	nd->future_len = 0;
	nd->pool_len = 0; /* the mempool is not persisted */
}
