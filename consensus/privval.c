/* privval.c: the double-sign guard (see privval.h). */
#include "consensus/privval.h"

#include <string.h>

int privval_init(struct privval *pv, const uint8_t seckey[SECKEY_SIZE],
		 const struct privval_record *restored, privval_persist_fn persist, void *ctx)
{
	memset(pv, 0, sizeof(*pv));
	if (signer_from_secret(&pv->signer, seckey) != 0)
		return -1;
	if (restored != NULL) {
		pv->last = *restored;
	} else {
		pv->last.step = PRIVVAL_STEP_NONE;
		pv->last.lock_round = -1;
	}
	pv->persist = persist;
	pv->persist_ctx = ctx;
	return 0;
}

void privval_wipe(struct privval *pv)
{
	signer_wipe(&pv->signer);
	secret_wipe(pv, sizeof(*pv));
}

const uint8_t *privval_pubkey(const struct privval *pv)
{
	return pv->signer.pubkey;
}

/* Compares (height, round, step) with the last record: <0 lower, 0 same, >0 higher. */
static int compare_hrs(const struct privval_record *last, uint64_t height, uint32_t round,
		       enum privval_step step)
{
	if (last->step == PRIVVAL_STEP_NONE)
		return 1;
	if (height != last->height)
		return height < last->height ? -1 : 1;
	if (round != last->round)
		return round < last->round ? -1 : 1;
	if (step != last->step)
		return step < last->step ? -1 : 1;
	return 0;
}

/* The guarded signing step shared by votes and proposals. lock_id is the
 * block a precommit locks on (NULL for anything else). */
static enum privval_status sign_guarded(struct privval *pv, uint64_t height, uint32_t round,
					enum privval_step step, const uint8_t digest[HASH_SIZE],
					bool has_block, const uint8_t *block_id, int32_t pol_round,
					const uint8_t *lock_id, uint8_t sig[SIG_SIZE])
{
	struct privval_record next;
	uint8_t aux[HASH_SIZE];
	int c = compare_hrs(&pv->last, height, round, step);

	if (c < 0)
		return PRIVVAL_REGRESSION;
	if (c == 0) {
		if (memcmp(pv->last.digest, digest, HASH_SIZE) != 0)
			return PRIVVAL_CONFLICT;
		memcpy(sig, pv->last.sig, SIG_SIZE);
		return PRIVVAL_RESIGNED;
	}
	next = pv->last;
	if (pv->last.step == PRIVVAL_STEP_NONE || height != pv->last.height) {
		next.lock_round = -1;
		memset(next.lock_id, 0, HASH_SIZE);
	}
	next.height = height;
	next.round = round;
	next.step = step;
	memcpy(next.digest, digest, HASH_SIZE);
	next.has_block = has_block;
	memset(next.block_id, 0, HASH_SIZE);
	if (has_block)
		memcpy(next.block_id, block_id, HASH_SIZE);
	next.pol_round = pol_round;
	if (lock_id != NULL) {
		next.lock_round = round;
		memcpy(next.lock_id, lock_id, HASH_SIZE);
	}
	hash_tagged("hearth/sigaux", digest, HASH_SIZE, aux);
	if (sig_sign_aux(&pv->signer, digest, aux, next.sig) != 0)
		return PRIVVAL_SIGN_FAILED;
	if (pv->persist != NULL && pv->persist(pv->persist_ctx, &next) != 0)
		return PRIVVAL_PERSIST_FAILED;
	pv->last = next;
	memcpy(sig, next.sig, SIG_SIZE);
	return PRIVVAL_OK;
}

enum privval_status privval_sign_vote(struct privval *pv, const char *chain_id, struct vote *vote)
{
	uint8_t digest[HASH_SIZE];
	enum privval_step step = PRIVVAL_STEP_PREVOTE;
	const uint8_t *lock = NULL;
	enum privval_status st;
	uint8_t sig[SIG_SIZE];

	switch (vote->type) {
	case VOTE_TYPE_PREVOTE:
		step = PRIVVAL_STEP_PREVOTE;
		break;
	case VOTE_TYPE_PRECOMMIT:
		step = PRIVVAL_STEP_PRECOMMIT;
		if (vote->has_block)
			lock = vote->block_id;
		break;
	}
	if (!vote->has_block)
		memset(vote->block_id, 0, HASH_SIZE);
	vote_digest(chain_id, vote, digest);
	st = sign_guarded(pv, vote->height, vote->round, step, digest, vote->has_block,
			  vote->block_id, -1, lock, sig);
	if (st == PRIVVAL_OK || st == PRIVVAL_RESIGNED) {
		memcpy(vote->validator, pv->signer.pubkey, PUBKEY_SIZE);
		memcpy(vote->sig, sig, SIG_SIZE);
	}
	return st;
}

enum privval_status privval_sign_proposal(struct privval *pv, const char *chain_id,
					  struct proposal_header *p)
{
	uint8_t digest[HASH_SIZE];
	enum privval_status st;
	uint8_t sig[SIG_SIZE];

	proposal_digest(chain_id, p, digest);
	st = sign_guarded(pv, p->height, p->round, PRIVVAL_STEP_PROPOSE, digest, true, p->block_id,
			  p->pol_round, NULL, sig);
	if (st == PRIVVAL_OK || st == PRIVVAL_RESIGNED) {
		memcpy(p->proposer, pv->signer.pubkey, PUBKEY_SIZE);
		memcpy(p->sig, sig, SIG_SIZE);
	}
	return st;
}

bool privval_last_vote(const struct privval *pv, uint64_t height, struct vote *vote)
{
	const struct privval_record *r = &pv->last;

	memset(vote, 0, sizeof(*vote));
	switch (r->step) {
	case PRIVVAL_STEP_PREVOTE:
		vote->type = VOTE_TYPE_PREVOTE;
		break;
	case PRIVVAL_STEP_PRECOMMIT:
		vote->type = VOTE_TYPE_PRECOMMIT;
		break;
	case PRIVVAL_STEP_NONE:
	case PRIVVAL_STEP_PROPOSE:
		return false;
	}
	if (r->height != height)
		return false;
	vote->height = r->height;
	vote->round = r->round;
	vote->has_block = r->has_block;
	if (r->has_block)
		memcpy(vote->block_id, r->block_id, HASH_SIZE);
	memcpy(vote->validator, pv->signer.pubkey, PUBKEY_SIZE);
	memcpy(vote->sig, r->sig, SIG_SIZE);
	return true;
}

bool privval_lock(const struct privval *pv, uint64_t height, int64_t *round, uint8_t id[HASH_SIZE])
{
	if (pv->last.step == PRIVVAL_STEP_NONE || pv->last.height != height ||
	    pv->last.lock_round < 0)
		return false;
	*round = pv->last.lock_round;
	memcpy(id, pv->last.lock_id, HASH_SIZE);
	return true;
}

const char *privval_strerror(enum privval_status status)
{
	switch (status) {
	case PRIVVAL_OK:
		return "ok";
	case PRIVVAL_RESIGNED:
		return "identical message signed again";
	case PRIVVAL_REGRESSION:
		return "height/round/step lower than the last signed";
	case PRIVVAL_CONFLICT:
		return "a different message was already signed at this height/round/step";
	case PRIVVAL_PERSIST_FAILED:
		return "persisting the signer state failed";
	case PRIVVAL_SIGN_FAILED:
		return "signing failed";
	}
	return "unknown privval status";
}
