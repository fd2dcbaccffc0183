/* evidence.c: duplicate-vote evidence, and evidence of either kind (see
 * evidence.h; the duplicate-proposal rules are in evidence_proposal.c). */
#include "consensus/evidence.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/evidence_proposal.h"
#include "proto/codec.h"

/* Orders targets: nil first, then block ids bytewise. */
static int compare_targets(const struct vote *a, const struct vote *b)
{
	if (a->has_block != b->has_block)
		return a->has_block ? 1 : -1;
	return memcmp(a->block_id, b->block_id, HASH_SIZE);
}

int evidence_from_votes(const struct vote *x, const struct vote *y, struct duplicate_vote *ev)
{
	if (!vote_conflicts(x, y))
		return -1;
	if (compare_targets(x, y) < 0) {
		ev->a = *x;
		ev->b = *y;
	} else {
		ev->a = *y;
		ev->b = *x;
	}
	return 0;
}

enum evidence_status evidence_verify(const char *chain_id, const struct duplicate_vote *ev,
				     const struct validator_set *set)
{
	return evidence_verify_with(chain_id, ev, set, NULL);
}

enum evidence_status evidence_verify_with(const char *chain_id, const struct duplicate_vote *ev,
					  const struct validator_set *set,
					  const struct sig_verifier *verifier)
{
	if (!vote_conflicts(&ev->a, &ev->b))
		return EVIDENCE_NOT_CONFLICTING;
	if (compare_targets(&ev->a, &ev->b) >= 0)
		return EVIDENCE_NOT_CANONICAL;
	if (validators_find(set, ev->a.validator) < 0)
		return EVIDENCE_UNKNOWN_VALIDATOR;
	if (!vote_verify_with(chain_id, &ev->a, verifier) ||
	    !vote_verify_with(chain_id, &ev->b, verifier))
		return EVIDENCE_BAD_SIGNATURE;
	return EVIDENCE_OK;
}

const char *evidence_strerror(enum evidence_status status)
{
	switch (status) {
	case EVIDENCE_OK:
		return "ok";
	case EVIDENCE_NOT_CONFLICTING:
		return "votes do not conflict";
	case EVIDENCE_NOT_CANONICAL:
		return "votes not in canonical order";
	case EVIDENCE_UNKNOWN_VALIDATOR:
		return "validator not in the set";
	case EVIDENCE_BAD_SIGNATURE:
		return "a signature does not verify";
	case EVIDENCE_DIFFERENT_HEIGHT:
		return "proposals of different heights";
	case EVIDENCE_DIFFERENT_ROUND:
		return "proposals of different rounds";
	case EVIDENCE_DIFFERENT_SIGNER:
		return "proposals of different proposers";
	case EVIDENCE_SAME_PROPOSAL:
		return "the same proposal twice";
	case EVIDENCE_BAD_POL_ROUND:
		return "a proposal's pol_round is out of range";
	}
	return "unknown evidence status";
}

void evidence_to_proto(const struct evidence *ev, struct evidence_proto *p)
{
	hearth__evidence__init(&p->msg);
	switch (ev->kind) {
	case EVIDENCE_KIND_DUPLICATE_VOTE:
		vote_to_proto(&ev->u.vote.a, &p->a);
		vote_to_proto(&ev->u.vote.b, &p->b);
		hearth__duplicate_vote__init(&p->dv);
		p->dv.a = &p->a;
		p->dv.b = &p->b;
		p->msg.kind_case = HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE;
		p->msg.duplicate_vote = &p->dv;
		break;
	case EVIDENCE_KIND_DUPLICATE_PROPOSAL:
		signed_proposal_to_proto(&ev->u.proposal.a, &p->pa);
		signed_proposal_to_proto(&ev->u.proposal.b, &p->pb);
		hearth__duplicate_proposal__init(&p->dp);
		p->dp.a = &p->pa;
		p->dp.b = &p->pb;
		p->msg.kind_case = HEARTH__EVIDENCE__KIND_DUPLICATE_PROPOSAL;
		p->msg.duplicate_proposal = &p->dp;
		break;
	}
}

