/* fsutil.h: small bounded file helpers shared by node/: join paths, read a
 * whole (small) file, write a string to a file, make a directory chain. */
#ifndef HEARTH_NODE_FSUTIL_H
#define HEARTH_NODE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "node/error.h"

/* out = a + "/" + b (b's leading '/' is not doubled). Returns 0, or -1 when
 * the result does not fit in out_size. */
__attribute__((warn_unused_result)) int path_join(char *out, size_t out_size, const char *a,
						  const char *b);

/* Reads the file at path (relative to dirfd) into a new NUL-terminated
 * buffer. Out: *buf (caller frees), *len (may be NULL). Fails with EFBIG when
 * the file holds more than max bytes. Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int file_read_all(int dirfd, const char *path, size_t max,
						      char **buf, size_t *len,
						      struct node_error *e);

/* Writes s to path the way a shell's `echo s > path` does (O_CREAT|O_TRUNC,
 * mode 0644); one write(2), as control files such as cgroupfs require.
 * Returns 0 or -1 with e set ("write PATH: errno"). */
__attribute__((warn_unused_result)) int file_write_str(const char *path, const char *s,
						       struct node_error *e);

/* Creates every missing directory of path (mode 0755). Returns 0 or -1. */
__attribute__((warn_unused_result)) int dir_make_all(const char *path, struct node_error *e);

#endif
