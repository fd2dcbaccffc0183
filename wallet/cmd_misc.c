/* cmd_misc.c: hearth-cli's node and result commands: rpc (a raw call, like
 * bitcoin-cli), status, and verify (recomputes a result hash locally with
 * node/result_hash.c, the third party's check of doc/result-hash.md). */
#include "wallet/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/result_hash.h"
#include "proto/hex.h"
#include "wallet/amount.h"

#define VERIFY_MAX_ENTRIES 1000000
#define VERIFY_MAX_BYTES   (64ULL << 30)

static int run_rpc(struct cli_ctx *ctx, int argc, char **argv)
{
	json_t *params, *res;
	char *text;

	if (argc < 1)
		return cli_fail("usage: hearth-cli rpc METHOD [PARAMS...]");
	params = json_array();
	if (params == NULL)
		return cli_fail("out of memory");
	for (int i = 1; i < argc; i++) {
		/* A parameter is JSON when it parses as JSON, else a string. */
		json_t *v = json_loads(argv[i], JSON_DECODE_ANY, NULL);

		if (v == NULL)
			v = json_string(argv[i]);
		if (v == NULL || json_array_append_new(params, v) != 0) {
			json_decref(params);
			return cli_fail("parameter %d is not valid UTF-8 text", i);
		}
	}
	if (cli_rpc(ctx, argv[0], params, &res) != 0)
		return 1;
	if (json_is_string(res)) {
		puts(json_string_value(res));
		json_decref(res);
		return 0;
	}
	text = json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(res);
	if (text == NULL)
		return cli_fail("out of memory");
	puts(text);
	free(text);
	return 0;
}

/* The peer count, from getpeerinfo when the node has it.
 * Returns 0 with *count, 1 when the node has no such method, -1 on error. */
static int peer_count(struct cli_ctx *ctx, size_t *count)
{
	struct rpc_error e;
	json_t *res, *peers;

	if (cli_rpc_quiet(ctx, "getpeerinfo", NULL, &res, &e) != 0) {
		if (e.failure == RPC_FAIL_REMOTE && e.code == RPC_CLIENT_CODE_NOT_FOUND)
			return 1;
		cli_fail_rpc(&e);
		return -1;
	}
	peers = json_is_array(res) ? res : json_object_get(res, "peers");
	*count = json_is_array(peers) ? json_array_size(peers) : 0;
	json_decref(res);
	return 0;
}

static int run_status(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const fields[] = { "chain_id", "network", "height", "best_block_hash",
					      "genesis_hash" };
	struct cli_row rows[6];
	size_t n = 0, peers = 0;
	json_t *info;
	int have_peers;

	(void)argv;
	if (argc != 0)
		return cli_fail("usage: hearth-cli status");
	if (cli_rpc(ctx, "getblockchaininfo", NULL, &info) != 0)
		return 1;
	have_peers = peer_count(ctx, &peers);
	if (have_peers < 0) {
		json_decref(info);
		return 1;
	}
	if (ctx->json) {
		if (have_peers == 0)
			json_object_set_new(info, "peers", json_integer((json_int_t)peers));
		return cli_print_json(info);
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *v = json_object_get(info, fields[i]);

		if (v == NULL)
			continue;
		rows[n].label = fields[i];
		if (json_is_string(v))
			snprintf(rows[n].value, sizeof(rows[n].value), "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(rows[n].value, sizeof(rows[n].value), "%lld",
				 (long long)json_integer_value(v));
		else
			continue;
		n++;
	}
	if (have_peers == 0) {
		rows[n].label = "peers";
		snprintf(rows[n].value, sizeof(rows[n].value), "%zu", peers);
		n++;
	}
	json_decref(info);
	cli_print_rows(rows, n);
	return 0;
}

/* H("hearth/stdout", <dir>/stdout), streamed; a missing file is empty. */
static int hash_stdout_file(int dirfd, uint8_t out[HASH_SIZE])
{
	uint8_t buf[65536];
	struct hasher h;
	ssize_t n;
	int fd = openat(dirfd, "stdout", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno != ENOENT)
		return cli_fail("verify: cannot open stdout: %s", strerror(errno));
	hash_begin(&h, "hearth/stdout");
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			close(fd);
			return cli_fail("verify: cannot read stdout: %s", strerror(errno));
		}
		hash_update(&h, buf, (size_t)n);
	}
	if (fd >= 0)
		close(fd);
	hash_finish(&h, out);
	return 0;
}

/* Out: st from --exit/--signal, else from <dir>/status ("exit N" or
 * "signal N"), else exit 0. */
static int read_status(int dirfd, const char *exit_text, const char *signal_text,
		       struct result_status *st)
{
	char buf[64], word[16];
	unsigned long long v;
	ssize_t n;
	int fd;

