/* cmd_keys.c: hearth-cli's key commands: keygen, keys, address, importkey,
 * exportkey. None of them needs a node. */
#include "wallet/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/hex.h"
#include "wallet/passphrase.h"

static int wallet_dir(struct cli_ctx *ctx)
{
	char err[KEYSTORE_ERR_MAX];

	if (ctx->wallet_dir[0] == '\0' &&
	    keystore_dir(ctx->datadir, ctx->wallet_dir, sizeof(ctx->wallet_dir), err,
			 sizeof(err)) != 0)
		return cli_fail("%s", err);
	return 0;
}

static int print_key(const struct cli_ctx *ctx, const char *name, const uint8_t pub[PUBKEY_SIZE])
{
	struct cli_row rows[2] = { { "name", "" }, { "address", "" } };
	char addr[ADDRESS_MAX], hex[2 * PUBKEY_SIZE + 1];

	cli_address(ctx, pub, addr, sizeof(addr));
	if (ctx->json) {
		if (hex_encode(pub, PUBKEY_SIZE, hex, sizeof(hex)) != 0)
			return cli_fail("cannot encode the public key");
		return cli_print_json(
			json_pack("{s:s, s:s, s:s}", "name", name, "address", addr, "pubkey", hex));
	}
	snprintf(rows[0].value, sizeof(rows[0].value), "%s", name);
	snprintf(rows[1].value, sizeof(rows[1].value), "%s", addr);
	cli_print_rows(rows, 2);
	return 0;
}

/* Encrypts secret as key name with a new passphrase and prints the key. */
static int store_key(struct cli_ctx *ctx, const char *name, const uint8_t secret[SECKEY_SIZE],
		     const uint8_t pub[PUBKEY_SIZE])
{
	char err[KEYSTORE_ERR_MAX], prompt[128];
	struct kdf_limits lim;
	struct passphrase p;
	int rc;

	if (!keystore_name_valid(name))
		return cli_fail("invalid key name '%s': use 1-%d of A-Z a-z 0-9 . _ - (not "
				"starting with '.')",
				name, KEYSTORE_NAME_MAX);
	if (wallet_dir(ctx) != 0)
		return 1;
	if (keystore_pubkey(ctx->wallet_dir, name, (uint8_t[PUBKEY_SIZE]){ 0 }, err, sizeof(err)) ==
	    0)
		return cli_fail("key '%s' already exists", name);
	snprintf(prompt, sizeof(prompt), "New passphrase for key '%s': ", name);
	if (passphrase_read(&p, ctx->from_stdin, true, prompt, err, sizeof(err)) != 0)
		return cli_fail("%s", err);
	keystore_limits_moderate(&lim);
	rc = keystore_create(ctx->wallet_dir, name, secret, p.text, p.len, &lim, err, sizeof(err));
	passphrase_wipe(&p);
	if (rc != 0)
		return cli_fail("%s", err);
	return print_key(ctx, name, pub);
}

