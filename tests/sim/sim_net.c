/* sim_net.c: the simulated network: which links are up (partitions),
 * sending with the seed's drops, duplicates, delays and reordering, and the
 * per-node gossip store of the current height. */
#include "tests/sim/sim_world.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/bft.h"
#include "consensus/proposer.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim_block.h"

/* ------------------------------------------------------------ network */

bool sim_link_up(const struct sim *s, size_t a, size_t b)
{
	return !s->partitioned || s->side[a] == s->side[b];
}

/* Sends m from node a to node b through the faulty network. Returns true
 * when the network accepted it (it will arrive, maybe late, maybe twice). */
bool sim_net_send(struct sim *s, size_t a, size_t b, const struct msg *m, uint64_t gen,
		  size_t index)
{
	int copies = 1;

	if (!s->nodes[b].alive || !sim_link_up(s, a, b))
		return false;
	if (prng_chance(&s->rng, s->drop_pm))
		return false;
	if (prng_chance(&s->rng, s->dup_pm))
		copies = 2;
	for (int c = 0; c < copies; c++) {
		uint64_t delay = prng_range(&s->rng, 1, s->delay_max);
		struct event *e;

		if (prng_chance(&s->rng, s->reorder_pm))
			delay += prng_range(&s->rng, 1, 100);
		e = sim_ev_new(s, delay, EV_DELIVER, b);
		e->from = a;
		e->incarnation = s->nodes[b].incarnation;
		sim_msg_copy(&e->msg, m);
		e->store_gen = gen;
		e->store_index = index;
	}
	return true;
}

void sim_store_clear(struct node *nd)
{
	for (size_t i = 0; i < nd->store_len; i++)
		sim_msg_free(&nd->store[i].msg);
	nd->store_len = 0;
	nd->store_gen++;
}

/* Adds m to nd's store unless known. Returns its index, or SIZE_MAX when known. */
size_t sim_store_add(struct node *nd, const struct msg *m, uint32_t delivered)
{
	for (size_t i = 0; i < nd->store_len; i++)
		if (sim_msg_equal(&nd->store[i].msg, m)) {
			nd->store[i].delivered |= delivered;
			return SIZE_MAX;
		}
	if (nd->store_len == nd->store_cap) {
		nd->store_cap = nd->store_cap ? 2 * nd->store_cap : 64;
		nd->store = sim_xrealloc(nd->store, nd->store_cap * sizeof(*nd->store));
	}
	sim_msg_copy(&nd->store[nd->store_len].msg, m);
	nd->store[nd->store_len].delivered = delivered | (1u << nd->num);
	return nd->store_len++;
}

/* Sends every store entry a peer has not got yet. */
void sim_gossip_entry(struct sim *s, struct node *nd, size_t index)
{
	struct store_entry *se = &nd->store[index];

	for (size_t p = 0; p < s->n; p++) {
		if ((se->delivered & (1u << p)) != 0)
			continue;
		if (sim_net_send(s, nd->num, p, &se->msg, nd->store_gen, index))
			se->delivered |= 1u << p;
	}
}
