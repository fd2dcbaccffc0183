/* sim_byz.c: what a byzantine validator sends instead of its honest
 * broadcast: double votes, equivocated proposals to split peers, withheld
 * precommits and votes for a conflicting block. */
#include "tests/sim/sim_world.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/bft.h"
#include "consensus/proposer.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim_block.h"

void sim_byzantine_broadcast(struct sim *s, struct node *nd, const struct msg *m)
{
	struct msg twin;
	uint8_t digest[HASH_SIZE], aux[32], buf[SIM_BLOCK_MAX];
	uint32_t got_twin = 0;
	size_t i1, i2;

	sim_msg_copy(&twin, m);
	memset(aux, 0, sizeof(aux));
	bool coordinated = m->kind == MSG_VOTE && m->vote.height == nd->twin_height &&
			   m->vote.round == nd->twin_round && nd->twin_mask != 0;

	bool withhold = m->kind == MSG_VOTE && m->vote.has_block &&
			m->vote.height == nd->withhold_height &&
			memcmp(m->vote.block_id, nd->withhold_id, HASH_SIZE) == 0;

	if (withhold || (m->kind == MSG_VOTE && m->vote.height == nd->withhold_height &&
			 m->vote.height == nd->other_height && m->vote.round == nd->other_round)) {
		/* nil on the block it let one peer decide, and a vote for the
		 * round's other block when it knows one */
		withhold = true;
		twin.vote.has_block = false;
		memset(twin.vote.block_id, 0, HASH_SIZE);
		if (m->vote.height == nd->other_height && m->vote.round == nd->other_round &&
		    memcmp(nd->other_id, nd->withhold_id, HASH_SIZE) != 0) {
			twin.vote.has_block = true;
			memcpy(twin.vote.block_id, nd->other_id, HASH_SIZE);
		}
		vote_digest(CHAIN_ID, &twin.vote, digest);
		if (sig_sign_aux(&nd->pv.signer, digest, aux, twin.vote.sig) != 0)
			sim_fail(s, "byzantine signing failed");
	} else if (coordinated && m->vote.type == VOTE_TYPE_PREVOTE) {
		/* vote for each peer's block: the peers that got the other
		 * proposal see a prevote for it */
		twin.vote.has_block = true;
		memcpy(twin.vote.block_id, nd->twin_id, HASH_SIZE);
		vote_digest(CHAIN_ID, &twin.vote, digest);
		if (sig_sign_aux(&nd->pv.signer, digest, aux, twin.vote.sig) != 0)
			sim_fail(s, "byzantine signing failed");
	} else if (m->kind == MSG_VOTE) {
		if (twin.vote.has_block && prng_chance(&s->rng, 500)) {
			twin.vote.has_block = false;
			memset(twin.vote.block_id, 0, HASH_SIZE);
		} else {
			twin.vote.has_block = true;
			for (size_t k = 0; k < HASH_SIZE; k++)
				twin.vote.block_id[k] = (uint8_t)prng_next(&s->rng);
		}
		vote_digest(CHAIN_ID, &twin.vote, digest);
		if (sig_sign_aux(&nd->pv.signer, digest, aux, twin.vote.sig) != 0)
			sim_fail(s, "byzantine signing failed");
	} else {
		size_t len;

		/* a fresh block, ignoring the valid value; invalid a third of the time */
		sim_build_block(s, nd, m->proposal.height, m->proposal.round,
				!prng_chance(&s->rng, 333), buf, &len, twin.proposal.block_id);
		free(twin.payload);
		twin.payload = sim_xrealloc(NULL, len);
		memcpy(twin.payload, buf, len);
		twin.len = len;
		twin.proposal.pol_round = -1;
		proposal_digest(CHAIN_ID, &twin.proposal, digest);
		if (sig_sign_aux(&nd->pv.signer, digest, aux, twin.proposal.sig) != 0)
			sim_fail(s, "byzantine signing failed");
	}
	if (withhold) {
		got_twin = ((1u << s->n) - 1) & ~(1u << nd->num);
	} else if (coordinated && m->vote.type == VOTE_TYPE_PREVOTE) {
		got_twin = nd->twin_mask;
	} else if (m->kind == MSG_VOTE && m->vote.type == VOTE_TYPE_PRECOMMIT &&
		   m->vote.has_block) {
		/* a precommit for a block goes to one peer only (one that got
		 * the real proposal, if it equivocated): with the network cut
		 * after a decision (see on_commit) the way to make a single
		 * correct node decide while the others move on */
		size_t lucky = (nd->num + 1 + prng_below(&s->rng, s->n - 1)) % s->n;

		for (size_t tries = 0;
		     coordinated && (nd->twin_mask & (1u << lucky)) != 0 && tries < s->n; tries++)
			lucky = (nd->num + 1 + prng_below(&s->rng, s->n - 1)) % s->n;

		got_twin = ((1u << s->n) - 1) & ~(1u << lucky) & ~(1u << nd->num);
		nd->withhold_height = m->vote.height;
		memcpy(nd->withhold_id, m->vote.block_id, HASH_SIZE);
	} else if (m->kind == MSG_PROPOSAL) {
		/* the fresh block to one peer (half of the time), to every
		 * peer, or to a random half; and always to every peer when the
		 * engine re-proposes a valid value: the attack on the lock */
		uint64_t how = m->proposal.pol_round >= 0 ? 2 : prng_below(&s->rng, 4);

		if (how <= 1)
			got_twin = 1u << ((nd->num + 1 + prng_below(&s->rng, s->n - 1)) % s->n);
		else if (how == 2)
			got_twin = (1u << s->n) - 1;
		else
			for (size_t p = 0; p < s->n; p++)
				if (prng_chance(&s->rng, 500))
					got_twin |= 1u << p;
		got_twin &= ~(1u << nd->num);
		nd->twin_height = m->proposal.height;
		nd->twin_round = m->proposal.round;
		nd->twin_mask = got_twin;
		memcpy(nd->twin_id, twin.proposal.block_id, HASH_SIZE);
		nd->other_height = m->proposal.height;
		nd->other_round = m->proposal.round;
		memcpy(nd->other_id, twin.proposal.block_id, HASH_SIZE);
	} else {
		for (size_t p = 0; p < s->n; p++)
			if (p != nd->num && prng_chance(&s->rng, 500))
				got_twin |= 1u << p;
	}
	i1 = sim_store_add(nd, m, got_twin);
	i2 = sim_store_add(nd, &twin, ~got_twin & ((1u << s->n) - 1));
	if (i1 != SIZE_MAX)
		sim_gossip_entry(s, nd, i1);
	if (i2 != SIZE_MAX)
		sim_gossip_entry(s, nd, i2);
	sim_msg_free(&twin);
}
