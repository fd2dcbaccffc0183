/* rpc_market_query.c: offers, bids, leases and providers as the market
 * query methods answer them, read from one state. */
#include "node/rpc_market_query.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/staking.h"
#include "market/market.h"
#include "market/reputation.h"
#include "node/rpc_json.h"
#include "node/rpc_market_json.h"
#include "proto/hex.h"

static int no_memory(struct rpc_error *err)
{
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
}

static int state_failed(struct rpc_error *err)
{
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "cannot read the market state");
}

int rpcm_parse_id(const json_t *param, const char *what, uint8_t id[MARKET_ID_SIZE],
		  struct rpc_error *err)
{
	const char *hex = json_string_value(param);

	if (hex == NULL || hex_decode_exact(hex, id, MARKET_ID_SIZE) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "%s must be 64 hex digits", what);
	return 0;
}

int rpcm_parse_address(const struct rpcm_ctx *c, const json_t *param, uint8_t key[PUBKEY_SIZE],
		       struct rpc_error *err)
{
	const char *addr = json_string_value(param), *why = "not a string";
	enum network net;

	if (addr == NULL || address_decode(addr, &net, key, &why) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "bad address: %s", why);
	if (net != c->net)
		return rpc_error_set(err, RPC_INVALID_PARAMETER,
				     "address of another network than this node's");
	return 0;
}

/* The limit parameter: default RPCM_LIMIT_DEFAULT, 1 to RPCM_LIMIT_MAX. */
static int parse_limit(const json_t *param, size_t *limit, struct rpc_error *err)
{
	json_int_t v;

	if (json_is_null(param)) {
		*limit = RPCM_LIMIT_DEFAULT;
		return 0;
	}
	v = json_integer_value(param);
	if (v < 1 || v > RPCM_LIMIT_MAX)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "limit must be 1 to %d",
				     RPCM_LIMIT_MAX);
	*limit = (size_t)v;
	return 0;
}

/* Ids gathered from a listing: at most max, more when the listing went on. */
struct id_list {
	uint8_t (*ids)[MARKET_ID_SIZE];
	size_t n, max;
	bool more;
};

static int id_list_init(struct id_list *l, size_t max)
{
	l->ids = calloc(max, sizeof(*l->ids));
	l->n = 0;
	l->max = max;
	l->more = false;
	return l->ids != NULL ? 0 : -1;
}

static int collect_id(void *arg, const uint8_t id[MARKET_ID_SIZE])
{
	struct id_list *l = arg;

	if (l->n == l->max) {
		l->more = true;
		return 1;
	}
	memcpy(l->ids[l->n++], id, MARKET_ID_SIZE);
	return 0;
}

static int collect_book(void *arg, uint64_t price, const uint8_t id[MARKET_ID_SIZE])
{
	(void)price;
	return collect_id(arg, id);
}

/* One record as JSON. Returns STATE_OK, STATE_NOT_FOUND or STATE_ERROR. */
typedef enum state_status (*render_fn)(const struct rpcm_ctx *c, const uint8_t *id, json_t **out);

static enum state_status render_offer(const struct rpcm_ctx *c, const uint8_t *id, json_t **out)
{
	Hearth__OfferRecord *rec;
	enum state_status st = market_offer_get(c->st, id, &rec);

	if (st != STATE_OK)
		return st;
	*out = rpcj_offer_record(c->net, rec);
	codec_free((ProtobufCMessage *)rec);
	return *out != NULL ? STATE_OK : STATE_ERROR;
}

/* The ids of the leases of bid that exist, replicas 0 .. replicas - 1. */
static json_t *bid_lease_ids(const struct rpcm_ctx *c, const Hearth__BidRecord *rec,
			     enum state_status *st)
{
	json_t *ids = json_array();
	uint32_t replicas = rec->bid != NULL ? rec->bid->replicas : 0;

