/* result_hash.h: the canonical result of a job and its hash, which anyone
 * can recompute from the job's stdout and the files of /out (byte layout in
 * doc/result-hash.md):
 *
 *   H("hearth/result", status kind, status value, H("hearth/stdout", stdout),
 *     entry count, entries sorted by path bytes)
 *   entry = path (length-prefixed), kind (1 file, 2 symlink), mode (1 when
 *           executable, else 0), size, H("hearth/file", content) or
 *           H("hearth/link", target)
 *
 * The manifest is built by walking /out with openat(O_NOFOLLOW): symlinks
 * are recorded as links and never followed; FIFOs, sockets and device files
 * make the whole output invalid; directories are implied by the paths of
 * their files (an empty directory is not part of the result). */
#ifndef HEARTH_NODE_RESULT_HASH_H
#define HEARTH_NODE_RESULT_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "node/error.h"

#define MANIFEST_PATH_MAX  4096
#define MANIFEST_DEPTH_MAX 64

enum manifest_kind {
	MANIFEST_FILE = 1,
	MANIFEST_SYMLINK = 2,
};

struct manifest_entry {
	char *path; /* relative to /out, '/'-separated, owned */
	enum manifest_kind kind;
	bool executable; /* a file with the owner's exec bit; false for links */
	uint64_t size;	 /* file bytes, or the link target's length */
	uint8_t hash[HASH_SIZE];
};

struct manifest {
	struct manifest_entry *entries; /* sorted by path bytes once built */
	size_t count;
	size_t cap;
};

/* How the job ended, as hashed. */
enum result_status_kind {
	RESULT_EXITED = 0,
	RESULT_SIGNALED = 1,
};

struct result_status {
	enum result_status_kind kind;
	uint64_t value; /* exit code 0..255, or the signal number */
};

/* Walks the directory dirfd (not closed) and builds the manifest of every
 * file and symlink below it. In: max_entries, the most entries accepted;
 * max_bytes, the most file bytes (sizes, not blocks: sparse files count in
 * full, so a job cannot make the walk read more than that).
 * Out: m (manifest_free it). Returns 0, or -1 with e set when an entry is a
 * FIFO, socket or device ("rejected"), the tree is too deep, a path too long,
 * there are too many entries or bytes, or a call fails. */
__attribute__((warn_unused_result)) int manifest_build(int dirfd, size_t max_entries,
						       uint64_t max_bytes, struct manifest *m,
						       struct node_error *e);

/* Appends one entry (the path is copied). Returns 0, or -1 when out of
 * memory or the path is empty or too long. */
__attribute__((warn_unused_result)) int manifest_add(struct manifest *m, const char *path,
						     enum manifest_kind kind, bool executable,
						     uint64_t size, const uint8_t hash[HASH_SIZE]);

/* Sorts the entries by path bytes (memcmp order, a prefix first). */
void manifest_sort(struct manifest *m);

void manifest_free(struct manifest *m);

/* Out: out = H("hearth/stdout", data). */
void result_hash_stdout(const void *data, size_t len, uint8_t out[HASH_SIZE]);

/* Out: out = H("hearth/file", data) / H("hearth/link", target). */
void result_hash_file(const void *data, size_t len, uint8_t out[HASH_SIZE]);
void result_hash_link(const char *target, size_t len, uint8_t out[HASH_SIZE]);

/* Out: out, the result hash of status, the stdout hash and the (sorted)
 * manifest. */
void result_hash_compute(const struct result_status *status, const uint8_t stdout_hash[HASH_SIZE],
			 const struct manifest *m, uint8_t out[HASH_SIZE]);

#endif