int evidence_from_proto(const Hearth__Evidence *msg, struct evidence *ev)
{
	const Hearth__DuplicateVote *dv = msg->duplicate_vote;
	const Hearth__DuplicateProposal *dp = msg->duplicate_proposal;

	memset(ev, 0, sizeof(*ev));
	switch (msg->kind_case) {
	case HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE:
		ev->kind = EVIDENCE_KIND_DUPLICATE_VOTE;
		if (dv == NULL || dv->a == NULL || dv->b == NULL)
			return -1;
		return vote_from_proto(dv->a, &ev->u.vote.a) == 0 &&
				       vote_from_proto(dv->b, &ev->u.vote.b) == 0
			       ? 0
			       : -1;
	case HEARTH__EVIDENCE__KIND_DUPLICATE_PROPOSAL:
		ev->kind = EVIDENCE_KIND_DUPLICATE_PROPOSAL;
		if (dp == NULL)
			return -1;
		return signed_proposal_from_proto(dp->a, &ev->u.proposal.a) == 0 &&
				       signed_proposal_from_proto(dp->b, &ev->u.proposal.b) == 0
			       ? 0
			       : -1;
	case HEARTH__EVIDENCE__KIND__NOT_SET:
	case _HEARTH__EVIDENCE__KIND__CASE_IS_INT_SIZE:
		break;
	}
	return -1;
}

enum evidence_status evidence_verify_any(const char *chain_id, const struct evidence *ev,
					 const struct validator_set *set,
					 const struct sig_verifier *verifier)
{
	switch (ev->kind) {
	case EVIDENCE_KIND_DUPLICATE_VOTE:
		return evidence_verify_with(chain_id, &ev->u.vote, set, verifier);
	case EVIDENCE_KIND_DUPLICATE_PROPOSAL:
		return evidence_proposal_verify(chain_id, &ev->u.proposal, set, verifier);
	}
	return EVIDENCE_NOT_CONFLICTING;
}

uint64_t evidence_height(const struct evidence *ev)
{
	switch (ev->kind) {
	case EVIDENCE_KIND_DUPLICATE_VOTE:
		return ev->u.vote.a.height;
	case EVIDENCE_KIND_DUPLICATE_PROPOSAL:
		return ev->u.proposal.a.height;
	}
	return 0;
}

uint32_t evidence_round(const struct evidence *ev)
{
	switch (ev->kind) {
	case EVIDENCE_KIND_DUPLICATE_VOTE:
		return ev->u.vote.a.round;
	case EVIDENCE_KIND_DUPLICATE_PROPOSAL:
		return ev->u.proposal.a.round;
	}
	return 0;
}

const uint8_t *evidence_offender(const struct evidence *ev)
{
	switch (ev->kind) {
	case EVIDENCE_KIND_DUPLICATE_VOTE:
		return ev->u.vote.a.validator;
	case EVIDENCE_KIND_DUPLICATE_PROPOSAL:
		return ev->u.proposal.a.proposer;
	}
	return ev->u.vote.a.validator;
}

const char *evidence_kind_name(enum evidence_kind kind)
{
	switch (kind) {
	case EVIDENCE_KIND_DUPLICATE_VOTE:
		return "vote";
	case EVIDENCE_KIND_DUPLICATE_PROPOSAL:
		return "proposal";
	}
	return "unknown";
}

void evidence_of_votes(const struct duplicate_vote *dv, struct evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EVIDENCE_KIND_DUPLICATE_VOTE;
	ev->u.vote = *dv;
}

int evidence_encode(const struct duplicate_vote *ev, uint8_t **out, size_t *out_len)
{
	struct evidence_proto p;
	struct evidence any;

	evidence_of_votes(ev, &any);
	evidence_to_proto(&any, &p);
	return codec_encode(&p.msg.base, out, out_len) == CODEC_OK ? 0 : -1;
}

int evidence_decode(const uint8_t *data, size_t len, struct duplicate_vote *ev)
{
	ProtobufCMessage *msg;
	const Hearth__Evidence *e;
	int rc = -1;

	if (codec_decode(&hearth__evidence__descriptor, data, len, EVIDENCE_ENCODED_MAX, &msg,
			 NULL) != CODEC_OK)
		return -1;
	e = (const Hearth__Evidence *)msg;
	switch (e->kind_case) {
	case HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE:
		if (vote_from_proto(e->duplicate_vote->a, &ev->a) == 0 &&
		    vote_from_proto(e->duplicate_vote->b, &ev->b) == 0)
			rc = 0;
		break;
	case HEARTH__EVIDENCE__KIND_DUPLICATE_PROPOSAL: /* not a duplicate vote */
	case HEARTH__EVIDENCE__KIND__NOT_SET:
	case _HEARTH__EVIDENCE__KIND__CASE_IS_INT_SIZE:
		break;
	}
	codec_free(msg);
	return rc;
}

int evidence_id(const struct duplicate_vote *ev, uint8_t out[HASH_SIZE])
{
	uint8_t *buf;
	size_t len;

	if (evidence_encode(ev, &buf, &len) != 0)
		return -1;
	hash_tagged("hearth/evidence", buf, len, out);
	free(buf);
	return 0;
}
