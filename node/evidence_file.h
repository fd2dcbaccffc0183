/* evidence_file.h: the bytes of evidence.dat, the file that keeps a
 * validator's double-sign reports across restarts (node/evidence_store.c
 * reads and writes it). Pure: no I/O.
 *
 * It holds the parts of struct evidence_report that matter after a
 * restart: the reported set (so a pair is not reported twice), the waiting
 * list (evidence of a height not yet committed when it was seen) and the
 * pending list (own evidence txs sent but not seen committed: the mempool
 * that held them is gone after a restart). Little-endian:
 *   0 magic "HEVD" | 4 version u32 (EVIDENCE_FILE_VERSION) |
 *   8 length u32 (of the whole file) | 12 num_seen u32 | 16 next_seen u32 |
 *   20 num_waiting u32 | 24 num_pending u32 |
 *   28 num_seen x (validator[32] | height u64) |
 *   then num_waiting x EV, then num_pending x (tx id[32] | EV), where EV is
 *   size u32 | a hearth.Evidence of that size (the message an Evidence tx
 *   carries, consensus/evidence.h) |
 *   checksum[32] = BLAKE2b-256 of every byte before it.
 * The bounds are the in-memory ones (EVIDENCE_REPORT_*_MAX), so the file is
 * at most EVIDENCE_FILE_MAX bytes. */
#ifndef HEARTH_NODE_EVIDENCE_FILE_H
#define HEARTH_NODE_EVIDENCE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "node/evidence_report.h"

#define EVIDENCE_FILE_VERSION 1
#define EVIDENCE_FILE_HEADER  28
#define EVIDENCE_FILE_PAIR    (PUBKEY_SIZE + 8)
/* One encoded hearth.Evidence (two votes or two signed proposals: about
 * 300 bytes). */
#define EVIDENCE_FILE_ITEM_MAX 1024
#define EVIDENCE_FILE_MAX                                                                          \
	(EVIDENCE_FILE_HEADER + EVIDENCE_REPORT_SEEN_MAX * EVIDENCE_FILE_PAIR +                    \
	 EVIDENCE_REPORT_WAITING_MAX * (4 + EVIDENCE_FILE_ITEM_MAX) +                              \
	 EVIDENCE_REPORT_PENDING_MAX * (HASH_SIZE + 4 + EVIDENCE_FILE_ITEM_MAX) + HASH_SIZE)

enum evidence_file_status {
	EVIDENCE_FILE_OK = 0,
	EVIDENCE_FILE_TRUNCATED,    /* shorter than its header or its length field says */
	EVIDENCE_FILE_BAD_MAGIC,    /* not an evidence file */
	EVIDENCE_FILE_BAD_VERSION,  /* a version this hearthd does not read */
	EVIDENCE_FILE_BAD_CHECKSUM, /* damaged */
	EVIDENCE_FILE_OVER_BOUNDS,  /* a count or size above the bounds, or bytes left over */
	EVIDENCE_FILE_BAD_EVIDENCE, /* an entry that is not a hearth.Evidence */
};

/* Encodes r's reported set, waiting list and pending list.
 * Out: *out (caller frees with free()), *len (<= EVIDENCE_FILE_MAX).
 * Returns 0, or -1 (out of memory, an evidence that does not encode). */
__attribute__((warn_unused_result)) int evidence_file_encode(const struct evidence_report *r,
							     uint8_t **out, size_t *len);

/* Decodes data[0..len).
 * Out: r (on success only): the reported set, the waiting list and the
 *      pending list; the counters 0.
 * Returns EVIDENCE_FILE_OK or the first reason the bytes are refused. */
__attribute__((warn_unused_result)) enum evidence_file_status
evidence_file_decode(const uint8_t *data, size_t len, struct evidence_report *r);

/* A one-line description of status. Never NULL. */
const char *evidence_file_strerror(enum evidence_file_status status);

#endif
