/* verifychain.c: the replay of a stored chain from its genesis (see
 * verifychain.h) and the -verifychain command around it. */
#include "node/verifychain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/block.h"
#include "consensus/staking.h"
#include "consensus/state_mem.h"
#include "consensus/tx.h"
#include "consensus/vote.h"
#include "market/market.h"
#include "node/datadir.h"
#include "node/evidence_check.h"
#include "node/node.h"
#include "proto/hex.h"

/* One replay: the ledger, the store it checks, the fresh state it builds. */
struct replay {
	const struct ledger *l;
	const struct genesis *g;
	struct store *store;
	struct state_mem mem;
	struct state st;
	struct chain_tip tip;
	struct verify_report *rep;
};

__attribute__((format(printf, 3, 4))) static enum verify_status
report(struct replay *r, enum verify_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->rep->msg, sizeof(r->rep->msg), fmt, ap);
	va_end(ap);
	return status;
}

static enum verify_status store_failed(struct replay *r, enum store_status st,
				       const struct store_error *serr)
{
	return report(r, st == STORE_ERROR ? VERIFY_ERROR : VERIFY_BAD, "%s", serr->msg);
}

static void short_hex(const uint8_t hash[HASH_SIZE], char out[17])
{
	if (hex_encode(hash, 8, out, 17) != 0)
		out[0] = '\0';
}

/* Compares the recomputed app hash of height h with the stored one. */
static enum verify_status check_app_hash(struct replay *r, uint64_t h,
					 const uint8_t replayed[HASH_SIZE])
{
	uint8_t stored[HASH_SIZE];
	struct store_error serr;
	enum store_status st = store_get_app_hash(r->store, NULL, h, stored, &serr);
	char a[17], b[17];

	if (st != STORE_OK)
		return store_failed(r, st, &serr);
	if (memcmp(stored, replayed, HASH_SIZE) == 0)
		return VERIFY_OK;
	short_hex(replayed, a);
	short_hex(stored, b);
	return report(r, VERIFY_BAD, "app hash %s... recomputed, %s... stored", a, b);
}

/* Writes the state writes of res into the replayed state. */
static enum verify_status flush_writes(struct replay *r, struct ledger_block_result *res)
{
	if (overlay_flush(&res->writes, &r->st) != STATE_OK)
		return report(r, VERIFY_ERROR, "out of memory");
	return VERIFY_OK;
}

static enum verify_status replay_genesis(struct replay *r)
{
	struct ledger_block_result res;
	struct ledger_error lerr;
	enum verify_status vs;

	if (genesis_apply(r->g, &r->st, &res, &lerr) != LEDGER_OK)
		return report(r, VERIFY_ERROR, "cannot build the genesis state: %s", lerr.text);
	memset(&r->tip, 0, sizeof(r->tip));
	r->tip.time_ms = r->g->genesis_time_ms;
	memcpy(r->tip.app_hash, res.app_hash, HASH_SIZE);
	vs = check_app_hash(r, 0, res.app_hash);
	if (vs == VERIFY_OK)
		vs = flush_writes(r, &res);
	ledger_block_result_free(&res);
	return vs;
}

/* The commit certificate of height h must be for (h, id) and signed by more
 * than 2/3 of the set in force at h, which the state before h records. */
static enum verify_status check_commit(struct replay *r, uint64_t h, const uint8_t id[HASH_SIZE])
{
	struct commit *c = malloc(sizeof(*c));
	struct validator_set *set = malloc(sizeof(*set));
	struct store_error serr;
	enum verify_status vs = VERIFY_OK;
	enum commit_status cs;
	enum store_status st;
	uint8_t *bytes = NULL;
	size_t len;

	if (c == NULL || set == NULL) {
		vs = report(r, VERIFY_ERROR, "out of memory");
		goto out;
	}
	st = store_get_commit(r->store, NULL, h, &bytes, &len, &serr);
	if (st != STORE_OK) {
		vs = store_failed(r, st, &serr);
		goto out;
	}
	if (commit_decode(bytes, len, c) != 0) {
		vs = report(r, VERIFY_BAD, "the stored commit certificate does not decode");
		goto out;
	}
	if (staking_load_set(&r->st, h, set) != STATE_OK) {
		vs = report(r, VERIFY_BAD, "no validator set in force");
		goto out;
	}
	cs = commit_verify_for(r->g->chain_id, c, set, h, id);
	if (cs != COMMIT_OK)
		vs = report(r, VERIFY_BAD, "commit certificate: %s", commit_strerror(cs));
out:
	free(bytes);
	free(set);
	free(c);
	return vs;
}

