/* cmd_tx.c: hearth-cli's account commands: balance, send, bond, unbond, and
 * cli_submit_tx, which every transaction command ends with: chain id from
 * getblockchaininfo, nonce from getnonce (counting the mempool), fee from
 * --fee or estimatefee, signature, sendrawtransaction. */
#include "wallet/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wallet/amount.h"
#include "wallet/txbuild.h"

/* Out: chain_id (of the node, checked to run ctx's network). */
static int chain_id_get(struct cli_ctx *ctx, char *chain_id, size_t size)
{
	json_t *info, *id, *net;
	int rc = 0;

	if (cli_rpc(ctx, "getblockchaininfo", NULL, &info) != 0)
		return 1;
	id = json_object_get(info, "chain_id");
	net = json_object_get(info, "network");
	if (!json_is_string(id) || json_string_length(id) >= size)
		rc = cli_fail("the node's answer has no valid 'chain_id'");
	else if (json_is_string(net) &&
		 strcmp(json_string_value(net), cli_network_name(ctx->net)) != 0)
		rc = cli_fail("the node runs the %s network, not %s (use %s)",
			      json_string_value(net), cli_network_name(ctx->net),
			      strcmp(json_string_value(net), "dev") == 0 ? "-dev"
			      : strcmp(json_string_value(net), "test") == 0
				      ? "-testnet"
				      : "neither -dev nor -testnet");
	else
		snprintf(chain_id, size, "%s", json_string_value(id));
	json_decref(info);
	return rc;
}

static int nonce_next(struct cli_ctx *ctx, const char *addr, uint64_t *next)
{
	json_t *res;
	int rc;

	if (cli_rpc(ctx, "getnonce", json_pack("[s]", addr), &res) != 0)
		return 1;
	rc = cli_json_u64(res, "next", next);
	json_decref(res);
	return rc;
}

static int feerate_get(struct cli_ctx *ctx, uint64_t *feerate)
{
	struct rpc_error e;
	json_t *res;
	int rc;

	if (cli_rpc_quiet(ctx, "estimatefee", NULL, &res, &e) != 0) {
		if (e.failure == RPC_FAIL_REMOTE && e.code == RPC_CLIENT_CODE_NOT_FOUND)
			return cli_fail("the node has no estimatefee: give the fee with --fee "
					"AMOUNT");
		return cli_fail_rpc(&e);
	}
	rc = cli_json_u64(res, "feerate", feerate);
	json_decref(res);
	return rc;
}

static int print_sent(const struct cli_ctx *ctx, const char *txid, const char *id_label,
		      uint64_t fee, uint64_t nonce, const struct cli_row *extra, size_t nextra)
{
	struct cli_row rows[4 + CLI_EXTRA_MAX] = { { "txid", "" }, { "fee", "" }, { "nonce", "" } };
	char fee_text[AMOUNT_TEXT_MAX];
	size_t n = 3;
	json_t *o;

	if (amount_format(fee, fee_text, sizeof(fee_text)) != 0 || nextra > CLI_EXTRA_MAX)
		return cli_fail("cannot format the answer");
	snprintf(rows[0].value, sizeof(rows[0].value), "%s", txid);
	snprintf(rows[1].value, sizeof(rows[1].value), "%s HTH", fee_text);
	snprintf(rows[2].value, sizeof(rows[2].value), "%llu", (unsigned long long)nonce);
	if (id_label != NULL) {
		rows[n].label = id_label;
		snprintf(rows[n++].value, sizeof(rows[0].value), "%s", txid);
	}
	for (size_t i = 0; i < nextra; i++)
		rows[n++] = extra[i];
	if (!ctx->json) {
		cli_print_rows(rows, n);
		return 0;
	}
	o = json_pack("{s:s, s:I, s:I}", "txid", txid, "fee", (json_int_t)fee, "nonce",
		      (json_int_t)nonce);
	for (size_t i = 3; o != NULL && i < n; i++)
		json_object_set_new(o, rows[i].label, json_string(rows[i].value));
	return cli_print_json(o);
}

