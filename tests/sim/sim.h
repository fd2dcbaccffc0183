/* sim.h: the deterministic multi-validator simulator. One run = one
 * configuration (validator count, stakes, byzantine count) and one seed; the
 * seed fixes every random choice (keys, network delays, drops, duplicates,
 * partitions, crashes, byzantine choices), so a failing run replays exactly
 * with its seed. */
#ifndef HEARTH_TESTS_SIM_SIM_H
#define HEARTH_TESTS_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_NODES_MAX 16

struct sim_config {
	const char *name;
	size_t nodes;
	uint64_t power[SIM_NODES_MAX]; /* stake of node i */
	size_t byzantine; /* nodes 0..byzantine-1 after key sorting are chosen at random */
};

/* The configurations the campaign runs (NULL-terminated by name). */
extern const struct sim_config sim_configs[];

/* Finds a configuration by name, or NULL. */
const struct sim_config *sim_config_find(const char *name);

struct sim_result {
	bool ok;
	char reason[512];
	uint64_t heights;   /* highest height every honest node committed */
	uint64_t sim_ms;    /* simulated time at the end */
	uint64_t max_round; /* highest round any decision took */
	uint64_t evidence;  /* evidence records committed */
	uint64_t messages;  /* deliveries */
};

/* Runs one seed. trace: where to print the event trace, or NULL.
 * Returns 0 when the run could be set up (see result->ok), -1 otherwise. */
int sim_run(const struct sim_config *cfg, uint64_t seed, FILE *trace, struct sim_result *result);

#endif