/* Every tx of the block must be indexed at (h, its position). */
static enum verify_status check_tx_index(struct replay *r, uint64_t h, const uint8_t *bytes,
					 size_t len)
{
	struct block b;
	struct ledger_error lerr;
	enum verify_status vs = VERIFY_OK;

	if (block_decode(bytes, len, &r->g->params, &b, &lerr) != LEDGER_OK)
		return report(r, VERIFY_BAD, "the block does not decode: %s", lerr.text);
	for (size_t i = 0; i < b.msg->n_txs && vs == VERIFY_OK; i++) {
		uint8_t id[HASH_SIZE];
		uint64_t at;
		uint32_t index;
		struct store_error serr;
		enum store_status st;

		tx_id(b.msg->txs[i].data, b.msg->txs[i].len, id);
		st = store_get_tx_location(r->store, NULL, id, &at, &index, &serr);
		if (st == STORE_NOT_FOUND)
			vs = report(r, VERIFY_BAD, "tx %zu is not in the tx index", i);
		else if (st != STORE_OK)
			vs = store_failed(r, st, &serr);
		else if (at != h || index != i)
			vs = report(r, VERIFY_BAD, "tx %zu is indexed at height %llu index %u", i,
				    (unsigned long long)at, (unsigned)index);
	}
	block_free(&b);
	return vs;
}

/* Applies the stored block of height h over the replayed state. */
static enum verify_status replay_block(struct replay *r, uint64_t h)
{
	struct ledger_block_result res;
	struct ledger_error lerr;
	struct store_error serr;
	enum verify_status vs;
	enum store_status st;
	uint8_t id[HASH_SIZE], *bytes;
	size_t len;

	st = store_get_block(r->store, NULL, h, id, &bytes, &len, &serr);
	if (st != STORE_OK)
		return store_failed(r, st, &serr);
	vs = check_commit(r, h, id);
	if (vs != VERIFY_OK)
		goto out;
	if (ledger_apply_block(r->l, &r->st, &r->tip, bytes, len, &res, &lerr) != LEDGER_OK) {
		vs = report(r, VERIFY_BAD, "the block does not apply: %s", lerr.text);
		goto out;
	}
	if (memcmp(res.tip.block_id, id, HASH_SIZE) != 0)
		vs = report(r, VERIFY_BAD, "the block's id is not the stored one");
	if (vs == VERIFY_OK)
		vs = check_app_hash(r, h, res.app_hash);
	if (vs == VERIFY_OK)
		vs = check_tx_index(r, h, bytes, len);
	if (vs == VERIFY_OK)
		vs = flush_writes(r, &res);
	r->tip = res.tip;
	ledger_block_result_free(&res);
out:
	free(bytes);
	return vs;
}

/* ------------------------------------------------------- the final state */

struct state_cmp {
	const struct state *other;
	uint64_t pairs;
	bool differs;
};

static int count_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		      size_t val_len)
{
	struct state_cmp *cmp = arg;

	(void)key;
	(void)key_len;
	(void)val;
	(void)val_len;
	cmp->pairs++;
	return 0;
}

/* Stops at the first stored pair the replayed state lacks or holds otherwise. */
static int compare_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			size_t val_len)
{
	struct state_cmp *cmp = arg;
	uint8_t *mine;
	size_t mine_len;
	enum state_status st = state_get(cmp->other, key, key_len, &mine, &mine_len);

	if (st == STATE_ERROR)
		return -1;
	cmp->pairs++;
	if (st == STATE_NOT_FOUND || mine_len != val_len ||
	    (val_len > 0 && memcmp(mine, val, val_len) != 0))
		cmp->differs = true;
	free(mine);
	return cmp->differs ? 1 : 0;
}

/* The stored ledger state must be exactly the replayed one. */
static enum verify_status compare_states(struct replay *r)
{
	static const uint8_t all[1] = { 0 };
	struct state_cmp stored = { .other = &r->st }, replayed = { .other = NULL };

	if (state_iterate(store_state(r->store), all, 0, NULL, 0, compare_pair, &stored) !=
		    STATE_OK ||
	    state_iterate(&r->st, all, 0, NULL, 0, count_pair, &replayed) != STATE_OK)
		return report(r, VERIFY_ERROR, "cannot read the ledger state");
	if (stored.differs || stored.pairs != replayed.pairs)
		return report(r, VERIFY_BAD,
			      "the stored ledger state is not the replayed one (%llu stored "
			      "records checked, %llu replayed)",
			      (unsigned long long)stored.pairs, (unsigned long long)replayed.pairs);
	return VERIFY_OK;
}

static enum verify_status check_tip(struct replay *r, const struct store_tip *tip)
{
	if (memcmp(tip->app_hash, r->tip.app_hash, HASH_SIZE) != 0)
		return report(r, VERIFY_BAD, "the tip's app hash is not the replayed one");
	if (tip->height > 0 && memcmp(tip->block_id, r->tip.block_id, HASH_SIZE) != 0)
		return report(r, VERIFY_BAD, "the tip's block id is not the replayed one");
	return compare_states(r);
}

