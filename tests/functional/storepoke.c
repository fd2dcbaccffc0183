/* storepoke.c: reads and edits raw records of a closed hearthd store
 * (LevelDB, doc/storage.md) so the functional tests can tamper with it.
 *   storepoke DBDIR get KEY_HEX          prints the value in hex
 *   storepoke DBDIR put KEY_HEX VAL_HEX  writes the record
 *   storepoke DBDIR del KEY_HEX          deletes the record
 * Exit 0; 2 when get finds no record; 1 with one line on standard error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leveldb/c.h>

#include "proto/hex.h"

#define POKE_MAX (1u << 20)

static int fail(const char *msg)
{
	fprintf(stderr, "storepoke: %s\n", msg);
	return 1;
}

static int poke_get(leveldb_t *db, const uint8_t *key, size_t key_len)
{
	leveldb_readoptions_t *ro = leveldb_readoptions_create();
	char *msg = NULL, *hex;
	size_t len;
	char *val = leveldb_get(db, ro, (const char *)key, key_len, &len, &msg);
	int rc = 0;

	leveldb_readoptions_destroy(ro);
	if (msg != NULL) {
		leveldb_free(msg);
		return fail("get failed");
	}
	if (val == NULL)
		return 2;
	hex = malloc(2 * len + 1);
	if (hex == NULL || hex_encode((const uint8_t *)val, len, hex, 2 * len + 1) != 0)
		rc = fail("out of memory");
	else
		printf("%s\n", hex);
	free(hex);
	leveldb_free(val);
	return rc;
}

static int poke_write(leveldb_t *db, const uint8_t *key, size_t key_len, const char *val_hex)
{
	leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
	uint8_t *val = NULL;
	size_t val_len = 0;
	char *msg = NULL;

	leveldb_writeoptions_set_sync(wo, 1);
	if (val_hex != NULL) {
		val = malloc(POKE_MAX);
		if (val == NULL || hex_decode(val_hex, val, POKE_MAX, &val_len) != 0) {
			free(val);
			leveldb_writeoptions_destroy(wo);
			return fail("bad value");
		}
		leveldb_put(db, wo, (const char *)key, key_len, (const char *)val, val_len, &msg);
	} else {
		leveldb_delete(db, wo, (const char *)key, key_len, &msg);
	}
	free(val);
	leveldb_writeoptions_destroy(wo);
	if (msg != NULL) {
		leveldb_free(msg);
		return fail("write failed");
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t key[1024];
	size_t key_len;
	leveldb_options_t *opts;
	leveldb_t *db;
	char *msg = NULL;
	int rc;

	if (argc < 4 || (strcmp(argv[2], "put") == 0) != (argc == 5) ||
	    (strcmp(argv[2], "get") != 0 && strcmp(argv[2], "put") != 0 &&
	     strcmp(argv[2], "del") != 0))
		return fail("usage: storepoke DBDIR get|del KEY_HEX | put KEY_HEX VAL_HEX");
	if (hex_decode(argv[3], key, sizeof(key), &key_len) != 0 || key_len == 0)
		return fail("bad key");
	opts = leveldb_options_create();
	db = leveldb_open(opts, argv[1], &msg);
	if (msg != NULL) {
		fprintf(stderr, "storepoke: %s\n", msg);
		leveldb_free(msg);
		leveldb_options_destroy(opts);
		return 1;
	}
	if (strcmp(argv[2], "get") == 0)
		rc = poke_get(db, key, key_len);
	else
		rc = poke_write(db, key, key_len, argc == 5 ? argv[4] : NULL);
	leveldb_close(db);
	leveldb_options_destroy(opts);
	return rc;
}
