/* txbuild.c: the fee and the signature of a CLI transaction (txbuild.h). */
#include "wallet/txbuild.h"

#include <stdlib.h>

#include "proto/hex.h"

#define FEE_ROUNDS_MAX 8

int txbuild_sign_fee(Hearth__TxBody *body, const struct signer *s, uint64_t fee, uint8_t **tx,
		     size_t *len)
{
	body->fee = fee;
	return tx_sign(body, s, NULL, tx, len);
}

int txbuild_sign_feerate(Hearth__TxBody *body, const struct signer *s, uint64_t feerate,
			 uint8_t **tx, size_t *len)
{
	uint64_t fee = 0, want;

	*tx = NULL;
	for (int round = 0; round < FEE_ROUNDS_MAX; round++) {
		if (txbuild_sign_fee(body, s, fee, tx, len) != 0)
			return -1;
		if (__builtin_mul_overflow(feerate, (uint64_t)*len, &want)) {
			free(*tx);
			*tx = NULL;
			return -1;
		}
		if (want == fee)
			return 0;
		free(*tx);
		*tx = NULL;
		fee = want;
	}
	return -1;
}

char *txbuild_hex(const uint8_t *tx, size_t len)
{
	char *hex = malloc(2 * len + 1);

	if (hex != NULL && hex_encode(tx, len, hex, 2 * len + 1) != 0) {
		free(hex);
		hex = NULL;
	}
	return hex;
}
