/* genesis.c: strict parsing of the genesis file, its hash, and the initial
 * state it creates. */
#include "consensus/genesis.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "consensus/account.h"
#include "consensus/jsonpos.h"
#include "consensus/staking.h"
#include "consensus/supply.h"

#define PATH_MAX_DEPTH 8

struct parser {
	const char *text;
	size_t len;
	struct jsonpos_seg path[PATH_MAX_DEPTH];
	size_t depth;
	struct genesis_error *err;
	bool have_network;
};

static void push_key(struct parser *ps, const char *key)
{
	ps->path[ps->depth].key = key;
	ps->path[ps->depth].index = 0;
	ps->depth++;
}

static void push_index(struct parser *ps, size_t index)
{
	ps->path[ps->depth].key = NULL;
	ps->path[ps->depth].index = index;
	ps->depth++;
}

static void pop(struct parser *ps)
{
	ps->depth--;
}

/* Keys and jansson's excerpts come from the file: keeps a message one
 * printable line by replacing control characters with '?'. */
static void printable_line(char *text)
{
	for (char *c = text; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	}
}

/* Reports an error at the current path (at its key when at_key). Returns -1. */
__attribute__((format(printf, 3, 4))) static int fail_at(struct parser *ps, bool at_key,
							 const char *fmt, ...)
{
	char what[200], where[128];
	unsigned line = 0, column = 0;
	size_t n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	where[0] = '\0';
	for (size_t i = 0; i < ps->depth && n < sizeof(where); i++) {
		int w = ps->path[i].key != NULL ? snprintf(where + n, sizeof(where) - n, "%s%s",
							   i ? "." : "", ps->path[i].key)
						: snprintf(where + n, sizeof(where) - n, "[%zu]",
							   ps->path[i].index);

		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (jsonpos_locate(ps->text, ps->len, ps->path, ps->depth, at_key, &line, &column) != 0)
		line = column = 0;
	if (ps->err != NULL) {
		ps->err->line = line;
		ps->err->column = column;
		snprintf(ps->err->text, sizeof(ps->err->text), "line %u, column %u: %s%s%s", line,
			 column, where, where[0] ? ": " : "", what);
		printable_line(ps->err->text);
	}
	return -1;
}

/* Every key of obj must be in names[n], and names[0 .. required) present
 * (the rest are optional). */
static int check_keys_opt(struct parser *ps, json_t *obj, const char *const *names, size_t n,
			  size_t required)
{
	const char *key;
	json_t *val;

	if (!json_is_object(obj))
		return fail_at(ps, false, "expected an object");
	json_object_foreach(obj, key, val)
	{
		bool known = false;

		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(key, names[i]) == 0;
		if (!known) {
			int rc;

			push_key(ps, key);
			rc = fail_at(ps, true, "unknown key \"%s\"", key);
			pop(ps);
			return rc;
		}
	}
	for (size_t i = 0; i < required; i++) {
		if (json_object_get(obj, names[i]) == NULL)
			return fail_at(ps, false, "missing key \"%s\"", names[i]);
	}
	return 0;
}

/* Every key of obj must be in names[n], and every name present. */
static int check_keys(struct parser *ps, json_t *obj, const char *const *names, size_t n)
{
	return check_keys_opt(ps, obj, names, n, n);
}

/* Reads obj.key as an integer in [min, max]. */
static int get_uint(struct parser *ps, json_t *obj, const char *key, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	int rc = 0;

	push_key(ps, key);
	if (!json_is_integer(v))
		rc = fail_at(ps, false, "expected an integer");
	else if (json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) < min ||
		 (uint64_t)json_integer_value(v) > max)
		rc = fail_at(ps, false, "%lld is outside [%llu, %llu]",
			     (long long)json_integer_value(v), (unsigned long long)min,
			     (unsigned long long)max);
	else
		*out = (uint64_t)json_integer_value(v);
	pop(ps);
	return rc;
}

