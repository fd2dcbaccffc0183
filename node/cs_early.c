/* cs_early.c: the next height's messages kept until the engine starts it
 * (cs_early.h). */
#include "node/cs_early.h"

#include <stdlib.h>
#include <string.h>

void cs_early_clear(struct cs_early *k)
{
	for (size_t i = 0; i < k->n_proposals; i++)
		free((uint8_t *)k->proposals[i].payload);
	memset(k, 0, sizeof(*k));
}

static bool same_vote(const struct vote *a, const struct vote *b)
{
	return a->type == b->type && a->round == b->round &&
	       memcmp(a->validator, b->validator, PUBKEY_SIZE) == 0 &&
	       memcmp(a->sig, b->sig, SIG_SIZE) == 0;
}

static bool same_proposal(const struct proposal_header *a, const struct proposal_header *b)
{
	return a->round == b->round && a->pol_round == b->pol_round &&
	       memcmp(a->block_id, b->block_id, HASH_SIZE) == 0 &&
	       memcmp(a->sig, b->sig, SIG_SIZE) == 0;
}

static bool keep_vote(struct cs_early *k, const struct vote *v)
{
	for (size_t i = 0; i < k->n_votes; i++) {
		if (same_vote(&k->votes[i], v))
			return false;
	}
	if (k->n_votes == CS_EARLY_VOTES_MAX)
		return false;
	k->votes[k->n_votes++] = *v;
	return true;
}

static bool keep_proposal(struct cs_early *k, const struct bft_proposal *p)
{
	uint8_t *copy;

	for (size_t i = 0; i < k->n_proposals; i++) {
		if (same_proposal(&k->proposals[i].header, &p->header))
			return false;
	}
	if (k->n_proposals == CS_EARLY_PROPOSALS_MAX)
		return false;
	copy = malloc(p->payload_len ? p->payload_len : 1);
	if (copy == NULL)
		return false;
	memcpy(copy, p->payload, p->payload_len);
	k->proposals[k->n_proposals] = *p;
	k->proposals[k->n_proposals].payload = copy;
	k->n_proposals++;
	return true;
}

bool cs_early_keep(struct cs_early *k, uint64_t engine_height, const struct bft_event *ev)
{
	uint64_t height;

	if (ev->type == BFT_EVENT_PROPOSAL)
		height = ev->u.proposal.header.height;
	else if (ev->type == BFT_EVENT_VOTE)
		height = ev->u.vote.height;
	else
		return false;
	if (engine_height == UINT64_MAX || height != engine_height + 1)
		return false;
	if (k->height != height) {
		cs_early_clear(k);
		k->height = height;
	}
	return ev->type == BFT_EVENT_PROPOSAL ? keep_proposal(k, &ev->u.proposal)
					      : keep_vote(k, &ev->u.vote);
}

bool cs_early_take(struct cs_early *k, uint64_t engine_height, struct cs_early *out)
{
	if (k->height == 0 || engine_height < k->height)
		return false;
	if (engine_height > k->height) {
		cs_early_clear(k);
		return false;
	}
	*out = *k;
	memset(k, 0, sizeof(*k));
	return true;
}