int cli_submit_tx(struct cli_ctx *ctx, Hearth__TxBody *body, const char *fee_text,
		  const char *id_label, const struct cli_row *extra, size_t nextra)
{
	char chain_id[256], addr[ADDRESS_MAX], *hex;
	uint64_t fee = 0, feerate = 0, nonce;
	uint8_t pub[PUBKEY_SIZE], *tx;
	struct signer s;
	json_t *res;
	size_t len;
	int rc;

	if (fee_text != NULL && amount_parse(fee_text, &fee) != 0)
		return cli_fail("bad fee '%s': an amount in HTH with up to 6 decimals", fee_text);
	if (cli_key_pubkey(ctx, pub) != 0)
		return 1;
	cli_address(ctx, pub, addr, sizeof(addr));
	if (chain_id_get(ctx, chain_id, sizeof(chain_id)) != 0 ||
	    nonce_next(ctx, addr, &nonce) != 0 ||
	    (fee_text == NULL && feerate_get(ctx, &feerate) != 0))
		return 1;
	if (cli_key_signer(ctx, &s) != 0)
		return 1;
	body->chain_id = chain_id;
	body->sender.data = s.pubkey;
	body->sender.len = PUBKEY_SIZE;
	body->nonce = nonce;
	rc = fee_text != NULL ? txbuild_sign_fee(body, &s, fee, &tx, &len)
			      : txbuild_sign_feerate(body, &s, feerate, &tx, &len);
	fee = body->fee;
	signer_wipe(&s);
	if (rc != 0)
		return cli_fail("cannot sign the transaction");
	hex = txbuild_hex(tx, len);
	free(tx);
	if (hex == NULL)
		return cli_fail("out of memory");
	rc = cli_rpc(ctx, "sendrawtransaction", json_pack("[s]", hex), &res);
	free(hex);
	if (rc != 0)
		return 1;
	if (!json_is_string(json_object_get(res, "txid")))
		rc = cli_fail("the node's answer has no 'txid'");
	else
		rc = print_sent(ctx, json_string_value(json_object_get(res, "txid")), id_label, fee,
				nonce, extra, nextra);
	json_decref(res);
	return rc;
}

static int parse_amount_arg(const char *text, uint64_t *units)
{
	if (amount_parse(text, units) != 0)
		return cli_fail("bad amount '%s': HTH with up to 6 decimals, e.g. 1.5 or 0.000001",
				text);
	if (*units == 0)
		return cli_fail("bad amount '%s': must be more than 0", text);
	return 0;
}

static int run_send(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *fee = NULL;
	const struct cli_opt opts[] = { { "fee", &fee, NULL, NULL } };
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Transfer transfer = HEARTH__TRANSFER__INIT;
	uint8_t to[PUBKEY_SIZE];
	char *pos[2];
	size_t npos;

	if (cli_parse_opts("send", argc, argv, opts, 1, pos, 2, &npos) != 0)
		return 1;
	if (npos != 2)
		return cli_fail("usage: hearth-cli send TO AMOUNT [--fee AMOUNT]");
	if (cli_parse_address(ctx, pos[0], to) != 0 || parse_amount_arg(pos[1], &transfer.amount))
		return 1;
	transfer.to.data = to;
	transfer.to.len = PUBKEY_SIZE;
	body.kind_case = HEARTH__TX_BODY__KIND_TRANSFER;
	body.transfer = &transfer;
	return cli_submit_tx(ctx, &body, fee, NULL, NULL, 0);
}

/* bond and unbond: one amount. */
static int run_stake(struct cli_ctx *ctx, int argc, char **argv, bool bond)
{
	const char *fee = NULL, *cmd = bond ? "bond" : "unbond";
	const struct cli_opt opts[] = { { "fee", &fee, NULL, NULL } };
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Bond b = HEARTH__BOND__INIT;
	Hearth__Unbond u = HEARTH__UNBOND__INIT;
	char *pos[1];
	size_t npos;

	if (cli_parse_opts(cmd, argc, argv, opts, 1, pos, 1, &npos) != 0)
		return 1;
	if (npos != 1)
		return cli_fail("usage: hearth-cli %s AMOUNT [--fee AMOUNT]", cmd);
	if (parse_amount_arg(pos[0], bond ? &b.amount : &u.amount) != 0)
		return 1;
	if (bond) {
		body.kind_case = HEARTH__TX_BODY__KIND_BOND;
		body.bond = &b;
	} else {
		body.kind_case = HEARTH__TX_BODY__KIND_UNBOND;
		body.unbond = &u;
	}
	return cli_submit_tx(ctx, &body, fee, NULL, NULL, 0);
}

