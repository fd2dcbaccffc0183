/* privval_slot.c: one slot of priv_validator_state: its bytes and checksum
 * (layout in privval_format.h). */
#include "node/privval_format.h"

#include <string.h>

#include <sodium.h>

#define SLOT_MAGIC "HPV1"
#define SLOT_BODY  (PRIVVAL_SLOT_BYTES - HASH_SIZE)

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void checksum(const uint8_t *body, uint8_t out[HASH_SIZE])
{
	/* BLAKE2b-256 cannot fail with these sizes. */
	(void)crypto_generichash(out, HASH_SIZE, body, SLOT_BODY, NULL, 0);
}

void privval_slot_encode(const struct privval_record *rec, uint64_t seq,
			 uint8_t slot[PRIVVAL_SLOT_BYTES])
{
	memcpy(slot, SLOT_MAGIC, 4);
	put_u64(slot + 4, seq);
	put_u64(slot + 12, rec->height);
	put_u32(slot + 20, rec->round);
	slot[24] = (uint8_t)rec->step;
	slot[25] = rec->has_block ? 1 : 0;
	put_u32(slot + 26, (uint32_t)rec->pol_round);
	put_u64(slot + 30, (uint64_t)rec->lock_round);
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
	pol_round = (int32_t)get_u32(slot + 26);
	lock_round = (int64_t)get_u64(slot + 30);
	if (get_u64(slot + 12) > INT64_MAX || step_of(slot[24], &rec->step) != 0 || slot[25] > 1 ||
	    pol_round < -1 || lock_round < -1 || lock_round > UINT32_MAX)
		return PRIVVAL_SLOT_BAD;
	*seq = get_u64(slot + 4);
	rec->height = get_u64(slot + 12);
	rec->round = get_u32(slot + 20);
	rec->has_block = slot[25] == 1;
	rec->pol_round = pol_round;
	rec->lock_round = lock_round;
	memcpy(rec->digest, slot + 38, HASH_SIZE);
	memcpy(rec->sig, slot + 70, SIG_SIZE);
	memcpy(rec->block_id, slot + 134, HASH_SIZE);
	memcpy(rec->lock_id, slot + 166, HASH_SIZE);
	return PRIVVAL_SLOT_VALID;
}
