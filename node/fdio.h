/* fdio.h: writing a whole buffer to a file descriptor (retrying short writes
 * and EINTR) and syncing a directory after a rename. Shared by the log, the
 * data directory's atomic writes, the consensus WAL, the executor's journal
 * and the hearth-sandbox tool. */
#ifndef HEARTH_NODE_FDIO_H
#define HEARTH_NODE_FDIO_H

#include <stddef.h>

/* Writes data[0..len) to fd.
 * Returns 0, or -1 with errno set by the failing write (EIO when a write
 * wrote nothing). */
__attribute__((warn_unused_result)) int fdio_write_all(int fd, const void *data, size_t len);

/* Flushes the directory dir (its entries, e.g. after a rename into it).
 * Returns 0, or -1 with errno set. */
__attribute__((warn_unused_result)) int fdio_fsync_dir(const char *dir);

#endif
