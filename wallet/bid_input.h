/* bid_input.h: the input of a bid's job from hearth-cli's options: a
 * directory packed as ustar (--input DIR) or an archive used as it is
 * (--input-file F), carried inline, or with --input-by-hash stored on the
 * node the CLI talks to (putjobinput) and named in the bid by its hash and
 * the URL providers fetch it from (--input-url, default
 * http://<rpc host:port>/input/<hash>). doc/cli.md. */
#ifndef HEARTH_WALLET_BID_INPUT_H
#define HEARTH_WALLET_BID_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "wallet/cli.h"

#define BID_INPUT_URL_MAX 256 /* the market's bound of Job.input_url */

struct bid_input {
	/* In: the options (NULL / false when not given). */
	const char *dir, *file, *url;
	bool by_hash;
	/* Out. */
	uint8_t *data; /* the archive (free with bid_input_free) */
	size_t len;
	uint8_t hash[HASH_SIZE];
	char url_buf[BID_INPUT_URL_MAX + 1];
};

/* Reads the input named by in's options and fills job's input fields:
 * inline_input, or (by hash) input_hash and input_url after storing the
 * bytes on the node. Nothing given: job is left without input.
 * Returns 0, or 1 after printing the error. */
int bid_input_prepare(struct cli_ctx *ctx, struct bid_input *in, Hearth__Job *job);

/* Frees what bid_input_prepare kept. */
void bid_input_free(struct bid_input *in);

#endif
