/* sim_check.c: the checks the simulator runs at every step: no honest
 * validator signs twice at one (height, round, step), every decided block
 * was proposed and is valid, evidence is not committed twice. */
#include "tests/sim/sim_world.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/bft.h"
#include "consensus/proposer.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim_block.h"

/* ------------------------------------------------------------ checks */

/* No honest validator signs two different things at one (h, r, type). */
void sim_check_signed(struct sim *s, struct node *nd, uint64_t h, uint32_t r, int type, bool has,
		      const uint8_t *id)
{
	struct vote_record rec;
	size_t k = nd->num;

	if (nd->byzantine)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.height = h;
	rec.round = r;
	rec.type = type;
	rec.target[0] = has;
	if (has)
		memcpy(rec.target + 1, id, HASH_SIZE);
	for (size_t i = 0; i < s->signed_len[k]; i++) {
		const struct vote_record *o = &s->signed_by[k][i];

		if (o->height == h && o->round == r && o->type == type) {
			if (memcmp(o->target, rec.target, sizeof(rec.target)) != 0)
				sim_fail(s,
					 "honest node %zu double-signed %s at h=%" PRIu64 " r=%u",
					 k,
					 type == 0   ? "a proposal"
					 : type == 1 ? "a prevote"
						     : "a precommit",
					 h, r);
			return;
		}
	}
	if (s->signed_len[k] == s->signed_cap[k]) {
		s->signed_cap[k] = s->signed_cap[k] ? 2 * s->signed_cap[k] : 256;
		s->signed_by[k] = sim_xrealloc(s->signed_by[k], s->signed_cap[k] * sizeof(rec));
	}
	s->signed_by[k][s->signed_len[k]++] = rec;
}

bool sim_was_proposed(const struct sim *s, const uint8_t id[HASH_SIZE])
{
	for (size_t i = 0; i < s->proposed_len; i++)
		if (memcmp(s->proposed[i], id, HASH_SIZE) == 0)
			return true;
	return false;
}

void sim_note_proposed(struct sim *s, const uint8_t id[HASH_SIZE])
{
	if (s->proposed_len == s->proposed_cap) {
		s->proposed_cap = s->proposed_cap ? 2 * s->proposed_cap : 256;
		s->proposed = sim_xrealloc(s->proposed, s->proposed_cap * HASH_SIZE);
	}
	memcpy(s->proposed[s->proposed_len++], id, HASH_SIZE);
}

bool sim_evidence_known(const struct node *nd, const uint8_t id[HASH_SIZE])
{
	for (size_t i = 0; i < nd->ev_done_len; i++)
		if (memcmp(nd->ev_done[i], id, HASH_SIZE) == 0)
			return true;
	return false;
}

/* The application's validity rule for a payload at the node's next height. */
bool sim_block_valid(struct sim *s, const struct node *nd, uint64_t height,
		     const uint8_t id[HASH_SIZE], const uint8_t *payload, size_t len)
{
	struct sim_block b;
	uint8_t check[HASH_SIZE];

	sim_block_id(payload, len, check);
	if (memcmp(check, id, HASH_SIZE) != 0 || sim_block_decode(payload, len, &b) != 0)
		return false;
	if (!b.valid || b.height != height || b.proposer >= s->n)
		return false;
	for (size_t i = 0; i < b.evidence_count; i++) {
		const struct duplicate_vote *ev = &b.evidence[i];
		uint8_t eid[HASH_SIZE];

		if (ev->a.height == 0 || ev->a.height > height)
			return false;
		if (evidence_verify_with(CHAIN_ID, ev, sim_set_of(s, ev->a.height),
					 &s->bcfg.verifier) != EVIDENCE_OK)
			return false;
		if (evidence_id(ev, eid) != 0 || sim_evidence_known(nd, eid))
			return false;
		for (size_t j = 0; j < i; j++) {
			uint8_t other[HASH_SIZE];

			if (evidence_id(&b.evidence[j], other) != 0 ||
			    memcmp(other, eid, HASH_SIZE) == 0)
				return false;
		}
	}
	return true;
}