	st->kind = RESULT_EXITED;
	st->value = 0;
	if (exit_text != NULL || signal_text != NULL) {
		uint64_t value;

		if (exit_text != NULL && signal_text != NULL)
			return cli_fail("verify: give --exit or --signal, not both");
		if (amount_parse_count(exit_text != NULL ? exit_text : signal_text, 255, &value))
			return cli_fail("verify: the exit code or signal must be 0..255");
		st->kind = exit_text != NULL ? RESULT_EXITED : RESULT_SIGNALED;
		st->value = value;
		return 0;
	}
	fd = openat(dirfd, "status", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : cli_fail("verify: cannot open status");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return cli_fail("verify: cannot read status");
	buf[n] = '\0';
	if (sscanf(buf, "%15s %llu", word, &v) != 2 || v > 255 ||
	    (strcmp(word, "exit") != 0 && strcmp(word, "signal") != 0))
		return cli_fail("verify: status must read 'exit N' or 'signal N'");
	st->kind = strcmp(word, "exit") == 0 ? RESULT_EXITED : RESULT_SIGNALED;
	st->value = v;
	return 0;
}

int cli_result_hash(int dirfd, const struct result_status *st, uint8_t out[HASH_SIZE])
{
	struct manifest m = { NULL, 0, 0 };
	struct node_error e;
	uint8_t stdout_hash[HASH_SIZE];
	int outfd;

	if (hash_stdout_file(dirfd, stdout_hash) != 0)
		return 1;
	outfd = openat(dirfd, "out", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (outfd < 0 && errno != ENOENT)
		return cli_fail("verify: cannot open out/: %s", strerror(errno));
	if (outfd >= 0) {
		memset(&e, 0, sizeof(e));
		int rc = manifest_build(outfd, VERIFY_MAX_ENTRIES, VERIFY_MAX_BYTES, &m, &e);

		close(outfd);
		if (rc != 0) {
			manifest_free(&m);
			return cli_fail("verify: out/ is not a valid result: %s", e.msg);
		}
	}
	result_hash_compute(st, stdout_hash, &m, out);
	manifest_free(&m);
	return 0;
}

static int run_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *hash = NULL, *exit_text = NULL, *signal_text = NULL;
	const struct cli_opt opts[] = { { "hash", &hash, NULL, NULL },
					{ "exit", &exit_text, NULL, NULL },
					{ "signal", &signal_text, NULL, NULL } };
	uint8_t want[HASH_SIZE], got[HASH_SIZE];
	char hex[2 * HASH_SIZE + 1], *pos[1];
	struct result_status st;
	size_t npos;
	int dirfd, rc;

	if (cli_parse_opts("verify", argc, argv, opts, 3, pos, 1, &npos) != 0)
		return 1;
	if (npos != 1 || hash == NULL)
		return cli_fail("usage: hearth-cli verify DIR --hash H [--exit N | --signal N]");
	if (strlen(hash) != 2 * HASH_SIZE || hex_decode_exact(hash, want, sizeof(want)) != 0)
		return cli_fail("verify: --hash must be 64 hex digits");
	dirfd = open(pos[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return cli_fail("verify: cannot open %s: %s", pos[0], strerror(errno));
	rc = read_status(dirfd, exit_text, signal_text, &st);
	if (rc == 0)
		rc = cli_result_hash(dirfd, &st, got);
	close(dirfd);
	if (rc != 0 || hex_encode(got, sizeof(got), hex, sizeof(hex)) != 0)
		return 1;
	rc = ct_equal(got, want, HASH_SIZE) ? 0 : 1;
	if (ctx->json)
		return cli_print_json(json_pack("{s:s, s:s, s:b}", "hash", hex, "expected", hash,
						"match", rc == 0)) ||
		       rc;
	if (rc != 0)
		return cli_fail("verify: result hash mismatch: %s holds %s, expected %s", pos[0],
				hex, hash);
	printf("ok  %s\n", hex);
	return 0;
}

const struct cli_command cmd_misc_table[] = {
	{ "rpc", "METHOD [PARAMS...]", "call a JSON-RPC method of the node directly",
	  "Calls METHOD with the given positional parameters, each taken as JSON when\n"
	  "it parses as JSON (42, true, [1], {\"a\":1}, \"\\\"text\\\"\") and as a string\n"
	  "otherwise. Prints the result as JSON (a string result as plain text).",
	  run_rpc },
	{ "status", "", "the node's chain, network, height and peers",
	  "Prints the node's chain id, network, height, best block and genesis hash\n"
	  "(getblockchaininfo), and its peer count when the node offers getpeerinfo.",
	  run_status },
	{ "verify", "DIR --hash H [--exit N | --signal N]", "recompute a result hash locally",
	  "Recomputes the canonical result hash (doc/result-hash.md) of a result kept\n"
	  "in DIR: DIR/stdout (the job's standard output; missing = empty), DIR/out/\n"
	  "(the files it left; missing = none) and how it ended: --exit N or\n"
	  "--signal N, else DIR/status ('exit N' or 'signal N'), else exit 0.\n"
	  "Exit status 0 when the hash equals H, 1 otherwise.",
	  run_verify },
};
const size_t cmd_misc_count = sizeof(cmd_misc_table) / sizeof(cmd_misc_table[0]);
