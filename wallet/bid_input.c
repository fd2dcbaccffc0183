/* bid_input.c: a bid's job input from hearth-cli's options, inline or by
 * hash (bid_input.h). */
#include "wallet/bid_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "proto/hex.h"
#include "wallet/tarpack.h"

#define INLINE_MAX  (1u << 20)	 /* the largest max_inline_input_bytes a chain allows */
#define BY_HASH_MAX (256u << 20) /* rpcmaxbody's bound; the node's maxinputsize decides */

/* Reads the whole regular file path, at most max bytes. */
static int read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (f == NULL)
		return cli_fail("bid: --input-file %s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return cli_fail("bid: --input-file %s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		fclose(f);
		return cli_fail("bid: --input-file %s: %lld bytes, more than %zu", path,
				(long long)st.st_size, max);
	}
	*out = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	*len = *out != NULL ? fread(*out, 1, (size_t)st.st_size, f) : 0;
	if (*out == NULL || *len != (size_t)st.st_size) {
		fclose(f);
		return cli_fail("bid: --input-file %s: cannot read it", path);
	}
	fclose(f);
	return 0;
}

static int url_valid(const char *url)
{
	size_t len = strlen(url);

	if (len <= 7 || len > BID_INPUT_URL_MAX || strncmp(url, "http://", 7) != 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (url[i] <= 0x20 || url[i] >= 0x7f)
			return 0;
	}
	return 1;
}

/* putjobinput on the node; checks the node names the same hash. */
static int put_on_node(struct cli_ctx *ctx, struct bid_input *in, const char *hex)
{
	size_t b64_len = sodium_base64_ENCODED_LEN(in->len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64_len);
	const char *got;
	json_t *res;
	int rc;

	if (b64 == NULL)
		return cli_fail("bid: out of memory");
	sodium_bin2base64(b64, b64_len, in->data, in->len, sodium_base64_VARIANT_ORIGINAL);
	rc = cli_rpc(ctx, "putjobinput", json_pack("[s]", b64), &res);
	free(b64);
	if (rc != 0)
		return 1;
	got = json_string_value(json_object_get(res, "input_hash"));
	rc = got != NULL && strcmp(got, hex) == 0
		     ? 0
		     : cli_fail("bid: the node stored the input under another hash");
	json_decref(res);
	return rc;
}

static int by_hash(struct cli_ctx *ctx, struct bid_input *in, Hearth__Job *job)
{
	char hex[2 * HASH_SIZE + 1];
	const char *host = ctx->rpc_opts.host != NULL ? ctx->rpc_opts.host : "127.0.0.1";
	unsigned port = ctx->rpc_opts.port != 0	  ? ctx->rpc_opts.port
			: ctx->net == NETWORK_DEV ? RPC_CLIENT_PORT_DEV
						  : RPC_CLIENT_PORT_MAIN;
	int n;

	hash_tagged("hearth/input", in->data, in->len, in->hash);
	if (hex_encode(in->hash, HASH_SIZE, hex, sizeof(hex)) != 0 || put_on_node(ctx, in, hex))
		return 1;
	if (in->url != NULL)
		n = snprintf(in->url_buf, sizeof(in->url_buf), "%s", in->url);
	else
		n = snprintf(in->url_buf, sizeof(in->url_buf), "http://%s%s%s:%u/input/%s",
			     strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port,
			     hex);
	if (n < 0 || (size_t)n >= sizeof(in->url_buf) || !url_valid(in->url_buf))
		return cli_fail("bid: bad input URL '%s': http://..., at most %d bytes",
				in->url != NULL ? in->url : in->url_buf, BID_INPUT_URL_MAX);
	job->has_input_hash = true;
	job->input_hash.data = in->hash;
	job->input_hash.len = HASH_SIZE;
	job->input_url = in->url_buf;
	return 0;
}

int bid_input_prepare(struct cli_ctx *ctx, struct bid_input *in, Hearth__Job *job)
{
	size_t max = in->by_hash ? BY_HASH_MAX : INLINE_MAX;
	char err[256];

	if (in->dir != NULL && in->file != NULL)
		return cli_fail("bid: give --input DIR or --input-file FILE, not both");
	if (in->url != NULL && !in->by_hash)
		return cli_fail("bid: --input-url needs --input-by-hash");
	if (in->url != NULL && !url_valid(in->url))
		return cli_fail("bid: bad --input-url '%s': http://..., at most %d bytes", in->url,
				BID_INPUT_URL_MAX);
	if (in->by_hash && in->dir == NULL && in->file == NULL)
		return cli_fail("bid: --input-by-hash needs --input DIR or --input-file FILE");
	if (in->dir != NULL &&
	    tarpack_dir(in->dir, max, &in->data, &in->len, err, sizeof(err)) != 0)
		return cli_fail("bid: --input: %s", err);
	if (in->file != NULL && read_file(in->file, max, &in->data, &in->len) != 0)
		return 1;
	if (in->data == NULL)
		return 0;
	if (in->by_hash)
		return by_hash(ctx, in, job);
	job->has_inline_input = true;
	job->inline_input.data = in->data;
	job->inline_input.len = in->len;
	return 0;
}

void bid_input_free(struct bid_input *in)
{
	free(in->data);
	in->data = NULL;
}
