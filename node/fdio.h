/* fdio.h: writing a whole buffer to a file descriptor, and reading or
 * writing one at an offset (retrying short transfers and EINTR), and
 * syncing a directory after a rename. Shared by the log, the data
 * directory's atomic writes, the consensus WAL, the executor's journal, the
 * double-sign guard's file and the hearth-sandbox tool. */
#ifndef HEARTH_NODE_FDIO_H
#define HEARTH_NODE_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Writes data[0..len) to fd.
 * Returns 0, or -1 with errno set by the failing write (EIO when a write
 * wrote nothing). */
__attribute__((warn_unused_result)) int fdio_write_all(int fd, const void *data, size_t len);

/* Reads exactly len bytes of fd at offset off into buf (pread).
 * Returns 0, or -1 with errno set (EIO when the file ends first). */
__attribute__((warn_unused_result)) int fdio_pread_all(int fd, void *buf, size_t len, off_t off);

/* Writes data[0..len) to fd at offset off (pwrite).
 * Returns 0, or -1 with errno set (EIO when a write wrote nothing). */
__attribute__((warn_unused_result)) int fdio_pwrite_all(int fd, const void *data, size_t len,
							off_t off);

/* Flushes the directory dir (its entries, e.g. after a rename into it).
 * Returns 0, or -1 with errno set. */
__attribute__((warn_unused_result)) int fdio_fsync_dir(const char *dir);

#endif
