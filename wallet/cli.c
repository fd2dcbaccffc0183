/* cli.c: main of hearth-cli, the wallet CLI: global options (bitcoin-cli's
 * -name=value form, before or after the command), the command table made of
 * the groups' tables, `help`, and dispatch. The only file of wallet/ with
 * process-wide state (libcurl's global init). Usage and every command:
 * doc/cli.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "wallet/amount.h"
#include "wallet/cli.h"

struct group {
	const struct cli_command *cmds;
	const size_t *count;
};

static const struct group groups[] = {
	{ cmd_keys_table, &cmd_keys_count },	 { cmd_tx_table, &cmd_tx_count },
	{ cmd_market_table, &cmd_market_count }, { cmd_query_table, &cmd_query_count },
	{ cmd_result_table, &cmd_result_count }, { cmd_misc_table, &cmd_misc_count },
};
#define NUM_GROUPS (sizeof(groups) / sizeof(groups[0]))

static const char global_help[] =
	"Global options (before or after the command):\n"
	"  -datadir=DIR        base directory (default ~/.hearth); keys in DIR/wallet\n"
	"  -dev, -testnet      the network (default main)\n"
	"  -rpcconnect=HOST    node address (default 127.0.0.1)\n"
	"  -rpcport=PORT       node RPC port (default 9741, dev 19741)\n"
	"  -rpcuser=U -rpcpassword=P  credentials (default: the node's .cookie)\n"
	"  -rpcwait            wait for the node to answer\n"
	"  -rpcwaittimeout=S   give up waiting after S seconds (default 60)\n"
	"  -key=NAME           the key to use (default 'default' or the only key)\n"
	"  -keyfile=PATH       sign with an unencrypted node-format key file\n"
	"  -stdin              read the passphrase from the first line of stdin\n"
	"  -json               machine-readable output\n"
	"The passphrase is also read from HEARTH_PASSPHRASE, else asked on the terminal.\n";

static const struct cli_command *find_command(const char *name)
{
	for (size_t g = 0; g < NUM_GROUPS; g++) {
		for (size_t i = 0; i < *groups[g].count; i++) {
			if (strcmp(groups[g].cmds[i].name, name) == 0)
				return &groups[g].cmds[i];
		}
	}
	return NULL;
}

static int help_all(const struct cli_ctx *ctx)
{
	json_t *list = ctx->json ? json_array() : NULL;

	if (ctx->json && list == NULL)
		return cli_fail("out of memory");
	if (!ctx->json)
		printf("Usage: hearth-cli [options] COMMAND [ARGS...]\n\nCommands:\n");
	for (size_t g = 0; g < NUM_GROUPS; g++) {
		for (size_t i = 0; i < *groups[g].count; i++) {
			const struct cli_command *c = &groups[g].cmds[i];

			if (list != NULL)
				json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "name",
								      c->name, "usage", c->usage,
								      "summary", c->summary));
			else
				printf("  %-10s %s\n", c->name, c->summary);
		}
	}
	if (list != NULL)
		return cli_print_json(json_pack("{s:o}", "commands", list));
	printf("  %-10s %s\n\n%s\n'hearth-cli help COMMAND' explains one command.\n", "help",
	       "list the commands, or explain one", global_help);
	return 0;
}

static int run_help(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *c;

	if (argc == 0)
		return help_all(ctx);
	if (argc > 1)
		return cli_fail("usage: hearth-cli help [COMMAND]");
	c = find_command(argv[0]);
	if (c == NULL) {
		if (strcmp(argv[0], "help") == 0) {
			printf("hearth-cli help [COMMAND]\n\nLists the commands, or explains "
			       "COMMAND.\n");
			return 0;
		}
		return cli_fail("unknown command '%s' (see 'hearth-cli help')", argv[0]);
	}
	if (ctx->json)
		return cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "name", c->name, "usage",
						c->usage, "summary", c->summary, "help", c->help));
	printf("hearth-cli %s%s%s\n\n%s.\n\n%s\n\nEvery command also takes -json.\n", c->name,
	       c->usage[0] ? " " : "", c->usage, c->summary, c->help);
	return 0;
}

/* Matches "-name" or "-name=value"; out: *value (NULL without '='). */
static bool opt_match(const char *arg, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (arg[0] != '-' || strncmp(arg + 1, name, n) != 0)
		return false;
	if (arg[1 + n] == '\0') {
		*value = NULL;
		return true;
	}
	if (arg[1 + n] != '=')
		return false;
	*value = arg + 2 + n;
	return true;
}

