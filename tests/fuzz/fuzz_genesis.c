/* fuzz_genesis.c: libFuzzer target for consensus/genesis.c. The input is a
 * genesis document. Whatever parses must
 *   - parse again to the same hash and fields after jansson re-serializes it
 *     with other whitespace and key order (the hash is of canonical JSON);
 *   - have a supply equal to the sum of its balances and bonds;
 *   - build a genesis state (over an empty memory state, market registered)
 *     that passes the supply invariant.
 * Whatever fails must say where, in one line. */
#include "consensus/genesis.h"
#include "consensus/invariant.h"
#include "consensus/state_mem.h"
#include "market/market.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The re-serialized document parses to the same genesis. */
static void check_reformatted(const char *text, size_t len, const struct genesis *g)
{
	struct genesis again;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	char *pretty;

	if (root == NULL)
		abort();
	pretty = json_dumps(root, JSON_INDENT(3) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(root);
	if (pretty == NULL)
		abort();
	if (genesis_parse(pretty, strlen(pretty), &again, NULL) != 0)
		abort();
	if (memcmp(again.hash, g->hash, HASH_SIZE) != 0 || again.supply != g->supply ||
	    again.n_balances != g->n_balances || again.n_validators != g->n_validators ||
	    strcmp(again.chain_id, g->chain_id) != 0 ||
	    again.genesis_time_ms != g->genesis_time_ms || again.network != g->network)
		abort();
	genesis_free(&again);
	free(pretty);
}

static void check_supply(const struct genesis *g)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < g->n_balances; i++) {
		if (__builtin_add_overflow(sum, g->balances[i].amount, &sum))
			abort();
	}
	for (size_t i = 0; i < g->n_validators; i++) {
		if (__builtin_add_overflow(sum, g->validators[i].amount, &sum))
			abort();
	}
	if (sum != g->supply || g->n_validators == 0 || g->n_validators > g->params.max_validators)
		abort();
}

/* genesis_apply over an empty state, then the invariant over the result. */
static void check_state(const struct genesis *g)
{
	struct ledger_config cfg;
	struct ledger l;
	struct state_mem mem;
	struct state st;
	struct ledger_block_result res;
	char why[256];

	genesis_ledger_config(g, &cfg);
	if (ledger_init(&l, &cfg) != 0 || market_register(&l) != 0)
		abort();
	state_mem_init(&mem, &st);
	if (genesis_apply(g, &st, &res, NULL) != LEDGER_OK)
		abort();
	if (res.tip.height != 0 || res.tip.time_ms != g->genesis_time_ms)
		abort();
	if (invariant_check(&l, &res.state, why, sizeof(why)) != 0)
		abort();
	ledger_block_result_free(&res);
	state_mem_free(&mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct genesis g;
	struct genesis_error err;

	if (!ready) {
		if (hearth_crypto_init() != 0)
			abort();
		ready = true;
	}
	if (genesis_parse((const char *)data, size, &g, &err) != 0) {
		size_t n = strnlen(err.text, sizeof(err.text));

		if (n == 0 || n == sizeof(err.text) || memchr(err.text, '\n', n) != NULL)
			abort();
		return 0;
	}
	check_supply(&g);
	check_reformatted((const char *)data, size, &g);
	check_state(&g);
	genesis_free(&g);
	return 0;
}
