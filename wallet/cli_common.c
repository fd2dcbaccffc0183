/* cli_common.c: the helpers every hearth-cli command uses (see cli.h):
 * errors, output, command options, key selection and the RPC client. */
#include "wallet/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/hex.h"
#include "wallet/passphrase.h"

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("hearth-cli: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_fail_rpc(const struct rpc_error *e)
{
	if (e->failure == RPC_FAIL_REMOTE) {
		fprintf(stderr, "%s\n", e->message);
		return 1;
	}
	return cli_fail("%s", e->message);
}

int cli_print_json(json_t *obj)
{
	char *text = obj != NULL ? json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	json_decref(obj);
	if (text == NULL)
		return cli_fail("out of memory");
	puts(text);
	free(text);
	return 0;
}

void cli_print_rows(const struct cli_row *rows, size_t n)
{
	int width = 0;

	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(rows[i].label);

		if (len > width)
			width = len;
	}
	for (size_t i = 0; i < n; i++)
		printf("%-*s  %s\n", width, rows[i].label, rows[i].value);
}

/* Finds the option "--name" or "--name=value" of arg. Out: *inline_value. */
static const struct cli_opt *find_opt(const char *arg, const struct cli_opt *opts, size_t nopts,
				      const char **inline_value)
{
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");

	*inline_value = name[len] == '=' ? name + len + 1 : NULL;
	for (size_t i = 0; i < nopts; i++) {
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	}
	return NULL;
}

int cli_parse_opts(const char *cmd, int argc, char **argv, const struct cli_opt *opts, size_t nopts,
		   char **pos, size_t max_pos, size_t *npos)
{
	bool options_done = false;

	*npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *val;
		const struct cli_opt *o;

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (options_done || strncmp(arg, "--", 2) != 0) {
			if (*npos == max_pos)
				return cli_fail(
					"%s: unexpected argument '%s' (see 'hearth-cli help "
					"%s')",
					cmd, arg, cmd);
			pos[(*npos)++] = argv[i];
			continue;
		}
		o = find_opt(arg, opts, nopts, &val);
		if (o == NULL)
			return cli_fail("%s: unknown option '%s' (see 'hearth-cli help %s')", cmd,
					arg, cmd);
		if (o->flag != NULL) {
			if (val != NULL)
				return cli_fail("%s: --%s takes no value", cmd, o->name);
			*o->flag = true;
			continue;
		}
		if (val == NULL) {
			if (i + 1 == argc)
				return cli_fail("%s: --%s needs a value", cmd, o->name);
			val = argv[++i];
		}
		if (o->list == NULL) {
			*o->value = val;
		} else if (o->list->n == CLI_LIST_MAX) {
			return cli_fail("%s: --%s given more than %d times", cmd, o->name,
					CLI_LIST_MAX);
		} else {
			o->list->items[o->list->n++] = val;
		}
	}
	return 0;
}

static int ensure_wallet_dir(struct cli_ctx *ctx)
{
	char err[KEYSTORE_ERR_MAX];

	if (ctx->wallet_dir[0] != '\0')
		return 0;
	if (keystore_dir(ctx->datadir, ctx->wallet_dir, sizeof(ctx->wallet_dir), err,
			 sizeof(err)) != 0)
		return cli_fail("%s", err);
	return 0;
}

int cli_key_name(struct cli_ctx *ctx, char *name, size_t size)
{
	char err[KEYSTORE_ERR_MAX], **names;
	size_t count;
	int rc = 0;

	if (ctx->key != NULL) {
		if (!keystore_name_valid(ctx->key))
			return cli_fail("invalid key name '%s'", ctx->key);
		snprintf(name, size, "%s", ctx->key);
		return 0;
	}
	if (ensure_wallet_dir(ctx) != 0)
		return 1;
	if (keystore_list(ctx->wallet_dir, &names, &count, err, sizeof(err)) != 0)
		return cli_fail("%s", err);
	if (count == 1) {
		snprintf(name, size, "%s", names[0]);
	} else {
		size_t i;

		for (i = 0; i < count && strcmp(names[i], KEYSTORE_DEFAULT_KEY) != 0; i++)
			;
		if (i < count)
			snprintf(name, size, "%s", KEYSTORE_DEFAULT_KEY);
		else if (count == 0)
			rc = cli_fail("no key in %s: make one with 'hearth-cli keygen default'",
				      ctx->wallet_dir);
		else
			rc = cli_fail("%zu keys and none named 'default': choose one with "
				      "-key=NAME",
				      count);
	}
	keystore_names_free(names, count);
	return rc;
}

