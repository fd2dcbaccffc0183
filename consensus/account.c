/* account.c: loading, storing and crediting account records. */
#include "consensus/account.h"

#include "consensus/keys.h"
#include "consensus/record.h"

int account_decode(const uint8_t *val, size_t len, struct account *acct)
{
	ProtobufCMessage *msg;
	const Hearth__Account *rec;

	if (codec_decode(&hearth__account__descriptor, val, len, len, &msg, NULL) != CODEC_OK)
		return -1;
	rec = (const Hearth__Account *)msg;
	acct->balance = rec->balance;
	acct->nonce = rec->nonce;
	acct->bonded = rec->bonded;
	acct->unbonding = rec->unbonding;
	acct->validator = rec->has_validator && rec->validator;
	codec_free(msg);
	return 0;
}

enum state_status account_load(const struct state *st, const uint8_t key[PUBKEY_SIZE],
			       struct account *acct)
{
	ProtobufCMessage *msg;
	const Hearth__Account *rec;
	struct key k;
	enum state_status rc;

	memset(acct, 0, sizeof(*acct));
	key_make_pubkey(&k, KEY_ACCOUNT, key);
	rc = record_get(st, &k, &hearth__account__descriptor, &msg);
	if (rc == STATE_NOT_FOUND)
		return STATE_OK;
	if (rc != STATE_OK)
		return rc;
	rec = (const Hearth__Account *)msg;
	acct->balance = rec->balance;
	acct->nonce = rec->nonce;
	acct->bonded = rec->bonded;
	acct->unbonding = rec->unbonding;
	acct->validator = rec->has_validator && rec->validator;
	codec_free(msg);
	return STATE_OK;
}

enum state_status account_store(const struct state *st, const uint8_t key[PUBKEY_SIZE],
				const struct account *acct)
{
	Hearth__Account rec = HEARTH__ACCOUNT__INIT;
	struct key k;

	rec.balance = acct->balance;
	rec.nonce = acct->nonce;
	rec.bonded = acct->bonded;
	rec.unbonding = acct->unbonding;
	rec.has_validator = acct->validator; /* canonical: present only when true */
	rec.validator = acct->validator;
	key_make_pubkey(&k, KEY_ACCOUNT, key);
	return record_put(st, &k, &rec.base);
}

int account_credit(const struct state *st, const uint8_t key[PUBKEY_SIZE], uint64_t amount)
{
	struct account acct;

	if (account_load(st, key, &acct) != STATE_OK)
		return -1;
	if (__builtin_add_overflow(acct.balance, amount, &acct.balance))
		return 1;
	return account_store(st, key, &acct) == STATE_OK ? 0 : -1;
}
