/* bench_ledger.c: the ledger's block-apply benchmark (make bench-ledger).
 * Blocks of 1,000 signed transfers (the test chain's max_block_txs), each to
 * a recipient that has no account yet, so that every block's overlay gains
 * about 1,000 new keys; applied with ledger_apply_block over the in-memory
 * state of the unit tests' chain (tests/unit/ledger_fixture.c), then flushed
 * into it. Prints the CPU time of the thread spent in ledger_apply_block
 * (signature checks included) and in the flushes, which insert into the
 * growing in-memory state. doc/benchmarks.md records the results.
 * The fixture's helpers fail through cmocka, so this is linked with it. */
#include "tests/unit/test_util.h"

#include <string.h>
#include <time.h>

#include "tests/unit/ledger_fixture.h"

#define BLOCK_TXS 1000
#define SENDERS	  6 /* the fixture's funded keys */

static double thread_cpu_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0.0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The public key of the n-th recipient (a key nobody else uses). */
static void recipient_pubkey(uint32_t n, uint8_t out[PUBKEY_SIZE])
{
	uint8_t secret[SECKEY_SIZE] = { 0 };
	struct signer s;

	secret[0] = 0x55;
	secret[28] = (uint8_t)(n >> 24);
	secret[29] = (uint8_t)(n >> 16);
	secret[30] = (uint8_t)(n >> 8);
	secret[31] = (uint8_t)(n + 1);
	if (signer_from_secret(&s, secret) != 0)
		fail_msg("recipient key %u", n);
	memcpy(out, s.pubkey, PUBKEY_SIZE);
	signer_wipe(&s);
}

/* Applies one block of transfers; adds the CPU times to *apply and *flush. */
static void bench_block(struct fixture *f, uint32_t block, uint64_t nonces[SENDERS], double *apply,
			double *flush)
{
	uint8_t *txs[BLOCK_TXS], *raw, to[PUBKEY_SIZE];
	size_t lens[BLOCK_TXS], len;
	struct ledger_block_result res;
	struct ledger_error err;
	double t0;

	for (uint32_t i = 0; i < BLOCK_TXS; i++) {
		int from = (int)(i % SENDERS);

		recipient_pubkey(block * BLOCK_TXS + i, to);
		txs[i] = fix_transfer(f, from, ++nonces[from], FIX_FEE, to, 1, &lens[i]);
	}
	raw = fix_make_block(f, &f->chain, txs, lens, BLOCK_TXS, &len);
	t0 = thread_cpu_s();
	if (ledger_apply_block(&f->ledger, fix_chain_state(&f->chain), &f->chain.tip, raw, len,
			       &res, &err) != LEDGER_OK)
		fail_msg("block %u refused: %s", block, err.text);
	*apply += thread_cpu_s() - t0;
	t0 = thread_cpu_s();
	if (overlay_flush(&res.writes, fix_chain_state(&f->chain)) != STATE_OK)
		fail_msg("flush of block %u", block);
	*flush += thread_cpu_s() - t0;
	f->chain.tip = res.tip;
	ledger_block_result_free(&res);
	free(raw);
	for (uint32_t i = 0; i < BLOCK_TXS; i++)
		free(txs[i]);
}

int main(int argc, char **argv)
{
	static struct fixture f;
	uint64_t nonces[SENDERS] = { 0 };
	uint32_t blocks = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 20;
	double apply = 0.0, flush = 0.0;

	if (blocks == 0 || blocks > 200) {
		fprintf(stderr, "usage: bench_ledger [blocks, 1-200]\n");
		return 2;
	}
	fix_setup(&f);
	for (uint32_t b = 0; b < blocks; b++)
		bench_block(&f, b, nonces, &apply, &flush);
	fix_assert_invariant(&f, &f.chain);
	printf("ledger: %u blocks of %d transfers to new accounts: apply %.3f s CPU "
	       "(%.1f ms per block), flush into the in-memory state %.3f s CPU (%.1f ms per "
	       "block)\n",
	       blocks, BLOCK_TXS, apply, 1000.0 * apply / blocks, flush, 1000.0 * flush / blocks);
	fix_teardown(&f);
	return 0;
}
