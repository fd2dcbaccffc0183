/* sim.c: the simulated world: validators each running a real engine behind a
 * real double-sign guard, a network (delays, drops, duplicates, reordering,
 * partitions that heal), crashes with restarts from persisted state, and
 * byzantine validators that double-sign and equivocate proposals. Every step
 * is checked for agreement, validity, honest double-signing and certificate
 * validity; the end of a run checks liveness after the heal and that
 * evidence against every byzantine validator was committed.
 *
 * Gossip model (CometBFT's reactors, simplified): each node keeps the
 * messages of its current height and knows which peer it delivered each one
 * to; a message a peer could not use yet (too far ahead, no room, a second
 * proposal not yet justified) is reported back and resent at a later gossip
 * tick; a peer behind by a whole height is sent the decided proposal and its
 * certificate's precommits (block sync).
 *
 * This file holds the configurations, the set-up of a run, its event loop and
 * tear-down; sim_world.h lists the other files. */
#include "tests/sim/sim.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "consensus/bft.h"
#include "consensus/proposer.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim_block.h"
#include "tests/sim/sim_world.h"

const struct sim_config sim_configs[] = {
	{ "n1", 1, { 100 }, 0 },
	{ "n4", 4, { 10, 10, 10, 10 }, 1 },
	{ "n4w", 4, { 10, 20, 30, 40 }, 1 },
	{ "n7", 7, { 10, 10, 10, 10, 10, 10, 10 }, 2 },
	{ "n7w", 7, { 1, 2, 3, 5, 8, 13, 21 }, 2 },
	{ "n10", 10, { 10, 10, 10, 10, 10, 10, 10, 10, 10, 10 }, 3 },
	{ "n10w", 10, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 3 },
	{ NULL, 0, { 0 }, 0 },
};

