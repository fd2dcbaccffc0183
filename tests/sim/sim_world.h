/* sim_world.h: the simulator's internal types (messages, nodes, the event
 * heap, the world struct sim) and the functions its files share. Only the
 * files of tests/sim/ include it; the public interface is sim.h. The files:
 *   sim.c        configurations, set-up, the event loop, tear-down
 *   sim_util.c   allocation, failure and trace output, messages, the event
 *                heap, validator sets per height, the signature cache
 *   sim_check.c  the safety checks run at every step
 *   sim_net.c    links, message sending with faults, the gossip store
 *   sim_node.c   an honest validator: engine feeding, actions, commits,
 *                delivery, catch-up, crash and restart
 *   sim_byz.c    what a byzantine validator broadcasts instead */
#ifndef HEARTH_TESTS_SIM_WORLD_H
#define HEARTH_TESTS_SIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "consensus/bft.h"
#include "consensus/privval.h"
#include "consensus/validators.h"
#include "consensus/vote.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim.h"

#define CHAIN_ID	  "hearth-sim"
#define GOSSIP_MS	  25
#define FAULT_PHASE_MS	  1500
#define LIVENESS_HEIGHTS  3
#define LIVENESS_BOUND_MS 20000
#define FUTURE_MAX	  512
#define SIGCACHE_SIZE	  (1u << 15)

enum msg_kind {
	MSG_PROPOSAL,
	MSG_VOTE,
};

struct msg {
	enum msg_kind kind;
	struct proposal_header proposal;
	uint8_t *payload;
	size_t len;
	struct vote vote;
};

struct store_entry {
	struct msg msg;
	uint32_t delivered; /* bit per node */
};

struct committed {
	uint8_t id[HASH_SIZE];
	struct proposal_header proposal;
	uint8_t *payload;
	size_t len;
	uint32_t round;
	size_t sig_count;
	struct commit_sig *sigs;
};

struct pool_entry {
	uint8_t id[HASH_SIZE];
	struct duplicate_vote ev;
};

struct node {
	size_t num;
	bool byzantine;
	bool alive;
	uint32_t incarnation;
	uint8_t secret[SECKEY_SIZE];
	struct privval pv;
	bool has_pv;
	struct privval_record persisted; /* what the guard's persist callback stored */
	bool has_persisted;
	struct bft *engine;
	uint64_t engine_height;
	/* persisted block store */
	struct committed *blocks; /* blocks[h - 1] */
	uint64_t committed_height;
	size_t blocks_cap;
	/* gossip store of the current height */
	struct store_entry *store;
	size_t store_len, store_cap;
	uint64_t store_gen;
	/* messages for the next height */
	struct msg future[FUTURE_MAX];
	size_t future_len;
	/* evidence pool (mempool; lost on crash) and evidence already committed */
	struct pool_entry *pool;
	size_t pool_len, pool_cap;
	uint8_t (*ev_done)[HASH_SIZE];
	size_t ev_done_len, ev_done_cap;
	/* byzantine only: the last round it equivocated a proposal in, the
	 * peers that got the other block and that block's id */
	uint64_t twin_height;
	uint32_t twin_round;
	uint32_t twin_mask;
	uint8_t twin_id[HASH_SIZE];
	/* byzantine only: after giving one peer the precommit it needed to
	 * decide a block, vote nil on that block for the rest of the height */
	uint64_t withhold_height;
	uint8_t withhold_id[HASH_SIZE];
	/* byzantine only: the latest other proposal it knows at that height,
	 * which it then votes for instead (to help a conflicting decision) */
	uint64_t other_height;
	uint32_t other_round;
	uint8_t other_id[HASH_SIZE];
};

enum ev_type {
	EV_DELIVER,
	EV_TIMEOUT,
	EV_GOSSIP,
	EV_CRASH,
	EV_RESTART,
	EV_PARTITION,
	EV_HEAL_PARTITION,
	EV_HEAL_ALL,
	EV_START_NEXT, /* the application applied a block: start the next height */
};

struct event {
	uint64_t time, seq;
	enum ev_type type;
	size_t node, from;
	uint32_t incarnation;
	struct msg msg;	    /* EV_DELIVER */
	uint64_t store_gen; /* EV_DELIVER: sender's store generation */
	size_t store_index; /* EV_DELIVER: index in it, SIZE_MAX if none */
	struct bft_timeout timeout;
};

struct vote_record {
	uint64_t height;
	uint32_t round;
	int type; /* 0 proposal, 1 prevote, 2 precommit */
	uint8_t target[HASH_SIZE + 1];
};

