/* test_evidence_proposal.c: unit tests of duplicate-proposal evidence: the
 * pure rules of consensus/evidence_proposal.c (each failure with its own
 * status), and the node's verifier (node/evidence_check.c) and evidence tx
 * (node/evidence_report.c) wired into the ledger, which slashes and jails
 * the offender exactly as for a duplicate vote, once. */
#include "consensus/evidence_proposal.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/staking.h"
#include "consensus/supply.h"
#include "consensus/tx.h"
#include "node/evidence_check.h"
#include "node/evidence_report.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

#define REPORTER 2 /* the key that sends the evidence txs */

static const uint8_t block_a[HASH_SIZE] = { 0xaa };
static const uint8_t block_b[HASH_SIZE] = { 0xbb };

/* A proposal of signer idx at (height, round) for id, signed for chain. */
static struct proposal_header signed_proposal_for(const struct fixture *f, const char *chain,
						  int idx, uint64_t height, uint32_t round,
						  int32_t pol_round, const uint8_t *id)
{
	struct proposal_header p;
	uint8_t digest[HASH_SIZE];

	memset(&p, 0, sizeof(p));
	p.height = height;
	p.round = round;
	p.pol_round = pol_round;
	memcpy(p.block_id, id, HASH_SIZE);
	memcpy(p.proposer, f->signers[idx].pubkey, PUBKEY_SIZE);
	proposal_digest(chain, &p, digest);
	assert_int_equal(sig_sign(&f->signers[idx], digest, p.sig), 0);
	return p;
}

static struct proposal_header signed_proposal(const struct fixture *f, int idx, uint64_t height,
					      uint32_t round, const uint8_t *id)
{
	return signed_proposal_for(f, FIX_CHAIN, idx, height, round, -1, id);
}

/* Evidence that signer idx proposed block_a and block_b at (height, 0). */
static struct evidence double_proposal(const struct fixture *f, int idx, uint64_t height)
{
	struct proposal_header x = signed_proposal(f, idx, height, 0, block_a);
	struct proposal_header y = signed_proposal(f, idx, height, 0, block_b);
	struct evidence ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVIDENCE_KIND_DUPLICATE_PROPOSAL;
	assert_int_equal(evidence_from_proposals(&y, &x, &ev.u.proposal), 0);
	return ev;
}

/* The evidence tx of ev from REPORTER with nonce. Out: *len. */
static uint8_t *evidence_tx(struct fixture *f, const struct evidence *ev, uint64_t nonce,
			    size_t *len)
{
	uint8_t *tx;

	assert_int_equal(
		evidence_report_build_tx(FIX_CHAIN, &f->signers[REPORTER], ev, nonce, 2, &tx, len),
		0);
	return tx;
}

static bool jailed(struct fixture *f, int idx)
{
	bool is = false;

	assert_int_equal(staking_is_jailed(fix_chain_state(&f->chain), f->signers[idx].pubkey, &is),
			 STATE_OK);
	return is;
}

/* Key 1 bonds as a candidate in block 1 and is in the set from height 3. */
static void key1_joins(struct fixture *f)
{
	size_t len;

	fix_block1(f, fix_bond_validator(f, 1, 1, FIX_FEE, 2 * FIX_BOND, &len), &len);
	fix_empty_block(f);
	fix_empty_block(f);
}

/* The set of height 1 (key 0 alone). */
static struct validator_set *genesis_set(struct fixture *f)
{
	struct validator_set *set = malloc(sizeof(*set));

	assert_non_null(set);
	assert_int_equal(staking_load_set(fix_chain_state(&f->chain), 1, set), STATE_OK);
	assert_int_equal(set->count, 1);
	return set;
}

static enum evidence_status verify_pair(const struct validator_set *set,
					const struct proposal_header *a,
					const struct proposal_header *b)
{
	struct duplicate_proposal dp = { .a = *a, .b = *b };

	return evidence_proposal_verify(FIX_CHAIN, &dp, set, NULL);
}

