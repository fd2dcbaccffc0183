/* evidence.c: duplicate-vote evidence (see evidence.h). */
#include "consensus/evidence.h"

#include <stdlib.h>
#include <string.h>

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
		return "a vote's signature does not verify";
	}
	return "unknown evidence status";
}

void evidence_to_proto(const struct duplicate_vote *ev, struct evidence_proto *p)
{
	vote_to_proto(&ev->a, &p->a);
	vote_to_proto(&ev->b, &p->b);
	hearth__duplicate_vote__init(&p->dv);
	p->dv.a = &p->a;
	p->dv.b = &p->b;
	hearth__evidence__init(&p->msg);
	p->msg.kind_case = HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE;
	p->msg.duplicate_vote = &p->dv;
}

int evidence_encode(const struct duplicate_vote *ev, uint8_t **out, size_t *out_len)
{
	struct evidence_proto p;

	evidence_to_proto(ev, &p);
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