static int run_bond(struct cli_ctx *ctx, int argc, char **argv)
{
	return run_stake(ctx, argc, argv, true);
}

static int run_unbond(struct cli_ctx *ctx, int argc, char **argv)
{
	return run_stake(ctx, argc, argv, false);
}

/* Formats member of res as "N.NNNNNN HTH" (amount) or a plain number. */
static int balance_row(const json_t *res, const char *member, bool amount, struct cli_row *row)
{
	char text[AMOUNT_TEXT_MAX];
	uint64_t v;

	if (cli_json_u64(res, member, &v) != 0)
		return 1;
	row->label = member;
	if (!amount)
		snprintf(row->value, sizeof(row->value), "%llu", (unsigned long long)v);
	else if (amount_format(v, text, sizeof(text)) == 0)
		snprintf(row->value, sizeof(row->value), "%s HTH", text);
	else
		return cli_fail("cannot format an amount");
	return 0;
}

static int run_balance(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_row rows[6] = { { "address", "" } };
	char addr[ADDRESS_MAX];
	uint8_t pub[PUBKEY_SIZE];
	json_t *res;
	int rc;

	if (argc > 1)
		return cli_fail("usage: hearth-cli balance [ADDRESS]");
	if (argc == 1 ? cli_parse_address(ctx, argv[0], pub) != 0 : cli_key_pubkey(ctx, pub) != 0)
		return 1;
	cli_address(ctx, pub, addr, sizeof(addr));
	if (cli_rpc(ctx, "getaccount", json_pack("[s]", addr), &res) != 0)
		return 1;
	if (ctx->json)
		return cli_print_json(res);
	snprintf(rows[0].value, sizeof(rows[0].value), "%s", addr);
	rc = balance_row(res, "balance", true, &rows[1]) ||
	     balance_row(res, "bonded", true, &rows[2]) ||
	     balance_row(res, "unbonding", true, &rows[3]) ||
	     balance_row(res, "nonce", false, &rows[4]) ||
	     balance_row(res, "height", false, &rows[5]);
	json_decref(res);
	if (rc == 0)
		cli_print_rows(rows, 6);
	return rc;
}

const struct cli_command cmd_tx_table[] = {
	{ "balance", "[ADDRESS]", "balance, stake and nonce of an address or of your key",
	  "Asks the node (getaccount) for the spendable balance, bonded stake, stake\n"
	  "being unbonded and nonce of ADDRESS, or of the selected key. -json prints\n"
	  "the node's answer, amounts in base units (1 HTH = 1000000).",
	  run_balance },
	{ "send", "TO AMOUNT [--fee AMOUNT]", "send HTH to an address",
	  "Signs a transfer of AMOUNT HTH (up to 6 decimals) from the selected key to\n"
	  "address TO and sends it to the node. The fee is the node's estimatefee rate\n"
	  "times the tx size, or --fee AMOUNT. Prints the txid.",
	  run_send },
	{ "bond", "AMOUNT [--fee AMOUNT]", "bond stake (validators, providers)",
	  "Moves AMOUNT HTH of the selected key's balance into its bonded stake.\n"
	  "Prints the txid.",
	  run_bond },
	{ "unbond", "AMOUNT [--fee AMOUNT]", "start releasing bonded stake",
	  "Starts releasing AMOUNT HTH of bonded stake; it returns to the balance\n"
	  "after the chain's unbonding period. Prints the txid.",
	  run_unbond },
};
const size_t cmd_tx_count = sizeof(cmd_tx_table) / sizeof(cmd_tx_table[0]);
