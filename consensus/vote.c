/* vote.c: sign bytes, verification and encoding of votes, proposals and
 * commit certificates. */
#include "consensus/vote.h"

#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"

static const uint8_t zero_id[HASH_SIZE];

bool chain_id_valid(const char *chain_id)
{
	size_t n = strnlen(chain_id, CHAIN_ID_MAX + 1);

	/* The same bound as genesis.json: 1..CHAIN_ID_MAX characters. */
	if (n == 0 || n > CHAIN_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (chain_id[i] < 0x21 || chain_id[i] > 0x7e)
			return false;
	return true;
}

void vote_digest(const char *chain_id, const struct vote *vote, uint8_t digest[HASH_SIZE])
{
	struct hasher h;

	hash_begin(&h, "hearth/vote");
	hash_bytes(&h, chain_id, strlen(chain_id));
	hash_u64(&h, vote->height);
	hash_u64(&h, vote->round);
	hash_u64(&h, (uint64_t)vote->type);
	hash_bytes(&h, vote->block_id, vote->has_block ? HASH_SIZE : 0);
	hash_finish(&h, digest);
}

bool sig_verifier_check(const struct sig_verifier *v, const uint8_t sig[SIG_SIZE],
			const uint8_t digest[HASH_SIZE], const uint8_t pubkey[PUBKEY_SIZE])
{
	if (v == NULL || v->fn == NULL)
		return sig_verify(sig, digest, pubkey);
	return v->fn(v->ctx, sig, digest, pubkey);
}

bool vote_verify(const char *chain_id, const struct vote *vote)
{
	return vote_verify_with(chain_id, vote, NULL);
}

bool vote_verify_with(const char *chain_id, const struct vote *vote,
		      const struct sig_verifier *verifier)
{
	uint8_t digest[HASH_SIZE];

	switch (vote->type) {
	case VOTE_TYPE_PREVOTE:
	case VOTE_TYPE_PRECOMMIT:
		break;
	default:
		return false;
	}
	if (!vote->has_block && memcmp(vote->block_id, zero_id, HASH_SIZE) != 0)
		return false;
	vote_digest(chain_id, vote, digest);
	return sig_verifier_check(verifier, vote->sig, digest, vote->validator);
}

void proposal_digest(const char *chain_id, const struct proposal_header *p,
		     uint8_t digest[HASH_SIZE])
{
	struct hasher h;

	hash_begin(&h, "hearth/proposal");
	hash_bytes(&h, chain_id, strlen(chain_id));
	hash_u64(&h, p->height);
	hash_u64(&h, p->round);
	hash_u64(&h, (uint64_t)(int64_t)p->pol_round);
	hash_bytes(&h, p->block_id, HASH_SIZE);
	hash_finish(&h, digest);
}

bool proposal_verify(const char *chain_id, const struct proposal_header *p)
{
	return proposal_verify_with(chain_id, p, NULL);
}

bool proposal_verify_with(const char *chain_id, const struct proposal_header *p,
			  const struct sig_verifier *verifier)
{
	uint8_t digest[HASH_SIZE];

	if (p->pol_round < -1 || (p->pol_round >= 0 && (uint32_t)p->pol_round >= p->round))
		return false;
	proposal_digest(chain_id, p, digest);
	return sig_verifier_check(verifier, p->sig, digest, p->proposer);
}

bool vote_conflicts(const struct vote *a, const struct vote *b)
{
	if (a->type != b->type || a->height != b->height || a->round != b->round)
		return false;
	if (memcmp(a->validator, b->validator, PUBKEY_SIZE) != 0)
		return false;
	if (a->has_block != b->has_block)
		return true;
	return memcmp(a->block_id, b->block_id, HASH_SIZE) != 0;
}

enum commit_status commit_verify(const char *chain_id, const struct commit *commit,
				 const struct validator_set *set)
{
	return commit_verify_with(chain_id, commit, set, NULL);
}

enum commit_status commit_verify_with(const char *chain_id, const struct commit *commit,
				      const struct validator_set *set,
				      const struct sig_verifier *verifier)
{
	struct vote vote;
	uint8_t digest[HASH_SIZE];
	uint64_t power = 0;

	if (commit->count == 0)
		return COMMIT_EMPTY;
	if (commit->count > set->count)
		return COMMIT_NOT_SORTED;
	memset(&vote, 0, sizeof(vote));
	vote.type = VOTE_TYPE_PRECOMMIT;
	vote.height = commit->height;
	vote.round = commit->round;
	vote.has_block = true;
	memcpy(vote.block_id, commit->block_id, HASH_SIZE);
	vote_digest(chain_id, &vote, digest);
	for (size_t i = 0; i < commit->count; i++) {
		const struct commit_sig *cs = &commit->sigs[i];
		int idx;

		if (i > 0 && memcmp(commit->sigs[i - 1].validator, cs->validator, PUBKEY_SIZE) >= 0)
			return COMMIT_NOT_SORTED;
		idx = validators_find(set, cs->validator);
		if (idx < 0)
			return COMMIT_UNKNOWN_VALIDATOR;
		if (!sig_verifier_check(verifier, cs->sig, digest, cs->validator))
			return COMMIT_BAD_SIGNATURE;
		/* cannot overflow: the set's total fits in 63 bits */
		power += set->members[idx].power;
	}
	if (!validators_has_quorum(power, set->total_power))
		return COMMIT_NO_QUORUM;
	return COMMIT_OK;
}

enum commit_status commit_verify_for(const char *chain_id, const struct commit *commit,
				     const struct validator_set *set, uint64_t height,
				     const uint8_t block_id[HASH_SIZE])
{
	if (commit->height != height || memcmp(commit->block_id, block_id, HASH_SIZE) != 0)
		return COMMIT_WRONG_TARGET;
	return commit_verify(chain_id, commit, set);
}

const char *commit_strerror(enum commit_status status)
{
	switch (status) {
	case COMMIT_OK:
		return "ok";
	case COMMIT_EMPTY:
		return "commit has no signature";
	case COMMIT_NOT_SORTED:
		return "commit signers not sorted, duplicated or too many";
	case COMMIT_UNKNOWN_VALIDATOR:
		return "commit signer is not in the validator set";
	case COMMIT_BAD_SIGNATURE:
		return "commit signature does not verify";
	case COMMIT_NO_QUORUM:
		return "commit signers hold 2/3 of the power or less";
	case COMMIT_WRONG_TARGET:
		return "commit is for another height or block";
	}
	return "unknown commit status";
}

void vote_to_proto(const struct vote *vote, Hearth__Vote *msg)
{
	hearth__vote__init(msg);
	msg->type = vote->type == VOTE_TYPE_PREVOTE ? HEARTH__VOTE_TYPE__VOTE_PREVOTE
						    : HEARTH__VOTE_TYPE__VOTE_PRECOMMIT;
	msg->height = vote->height;
	msg->round = vote->round;
	msg->block_id.len = vote->has_block ? HASH_SIZE : 0;
	msg->block_id.data = vote->has_block ? (uint8_t *)vote->block_id : NULL;
	msg->validator.len = PUBKEY_SIZE;
	msg->validator.data = (uint8_t *)vote->validator;
	msg->sig.len = SIG_SIZE;
	msg->sig.data = (uint8_t *)vote->sig;
}

int vote_from_proto(const Hearth__Vote *msg, struct vote *vote)
{
	memset(vote, 0, sizeof(*vote));
	switch (msg->type) {
	case HEARTH__VOTE_TYPE__VOTE_PREVOTE:
		vote->type = VOTE_TYPE_PREVOTE;
		break;
	case HEARTH__VOTE_TYPE__VOTE_PRECOMMIT:
		vote->type = VOTE_TYPE_PRECOMMIT;
		break;
	case _HEARTH__VOTE_TYPE_IS_INT_SIZE:
		return -1;
	}
	if (vote->type == 0)
		return -1; /* a value outside the enum */
	if (msg->block_id.len != 0 && msg->block_id.len != HASH_SIZE)
		return -1;
	if (msg->validator.len != PUBKEY_SIZE || msg->sig.len != SIG_SIZE)
		return -1;
	vote->height = msg->height;
	vote->round = msg->round;
	vote->has_block = msg->block_id.len == HASH_SIZE;
	if (vote->has_block)
		memcpy(vote->block_id, msg->block_id.data, HASH_SIZE);
	memcpy(vote->validator, msg->validator.data, PUBKEY_SIZE);
	memcpy(vote->sig, msg->sig.data, SIG_SIZE);
	return 0;
}

int vote_encode(const struct vote *vote, uint8_t **out, size_t *out_len)
{
	Hearth__Vote msg;

	vote_to_proto(vote, &msg);
	return codec_encode(&msg.base, out, out_len) == CODEC_OK ? 0 : -1;
}

int vote_decode(const uint8_t *data, size_t len, struct vote *vote)
{
	ProtobufCMessage *msg;
	int rc;

	if (codec_decode(&hearth__vote__descriptor, data, len, VOTE_ENCODED_MAX, &msg, NULL) !=
	    CODEC_OK)
		return -1;
	rc = vote_from_proto((const Hearth__Vote *)msg, vote);
	codec_free(msg);
	return rc;
}

int commit_encode(const struct commit *commit, uint8_t **out, size_t *out_len)
{
	Hearth__Commit msg;
	Hearth__CommitSig *sigs, **ptrs;
	int rc;

	if (commit->count > VALIDATORS_MAX)
		return -1;
	hearth__commit__init(&msg);
	msg.height = commit->height;
	msg.round = commit->round;
	msg.block_id.len = HASH_SIZE;
	msg.block_id.data = (uint8_t *)commit->block_id;
	sigs = calloc(commit->count + 1, sizeof(*sigs));
	ptrs = calloc(commit->count + 1, sizeof(*ptrs));
	if (sigs == NULL || ptrs == NULL) {
		free(sigs);
		free(ptrs);
		return -1;
	}
	for (size_t i = 0; i < commit->count; i++) {
		hearth__commit_sig__init(&sigs[i]);
		sigs[i].validator.len = PUBKEY_SIZE;
		sigs[i].validator.data = (uint8_t *)commit->sigs[i].validator;
		sigs[i].sig.len = SIG_SIZE;
		sigs[i].sig.data = (uint8_t *)commit->sigs[i].sig;
		ptrs[i] = &sigs[i];
	}
	msg.n_sigs = commit->count;
	msg.sigs = ptrs;
	rc = codec_encode(&msg.base, out, out_len) == CODEC_OK ? 0 : -1;
	free(sigs);
	free(ptrs);
	return rc;
}

int commit_decode(const uint8_t *data, size_t len, struct commit *commit)
{
	ProtobufCMessage *msg;
	const Hearth__Commit *c;
	int rc = -1;

	if (codec_decode(&hearth__commit__descriptor, data, len, COMMIT_ENCODED_MAX, &msg, NULL) !=
	    CODEC_OK)
		return -1;
	c = (const Hearth__Commit *)msg;
	memset(commit, 0, sizeof(*commit));
	if (c->block_id.len != HASH_SIZE || c->n_sigs > VALIDATORS_MAX)
		goto out;
	commit->height = c->height;
	commit->round = c->round;
	memcpy(commit->block_id, c->block_id.data, HASH_SIZE);
	for (size_t i = 0; i < c->n_sigs; i++) {
		if (c->sigs[i]->validator.len != PUBKEY_SIZE || c->sigs[i]->sig.len != SIG_SIZE)
			goto out;
		memcpy(commit->sigs[i].validator, c->sigs[i]->validator.data, PUBKEY_SIZE);
		memcpy(commit->sigs[i].sig, c->sigs[i]->sig.data, SIG_SIZE);
	}
	commit->count = c->n_sigs;
	rc = 0;
out:
	codec_free(msg);
	return rc;
}

int commit_hash(const struct commit *commit, uint8_t out[HASH_SIZE])
{
	uint8_t *buf;
	size_t len;

	if (commit_encode(commit, &buf, &len) != 0)
		return -1;
	hash_tagged("hearth/commit", buf, len, out);
	free(buf);
	return 0;
}
