/* txbuild.h: signing a transaction body for hearth-cli, with the fee given
 * outright (--fee) or as a rate per byte of the encoded signed Tx (the
 * node's estimatefee). The fee is a varint inside the body, so a larger fee
 * can make the tx longer: the rate is applied until the size stops growing,
 * which ends with fee = rate * final size exactly (the size only grows with
 * the fee, and by at most a few bytes). */
#ifndef HEARTH_WALLET_TXBUILD_H
#define HEARTH_WALLET_TXBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/tx.h"

/* Sets body->fee = fee, signs with s and encodes.
 * Out: *tx (free()), *len. Returns 0 or -1. */
__attribute__((warn_unused_result)) int txbuild_sign_fee(Hearth__TxBody *body,
							 const struct signer *s, uint64_t fee,
							 uint8_t **tx, size_t *len);

/* Sets body->fee = feerate * (size of the signed tx) and signs.
 * Out: *tx (free()), *len. Returns 0, or -1 (fee overflow, signing). */
__attribute__((warn_unused_result)) int txbuild_sign_feerate(Hearth__TxBody *body,
							     const struct signer *s,
							     uint64_t feerate, uint8_t **tx,
							     size_t *len);

/* Out: a new NUL-terminated hex string of tx[len] (free()), or NULL. */
char *txbuild_hex(const uint8_t *tx, size_t len);

#endif
