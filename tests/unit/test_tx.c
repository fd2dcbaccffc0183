/* test_tx.c: unit tests of consensus/tx.c: decoding, every stateless
 * rejection, tx ids and signing. */
#include "consensus/tx.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

static struct fixture fx;

static int setup(void **state UNUSED)
{
	fix_setup(&fx);
	return 0;
}

static int teardown(void **state UNUSED)
{
	fix_teardown(&fx);
	return 0;
}

static enum ledger_reason decode(const uint8_t *bytes, size_t len, const struct params *p)
{
	struct tx tx;
	struct ledger_error err;
	enum ledger_reason r = tx_decode(bytes, len, FIX_CHAIN, p, true, &tx, &err);

	assert_int_equal(err.reason, r);
	if (r == LEDGER_OK)
		tx_free(&tx);
	else
		assert_null(tx.body);
	return r;
}

static void test_signed_tx_decodes_with_its_id(void **state UNUSED)
{
	size_t len;
	uint8_t *bytes = fix_transfer(&fx, 1, 1, FIX_FEE, fx.signers[2].pubkey, 5, &len);
	uint8_t id[HASH_SIZE];
	struct tx tx;

	assert_int_equal(tx_decode(bytes, len, FIX_CHAIN, &fx.ledger.cfg.params, true, &tx, NULL),
			 LEDGER_OK);
	hash_tagged("hearth/txid", bytes, len, id);
	assert_memory_equal(tx.id, id, HASH_SIZE);
	assert_memory_equal(tx.sender, fx.signers[1].pubkey, PUBKEY_SIZE);
	assert_int_equal(tx.size, len);
	assert_int_equal(tx.body->kind_case, HEARTH__TX_BODY__KIND_TRANSFER);
	assert_int_equal(tx.body->transfer->amount, 5);
	tx_free(&tx);
	free(bytes);
}

static void test_oversize_tx_is_rejected(void **state UNUSED)
{
	struct params p = fx.ledger.cfg.params;
	size_t len;
	uint8_t *bytes = fix_transfer(&fx, 1, 1, FIX_FEE, fx.signers[2].pubkey, 5, &len);

	p.max_tx_bytes = (uint32_t)len;
	assert_int_equal(decode(bytes, len, &p), LEDGER_OK);
	p.max_tx_bytes = (uint32_t)len - 1;
	assert_int_equal(decode(bytes, len, &p), LEDGER_TX_TOO_LARGE);
	free(bytes);
}

static void test_garbage_envelope_is_malformed(void **state UNUSED)
{
	const uint8_t junk[] = { 0xff, 0xff, 0xff, 0x01, 0x02 };

	assert_int_equal(decode(junk, sizeof(junk), &fx.ledger.cfg.params), LEDGER_TX_MALFORMED);
	assert_int_equal(decode(junk, 0, &fx.ledger.cfg.params), LEDGER_TX_MALFORMED);
}

/* A Tx whose body is not a TxBody (here: no kind set). */
static void test_body_without_kind_is_malformed(void **state UNUSED)
{
	Hearth__TxBody body;
	Hearth__Tx env = HEARTH__TX__INIT;
	uint8_t sig[SIG_SIZE] = { 0 }, *body_bytes, *bytes;
	size_t body_len, len;

	fix_body(&fx, &body, 1, 1, FIX_FEE);
	assert_int_equal(codec_encode(&body.base, &body_bytes, &body_len), CODEC_OK);
	env.body.data = body_bytes;
	env.body.len = body_len;
	env.sig.data = sig;
	env.sig.len = SIG_SIZE;
	assert_int_equal(codec_encode(&env.base, &bytes, &len), CODEC_OK);
	assert_int_equal(decode(bytes, len, &fx.ledger.cfg.params), LEDGER_TX_BODY_MALFORMED);
	free(bytes);
	free(body_bytes);
}

static void test_wrong_chain_id_is_rejected(void **state UNUSED)
{
	Hearth__TxBody body;
	Hearth__Bond b = HEARTH__BOND__INIT;
	size_t len;
	uint8_t *bytes;

	fix_body(&fx, &body, 1, 1, FIX_FEE);
	body.chain_id = (char *)"hearth-other";
	b.amount = 1;
	body.kind_case = HEARTH__TX_BODY__KIND_BOND;
	body.bond = &b;
	bytes = fix_sign(&fx, &body, 1, &len);
	assert_int_equal(decode(bytes, len, &fx.ledger.cfg.params), LEDGER_TX_WRONG_CHAIN);
	free(bytes);
}