const struct sim_config *sim_config_find(const char *name)
{
	for (const struct sim_config *c = sim_configs; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* ------------------------------------------------------------ setup and loop */

static int setup(struct sim *s)
{
	struct validator members[SIM_NODES_MAX];
	uint8_t secrets[SIM_NODES_MAX][SECKEY_SIZE];
	struct validator_set empty;
	uint64_t byz_power;

	s->n = s->cfg->nodes;
	for (size_t i = 0; i < s->n; i++) {
		struct signer sg;
		struct hasher h;

		hash_begin(&h, "hearth/sim-key");
		hash_u64(&h, s->seed);
		hash_u64(&h, i);
		hash_finish(&h, secrets[i]);
		if (signer_from_secret(&sg, secrets[i]) != 0)
			return -1;
		memset(&members[i], 0, sizeof(members[i]));
		memcpy(members[i].key, sg.pubkey, PUBKEY_SIZE);
		members[i].power = s->cfg->power[i];
		signer_wipe(&sg);
	}
	memset(&empty, 0, sizeof(empty));
	s->sets = sim_xcalloc(1, sizeof(*s->sets));
	s->sets[0] = sim_xcalloc(1, sizeof(**s->sets));
	s->sets_len = 1;
	if (proposer_update(&empty, members, s->n, s->sets[0]) != 0)
		return -1;
	/* node k is validator k of the sorted set; it holds its member's power */
	for (size_t k = 0; k < s->n; k++) {
		struct node *nd = &s->nodes[k];

		nd->num = k;
		for (size_t i = 0; i < s->n; i++)
			if (memcmp(members[i].key, s->sets[0]->members[k].key, PUBKEY_SIZE) == 0)
				memcpy(nd->secret, secrets[i], SECKEY_SIZE);
	}
	/* byzantine nodes: a random set of the configured size holding less
	 * than a third of the power */
	for (int attempt = 0; s->cfg->byzantine > 0; attempt++) {
		size_t chosen = 0;

		if (attempt > 1000)
			return -1;
		for (size_t k = 0; k < s->n; k++)
			s->nodes[k].byzantine = false;
		byz_power = 0;
		while (chosen < s->cfg->byzantine) {
			size_t k = prng_below(&s->rng, s->n);

			if (s->nodes[k].byzantine)
				continue;
			s->nodes[k].byzantine = true;
			byz_power += s->sets[0]->members[k].power;
			chosen++;
		}
		if (!validators_has_one_third(byz_power, s->sets[0]->total_power))
			break;
	}
	s->pl = sim_xcalloc(1, sizeof(*s->pl));
	s->sigcache = sim_xcalloc(SIGCACHE_SIZE, HASH_SIZE);
	s->sigcache_used = sim_xcalloc(SIGCACHE_SIZE, sizeof(bool));
	memset(&s->bcfg, 0, sizeof(s->bcfg));
	snprintf(s->bcfg.chain_id, sizeof(s->bcfg.chain_id), "%s", CHAIN_ID);
	bft_timeouts_test(&s->bcfg.timeouts);
	s->bcfg.timeouts.skip_timeout_commit = prng_chance(&s->rng, 500);
	if (prng_chance(&s->rng, 500)) {
		/* timeouts shorter than the network's delays: rounds fail and
		 * nodes move on with partial views until the rounds' growth
		 * catches up (asynchrony before GST) */
		s->bcfg.timeouts.propose_ms = 10;
		s->bcfg.timeouts.prevote_ms = 5;
		s->bcfg.timeouts.precommit_ms = 5;
		s->bcfg.timeouts.propose_delta_ms = 5;
		s->bcfg.timeouts.prevote_delta_ms = 5;
		s->bcfg.timeouts.precommit_delta_ms = 5;
	}
	s->bcfg.verifier.fn = sim_cached_verify;
	s->bcfg.verifier.ctx = s;
	/* the network of this seed */
	s->drop_pm = prng_range(&s->rng, 0, 200);
	s->dup_pm = prng_range(&s->rng, 0, 100);
	s->delay_max = prng_range(&s->rng, 2, 40);
	s->reorder_pm = prng_range(&s->rng, 0, 80);
	s->heal_time = FAULT_PHASE_MS;
	/* faults: up to two partitions and one crash, all over by the heal */
	for (uint64_t k = prng_below(&s->rng, 3); k > 0; k--) {
		uint64_t at = prng_range(&s->rng, 0, FAULT_PHASE_MS - 200);
		uint64_t len = prng_range(&s->rng, 50, 800);

		(void)sim_ev_new(s, at, EV_PARTITION, 0);
		(void)sim_ev_new(s, at + len < FAULT_PHASE_MS ? at + len : FAULT_PHASE_MS - 1,
				 EV_HEAL_PARTITION, 0);
	}
	if (prng_chance(&s->rng, 700)) {
		size_t victim = prng_below(&s->rng, s->n);
		uint64_t at = prng_range(&s->rng, 0, FAULT_PHASE_MS - 200);
		uint64_t down = prng_range(&s->rng, 10, 600);

		if (!s->nodes[victim].byzantine) {
			(void)sim_ev_new(s, at, EV_CRASH, victim);
			(void)sim_ev_new(
				s, at + down < FAULT_PHASE_MS ? at + down : FAULT_PHASE_MS - 1,
				EV_RESTART, victim);
		}
	}
	(void)sim_ev_new(s, FAULT_PHASE_MS, EV_HEAL_ALL, 0);
	if (s->trace != NULL) {
		fprintf(s->trace,
			"sim %s seed %" PRIu64 ": drop %" PRIu64 "/1000 dup %" PRIu64
			"/1000 delay 1..%" PRIu64 "ms reorder %" PRIu64
			"/1000 skip_commit %d propose timeout %" PRIu64 "ms\n",
			s->cfg->name, s->seed, s->drop_pm, s->dup_pm, s->delay_max, s->reorder_pm,
			s->bcfg.timeouts.skip_timeout_commit, s->bcfg.timeouts.propose_ms);
		for (size_t k = 0; k < s->n; k++)
			fprintf(s->trace, "  n%zu key %02x%02x.. power %" PRIu64 "%s\n", k,
				s->sets[0]->members[k].key[0], s->sets[0]->members[k].key[1],
				s->sets[0]->members[k].power,
				s->nodes[k].byzantine ? " BYZANTINE" : "");
	}
	for (size_t k = 0; k < s->n && !s->failed; k++)
		sim_node_start(s, &s->nodes[k]);
	return s->failed ? -1 : 0;
}

static void new_partition(struct sim *s)
{
	size_t ones = 0;

	if (s->n < 2)
		return;
	while (ones == 0 || ones == s->n) {
		ones = 0;
		for (size_t k = 0; k < s->n; k++) {
			s->side[k] = (uint8_t)prng_below(&s->rng, 2);
			ones += s->side[k];
		}
	}
	s->partitioned = true;
	if (s->trace != NULL) {
		fprintf(s->trace, "%8" PRIu64 " PARTITION", s->now);
		for (size_t k = 0; k < s->n; k++)
			fprintf(s->trace, " n%zu:%u", k, s->side[k]);
		fputc('\n', s->trace);
	}
}

static uint64_t min_honest_height(const struct sim *s)
{
	uint64_t m = UINT64_MAX;

	for (size_t k = 0; k < s->n; k++)
		if (!s->nodes[k].byzantine && s->nodes[k].committed_height < m)
			m = s->nodes[k].committed_height;
	return m;
}

static bool done(const struct sim *s)
{
	if (!s->healed || min_honest_height(s) < s->heal_height + LIVENESS_HEIGHTS)
		return false;
	for (size_t k = 0; k < s->n; k++)
		if (s->nodes[k].byzantine && !s->evidence_committed[k])
			return false;
	return true;
}

static void step(struct sim *s, struct event *e)
{
	struct node *nd = &s->nodes[e->node];

	switch (e->type) {
	case EV_DELIVER:
		if (nd->alive && e->incarnation == nd->incarnation)
			sim_deliver(s, nd, e->from, &e->msg, e->store_gen, e->store_index);
		break;
	case EV_TIMEOUT:
		if (nd->alive && e->incarnation == nd->incarnation) {
			struct bft_event ev;

			memset(&ev, 0, sizeof(ev));
			enum bft_status st = BFT_OK;

			ev.type = BFT_EVENT_TIMEOUT;
			ev.u.timeout = e->timeout;
			sim_node_feed(s, nd, &ev, &st);
			sim_trace(s, "n%zu timeout %s h=%" PRIu64 " r=%u: %s (now r=%u %s)",
				  nd->num, bft_strstep(e->timeout.step), e->timeout.height,
				  e->timeout.round, bft_strstatus(st), bft_round(nd->engine),
				  bft_strstep(bft_step(nd->engine)));
		}
		break;
	case EV_GOSSIP:
		if (nd->alive && e->incarnation == nd->incarnation) {
			struct event *next = sim_ev_new(s, GOSSIP_MS, EV_GOSSIP, nd->num);

			next->incarnation = nd->incarnation;
			sim_gossip_tick(s, nd);
		}
		break;
	case EV_CRASH:
		if (nd->alive)
			sim_node_crash(s, nd);
		break;
	case EV_RESTART:
		if (!nd->alive)
			sim_node_start(s, nd);
		break;
	case EV_START_NEXT:
		if (nd->alive && e->incarnation == nd->incarnation) {
			struct bft_event ev;

			memset(&ev, 0, sizeof(ev));
			ev.type = BFT_EVENT_START_HEIGHT;
			ev.u.start.height = nd->committed_height + 1;
			ev.u.start.validators = sim_set_of(s, nd->committed_height + 1);
			sim_node_feed(s, nd, &ev, NULL);
		}
		break;
	case EV_PARTITION:
		new_partition(s);
		break;
	case EV_HEAL_PARTITION:
		if (s->partitioned)
			sim_trace(s, "HEAL partition");
		s->partitioned = false;
		break;
	case EV_HEAL_ALL:
		s->partitioned = false;
		for (size_t k = 0; k < s->n; k++)
			if (!s->nodes[k].alive)
				sim_node_start(s, &s->nodes[k]);
		s->healed = true;
		s->heal_height = 0;
		for (size_t k = 0; k < s->n; k++)
			if (!s->nodes[k].byzantine && s->nodes[k].committed_height > s->heal_height)
				s->heal_height = s->nodes[k].committed_height;
		sim_trace(s, "HEAL all; honest max height %" PRIu64, s->heal_height);
		break;
	}
}

static void teardown(struct sim *s)
{
	struct event *e;

	while ((e = sim_ev_pop(s)) != NULL)
		sim_ev_free(e);
	free(s->heap);
	for (size_t k = 0; k < s->n; k++) {
		struct node *nd = &s->nodes[k];

		bft_free(nd->engine);
		if (nd->has_pv)
			privval_wipe(&nd->pv);
		sim_store_clear(nd);
		free(nd->store);
		for (size_t i = 0; i < nd->future_len; i++)
			sim_msg_free(&nd->future[i]);
		for (size_t i = 0; i < nd->committed_height; i++) {
			free(nd->blocks[i].payload);
			free(nd->blocks[i].sigs);
		}
		free(nd->blocks);
		free(nd->pool);
		free(nd->ev_done);
		free(s->signed_by[k]);
	}
	for (size_t h = 0; h < s->sets_len; h++)
		free(s->sets[h]);
	free(s->sets);
	free(s->decided);
	free(s->proposed);
	free(s->pl);
	free(s->sigcache);
	free(s->sigcache_used);
}

int sim_run(const struct sim_config *cfg, uint64_t seed, FILE *trace_out, struct sim_result *res)
{
	struct sim *s = sim_xcalloc(1, sizeof(*s));
	int rc = 0;

	memset(res, 0, sizeof(*res));
	s->cfg = cfg;
	s->seed = seed;
	s->trace = trace_out;
	s->res = res;
	prng_seed(&s->rng, seed);
	if (setup(s) != 0) {
		rc = s->failed ? 0 : -1;
	} else {
		struct event *e;

		while (!s->failed && !done(s) && (e = sim_ev_pop(s)) != NULL) {
			s->now = e->time;
			if (s->healed && s->now > s->heal_time + LIVENESS_BOUND_MS) {
				sim_ev_free(e);
				break;
			}
			step(s, e);
			sim_ev_free(e);
		}
		if (!s->failed && !done(s)) {
			if (min_honest_height(s) < s->heal_height + LIVENESS_HEIGHTS)
				sim_fail(s,
					 "LIVENESS: honest nodes at height %" PRIu64 " %" PRIu64
					 "ms after the heal (needed %" PRIu64 ")",
					 min_honest_height(s), (uint64_t)LIVENESS_BOUND_MS,
					 s->heal_height + LIVENESS_HEIGHTS);
			else
				sim_fail(s,
					 "EVIDENCE of a byzantine node not committed %" PRIu64
					 "ms after the heal",
					 (uint64_t)LIVENESS_BOUND_MS);
		}
	}
	res->ok = !s->failed;
	res->sim_ms = s->now;
	res->heights = min_honest_height(s);
	teardown(s);
	free(s);
	return rc;
}
