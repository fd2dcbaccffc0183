/* sim_main.c: the simulator's command line.
 *
 *   sim [--config NAME[,NAME...]|all] [--seeds A-B | --seed N] [--trace]
 *       [--expect-violation]
 *
 * Runs every listed configuration with every seed and prints TAP, one line
 * per run; a failing run prints its reason and the command that replays it
 * with a full trace. --expect-violation is for the broken-engine build: it
 * passes when some run violates AGREEMENT (and prints that seed), and fails
 * when every run passes. */
#include "tests/sim/sim.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/crypto.h"

static void usage(void)
{
	fprintf(stderr, "usage: sim [--config NAME[,NAME...]|all] [--seeds A-B | --seed N] "
			"[--trace] [--expect-violation]\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	*out = strtoull(s, &end, 10);
	return end != s && *end == '\0' ? 0 : -1;
}

/* Fills cfgs from "all" or a comma-separated list. Returns the count, or 0. */
static size_t parse_configs(const char *arg, const struct sim_config **cfgs, size_t max)
{
	size_t n = 0;
	char buf[256], *save = NULL, *tok;

	if (strcmp(arg, "all") == 0) {
		for (const struct sim_config *c = sim_configs; c->name != NULL && n < max; c++)
			cfgs[n++] = c;
		return n;
	}
	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, ",", &save)) {
		cfgs[n] = sim_config_find(tok);
		if (cfgs[n] == NULL) {
			fprintf(stderr, "sim: unknown configuration %s\n", tok);
			return 0;
		}
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	const struct sim_config *cfgs[16];
	size_t ncfg = 0;
	uint64_t first = 1, last = 1;
	bool trace = false, expect_violation = false;
	unsigned long test = 0, failures = 0;
	clock_t start = clock();

	ncfg = parse_configs("all", cfgs, 16);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			ncfg = parse_configs(argv[++i], cfgs, 16);
			if (ncfg == 0)
				return 2;
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			if (parse_u64(argv[++i], &first) != 0)
				return usage(), 2;
			last = first;
		} else if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc) {
			char *dash = strchr(argv[++i], '-');

			if (dash == NULL)
				return usage(), 2;
			*dash = '\0';
			if (parse_u64(argv[i], &first) != 0 || parse_u64(dash + 1, &last) != 0 ||
			    last < first)
				return usage(), 2;
		} else if (strcmp(argv[i], "--trace") == 0) {
			trace = true;
		} else if (strcmp(argv[i], "--expect-violation") == 0) {
			expect_violation = true;
		} else {
			usage();
			return 2;
		}
	}
	if (hearth_crypto_init() != 0) {
		fprintf(stderr, "sim: crypto init failed\n");
		return 1;
	}
	if (!expect_violation)
		printf("1..%" PRIu64 "\n", (last - first + 1) * ncfg);
	else
		printf("1..1\n");
	for (uint64_t seed = first; seed <= last; seed++) {
		for (size_t c = 0; c < ncfg; c++) {
			struct sim_result r;

			if (sim_run(cfgs[c], seed, trace ? stdout : NULL, &r) != 0) {
				printf("Bail out! cannot set up %s seed %" PRIu64 "\n",
				       cfgs[c]->name, seed);
				return 1;
			}
			if (expect_violation) {
				if (!r.ok && strstr(r.reason, "AGREEMENT") != NULL) {
					printf("ok 1 - broken engine caught by the agreement "
					       "check: "
					       "%s seed %" PRIu64 " (run %lu): %s\n",
					       cfgs[c]->name, seed, test + 1, r.reason);
					return 0;
				}
				test++;
				continue;
			}
			test++;
			if (r.ok) {
				printf("ok %lu - %s seed %" PRIu64 ": %" PRIu64
				       " heights, max round %" PRIu64 ", %" PRIu64
				       " evidence, %" PRIu64 " ms simulated, %" PRIu64
				       " deliveries\n",
				       test, cfgs[c]->name, seed, r.heights, r.max_round,
				       r.evidence, r.sim_ms, r.messages);
			} else {
				failures++;
				printf("not ok %lu - %s seed %" PRIu64 ": %s\n", test,
				       cfgs[c]->name, seed, r.reason);
				printf("# replay: tests/sim/sim --config %s --seed %" PRIu64
				       " --trace\n",
				       cfgs[c]->name, seed);
			}
			fflush(stdout);
		}
	}
	if (expect_violation) {
		printf("not ok 1 - broken engine NOT caught in %lu runs\n", test);
		return 1;
	}
	printf("# %lu runs, %lu failed, %.1f s CPU\n", test, failures,
	       (double)(clock() - start) / CLOCKS_PER_SEC);
	return failures == 0 ? 0 : 1;
}
