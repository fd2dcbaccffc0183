/* bench_market.c: the market's matching benchmark (make bench; issue 8).
 * 100,000 open bids against 10,000 offers, matched block by block with the
 * per-block bounds (match_bids_per_block = 1000, match_offers_per_bid =
 * 1000), over a LevelDB-backed state as in the node: each block's writes
 * collect in an overlay that is then written to the database. Prints the
 * setup time, the total matching time and the per-block cost (mean and
 * worst), and the number of leases; then the worst block the bounds allow,
 * every bid examining its whole budget. doc/benchmarks.md records the
 * results.
 * Times are CPU time of the matching thread (the machine is shared, and
 * LevelDB's background compaction runs on a thread of its own), with the
 * wall time beside them. The database has the node's options
 * (node/store.c: bloom filter, block cache, no compression, checksums
 * verified on reads).
 * The records are written through the market's own apply functions with
 * unsigned synthetic txs: signatures are not what is measured. */
#include <leveldb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "consensus/account.h"
#include "consensus/ledger.h"
#include "consensus/overlay.h"
#include "market/market.h"
#include "market/order.h"

#define N_PROVIDERS 100
#define N_OFFERS    10000
#define N_CONSUMERS 1000
#define N_BIDS	    100000
#define MAX_BLOCKS  400
#define N_MISFITS   1000

/* ---------------------------------------------------------------- state over LevelDB */

struct ldb {
	leveldb_t *db;
	leveldb_readoptions_t *ro;
	leveldb_writeoptions_t *wo;
};

static enum state_status ldb_get(void *impl, const uint8_t *key, size_t key_len, uint8_t **val,
				 size_t *val_len)
{
	struct ldb *l = impl;
	char *err = NULL, *raw;
	size_t len;

	*val = NULL;
	*val_len = 0;
	raw = leveldb_get(l->db, l->ro, (const char *)key, key_len, &len, &err);
	if (err != NULL) {
		leveldb_free(err);
		return STATE_ERROR;
	}
	if (raw == NULL)
		return STATE_NOT_FOUND;
	if (len > 0) {
		*val = malloc(len);
		if (*val == NULL) {
			leveldb_free(raw);
			return STATE_ERROR;
		}
		memcpy(*val, raw, len);
	}
	*val_len = len;
	leveldb_free(raw);
	return STATE_OK;
}

static enum state_status ldb_put(void *impl, const uint8_t *key, size_t key_len, const uint8_t *val,
				 size_t val_len)
{
	struct ldb *l = impl;
	char *err = NULL;

	leveldb_put(l->db, l->wo, (const char *)key, key_len, (const char *)val, val_len, &err);
	if (err != NULL) {
		leveldb_free(err);
		return STATE_ERROR;
	}
	return STATE_OK;
}

static enum state_status ldb_del(void *impl, const uint8_t *key, size_t key_len)
{
	struct ldb *l = impl;
	char *err = NULL;

	leveldb_delete(l->db, l->wo, (const char *)key, key_len, &err);
	if (err != NULL) {
		leveldb_free(err);
		return STATE_ERROR;
	}
	return STATE_OK;
}

static enum state_status ldb_iterate(void *impl, const uint8_t *prefix, size_t prefix_len,
				     const uint8_t *start, size_t start_len, state_iter_fn fn,
				     void *arg)
{
	struct ldb *l = impl;
	leveldb_iterator_t *it = leveldb_create_iterator(l->db, l->ro);
	enum state_status rc = STATE_OK;
	const uint8_t *seek = prefix;
	size_t seek_len = prefix_len;

	if (start != NULL && (start_len > prefix_len || memcmp(start, prefix, start_len) > 0)) {
		seek = start;
		seek_len = start_len;
	}
	for (leveldb_iter_seek(it, (const char *)seek, seek_len); leveldb_iter_valid(it);
	     leveldb_iter_next(it)) {
		size_t key_len, val_len;
		const uint8_t *key = (const uint8_t *)leveldb_iter_key(it, &key_len);
		const uint8_t *val;
		int r;

		if (key_len < prefix_len || memcmp(key, prefix, prefix_len) != 0)
			break;
		val = (const uint8_t *)leveldb_iter_value(it, &val_len);
		r = fn(arg, key, key_len, val, val_len);
		if (r < 0)
			rc = STATE_ERROR;
		if (r != 0)
			break;
	}
	leveldb_iter_destroy(it);
	return rc;
}

