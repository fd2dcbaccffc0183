/* bench_bft.c: the engine's own cost: 4 validators in one process with a
 * network of zero delay (a FIFO queue), every message delivered, the
 * application answering at once. Real BIP340 signing through the
 * double-sign guard and real verification of every received signature (no
 * cache) are included: they are what a height costs a validator.
 *
 *   bench_bft [HEIGHTS [trust]]    (default 2000)
 *
 * Prints heights per CPU-second. With "trust", received signatures are not
 * verified (the cost of the state machine and of signing alone). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/bft.h"
#include "consensus/proposer.h"

#define N     4
#define CHAIN "hearth-bench"

struct item {
	size_t to;
	bool is_vote;
	struct vote vote;
	struct proposal_header proposal;
	uint8_t payload[64];
	size_t len;
};

struct bench {
	struct bft *e[N];
	struct privval pv[N];
	struct validator_set *sets; /* sets[h - 1] */
	size_t sets_len;
	uint64_t committed[N];
	struct item *queue;
	size_t head, tail, cap;
	struct bft_actions acts;
	struct bft_timeout pending[N];
	bool has_pending[N];
	uint64_t messages;
};

static bool trust_all(void *ctx, const uint8_t sig[SIG_SIZE], const uint8_t digest[HASH_SIZE],
		      const uint8_t pubkey[PUBKEY_SIZE])
{
	(void)ctx;
	(void)sig;
	(void)digest;
	(void)pubkey;
	return true;
}

static int persist_nothing(void *ctx, const struct privval_record *rec)
{
	(void)ctx;
	(void)rec;
	return 0; /* the node fsyncs here; the bench measures the engine */
}

static const struct validator_set *set_of(struct bench *b, uint64_t h)
{
	while (b->sets_len < h) {
		struct validator_set *n = realloc(b->sets, (b->sets_len + 1) * sizeof(*b->sets));

		if (n == NULL)
			abort();
		b->sets = n;
		b->sets[b->sets_len] = b->sets[b->sets_len - 1];
		(void)proposer_increment(&b->sets[b->sets_len], 1);
		b->sets_len++;
	}
	return &b->sets[h - 1];
}

static void push(struct bench *b, const struct item *it)
{
	if (b->tail - b->head == b->cap) {
		size_t ncap = b->cap ? 2 * b->cap : 1024;
		struct item *q = malloc(ncap * sizeof(*q));

		if (q == NULL)
			abort();
		for (size_t i = 0; i < b->tail - b->head; i++)
			q[i] = b->queue[(b->head + i) % (b->cap ? b->cap : 1)];
		b->tail -= b->head;
		b->head = 0;
		free(b->queue);
		b->queue = q;
		b->cap = ncap;
	}
	b->queue[b->tail++ % b->cap] = *it;
}

static void handle(struct bench *b, size_t k, const struct bft_event *ev);

static void act(struct bench *b, size_t k)
{
	struct bft_actions acts = b->acts; /* handle() reuses b->acts */
	struct bft_event next[BFT_ACTIONS_MAX];
	uint8_t payloads[BFT_ACTIONS_MAX][64];
	size_t n = 0;

	for (size_t i = 0; i < acts.count; i++) {
		const struct bft_action *a = &acts.items[i];
		struct item it;

		switch (a->type) {
		case BFT_ACTION_BROADCAST_PROPOSAL:
			memset(&it, 0, sizeof(it));
			it.proposal = a->u.proposal.header;
			it.len = a->u.proposal.payload_len;
			memcpy(it.payload, a->u.proposal.payload, it.len);
			for (size_t p = 0; p < N; p++)
				if (p != k) {
					it.to = p;
					push(b, &it);
				}
			break;
		case BFT_ACTION_BROADCAST_VOTE:
			memset(&it, 0, sizeof(it));
			it.is_vote = true;
			it.vote = a->u.vote;
			for (size_t p = 0; p < N; p++)
				if (p != k) {
					it.to = p;
					push(b, &it);
				}
			break;
		case BFT_ACTION_SCHEDULE_TIMEOUT:
			/* remembered; fired only if the network goes quiet */
			b->pending[k] = a->u.timeout;
			b->has_pending[k] = true;
			break;
		case BFT_ACTION_REQUEST_BLOCK:
			memset(&next[n], 0, sizeof(next[n]));
			memset(payloads[n], 0, 64);
			memcpy(payloads[n], &a->u.request.height, sizeof(uint64_t));
			memcpy(payloads[n] + 8, &a->u.request.round, sizeof(uint32_t));
			next[n].type = BFT_EVENT_BLOCK;
			next[n].u.block.height = a->u.request.height;
			next[n].u.block.round = a->u.request.round;
			hash_tagged("hearth/block", payloads[n], 64, next[n].u.block.block_id);
			next[n].u.block.payload = payloads[n];
			next[n].u.block.payload_len = 64;
			n++;
			break;
		case BFT_ACTION_VALIDATE_BLOCK:
			memset(&next[n], 0, sizeof(next[n]));
			next[n].type = BFT_EVENT_VALIDITY;
			next[n].u.validity.height = a->u.validate.height;
			memcpy(next[n].u.validity.block_id, a->u.validate.block_id, HASH_SIZE);
			next[n].u.validity.valid = true;
			n++;
			break;
		case BFT_ACTION_COMMIT:
			b->committed[k] = a->u.commit.proposal->height;
			memset(&next[n], 0, sizeof(next[n]));
			next[n].type = BFT_EVENT_START_HEIGHT;
			next[n].u.start.height = b->committed[k] + 1;
			next[n].u.start.validators = set_of(b, b->committed[k] + 1);
			n++;
			break;
		case BFT_ACTION_EVIDENCE:
			fprintf(stderr, "bench_bft: unexpected evidence\n");
			exit(1);
		}
	}
	for (size_t i = 0; i < n; i++)
		handle(b, k, &next[i]);
}

