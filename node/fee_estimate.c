/* fee_estimate.c: the estimatefee computation over the mempool. */
#include "node/fee_estimate.h"

#include "proto/codec.h"

int fee_rate_of(const uint8_t *tx, size_t len, size_t max_len, uint64_t *rate)
{
	ProtobufCMessage *env_msg, *body_msg;
	const Hearth__Tx *env;
	int rc = -1;

	if (len == 0 ||
	    codec_decode(&hearth__tx__descriptor, tx, len, max_len, &env_msg, NULL) != CODEC_OK)
		return -1;
	env = (const Hearth__Tx *)env_msg;
	if (codec_decode(&hearth__tx_body__descriptor, env->body.data, env->body.len, max_len,
			 &body_msg, NULL) == CODEC_OK) {
		*rate = ((const Hearth__TxBody *)body_msg)->fee / len;
		codec_free(body_msg);
		rc = 0;
	}
	codec_free(env_msg);
	return rc;
}

/* Half of a limit, rounded up, so a limit of 1 is under pressure at 1. */
static bool half_full(size_t used, size_t limit)
{
	return limit > 0 && used >= limit - limit / 2;
}

int fee_estimate(const struct mempool *mp, uint64_t min_fee_per_byte, size_t max_tx_bytes,
		 struct fee_estimate *est)
{
	est->min_feerate = min_fee_per_byte;
	est->feerate = min_fee_per_byte;
	est->lowest = 0;
	est->pressure = mp->count > 0 && (half_full(mp->count, mp->limits.max_txs) ||
					  half_full(mp->bytes, mp->limits.max_bytes));
	for (size_t i = 0; i < mp->count; i++) {
		uint64_t rate;

		if (fee_rate_of(mp->entries[i].tx, mp->entries[i].len, max_tx_bytes, &rate) != 0)
			return -1;
		if (i == 0 || rate < est->lowest)
			est->lowest = rate;
	}
	if (est->pressure && est->lowest != UINT64_MAX && est->lowest + 1 > est->feerate)
		est->feerate = est->lowest + 1;
	return 0;
}
