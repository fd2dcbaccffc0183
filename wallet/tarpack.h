/* tarpack.h: packs a bid's input directory into the archive carried in
 * Job.inline_input: a POSIX ustar archive, uncompressed and deterministic
 * (the same tree always gives the same bytes, so the same bid): entries in
 * byte order of their paths, parents before children; directories, regular
 * files and symbolic links only (anything else is refused); paths relative
 * to the directory without "./"; mode 0755 for directories and files with
 * the owner's execute bit, 0644 for other files, 0777 for links; uid, gid
 * and mtime 0, no user or group names. Paths up to 255 bytes (ustar's
 * prefix and name fields); the walk never follows a symbolic link. */
#ifndef HEARTH_WALLET_TARPACK_H
#define HEARTH_WALLET_TARPACK_H

#include <stddef.h>
#include <stdint.h>

#define TARPACK_BLOCK	  512
#define TARPACK_DEPTH_MAX 32

/* Packs dir. In: max_bytes, the largest archive accepted.
 * Out: *out (free()), *len. Returns 0, or -1 with err (too large, a path
 * too long, a FIFO or device, I/O). */
__attribute__((warn_unused_result)) int tarpack_dir(const char *dir, size_t max_bytes,
						    uint8_t **out, size_t *len, char *err,
						    size_t err_size);

#endif