static void handle(struct bench *b, size_t k, const struct bft_event *ev)
{
	enum bft_status st = bft_handle(b->e[k], ev, &b->acts);

	if (st == BFT_ERROR || st == BFT_NO_MEMORY || st == BFT_INVALID) {
		fprintf(stderr, "bench_bft: engine %zu: %s\n", k, bft_strstatus(st));
		exit(1);
	}
	act(b, k);
}

static uint64_t min_committed(const struct bench *b)
{
	uint64_t m = UINT64_MAX;

	for (size_t k = 0; k < N; k++)
		if (b->committed[k] < m)
			m = b->committed[k];
	return m;
}

int main(int argc, char **argv)
{
	static struct bench b;
	uint64_t heights = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000;
	struct validator members[N];
	struct validator_set empty;
	struct bft_config cfg;
	uint8_t secrets[N][SECKEY_SIZE];
	clock_t t0, t1;
	double cpu;

	if (heights == 0 || hearth_crypto_init() != 0)
		return 1;
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.chain_id, sizeof(cfg.chain_id), "%s", CHAIN);
	bft_timeouts_test(&cfg.timeouts);
	cfg.timeouts.skip_timeout_commit = true;
	if (argc > 2 && strcmp(argv[2], "trust") == 0)
		cfg.verifier.fn = trust_all;
	for (size_t i = 0; i < N; i++) {
		struct signer s;

		memset(secrets[i], 0, SECKEY_SIZE);
		secrets[i][0] = 0x42;
		secrets[i][31] = (uint8_t)(i + 1);
		if (signer_from_secret(&s, secrets[i]) != 0)
			return 1;
		memset(&members[i], 0, sizeof(members[i]));
		memcpy(members[i].key, s.pubkey, PUBKEY_SIZE);
		members[i].power = 10;
		signer_wipe(&s);
	}
	memset(&empty, 0, sizeof(empty));
	b.sets = malloc(sizeof(*b.sets));
	if (b.sets == NULL || proposer_update(&empty, members, N, &b.sets[0]) != 0)
		return 1;
	b.sets_len = 1;
	for (size_t i = 0; i < N; i++) {
		if (privval_init(&b.pv[i], secrets[i], NULL, persist_nothing, NULL) != 0)
			return 1;
		b.e[i] = bft_new(&cfg, &b.pv[i]);
		if (b.e[i] == NULL)
			return 1;
	}
	t0 = clock();
	for (size_t i = 0; i < N; i++) {
		struct bft_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = BFT_EVENT_START_HEIGHT;
		ev.u.start.height = 1;
		ev.u.start.validators = set_of(&b, 1);
		handle(&b, i, &ev);
	}
	while (min_committed(&b) < heights) {
		if (b.head == b.tail) {
			/* the network is quiet: time passes, fire what was scheduled */
			bool fired = false;

			for (size_t k = 0; k < N; k++) {
				struct bft_event ev;

				if (!b.has_pending[k])
					continue;
				b.has_pending[k] = false;
				memset(&ev, 0, sizeof(ev));
				ev.type = BFT_EVENT_TIMEOUT;
				ev.u.timeout = b.pending[k];
				handle(&b, k, &ev);
				fired = true;
			}
			if (!fired) {
				fprintf(stderr, "bench_bft: stalled at height %" PRIu64 "\n",
					min_committed(&b));
				return 1;
			}
			continue;
		}
		{
			struct item it = b.queue[b.head++ % b.cap];
			struct bft_event ev;

			memset(&ev, 0, sizeof(ev));
			if (it.is_vote) {
				ev.type = BFT_EVENT_VOTE;
				ev.u.vote = it.vote;
			} else {
				ev.type = BFT_EVENT_PROPOSAL;
				ev.u.proposal.header = it.proposal;
				ev.u.proposal.payload = it.payload;
				ev.u.proposal.payload_len = it.len;
			}
			b.messages++;
			{
				enum bft_status st = bft_handle(b.e[it.to], &ev, &b.acts);

				if (st == BFT_ERROR || st == BFT_NO_MEMORY || st == BFT_INVALID) {
					fprintf(stderr, "bench_bft: %s\n", bft_strstatus(st));
					return 1;
				}
				act(&b, it.to);
			}
		}
	}
	t1 = clock();
	cpu = (double)(t1 - t0) / CLOCKS_PER_SEC;
	printf("bench_bft: %d validators%s, %" PRIu64 " heights, %" PRIu64
	       " messages, %.2f s CPU: %.0f heights per CPU-second (%.3f ms per height)\n",
	       N, cfg.verifier.fn != NULL ? " (signatures not verified)" : "", min_committed(&b),
	       b.messages, cpu, (double)min_committed(&b) / cpu,
	       cpu * 1000.0 / (double)min_committed(&b));
	for (size_t i = 0; i < N; i++) {
		bft_free(b.e[i]);
		privval_wipe(&b.pv[i]);
	}
	free(b.queue);
	free(b.sets);
	return 0;
}
