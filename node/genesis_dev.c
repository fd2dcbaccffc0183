/* genesis_dev.c: builds the dev network's genesis.json with jansson. */
#include "node/genesis_dev.h"

#include <jansson.h>

static int add_entry(json_t *array, const uint8_t key[PUBKEY_SIZE], const char *field,
		     uint64_t amount)
{
	char addr[ADDRESS_MAX];
	json_t *entry;

	if (address_encode(NETWORK_DEV, key, addr, sizeof(addr)) != 0)
		return -1;
	entry = json_pack("{s:s, s:I}", "address", addr, field, (json_int_t)amount);
	return entry != NULL && json_array_append_new(array, entry) == 0 ? 0 : -1;
}

void genesis_dev_faucet_secret(uint8_t secret[SECKEY_SIZE])
{
	hash_tagged("hearth/dev-faucet", "", 0, secret);
}

static json_t *dev_params(void)
{
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
		"s:I, s:I, s:I}}",
		"max_block_bytes", (json_int_t)(4 << 20), "max_block_txs", (json_int_t)5000,
		"max_tx_bytes", (json_int_t)(1 << 20), "min_fee_per_byte", (json_int_t)1,
		"unbonding_blocks", (json_int_t)20, "min_provider_bond", (json_int_t)1000000000,
		"max_validators", (json_int_t)100, "slash_fraction_ppm", (json_int_t)50000,
		"market", "max_inline_input_bytes", (json_int_t)(256 << 10), "block_time_ms",
		(json_int_t)1000, "lease_grace_blocks", (json_int_t)10, "match_bids_per_block",
		(json_int_t)1000, "match_offers_per_bid", (json_int_t)1000, "challenge_blocks",
		(json_int_t)10, "slash_missed_deadline_ppm", (json_int_t)10000, "reveal_blocks",
		(json_int_t)10, "slash_wrong_result_ppm", (json_int_t)50000, "dispute_bond",
		(json_int_t)1000000);
}

/* The provider gets a balance only: its executor bonds min_provider_bond
 * with a tx at start-up (node/exec_life.c). A second genesis validator that
 * never votes stalls the dev chain (doc/provider.md). */
static int add_provider(json_t *balances, const uint8_t *provider)
{
	if (provider == NULL)
		return 0;
	return add_entry(balances, provider, "amount", DEV_PROVIDER_BALANCE);
}

int genesis_dev_json(const uint8_t validator[PUBKEY_SIZE], const uint8_t *provider,
		     uint64_t time_ms, char **json)
{
	uint8_t secret[SECKEY_SIZE];
	struct signer faucet;
	json_t *doc, *balances = json_array(), *validators = json_array(), *params = dev_params();
	int rc = -1;

	*json = NULL;
	genesis_dev_faucet_secret(secret);
	if (signer_from_secret(&faucet, secret) != 0) {
		secret_wipe(secret, sizeof(secret));
		json_decref(balances);
		json_decref(validators);
		json_decref(params);
		return -1;
	}
	secret_wipe(secret, sizeof(secret));
	if (balances != NULL && validators != NULL && params != NULL &&
	    add_entry(balances, faucet.pubkey, "amount", DEV_FAUCET_BALANCE) == 0 &&
	    add_entry(balances, validator, "amount", DEV_VALIDATOR_BALANCE) == 0 &&
	    add_entry(validators, validator, "bond", DEV_VALIDATOR_BOND) == 0 &&
	    add_provider(balances, provider) == 0) {
		doc = json_pack("{s:s, s:I, s:O, s:O, s:O}", "chain_id", DEV_CHAIN_ID,
				"genesis_time_ms", (json_int_t)time_ms, "params", params,
				"balances", balances, "validators", validators);
		if (doc != NULL) {
			*json = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
			rc = *json != NULL ? 0 : -1;
			json_decref(doc);
		}
	}
	signer_wipe(&faucet);
	json_decref(balances);
	json_decref(validators);
	json_decref(params);
	return rc;
}
