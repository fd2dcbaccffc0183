/* evidence_check.c: the node's evidence verifier (evidence_check.h). */
#include "node/evidence_check.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/evidence.h"
#include "consensus/staking.h"

/* Out: dv from the votes of msg. Returns 0, or -1 for a malformed vote. */
static int duplicate_from_proto(const Hearth__DuplicateVote *msg, struct duplicate_vote *dv)
{
	if (msg == NULL || msg->a == NULL || msg->b == NULL)
		return -1;
	if (vote_from_proto(msg->a, &dv->a) != 0 || vote_from_proto(msg->b, &dv->b) != 0)
		return -1;
	return 0;
}

/* Checks dv against the set in force at its height. Returns 0 or -1. */
static int check_duplicate(const char *chain_id, const struct state *st,
			   const struct duplicate_vote *dv)
{
	struct validator_set *set = malloc(sizeof(*set));
	int rc = -1;

	if (set == NULL)
		return -1;
	if (staking_load_set(st, dv->a.height, set) == STATE_OK &&
	    evidence_verify(chain_id, dv, set) == EVIDENCE_OK)
		rc = 0;
	free(set);
	return rc;
}

int evidence_check_verify(void *arg, const char *chain_id, const struct state *st,
			  const Hearth__Evidence *ev, uint8_t offender[PUBKEY_SIZE])
{
	struct duplicate_vote dv;

	(void)arg;
	switch (ev->kind_case) {
	case HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE:
		if (duplicate_from_proto(ev->duplicate_vote, &dv) != 0 ||
		    check_duplicate(chain_id, st, &dv) != 0)
			return -1;
		memcpy(offender, dv.a.validator, PUBKEY_SIZE);
		return 0;
	case HEARTH__EVIDENCE__KIND__NOT_SET:
	case _HEARTH__EVIDENCE__KIND__CASE_IS_INT_SIZE:
		break;
	}
	return -1;
}

void evidence_check_install(struct ledger_config *cfg)
{
	cfg->evidence_verify = evidence_check_verify;
	cfg->evidence_arg = NULL;
}