static const struct state_ops ldb_ops = {
	.get = ldb_get,
	.put = ldb_put,
	.del = ldb_del,
	.iterate = ldb_iterate,
};

/* ---------------------------------------------------------------- helpers */

static double clock_s(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time and wall time, in seconds. */
struct stamp {
	double cpu, wall;
};

static struct stamp stamp_now(void)
{
	struct stamp s = { clock_s(CLOCK_THREAD_CPUTIME_ID), clock_s(CLOCK_MONOTONIC) };

	return s;
}

static struct stamp stamp_since(struct stamp t0)
{
	struct stamp s = stamp_now();

	s.cpu -= t0.cpu;
	s.wall -= t0.wall;
	return s;
}

/* The node's LevelDB options (node/store.c, store_make_options) with its
 * default cache of 32 MiB: half to the block cache, a quarter to the write
 * buffer. */
static leveldb_options_t *node_options(leveldb_filterpolicy_t **filter, leveldb_cache_t **cache)
{
	leveldb_options_t *opts = leveldb_options_create();

	*filter = leveldb_filterpolicy_create_bloom(10);
	*cache = leveldb_cache_create_lru((size_t)16 << 20);
	leveldb_options_set_create_if_missing(opts, 1);
	leveldb_options_set_paranoid_checks(opts, 1);
	leveldb_options_set_filter_policy(opts, *filter);
	leveldb_options_set_cache(opts, *cache);
	leveldb_options_set_write_buffer_size(opts, (size_t)8 << 20);
	leveldb_options_set_compression(opts, leveldb_no_compression);
	return opts;
}

static uint64_t rng_state = 0x8eed;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void key_of(uint8_t kind, uint32_t i, uint8_t out[PUBKEY_SIZE])
{
	memset(out, 0, PUBKEY_SIZE);
	out[0] = kind;
	memcpy(out + 1, &i, sizeof(i));
}

static int die(const char *what)
{
	fprintf(stderr, "bench_market: %s\n", what);
	return 1;
}

static int count_entry(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	(void)key;
	(void)key_len;
	(void)val;
	(void)val_len;
	++*(uint64_t *)arg;
	return 0;
}

/* After the pass: 1,000 offers at the lowest price that no bid fits (a
 * runtime nobody asks for), so that every bid of the next block examines
 * its whole budget of match_offers_per_bid entries: the worst block the
 * per-block bound allows (1,000 x 1,000 examinations). */
static int add_misfits(const struct market_ctx *c)
{
	const char *runtimes[1] = { "wasm" };
	uint8_t key[PUBKEY_SIZE];

	for (uint32_t i = 0; i < N_MISFITS; i++) {
		Hearth__TxBody body = HEARTH__TX_BODY__INIT;
		Hearth__Offer o = HEARTH__OFFER__INIT;
		Hearth__Resources res = HEARTH__RESOURCES__INIT;
		struct tx t = { 0 };
		uint32_t n = N_OFFERS + N_BIDS + i;

		res.cpu_millicores = 500;
		res.memory_bytes = 1ull << 28;
		t.body = &body;
		t.id[0] = 0x5a;
		memcpy(t.id + 1, &n, sizeof(n));
		key_of(1, i % N_PROVIDERS, key);
		o.per_slot = &res;
		o.slots = 1;
		o.runtimes = (char **)runtimes;
		o.n_runtimes = 1;
		o.price_per_second = 1;
		o.max_duration_seconds = 3600;
		o.expiry_height = 1000000;
		body.kind_case = HEARTH__TX_BODY__KIND_OFFER;
		body.offer = &o;
		t.sender = key;
		if (market_offer_check(c, &t, NULL) != LEDGER_OK ||
		    market_offer_apply(c, &t, NULL) != LEDGER_OK)
			return -1;
	}
	return 0;
}

/* Writes the overlay's writes to the database and empties it. */
static int flush(struct overlay *ov, const struct state *db)
{
	return overlay_flush(ov, db) == STATE_OK ? 0 : -1;
}

int main(void)
{
	char dir[] = "/tmp/hearth-bench-XXXXXX", *err = NULL;
	struct ldb l;
	struct state db_st, st;
	struct overlay ov;
	struct ledger_config cfg = { 0 };
	struct ledger ledger;
	struct market_ctx c;
	leveldb_filterpolicy_t *filter;
	leveldb_cache_t *lcache;
	leveldb_options_t *opts = node_options(&filter, &lcache);
	const char *runtimes[1] = { "posix" };
	uint8_t key[PUBKEY_SIZE], id[HASH_SIZE];
	struct stamp t0, t_setup, t_adv, total = { 0, 0 }, worst = { 0, 0 };
	uint64_t leases = 0;
	uint8_t lease_prefix = MKEY_LEASE;
	int blocks = 0;

	if (mkdtemp(dir) == NULL)
		return die("mkdtemp");
	l.db = leveldb_open(opts, dir, &err);
	if (err != NULL)
		return die(err);
	l.ro = leveldb_readoptions_create();
	leveldb_readoptions_set_verify_checksums(l.ro, 1);
	l.wo = leveldb_writeoptions_create();
	db_st.ops = &ldb_ops;
	db_st.impl = &l;
	snprintf(cfg.chain_id, sizeof(cfg.chain_id), "bench");
	cfg.params = (struct params){
		.max_block_bytes = 1 << 20,
		.max_block_txs = 1000,
		.max_tx_bytes = 65536,
		.min_fee_per_byte = 0,
		.unbonding_blocks = 100,
		.min_provider_bond = 1000,
		.max_validators = 4,
		.slash_fraction_ppm = 0,
		.max_inline_input_bytes = 1024,
		.market_block_time_ms = 1000,
		.market_lease_grace_blocks = 10,
		.market_match_bids = 1000,
		.market_match_offers = 1000,
		.market_challenge_blocks = 10,
		.market_slash_missed_ppm = 0,
		.market_slash_wrong_ppm = 0,
		.market_reveal_blocks = 10,
		.market_dispute_bond = 1000,
	};
	if (ledger_init(&ledger, &cfg) != 0 || market_register(&ledger) != 0)
		return die("ledger");
	c.p = &ledger.cfg.params;
	c.height = 1;
	c.prev_block_id = id;
	memset(id, 0, sizeof(id));

	t0 = stamp_now();
	overlay_init(&ov, &db_st, &st);
	c.st = &st;
	for (uint32_t i = 0; i < N_PROVIDERS + N_CONSUMERS; i++) {
		struct account a = { .balance = 1ull << 50, .nonce = 0, .bonded = 1000000 };

		key_of(i < N_PROVIDERS ? 1 : 2, i, key);
		if (account_store(&st, key, &a) != STATE_OK)
			return die("account");
	}
	for (uint32_t i = 0; i < N_OFFERS + N_BIDS; i++) {
		Hearth__TxBody body = HEARTH__TX_BODY__INIT;
		Hearth__Offer o = HEARTH__OFFER__INIT;
		Hearth__Bid b = HEARTH__BID__INIT;
		Hearth__Resources res = HEARTH__RESOURCES__INIT;
		Hearth__Job job = HEARTH__JOB__INIT;
		char *argv[1] = { (char *)"true" };
		struct tx t = { 0 };

		res.cpu_millicores = 500 * (1 + rnd() % 8);
		res.memory_bytes = (1ull << 28) << (rnd() % 4);
		t.body = &body;
		t.id[0] = 0x5a;
		memcpy(t.id + 1, &i, sizeof(i));
		if (i < N_OFFERS) {
			key_of(1, i % N_PROVIDERS, key);
			o.per_slot = &res;
			o.slots = 10;
			o.runtimes = (char **)runtimes;
			o.n_runtimes = 1;
			o.price_per_second = 1 + rnd() % 100;
			o.max_duration_seconds = 3600;
			o.expiry_height = 1000000;
			body.kind_case = HEARTH__TX_BODY__KIND_OFFER;
			body.offer = &o;
			t.sender = key;
			if (market_offer_check(&c, &t, NULL) != LEDGER_OK ||
			    market_offer_apply(&c, &t, NULL) != LEDGER_OK)
				return die("offer");
		} else {
			key_of(2, N_PROVIDERS + (i % N_CONSUMERS), key);
			b.resources = &res;
			b.runtime = (char *)"posix";
			b.max_price_per_second = 50 + rnd() % 100;
			b.max_duration_seconds = 60;
			b.replicas = 1;
			job.argv = argv;
			job.n_argv = 1;
			b.job = &job;
			b.expiry_height = 1000000;
			body.kind_case = HEARTH__TX_BODY__KIND_BID;
			body.bid = &b;
			t.sender = key;
			if (market_bid_check(&c, &t, NULL) != LEDGER_OK ||
			    market_bid_apply(&c, &t, NULL) != LEDGER_OK)
				return die("bid");
		}
		if (i % 2000 == 1999 && flush(&ov, &db_st) != 0)
			return die("flush");
	}
	if (flush(&ov, &db_st) != 0)
		return die("flush");
	t_setup = stamp_since(t0);

	for (blocks = 0; blocks < MAX_BLOCKS; blocks++) {
		struct market_state ms;
		struct stamp t;

		c.height = 2 + (uint64_t)blocks;
		t = stamp_now();
		if (market_match_block(&c, NULL) != LEDGER_OK)
			return die("match");
		t = stamp_since(t);
		total.cpu += t.cpu;
		total.wall += t.wall;
		if (t.cpu > worst.cpu)
			worst = t;
		if (market_state_load(&st, &ms) != STATE_OK || flush(&ov, &db_st) != 0)
			return die("commit");
		if (ms.match_cursor == 0 && blocks > 0)
			break; /* one full pass over the queue after the first */
	}
	if (state_iterate(&db_st, &lease_prefix, 1, NULL, 0, count_entry, &leases) != STATE_OK)
		return die("counting leases");
	c.height++;
	if (add_misfits(&c) != 0 || flush(&ov, &db_st) != 0)
		return die("misfits");
	c.height++;
	t_adv = stamp_now();
	if (market_match_block(&c, NULL) != LEDGER_OK)
		return die("match");
	t_adv = stamp_since(t_adv);
	if (flush(&ov, &db_st) != 0)
		return die("commit");
	printf("setup: %d offers, %d bids in %.2f s CPU (%.2f s wall)\n", N_OFFERS, N_BIDS,
	       t_setup.cpu, t_setup.wall);
	printf("matching: %d blocks, %.3f s CPU total (%.3f s wall), %.1f ms CPU per block "
	       "(worst %.1f ms), %llu leases\n",
	       blocks + 1, total.cpu, total.wall, 1000 * total.cpu / (blocks + 1), 1000 * worst.cpu,
	       (unsigned long long)leases);
	printf("worst-case block (%d cheap offers no bid fits, then %u bids examining %u "
	       "each): %.1f ms CPU (%.1f ms wall)\n",
	       N_MISFITS, cfg.params.market_match_bids, cfg.params.market_match_offers,
	       1000 * t_adv.cpu, 1000 * t_adv.wall);
	overlay_free(&ov);
	leveldb_close(l.db);
	leveldb_destroy_db(opts, dir, &err);
	leveldb_free(err);
	rmdir(dir);
	leveldb_options_destroy(opts);
	leveldb_filterpolicy_destroy(filter);
	leveldb_cache_destroy(lcache);
	leveldb_readoptions_destroy(l.ro);
	leveldb_writeoptions_destroy(l.wo);
	return 0;
}
