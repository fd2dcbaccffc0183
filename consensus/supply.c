/* supply.c: the supply counters record. */
#include "consensus/supply.h"

#include "consensus/keys.h"
#include "consensus/record.h"

enum state_status supply_load(const struct state *st, struct supply *s)
{
	ProtobufCMessage *msg;
	const Hearth__Supply *rec;
	struct key k;
	enum state_status rc;

	key_make(&k, KEY_SUPPLY);
	rc = record_get(st, &k, &hearth__supply__descriptor, &msg);
	if (rc != STATE_OK)
		return rc;
	rec = (const Hearth__Supply *)msg;
	s->genesis = rec->genesis;
	s->issued = rec->issued;
	s->burned = rec->burned;
	codec_free(msg);
	return STATE_OK;
}

enum state_status supply_store(const struct state *st, const struct supply *s)
{
	Hearth__Supply rec = HEARTH__SUPPLY__INIT;
	struct key k;

	rec.genesis = s->genesis;
	rec.issued = s->issued;
	rec.burned = s->burned;
	key_make(&k, KEY_SUPPLY);
	return record_put(st, &k, &rec.base);
}

int supply_add_burned(const struct state *st, uint64_t amount)
{
	struct supply s;

	if (supply_load(st, &s) != STATE_OK)
		return -1;
	if (__builtin_add_overflow(s.burned, amount, &s.burned))
		return 1;
	return supply_store(st, &s) == STATE_OK ? 0 : -1;
}
