/* net_peerstate.c: the per-peer consensus bookkeeping of net_peerstate.h
 * (positions, vote and proposal bits per round) and the choice of what a
 * peer lacks. */
#include "node/net_peerstate.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the peer table */

void net_peers_init(struct net_peers *peers)
{
	memset(peers, 0, sizeof(*peers));
}

void net_peers_free(struct net_peers *peers)
{
	for (size_t i = 0; i < peers->count; i++)
		free(peers->items[i]);
	free(peers->items);
	net_peers_init(peers);
}

struct net_peer_state *net_peers_find(const struct net_peers *peers, uint64_t peer_id)
{
	for (size_t i = 0; i < peers->count; i++)
		if (peers->items[i]->peer_id == peer_id)
			return peers->items[i];
	return NULL;
}

struct net_peer_state *net_peers_add(struct net_peers *peers, uint64_t peer_id)
{
	struct net_peer_state *ps = net_peers_find(peers, peer_id);

	if (ps != NULL)
		return ps;
	if (peers->count == peers->cap) {
		size_t cap = peers->cap ? peers->cap * 2 : 16;
		struct net_peer_state **grown = realloc(peers->items, cap * sizeof(*grown));

		if (grown == NULL)
			return NULL;
		peers->items = grown;
		peers->cap = cap;
	}
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL)
		return NULL;
	ps->peer_id = peer_id;
	ps->pol_round = -1;
	peers->items[peers->count++] = ps;
	return ps;
}

void net_peers_remove(struct net_peers *peers, uint64_t peer_id)
{
	for (size_t i = 0; i < peers->count; i++) {
		if (peers->items[i]->peer_id == peer_id) {
			free(peers->items[i]);
			peers->items[i] = peers->items[--peers->count];
			return;
		}
	}
}

/* ------------------------------------------------------------ bits */

/* Moves the bits to height when it is later; false when height is earlier. */
static bool bits_at(struct net_peer_state *ps, uint64_t height)
{
	if (height < ps->bits_height)
		return false;
	if (height > ps->bits_height) {
		memset(ps->rounds, 0, sizeof(ps->rounds));
		ps->bits_height = height;
	}
	return true;
}

static const struct net_peer_round *round_find(const struct net_peer_state *ps, uint64_t height,
					       uint32_t round)
{
	if (height != ps->bits_height)
		return NULL;
	for (size_t i = 0; i < NET_PEER_ROUNDS; i++)
		if (ps->rounds[i].used && ps->rounds[i].round == round)
			return &ps->rounds[i];
	return NULL;
}

/* The slot of round, taking a free one or the lowest lower round; NULL when
 * every slot holds a higher round. */
static struct net_peer_round *round_get(struct net_peer_state *ps, uint32_t round)
{
	struct net_peer_round *victim = NULL;

	for (size_t i = 0; i < NET_PEER_ROUNDS; i++) {
		struct net_peer_round *r = &ps->rounds[i];

		if (r->used && r->round == round)
			return r;
		if (victim == NULL && !r->used)
			victim = r;
	}
	if (victim == NULL) {
		/* Full: the lowest round below this one gives way. */
		for (size_t i = 0; i < NET_PEER_ROUNDS; i++)
			if (ps->rounds[i].round < round &&
			    (victim == NULL || ps->rounds[i].round < victim->round))
				victim = &ps->rounds[i];
		if (victim == NULL)
			return NULL;
	}
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->round = round;
	return victim;
}

void net_peerstate_set_position(struct net_peer_state *ps, uint64_t height, uint32_t round,
				enum bft_step step, int32_t pol_round)
{
	ps->has_position = true;
	ps->height = height;
	ps->round = round;
	ps->step = step;
	ps->pol_round = pol_round;
	(void)bits_at(ps, height);
}

void net_peerstate_mark_vote(struct net_peer_state *ps, uint64_t height, uint32_t round,
			     enum vote_type type, size_t idx)
{
	struct net_peer_round *r;

	if (idx >= VALIDATORS_MAX || !bits_at(ps, height))
		return;
	r = round_get(ps, round);
	if (r == NULL)
		return;
	if (type == VOTE_TYPE_PREVOTE)
		r->prevotes[idx / 8] |= (uint8_t)(1u << (idx % 8));
	else
		r->precommits[idx / 8] |= (uint8_t)(1u << (idx % 8));
}

bool net_peerstate_has_vote(const struct net_peer_state *ps, uint64_t height, uint32_t round,
			    enum vote_type type, size_t idx)
{
	const struct net_peer_round *r = round_find(ps, height, round);
	const uint8_t *bits;

	if (r == NULL || idx >= VALIDATORS_MAX)
		return false;
	bits = type == VOTE_TYPE_PREVOTE ? r->prevotes : r->precommits;
	return (bits[idx / 8] >> (idx % 8)) & 1;
}

void net_peerstate_mark_proposal(struct net_peer_state *ps, uint64_t height, uint32_t round)
{
	struct net_peer_round *r;

	if (!bits_at(ps, height))
		return;
	r = round_get(ps, round);
	if (r != NULL)
		r->proposal = true;
}

bool net_peerstate_has_proposal(const struct net_peer_state *ps, uint64_t height, uint32_t round)
{
	const struct net_peer_round *r = round_find(ps, height, round);

	return r != NULL && r->proposal;
}

/* ------------------------------------------------------------ who needs what */

/* Adds to out what src holds of (round, type) that the peer lacks. */
static size_t pick_set(struct net_peer_state *ps, const struct net_vote_source *src, uint32_t round,
		       enum vote_type type, struct vote *out, size_t n, size_t max)
{
	size_t count = src->num_validators < VALIDATORS_MAX ? src->num_validators : VALIDATORS_MAX;

	for (size_t idx = 0; idx < count && n < max; idx++) {
		if (net_peerstate_has_vote(ps, src->height, round, type, idx) ||
		    !src->get_vote(src->ctx, round, type, idx, &out[n]))
			continue;
		net_peerstate_mark_vote(ps, src->height, round, type, idx);
		n++;
	}
	return n;
}

size_t net_peerstate_pick_votes(struct net_peer_state *ps, const struct net_vote_source *src,
				struct vote *out, size_t max)
{
	size_t n = 0;

	if (!ps->has_position || ps->height != src->height)
		return 0;
	if (ps->pol_round >= 0)
		n = pick_set(ps, src, (uint32_t)ps->pol_round, VOTE_TYPE_PREVOTE, out, n, max);
	n = pick_set(ps, src, ps->round, VOTE_TYPE_PREVOTE, out, n, max);
	n = pick_set(ps, src, ps->round, VOTE_TYPE_PRECOMMIT, out, n, max);
	if (src->round != ps->round) {
		n = pick_set(ps, src, src->round, VOTE_TYPE_PREVOTE, out, n, max);
		n = pick_set(ps, src, src->round, VOTE_TYPE_PRECOMMIT, out, n, max);
	}
	return n;
}

bool net_peerstate_pick_proposal(struct net_peer_state *ps, const struct net_vote_source *src,
				 uint32_t *round)
{
	const uint32_t rounds[2] = { ps->round, src->round };

	if (!ps->has_position || ps->height != src->height)
		return false;
	for (size_t i = 0; i < 2; i++) {
		if (net_peerstate_has_proposal(ps, src->height, rounds[i]) ||
		    !src->has_proposal(src->ctx, rounds[i]))
			continue;
		net_peerstate_mark_proposal(ps, src->height, rounds[i]);
		*round = rounds[i];
		return true;
	}
	return false;
}
