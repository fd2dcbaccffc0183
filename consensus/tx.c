/* tx.c: decoding, stateless checks, id and signing of transactions. */
#include "consensus/tx.h"

#include <stdlib.h>
#include <string.h>

void tx_id(const uint8_t *tx, size_t len, uint8_t out[HASH_SIZE])
{
	hash_tagged("hearth/txid", tx, len, out);
}

void tx_sign_digest(const uint8_t *body, size_t len, uint8_t out[HASH_SIZE])
{
	hash_tagged("hearth/tx", body, len, out);
}

void tx_free(struct tx *tx)
{
	codec_free(tx->body ? &tx->body->base : NULL);
	codec_free(tx->env ? &tx->env->base : NULL);
	memset(tx, 0, sizeof(*tx));
}

static enum ledger_reason decode_records(const uint8_t *bytes, size_t len, size_t max,
					 struct tx *tx, struct ledger_error *err)
{
	ProtobufCMessage *msg;
	struct codec_error cerr;
	enum codec_status cs;

	cs = codec_decode(&hearth__tx__descriptor, bytes, len, max, &msg, &cerr);
	if (cs == CODEC_NO_MEMORY)
		return ledger_fail(err, LEDGER_INTERNAL, "decoding Tx");
	if (cs != CODEC_OK)
		return ledger_fail(err, LEDGER_TX_MALFORMED, "%s", cerr.text);
	tx->env = (Hearth__Tx *)msg;
	cs = codec_decode(&hearth__tx_body__descriptor, tx->env->body.data, tx->env->body.len, max,
			  &msg, &cerr);
	if (cs == CODEC_NO_MEMORY)
		return ledger_fail(err, LEDGER_INTERNAL, "decoding TxBody");
	if (cs != CODEC_OK)
		return ledger_fail(err, LEDGER_TX_BODY_MALFORMED, "%s", cerr.text);
	tx->body = (Hearth__TxBody *)msg;
	return LEDGER_OK;
}

/* The stateless checks; key: the sender key parsed when verify_sig (for
 * the signature check after), else not parsed at all. */
static enum ledger_reason check_fields(const struct tx *tx, const char *chain_id,
				       const struct params *p, bool verify_sig,
				       struct pubkey_parsed *key, struct ledger_error *err)
{
	const Hearth__TxBody *body = tx->body;
	uint64_t min_fee;

	if (strcmp(body->chain_id, chain_id) != 0)
		return ledger_fail(err, LEDGER_TX_WRONG_CHAIN,
				   "tx is for \"%.64s\", this is \"%.64s\"", body->chain_id,
				   chain_id);
	/* A signature verified before proves the key valid: parsing it costs
	 * a square root (~5 us), paid again at every re-application. */
	if (body->sender.len != PUBKEY_SIZE ||
	    (verify_sig && !pubkey_parse(body->sender.data, key)))
		return ledger_fail(err, LEDGER_TX_BAD_SENDER, "%zu-byte sender", body->sender.len);
	if (tx->env->sig.len != SIG_SIZE)
		return ledger_fail(err, LEDGER_TX_BAD_SIGNATURE, "signature of %zu bytes",
				   tx->env->sig.len);
	if (__builtin_mul_overflow(p->min_fee_per_byte, (uint64_t)tx->size, &min_fee))
		return ledger_fail(err, LEDGER_TX_FEE_TOO_LOW, "minimum fee overflows");
	if (body->fee < min_fee)
		return ledger_fail(err, LEDGER_TX_FEE_TOO_LOW, "fee %llu < %llu for %zu bytes",
				   (unsigned long long)body->fee, (unsigned long long)min_fee,
				   tx->size);
	/* The recipient's key here, with the sender's: once per tx bytes
	 * instead of at each application (bank checks its length). */
	if (verify_sig && body->kind_case == HEARTH__TX_BODY__KIND_TRANSFER &&
	    body->transfer != NULL && body->transfer->to.len == PUBKEY_SIZE &&
	    !pubkey_valid(body->transfer->to.data))
		return ledger_fail(err, LEDGER_TRANSFER_BAD_RECIPIENT, "not a key");
	return LEDGER_OK;
}

enum ledger_reason tx_decode(const uint8_t *bytes, size_t len, const char *chain_id,
			     const struct params *p, bool verify_sig, struct tx *tx,
			     struct ledger_error *err)
{
	uint8_t digest[HASH_SIZE];
	struct pubkey_parsed key;
	enum ledger_reason r;

	memset(tx, 0, sizeof(*tx));
	ledger_error_clear(err);
	if (len > p->max_tx_bytes)
		return ledger_fail(err, LEDGER_TX_TOO_LARGE, "%zu > %u bytes", len,
				   p->max_tx_bytes);
	tx->size = len;
	r = decode_records(bytes, len, p->max_tx_bytes, tx, err);
	if (r == LEDGER_OK)
		r = check_fields(tx, chain_id, p, verify_sig, &key, err);
	if (r == LEDGER_OK && verify_sig) {
		tx_sign_digest(tx->env->body.data, tx->env->body.len, digest);
		if (!sig_verify_parsed(tx->env->sig.data, digest, &key))
			r = ledger_fail(err, LEDGER_TX_BAD_SIGNATURE, NULL);
	}
	if (r != LEDGER_OK) {
		tx_free(tx);
		return r;
	}
	tx->sender = tx->body->sender.data;
	tx->keys_checked = true;
	tx_id(bytes, len, tx->id);
	return LEDGER_OK;
}

int tx_sign(const Hearth__TxBody *body, const struct signer *s, const uint8_t *aux, uint8_t **out,
	    size_t *out_len)
{
	Hearth__Tx env = HEARTH__TX__INIT;
	uint8_t digest[HASH_SIZE], sig[SIG_SIZE];
	uint8_t *body_bytes;
	size_t body_len;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (codec_check(&body->base, NULL) != CODEC_OK)
		return -1;
	if (codec_encode(&body->base, &body_bytes, &body_len) != CODEC_OK)
		return -1;
	tx_sign_digest(body_bytes, body_len, digest);
	rc = aux != NULL ? sig_sign_aux(s, digest, aux, sig) : sig_sign(s, digest, sig);
	if (rc == 0) {
		env.body.data = body_bytes;
		env.body.len = body_len;
		env.sig.data = sig;
		env.sig.len = SIG_SIZE;
		rc = codec_encode(&env.base, out, out_len) == CODEC_OK ? 0 : -1;
	}
	free(body_bytes);
	return rc;
}
