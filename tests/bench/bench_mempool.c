/* bench_mempool.c: CPU time per tx of node/mempool.c: admission of signed
 * transfers (signature already verified, as from the RPC), reaping blocks
 * and the re-check after each commit, and eviction from a full pool. Uses
 * the unit tests' chain fixture. Run by `make bench-mempool` (not by make
 * check). Arguments: txs per sender (6 senders), fee spread (1: equal fees);
 * or `evict POOL NEW`: a pool full of POOL txs (5 senders, each one's later
 * nonces cheaper), then NEW txs of a sixth sender that each pay more than
 * the cheapest, so each evicts one tx. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/mempool.h"
#include "tests/unit/ledger_fixture.h"

#define SENDERS 6

static double cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The eviction scenario: CPU time per admission that evicts a ready tx. */
static int bench_evict(size_t pool, size_t fresh)
{
	size_t per = pool / 5, n = per * 5;
	struct mempool_limits limits = { .max_txs = n, .max_bytes = (size_t)1 << 30 };
	struct fixture *f = calloc(1, sizeof(*f));
	uint8_t **txs = calloc(n + fresh, sizeof(*txs)), id[HASH_SIZE];
	size_t *lens = calloc(n + fresh, sizeof(*lens));
	struct ledger_error err;
	struct mempool mp;
	double t0, t1 = 0, t2;

	if (f == NULL || txs == NULL || lens == NULL || per == 0)
		return 1;
	fix_setup(f);
	for (size_t i = 0; i < n; i++) {
		uint64_t nonce = i / 5 + 1;

		txs[i] = fix_transfer(f, (int)(i % 5), nonce, FIX_FEE + 10 * (per - nonce),
				      f->signers[7].pubkey, 1, &lens[i]);
	}
	for (size_t i = 0; i < fresh; i++)
		txs[n + i] = fix_transfer(f, 5, i + 1, 3 * FIX_FEE + 10 * per, f->signers[7].pubkey,
					  1, &lens[n + i]);
	mempool_init(&mp, &f->ledger, fix_chain_state(&f->chain), 1, &limits);
	t0 = cpu_now();
	for (size_t i = 0; i < n + fresh; i++) {
		if (i == n)
			t1 = cpu_now();
		if (mempool_add_verified(&mp, txs[i], lens[i], id, &err) != MEMPOOL_ADDED) {
			fprintf(stderr, "tx %zu refused: %s\n", i, err.text);
			return 1;
		}
	}
	t2 = cpu_now();
	if (mp.count != n || mempool_ready_count(&mp) != n)
		return 1;
	printf("mempool evict: pool of %zu txs, add %.2f us/tx; %zu txs each evicting one: "
	       "%.2f us/tx\n",
	       n, (t1 - t0) * 1e6 / (double)n, fresh, (t2 - t1) * 1e6 / (double)fresh);
	mempool_free(&mp);
	for (size_t i = 0; i < n + fresh; i++)
		free(txs[i]);
	free(txs);
	free(lens);
	fix_teardown(f);
	free(f);
	return 0;
}

static int bench_add_reap_recheck(int argc, char **argv)
{
	size_t per = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 800, n = per * SENDERS;
	/* Fees differ by up to spread - 1 units (1: all equal, the pool order). */
	uint64_t spread = argc > 2 ? strtoull(argv[2], NULL, 10) : 7;
	struct mempool_limits limits = { .max_txs = n, .max_bytes = (size_t)1 << 30 };
	struct fixture *f = calloc(1, sizeof(*f));
	uint8_t **txs = calloc(n, sizeof(*txs)), (*ids)[HASH_SIZE] = calloc(n, HASH_SIZE);
	size_t *lens = calloc(n, sizeof(*lens)), reaped;
	const uint8_t **out = calloc(n, sizeof(*out));
	size_t *out_lens = calloc(n, sizeof(*out_lens));
	struct ledger_error err;
	struct mempool mp;
	double t0, t1, t2, t3;

	if (f == NULL || txs == NULL || ids == NULL || lens == NULL || out == NULL ||
	    out_lens == NULL || per == 0 || spread == 0)
		return 1;
	fix_setup(f);
	for (size_t i = 0; i < n; i++)
		txs[i] = fix_transfer(f, (int)(i % SENDERS), i / SENDERS + 1, FIX_FEE + i % spread,
				      f->signers[7].pubkey, 1, &lens[i]);
	mempool_init(&mp, &f->ledger, fix_chain_state(&f->chain), 1, &limits);
	t0 = cpu_now();
	for (size_t i = 0; i < n; i++)
		if (mempool_add_verified(&mp, txs[i], lens[i], ids[i], &err) != MEMPOOL_ADDED) {
			fprintf(stderr, "tx %zu refused: %s\n", i, err.text);
			return 1;
		}
	t1 = cpu_now();
	reaped = mempool_reap(&mp, (size_t)1 << 30, n / 2, out, out_lens);
	t2 = cpu_now();
	/* Commit nothing, re-check everything (the cost of one commit). */
	if (mempool_update(&mp, NULL, 0, 1) != 0)
		return 1;
	t3 = cpu_now();
	printf("mempool: %zu txs, add %.2f us/tx, reap %.2f us/tx (%zu), re-check %.2f us/tx\n", n,
	       (t1 - t0) * 1e6 / (double)n, (t2 - t1) * 1e6 / (double)reaped, reaped,
	       (t3 - t2) * 1e6 / (double)n);
	mempool_free(&mp);
	for (size_t i = 0; i < n; i++)
		free(txs[i]);
	free(txs);
	free(ids);
	free(lens);
	free(out);
	free(out_lens);
	fix_teardown(f);
	free(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 3 && strcmp(argv[1], "evict") == 0)
		return bench_evict(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10));
	return bench_add_reap_recheck(argc, argv);
}
