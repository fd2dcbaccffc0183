/* state_mem.h: the in-memory implementation of struct state, for the unit
 * tests, the simulator and the fuzzers. */
#ifndef HEARTH_CONSENSUS_STATE_MEM_H
#define HEARTH_CONSENSUS_STATE_MEM_H

#include "consensus/kvmap.h"
#include "consensus/state.h"

struct state_mem {
	struct kvmap map;
};

/* Makes mem empty and returns a struct state over it in *st. */
void state_mem_init(struct state_mem *mem, struct state *st);

/* Frees every pair. */
void state_mem_free(struct state_mem *mem);

#endif
