/* genesis_dev.h: the dev network's built-in genesis. `hearthd -dev` writes
 * it to <datadir>/dev/genesis.json the first time it starts: one validator
 * (the node's own validator_key), a faucet account with a large balance whose
 * secret key is public and documented (doc/config.md), and parameters sized
 * for a laptop (short unbonding, small blocks). */
#ifndef HEARTH_NODE_GENESIS_DEV_H
#define HEARTH_NODE_GENESIS_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"

#define DEV_CHAIN_ID	      "hearth-dev"
#define DEV_FAUCET_BALANCE    1000000000000000ull /* 1,000,000,000 HTH */
#define DEV_VALIDATOR_BOND    1000000000000ull	  /* 1,000,000 HTH */
#define DEV_VALIDATOR_BALANCE 1000000000ull	  /* 1,000 HTH for fees */
#define DEV_PROVIDER_BALANCE  2000000000ull	  /* 2,000 HTH: the bond and fees */

/* Out: secret, the dev faucet's secret key = H("hearth/dev-faucet", ""). */
void genesis_dev_faucet_secret(uint8_t secret[SECKEY_SIZE]);

/* Builds the dev genesis document.
 * In:  validator: the node's validator key; provider: the node's provider
 *      key (-provider), funded so that its executor can bond
 *      min_provider_bond and serve as the node's own provider, or NULL; time_ms: the genesis time.
 * Out: *json (malloc'd NUL-terminated text, caller frees).
 * Returns 0, or -1 when out of memory or a key cannot be made. */
__attribute__((warn_unused_result)) int genesis_dev_json(const uint8_t validator[PUBKEY_SIZE],
							 const uint8_t *provider, uint64_t time_ms,
							 char **json);

/* The same with n >= 1 validators (a local multi-validator network, see
 * contrib/devnet.sh), each with the dev validator's bond and balance;
 * provider may be NULL. */
__attribute__((warn_unused_result)) int
genesis_dev_json_multi(const uint8_t (*validators)[PUBKEY_SIZE], size_t n, const uint8_t *provider,
		       uint64_t time_ms, char **json);

#endif