static int get_u32(struct parser *ps, json_t *obj, const char *key, uint64_t min, uint64_t max,
		   uint32_t *out)
{
	uint64_t v;

	if (get_uint(ps, obj, key, min, max, &v) != 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static bool chain_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CHAIN_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

static int parse_params(struct parser *ps, json_t *obj, struct params *p)
{
	static const char *const names[] = {
		"max_block_bytes",  "max_block_txs",	  "max_tx_bytes",
		"min_fee_per_byte", "unbonding_blocks",	  "min_provider_bond",
		"max_validators",   "slash_fraction_ppm", "market",
	};
	static const char *const market_names[] = {
		"max_inline_input_bytes",    "block_time_ms",
		"lease_grace_blocks",	     "match_bids_per_block",
		"match_offers_per_bid",	     "challenge_blocks",
		"slash_missed_deadline_ppm", "reveal_blocks",
		"slash_wrong_result_ppm",    "dispute_bond",
	};
	json_t *market;
	const char *why;
	int rc;

	if (check_keys(ps, obj, names, sizeof(names) / sizeof(names[0])) != 0)
		return -1;
	if (get_uint(ps, obj, "max_block_bytes", 1, PARAMS_BLOCK_BYTES_MAX, &p->max_block_bytes) ||
	    get_u32(ps, obj, "max_block_txs", 1, PARAMS_BLOCK_TXS_MAX, &p->max_block_txs) ||
	    get_u32(ps, obj, "max_tx_bytes", PARAMS_TX_BYTES_MIN, PARAMS_TX_BYTES_MAX,
		    &p->max_tx_bytes) ||
	    get_uint(ps, obj, "min_fee_per_byte", 0, UINT32_MAX, &p->min_fee_per_byte) ||
	    get_uint(ps, obj, "unbonding_blocks", 1, UINT32_MAX, &p->unbonding_blocks) ||
	    get_uint(ps, obj, "min_provider_bond", 0, INT64_MAX, &p->min_provider_bond) ||
	    get_u32(ps, obj, "max_validators", 1, VALIDATORS_MAX, &p->max_validators) ||
	    get_u32(ps, obj, "slash_fraction_ppm", 0, PARAMS_PPM, &p->slash_fraction_ppm))
		return -1;
	push_key(ps, "market");
	market = json_object_get(obj, "market");
	rc = check_keys(ps, market, market_names, sizeof(market_names) / sizeof(market_names[0]));
	if (rc == 0)
		rc = get_uint(ps, market, "max_inline_input_bytes", 0, PARAMS_TX_BYTES_MAX,
			      &p->max_inline_input_bytes) ||
		     get_uint(ps, market, "block_time_ms", 1, PARAMS_BLOCK_TIME_MS_MAX,
			      &p->market_block_time_ms) ||
		     get_uint(ps, market, "lease_grace_blocks", 0, PARAMS_GRACE_BLOCKS_MAX,
			      &p->market_lease_grace_blocks) ||
		     get_u32(ps, market, "match_bids_per_block", 1, PARAMS_MATCH_BIDS_MAX,
			     &p->market_match_bids) ||
		     get_u32(ps, market, "match_offers_per_bid", 1, PARAMS_MATCH_OFFERS_MAX,
			     &p->market_match_offers) ||
		     get_uint(ps, market, "challenge_blocks", 0, PARAMS_CHALLENGE_BLOCKS_MAX,
			      &p->market_challenge_blocks) ||
		     get_u32(ps, market, "slash_missed_deadline_ppm", 0, PARAMS_PPM,
			     &p->market_slash_missed_ppm) ||
		     get_uint(ps, market, "reveal_blocks", 1, PARAMS_REVEAL_BLOCKS_MAX,
			      &p->market_reveal_blocks) ||
		     get_u32(ps, market, "slash_wrong_result_ppm", 0, PARAMS_PPM,
			     &p->market_slash_wrong_ppm) ||
		     get_uint(ps, market, "dispute_bond", 0, INT64_MAX, &p->market_dispute_bond);
	pop(ps);
	if (rc != 0)
		return -1;
	if (p->max_block_bytes < p->max_tx_bytes) {
		push_key(ps, "max_block_bytes");
		rc = fail_at(ps, false, "must be at least max_tx_bytes");
		pop(ps);
		return rc;
	}
	if (params_validate(p, &why) != 0)
		return fail_at(ps, false, "%s", why);
	return 0;
}

/* Parses "address" of an entry, checking the network is the file's. */
static int parse_address(struct parser *ps, struct genesis *g, json_t *obj,
			 uint8_t key[PUBKEY_SIZE])
{
	json_t *v = json_object_get(obj, "address");
	enum network net;
	const char *why;
	int rc = 0;

	push_key(ps, "address");
	if (!json_is_string(v))
		rc = fail_at(ps, false, "expected a string");
	else if (address_decode(json_string_value(v), &net, key, &why) != 0)
		rc = fail_at(ps, false, "invalid address: %s", why);
	else if (ps->have_network && net != g->network)
		rc = fail_at(ps, false, "address of another network than the first one (%s)",
			     network_hrp(g->network));
	if (rc == 0 && !ps->have_network) {
		ps->have_network = true;
		g->network = net;
	}
	pop(ps);
	return rc;
}

static int compare_entries(const void *a, const void *b)
{
	return memcmp(((const struct genesis_entry *)a)->key,
		      ((const struct genesis_entry *)b)->key, PUBKEY_SIZE);
}

/* Adds amount to g->supply, failing at the current path past INT64_MAX. */
static int add_supply(struct parser *ps, struct genesis *g, uint64_t amount)
{
	if (__builtin_add_overflow(g->supply, amount, &g->supply) || g->supply > INT64_MAX)
		return fail_at(ps, false, "total supply exceeds %lld", (long long)INT64_MAX);
	return 0;
}

/* True when key has an entry with a bond in sorted[n]. */
static bool has_bond(const struct genesis_entry *sorted, size_t n, const uint8_t key[PUBKEY_SIZE])
{
	struct genesis_entry probe;
	const struct genesis_entry *e;

	if (n == 0)
		return false;
	memcpy(probe.key, key, PUBKEY_SIZE);
	e = bsearch(&probe, sorted, n, sizeof(*sorted), compare_entries);
	return e != NULL && e->bond > 0;
}

/* Parses an array of {"address", amount_key [, "bond"]} into *out, *n ("bond"
 * is allowed only when with_bond); rejects a repeated address and one that
 * has a bond in bonded[n_bonded] (sorted); adds every amount and bond to
 * g->supply. */
static int parse_entries(struct parser *ps, struct genesis *g, json_t *root, const char *name,
			 const char *amount_key, bool with_bond, const struct genesis_entry *bonded,
			 size_t n_bonded, size_t max, struct genesis_entry **out, size_t *n)
{
	const char *const names[] = { "address", amount_key, "bond" };
	json_t *arr = json_object_get(root, name);
	struct genesis_entry *items;
	size_t count;

	push_key(ps, name);
	if (!json_is_array(arr)) {
		fail_at(ps, false, "expected an array");
		goto fail_pop;
	}
	count = json_array_size(arr);
	if (count > max) {
		fail_at(ps, false, "more than %zu entries", max);
		goto fail_pop;
	}
	items = calloc(count > 0 ? count : 1, sizeof(*items));
	if (items == NULL) {
		fail_at(ps, false, "out of memory");
		goto fail_pop;
	}
	for (size_t i = 0; i < count; i++) {
		json_t *e = json_array_get(arr, i);

		push_index(ps, i);
		if (check_keys_opt(ps, e, names, with_bond ? 3 : 2, 2) != 0 ||
		    parse_address(ps, g, e, items[i].key) != 0 ||
		    get_uint(ps, e, amount_key, 1, INT64_MAX, &items[i].amount) != 0 ||
		    (with_bond && json_object_get(e, "bond") != NULL &&
		     get_uint(ps, e, "bond", 1, INT64_MAX, &items[i].bond) != 0))
			goto fail_free;
		for (size_t j = 0; j < i; j++) {
			if (memcmp(items[j].key, items[i].key, PUBKEY_SIZE) == 0) {
				push_key(ps, "address");
				fail_at(ps, false, "address repeats entry %zu", j);
				pop(ps);
				goto fail_free;
			}
		}
		if (has_bond(bonded, n_bonded, items[i].key)) {
			push_key(ps, "address");
			fail_at(ps, false,
				"address has a bond in balances; a validator's stake is its bond "
				"here");
			pop(ps);
			goto fail_free;
		}
		if (add_supply(ps, g, items[i].amount) != 0 ||
		    add_supply(ps, g, items[i].bond) != 0)
			goto fail_free;
		pop(ps);
	}
	qsort(items, count, sizeof(*items), compare_entries);
	*out = items;
	*n = count;
	pop(ps);
	return 0;
fail_free:
	free(items);
	pop(ps);
fail_pop:
	pop(ps);
	return -1;
}

static int parse_root(struct parser *ps, json_t *root, struct genesis *g)
{
	static const char *const names[] = { "chain_id", "genesis_time_ms", "params", "balances",
					     "validators" };
	json_t *v;
	int rc;

	if (check_keys(ps, root, names, sizeof(names) / sizeof(names[0])) != 0)
		return -1;
	v = json_object_get(root, "chain_id");
	push_key(ps, "chain_id");
	if (!json_is_string(v) || !chain_id_valid(json_string_value(v)))
		rc = fail_at(ps, false, "expected 1 to 64 characters of [A-Za-z0-9._-]");
	else
		rc = 0;
	pop(ps);
	if (rc != 0)
		return -1;
	strcpy(g->chain_id, json_string_value(v));
	if (get_uint(ps, root, "genesis_time_ms", 0, INT64_MAX, &g->genesis_time_ms) != 0)
		return -1;
	push_key(ps, "params");
	rc = parse_params(ps, json_object_get(root, "params"), &g->params);
	pop(ps);
	if (rc != 0)
		return -1;
	if (parse_entries(ps, g, root, "balances", "amount", true, NULL, 0, GENESIS_MAX_ENTRIES,
			  &g->balances, &g->n_balances) != 0 ||
	    parse_entries(ps, g, root, "validators", "bond", false, g->balances, g->n_balances,
			  g->params.max_validators, &g->validators, &g->n_validators) != 0)
		return -1;
	if (g->n_validators == 0) {
		push_key(ps, "validators");
		rc = fail_at(ps, false, "at least one validator is needed");
		pop(ps);
		return rc;
	}
	return 0;
}

/* H("hearth/genesis", canonical JSON). */
static int hash_document(json_t *root, uint8_t out[HASH_SIZE])
{
	char *canon = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);

	if (canon == NULL)
		return -1;
	hash_tagged("hearth/genesis", canon, strlen(canon), out);
	free(canon);
	return 0;
}

int genesis_parse(const char *text, size_t len, struct genesis *g, struct genesis_error *err)
{
	struct parser ps = { .text = text, .len = len, .depth = 0, .err = err };
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(g, 0, sizeof(*g));
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (len > GENESIS_MAX_BYTES)
		return fail_at(&ps, false, "file larger than %u bytes", GENESIS_MAX_BYTES);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		if (err != NULL) {
			err->line = jerr.line > 0 ? (unsigned)jerr.line : 0;
			err->column = jerr.column > 0 ? (unsigned)jerr.column : 0;
			snprintf(err->text, sizeof(err->text), "line %u, column %u: %s", err->line,
				 err->column, jerr.text);
			printable_line(err->text);
		}
		return -1;
	}
	rc = parse_root(&ps, root, g);
	if (rc == 0 && hash_document(root, g->hash) != 0)
		rc = fail_at(&ps, false, "out of memory");
	json_decref(root);
	if (rc != 0)
		genesis_free(g);
	return rc;
}

