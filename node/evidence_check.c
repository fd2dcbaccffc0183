/* evidence_check.c: the node's evidence verifier (evidence_check.h). */
#include "node/evidence_check.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/evidence.h"
#include "consensus/staking.h"

/* Checks ev against the set in force at its height. Returns 0 or -1. */
static int check_against_set(const char *chain_id, const struct state *st,
			     const struct evidence *ev)
{
	struct validator_set *set = malloc(sizeof(*set));
	int rc = -1;

	if (set == NULL)
		return -1;
	if (staking_load_set(st, evidence_height(ev), set) == STATE_OK &&
	    evidence_verify_any(chain_id, ev, set, NULL) == EVIDENCE_OK)
		rc = 0;
	free(set);
	return rc;
}

int evidence_check_verify(void *arg, const char *chain_id, const struct state *st,
			  const Hearth__Evidence *msg, uint8_t offender[PUBKEY_SIZE])
{
	struct evidence ev;

	(void)arg;
	if (evidence_from_proto(msg, &ev) != 0 || check_against_set(chain_id, st, &ev) != 0)
		return -1;
	memcpy(offender, evidence_offender(&ev), PUBKEY_SIZE);
	return 0;
}

void evidence_check_install(struct ledger_config *cfg)
{
	cfg->evidence_verify = evidence_check_verify;
	cfg->evidence_arg = NULL;
}
