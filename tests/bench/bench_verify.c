/* bench_verify.c: one core's raw BIP340 verify rate (sig_verify of
 * consensus/crypto.h over distinct digests), the yardstick of
 * `make bench-node`. Prints "verify_per_s N" (wall time) and
 * "verify_per_cpu_s N" (the thread's CPU time: what one core does when it is
 * not shared, the figure to set CPU costs against on a busy machine).
 *   bench_verify [SECONDS]   (default 1, at most 60)
 * Exit 0, or 1 with one line on standard error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/crypto.h"

#define N_SIGS 256

static double now_s(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *msg)
{
	fprintf(stderr, "bench_verify: %s\n", msg);
	return 1;
}

int main(int argc, char **argv)
{
	static uint8_t digests[N_SIGS][HASH_SIZE], sigs[N_SIGS][SIG_SIZE];
	struct signer s;
	double seconds = argc > 1 ? atof(argv[1]) : 1.0, start, elapsed, cpu_start, cpu;
	unsigned long long done = 0;

	if (seconds <= 0 || seconds > 60)
		return fail("SECONDS must be in (0, 60]");
	if (hearth_crypto_init() != 0 || signer_generate(&s) != 0)
		return fail("cannot make a key");
	for (unsigned i = 0; i < N_SIGS; i++) {
		hash_tagged("bench/verify", &i, sizeof(i), digests[i]);
		if (sig_sign(&s, digests[i], sigs[i]) != 0) {
			signer_wipe(&s);
			return fail("cannot sign");
		}
	}
	start = now_s(CLOCK_MONOTONIC);
	cpu_start = now_s(CLOCK_THREAD_CPUTIME_ID);
	do {
		for (unsigned i = 0; i < N_SIGS; i++) {
			if (!sig_verify(sigs[i], digests[i], s.pubkey)) {
				signer_wipe(&s);
				return fail("a signature does not verify");
			}
		}
		done += N_SIGS;
		elapsed = now_s(CLOCK_MONOTONIC) - start;
	} while (elapsed < seconds);
	cpu = now_s(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
	signer_wipe(&s);
	printf("verify_per_s %.0f\n", (double)done / elapsed);
	printf("verify_per_cpu_s %.0f\n", cpu > 0 ? (double)done / cpu : 0.0);
	return 0;
}
