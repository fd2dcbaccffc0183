/* txbatch.c: signs many transfers of one sender for the functional tests,
 * nonces FIRST, FIRST+1, ..., and prints one line per tx: its id and the
 * encoded Tx, both in hex, separated by a space.
 *   txbatch SECRET_HEX CHAIN_ID FIRST_NONCE COUNT FEE TO_ADDRESS AMOUNT
 * Exit 0, or 1 with one line on standard error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/crypto.h"
#include "consensus/tx.h"
#include "proto/hex.h"

#define TXBATCH_MAX 1000000u

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
	fprintf(stderr, "txbatch: %s\n", msg);
	return 1;
}

/* Signs body with s and prints "id tx" in hex. Returns 0 or -1. */
static int print_signed(const Hearth__TxBody *body, const struct signer *s)
{
	uint8_t *tx, id[HASH_SIZE];
	char id_hex[2 * HASH_SIZE + 1], *hex;
	size_t len;
	int rc = 0;

	if (tx_sign(body, s, NULL, &tx, &len) != 0)
		return -1;
	tx_id(tx, len, id);
	hex = malloc(2 * len + 1);
	if (hex == NULL || hex_encode(tx, len, hex, 2 * len + 1) != 0 ||
	    hex_encode(id, HASH_SIZE, id_hex, sizeof(id_hex)) != 0 ||
	    printf("%s %s\n", id_hex, hex) < 0)
		rc = -1;
	free(hex);
	free(tx);
	return rc;
}

int main(int argc, char **argv)
{
	uint8_t secret[SECKEY_SIZE], to[PUBKEY_SIZE];
	uint64_t first, count, fee, amount;
	struct signer s;
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Transfer transfer = HEARTH__TRANSFER__INIT;
	enum network net;
	int rc = 0;

	if (argc != 8)
		return fail("usage: txbatch SECRET CHAIN FIRST_NONCE COUNT FEE TO AMOUNT");
	if (parse_u64(argv[3], &first) != 0 || parse_u64(argv[4], &count) != 0 ||
	    parse_u64(argv[5], &fee) != 0 || parse_u64(argv[7], &amount) != 0 ||
	    count > TXBATCH_MAX || first > UINT64_MAX - count)
		return fail("bad number");
	if (address_decode(argv[6], &net, to, NULL) != 0)
		return fail("bad address");
	if (hearth_crypto_init() != 0 || hex_decode_exact(argv[1], secret, sizeof(secret)) != 0 ||
	    signer_from_secret(&s, secret) != 0) {
		secret_wipe(secret, sizeof(secret));
		return fail("bad secret key");
	}
	secret_wipe(secret, sizeof(secret));
	body.chain_id = argv[2];
	body.sender.data = s.pubkey;
	body.sender.len = PUBKEY_SIZE;
	body.fee = fee;
	transfer.to.data = to;
	transfer.to.len = PUBKEY_SIZE;
	transfer.amount = amount;
	body.kind_case = HEARTH__TX_BODY__KIND_TRANSFER;
	body.transfer = &transfer;
	for (uint64_t i = 0; i < count && rc == 0; i++) {
		body.nonce = first + i;
		if (print_signed(&body, &s) != 0)
			rc = fail("cannot sign or print");
	}
	signer_wipe(&s);
	if (rc == 0 && fflush(stdout) != 0)
		rc = fail("cannot write");
	return rc;
}
