/* privval_format.h: the two on-disk formats of priv_validator_state (used by
 * node/privval_file.c and its tests).
 *
 * The current format: a fixed file of PRIVVAL_FILE_SIZE bytes holding two
 * slots, one at offset 0 and one at PRIVVAL_SLOT_STRIDE (separate 4 KiB
 * blocks, so a torn write of one never touches the other). A slot is
 * PRIVVAL_SLOT_BYTES, little-endian:
 *   0 magic "HPV1" | 4 seq u64 | 12 height u64 | 20 round u32 | 24 step u8 |
 *   25 has_block u8 | 26 pol_round i32 | 30 lock_round i64 | 38 digest[32] |
 *   70 sig[64] | 134 block_id[32] | 166 lock_id[32] |
 *   198 checksum[32] = BLAKE2b-256 (crypto_generichash) of bytes 0..197.
 * The rest of each block is zero. The record in force is the valid slot with
 * the higher seq.
 *
 * The old format (before the slots): the same record as one JSON object,
 * replaced whole by temp file + rename. It is read once and converted. */
#ifndef HEARTH_NODE_PRIVVAL_FORMAT_H
#define HEARTH_NODE_PRIVVAL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/privval.h"

#define PRIVVAL_SLOT_BYTES  230
#define PRIVVAL_SLOT_STRIDE 4096
#define PRIVVAL_FILE_SIZE   (2 * PRIVVAL_SLOT_STRIDE)

enum privval_slot_state {
	PRIVVAL_SLOT_VALID = 0,
	PRIVVAL_SLOT_TORN = 1, /* wrong magic or checksum: never completely written */
	PRIVVAL_SLOT_BAD = 2,  /* checksum right, fields out of range: not ours */
};

/* Encodes rec with sequence number seq.
 * Out: slot (PRIVVAL_SLOT_BYTES, checksum included). */
void privval_slot_encode(const struct privval_record *rec, uint64_t seq,
			 uint8_t slot[PRIVVAL_SLOT_BYTES]);

/* Decodes one slot. Out: rec and *seq when the slot is valid.
 * Returns the slot's state. */
enum privval_slot_state privval_slot_decode(const uint8_t slot[PRIVVAL_SLOT_BYTES],
					    struct privval_record *rec, uint64_t *seq);

/* Decodes the old JSON format (text[0..len)). Out: rec.
 * Returns 0, or -1 for malformed text or a field out of range. */
__attribute__((warn_unused_result)) int privval_legacy_decode(const char *text, size_t len,
							      struct privval_record *rec);

/* Returns whether text[0..len) is the old JSON format (first non-blank
 * byte '{'); the slot format starts with "HPV1". */
int privval_legacy_is(const char *text, size_t len);

#endif
