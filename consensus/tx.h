/* tx.h: the transaction envelope. Decoding and the stateless checks, those
 * that need no state: size, strict decoding of Tx and TxBody, chain id,
 * sender key, fee >= min_fee_per_byte * size, and the BIP340 signature over
 * H("hearth/tx", body) on the exact body bytes received. The tx id is
 * H("hearth/txid", encoded Tx). Also the signing side, for the wallet and the
 * tests. Stateful checks (nonce, balance) are the ledger's. */
#ifndef HEARTH_CONSENSUS_TX_H
#define HEARTH_CONSENSUS_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/params.h"
#include "consensus/reason.h"
#include "proto/codec.h"

/* A decoded, checked transaction. Owns both records. */
struct tx {
	Hearth__Tx *env;
	Hearth__TxBody *body;
	const uint8_t *sender; /* body->sender.data, PUBKEY_SIZE bytes */
	size_t size;	       /* bytes of the encoded Tx */
	uint8_t id[HASH_SIZE];
	/* Every key of the tx is a point of the curve: set by tx_decode, which
	 * parses them (the sender's, a transfer's recipient) when it verifies
	 * the signature and else trusts the earlier verification of the same
	 * bytes. The modules then need not parse them again. */
	bool keys_checked;
};

/* Out: out = H("hearth/txid", tx bytes). */
void tx_id(const uint8_t *tx, size_t len, uint8_t out[HASH_SIZE]);

/* Out: out = H("hearth/tx", body bytes), the digest the sender signs. */
void tx_sign_digest(const uint8_t *body, size_t len, uint8_t out[HASH_SIZE]);

/* Decodes tx bytes and runs every stateless check, the validity of the
 * keys it holds included (LEDGER_TRANSFER_BAD_RECIPIENT for a transfer's).
 * In:  bytes[len]; chain_id; p (max_tx_bytes, min_fee_per_byte);
 *      verify_sig: false only when the caller has verified this exact
 *      encoding before (the node's verified-signature cache); then
 *      neither the signature nor the keys (which that verification
 *      parsed) are checked again.
 * Out: *tx (free with tx_free; zeroed on error); err (may be NULL).
 * Returns LEDGER_OK or one of LEDGER_TX_TOO_LARGE, _MALFORMED,
 * _BODY_MALFORMED, _WRONG_CHAIN, _BAD_SENDER, _FEE_TOO_LOW, _BAD_SIGNATURE,
 * LEDGER_INTERNAL (no memory). */
__attribute__((warn_unused_result)) enum ledger_reason
tx_decode(const uint8_t *bytes, size_t len, const char *chain_id, const struct params *p,
	  bool verify_sig, struct tx *tx, struct ledger_error *err);

/* Frees what tx_decode allocated. A zeroed struct is allowed. */
void tx_free(struct tx *tx);

/* Encodes body (its sender must be s's key), signs it and encodes the Tx.
 * In:  aux: 32 bytes of BIP340 auxiliary randomness, or NULL for fresh.
 * Out: *out (caller frees with free()), *out_len.
 * Returns 0, or -1 (invalid body record, no memory, signing failure). */
__attribute__((warn_unused_result)) int tx_sign(const Hearth__TxBody *body, const struct signer *s,
						const uint8_t *aux, uint8_t **out, size_t *out_len);

#endif