/* Applies one global option. Returns 1 when arg was one, 0 when it is not,
 * -1 after printing an error. */
static int global_option(struct cli_ctx *ctx, const char *arg)
{
	static const char *const strings[] = { "datadir",     "rpcconnect", "rpcuser",
					       "rpcpassword", "key",	    "keyfile" };
	const char **targets[] = { &ctx->datadir,	&ctx->rpc_opts.host,
				   &ctx->rpc_opts.user, &ctx->rpc_opts.password,
				   &ctx->key,		&ctx->keyfile };
	const char *v;
	uint64_t n;

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		if (!opt_match(arg, strings[i], &v))
			continue;
		if (v == NULL || v[0] == '\0')
			return cli_fail("-%s needs a value: -%s=...", strings[i], strings[i]), -1;
		*targets[i] = v;
		return 1;
	}
	if (opt_match(arg, "rpcport", &v) || opt_match(arg, "rpcwaittimeout", &v)) {
		bool port = arg[4] == 'p';

		if (v == NULL || amount_parse_count(v, port ? 65535 : 86400 * 365, &n) != 0 ||
		    (port && n == 0))
			return cli_fail("bad %s: %s", port ? "-rpcport" : "-rpcwaittimeout",
					v != NULL ? v : "(no value)"),
			       -1;
		if (port)
			ctx->rpc_opts.port = (unsigned)n;
		else
			ctx->rpc_opts.wait_timeout_s = (unsigned)n;
		return 1;
	}
	if (strcmp(arg, "-dev") == 0 || strcmp(arg, "-testnet") == 0) {
		ctx->net = arg[1] == 'd' ? NETWORK_DEV : NETWORK_TEST;
		return 1;
	}
	if (strcmp(arg, "-rpcwait") == 0 || strcmp(arg, "-json") == 0 ||
	    strcmp(arg, "-stdin") == 0) {
		bool *flag = arg[1] == 'r'   ? &ctx->rpc_opts.wait
			     : arg[1] == 'j' ? &ctx->json
					     : &ctx->from_stdin;

		*flag = true;
		return 1;
	}
	return 0;
}

/* Takes the global options out of argv (up to a "--"), keeping the rest in
 * order. Out: *argc. Returns 0, or 1 after printing an error. */
static int parse_globals(struct cli_ctx *ctx, int *argc, char **argv)
{
	int out = 1, rc;
	bool done = false;
	bool seen_dev = false, seen_test = false;

	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			done = true;
		rc = done ? 0 : global_option(ctx, argv[i]);
		if (rc < 0)
			return 1;
		if (rc == 0) {
			argv[out++] = argv[i];
			continue;
		}
		seen_dev |= strcmp(argv[i], "-dev") == 0;
		seen_test |= strcmp(argv[i], "-testnet") == 0;
	}
	if (seen_dev && seen_test)
		return cli_fail("-dev and -testnet cannot be used together");
	if (ctx->rpc_opts.host != NULL && ctx->rpc_opts.host[0] == '\0')
		return cli_fail("-rpcconnect needs a value");
	if ((ctx->rpc_opts.user == NULL) != (ctx->rpc_opts.password == NULL))
		return cli_fail("give both -rpcuser and -rpcpassword, or neither");
	*argc = out;
	return 0;
}

int main(int argc, char **argv)
{
	static struct cli_ctx ctx;
	const struct cli_command *c;
	int rc;

	ctx.net = NETWORK_MAIN;
	ctx.rpc_opts.wait_timeout_s = RPC_CLIENT_WAIT_DEFAULT_S;
	if (hearth_crypto_init() != 0)
		return cli_fail("cannot start the crypto libraries");
	if (parse_globals(&ctx, &argc, argv) != 0)
		return 1;
	if (argc < 2)
		return help_all(&ctx);
	if (argv[1][0] == '-')
		return cli_fail("unknown option '%s' (see 'hearth-cli help')", argv[1]);
	if (strcmp(argv[1], "help") == 0)
		return run_help(&ctx, argc - 2, argv + 2);
	c = find_command(argv[1]);
	if (c == NULL)
		return cli_fail("unknown command '%s' (see 'hearth-cli help')", argv[1]);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return cli_fail("cannot start libcurl");
	rc = c->run(&ctx, argc - 2, argv + 2);
	curl_global_cleanup();
	return rc;
}
