/* bft_fixture.h: validators with real keys for the BFT unit tests: a set of
 * n members (key order), their secrets and helpers that sign votes and
 * proposals as member i would. */
#ifndef HEARTH_TESTS_UNIT_BFT_FIXTURE_H
#define HEARTH_TESTS_UNIT_BFT_FIXTURE_H

#include <string.h>

#include "consensus/crypto.h"
#include "consensus/validators.h"
#include "consensus/vote.h"
#include "tests/unit/test_util.h"

#define FIX_CHAIN "hearth-test"
#define FIX_MAX	  8

struct fixture {
	size_t n;
	struct validator_set set;
	struct signer signers[FIX_MAX]; /* signers[i] holds set.members[i]'s key */
	uint8_t secrets[FIX_MAX][SECKEY_SIZE];
};

/* n members, all of power `power` (or powers[i] when powers != NULL). */
static inline void fixture_init(struct fixture *f, size_t n, const uint64_t *powers)
{
	struct validator members[FIX_MAX];
	uint8_t secrets[FIX_MAX][SECKEY_SIZE];
	struct signer tmp[FIX_MAX];

	assert_int_equal(hearth_crypto_init(), 0);
	assert_true(n <= FIX_MAX);
	memset(f, 0, sizeof(*f));
	f->n = n;
	for (size_t i = 0; i < n; i++) {
		memset(secrets[i], 0, SECKEY_SIZE);
		secrets[i][0] = 0x11;
		secrets[i][31] = (uint8_t)(i + 1);
		assert_int_equal(signer_from_secret(&tmp[i], secrets[i]), 0);
		memset(&members[i], 0, sizeof(members[i]));
		memcpy(members[i].key, tmp[i].pubkey, PUBKEY_SIZE);
		members[i].power = powers != NULL ? powers[i] : 10;
	}
	assert_int_equal(validators_set_init(&f->set, members, n), 0);
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < n; i++)
			if (memcmp(tmp[i].pubkey, f->set.members[k].key, PUBKEY_SIZE) == 0) {
				f->signers[k] = tmp[i];
				memcpy(f->secrets[k], secrets[i], SECKEY_SIZE);
			}
}

static inline void fixture_free(struct fixture *f)
{
	for (size_t i = 0; i < f->n; i++)
		signer_wipe(&f->signers[i]);
}

/* A vote of member i, signed. id NULL: nil. */
static inline struct vote fixture_vote(const struct fixture *f, size_t i, enum vote_type type,
				       uint64_t height, uint32_t round, const uint8_t *id)
{
	struct vote v;
	uint8_t digest[HASH_SIZE];

	memset(&v, 0, sizeof(v));
	v.type = type;
	v.height = height;
	v.round = round;
	v.has_block = id != NULL;
	if (id != NULL)
		memcpy(v.block_id, id, HASH_SIZE);
	memcpy(v.validator, f->set.members[i].key, PUBKEY_SIZE);
	vote_digest(FIX_CHAIN, &v, digest);
	assert_int_equal(sig_sign(&f->signers[i], digest, v.sig), 0);
	return v;
}

/* A proposal header of member i, signed. */
static inline struct proposal_header fixture_proposal(const struct fixture *f, size_t i,
						      uint64_t height, uint32_t round,
						      int32_t pol_round, const uint8_t *id)
{
	struct proposal_header p;
	uint8_t digest[HASH_SIZE];

	memset(&p, 0, sizeof(p));
	p.height = height;
	p.round = round;
	p.pol_round = pol_round;
	memcpy(p.block_id, id, HASH_SIZE);
	memcpy(p.proposer, f->set.members[i].key, PUBKEY_SIZE);
	proposal_digest(FIX_CHAIN, &p, digest);
	assert_int_equal(sig_sign(&f->signers[i], digest, p.sig), 0);
	return p;
}

#endif
