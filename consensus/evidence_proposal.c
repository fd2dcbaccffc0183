/* evidence_proposal.c: duplicate-proposal evidence (evidence_proposal.h). */
#include "consensus/evidence_proposal.h"

#include <string.h>

/* Orders proposals by block id bytewise, then pol_round. */
static int compare_content(const struct proposal_header *a, const struct proposal_header *b)
{
	int c = memcmp(a->block_id, b->block_id, HASH_SIZE);

	if (c != 0)
		return c;
	if (a->pol_round != b->pol_round)
		return a->pol_round < b->pol_round ? -1 : 1;
	return 0;
}

static bool pol_round_valid(const struct proposal_header *p)
{
	return p->pol_round >= -1 && (p->pol_round < 0 || (uint32_t)p->pol_round < p->round);
}

bool proposal_conflicts(const struct proposal_header *a, const struct proposal_header *b)
{
	return a->height == b->height && a->round == b->round &&
	       memcmp(a->proposer, b->proposer, PUBKEY_SIZE) == 0 && compare_content(a, b) != 0;
}

int evidence_from_proposals(const struct proposal_header *x, const struct proposal_header *y,
			    struct duplicate_proposal *ev)
{
	if (!proposal_conflicts(x, y))
		return -1;
	if (compare_content(x, y) < 0) {
		ev->a = *x;
		ev->b = *y;
	} else {
		ev->a = *y;
		ev->b = *x;
	}
	return 0;
}

enum evidence_status evidence_proposal_verify(const char *chain_id,
					      const struct duplicate_proposal *ev,
					      const struct validator_set *set,
					      const struct sig_verifier *verifier)
{
	const struct proposal_header *a = &ev->a, *b = &ev->b;

	if (a->height != b->height)
		return EVIDENCE_DIFFERENT_HEIGHT;
	if (a->round != b->round)
		return EVIDENCE_DIFFERENT_ROUND;
	if (memcmp(a->proposer, b->proposer, PUBKEY_SIZE) != 0)
		return EVIDENCE_DIFFERENT_SIGNER;
	if (compare_content(a, b) == 0)
		return EVIDENCE_SAME_PROPOSAL;
	if (compare_content(a, b) > 0)
		return EVIDENCE_NOT_CANONICAL;
	if (!pol_round_valid(a) || !pol_round_valid(b))
		return EVIDENCE_BAD_POL_ROUND;
	if (validators_find(set, a->proposer) < 0)
		return EVIDENCE_UNKNOWN_VALIDATOR;
	if (!proposal_verify_with(chain_id, a, verifier) ||
	    !proposal_verify_with(chain_id, b, verifier))
		return EVIDENCE_BAD_SIGNATURE;
	return EVIDENCE_OK;
}

void signed_proposal_to_proto(const struct proposal_header *p, Hearth__SignedProposal *msg)
{
	hearth__signed_proposal__init(msg);
	msg->height = p->height;
	msg->round = p->round;
	msg->pol_round = p->pol_round;
	msg->block_id.data = (uint8_t *)p->block_id;
	msg->block_id.len = HASH_SIZE;
	msg->proposer.data = (uint8_t *)p->proposer;
	msg->proposer.len = PUBKEY_SIZE;
	msg->sig.data = (uint8_t *)p->sig;
	msg->sig.len = SIG_SIZE;
}

int signed_proposal_from_proto(const Hearth__SignedProposal *msg, struct proposal_header *p)
{
	if (msg == NULL || msg->block_id.len != HASH_SIZE || msg->proposer.len != PUBKEY_SIZE ||
	    msg->sig.len != SIG_SIZE)
		return -1;
	memset(p, 0, sizeof(*p));
	p->height = msg->height;
	p->round = msg->round;
	p->pol_round = msg->pol_round;
	memcpy(p->block_id, msg->block_id.data, HASH_SIZE);
	memcpy(p->proposer, msg->proposer.data, PUBKEY_SIZE);
	memcpy(p->sig, msg->sig.data, SIG_SIZE);
	return 0;
}
