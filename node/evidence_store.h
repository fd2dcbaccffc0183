/* evidence_store.h: evidence.dat in the network's data directory: the
 * validator's reported set and waiting evidence (node/evidence_report.h),
 * saved whole each time either changes and read back at start, so evidence
 * seen just before a restart is still sent and no pair is reported twice.
 * The bytes are node/evidence_file.h's. A file that cannot be read or
 * decoded is logged, renamed to evidence.dat.bak and ignored: losing the
 * reports costs at most a missed or a repeated report, never the start. */
#ifndef HEARTH_NODE_EVIDENCE_STORE_H
#define HEARTH_NODE_EVIDENCE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "node/datadir.h"
#include "node/evidence_report.h"
#include "node/log.h"

#define EVIDENCE_STORE_FILE "evidence.dat"
#define EVIDENCE_STORE_BAD  "evidence.dat.bak"

/* Replaces evidence.dat with r's reported set and waiting list (temp file,
 * fsync, rename, fsync of the directory).
 * Out: err, one line on failure. Returns 0 or -1. */
__attribute__((warn_unused_result)) int evidence_store_save(const struct datadir *dd,
							    const struct evidence_report *r,
							    char *err, size_t err_size);

/* Reads evidence.dat into r (which is left as it is when there is no
 * usable file; a bad one is moved aside with a warning in log).
 * Returns true when r was loaded from the file. */
bool evidence_store_load(const struct datadir *dd, struct log *log, struct evidence_report *r);

#endif
