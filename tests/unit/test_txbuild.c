/* test_txbuild.c: unit tests of wallet/txbuild.c: a fee given as a rate per
 * byte ends exactly at rate * size of the signed tx, even where the fee's
 * varint grows the tx, and the tx passes the ledger's stateless checks. */
#include "wallet/txbuild.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

static void sign_transfer(uint64_t feerate, uint64_t *fee, size_t *len)
{
	static const uint8_t secret[SECKEY_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Transfer transfer = HEARTH__TRANSFER__INIT;
	struct params p;
	struct signer s;
	struct tx tx;
	uint8_t *bytes;

	memset(&p, 0, sizeof(p));
	p.max_tx_bytes = 4096;
	p.min_fee_per_byte = feerate;
	assert_int_equal(signer_from_secret(&s, secret), 0);
	body.chain_id = "hearth-test";
	body.sender.data = s.pubkey;
	body.sender.len = PUBKEY_SIZE;
	body.nonce = 1;
	transfer.to.data = s.pubkey;
	transfer.to.len = PUBKEY_SIZE;
	transfer.amount = 5;
	body.kind_case = HEARTH__TX_BODY__KIND_TRANSFER;
	body.transfer = &transfer;
	assert_int_equal(txbuild_sign_feerate(&body, &s, feerate, &bytes, len), 0);
	*fee = body.fee;
	assert_true(*fee == feerate * *len);
	assert_int_equal(tx_decode(bytes, *len, "hearth-test", &p, true, &tx, NULL), LEDGER_OK);
	assert_true(tx.body->fee == *fee);
	tx_free(&tx);
	free(bytes);
	signer_wipe(&s);
}

static void test_txbuild_fee_is_rate_times_final_size(void **state UNUSED)
{
	/* Rates whose fee needs 1, 2, 3, 4 and more varint bytes. */
	static const uint64_t rates[] = { 0, 1, 2, 100, 1000, 100000, 10000000 };
	uint64_t fee;
	size_t len, len0 = 0;

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		sign_transfer(rates[i], &fee, &len);
		if (i == 0)
			len0 = len;
		/* The fee's varint makes the tx longer as the rate grows. */
		assert_true(len >= len0);
	}
	assert_true(len > len0);
}

static void test_txbuild_hex(void **state UNUSED)
{
	static const uint8_t bytes[] = { 0x00, 0xab, 0xff };
	char *hex = txbuild_hex(bytes, sizeof(bytes));

	assert_non_null(hex);
	assert_string_equal(hex, "00abff");
	free(hex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txbuild_fee_is_rate_times_final_size),
		cmocka_unit_test(test_txbuild_hex),
	};

	if (hearth_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
