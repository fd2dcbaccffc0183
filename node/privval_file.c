/* privval_file.c: priv_validator_state as durable JSON. */
#include "node/privval_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "proto/hex.h"

static int put_hex(json_t *obj, const char *key, const uint8_t *bytes, size_t len)
{
	char hex[2 * SIG_SIZE + 1];

	if (hex_encode(bytes, len, hex, sizeof(hex)) != 0)
		return -1;
	return json_object_set_new(obj, key, json_string(hex));
}

int privval_file_persist(void *ctx, const struct privval_record *rec)
{
	const struct datadir *dd = ctx;
	json_t *obj = json_pack("{s:I, s:I, s:i, s:b, s:i, s:I}", "height", (json_int_t)rec->height,
				"round", (json_int_t)rec->round, "step", (int)rec->step,
				"has_block", (int)rec->has_block, "pol_round", (int)rec->pol_round,
				"lock_round", (json_int_t)rec->lock_round);
	char err[256], *text;
	int rc = -1;

	if (obj == NULL || put_hex(obj, "digest", rec->digest, HASH_SIZE) != 0 ||
	    put_hex(obj, "sig", rec->sig, SIG_SIZE) != 0 ||
	    put_hex(obj, "block_id", rec->block_id, HASH_SIZE) != 0 ||
	    put_hex(obj, "lock_id", rec->lock_id, HASH_SIZE) != 0) {
		json_decref(obj);
		return -1;
	}
	text = json_dumps(obj, JSON_SORT_KEYS | JSON_INDENT(1));
	json_decref(obj);
	if (text != NULL)
		rc = datadir_write_atomic(dd, PRIVVAL_FILE_NAME, text, strlen(text), 0600, err,
					  sizeof(err));
	free(text);
	return rc;
}

static int get_hex(json_t *obj, const char *key, uint8_t *out, size_t len)
{
	const char *hex = json_string_value(json_object_get(obj, key));

	return hex != NULL && hex_decode_exact(hex, out, len) == 0 ? 0 : -1;
}

static int get_int(json_t *obj, const char *key, json_int_t min, json_int_t max, json_int_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return *out >= min && *out <= max ? 0 : -1;
}

static int decode(json_t *obj, struct privval_record *rec)
{
	json_int_t height, round, step, pol, lock;
	json_t *has_block = json_object_get(obj, "has_block");

	if (get_int(obj, "height", 0, INT64_MAX, &height) != 0 ||
	    get_int(obj, "round", 0, UINT32_MAX, &round) != 0 ||
	    get_int(obj, "step", PRIVVAL_STEP_NONE, PRIVVAL_STEP_PRECOMMIT, &step) != 0 ||
	    get_int(obj, "pol_round", -1, INT32_MAX, &pol) != 0 ||
	    get_int(obj, "lock_round", -1, UINT32_MAX, &lock) != 0 || !json_is_boolean(has_block) ||
	    get_hex(obj, "digest", rec->digest, HASH_SIZE) != 0 ||
	    get_hex(obj, "sig", rec->sig, SIG_SIZE) != 0 ||
	    get_hex(obj, "block_id", rec->block_id, HASH_SIZE) != 0 ||
	    get_hex(obj, "lock_id", rec->lock_id, HASH_SIZE) != 0)
		return -1;
	rec->height = (uint64_t)height;
	rec->round = (uint32_t)round;
	rec->step = (enum privval_step)step;
	rec->pol_round = (int32_t)pol;
	rec->lock_round = (int64_t)lock;
	rec->has_block = json_is_true(has_block);
	return 0;
}

int privval_file_load(const struct datadir *dd, struct privval_record *rec, bool *found, char *err,
		      size_t err_size)
{
	char *text;
	size_t len;
	json_error_t jerr;
	json_t *obj;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rec->lock_round = -1;
	rec->pol_round = -1;
	*found = false;
	rc = datadir_read(dd, PRIVVAL_FILE_NAME, 4096, &text, &len, err, err_size);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return -1;
	obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (obj == NULL || decode(obj, rec) != 0) {
		json_decref(obj);
		snprintf(err, err_size,
			 "%s/%s is malformed: refusing to sign without knowing the last signature",
			 dd->path, PRIVVAL_FILE_NAME);
		return -1;
	}
	json_decref(obj);
	*found = true;
	return 0;
}