	*st = STATE_OK;
	for (uint32_t r = 0; ids != NULL && r < replicas; r++) {
		uint8_t id[MARKET_ID_SIZE];
		Hearth__Lease *lease;

		market_lease_id(rec->id.data, r, id);
		*st = market_lease_get(c->st, id, &lease);
		if (*st == STATE_NOT_FOUND) {
			*st = STATE_OK;
			continue;
		}
		if (*st != STATE_OK)
			break;
		codec_free((ProtobufCMessage *)lease);
		if (json_array_append_new(ids, rpcj_hex(id, MARKET_ID_SIZE)) != 0) {
			json_decref(ids);
			ids = NULL;
		}
	}
	if (*st != STATE_OK || ids == NULL) {
		json_decref(ids);
		*st = STATE_ERROR;
		return NULL;
	}
	return ids;
}

json_t *rpcm_tiebreak_of(const struct rpcm_ctx *c, const uint8_t bid_id[MARKET_ID_SIZE],
			 enum state_status *st)
{
	Hearth__TieBreakRecord *rec;
	json_t *j;

	*st = market_tiebreak_get(c->st, bid_id, &rec);
	if (*st == STATE_NOT_FOUND) {
		*st = STATE_OK;
		return json_null();
	}
	if (*st != STATE_OK)
		return NULL;
	j = rpcj_tiebreak(rec);
	codec_free((ProtobufCMessage *)rec);
	if (j == NULL)
		*st = STATE_ERROR;
	return j;
}

static enum state_status render_bid(const struct rpcm_ctx *c, const uint8_t *id, json_t **out)
{
	Hearth__BidRecord *rec;
	enum state_status st = market_bid_get(c->st, id, &rec), st_tb;
	json_t *ids;
	int rc;

	if (st != STATE_OK)
		return st;
	*out = rpcj_bid_record(c->net, rec);
	ids = bid_lease_ids(c, rec, &st);
	codec_free((ProtobufCMessage *)rec);
	rc = rpcj_put(*out, "leases", ids);
	rc |= rpcj_put(*out, "tiebreak", rpcm_tiebreak_of(c, id, &st_tb));
	if (rc != 0 || st_tb != STATE_OK) {
		json_decref(*out);
		return STATE_ERROR;
	}
	return st;
}

/* The lease's JSON. Out: *out; bid_id (may be NULL), its bid's id. */
static enum state_status render_lease_of(const struct rpcm_ctx *c, const uint8_t *id, json_t **out,
					 uint8_t *bid_id)
{
	Hearth__Lease *rec;
	enum state_status st = market_lease_get(c->st, id, &rec);

	if (st != STATE_OK)
		return st;
	*out = rpcj_lease(c->net, rec);
	if (bid_id != NULL && rec->bid_id.len == MARKET_ID_SIZE)
		memcpy(bid_id, rec->bid_id.data, MARKET_ID_SIZE);
	else if (bid_id != NULL)
		st = STATE_ERROR;
	codec_free((ProtobufCMessage *)rec);
	if (*out == NULL || st != STATE_OK) {
		json_decref(*out);
		*out = NULL;
		return STATE_ERROR;
	}
	return STATE_OK;
}

static enum state_status render_lease(const struct rpcm_ctx *c, const uint8_t *id, json_t **out)
{
	return render_lease_of(c, id, out, NULL);
}

/* The lease's receipt, JSON null when it has none; NULL with *st set on
 * failure. */
static json_t *receipt_of(const struct rpcm_ctx *c, const uint8_t *id, enum state_status *st)
{
	Hearth__ReceiptRecord *rec;
	json_t *j;

	*st = market_receipt_get(c->st, id, &rec);
	if (*st == STATE_NOT_FOUND) {
		*st = STATE_OK;
		return json_null();
	}
	if (*st != STATE_OK)
		return NULL;
	j = rpcj_receipt(c->net, rec);
	codec_free((ProtobufCMessage *)rec);
	return j;
}

static json_t *dispute_of(const struct rpcm_ctx *c, const uint8_t *id, enum state_status *st)
{
	Hearth__DisputeRecord *rec;
	json_t *j;

	*st = market_dispute_get(c->st, id, &rec);
	if (*st == STATE_NOT_FOUND) {
		*st = STATE_OK;
		return json_null();
	}
	if (*st != STATE_OK)
		return NULL;
	j = rpcj_dispute(c->net, rec);
	codec_free((ProtobufCMessage *)rec);
	return j;
}

