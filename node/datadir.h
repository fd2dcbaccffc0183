/* datadir.h: hearthd's data directory. The directory of a network is the
 * base directory itself on main, <base>/testnet on test and <base>/dev on dev
 * (like bitcoind's testnet3 and regtest). Opening it creates it (mode 0700)
 * and takes an exclusive lock on its .lock file, so two daemons never share
 * one. Files that must survive crashes whole (keys, cookie, pid, validator
 * state) are written to a temporary file, fsynced, renamed into place, and the
 * directory is fsynced. Secret key files must be mode 0600 or are refused. */
#ifndef HEARTH_NODE_DATADIR_H
#define HEARTH_NODE_DATADIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"

#define DATADIR_PATH_MAX 4096

struct datadir {
	char path[DATADIR_PATH_MAX];
	int lock_fd;
};

/* Out: out = $HOME/.hearth. Returns 0, or -1 when HOME is unset or too long. */
__attribute__((warn_unused_result)) int datadir_default_base(char *out, size_t out_size);

/* Creates and locks the network's directory under base.
 * In:  network: "main", "test" or "dev".
 * Out: dd; err: one line on failure (e.g. the lock is held).
 * Returns 0 or -1. */
__attribute__((warn_unused_result)) int
datadir_open(struct datadir *dd, const char *base, const char *network, char *err, size_t err_size);

/* Releases the lock. */
void datadir_close(struct datadir *dd);

/* Out: out = <datadir>/<name>. Returns 0, or -1 when it does not fit. */
__attribute__((warn_unused_result)) int datadir_file(const struct datadir *dd, const char *name,
						     char *out, size_t out_size);

/* Replaces <datadir>/<name> with data atomically (temp file, fsync, rename,
 * fsync of the directory), created with mode. Returns 0 or -1 with err. */
__attribute__((warn_unused_result)) int datadir_write_atomic(const struct datadir *dd,
							     const char *name, const void *data,
							     size_t len, unsigned mode, char *err,
							     size_t err_size);

/* Renames <datadir>/<name> to <datadir>/<aside> (replacing an older one)
 * and syncs the directory: a file the node refused, kept for the operator
 * to look at while the next save writes a fresh one.
 * Returns 0, or -1 with err (a path too long, or why the rename failed). */
__attribute__((warn_unused_result)) int datadir_move_aside(const struct datadir *dd,
							   const char *name, const char *aside,
							   char *err, size_t err_size);

/* Reads <datadir>/<name>, at most max_len bytes.
 * Out: *data (malloc'd, NUL-terminated, caller frees), *len.
 * Returns 0, 1 when the file does not exist, -1 on error with err. */
__attribute__((warn_unused_result)) int datadir_read(const struct datadir *dd, const char *name,
						     size_t max_len, char **data, size_t *len,
						     char *err, size_t err_size);

/* Loads the secp256k1 key in <datadir>/<name> (64 hex digits), creating a new
 * random one (mode 0600) when the file does not exist.
 * Out: signer (wipe it with signer_wipe), *created.
 * Returns 0, or -1 with err for a bad file, a mode other than 0600, or I/O. */
__attribute__((warn_unused_result)) int
datadir_load_or_create_key(const struct datadir *dd, const char *name, struct signer *signer,
			   bool *created, char *err, size_t err_size);

#endif
