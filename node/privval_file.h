/* privval_file.h: the validator's double-sign guard on disk,
 * <datadir>/priv_validator_state: the last record consensus/privval.c signed
 * (height, round, step, digest, signature, the signed vote's block, the
 * lock), made durable BEFORE the signature leaves privval, so after any crash
 * the file holds at least the last signature released and the validator
 * never signs a conflicting one.
 *
 * The file has a fixed size and two slots (privval_format.h); a save
 * overwrites the slot that does not hold the newest valid record (pwrite)
 * and fdatasyncs: one sync per signature, no new file, no rename. The file
 * is created whole once (temp file, fsync, rename, fsync of the directory).
 * A file in the old format (JSON, same name) is read and converted at load. */
#ifndef HEARTH_NODE_PRIVVAL_FILE_H
#define HEARTH_NODE_PRIVVAL_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "consensus/privval.h"
#include "node/datadir.h"

#define PRIVVAL_FILE_NAME "priv_validator_state"

/* Reads the record; a file in the old JSON format is replaced by the slot
 * format holding the same record (atomically, the JSON is not kept).
 * Out: rec, *found (false: no file yet, rec zeroed), *converted (true: the
 * file was JSON and has just been converted).
 * Returns 0, or -1 with err for an unreadable or malformed file (a
 * malformed JSON file is left as it is). */
__attribute__((warn_unused_result)) int privval_file_load(const struct datadir *dd,
							  struct privval_record *rec, bool *found,
							  bool *converted, char *err,
							  size_t err_size);

/* The privval persist callback; ctx is the struct datadir. */
int privval_file_persist(void *ctx, const struct privval_record *rec);

#endif
