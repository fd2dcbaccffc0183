/* test_genesis.c: unit tests of consensus/genesis.c and jsonpos.c: strict
 * parsing with line/column errors, the genesis hash, and the initial state. */
#include "consensus/genesis.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/invariant.h"
#include "consensus/staking.h"
#include "consensus/supply.h"
#include "tests/unit/ledger_fixture.h"
#include "tests/unit/test_util.h"

static struct fixture fx;
static char base_text[8192];

static int setup(void **state UNUSED)
{
	fix_setup(&fx);
	fix_genesis_text(&fx, base_text, sizeof(base_text));
	return 0;
}

static int teardown(void **state UNUSED)
{
	fix_teardown(&fx);
	return 0;
}

/* base_text with the first `from` replaced by `to`, in a static buffer. */
static const char *edited(const char *from, const char *to)
{
	static char out[8192];
	const char *at = strstr(base_text, from);

	assert_non_null(at);
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - base_text), base_text, to,
		 at + strlen(from));
	return out;
}

/* Line and column (1-based, bytes) of the first `needle` in text. */
static void position_of(const char *text, const char *needle, unsigned *line, unsigned *column)
{
	const char *at = strstr(text, needle);

	assert_non_null(at);
	*line = 1;
	*column = 1;
	for (const char *p = text; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

/* Parses text, expects a failure at the first `at` with `words` in the
 * message. */
static void expect_error(const char *text, const char *at, const char *words)
{
	struct genesis g;
	struct genesis_error err;
	unsigned line, column;

	assert_int_equal(genesis_parse(text, strlen(text), &g, &err), -1);
	assert_null(g.balances);
	if (strstr(err.text, words) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.text, words);
	if (at != NULL) {
		position_of(text, at, &line, &column);
		if (err.line != line || err.column != column)
			fail_msg("error \"%s\" at %u:%u, expected %u:%u", err.text, err.line,
				 err.column, line, column);
	}
}

static void test_genesis_parses_every_field(void **state UNUSED)
{
	const struct genesis *g = &fx.genesis;

	assert_string_equal(g->chain_id, FIX_CHAIN);
	assert_int_equal(g->genesis_time_ms, 1764201600000ull);
	assert_int_equal(g->params.max_block_bytes, 1048576);
	assert_int_equal(g->params.max_block_txs, 1000);
	assert_int_equal(g->params.max_tx_bytes, 4096);
	assert_int_equal(g->params.min_fee_per_byte, 1);
	assert_int_equal(g->params.unbonding_blocks, 3);
	assert_int_equal(g->params.min_provider_bond, 1000);
	assert_int_equal(g->params.max_validators, 4);
	assert_int_equal(g->params.slash_fraction_ppm, 100000);
	assert_int_equal(g->params.max_inline_input_bytes, 1024);
	assert_int_equal(g->params.market_block_time_ms, 1000);
	assert_int_equal(g->params.market_lease_grace_blocks, 5);
	assert_int_equal(g->params.market_match_bids, 16);
	assert_int_equal(g->params.market_match_offers, 64);
	assert_int_equal(g->params.market_challenge_blocks, 3);
	assert_int_equal(g->params.market_slash_missed_ppm, 100000);
	assert_int_equal(g->params.market_reveal_blocks, 4);
	assert_int_equal(g->params.market_slash_wrong_ppm, 200000);
	assert_int_equal(g->params.market_dispute_bond, 5000);
	assert_int_equal(g->network, NETWORK_DEV);
	assert_int_equal(g->n_balances, 6);
	assert_int_equal(g->n_validators, 1);
	assert_memory_equal(g->validators[0].key, fx.signers[0].pubkey, PUBKEY_SIZE);
	assert_int_equal(g->validators[0].amount, FIX_BOND);
	assert_int_equal(g->supply, 6 * FIX_BALANCE + FIX_BOND);
}

static void test_genesis_hash_ignores_layout_but_not_content(void **state UNUSED)
{
	struct genesis g;
	char text[8192];
	size_t n = 0;

	/* the same document on one line, keys in another order */
	for (const char *p = base_text; *p; p++) {
		if (*p != '\n' && *p != ' ')
			text[n++] = *p;
	}
	text[n] = '\0';
	{
		const char *from =
			"\"chain_id\":\"" FIX_CHAIN "\",\"genesis_time_ms\":1764201600000,";
		char *at = strstr(text, from);
		char moved[8192];

		assert_non_null(at);
		snprintf(moved, sizeof(moved), "{\"genesis_time_ms\":1764201600000,%s",
			 at + strlen(from));
		moved[strlen(moved) - 1] = '\0'; /* drop the closing brace */
		snprintf(text, sizeof(text), "%s,\"chain_id\":\"" FIX_CHAIN "\"}", moved);
	}
	assert_int_equal(genesis_parse(text, strlen(text), &g, NULL), 0);
	assert_memory_equal(g.hash, fx.genesis.hash, HASH_SIZE);
	genesis_free(&g);
	text[0] = '\0';
	snprintf(text, sizeof(text), "%s",
		 edited("\"unbonding_blocks\": 3", "\"unbonding_blocks\": 4"));
	assert_int_equal(genesis_parse(text, strlen(text), &g, NULL), 0);
	assert_memory_not_equal(g.hash, fx.genesis.hash, HASH_SIZE);
	genesis_free(&g);
}

static void test_syntax_error_names_line_and_column(void **state UNUSED)
{
	struct genesis g;
	struct genesis_error err;
	const char *text = edited("\"max_block_txs\": 1000,", "\"max_block_txs\": 1000");

	assert_int_equal(genesis_parse(text, strlen(text), &g, &err), -1);
	/* jansson reports the token after the missing comma */
	assert_int_equal(err.line, 7);
	assert_non_null(strstr(err.text, "line 7"));
	expect_error("{\"chain_id\": \"x\", \"chain_id\": \"y\"}", NULL, "duplicate");
	expect_error("", NULL, "line");
}

static void test_unknown_keys_are_rejected_where_they_are(void **state UNUSED)
{
	expect_error(edited("\"chain_id\"", "\"chian_id\": 1, \"chain_id\""), "\"chian_id\"",
		     "unknown key \"chian_id\"");
	expect_error(edited("\"max_tx_bytes\"", "\"max_tx_byte\": 9, \"max_tx_bytes\""),
		     "\"max_tx_byte\"", "params.max_tx_byte: unknown key");
	expect_error(edited("\"max_inline_input_bytes\": 1024",
			    "\"max_inline_input_bytes\": 1024, \"matching\": 1"),
		     "\"matching\"", "params.market.matching");
	expect_error(edited("\"amount\": 1000000000}", "\"amount\": 1000000000, \"memo\": \"x\"}"),
		     "\"memo\"", "balances[0].memo: unknown key");
}

/* Found by tests/fuzz/fuzz_genesis: a key with an escaped newline or other
 * control character was copied into the error, which then spanned lines. */
static void test_error_about_a_key_is_one_printable_line(void **state UNUSED)
{
	struct genesis g;
	struct genesis_error err;
	const char *text = edited("\"chain_id\"", "\"ch\\nain\\u0007\": 1, \"chain_id\"");

	assert_int_equal(genesis_parse(text, strlen(text), &g, &err), -1);
	if (strstr(err.text, "unknown key \"ch?ain?\"") == NULL)
		fail_msg("error \"%s\"", err.text);
	for (const char *c = err.text; *c != '\0'; c++)
		assert_true((unsigned char)*c >= 0x20 && *c != 0x7f);
}

static void test_missing_keys_are_named(void **state UNUSED)
{
	expect_error(edited("\"min_provider_bond\": 1000,", ""), "{\n    \"max_block_bytes\"",
		     "missing key \"min_provider_bond\"");
	expect_error(edited(", \"bond\"", ", \"bonded\""), "\"bonded\"", "unknown key \"bonded\"");
}

static void test_market_parameters_are_bounded(void **state UNUSED)
{
	expect_error(edited("\"block_time_ms\": 1000", "\"block_time_ms\": 0"),
		     "0, \"lease_grace_blocks\"",
		     "params.market.block_time_ms: 0 is outside [1, 3600000]");
	expect_error(edited("\"lease_grace_blocks\": 5", "\"lease_grace_blocks\": 1000001"),
		     "1000001", "outside [0, 1000000]");
	expect_error(edited("\"match_bids_per_block\": 16", "\"match_bids_per_block\": 0"),
		     "0, \"match_offers_per_bid\"", "params.market.match_bids_per_block");
	expect_error(edited("\"match_offers_per_bid\": 64", "\"match_offers_per_bid\": 100001"),
		     "100001", "params.market.match_offers_per_bid");
	expect_error(edited("\"challenge_blocks\": 3", "\"challenge_blocks\": 1000001"), "1000001",
		     "params.market.challenge_blocks");
	expect_error(edited("\"slash_missed_deadline_ppm\": 100000",
			    "\"slash_missed_deadline_ppm\": 1000001"),
		     "1000001", "params.market.slash_missed_deadline_ppm");
	expect_error(edited("\"reveal_blocks\": 4", "\"reveal_blocks\": 0"),
		     "0, \"slash_wrong_result_ppm\"", "params.market.reveal_blocks");
	expect_error(
		edited("\"slash_wrong_result_ppm\": 200000", "\"slash_wrong_result_ppm\": 1000001"),
		"1000001", "params.market.slash_wrong_result_ppm");
	expect_error(edited("\"dispute_bond\": 5000", "\"dispute_bond\": -1"), "-1",
		     "params.market.dispute_bond");
	expect_error(edited("\"lease_grace_blocks\": 5,", ""), "{\"max_inline_input_bytes\"",
		     "missing key \"lease_grace_blocks\"");
}

static void test_wrong_types_and_ranges_are_rejected_at_the_value(void **state UNUSED)
{
	expect_error(edited("\"max_validators\": 4", "\"max_validators\": \"4\""), "\"4\"",
		     "params.max_validators: expected an integer");
	expect_error(edited("\"max_validators\": 4", "\"max_validators\": 257"), "257",
		     "outside [1, 256]");
	expect_error(edited("\"slash_fraction_ppm\": 100000", "\"slash_fraction_ppm\": 1000001"),
		     "1000001", "outside");
	expect_error(edited("\"unbonding_blocks\": 3", "\"unbonding_blocks\": 0"),
		     "0,\n    \"min_provider_bond\"", "unbonding_blocks");
	expect_error(edited("\"unbonding_blocks\": 3", "\"unbonding_blocks\": 3.5"), "3.5",
		     "expected an integer");
	expect_error(edited("\"amount\": 1000000000", "\"amount\": -5"), "-5", "outside");
	expect_error(edited("\"max_block_bytes\": 1048576", "\"max_block_bytes\": 1000"), "1000,",
		     "at least max_tx_bytes");
	expect_error(edited("\"chain_id\": \"" FIX_CHAIN "\"", "\"chain_id\": \"a b\""), "\"a b\"",
		     "chain_id");
	expect_error(edited("\"genesis_time_ms\": 1764201600000",
			    "\"genesis_time_ms\": 99999999999999999999"),
		     NULL, "line 3");
	expect_error(edited("\"balances\": [", "\"balances\": {\"x\": ["), NULL, "");
}

static void test_bad_addresses_and_entries_are_rejected(void **state UNUSED)
{
	char addr[ADDRESS_MAX], other[ADDRESS_MAX], text[8192], from[128], to[128];
	const char *at;

	assert_int_equal(address_encode(NETWORK_DEV, fx.signers[1].pubkey, addr, sizeof(addr)), 0);
	/* the same address twice */
	snprintf(text, sizeof(text), "%s", base_text);
	at = strstr(text, addr);
	assert_non_null(at);
	{
		char a0[ADDRESS_MAX];

		assert_int_equal(address_encode(NETWORK_DEV, fx.signers[0].pubkey, a0, sizeof(a0)),
				 0);
		snprintf(from, sizeof(from), "\"%s\", \"amount\"", addr);
		snprintf(to, sizeof(to), "\"%s\", \"amount\"", a0);
		expect_error(edited(from, to), NULL,
			     "balances[1].address: address repeats entry 0");
	}
	/* another network */
	assert_int_equal(address_encode(NETWORK_TEST, fx.signers[1].pubkey, other, sizeof(other)),
			 0);
	snprintf(from, sizeof(from), "\"%s\"", addr);
	snprintf(to, sizeof(to), "\"%s\"", other);
	expect_error(edited(from, to), to, "another network");
	/* a broken checksum */
	snprintf(to, sizeof(to), "\"%.*sq\"", (int)strlen(addr) - 1, addr);
	if (strcmp(to, from) == 0)
		snprintf(to, sizeof(to), "\"%.*sp\"", (int)strlen(addr) - 1, addr);
	expect_error(edited(from, to), to, "invalid address");
	/* no validator */
	{
		const char *v = strstr(base_text, "\"validators\": [");
		char cut[8192];

		assert_non_null(v);
		snprintf(cut, sizeof(cut), "%.*s\"validators\": []\n}\n", (int)(v - base_text),
			 base_text);
		expect_error(cut, "[]", "at least one validator");
	}
}

/* balances[1] of base_text with `extra` added before its closing brace. */
static const char *with_balance_extra(const char *extra)
{
	char addr[ADDRESS_MAX], from[160], to[200];

	assert_int_equal(address_encode(NETWORK_DEV, fx.signers[1].pubkey, addr, sizeof(addr)), 0);
	snprintf(from, sizeof(from), "\"%s\", \"amount\": %llu}", addr, FIX_BALANCE);
	snprintf(to, sizeof(to), "\"%s\", \"amount\": %llu%s}", addr, FIX_BALANCE, extra);
	return edited(from, to);
}

static void test_genesis_balance_bond_is_stake_without_candidacy(void **state UNUSED)
{
	const char *text = with_balance_extra(", \"bond\": 5000000");
	struct validator_set *set = malloc(sizeof(*set));
	struct state_mem mem;
	struct state st;
	struct ledger_block_result res;
	struct genesis g;
	struct genesis_error err;
	struct account a;
	char why[256];

	assert_non_null(set);
	if (genesis_parse(text, strlen(text), &g, &err) != 0)
		fail_msg("%s", err.text);
	assert_int_equal(g.supply, fx.genesis.supply + 5000000);
	state_mem_init(&mem, &st);
	assert_int_equal(genesis_apply(&g, &st, &res, NULL), LEDGER_OK);
	assert_int_equal(invariant_check(&fx.ledger, &res.state, why, sizeof(why)), 0);
	assert_int_equal(account_load(&res.state, fx.signers[1].pubkey, &a), STATE_OK);
	assert_int_equal(a.balance, FIX_BALANCE);
	assert_int_equal(a.bonded, 5000000);
	assert_false(a.validator);
	assert_int_equal(account_load(&res.state, fx.signers[0].pubkey, &a), STATE_OK);
	assert_true(a.validator);
	/* the largest stake, yet only the genesis validator is in the set */
	assert_int_equal(staking_load_set(&res.state, 1, set), STATE_OK);
	assert_int_equal(set->count, 1);
	assert_memory_equal(set->members[0].key, fx.signers[0].pubkey, PUBKEY_SIZE);
	assert_int_equal(staking_select(&res.state, 4, set), STATE_OK);
	assert_int_equal(set->count, 1);
	ledger_block_result_free(&res);
	state_mem_free(&mem);
	genesis_free(&g);
	free(set);
}

static void test_genesis_balance_bond_rejections(void **state UNUSED)
{
	char addr[ADDRESS_MAX], from[160], to[200];

	expect_error(with_balance_extra(", \"bond\": 0"), NULL,
		     "balances[1].bond: 0 is outside [1, ");
	expect_error(with_balance_extra(", \"bond\": \"7\""), "\"7\"",
		     "balances[1].bond: expected an integer");
	expect_error(with_balance_extra(", \"bond\": 9223372036854775807"), NULL,
		     "total supply exceeds");
	/* validators take no "amount" or second bond key: still unknown keys */
	expect_error(edited("\"bond\": 1000000}", "\"bond\": 1000000, \"amount\": 1}"),
		     "\"amount\": 1}", "validators[0].amount: unknown key");
	/* a validator's whole stake is its validators entry */
	assert_int_equal(address_encode(NETWORK_DEV, fx.signers[0].pubkey, addr, sizeof(addr)), 0);
	snprintf(from, sizeof(from), "\"%s\", \"amount\": %llu}", addr, FIX_BALANCE);
	snprintf(to, sizeof(to), "\"%s\", \"amount\": %llu, \"bond\": 5}", addr, FIX_BALANCE);
	expect_error(edited(from, to), NULL,
		     "validators[0].address: address has a bond in balances");
}

static void test_more_validators_than_max_is_rejected(void **state UNUSED)
{
	char a[2][ADDRESS_MAX], text[8192];
	const char *v = strstr(base_text, "\"validators\": [");

	assert_non_null(v);
	for (int i = 0; i < 2; i++)
		assert_int_equal(
			address_encode(NETWORK_DEV, fx.signers[i + 1].pubkey, a[i], ADDRESS_MAX),
			0);
	snprintf(text, sizeof(text),
		 "%.*s\"validators\": [{\"address\": \"%s\", \"bond\": 1}, {\"address\": \"%s\", "
		 "\"bond\": 1}]}",
		 (int)(v - base_text), base_text, a[0], a[1]);
	{
		char *m = strstr(text, "\"max_validators\": 4");

		assert_non_null(m);
		m[18] = '1';
	}
	expect_error(text, "[{", "validators: more than 1 entries");
}

static void test_genesis_state_holds_accounts_set_and_supply(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	struct ledger_block_result res, again;
	struct validator_set *set = malloc(sizeof(*set));
	struct supply sup;
	struct params p;
	struct account a;
	char why[256];

	assert_non_null(set);
	state_mem_init(&mem, &st);
	assert_int_equal(genesis_apply(&fx.genesis, &st, &res, NULL), LEDGER_OK);
	assert_int_equal(kvmap_count(&mem.map), 0); /* nothing written to the base */
	assert_int_equal(invariant_check(&fx.ledger, &res.state, why, sizeof(why)), 0);
	assert_int_equal(account_load(&res.state, fx.signers[0].pubkey, &a), STATE_OK);
	assert_int_equal(a.balance, FIX_BALANCE);
	assert_int_equal(a.bonded, FIX_BOND);
	assert_int_equal(supply_load(&res.state, &sup), STATE_OK);
	assert_int_equal(sup.genesis, fx.genesis.supply);
	memset(&p, 0, sizeof(p)); /* the struct's padding, compared below */
	assert_int_equal(params_load(&res.state, &p), STATE_OK);
	assert_memory_equal(&p, &fx.genesis.params, sizeof(p));
	assert_int_equal(staking_load_set(&res.state, 1, set), STATE_OK);
	assert_int_equal(set->count, 1);
	assert_int_equal(set->total_power, FIX_BOND);
	assert_int_equal(staking_load_set(&res.state, 2, set), STATE_OK);
	assert_int_equal(staking_load_set(&res.state, 0, set), STATE_NOT_FOUND);
	assert_int_equal(res.tip.height, 0);
	assert_int_equal(res.tip.time_ms, fx.genesis.genesis_time_ms);
	assert_int_equal(genesis_apply(&fx.genesis, &st, &again, NULL), LEDGER_OK);
	assert_memory_equal(res.app_hash, again.app_hash, HASH_SIZE);
	ledger_block_result_free(&again);
	ledger_block_result_free(&res);
	state_mem_free(&mem);
	free(set);
}

static void test_invariant_notices_created_money(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	struct ledger_block_result res;
	struct account a;
	char why[256];

	state_mem_init(&mem, &st);
	assert_int_equal(genesis_apply(&fx.genesis, &st, &res, NULL), LEDGER_OK);
	assert_int_equal(account_load(&res.state, fx.signers[7].pubkey, &a), STATE_OK);
	a.balance = 1;
	assert_int_equal(account_store(&res.state, fx.signers[7].pubkey, &a), STATE_OK);
	assert_int_equal(invariant_check(&fx.ledger, &res.state, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "holdings"));
	/* a plain bond needs no index entry */
	a.balance = 0;
	a.bonded = 0;
	assert_int_equal(account_store(&res.state, fx.signers[7].pubkey, &a), STATE_OK);
	assert_int_equal(account_load(&res.state, fx.signers[1].pubkey, &a), STATE_OK);
	a.balance -= 5;
	a.bonded += 5;
	assert_int_equal(account_store(&res.state, fx.signers[1].pubkey, &a), STATE_OK);
	assert_int_equal(invariant_check(&fx.ledger, &res.state, why, sizeof(why)), 0);
	/* an index entry for it (not a candidate) */
	assert_int_equal(staking_reindex(&res.state, fx.signers[1].pubkey, 0, 5), STATE_OK);
	assert_int_equal(invariant_check(&fx.ledger, &res.state, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a validator candidate"));
	/* a candidate bonded without an index entry */
	assert_int_equal(staking_reindex(&res.state, fx.signers[1].pubkey, 5, 0), STATE_OK);
	a.validator = true;
	assert_int_equal(account_store(&res.state, fx.signers[1].pubkey, &a), STATE_OK);
	assert_int_equal(invariant_check(&fx.ledger, &res.state, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "stake index"));
	/* a candidate with nothing bonded */
	a.balance += 5;
	a.bonded = 0;
	assert_int_equal(account_store(&res.state, fx.signers[1].pubkey, &a), STATE_OK);
	assert_int_equal(invariant_check(&fx.ledger, &res.state, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "candidate with nothing bonded"));
	ledger_block_result_free(&res);
	state_mem_free(&mem);
}

static enum ledger_reason refuse(void *arg, const struct ledger *l, const struct state *st,
				 const struct ledger_block_ctx *blk, const struct tx *tx,
				 struct ledger_error *err)
{
	(void)arg;
	(void)l;
	(void)st;
	(void)blk;
	(void)tx;
	return ledger_fail(err, LEDGER_MODULE_REJECTED, NULL);
}

static int hold_five(void *arg, const struct state *st, uint64_t *amount)
{
	(void)arg;
	(void)st;
	*amount = 5;
	return 0;
}

static void test_invariant_counts_what_modules_hold(void **state UNUSED)
{
	static const Hearth__TxBody__KindCase kinds[] = { HEARTH__TX_BODY__KIND_BID };
	struct ledger_module escrow = {
		.name = "escrow",
		.kinds = kinds,
		.n_kinds = 1,
		.check = refuse,
		.apply = refuse,
		.end_block = NULL,
		.held = hold_five,
		.arg = NULL,
	};
	struct ledger l = fx.ledger;
	struct state_mem mem;
	struct state st;
	struct ledger_block_result res;
	struct account a;
	char why[256];

	assert_int_equal(ledger_register_module(&l, &escrow), 0);
	state_mem_init(&mem, &st);
	assert_int_equal(genesis_apply(&fx.genesis, &st, &res, NULL), LEDGER_OK);
	assert_int_equal(invariant_check(&l, &res.state, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "held 5"));
	/* 5 units moved from a balance into the module's keeping: balanced */
	assert_int_equal(account_load(&res.state, fx.signers[2].pubkey, &a), STATE_OK);
	a.balance -= 5;
	assert_int_equal(account_store(&res.state, fx.signers[2].pubkey, &a), STATE_OK);
	assert_int_equal(invariant_check(&l, &res.state, why, sizeof(why)), 0);
	ledger_block_result_free(&res);
	state_mem_free(&mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genesis_parses_every_field),
		cmocka_unit_test(test_genesis_hash_ignores_layout_but_not_content),
		cmocka_unit_test(test_syntax_error_names_line_and_column),
		cmocka_unit_test(test_unknown_keys_are_rejected_where_they_are),
		cmocka_unit_test(test_error_about_a_key_is_one_printable_line),
		cmocka_unit_test(test_missing_keys_are_named),
		cmocka_unit_test(test_market_parameters_are_bounded),
		cmocka_unit_test(test_wrong_types_and_ranges_are_rejected_at_the_value),
		cmocka_unit_test(test_bad_addresses_and_entries_are_rejected),
		cmocka_unit_test(test_genesis_balance_bond_is_stake_without_candidacy),
		cmocka_unit_test(test_genesis_balance_bond_rejections),
		cmocka_unit_test(test_more_validators_than_max_is_rejected),
		cmocka_unit_test(test_genesis_state_holds_accounts_set_and_supply),
		cmocka_unit_test(test_invariant_notices_created_money),
		cmocka_unit_test(test_invariant_counts_what_modules_hold),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