static void test_sender_that_is_not_a_key_is_rejected(void **state UNUSED)
{
	Hearth__TxBody body;
	Hearth__Bond b = HEARTH__BOND__INIT;
	uint8_t not_on_curve[PUBKEY_SIZE];
	size_t len;
	uint8_t *bytes;

	fix_body(&fx, &body, 1, 1, FIX_FEE);
	b.amount = 1;
	body.kind_case = HEARTH__TX_BODY__KIND_BOND;
	body.bond = &b;
	body.sender.len = PUBKEY_SIZE - 1;
	bytes = fix_sign(&fx, &body, 1, &len);
	assert_int_equal(decode(bytes, len, &fx.ledger.cfg.params), LEDGER_TX_BAD_SENDER);
	free(bytes);
	memset(not_on_curve, 0xff, sizeof(not_on_curve));
	body.sender.data = not_on_curve;
	body.sender.len = PUBKEY_SIZE;
	bytes = fix_sign(&fx, &body, 1, &len);
	assert_int_equal(decode(bytes, len, &fx.ledger.cfg.params), LEDGER_TX_BAD_SENDER);
	free(bytes);
}

/* With verify_sig false (the node verified these bytes before, which
 * parsed the sender key) the key is not parsed again; its length still is. */
static void test_sender_key_is_parsed_only_with_the_signature(void **state UNUSED)
{
	Hearth__TxBody body;
	Hearth__Bond b = HEARTH__BOND__INIT;
	uint8_t not_on_curve[PUBKEY_SIZE];
	size_t len;
	uint8_t *bytes;
	struct tx tx;

	fix_body(&fx, &body, 1, 1, FIX_FEE);
	b.amount = 1;
	body.kind_case = HEARTH__TX_BODY__KIND_BOND;
	body.bond = &b;
	memset(not_on_curve, 0xff, sizeof(not_on_curve));
	body.sender.data = not_on_curve;
	bytes = fix_sign(&fx, &body, 1, &len);
	assert_int_equal(tx_decode(bytes, len, FIX_CHAIN, &fx.ledger.cfg.params, true, &tx, NULL),
			 LEDGER_TX_BAD_SENDER);
	assert_int_equal(tx_decode(bytes, len, FIX_CHAIN, &fx.ledger.cfg.params, false, &tx, NULL),
			 LEDGER_OK);
	assert_true(tx.keys_checked); /* trusted: these bytes were verified before */
	tx_free(&tx);
	free(bytes);
	body.sender.len = PUBKEY_SIZE - 1;
	bytes = fix_sign(&fx, &body, 1, &len);
	assert_int_equal(tx_decode(bytes, len, FIX_CHAIN, &fx.ledger.cfg.params, false, &tx, NULL),
			 LEDGER_TX_BAD_SENDER);
	free(bytes);
}

/* The recipient's key is checked with the signature, once per bytes. */
static void test_recipient_key_is_checked_with_the_signature(void **state UNUSED)
{
	uint8_t bad[PUBKEY_SIZE];
	size_t len;
	uint8_t *bytes;
	struct tx tx;

	memset(bad, 0xff, sizeof(bad));
	bytes = fix_transfer(&fx, 1, 1, FIX_FEE, bad, 5, &len);
	assert_int_equal(decode(bytes, len, &fx.ledger.cfg.params), LEDGER_TRANSFER_BAD_RECIPIENT);
	assert_int_equal(tx_decode(bytes, len, FIX_CHAIN, &fx.ledger.cfg.params, false, &tx, NULL),
			 LEDGER_OK);
	assert_true(tx.keys_checked);
	tx_free(&tx);
	free(bytes);
	bytes = fix_transfer(&fx, 1, 1, FIX_FEE, fx.signers[2].pubkey, 5, &len);
	assert_int_equal(tx_decode(bytes, len, FIX_CHAIN, &fx.ledger.cfg.params, true, &tx, NULL),
			 LEDGER_OK);
	assert_true(tx.keys_checked);
	tx_free(&tx);
	free(bytes);
}

static void test_bad_signature_is_rejected(void **state UNUSED)
{
	Hearth__TxBody body;
	Hearth__Bond b = HEARTH__BOND__INIT;
	size_t len;
	uint8_t *bytes;
	struct tx tx;

	/* signed by key 2 for sender key 1 */
	fix_body(&fx, &body, 1, 1, FIX_FEE);
	b.amount = 1;
	body.kind_case = HEARTH__TX_BODY__KIND_BOND;
	body.bond = &b;
	bytes = fix_sign(&fx, &body, 2, &len);
	assert_int_equal(decode(bytes, len, &fx.ledger.cfg.params), LEDGER_TX_BAD_SIGNATURE);
	/* the node's signature cache may skip the check */
	assert_int_equal(tx_decode(bytes, len, FIX_CHAIN, &fx.ledger.cfg.params, false, &tx, NULL),
			 LEDGER_OK);
	tx_free(&tx);
	free(bytes);
	/* a flipped bit in a correct signature (the last bytes of the Tx) */
	bytes = fix_sign(&fx, &body, 1, &len);
	assert_int_equal(decode(bytes, len, &fx.ledger.cfg.params), LEDGER_OK);
	bytes[len - 1] ^= 1;
	assert_int_equal(decode(bytes, len, &fx.ledger.cfg.params), LEDGER_TX_BAD_SIGNATURE);
	free(bytes);
}

