/* params.c: bounds of the chain parameters and their stored record. */
#include "consensus/params.h"

#include "consensus/keys.h"
#include "consensus/record.h"
#include "consensus/validators.h"
#include "proto/codec.h"

int params_validate(const struct params *p, const char **why)
{
	*why = NULL;
	if (p->max_tx_bytes < PARAMS_TX_BYTES_MIN || p->max_tx_bytes > PARAMS_TX_BYTES_MAX)
		*why = "max_tx_bytes must be in [128, 1048576]";
	else if (p->max_block_bytes < p->max_tx_bytes ||
		 p->max_block_bytes > PARAMS_BLOCK_BYTES_MAX)
		*why = "max_block_bytes must be in [max_tx_bytes, 67108864]";
	else if (p->max_block_txs == 0 || p->max_block_txs > PARAMS_BLOCK_TXS_MAX)
		*why = "max_block_txs must be in [1, 100000]";
	else if (p->unbonding_blocks == 0 || p->unbonding_blocks > UINT32_MAX)
		*why = "unbonding_blocks must be in [1, 4294967295]";
	else if (p->max_validators == 0 || p->max_validators > VALIDATORS_MAX)
		*why = "max_validators must be in [1, 256]";
	else if (p->slash_fraction_ppm > PARAMS_PPM)
		*why = "slash_fraction_ppm must be at most 1000000";
	else if (p->max_inline_input_bytes > PARAMS_TX_BYTES_MAX)
		*why = "max_inline_input_bytes must be at most 1048576";
	else if (p->market_block_time_ms == 0 || p->market_block_time_ms > PARAMS_BLOCK_TIME_MS_MAX)
		*why = "market.block_time_ms must be in [1, 3600000]";
	else if (p->market_lease_grace_blocks > PARAMS_GRACE_BLOCKS_MAX)
		*why = "market.lease_grace_blocks must be at most 1000000";
	else if (p->market_match_bids == 0 || p->market_match_bids > PARAMS_MATCH_BIDS_MAX)
		*why = "market.match_bids_per_block must be in [1, 100000]";
	else if (p->market_match_offers == 0 || p->market_match_offers > PARAMS_MATCH_OFFERS_MAX)
		*why = "market.match_offers_per_bid must be in [1, 100000]";
	else if (p->market_challenge_blocks > PARAMS_CHALLENGE_BLOCKS_MAX)
		*why = "market.challenge_blocks must be at most 1000000";
	else if (p->market_slash_missed_ppm > PARAMS_PPM)
		*why = "market.slash_missed_deadline_ppm must be at most 1000000";
	else if (p->market_reveal_blocks == 0 || p->market_reveal_blocks > PARAMS_REVEAL_BLOCKS_MAX)
		*why = "market.reveal_blocks must be in [1, 1000000]";
	else if (p->market_slash_wrong_ppm > PARAMS_PPM)
		*why = "market.slash_wrong_result_ppm must be at most 1000000";
	else if (p->market_dispute_bond > INT64_MAX)
		*why = "market.dispute_bond must be at most 9223372036854775807";
	return *why == NULL ? 0 : -1;
}

enum state_status params_store(const struct state *st, const struct params *p)
{
	Hearth__Params rec = HEARTH__PARAMS__INIT;
	struct key k;

	rec.max_block_bytes = p->max_block_bytes;
	rec.max_block_txs = p->max_block_txs;
	rec.max_tx_bytes = p->max_tx_bytes;
	rec.min_fee_per_byte = p->min_fee_per_byte;
	rec.unbonding_blocks = p->unbonding_blocks;
	rec.min_provider_bond = p->min_provider_bond;
	rec.max_validators = p->max_validators;
	rec.slash_fraction_ppm = p->slash_fraction_ppm;
	rec.max_inline_input_bytes = p->max_inline_input_bytes;
	rec.market_block_time_ms = p->market_block_time_ms;
	rec.market_lease_grace_blocks = p->market_lease_grace_blocks;
	rec.market_match_bids = p->market_match_bids;
	rec.market_match_offers = p->market_match_offers;
	rec.market_challenge_blocks = p->market_challenge_blocks;
	rec.market_slash_missed_ppm = p->market_slash_missed_ppm;
	rec.market_reveal_blocks = p->market_reveal_blocks;
	rec.market_slash_wrong_ppm = p->market_slash_wrong_ppm;
	rec.market_dispute_bond = p->market_dispute_bond;
	key_make(&k, KEY_PARAMS);
	return record_put(st, &k, &rec.base);
}

enum state_status params_load(const struct state *st, struct params *p)
{
	ProtobufCMessage *msg;
	const Hearth__Params *rec;
	struct key k;
	enum state_status rc;

	key_make(&k, KEY_PARAMS);
	rc = record_get(st, &k, &hearth__params__descriptor, &msg);
	if (rc != STATE_OK)
		return rc;
	rec = (const Hearth__Params *)msg;
	p->max_block_bytes = rec->max_block_bytes;
	p->max_block_txs = rec->max_block_txs;
	p->max_tx_bytes = rec->max_tx_bytes;
	p->min_fee_per_byte = rec->min_fee_per_byte;
	p->unbonding_blocks = rec->unbonding_blocks;
	p->min_provider_bond = rec->min_provider_bond;
	p->max_validators = rec->max_validators;
	p->slash_fraction_ppm = rec->slash_fraction_ppm;
	p->max_inline_input_bytes = rec->max_inline_input_bytes;
	p->market_block_time_ms = rec->market_block_time_ms;
	p->market_lease_grace_blocks = rec->market_lease_grace_blocks;
	p->market_match_bids = rec->market_match_bids;
	p->market_match_offers = rec->market_match_offers;
	p->market_challenge_blocks = rec->market_challenge_blocks;
	p->market_slash_missed_ppm = rec->market_slash_missed_ppm;
	p->market_reveal_blocks = rec->market_reveal_blocks;
	p->market_slash_wrong_ppm = rec->market_slash_wrong_ppm;
	p->market_dispute_bond = rec->market_dispute_bond;
	codec_free(msg);
	return STATE_OK;
}
