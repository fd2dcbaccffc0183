/* keytool.c: the one-shot commands of keytool.h. */
#include "node/keytool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/datadir.h"
#include "node/genesis_dev.h"
#include "node/node.h"
#include "proto/hex.h"

#define KEYTOOL_VALIDATORS_MAX 100

static enum network network_of(const char *name)
{
	if (strcmp(name, "dev") == 0)
		return NETWORK_DEV;
	if (strcmp(name, "test") == 0)
		return NETWORK_TEST;
	return NETWORK_MAIN;
}

static int print_validator_key(const struct config *cfg, char *err, size_t err_size)
{
	char base[DATADIR_PATH_MAX], hex[2 * PUBKEY_SIZE + 1], addr[ADDRESS_MAX];
	const char *network = config_network(cfg);
	struct datadir dd;
	struct signer key;
	bool created;
	int rc = -1;

	if (node_base_dir(cfg, base, sizeof(base), err, err_size) != 0 ||
	    datadir_open(&dd, base, network, err, err_size) != 0)
		return -1;
	if (datadir_load_or_create_key(&dd, "validator_key", &key, &created, err, err_size) == 0) {
		if (hex_encode(key.pubkey, PUBKEY_SIZE, hex, sizeof(hex)) == 0 &&
		    address_encode(network_of(network), key.pubkey, addr, sizeof(addr)) == 0) {
			printf("%s %s\n", hex, addr);
			rc = 0;
		} else {
			snprintf(err, err_size, "cannot encode the validator key");
		}
		signer_wipe(&key);
	}
	datadir_close(&dd);
	return rc;
}

static int print_dev_genesis(const struct config *cfg, char *err, size_t err_size)
{
	const char *values[KEYTOOL_VALIDATORS_MAX + 1];
	size_t n = config_get_list(cfg, "genesisvalidator", values, KEYTOOL_VALIDATORS_MAX + 1);
	uint8_t(*keys)[PUBKEY_SIZE];
	struct timespec now;
	char *json;
	int rc;

	if (strcmp(config_network(cfg), "dev") != 0) {
		snprintf(err, err_size, "-printdevgenesis needs -dev");
		return -1;
	}
	if (n == 0 || n > KEYTOOL_VALIDATORS_MAX) {
		snprintf(err, err_size, "-printdevgenesis needs 1 to %d -genesisvalidator keys",
			 KEYTOOL_VALIDATORS_MAX);
		return -1;
	}
	if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
		snprintf(err, err_size, "clock_gettime: %s", strerror(errno));
		return -1;
	}
	keys = calloc(n, sizeof(*keys));
	if (keys == NULL) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (hex_decode_exact(values[i], keys[i], PUBKEY_SIZE) != 0) {
			snprintf(err, err_size, "-genesisvalidator=%s: not 64 hex digits",
				 values[i]);
			free(keys);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (memcmp(keys[i], keys[j], PUBKEY_SIZE) == 0) {
				snprintf(err, err_size, "-genesisvalidator=%s given twice",
					 values[i]);
				free(keys);
				return -1;
			}
		}
	}
	rc = genesis_dev_json_multi((const uint8_t(*)[PUBKEY_SIZE])keys, n, NULL,
				    (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000,
				    &json);
	free(keys);
	if (rc != 0) {
		snprintf(err, err_size, "cannot build the genesis (a key is not a valid point?)");
		return -1;
	}
	printf("%s\n", json);
	free(json);
	return 0;
}

int keytool_run(const struct config *cfg, bool *handled, char *err, size_t err_size)
{
	*handled = true;
	if (config_get_bool(cfg, "printvalidatorkey", false))
		return print_validator_key(cfg, err, err_size);
	if (config_get_bool(cfg, "printdevgenesis", false))
		return print_dev_genesis(cfg, err, err_size);
	*handled = false;
	return 0;
}