static void test_fee_below_min_fee_per_byte_is_rejected(void **state UNUSED)
{
	struct params p = fx.ledger.cfg.params;
	size_t len;
	uint8_t *bytes = fix_transfer(&fx, 1, 1, 300, fx.signers[2].pubkey, 5, &len);

	p.min_fee_per_byte = 300 / len;
	assert_int_equal(decode(bytes, len, &p), LEDGER_OK);
	p.min_fee_per_byte = 300 / len + 1;
	assert_int_equal(decode(bytes, len, &p), LEDGER_TX_FEE_TOO_LOW);
	p.min_fee_per_byte = UINT64_MAX; /* the product overflows: still too low */
	assert_int_equal(decode(bytes, len, &p), LEDGER_TX_FEE_TOO_LOW);
	free(bytes);
}

static void test_every_reason_has_its_own_message(void **state UNUSED)
{
	static const enum ledger_reason all[] = {
		LEDGER_OK,
		LEDGER_TX_TOO_LARGE,
		LEDGER_TX_MALFORMED,
		LEDGER_TX_BODY_MALFORMED,
		LEDGER_TX_WRONG_CHAIN,
		LEDGER_TX_BAD_SENDER,
		LEDGER_TX_BAD_SIGNATURE,
		LEDGER_TX_FEE_TOO_LOW,
		LEDGER_TX_NONCE_REPLAYED,
		LEDGER_TX_NONCE_GAP,
		LEDGER_TX_NONCE_EXHAUSTED,
		LEDGER_TX_FEE_UNPAYABLE,
		LEDGER_TX_KIND_UNHANDLED,
		LEDGER_TRANSFER_ZERO_AMOUNT,
		LEDGER_TRANSFER_BAD_RECIPIENT,
		LEDGER_TRANSFER_INSUFFICIENT_BALANCE,
		LEDGER_TRANSFER_OVERFLOW,
		LEDGER_BOND_ZERO_AMOUNT,
		LEDGER_BOND_INSUFFICIENT_BALANCE,
		LEDGER_BOND_OVERFLOW,
		LEDGER_BOND_JAILED,
		LEDGER_UNBOND_ZERO_AMOUNT,
		LEDGER_UNBOND_EXCEEDS_BONDED,
		LEDGER_UNBOND_OVERFLOW,
		LEDGER_EVIDENCE_NO_VERIFIER,
		LEDGER_EVIDENCE_INVALID,
		LEDGER_EVIDENCE_TOO_OLD,
		LEDGER_EVIDENCE_FUTURE,
		LEDGER_EVIDENCE_NO_STAKE,
		LEDGER_EVIDENCE_ALREADY_JAILED,
		LEDGER_MODULE_REJECTED,
		LEDGER_BLOCK_TOO_LARGE,
		LEDGER_BLOCK_MALFORMED,
		LEDGER_BLOCK_HEADER_MALFORMED,
		LEDGER_BLOCK_WRONG_CHAIN,
		LEDGER_BLOCK_WRONG_HEIGHT,
		LEDGER_BLOCK_WRONG_PREV,
		LEDGER_BLOCK_TIME_NOT_INCREASING,
		LEDGER_BLOCK_WRONG_APP_HASH,
		LEDGER_BLOCK_WRONG_TX_ROOT,
		LEDGER_BLOCK_WRONG_VALIDATORS,
		LEDGER_BLOCK_WRONG_NEXT_VALIDATORS,
		LEDGER_BLOCK_BAD_PROPOSER,
		LEDGER_BLOCK_WRONG_LAST_COMMIT,
		LEDGER_BLOCK_TOO_MANY_TXS,
		LEDGER_BLOCK_BAD_TX,
		LEDGER_INTERNAL,
	};
	size_t n = sizeof(all) / sizeof(all[0]);

	for (size_t i = 0; i < n; i++) {
		assert_string_not_equal(ledger_strerror(all[i]), "unknown reason");
		for (size_t j = 0; j < i; j++) {
			assert_int_not_equal(all[i], all[j]);
			assert_string_not_equal(ledger_strerror(all[i]), ledger_strerror(all[j]));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_tx_decodes_with_its_id),
		cmocka_unit_test(test_oversize_tx_is_rejected),
		cmocka_unit_test(test_garbage_envelope_is_malformed),
		cmocka_unit_test(test_body_without_kind_is_malformed),
		cmocka_unit_test(test_wrong_chain_id_is_rejected),
		cmocka_unit_test(test_sender_that_is_not_a_key_is_rejected),
		cmocka_unit_test(test_sender_key_is_parsed_only_with_the_signature),
		cmocka_unit_test(test_recipient_key_is_checked_with_the_signature),
		cmocka_unit_test(test_bad_signature_is_rejected),
		cmocka_unit_test(test_fee_below_min_fee_per_byte_is_rejected),
		cmocka_unit_test(test_every_reason_has_its_own_message),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