enum state_status rpcm_lease_full(const struct rpcm_ctx *c, const uint8_t id[MARKET_ID_SIZE],
				  json_t **out)
{
	uint8_t bid_id[MARKET_ID_SIZE];
	enum state_status st = render_lease_of(c, id, out, bid_id), st_receipt, st_dispute, st_tb;
	int rc;

	if (st != STATE_OK)
		return st;
	rc = rpcj_put(*out, "receipt", receipt_of(c, id, &st_receipt));
	rc |= rpcj_put(*out, "dispute", dispute_of(c, id, &st_dispute));
	rc |= rpcj_put(*out, "tiebreak", rpcm_tiebreak_of(c, bid_id, &st_tb));
	if (rc != 0 || st_receipt != STATE_OK || st_dispute != STATE_OK || st_tb != STATE_OK) {
		json_decref(*out);
		*out = NULL;
		return STATE_ERROR;
	}
	return STATE_OK;
}

/* One record by id, or -5 naming it. */
static int get_one(const struct rpcm_ctx *c, const json_t *param, const char *what, render_fn fn,
		   json_t **result, struct rpc_error *err)
{
	uint8_t id[MARKET_ID_SIZE];
	enum state_status st;

	if (rpcm_parse_id(param, what, id, err) != 0)
		return -1;
	st = fn(c, id, result);
	if (st == STATE_NOT_FOUND)
		return rpc_error_set(err, RPC_NOT_FOUND, "no %s %s", what,
				     json_string_value(param));
	return st == STATE_OK ? 0 : state_failed(err);
}

