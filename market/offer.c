/* offer.c: the offer and cancel_offer transactions, an offer's slots, and
 * the expiry of offers. An open offer is indexed by owner, by expiry height
 * and, while it has a free slot, in the book (price, then age), whose
 * entry holds a copy of the record (doc/state-keys.md); a closed
 * offer (cancelled, or expired without active leases) leaves no trace. An
 * offer that expires while leases still run it leaves the book and the
 * expiry index but keeps its record until they end. */
#include "market/order.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/staking.h"
#include "market/reason.h"

static bool name_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= MARKET_NAME_MAX;
}

bool market_attributes_valid(Hearth__Attribute *const *attrs, size_t n)
{
	if (n > MARKET_LIST_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!name_valid(attrs[i]->key) || !name_valid(attrs[i]->value))
			return false;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(attrs[i]->key, attrs[j]->key) == 0)
				return false;
		}
	}
	return true;
}

static bool runtimes_valid(char *const *runtimes, size_t n)
{
	if (n > MARKET_LIST_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!name_valid(runtimes[i]))
			return false;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(runtimes[i], runtimes[j]) == 0)
				return false;
		}
	}
	return true;
}

enum ledger_reason market_offer_check(const struct market_ctx *c, const struct tx *tx,
				      struct ledger_error *err)
{
	const Hearth__Offer *o = tx->body->offer;
	struct account acct;
	bool jailed;

	if (account_load(c->st, tx->sender, &acct) != STATE_OK ||
	    staking_is_jailed(c->st, tx->sender, &jailed) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the provider");
	if (acct.bonded < c->p->min_provider_bond)
		return market_fail(err, MARKET_OFFER_NO_BOND, "bonded %llu < %llu",
				   (unsigned long long)acct.bonded,
				   (unsigned long long)c->p->min_provider_bond);
	if (jailed)
		return market_fail(err, MARKET_OFFER_JAILED, NULL);
	if (o->slots == 0)
		return market_fail(err, MARKET_OFFER_ZERO_SLOTS, NULL);
	if (o->slots > MARKET_SLOTS_MAX)
		return market_fail(err, MARKET_OFFER_TOO_MANY_SLOTS, "%u > %u", o->slots,
				   MARKET_SLOTS_MAX);
	if (o->per_slot->cpu_millicores == 0 || o->per_slot->memory_bytes == 0)
		return market_fail(err, MARKET_OFFER_BAD_RESOURCES, NULL);
	if (o->n_runtimes == 0)
		return market_fail(err, MARKET_OFFER_NO_RUNTIME, NULL);
	if (!runtimes_valid(o->runtimes, o->n_runtimes))
		return market_fail(err, MARKET_OFFER_BAD_RUNTIME, NULL);
	if (!market_attributes_valid(o->attributes, o->n_attributes))
		return market_fail(err, MARKET_OFFER_BAD_ATTRIBUTE, NULL);
	if (o->max_duration_seconds == 0)
		return market_fail(err, MARKET_OFFER_ZERO_DURATION, NULL);
	if (o->max_duration_seconds > MARKET_DURATION_MAX)
		return market_fail(err, MARKET_OFFER_DURATION_TOO_LONG, "%llu > %u s",
				   (unsigned long long)o->max_duration_seconds,
				   MARKET_DURATION_MAX);
	if (o->expiry_height <= c->height)
		return market_fail(err, MARKET_OFFER_EXPIRED, "%llu <= %llu",
				   (unsigned long long)o->expiry_height,
				   (unsigned long long)c->height);
	return LEDGER_OK;
}

enum ledger_reason market_offer_apply(const struct market_ctx *c, const struct tx *tx,
				      struct ledger_error *err)
{
	Hearth__OfferRecord rec = HEARTH__OFFER_RECORD__INIT;
	struct market_state ms;
	struct mkey k;

