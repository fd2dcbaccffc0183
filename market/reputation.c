/* reputation.c: reputation counters and the score (see reputation.h). */
#include "market/reputation.h"

#include "market/keys.h"
#include "market/store.h"

enum state_status market_reputation_load(const struct state *st,
					 const uint8_t provider[PUBKEY_SIZE],
					 struct market_reputation *rep)
{
	ProtobufCMessage *msg;
	const Hearth__Reputation *rec;
	struct mkey k;
	enum state_status rc;

	mkey_id(&k, MKEY_REPUTATION, provider);
	rc = market_record_get(st, &k, &hearth__reputation__descriptor, &msg);
	if (rc == STATE_NOT_FOUND) {
		*rep = (struct market_reputation){ 0 };
		return STATE_OK;
	}
	if (rc != STATE_OK)
		return rc;
	rec = (const Hearth__Reputation *)msg;
	rep->completed = rec->completed;
	rep->failed = rec->failed;
	rep->slashed = rec->slashed;
	rep->disputes_lost = rec->disputes_lost;
	codec_free(msg);
	return STATE_OK;
}

enum state_status market_reputation_store(const struct state *st,
					  const uint8_t provider[PUBKEY_SIZE],
					  const struct market_reputation *rep)
{
	Hearth__Reputation rec = HEARTH__REPUTATION__INIT;
	struct mkey k;

	rec.completed = rep->completed;
	rec.failed = rep->failed;
	rec.slashed = rep->slashed;
	rec.disputes_lost = rep->disputes_lost;
	mkey_id(&k, MKEY_REPUTATION, provider);
	return market_record_put(st, &k, &rec.base);
}

uint32_t market_reputation_score(const struct market_reputation *rep)
{
	typedef unsigned __int128 u128;
	u128 outcomes = (u128)rep->completed + rep->failed + rep->slashed + rep->disputes_lost;

	return (uint32_t)((u128)100 * ((u128)rep->completed + 1) / (outcomes + 2));
}