int cli_key_pubkey(struct cli_ctx *ctx, uint8_t pubkey[PUBKEY_SIZE])
{
	char name[KEYSTORE_NAME_MAX + 1], err[KEYSTORE_ERR_MAX];
	struct signer s;

	if (ctx->keyfile != NULL) {
		if (cli_key_signer(ctx, &s) != 0)
			return 1;
		memcpy(pubkey, s.pubkey, PUBKEY_SIZE);
		signer_wipe(&s);
		return 0;
	}
	if (cli_key_name(ctx, name, sizeof(name)) != 0 || ensure_wallet_dir(ctx) != 0)
		return 1;
	if (keystore_pubkey(ctx->wallet_dir, name, pubkey, err, sizeof(err)) != 0)
		return cli_fail("%s", err);
	return 0;
}

int cli_key_signer(struct cli_ctx *ctx, struct signer *s)
{
	char name[KEYSTORE_NAME_MAX + 1], err[KEYSTORE_ERR_MAX], prompt[128];
	struct passphrase p;
	int rc;

	if (ctx->keyfile != NULL) {
		if (keystore_load_keyfile(ctx->keyfile, s, err, sizeof(err)) != 0)
			return cli_fail("%s", err);
		return 0;
	}
	if (cli_key_name(ctx, name, sizeof(name)) != 0 || ensure_wallet_dir(ctx) != 0)
		return 1;
	snprintf(prompt, sizeof(prompt), "Passphrase of key '%s': ", name);
	if (passphrase_read(&p, ctx->from_stdin, false, prompt, err, sizeof(err)) != 0)
		return cli_fail("%s", err);
	rc = keystore_load(ctx->wallet_dir, name, p.text, p.len, s, err, sizeof(err));
	passphrase_wipe(&p);
	if (rc != 0)
		return cli_fail("%s", err);
	return 0;
}

void cli_address(const struct cli_ctx *ctx, const uint8_t pubkey[PUBKEY_SIZE], char *out,
		 size_t size)
{
	if (address_encode(ctx->net, pubkey, out, size) != 0)
		snprintf(out, size, "?");
}

const char *cli_network_name(enum network net)
{
	switch (net) {
	case NETWORK_MAIN:
		return "main";
	case NETWORK_TEST:
		return "test";
	case NETWORK_DEV:
		return "dev";
	}
	return "?";
}

int cli_parse_address(const struct cli_ctx *ctx, const char *text, uint8_t pubkey[PUBKEY_SIZE])
{
	const char *why = NULL;
	enum network net;

	if (strlen(text) >= ADDRESS_MAX * 2)
		return cli_fail("bad address: too long");
	if (address_decode(text, &net, pubkey, &why) != 0)
		return cli_fail("bad address '%s': %s", text, why != NULL ? why : "malformed");
	if (net != ctx->net)
		return cli_fail("bad address '%s': it is for the %s network, not %s%s", text,
				cli_network_name(net), cli_network_name(ctx->net),
				net == NETWORK_DEV    ? " (add -dev)"
				: net == NETWORK_TEST ? " (add -testnet)"
						      : "");
	return 0;
}

int cli_rpc_quiet(struct cli_ctx *ctx, const char *method, json_t *params, json_t **result,
		  struct rpc_error *e)
{
	int rc;

	if (!ctx->rpc_ready) {
		ctx->rpc_opts.datadir = ctx->datadir;
		ctx->rpc_opts.net = ctx->net;
		if (rpc_client_init(&ctx->rpc, &ctx->rpc_opts, e) != 0) {
			json_decref(params);
			return 1;
		}
		ctx->rpc_ready = true;
	}
	rc = rpc_client_call(&ctx->rpc, method, params, result, e);
	json_decref(params);
	return rc == 0 ? 0 : 1;
}

int cli_rpc(struct cli_ctx *ctx, const char *method, json_t *params, json_t **result)
{
	struct rpc_error e;

	if (cli_rpc_quiet(ctx, method, params, result, &e) != 0)
		return cli_fail_rpc(&e);
	return 0;
}

int cli_json_u64(const json_t *obj, const char *member, uint64_t *out)
{
	const json_t *v = json_object_get(obj, member);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return cli_fail("the node's answer has no '%s'", member);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int cli_parse_id(const char *what, const char *text, uint8_t id[HASH_SIZE])
{
	if (strlen(text) != 2 * HASH_SIZE || hex_decode_exact(text, id, HASH_SIZE) != 0)
		return cli_fail("bad %s '%.80s': 64 hex digits", what, text);
	return 0;
}