enum verify_status verifychain_store(struct store *store, const struct genesis *g,
				     const struct ledger *l, struct verify_report *rep)
{
	struct replay r = { .l = l, .g = g, .store = store, .rep = rep };
	struct store_tip tip;
	struct store_error serr;
	enum store_status st;
	enum verify_status vs;

	memset(rep, 0, sizeof(*rep));
	st = store_get_tip(store, NULL, &tip, &serr);
	if (st == STORE_NOT_FOUND)
		return report(&r, VERIFY_BAD, "the store holds no chain");
	if (st != STORE_OK)
		return store_failed(&r, st, &serr);
	state_mem_init(&r.mem, &r.st);
	vs = replay_genesis(&r);
	for (uint64_t h = 1; h <= tip.height && vs == VERIFY_OK; h++) {
		rep->height = h;
		vs = replay_block(&r, h);
	}
	if (vs == VERIFY_OK) {
		rep->height = tip.height;
		vs = check_tip(&r, &tip);
	}
	state_mem_free(&r.mem);
	if (vs == VERIFY_OK) {
		char a[2 * HASH_SIZE + 1];

		if (hex_encode(tip.app_hash, HASH_SIZE, a, sizeof(a)) != 0)
			a[0] = '\0';
		report(&r, VERIFY_OK, "%llu blocks replayed from genesis, app hash %s",
		       (unsigned long long)tip.height, a);
	}
	return vs;
}

/* ------------------------------------------------------- the command */

/* What the command holds open. */
struct verify_cmd {
	struct datadir dd;
	bool dd_open;
	struct store *store;
	struct genesis g;
	bool g_loaded;
	struct ledger ledger;
	uint8_t stored_genesis[HASH_SIZE];
};

static int cmd_open_store(struct verify_cmd *v, const struct config *cfg, char *err,
			  size_t err_size)
{
	char base[DATADIR_PATH_MAX], path[DATADIR_PATH_MAX + 64];
	struct store_options opts;
	struct store_error serr;

	if (node_base_dir(cfg, base, sizeof(base), err, err_size) != 0 ||
	    datadir_open(&v->dd, base, config_network(cfg), err, err_size) != 0)
		return -1;
	v->dd_open = true;
	if (datadir_file(&v->dd, STORE_DIR_NAME, path, sizeof(path)) != 0) {
		snprintf(err, err_size, "store path too long");
		return -1;
	}
	store_options_default(&opts);
	opts.create_if_missing = false;
	if (store_open(path, &opts, &v->store, &serr) != STORE_OK) {
		snprintf(err, err_size, "%s", serr.msg);
		return -1;
	}
	if (store_get_genesis_hash(v->store, NULL, v->stored_genesis, &serr) != STORE_OK) {
		snprintf(err, err_size, "the store holds no genesis");
		return -1;
	}
	return 0;
}

/* Reads genesis.json, checks it made the store and sets up the ledger as
 * chain_open does. */
static int cmd_load_genesis(struct verify_cmd *v, char *err, size_t err_size)
{
	struct genesis_error gerr;
	struct ledger_config lcfg;
	char *text;
	size_t len;
	int rc =
		datadir_read(&v->dd, "genesis.json", GENESIS_MAX_BYTES, &text, &len, err, err_size);

	if (rc == 1)
		snprintf(err, err_size, "no genesis.json in %s", v->dd.path);
	if (rc != 0)
		return -1;
	rc = genesis_parse(text, len, &v->g, &gerr);
	free(text);
	if (rc != 0) {
		snprintf(err, err_size, "%s/genesis.json: %s", v->dd.path, gerr.text);
		return -1;
	}
	v->g_loaded = true;
	if (memcmp(v->g.hash, v->stored_genesis, HASH_SIZE) != 0) {
		snprintf(err, err_size, "the store was made from another genesis.json");
		return -1;
	}
	genesis_ledger_config(&v->g, &lcfg);
	evidence_check_install(&lcfg);
	if (ledger_init(&v->ledger, &lcfg) != 0 || market_register(&v->ledger) != 0) {
		snprintf(err, err_size, "cannot set up the ledger from genesis.json");
		return -1;
	}
	return 0;
}

static void cmd_close(struct verify_cmd *v)
{
	if (v->g_loaded)
		genesis_free(&v->g);
	store_close(v->store);
	if (v->dd_open)
		datadir_close(&v->dd);
}

int verifychain_main(const struct config *cfg)
{
	struct verify_cmd *v = calloc(1, sizeof(*v));
	struct verify_report rep;
	char err[NODE_ERROR_MAX] = "";
	enum verify_status vs = VERIFY_ERROR;

	if (v == NULL) {
		fprintf(stderr, "hearthd: out of memory\n");
		return 1;
	}
	if (cmd_open_store(v, cfg, err, sizeof(err)) != 0 ||
	    cmd_load_genesis(v, err, sizeof(err)) != 0) {
		fprintf(stderr, "hearthd: -verifychain: %s\n", err);
		goto out;
	}
	vs = verifychain_store(v->store, &v->g, &v->ledger, &rep);
	switch (vs) {
	case VERIFY_OK:
		printf("verifychain: ok: %s\n", rep.msg);
		break;
	case VERIFY_BAD:
		fprintf(stderr, "hearthd: -verifychain: bad height %llu: %s\n",
			(unsigned long long)rep.height, rep.msg);
		break;
	case VERIFY_ERROR:
		fprintf(stderr, "hearthd: -verifychain: at height %llu: %s\n",
			(unsigned long long)rep.height, rep.msg);
		break;
	}
out:
	cmd_close(v);
	free(v);
	return vs == VERIFY_OK ? 0 : 1;
}
