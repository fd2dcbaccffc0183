/* input_store.h: a consumer node's store of job inputs, content-addressed,
 * for bids that name their input by hash (Job.input_hash) instead of
 * carrying it inline. An input is kept as <datadir>/inputs/<hash hex>
 * (mode 0600), where hash = H("hearth/input", the input's bytes); putting
 * the same bytes twice keeps one file. Files are written atomically
 * (temporary file, fsync, rename, fsync of the directory), so a crash
 * leaves either no file or the whole input. The RPC method putjobinput
 * (node/rpc_input.c) writes here and GET /input/<hash hex> on the RPC
 * server serves the files to providers (doc/consumer.md). Safe to call
 * from several threads at once: each writer has its own temporary file. */
#ifndef HEARTH_NODE_INPUT_STORE_H
#define HEARTH_NODE_INPUT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"

#define INPUT_HASH_TAG		"hearth/input"
#define INPUT_DEFAULT_MAX_SIZE	(64ull << 20) /* -maxinputsize */
#define INPUT_DEFAULT_MAX_TOTAL (1ull << 30)  /* -maxinputstore */
#define INPUT_DEFAULT_RETENTION 604800	      /* -inputretention, seconds */
#define INPUT_STORE_ERR_MAX	256

enum input_store_status {
	INPUT_STORE_OK = 0,
	INPUT_STORE_TOO_LARGE = 1, /* above the size limit */
	INPUT_STORE_FULL = 2,	   /* the store's total would exceed its cap */
	INPUT_STORE_NOT_FOUND = 3,
	INPUT_STORE_CORRUPT = 4, /* the file's bytes do not hash to its name */
	INPUT_STORE_IO = 5,	 /* err says which call failed */
};

struct input_store_limits {
	uint64_t max_size;    /* bytes of one input */
	uint64_t max_total;   /* bytes of every input together */
	uint64_t retention_s; /* inputs older than this are pruned; 0: kept */
};

/* Out: out = H("hearth/input", data[0..len)), the Job.input_hash. */
void input_hash(const void *data, size_t len, uint8_t out[HASH_SIZE]);

/* Out: path = dir/<hash as 64 lower-case hex digits>.
 * Returns 0, or -1 when it does not fit. */
__attribute__((warn_unused_result)) int
input_store_path(const char *dir, const uint8_t hash[HASH_SIZE], char *path, size_t path_size);

/* Stores data[0..len) under its hash in dir (created with mode 0700 if
 * missing), first pruning inputs older than lim->retention_s (now_s is
 * the current time in seconds). An input already stored is not written
 * again (its time is refreshed so it is kept as long as a new one).
 * Out: hash; err on INPUT_STORE_IO, and a reason for TOO_LARGE / FULL.
 * Returns the status. */
__attribute__((warn_unused_result)) enum input_store_status
input_store_put(const char *dir, const void *data, size_t len, const struct input_store_limits *lim,
		uint64_t now_s, uint8_t hash[HASH_SIZE], char *err, size_t err_size);

/* Reads the input named hash from dir and checks it hashes to its name.
 * Out: *data (malloc'd, the caller frees), *len.
 * Returns OK, NOT_FOUND, TOO_LARGE (above max_size), CORRUPT or IO. */
__attribute__((warn_unused_result)) enum input_store_status
input_store_read(const char *dir, const uint8_t hash[HASH_SIZE], uint64_t max_size, uint8_t **data,
		 size_t *len);

/* Removes the inputs of dir (and leftover temporary files) whose time is
 * older than now_s - retention_s (nothing when retention_s is 0).
 * Out: *total = the bytes of the inputs left. Returns how many were
 * removed, or -1 when dir cannot be read. */
int input_store_prune(const char *dir, uint64_t now_s, uint64_t retention_s, uint64_t *total);

/* True when name is 64 lower-case hex digits (the name of an input). */
bool input_store_name_valid(const char *name);

#endif