static void test_rules_accept_a_double_proposal(void **state)
{
	struct fixture *f = *state;
	struct validator_set *set = genesis_set(f);
	struct proposal_header x = signed_proposal(f, 0, 1, 2, block_a);
	struct proposal_header y = signed_proposal(f, 0, 1, 2, block_b);
	struct duplicate_proposal e1, e2;

	/* either order gives the one canonical form */
	assert_int_equal(evidence_from_proposals(&x, &y, &e1), 0);
	assert_int_equal(evidence_from_proposals(&y, &x, &e2), 0);
	assert_memory_equal(&e1, &e2, sizeof(e1));
	assert_memory_equal(e1.a.block_id, block_a, HASH_SIZE);
	assert_int_equal(evidence_proposal_verify(FIX_CHAIN, &e1, set, NULL), EVIDENCE_OK);
	/* the same block with two pol_rounds is a double proposal too */
	x = signed_proposal_for(f, FIX_CHAIN, 0, 1, 2, -1, block_a);
	y = signed_proposal_for(f, FIX_CHAIN, 0, 1, 2, 1, block_a);
	assert_true(proposal_conflicts(&x, &y));
	assert_int_equal(evidence_from_proposals(&y, &x, &e1), 0);
	assert_int_equal(e1.a.pol_round, -1);
	assert_int_equal(evidence_proposal_verify(FIX_CHAIN, &e1, set, NULL), EVIDENCE_OK);
	free(set);
}

static void test_rules_reject_each_flaw_with_its_reason(void **state)
{
	struct fixture *f = *state;
	struct validator_set *set = genesis_set(f);
	struct proposal_header a = signed_proposal(f, 0, 1, 0, block_a);
	struct proposal_header b = signed_proposal(f, 0, 1, 0, block_b);
	struct proposal_header other;
	struct duplicate_proposal dp;

	assert_int_equal(verify_pair(set, &a, &b), EVIDENCE_OK);
	/* the same proposal twice (even signed twice) */
	other = signed_proposal(f, 0, 1, 0, block_a);
	assert_int_equal(verify_pair(set, &a, &a), EVIDENCE_SAME_PROPOSAL);
	assert_int_equal(verify_pair(set, &a, &other), EVIDENCE_SAME_PROPOSAL);
	assert_int_equal(evidence_from_proposals(&a, &other, &dp), -1);
	/* different heights, different rounds */
	other = signed_proposal(f, 0, 2, 0, block_b);
	assert_int_equal(verify_pair(set, &a, &other), EVIDENCE_DIFFERENT_HEIGHT);
	assert_int_equal(evidence_from_proposals(&a, &other, &dp), -1);
	other = signed_proposal(f, 0, 1, 1, block_b);
	assert_int_equal(verify_pair(set, &a, &other), EVIDENCE_DIFFERENT_ROUND);
	assert_int_equal(evidence_from_proposals(&a, &other, &dp), -1);
	/* two proposers */
	other = signed_proposal(f, 1, 1, 0, block_b);
	assert_int_equal(verify_pair(set, &a, &other), EVIDENCE_DIFFERENT_SIGNER);
	/* not in canonical order */
	assert_int_equal(verify_pair(set, &b, &a), EVIDENCE_NOT_CANONICAL);
	/* a pol_round that no proposal may carry */
	other = signed_proposal_for(f, FIX_CHAIN, 0, 1, 0, 0, block_b);
	assert_int_equal(verify_pair(set, &a, &other), EVIDENCE_BAD_POL_ROUND);
	/* a bad signature */
	other = b;
	other.sig[7] ^= 0x01;
	assert_int_equal(verify_pair(set, &a, &other), EVIDENCE_BAD_SIGNATURE);
	/* signed for another chain: the digest differs, so does the signature */
	other = signed_proposal_for(f, "hearth-other", 0, 1, 0, -1, block_b);
	assert_int_equal(verify_pair(set, &a, &other), EVIDENCE_BAD_SIGNATURE);
	/* a signer that is not a validator of that height */
	a = signed_proposal(f, 3, 1, 0, block_a);
	b = signed_proposal(f, 3, 1, 0, block_b);
	assert_int_equal(verify_pair(set, &a, &b), EVIDENCE_UNKNOWN_VALIDATOR);
	for (int s = EVIDENCE_OK; s <= EVIDENCE_BAD_POL_ROUND; s++)
		assert_non_null(evidence_strerror((enum evidence_status)s));
	free(set);
}

