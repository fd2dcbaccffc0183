/* privval_slot.c: one slot of priv_validator_state: its bytes and checksum
 * (layout in privval_format.h). */
#include "node/privval_format.h"

#include <string.h>

#include <sodium.h>

#include "proto/le.h"

#define SLOT_MAGIC "HPV1"
#define SLOT_BODY  (PRIVVAL_SLOT_BYTES - HASH_SIZE)

static void checksum(const uint8_t *body, uint8_t out[HASH_SIZE])
{
	/* BLAKE2b-256 cannot fail with these sizes. */
	(void)crypto_generichash(out, HASH_SIZE, body, SLOT_BODY, NULL, 0);
}

void privval_slot_encode(const struct privval_record *rec, uint64_t seq,
			 uint8_t slot[PRIVVAL_SLOT_BYTES])
{
	memcpy(slot, SLOT_MAGIC, 4);
	le_put_u64(slot + 4, seq);
	le_put_u64(slot + 12, rec->height);
	le_put_u32(slot + 20, rec->round);
	slot[24] = (uint8_t)rec->step;
	slot[25] = rec->has_block ? 1 : 0;
	le_put_u32(slot + 26, (uint32_t)rec->pol_round);
	le_put_u64(slot + 30, (uint64_t)rec->lock_round);
	memcpy(slot + 38, rec->digest, HASH_SIZE);
	memcpy(slot + 70, rec->sig, SIG_SIZE);
	memcpy(slot + 134, rec->block_id, HASH_SIZE);
	memcpy(slot + 166, rec->lock_id, HASH_SIZE);
	checksum(slot, slot + SLOT_BODY);
}

static int step_of(uint8_t byte, enum privval_step *step)
{
	switch ((enum privval_step)byte) {
	case PRIVVAL_STEP_NONE:
	case PRIVVAL_STEP_PROPOSE:
	case PRIVVAL_STEP_PREVOTE:
	case PRIVVAL_STEP_PRECOMMIT:
		*step = (enum privval_step)byte;
		return 0;
	}
	return -1;
}

enum privval_slot_state privval_slot_decode(const uint8_t slot[PRIVVAL_SLOT_BYTES],
					    struct privval_record *rec, uint64_t *seq)
{
	uint8_t sum[HASH_SIZE];
	int64_t lock_round;
	int32_t pol_round;

	checksum(slot, sum);
	if (memcmp(slot, SLOT_MAGIC, 4) != 0 ||
	    sodium_memcmp(sum, slot + SLOT_BODY, HASH_SIZE) != 0)
		return PRIVVAL_SLOT_TORN;
	memset(rec, 0, sizeof(*rec));
	pol_round = (int32_t)le_get_u32(slot + 26);
	lock_round = (int64_t)le_get_u64(slot + 30);
	if (le_get_u64(slot + 12) > INT64_MAX || step_of(slot[24], &rec->step) != 0 ||
	    slot[25] > 1 || pol_round < -1 || lock_round < -1 || lock_round > UINT32_MAX)
		return PRIVVAL_SLOT_BAD;
	*seq = le_get_u64(slot + 4);
	rec->height = le_get_u64(slot + 12);
	rec->round = le_get_u32(slot + 20);
	rec->has_block = slot[25] == 1;
	rec->pol_round = pol_round;
	rec->lock_round = lock_round;
	memcpy(rec->digest, slot + 38, HASH_SIZE);
	memcpy(rec->sig, slot + 70, SIG_SIZE);
	memcpy(rec->block_id, slot + 134, HASH_SIZE);
	memcpy(rec->lock_id, slot + 166, HASH_SIZE);
	return PRIVVAL_SLOT_VALID;
}