	if (market_state_load(c->st, &ms) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the market state");
	rec.id.data = (uint8_t *)tx->id;
	rec.id.len = MARKET_ID_SIZE;
	rec.provider.data = (uint8_t *)tx->sender;
	rec.provider.len = PUBKEY_SIZE;
	rec.offer = tx->body->offer;
	rec.created_height = c->height;
	rec.free_slots = tx->body->offer->slots;
	rec.seq = ms.next_seq++;
	if (market_offer_store(c->st, &rec, true) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the offer");
	mkey_pair(&k, MKEY_OFFER_OWNER, tx->sender, tx->id);
	if (market_index_put(c->st, &k) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the owner index");
	mkey_u64_id(&k, MKEY_OFFER_EXPIRY, rec.offer->expiry_height, tx->id);
	if (market_index_put(c->st, &k) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the expiry index");
	if (market_state_store(c->st, &ms) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the market state");
	return LEDGER_OK;
}

/* Loads the offer named by a cancel_offer of sender, checking the rules. */
static enum ledger_reason load_cancelled(const struct market_ctx *c, const struct tx *tx,
					 Hearth__OfferRecord **rec, struct ledger_error *err)
{
	const ProtobufCBinaryData *id = &tx->body->cancel_offer->offer_id;
	ProtobufCMessage *msg;
	struct mkey k;
	enum state_status rc;

	*rec = NULL;
	if (id->len != MARKET_ID_SIZE)
		return market_fail(err, MARKET_CANCEL_OFFER_BAD_ID, "%zu bytes", id->len);
	mkey_id(&k, MKEY_OFFER, id->data);
	rc = market_record_get(c->st, &k, &hearth__offer_record__descriptor, &msg);
	if (rc == STATE_ERROR)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the offer");
	if (rc == STATE_NOT_FOUND)
		return market_fail(err, MARKET_CANCEL_OFFER_NOT_FOUND, NULL);
	*rec = (Hearth__OfferRecord *)msg;
	if (memcmp((*rec)->provider.data, tx->sender, PUBKEY_SIZE) != 0)
		return market_fail(err, MARKET_CANCEL_OFFER_NOT_OWNER, NULL);
	/* An expired offer kept for its leases is no longer open either. */
	if ((*rec)->free_slots != (*rec)->offer->slots)
		return market_fail(err, MARKET_CANCEL_OFFER_HAS_LEASES, "%u of %u slots leased",
				   (*rec)->offer->slots - (*rec)->free_slots, (*rec)->offer->slots);
	return LEDGER_OK;
}

enum ledger_reason market_cancel_offer_check(const struct market_ctx *c, const struct tx *tx,
					     struct ledger_error *err)
{
	Hearth__OfferRecord *rec;
	enum ledger_reason r = load_cancelled(c, tx, &rec, err);

	codec_free((ProtobufCMessage *)rec);
	return r;
}

/* Deletes an offer whose slots are all free: record and every index. */
static enum state_status offer_delete(const struct state *st, const Hearth__OfferRecord *rec)
{
	struct mkey k;

	mkey_id(&k, MKEY_OFFER, rec->id.data);
	if (market_index_del(st, &k) != STATE_OK)
		return STATE_ERROR;
	mkey_book(&k, rec->offer->price_per_second, rec->seq, rec->id.data);
	if (market_index_del(st, &k) != STATE_OK)
		return STATE_ERROR;
	mkey_pair(&k, MKEY_OFFER_OWNER, rec->provider.data, rec->id.data);
	if (market_index_del(st, &k) != STATE_OK)
		return STATE_ERROR;
	mkey_u64_id(&k, MKEY_OFFER_EXPIRY, rec->offer->expiry_height, rec->id.data);
	return market_index_del(st, &k);
}

enum ledger_reason market_cancel_offer_apply(const struct market_ctx *c, const struct tx *tx,
					     struct ledger_error *err)
{
	Hearth__OfferRecord *rec;
	enum ledger_reason r = load_cancelled(c, tx, &rec, err);

	if (r == LEDGER_OK && offer_delete(c->st, rec) != STATE_OK)
		r = ledger_fail(err, LEDGER_INTERNAL, "deleting the offer");
	codec_free((ProtobufCMessage *)rec);
	return r;
}

enum state_status market_offer_store(const struct state *st, const Hearth__OfferRecord *rec,
				     bool booked)
{
	uint8_t *buf;
	size_t len;
	struct mkey k;
	enum state_status rc;

	if (codec_encode(&rec->base, &buf, &len) != CODEC_OK)
		return STATE_ERROR;
	mkey_id(&k, MKEY_OFFER, rec->id.data);
	rc = state_put(st, k.bytes, k.len, buf, len);
	if (rc == STATE_OK && booked) {
		mkey_book(&k, rec->offer->price_per_second, rec->seq, rec->id.data);
		rc = state_put(st, k.bytes, k.len, buf, len);
	}
	free(buf);
	return rc;
}

enum state_status market_offer_use_slot(const struct state *st, Hearth__OfferRecord *rec)
{
	struct mkey k;

	if (rec->free_slots == 0)
		return STATE_ERROR;
	rec->free_slots--;
	if (rec->free_slots == 0) {
		mkey_book(&k, rec->offer->price_per_second, rec->seq, rec->id.data);
		if (market_index_del(st, &k) != STATE_OK)
			return STATE_ERROR;
	}
	return STATE_OK;
}

enum state_status market_offer_take_slot(const struct state *st, Hearth__OfferRecord *rec)
{
	if (market_offer_use_slot(st, rec) != STATE_OK)
		return STATE_ERROR;
	return market_offer_store(st, rec, rec->free_slots > 0);
}

enum state_status market_offer_release_slot(const struct market_ctx *c, const uint8_t *offer_id)
{
	ProtobufCMessage *msg;
	Hearth__OfferRecord *rec;
	struct mkey k;
	enum state_status rc;

	mkey_id(&k, MKEY_OFFER, offer_id);
	if (market_record_get(c->st, &k, &hearth__offer_record__descriptor, &msg) != STATE_OK)
		return STATE_ERROR;
	rec = (Hearth__OfferRecord *)msg;
	rc = rec->free_slots < rec->offer->slots ? STATE_OK : STATE_ERROR;
	rec->free_slots++;
	/* Slots come back in the end of block, before the expiry of offers:
	 * an offer expiring at this very height is still open. */
	if (rc == STATE_OK && rec->offer->expiry_height >= c->height) {
		rc = market_offer_store(c->st, rec, true); /* back in the book */
	} else if (rc == STATE_OK && rec->free_slots == rec->offer->slots) {
		rc = offer_delete(c->st, rec);
	} else if (rc == STATE_OK) {
		rc = market_record_put(c->st, &k, &rec->base);
	}
	codec_free(msg);
	return rc;
}

/* Collects the ids of offers expiring at or before a height. */
struct due {
	uint64_t height;
	size_t n, cap;
	uint8_t (*ids)[MARKET_ID_SIZE];
};

static int collect_due(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	struct due *d = arg;

	(void)val;
	if (key_len != 1 + 8 + MARKET_ID_SIZE || val_len != 0)
		return -1;
	if (key_get_u64(key + 1) > d->height)
		return 1;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		void *ids = realloc(d->ids, cap * MARKET_ID_SIZE);

		if (ids == NULL)
			return -1;
		d->ids = ids;
		d->cap = cap;
	}
	memcpy(d->ids[d->n++], key + 9, MARKET_ID_SIZE);
	return 0;
}

enum state_status market_collect_due(const struct state *st, enum market_key_prefix prefix,
				     uint64_t height, uint8_t (**ids)[MARKET_ID_SIZE], size_t *n)
{
	struct due d = { .height = height, .n = 0, .cap = 0, .ids = NULL };
	uint8_t p = (uint8_t)prefix;
	enum state_status rc = state_iterate(st, &p, 1, NULL, 0, collect_due, &d);

	if (rc != STATE_OK) {
		free(d.ids);
		d.ids = NULL;
		d.n = 0;
	}
	*ids = d.ids;
	*n = d.n;
	return rc;
}

/* Closes one expired offer. */
static enum state_status offer_close(const struct state *st, const uint8_t *id)
{
	ProtobufCMessage *msg;
	Hearth__OfferRecord *rec;
	struct mkey k;
	enum state_status rc;

	mkey_id(&k, MKEY_OFFER, id);
	if (market_record_get(st, &k, &hearth__offer_record__descriptor, &msg) != STATE_OK)
		return STATE_ERROR;
	rec = (Hearth__OfferRecord *)msg;
	if (rec->free_slots == rec->offer->slots) {
		rc = offer_delete(st, rec);
	} else {
		mkey_book(&k, rec->offer->price_per_second, rec->seq, id);
		rc = market_index_del(st, &k);
		mkey_u64_id(&k, MKEY_OFFER_EXPIRY, rec->offer->expiry_height, id);
		if (rc == STATE_OK)
			rc = market_index_del(st, &k);
	}
	codec_free(msg);
	return rc;
}

enum ledger_reason market_offer_expire(const struct market_ctx *c, struct ledger_error *err)
{
	uint8_t(*ids)[MARKET_ID_SIZE];
	size_t n;
	enum state_status rc = market_collect_due(c->st, MKEY_OFFER_EXPIRY, c->height, &ids, &n);

	for (size_t i = 0; rc == STATE_OK && i < n; i++)
		rc = offer_close(c->st, ids[i]);
	free(ids);
	return rc == STATE_OK ? LEDGER_OK : ledger_fail(err, LEDGER_INTERNAL, "expiring offers");
}