/* Engine events queued while node_feed runs the engine (never nested). */
struct pending {
	struct bft_event ev;
	uint8_t *payload;
};

struct pending_list {
	struct pending items[BFT_ACTIONS_MAX * 2];
	size_t len;
};

struct sim {
	const struct sim_config *cfg;
	uint64_t seed;
	struct prng rng;
	FILE *trace;
	struct sim_result *res;
	bool failed;

	uint64_t now, seq;
	struct event **heap;
	size_t heap_len, heap_cap;

	size_t n;
	struct node nodes[SIM_NODES_MAX];
	struct validator_set **sets; /* sets[h - 1]: the set of height h (stable pointers) */
	size_t sets_len;
	struct bft_config bcfg;

	/* network faults of this seed */
	uint64_t drop_pm, dup_pm, delay_max, reorder_pm;
	bool partitioned;
	uint8_t side[SIM_NODES_MAX];
	bool healed;
	uint64_t heal_time, heal_height;

	/* checks */
	uint8_t (*decided)[HASH_SIZE];
	size_t decided_len;
	uint8_t (*proposed)[HASH_SIZE];
	size_t proposed_len, proposed_cap;
	struct vote_record *signed_by[SIM_NODES_MAX];
	size_t signed_len[SIM_NODES_MAX], signed_cap[SIM_NODES_MAX];
	bool evidence_committed[SIM_NODES_MAX];

	/* node_feed's buffers (never nested: see node_feed) */
	struct bft_actions acts;
	struct pending_list *pl;

	/* signatures verified once per run, as the node's cache would */
	uint8_t (*sigcache)[HASH_SIZE];
	bool *sigcache_used;
};

bool sim_block_valid(struct sim *s, const struct node *nd, uint64_t height,
		     const uint8_t id[HASH_SIZE], const uint8_t *payload, size_t len);

void sim_build_block(struct sim *s, struct node *nd, uint64_t height, uint32_t round, bool valid,
		     uint8_t *buf, size_t *len, uint8_t id[HASH_SIZE]);

void sim_byzantine_broadcast(struct sim *s, struct node *nd, const struct msg *m);

void sim_check_signed(struct sim *s, struct node *nd, uint64_t h, uint32_t r, int type, bool has,
		      const uint8_t *id);

void sim_deliver(struct sim *s, struct node *nd, size_t from, const struct msg *m, uint64_t gen,
		 size_t index);

void sim_ev_free(struct event *e);

struct event *sim_ev_new(struct sim *s, uint64_t delay, enum ev_type type, size_t node);

struct event *sim_ev_pop(struct sim *s);

bool sim_evidence_known(const struct node *nd, const uint8_t id[HASH_SIZE]);

__attribute__((format(printf, 2, 3))) void sim_fail(struct sim *s, const char *fmt, ...);

void sim_gossip_entry(struct sim *s, struct node *nd, size_t index);

void sim_gossip_tick(struct sim *s, struct node *nd);

bool sim_link_up(const struct sim *s, size_t a, size_t b);

void sim_msg_copy(struct msg *dst, const struct msg *src);

bool sim_msg_equal(const struct msg *a, const struct msg *b);

void sim_msg_free(struct msg *m);

bool sim_net_send(struct sim *s, size_t a, size_t b, const struct msg *m, uint64_t gen,
		  size_t index);

void sim_node_crash(struct sim *s, struct node *nd);

void sim_node_feed(struct sim *s, struct node *nd, const struct bft_event *first,
		   enum bft_status *status);

void sim_node_start(struct sim *s, struct node *nd);

void sim_note_proposed(struct sim *s, const uint8_t id[HASH_SIZE]);

const struct validator_set *sim_set_of(struct sim *s, uint64_t h);

const char *sim_short_id(const uint8_t *id, bool has, char buf[9]);

size_t sim_store_add(struct node *nd, const struct msg *m, uint32_t delivered);

void sim_store_clear(struct node *nd);

__attribute__((format(printf, 2, 3))) void sim_trace(struct sim *s, const char *fmt, ...);

bool sim_was_proposed(const struct sim *s, const uint8_t id[HASH_SIZE]);

void *sim_xcalloc(size_t n, size_t size);

void *sim_xrealloc(void *p, size_t n);

uint64_t sim_msg_height(const struct msg *m);

bool sim_cached_verify(void *ctx, const uint8_t sig[SIG_SIZE], const uint8_t digest[HASH_SIZE],
		       const uint8_t pubkey[PUBKEY_SIZE]);

#endif
