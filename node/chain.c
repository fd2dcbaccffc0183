/* chain.c: genesis loading, the genesis commit and the tip of the node. */
#include "node/chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market/market.h"
#include "node/evidence_check.h"
#include "node/genesis_dev.h"

static enum network network_of(const char *name)
{
	if (strcmp(name, "dev") == 0)
		return NETWORK_DEV;
	if (strcmp(name, "test") == 0)
		return NETWORK_TEST;
	return NETWORK_MAIN;
}

static int write_dev_genesis(const struct datadir *dd, const uint8_t validator[PUBKEY_SIZE],
			     const uint8_t *provider, uint64_t now_ms, struct log *log, char *err,
			     size_t err_size)
{
	char *json;
	int rc;

	if (validator == NULL || genesis_dev_json(validator, provider, now_ms, &json) != 0) {
		snprintf(err, err_size, "cannot build the dev genesis");
		return -1;
	}
	rc = datadir_write_atomic(dd, "genesis.json", json, strlen(json), 0644, err, err_size);
	free(json);
	if (rc == 0)
		log_write(log, LOG_INFO, LOG_MAIN, "wrote the dev genesis chain_id=%s",
			  DEV_CHAIN_ID);
	return rc;
}

static int read_genesis(struct chain *c, const struct datadir *dd, const char *network,
			const uint8_t dev_validator[PUBKEY_SIZE], const uint8_t *dev_provider,
			uint64_t now_ms, struct log *log, char *err, size_t err_size)
{
	struct genesis_error gerr;
	char *text;
	size_t len;
	int rc = datadir_read(dd, "genesis.json", GENESIS_MAX_BYTES, &text, &len, err, err_size);

	if (rc == 1 && strcmp(network, "dev") == 0) {
		if (write_dev_genesis(dd, dev_validator, dev_provider, now_ms, log, err,
				      err_size) != 0)
			return -1;
		rc = datadir_read(dd, "genesis.json", GENESIS_MAX_BYTES, &text, &len, err,
				  err_size);
	}
	if (rc == 1) {
		snprintf(err, err_size,
			 "no genesis.json in %s: put the network's genesis file there", dd->path);
		return -1;
	}
	if (rc != 0)
		return -1;
	rc = genesis_parse(text, len, &c->genesis, &gerr);
	c->genesis_text = text;
	if (rc != 0) {
		snprintf(err, err_size, "%s/genesis.json: %s", dd->path, gerr.text);
		return -1;
	}
	c->genesis_loaded = true;
	if (c->genesis.network != network_of(network)) {
		snprintf(err, err_size, "%s/genesis.json: its addresses are not of the %s network",
			 dd->path, network);
		return -1;
	}
	return 0;
}

/* Commits the genesis state into an empty store. */
static int commit_genesis(struct chain *c, struct store *store, struct log *log, char *err,
			  size_t err_size)
{
	struct ledger_block_result res;
	struct ledger_error lerr;
	struct store_error serr;
	enum store_status st;

	if (genesis_apply(&c->genesis, store_state(store), &res, &lerr) != LEDGER_OK) {
		snprintf(err, err_size, "cannot build the genesis state: %s", lerr.text);
		return -1;
	}
	st = store_init_genesis(store, c->genesis.hash, &res.writes, res.app_hash, &serr);
	ledger_block_result_free(&res);
	if (st != STORE_OK) {
		snprintf(err, err_size, "%s", serr.msg);
		return -1;
	}
	log_write(log, LOG_INFO, LOG_STORE, "committed the genesis state chain_id=%s",
		  c->genesis.chain_id);
	return 0;
}

static int check_genesis(struct chain *c, struct store *store, struct log *log, char *err,
			 size_t err_size)
{
	uint8_t stored[HASH_SIZE];
	struct store_error serr;
	enum store_status st = store_get_genesis_hash(store, NULL, stored, &serr);

	if (st == STORE_NOT_FOUND)
		return commit_genesis(c, store, log, err, err_size);
	if (st != STORE_OK) {
		snprintf(err, err_size, "%s", serr.msg);
		return -1;
	}
	if (memcmp(stored, c->genesis.hash, HASH_SIZE) != 0) {
		snprintf(err, err_size,
			 "the store in this data directory was made from another genesis.json");
		return -1;
	}
	return 0;
}

int chain_load_tip(struct chain *c, struct store *store, char *err, size_t err_size)
{
	struct store_tip tip;
	struct store_error serr;
	struct ledger_error lerr;
	struct block_header h;
	uint8_t id[HASH_SIZE], *bytes;
	size_t len;
	struct block b;

	if (store_get_tip(store, NULL, &tip, &serr) != STORE_OK) {
		snprintf(err, err_size, "%s", serr.msg);
		return -1;
	}
	memset(&c->tip, 0, sizeof(c->tip));
	c->tip.height = tip.height;
	memcpy(c->tip.app_hash, tip.app_hash, HASH_SIZE);
	if (tip.height == 0) {
		c->tip.time_ms = c->genesis.genesis_time_ms;
		return 0;
	}
	memcpy(c->tip.block_id, tip.block_id, HASH_SIZE);
	if (store_get_block(store, NULL, tip.height, id, &bytes, &len, &serr) != STORE_OK) {
		snprintf(err, err_size, "%s", serr.msg);
		return -1;
	}
	if (block_decode(bytes, len, &c->genesis.params, &b, &lerr) != LEDGER_OK) {
		free(bytes);
		snprintf(err, err_size, "the tip block does not decode: %s", lerr.text);
		return -1;
	}
	h = b.header;
	block_free(&b);
	free(bytes);
	c->tip.time_ms = h.time_ms;
	return 0;
}

int chain_open(struct chain *c, const struct datadir *dd, const char *network,
	       const uint8_t dev_validator[PUBKEY_SIZE], const uint8_t *dev_provider,
	       uint64_t now_ms, struct store *store, struct log *log, char *err, size_t err_size)
{
	struct ledger_config cfg;

	memset(c, 0, sizeof(*c));
	if (read_genesis(c, dd, network, dev_validator, dev_provider, now_ms, log, err, err_size) !=
	    0)
		goto fail;
	genesis_ledger_config(&c->genesis, &cfg);
	evidence_check_install(&cfg);
	if (ledger_init(&c->ledger, &cfg) != 0) {
		snprintf(err, err_size, "genesis.json: the parameters are out of bounds");
		goto fail;
	}
	if (market_register(&c->ledger) != 0) {
		snprintf(err, err_size, "registering the market module");
		goto fail;
	}
	if (check_genesis(c, store, log, err, err_size) != 0 ||
	    chain_load_tip(c, store, err, err_size) != 0)
		goto fail;
	return 0;
fail:
	chain_close(c);
	return -1;
}

void chain_close(struct chain *c)
{
	if (c->genesis_loaded)
		genesis_free(&c->genesis);
	free(c->genesis_text);
	memset(c, 0, sizeof(*c));
}