/* {key: [records of l's ids], "more": l->more}. */
static int render_list(const struct rpcm_ctx *c, const struct id_list *l, const char *key,
		       render_fn fn, json_t **result, struct rpc_error *err)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < l->n; i++) {
		json_t *one = NULL;
		enum state_status st = fn(c, l->ids[i], &one);

		if (st != STATE_OK) {
			json_decref(arr);
			/* The listing and the records come from one state: a
			 * missing record is a broken index. */
			return state_failed(err);
		}
		if (json_array_append_new(arr, one) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	*result = json_object();
	if (rpcj_put(*result, key, arr) != 0 ||
	    rpcj_put(*result, "more", json_boolean(l->more)) != 0) {
		json_decref(*result);
		return no_memory(err);
	}
	return 0;
}

int rpcm_getoffer(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err)
{
	return get_one(c, json_array_get(params, 0), "offer", render_offer, result, err);
}

int rpcm_getbid(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err)
{
	return get_one(c, json_array_get(params, 0), "bid", render_bid, result, err);
}

int rpcm_getlease(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err)
{
	return get_one(c, json_array_get(params, 0), "lease", rpcm_lease_full, result, err);
}

int rpcm_listoffers(const struct rpcm_ctx *c, json_t *params, json_t **result,
		    struct rpc_error *err)
{
	const json_t *who = json_array_get(params, 0);
	uint8_t key[PUBKEY_SIZE];
	struct id_list l;
	enum state_status st;
	size_t limit = RPCM_LIMIT_DEFAULT;
	int rc;

	if (parse_limit(json_array_get(params, 1), &limit, err) != 0 ||
	    (!json_is_null(who) && rpcm_parse_address(c, who, key, err) != 0))
		return -1;
	if (id_list_init(&l, limit) != 0)
		return no_memory(err);
	if (json_is_null(who))
		st = market_book_foreach(c->st, collect_book, &l);
	else
		st = market_list(c->st, MARKET_OFFERS_BY_PROVIDER, key, NULL, collect_id, &l);
	rc = st == STATE_OK ? render_list(c, &l, "offers", render_offer, result, err)
			    : state_failed(err);
	free(l.ids);
	return rc;
}

/* The queue of bids waiting for a match, in arrival order:
 * MKEY_BID_QUEUE || seq (8) || bid id (the value, a copy of the bid's
 * record, is not needed here). */
static int queue_entry(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	(void)val;
	(void)val_len;
	if (key_len != 1 + 8 + MARKET_ID_SIZE)
		return -1;
	return collect_id(arg, key + 1 + 8);
}

int rpcm_listbids(const struct rpcm_ctx *c, json_t *params, json_t **result, struct rpc_error *err)
{
	const json_t *who = json_array_get(params, 0);
	const uint8_t prefix = MKEY_BID_QUEUE;
	uint8_t key[PUBKEY_SIZE];
	struct id_list l;
	enum state_status st;
	size_t limit = RPCM_LIMIT_DEFAULT;
	int rc;

	if (parse_limit(json_array_get(params, 1), &limit, err) != 0 ||
	    (!json_is_null(who) && rpcm_parse_address(c, who, key, err) != 0))
		return -1;
	if (id_list_init(&l, limit) != 0)
		return no_memory(err);
	if (json_is_null(who))
		st = state_iterate(c->st, &prefix, 1, NULL, 0, queue_entry, &l);
	else
		st = market_list(c->st, MARKET_BIDS_BY_CONSUMER, key, NULL, collect_id, &l);
	rc = st == STATE_OK ? render_list(c, &l, "bids", render_bid, result, err)
			    : state_failed(err);
	free(l.ids);
	return rc;
}

int rpcm_explainbid(const struct rpcm_ctx *c, json_t *params, json_t **result,
		    struct rpc_error *err)
{
	const json_t *param = json_array_get(params, 0);
	uint8_t id[MARKET_ID_SIZE];
	Hearth__BidState state;
	uint32_t reason;
	enum state_status st;
	json_t *tiebreak;
	int rc;

	if (rpcm_parse_id(param, "bid", id, err) != 0)
		return -1;
	st = market_explain_bid(c->st, id, &state, &reason);
	if (st == STATE_NOT_FOUND)
		return rpc_error_set(err, RPC_NOT_FOUND, "no bid %s", json_string_value(param));
	if (st != STATE_OK)
		return state_failed(err);
	tiebreak = rpcm_tiebreak_of(c, id, &st);
	if (st != STATE_OK)
		return state_failed(err);
	*result = json_object();
	rc = rpcj_put(*result, "bid", rpcj_hex(id, MARKET_ID_SIZE));
	rc |= rpcj_put(*result, "state", json_string(rpcj_bid_state(state)));
	rc |= rpcj_put(*result, "reason", json_string(rpcj_reason_name(reason)));
	rc |= rpcj_put(*result, "code", rpcj_u64(reason));
	rc |= rpcj_put(*result, "message", json_string(market_strreason(reason)));
	rc |= rpcj_put(*result, "tiebreak", tiebreak);
	if (rc != 0) {
		json_decref(*result);
		return no_memory(err);
	}
	return 0;
}

/* Which leases listleases walks. */
enum lease_role { ROLE_PROVIDER, ROLE_CONSUMER, ROLE_BID };

static int parse_role(const json_t *who, const json_t *role, enum lease_role *out,
		      struct rpc_error *err)
{
	const char *name = json_string_value(role);
	uint8_t id[MARKET_ID_SIZE];
	const char *w = json_string_value(who);
	bool is_id = w != NULL && hex_decode_exact(w, id, MARKET_ID_SIZE) == 0;

	if (name == NULL)
		*out = is_id ? ROLE_BID : ROLE_PROVIDER;
	else if (strcmp(name, "provider") == 0)
		*out = ROLE_PROVIDER;
	else if (strcmp(name, "consumer") == 0)
		*out = ROLE_CONSUMER;
	else if (strcmp(name, "bid") == 0)
		*out = ROLE_BID;
	else
		return rpc_error_set(err, RPC_INVALID_PARAMETER,
				     "role must be provider, consumer or bid");
	return 0;
}

/* The leases of a bid that exist, replicas 0 .. replicas - 1. */
static enum state_status bid_leases(const struct rpcm_ctx *c, const uint8_t *bid_id,
				    struct id_list *l)
{
	Hearth__BidRecord *rec;
	enum state_status st = market_bid_get(c->st, bid_id, &rec);
	uint32_t replicas;

	if (st != STATE_OK)
		return st;
	replicas = rec->bid != NULL ? rec->bid->replicas : 0;
	for (uint32_t r = 0; st == STATE_OK && r < replicas; r++) {
		uint8_t id[MARKET_ID_SIZE];
		Hearth__Lease *lease;

		market_lease_id(bid_id, r, id);
		st = market_lease_get(c->st, id, &lease);
		if (st == STATE_OK) {
			codec_free((ProtobufCMessage *)lease);
			if (collect_id(l, id) != 0)
				break;
		} else if (st == STATE_NOT_FOUND) {
			st = STATE_OK;
		}
	}
	codec_free((ProtobufCMessage *)rec);
	return st;
}

int rpcm_listleases(const struct rpcm_ctx *c, json_t *params, json_t **result,
		    struct rpc_error *err)
{
	const json_t *who = json_array_get(params, 0);
	uint8_t key[PUBKEY_SIZE];
	enum lease_role role = ROLE_PROVIDER;
	struct id_list l;
	enum state_status st = STATE_ERROR;
	size_t limit = RPCM_LIMIT_DEFAULT;
	int rc;

	if (parse_limit(json_array_get(params, 2), &limit, err) != 0 ||
	    parse_role(who, json_array_get(params, 1), &role, err) != 0)
		return -1;
	if (role == ROLE_BID ? rpcm_parse_id(who, "bid", key, err) != 0
			     : rpcm_parse_address(c, who, key, err) != 0)
		return -1;
	if (id_list_init(&l, limit) != 0)
		return no_memory(err);
	switch (role) {
	case ROLE_PROVIDER:
		st = market_list(c->st, MARKET_LEASES_BY_PROVIDER, key, NULL, collect_id, &l);
		break;
	case ROLE_CONSUMER:
		st = market_list(c->st, MARKET_LEASES_BY_CONSUMER, key, NULL, collect_id, &l);
		break;
	case ROLE_BID:
		st = bid_leases(c, key, &l);
		break;
	}
	if (st == STATE_NOT_FOUND)
		rc = rpc_error_set(err, RPC_NOT_FOUND, "no bid %s", json_string_value(who));
	else if (st != STATE_OK)
		rc = state_failed(err);
	else
		rc = render_list(c, &l, "leases", render_lease, result, err);
	free(l.ids);
	return rc;
}

static json_t *reputation(const struct market_reputation *rep)
{
	json_t *obj = json_object();
	int rc = rpcj_put(obj, "completed", rpcj_u64(rep->completed));

	rc |= rpcj_put(obj, "failed", rpcj_u64(rep->failed));
	rc |= rpcj_put(obj, "slashed", rpcj_u64(rep->slashed));
	rc |= rpcj_put(obj, "disputes_lost", rpcj_u64(rep->disputes_lost));
	rc |= rpcj_put(obj, "score", rpcj_u64(market_reputation_score(rep)));
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *id_array(const struct id_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < l->n; i++) {
		if (json_array_append_new(arr, rpcj_hex(l->ids[i], MARKET_ID_SIZE)) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

int rpcm_getprovider(const struct rpcm_ctx *c, json_t *params, json_t **result,
		     struct rpc_error *err)
{
	uint8_t key[PUBKEY_SIZE];
	struct market_reputation rep;
	struct account acct;
	struct id_list l;
	bool jailed;
	int rc;

	if (rpcm_parse_address(c, json_array_get(params, 0), key, err) != 0)
		return -1;
	if (id_list_init(&l, RPCM_LIMIT_MAX) != 0)
		return no_memory(err);
	if (account_load(c->st, key, &acct) != STATE_OK ||
	    staking_is_jailed(c->st, key, &jailed) != STATE_OK ||
	    market_reputation_load(c->st, key, &rep) != STATE_OK ||
	    market_list(c->st, MARKET_OFFERS_BY_PROVIDER, key, NULL, collect_id, &l) != STATE_OK) {
		free(l.ids);
		return state_failed(err);
	}
	*result = json_object();
	rc = rpcj_put(*result, "address",
		      json_string(json_string_value(json_array_get(params, 0))));
	rc |= rpcj_put(*result, "bonded", rpcj_u64(acct.bonded));
	rc |= rpcj_put(*result, "min_provider_bond", rpcj_u64(c->p->min_provider_bond));
	rc |= rpcj_put(*result, "jailed", json_boolean(jailed));
	rc |= rpcj_put(*result, "eligible",
		       json_boolean(!jailed && acct.bonded >= c->p->min_provider_bond));
	rc |= rpcj_put(*result, "reputation", reputation(&rep));
	rc |= rpcj_put(*result, "offers", id_array(&l));
	rc |= rpcj_put(*result, "more", json_boolean(l.more));
	free(l.ids);
	if (rc != 0) {
		json_decref(*result);
		return no_memory(err);
	}
	return 0;
}
