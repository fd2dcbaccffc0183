/* rpc_result.c: getjobresult, the results service of a provider node. It
 * answers only the consumer of the lease, who proves its key with a BIP340
 * signature over H("hearth/result-request", lease id || height as u64
 * big-endian) for a recent height; a bid with a result key gets the files
 * sealed to it (crypto_box_seal). Runs on an RPC thread: it reads a store
 * snapshot and the lease's files, never the loop's state. doc/rpc.md. */
#include "node/rpc_result.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market/market.h"
#include "node/executor.h"
#include "node/journal.h"
#include "node/node.h"
#include "proto/hex.h"

#define RESULT_MAX_BYTES     (64u << 20) /* stdout + archive served at most */
#define RESULT_HEIGHT_WINDOW 100	 /* a request signed this many blocks ago is still good */

void rpc_result_digest(const uint8_t lease_id[HASH_SIZE], uint64_t height, uint8_t out[HASH_SIZE])
{
	uint8_t buf[HASH_SIZE + 8];

	memcpy(buf, lease_id, HASH_SIZE);
	for (int i = 0; i < 8; i++)
		buf[HASH_SIZE + i] = (uint8_t)(height >> (56 - 8 * i));
	hash_tagged("hearth/result-request", buf, sizeof(buf), out);
}

struct request {
	uint8_t lease_id[HASH_SIZE];
	uint64_t height;
	uint8_t sig[SIG_SIZE];
	uint8_t consumer[PUBKEY_SIZE];
	bool has_key;
	uint8_t result_key[crypto_box_PUBLICKEYBYTES];
};

static int parse_request(json_t *params, struct request *rq, struct rpc_error *err)
{
	const char *lease = json_string_value(json_array_get(params, 0));
	const char *sig = json_string_value(json_array_get(params, 2));
	json_int_t height = json_integer_value(json_array_get(params, 1));

	if (lease == NULL || hex_decode_exact(lease, rq->lease_id, HASH_SIZE) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "lease_id: 64 hex digits");
	if (sig == NULL || hex_decode_exact(sig, rq->sig, SIG_SIZE) != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "sig: 128 hex digits");
	rq->height = (uint64_t)height;
	return 0;
}

/* The lease's consumer and the bid's result key, from a snapshot. */
static int load_parties(struct node *node, struct request *rq, uint64_t *tip_height,
			struct rpc_error *err)
{
	struct store_snapshot *snap;
	struct store_error serr;
	struct store_tip tip;
	Hearth__Lease *lease = NULL;
	Hearth__BidRecord *bid = NULL;
	int rc = -1;

	if (store_snapshot_open(node->store, &snap, &serr) != STORE_OK)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "store: %s", serr.msg);
	if (store_get_tip(node->store, snap, &tip, &serr) != STORE_OK)
		rpc_error_set(err, RPC_INTERNAL_ERROR, "store: %s", serr.msg);
	else if (market_lease_get(store_snapshot_state(snap), rq->lease_id, &lease) != STATE_OK ||
		 market_bid_get(store_snapshot_state(snap), lease->bid_id.data, &bid) != STATE_OK)
		rpc_error_set(err, RPC_NOT_FOUND, "no such lease");
	else {
		*tip_height = tip.height;
		memcpy(rq->consumer, lease->consumer.data, PUBKEY_SIZE);
		rq->has_key = bid->bid->has_result_key &&
			      bid->bid->result_key.len == crypto_box_PUBLICKEYBYTES;
		if (rq->has_key)
			memcpy(rq->result_key, bid->bid->result_key.data, sizeof(rq->result_key));
		rc = 0;
	}
	if (lease != NULL)
		codec_free(&lease->base);
	if (bid != NULL)
		codec_free(&bid->base);
	store_snapshot_close(snap);
	return rc;
}

static int check_auth(const struct request *rq, uint64_t tip_height, struct rpc_error *err)
{
	uint8_t digest[HASH_SIZE];

	if (rq->height > tip_height + 1 || rq->height + RESULT_HEIGHT_WINDOW < tip_height)
		return rpc_error_set(err, RPC_FORBIDDEN,
				     "the request's height must be within %d blocks of the tip",
				     RESULT_HEIGHT_WINDOW);
	rpc_result_digest(rq->lease_id, rq->height, digest);
	if (!sig_verify(rq->sig, digest, rq->consumer))
		return rpc_error_set(err, RPC_FORBIDDEN, "not signed by the lease's consumer");
	return 0;
}