static void test_valid_double_proposal_slashes_and_jails_once(void **state)
{
	struct fixture *f = *state;
	struct evidence ev, vote_ev;
	struct duplicate_vote dv;
	struct vote x, y;
	uint8_t digest[HASH_SIZE];
	uint64_t ppm = f->genesis.params.slash_fraction_ppm;
	uint64_t burn = 2 * FIX_BOND * ppm / 1000000;
	struct supply sup;
	struct account a;
	size_t len;

	evidence_check_install(&f->ledger.cfg);
	key1_joins(f);
	ev = double_proposal(f, 1, 3);
	fix_block1(f, evidence_tx(f, &ev, 1, &len), &len); /* height 4 */
	a = fix_account(f, &f->chain, 1);
	assert_true(burn > 0);
	assert_int_equal(a.bonded, 2 * FIX_BOND - burn);
	assert_int_equal(supply_load(fix_chain_state(&f->chain), &sup), STATE_OK);
	assert_int_equal(sup.burned, burn);
	assert_true(jailed(f, 1));
	/* the same evidence again, another double proposal, or a double vote
	 * of the same validator and height: punished once */
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 2, &len), &len),
			 LEDGER_EVIDENCE_ALREADY_JAILED);
	ev.u.proposal.a = signed_proposal(f, 1, 3, 1, block_a);
	ev.u.proposal.b = signed_proposal(f, 1, 3, 1, block_b);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 2, &len), &len),
			 LEDGER_EVIDENCE_ALREADY_JAILED);
	memset(&x, 0, sizeof(x));
	x.type = VOTE_TYPE_PREVOTE;
	x.height = 3;
	memcpy(x.validator, f->signers[1].pubkey, PUBKEY_SIZE);
	y = x;
	y.has_block = true;
	memcpy(y.block_id, block_a, HASH_SIZE);
	vote_digest(FIX_CHAIN, &x, digest);
	assert_int_equal(sig_sign(&f->signers[1], digest, x.sig), 0);
	vote_digest(FIX_CHAIN, &y, digest);
	assert_int_equal(sig_sign(&f->signers[1], digest, y.sig), 0);
	assert_int_equal(evidence_from_votes(&x, &y, &dv), 0);
	evidence_of_votes(&dv, &vote_ev);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &vote_ev, 2, &len), &len),
			 LEDGER_EVIDENCE_ALREADY_JAILED);
	assert_int_equal(fix_account(f, &f->chain, 1).bonded, 2 * FIX_BOND - burn);
}

static void test_ledger_rejects_bad_double_proposals(void **state)
{
	struct fixture *f = *state;
	struct evidence ev;
	size_t len;

	evidence_check_install(&f->ledger.cfg);
	key1_joins(f);
	/* key 1 was not in the set yet at height 2; key 3 never was */
	ev = double_proposal(f, 1, 2);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	ev = double_proposal(f, 3, 3);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	/* a bad signature; the same proposal twice */
	ev = double_proposal(f, 1, 3);
	ev.u.proposal.b.sig[9] ^= 0x01;
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	ev = double_proposal(f, 1, 3);
	ev.u.proposal.b = ev.u.proposal.a;
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_INVALID);
	/* of a height not yet below the block's */
	ev = double_proposal(f, 1, 4);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len), LEDGER_EVIDENCE_FUTURE);
	assert_false(jailed(f, 1));
	/* key 0 at height 2: valid */
	ev = double_proposal(f, 0, 2);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len), LEDGER_OK);
}