static int run_keygen(struct cli_ctx *ctx, int argc, char **argv)
{
	uint8_t secret[SECKEY_SIZE], pub[PUBKEY_SIZE];
	struct signer s;
	int rc;

	if (argc != 1)
		return cli_fail("usage: hearth-cli keygen NAME");
	if (signer_generate(&s) != 0 || signer_secret(&s, secret) != 0) {
		signer_wipe(&s);
		return cli_fail("cannot generate a key");
	}
	memcpy(pub, s.pubkey, PUBKEY_SIZE);
	signer_wipe(&s);
	rc = store_key(ctx, argv[0], secret, pub);
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

static int run_importkey(struct cli_ctx *ctx, int argc, char **argv)
{
	uint8_t secret[SECKEY_SIZE], pub[PUBKEY_SIZE];
	struct signer s;
	int rc;

	if (argc != 2)
		return cli_fail("usage: hearth-cli importkey NAME HEX");
	rc = strlen(argv[1]) == 2 * SECKEY_SIZE ? hex_decode_exact(argv[1], secret, sizeof(secret))
						: -1;
	if (rc != 0 || signer_from_secret(&s, secret) != 0) {
		sodium_memzero(secret, sizeof(secret));
		return cli_fail("importkey: the secret key must be 64 hex digits of a valid "
				"secp256k1 key");
	}
	memcpy(pub, s.pubkey, PUBKEY_SIZE);
	signer_wipe(&s);
	rc = store_key(ctx, argv[0], secret, pub);
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

static int run_exportkey(struct cli_ctx *ctx, int argc, char **argv)
{
	uint8_t secret[SECKEY_SIZE];
	char hex[2 * SECKEY_SIZE + 1];
	struct signer s;
	int rc;

	if (argc != 1)
		return cli_fail("usage: hearth-cli exportkey NAME");
	if (!keystore_name_valid(argv[0]))
		return cli_fail("invalid key name '%s'", argv[0]);
	ctx->key = argv[0];
	ctx->keyfile = NULL;
	if (cli_key_signer(ctx, &s) != 0)
		return 1;
	rc = signer_secret(&s, secret) == 0 &&
			     hex_encode(secret, sizeof(secret), hex, sizeof(hex)) == 0
		     ? 0
		     : -1;
	signer_wipe(&s);
	sodium_memzero(secret, sizeof(secret));
	if (rc != 0) {
		sodium_memzero(hex, sizeof(hex));
		return cli_fail("cannot export key '%s'", argv[0]);
	}
	fprintf(stderr,
		"hearth-cli: warning: this is the unencrypted secret key of '%s'; "
		"anyone who sees it can spend its funds\n",
		argv[0]);
	if (ctx->json)
		rc = cli_print_json(json_pack("{s:s, s:s}", "name", argv[0], "secret", hex));
	else
		printf("%s\n", hex);
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

static int run_keys(struct cli_ctx *ctx, int argc, char **argv)
{
	char err[KEYSTORE_ERR_MAX], addr[ADDRESS_MAX], **names;
	uint8_t pub[PUBKEY_SIZE];
	json_t *list = NULL;
	size_t count;
	int width = 4;

	(void)argv;
	if (argc != 0)
		return cli_fail("usage: hearth-cli keys");
	if (wallet_dir(ctx) != 0)
		return 1;
	if (keystore_list(ctx->wallet_dir, &names, &count, err, sizeof(err)) != 0)
		return cli_fail("%s", err);
	if (ctx->json && (list = json_array()) == NULL) {
		keystore_names_free(names, count);
		return cli_fail("out of memory");
	}
	for (size_t i = 0; i < count; i++) {
		if ((int)strlen(names[i]) > width)
			width = (int)strlen(names[i]);
	}
	for (size_t i = 0; i < count; i++) {
		if (keystore_pubkey(ctx->wallet_dir, names[i], pub, err, sizeof(err)) != 0)
			snprintf(addr, sizeof(addr), "(unreadable)");
		else
			cli_address(ctx, pub, addr, sizeof(addr));
		if (list != NULL)
			json_array_append_new(
				list, json_pack("{s:s, s:s}", "name", names[i], "address", addr));
		else
			printf("%-*s  %s\n", width, names[i], addr);
	}
	keystore_names_free(names, count);
	if (list != NULL)
		return cli_print_json(json_pack("{s:o}", "keys", list));
	if (count == 0)
		fprintf(stderr, "no keys yet in %s: make one with 'hearth-cli keygen NAME'\n",
			ctx->wallet_dir);
	return 0;
}

static int run_address(struct cli_ctx *ctx, int argc, char **argv)
{
	char name[KEYSTORE_NAME_MAX + 1];
	uint8_t pub[PUBKEY_SIZE];

	if (argc > 1)
		return cli_fail("usage: hearth-cli address [NAME]");
	if (argc == 1) {
		ctx->key = argv[0];
		ctx->keyfile = NULL;
	}
	if (cli_key_pubkey(ctx, pub) != 0)
		return 1;
	if (ctx->keyfile != NULL)
		snprintf(name, sizeof(name), "(keyfile)");
	else if (cli_key_name(ctx, name, sizeof(name)) != 0)
		return 1;
	return print_key(ctx, name, pub);
}

const struct cli_command cmd_keys_table[] = {
	{ "keygen", "NAME", "make a new key, encrypted with a passphrase",
	  "Generates a secp256k1 key and stores it as NAME in the wallet directory,\n"
	  "encrypted with a passphrase asked twice (or -stdin / HEARTH_PASSPHRASE).\n"
	  "Prints the key's name and address.",
	  run_keygen },
	{ "keys", "", "list the wallet's keys and their addresses",
	  "Lists every key of the wallet directory with its address (no passphrase\n"
	  "needed: the public key is stored in clear).",
	  run_keys },
	{ "address", "[NAME]", "print the address of a key",
	  "Prints the address of key NAME, or of the selected key (-key, 'default',\n"
	  "the only key, or -keyfile).",
	  run_address },
	{ "importkey", "NAME HEX", "store an existing secret key (64 hex digits)",
	  "Encrypts the secret key HEX under a new passphrase as key NAME.\n"
	  "The hex may stay in your shell's history: clear it afterwards.",
	  run_importkey },
	{ "exportkey", "NAME", "print a key's secret in hex (dangerous)",
	  "Decrypts key NAME and prints its secret key as 64 hex digits, with a\n"
	  "warning on stderr. Anyone who sees the secret can spend its funds.",
	  run_exportkey },
};
const size_t cmd_keys_count = sizeof(cmd_keys_table) / sizeof(cmd_keys_table[0]);