/* Reads dir/name whole (at most max bytes). Returns 0, or -1. */
static int read_file(const char *dir, const char *name, size_t max, uint8_t **data, size_t *len)
{
	char path[4300];
	FILE *f;
	long size;

	*data = NULL;
	*len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || (size_t)size > max ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	*data = malloc((size_t)size + 1);
	if (*data == NULL || fread(*data, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(*data);
		*data = NULL;
		return -1;
	}
	fclose(f);
	*len = (size_t)size;
	return 0;
}

static json_t *b64(const uint8_t *data, size_t len)
{
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *text = malloc(cap);
	json_t *s;

	if (text == NULL)
		return NULL;
	sodium_bin2base64(text, cap, data, len, sodium_base64_VARIANT_ORIGINAL);
	s = json_string(text);
	free(text);
	return s;
}

/* {stdout, archive, manifest} of the lease directory. */
static json_t *files_json(const char *dir, struct rpc_error *err)
{
	uint8_t *out = NULL, *tar = NULL, *man = NULL;
	size_t out_len, tar_len, man_len;
	json_t *obj = NULL, *manifest;

	if (read_file(dir, "stdout", RESULT_MAX_BYTES, &out, &out_len) != 0 ||
	    read_file(dir, "result.tar", RESULT_MAX_BYTES - out_len, &tar, &tar_len) != 0 ||
	    read_file(dir, "manifest.json", RESULT_MAX_BYTES, &man, &man_len) != 0) {
		rpc_error_set(err, RPC_NOT_FOUND, "the result files are gone (pruned?)");
		goto out;
	}
	manifest = json_loadb((const char *)man, man_len, 0, NULL);
	obj = json_pack("{s:o, s:o, s:o}", "stdout", b64(out, out_len), "archive",
			b64(tar, tar_len), "manifest", manifest != NULL ? manifest : json_array());
	if (obj == NULL)
		rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
out:
	free(out);
	free(tar);
	free(man);
	return obj;
}

/* Replaces files with {sealed: base64(crypto_box_seal(its JSON text))}. */
static json_t *seal_files(json_t *files, const uint8_t key[crypto_box_PUBLICKEYBYTES],
			  struct rpc_error *err)
{
	char *text = json_dumps(files, JSON_COMPACT);
	size_t len = text != NULL ? strlen(text) : 0;
	uint8_t *box = text != NULL ? malloc(len + crypto_box_SEALBYTES) : NULL;
	json_t *obj = NULL;

	if (box != NULL && crypto_box_seal(box, (const uint8_t *)text, len, key) == 0)
		obj = json_pack("{s:o}", "sealed", b64(box, len + crypto_box_SEALBYTES));
	if (obj == NULL)
		rpc_error_set(err, RPC_INTERNAL_ERROR, "cannot seal the result");
	free(text);
	free(box);
	json_decref(files);
	return obj;
}

static json_t *outcome_json(const struct journal_entry *e)
{
	char hash[2 * HASH_SIZE + 1], lease[2 * HASH_SIZE + 1];

	if (hex_encode(e->result_hash, HASH_SIZE, hash, sizeof(hash)) != 0 ||
	    hex_encode(e->lease_id, HASH_SIZE, lease, sizeof(lease)) != 0)
		return NULL;
	return json_pack("{s:s, s:s, s:i, s:b, s:b, s:I, s:I, s:I}", "lease_id", lease,
			 "result_hash", hash, "exit_status", (int)e->exit_status, "timed_out",
			 e->timed_out, "oom_killed", e->oom_killed, "wall_ms",
			 (json_int_t)e->wall_ms, "cpu_ms", (json_int_t)e->cpu_ms,
			 "peak_memory_bytes", (json_int_t)e->peak_memory_bytes);
}

/* The result of an authorised request: outcome fields plus the files. */
static int answer(struct node *node, const struct request *rq, json_t **result,
		  struct rpc_error *err)
{
	char dir[4300], jerr[256];
	struct journal_entry e;
	json_t *files;

	if (journal_dir(executor_results_dir(node->executor), rq->lease_id, dir, sizeof(dir)) !=
		    0 ||
	    journal_load(dir, &e, jerr, sizeof(jerr)) != 0)
		return rpc_error_set(err, RPC_NOT_FOUND, "this node holds no result of the lease");
	if (!e.has_outcome)
		return rpc_error_set(err, RPC_NOT_FOUND, "the job has not finished yet");
	files = files_json(dir, err);
	if (files != NULL && rq->has_key)
		files = seal_files(files, rq->result_key, err);
	*result = files != NULL ? outcome_json(&e) : NULL;
	if (*result == NULL || json_object_update(*result, files) != 0 ||
	    json_object_set_new(*result, "encrypted", json_boolean(rq->has_key)) != 0) {
		json_decref(files);
		json_decref(*result);
		return files != NULL ? rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory") : -1;
	}
	json_decref(files);
	return 0;
}

static int getjobresult(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct node *node = ctx;
	struct request rq = { 0 };
	uint64_t tip_height = 0;

	if (node->executor == NULL)
		return rpc_error_set(err, RPC_MISC_ERROR,
				     "this node is not a provider (-provider)");
	if (parse_request(params, &rq, err) != 0 ||
	    load_parties(node, &rq, &tip_height, err) != 0 || check_auth(&rq, tip_height, err) != 0)
		return -1;
	return answer(node, &rq, result, err);
}

static const struct rpc_param result_params[] = {
	{ "lease_id", RPC_PARAM_STRING, false, "the lease, 64 hex digits" },
	{ "height", RPC_PARAM_UINT, false, "a recent block height the request is signed at" },
	{ "sig", RPC_PARAM_STRING, false,
	  "BIP340 signature by the consumer of H(\"hearth/result-request\", lease_id || height)" },
};

static const struct rpc_method methods[] = {
	{ "getjobresult", "a lease's result files, for its consumer only", result_params, 3, true,
	  getjobresult },
};

const struct rpc_method *rpc_result_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
