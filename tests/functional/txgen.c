/* txgen.c: signs one transaction for the functional tests (until hearth-cli
 * exists) and prints the encoded Tx in hex on standard output.
 *   txgen transfer SECRET_HEX CHAIN_ID NONCE FEE TO_ADDRESS AMOUNT
 *   txgen bond     SECRET_HEX CHAIN_ID NONCE FEE AMOUNT
 * Exit 0, or 1 with one line on standard error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/crypto.h"
#include "consensus/tx.h"
#include "proto/hex.h"

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0)
		return -1;
	*out = v;
	return 0;
}

static int fail(const char *msg)
{
	fprintf(stderr, "txgen: %s\n", msg);
	return 1;
}

int main(int argc, char **argv)
{
	uint8_t secret[SECKEY_SIZE], to[PUBKEY_SIZE], *tx;
	uint64_t nonce, fee, amount;
	struct signer s;
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Transfer transfer = HEARTH__TRANSFER__INIT;
	Hearth__Bond bond = HEARTH__BOND__INIT;
	enum network net;
	size_t len;
	char *hex;
	int is_transfer = argc == 8 && strcmp(argv[1], "transfer") == 0;
	int is_bond = argc == 7 && strcmp(argv[1], "bond") == 0;

	if (!is_transfer && !is_bond)
		return fail("usage: txgen transfer SECRET CHAIN NONCE FEE TO AMOUNT | bond SECRET "
			    "CHAIN NONCE FEE AMOUNT");
	if (hearth_crypto_init() != 0 || hex_decode_exact(argv[2], secret, sizeof(secret)) != 0 ||
	    signer_from_secret(&s, secret) != 0)
		return fail("bad secret key");
	if (parse_u64(argv[4], &nonce) != 0 || parse_u64(argv[5], &fee) != 0 ||
	    parse_u64(argv[is_transfer ? 7 : 6], &amount) != 0)
		return fail("bad number");
	body.chain_id = argv[3];
	body.sender.data = s.pubkey;
	body.sender.len = PUBKEY_SIZE;
	body.nonce = nonce;
	body.fee = fee;
	if (is_transfer) {
		if (address_decode(argv[6], &net, to, NULL) != 0)
			return fail("bad address");
		transfer.to.data = to;
		transfer.to.len = PUBKEY_SIZE;
		transfer.amount = amount;
		body.kind_case = HEARTH__TX_BODY__KIND_TRANSFER;
		body.transfer = &transfer;
	} else {
		bond.amount = amount;
		body.kind_case = HEARTH__TX_BODY__KIND_BOND;
		body.bond = &bond;
	}
	if (tx_sign(&body, &s, NULL, &tx, &len) != 0)
		return fail("cannot sign");
	signer_wipe(&s);
	secret_wipe(secret, sizeof(secret));
	hex = malloc(2 * len + 1);
	if (hex == NULL || hex_encode(tx, len, hex, 2 * len + 1) != 0)
		return fail("out of memory");
	printf("%s\n", hex);
	free(hex);
	free(tx);
	return 0;
}
