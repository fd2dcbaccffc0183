/* privval_legacy.c: reads the old JSON priv_validator_state (before the
 * two-slot format), so that a datadir written by an older hearthd is
 * converted, never ignored. */
#include "node/privval_format.h"

#include <string.h>

#include <jansson.h>

#include "proto/hex.h"

int privval_legacy_is(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
			continue;
		return text[i] == '{';
	}
	return 0;
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

int privval_legacy_decode(const char *text, size_t len, struct privval_record *rec)
{
	json_error_t jerr;
	json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (obj == NULL)
		return -1;
	rc = decode(obj, rec);
	json_decref(obj);
	return rc;
}