void genesis_free(struct genesis *g)
{
	free(g->balances);
	free(g->validators);
	memset(g, 0, sizeof(*g));
}

void genesis_ledger_config(const struct genesis *g, struct ledger_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->chain_id, g->chain_id, sizeof(cfg->chain_id));
	cfg->params = g->params;
	cfg->evidence_verify = NULL;
	cfg->evidence_arg = NULL;
}

static enum ledger_reason write_state(const struct genesis *g, const struct state *st,
				      struct ledger_error *err)
{
	struct supply sup = { .genesis = g->supply, .issued = 0, .burned = 0 };
	struct validator_set *set;
	enum state_status rc;

	if (params_store(st, &g->params) != STATE_OK || supply_store(st, &sup) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing params and supply");
	for (size_t i = 0; i < g->n_balances; i++) {
		struct account acct;

		/* A bond here is plain stake (a provider's), not a candidacy. */
		if (account_load(st, g->balances[i].key, &acct) != STATE_OK)
			return ledger_fail(err, LEDGER_INTERNAL, "reading balances");
		acct.balance = g->balances[i].amount;
		acct.bonded = g->balances[i].bond;
		if (account_store(st, g->balances[i].key, &acct) != STATE_OK)
			return ledger_fail(err, LEDGER_INTERNAL, "writing balances");
	}
	for (size_t i = 0; i < g->n_validators; i++) {
		struct account acct;

		if (account_load(st, g->validators[i].key, &acct) != STATE_OK)
			return ledger_fail(err, LEDGER_INTERNAL, "reading validators");
		acct.bonded = g->validators[i].amount;
		acct.validator = true;
		if (account_store(st, g->validators[i].key, &acct) != STATE_OK ||
		    staking_reindex(st, g->validators[i].key, 0, acct.bonded) != STATE_OK)
			return ledger_fail(err, LEDGER_INTERNAL, "writing validators");
	}
	set = malloc(sizeof(*set));
	if (set == NULL)
		return ledger_fail(err, LEDGER_INTERNAL, "no memory");
	rc = staking_select(st, g->params.max_validators, set);
	if (rc == STATE_OK)
		rc = set->count > 0 ? staking_store_set(st, 1, set) : STATE_ERROR;
	free(set);
	if (rc != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the validator set");
	return LEDGER_OK;
}

enum ledger_reason genesis_apply(const struct genesis *g, const struct state *base,
				 struct ledger_block_result *res, struct ledger_error *err)
{
	static const uint8_t zero[HASH_SIZE];
	uint8_t ws_hash[HASH_SIZE];
	enum ledger_reason r;

	memset(res, 0, sizeof(*res));
	overlay_init(&res->writes, base, &res->state);
	r = write_state(g, &res->state, err);
	if (r != LEDGER_OK) {
		overlay_free(&res->writes);
		return r;
	}
	overlay_write_set_hash(&res->writes, ws_hash);
	overlay_app_hash(zero, ws_hash, res->app_hash);
	res->tip.height = 0;
	res->tip.time_ms = g->genesis_time_ms;
	memcpy(res->tip.app_hash, res->app_hash, HASH_SIZE);
	return LEDGER_OK;
}