static void test_old_double_proposal_is_rejected(void **state)
{
	struct fixture *f = *state;
	struct evidence ev = double_proposal(f, 0, 2);
	size_t len;

	evidence_check_install(&f->ledger.cfg);
	for (int i = 0; i < 5; i++)
		fix_empty_block(f); /* the next block is 6: unbonding_blocks (3) below is 3 */
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len),
			 LEDGER_EVIDENCE_TOO_OLD);
	ev = double_proposal(f, 0, 3);
	assert_int_equal(fix_try_tx(f, evidence_tx(f, &ev, 1, &len), &len), LEDGER_OK);
}

static void test_verifier_reads_the_proto(void **state)
{
	struct fixture *f = *state;
	struct evidence ev = double_proposal(f, 0, 1), back;
	struct evidence_proto p;
	uint8_t offender[PUBKEY_SIZE];
	const struct state *st = fix_chain_state(&f->chain);

	evidence_to_proto(&ev, &p);
	assert_int_equal(p.msg.kind_case, HEARTH__EVIDENCE__KIND_DUPLICATE_PROPOSAL);
	assert_int_equal(evidence_from_proto(&p.msg, &back), 0);
	assert_memory_equal(&back.u.proposal, &ev.u.proposal, sizeof(ev.u.proposal));
	assert_int_equal(evidence_check_verify(NULL, FIX_CHAIN, st, &p.msg, offender), 0);
	assert_memory_equal(offender, f->signers[0].pubkey, PUBKEY_SIZE);
	/* a field of the wrong size */
	p.pb.proposer.len = PUBKEY_SIZE - 1;
	assert_int_equal(evidence_check_verify(NULL, FIX_CHAIN, st, &p.msg, offender), -1);
	p.pb.proposer.len = PUBKEY_SIZE;
	p.pa.block_id.len = 0;
	assert_int_equal(evidence_check_verify(NULL, FIX_CHAIN, st, &p.msg, offender), -1);
	p.pa.block_id.len = HASH_SIZE;
	/* not canonical: b before a */
	p.dp.a = &p.pb;
	p.dp.b = &p.pa;
	assert_int_equal(evidence_check_verify(NULL, FIX_CHAIN, st, &p.msg, offender), -1);
}

static void test_report_keeps_a_double_proposal(void **state)
{
	struct fixture *f = *state;
	struct evidence_report *r = malloc(sizeof(*r));
	struct evidence ev = double_proposal(f, 0, 4);
	struct tx tx;
	uint8_t *bytes;
	size_t len;

	assert_non_null(r);
	evidence_report_init(r);
	assert_true(evidence_report_wait(r, &ev));
	assert_int_equal(r->waiting[0].kind, EVIDENCE_KIND_DUPLICATE_PROPOSAL);
	assert_int_equal(evidence_height(&r->waiting[0]), 4);
	assert_int_equal(evidence_round(&r->waiting[0]), 0);
	assert_memory_equal(evidence_offender(&r->waiting[0]), f->signers[0].pubkey, PUBKEY_SIZE);
	assert_string_equal(evidence_kind_name(ev.kind), "proposal");
	free(r);
	bytes = evidence_tx(f, &ev, 3, &len);
	assert_int_equal(tx_decode(bytes, len, FIX_CHAIN, &f->genesis.params, true, &tx, NULL),
			 LEDGER_OK);
	assert_int_equal(tx.body->kind_case, HEARTH__TX_BODY__KIND_EVIDENCE);
	assert_int_equal(tx.body->evidence->kind_case, HEARTH__EVIDENCE__KIND_DUPLICATE_PROPOSAL);
	assert_int_equal(tx.body->fee, 2 * len);
	tx_free(&tx);
	free(bytes);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fix_group_setup, fix_group_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rules_accept_a_double_proposal),
		T(test_rules_reject_each_flaw_with_its_reason),
		T(test_valid_double_proposal_slashes_and_jails_once),
		T(test_ledger_rejects_bad_double_proposals),
		T(test_old_double_proposal_is_rejected),
		T(test_verifier_reads_the_proto),
		T(test_report_keeps_a_double_proposal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
