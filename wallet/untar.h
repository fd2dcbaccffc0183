/* untar.h: the safe unpacker of a job's result archive (getjobresult's
 * `archive`: tar(1) --format=gnu, or POSIX ustar) into a directory the
 * caller made. It refuses anything that could write outside that directory
 * or surprise the reader: absolute paths, ".." components, links whose
 * target leaves the tree (absolute, or climbing above the root), hard links,
 * device files and FIFOs, paths through a symbolic link (every component is
 * opened with O_NOFOLLOW), entries that already exist, a bad checksum, a
 * truncated archive, and more than max_entries entries or max_bytes bytes
 * of file data. Files get mode 0755 (owner-executable in the archive) or
 * 0644; directories 0755. */
#ifndef HEARTH_WALLET_UNTAR_H
#define HEARTH_WALLET_UNTAR_H

#include <stddef.h>
#include <stdint.h>

#define UNTAR_BLOCK    512
#define UNTAR_PATH_MAX 4096
#define UNTAR_ERR_MAX  256

struct untar_limits {
	size_t max_entries; /* entries of any kind */
	uint64_t max_bytes; /* sum of the files' sizes */
};

/* Unpacks the archive tar[len] into the directory dirfd (not closed).
 * Returns 0, or -1 with err (what was refused, and which entry). What was
 * written before a refusal stays: unpack into a fresh directory and remove
 * it (untar_remove_tree) on failure. */
__attribute__((warn_unused_result)) int untar_extract(const uint8_t *tar, size_t len, int dirfd,
						      const struct untar_limits *lim, char *err,
						      size_t err_size);

/* Removes path and everything below it, never following a symbolic link.
 * Returns 0, or -1 (errno set) when something could not be removed. */
int untar_remove_tree(const char *path);

#endif
