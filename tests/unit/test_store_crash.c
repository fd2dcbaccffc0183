/* test_store_crash.c: unit tests of the LevelDB store (node/store*.c)
 * under load: snapshots read by other threads while blocks commit, and a
 * crash test that SIGKILLs a committing child process at random moments.
 * Both commit the same per-height write sets (crash_writes).
 *
 * The crash test's child is this program run again (fork + exec of
 * /proc/self/exe with CRASH_CHILD_ARG), so that it starts with LevelDB's
 * background thread of its own instead of a fork of the parent's. */
#include "node/store.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "consensus/state_mem.h"
#include "tests/unit/store_helpers.h"
#include "tests/unit/test_util.h"

#define CRASH_CHILD_ARG "--crash-child"
#define CRASH_ROUNDS	60

/* ---- the crash test ---- */

/* Progress the child publishes in a shared file: the height it is about to
 * commit and the last height whose store_commit_block returned. */
struct crash_progress {
	_Atomic uint64_t started;
	_Atomic uint64_t done;
};

static void crash_key(char *out, size_t size, uint64_t h)
{
	snprintf(out, size, "k%08llu", (unsigned long long)h);
}

static void crash_value(char *out, size_t size, uint64_t h)
{
	size_t len = 100 + (size_t)(h % 200);
	int n = snprintf(out, size, "%llu:", (unsigned long long)h);

	for (size_t i = (size_t)n; i < len && i + 1 < size; i++)
		out[i] = (char)('a' + (h + i) % 26);
	out[len < size ? len : size - 1] = '\0';
}

/* The write set of block h (h >= 1): n = h, k(h) added, k(h-5) deleted,
 * m(h % 7) = h. Returns 0 or -1. */
static int crash_writes(const struct state *st, uint64_t h)
{
	char key[32], val[512], n[32];

	snprintf(n, sizeof(n), "%llu", (unsigned long long)h);
	crash_key(key, sizeof(key), h);
	crash_value(val, sizeof(val), h);
	if (state_put(st, (const uint8_t *)"n", 1, (const uint8_t *)n, strlen(n)) != STATE_OK ||
	    state_put(st, (const uint8_t *)key, strlen(key), (const uint8_t *)val, strlen(val)) !=
		    STATE_OK)
		return -1;
	if (h > 5) {
		crash_key(key, sizeof(key), h - 5);
		if (state_del(st, (const uint8_t *)key, strlen(key)) != STATE_OK)
			return -1;
	}
	snprintf(key, sizeof(key), "m%llu", (unsigned long long)(h % 7));
	return state_put(st, (const uint8_t *)key, strlen(key), (const uint8_t *)n, strlen(n)) ==
			       STATE_OK
		       ? 0
		       : -1;
}

/* The state after block t, built directly (not by replay). */
static void crash_expected_state(const struct state *st, uint64_t t)
{
	char key[32], val[512], n[32];

	put_s(st, "genesis", "crash");
	if (t == 0)
		return;
	snprintf(n, sizeof(n), "%llu", (unsigned long long)t);
	put_s(st, "n", n);
	for (uint64_t h = t > 4 ? t - 4 : 1; h <= t; h++) {
		crash_key(key, sizeof(key), h);
		crash_value(val, sizeof(val), h);
		put_s(st, key, val);
	}
	for (uint64_t h = t > 6 ? t - 6 : 1; h <= t; h++) {
		snprintf(key, sizeof(key), "m%llu", (unsigned long long)(h % 7));
		snprintf(n, sizeof(n), "%llu", (unsigned long long)h);
		put_s(st, key, n);
	}
}

/* A reader thread: each snapshot's tip, state and records must agree.
 * cmocka's asserts are not for other threads: a reader reports in failure. */
struct reader_arg {
	struct store *store;
	_Atomic int *stop;
	int snapshots;
	uint64_t max_seen;
	char failure[STORE_ERROR_MAX + 64];
};

static void *reader_run(void *p)
{
	struct reader_arg *a = p;

	while (!atomic_load(a->stop) && a->failure[0] == '\0') {
		struct store_snapshot *snap;
		struct store_error err;
		struct store_tip tip;
		uint8_t hash[HASH_SIZE];
		uint8_t *bytes;
		size_t len;
		char want[32];
		char *n;

		if (store_snapshot_open(a->store, &snap, &err) != STORE_OK) {
			snprintf(a->failure, sizeof(a->failure), "snapshot: %s", err.msg);
			break;
		}
		if (store_get_tip(a->store, snap, &tip, &err) != STORE_OK ||
		    store_get_app_hash(a->store, snap, tip.height, hash, &err) != STORE_OK) {
			snprintf(a->failure, sizeof(a->failure), "tip: %s", err.msg);
		} else if (memcmp(hash, tip.app_hash, HASH_SIZE) != 0) {
			snprintf(a->failure, sizeof(a->failure), "app hash of %llu differs",
				 (unsigned long long)tip.height);
		} else if (store_get_block(a->store, snap, tip.height + 1, NULL, &bytes, &len,
					   &err) != STORE_NOT_FOUND) {
			free(bytes);
			snprintf(a->failure, sizeof(a->failure), "block after tip %llu",
				 (unsigned long long)tip.height);
		} else {
			uint8_t *val;
			enum state_status rc = state_get(store_snapshot_state(snap),
							 (const uint8_t *)"n", 1, &val, &len);

			snprintf(want, sizeof(want), "%llu", (unsigned long long)tip.height);
			n = rc == STATE_OK ? strndup((const char *)val, len) : NULL;
			free(val);
			if (tip.height > 0 && (n == NULL || strcmp(n, want) != 0))
				snprintf(a->failure, sizeof(a->failure),
					 "snapshot at tip %s holds n=%s", want, n ? n : "(none)");
			free(n);
			if (tip.height > a->max_seen)
				a->max_seen = tip.height;
		}
		store_snapshot_close(snap);
		a->snapshots++;
	}
	return NULL;
}

static void test_store_snapshots_stay_consistent_while_blocks_commit(void **state)
{
	struct tmp *t = *state;
	struct store *store;
	struct store_error err;
	struct state ov_st;
	struct overlay ov;
	uint8_t app_hash[HASH_SIZE];
	_Atomic int stop = 0;
	struct reader_arg args[2] = { 0 };
	pthread_t readers[2];
	const uint64_t n = 150;

	store = open_ok(t->path);
	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "genesis", "crash");
	assert_int_equal(commit_genesis(store, &ov, app_hash, &err), STORE_OK);
	overlay_free(&ov);

	for (int i = 0; i < 2; i++) {
		args[i].store = store;
		args[i].stop = &stop;
		assert_int_equal(pthread_create(&readers[i], NULL, reader_run, &args[i]), 0);
	}
	for (uint64_t h = 1; h <= n; h++) {
		overlay_init(&ov, store_state(store), &ov_st);
		assert_int_equal(crash_writes(&ov_st, h), 0);
		assert_int_equal(commit_test_block(store, h, &ov, app_hash, &err), STORE_OK);
		overlay_free(&ov);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(readers[i], NULL), 0);
		if (args[i].failure[0] != '\0')
			fail_msg("reader %d: %s", i, args[i].failure);
		assert_true(args[i].snapshots > 0);
	}
	print_message("# readers took %d and %d snapshots, saw tips up to %llu and %llu\n",
		      args[0].snapshots, args[1].snapshots, (unsigned long long)args[0].max_seen,
		      (unsigned long long)args[1].max_seen);
	store_close(store);
}

/* The child: commits blocks tip+1, tip+2, ... until killed. Exit codes
 * above 0 say which step failed (the parent reports them). */
static int crash_child_run(const char *path, const char *progress_path, const char *ready_fd)
{
	struct store_options opts;
	struct store_error err;
	struct store *store;
	struct store_tip tip;
	struct crash_progress *progress;
	uint8_t app_hash[HASH_SIZE];
	int fd = open(progress_path, O_RDWR);
	int ready = atoi(ready_fd);

	if (hearth_crypto_init() != 0 || fd < 0)
		return 10;
	progress = mmap(NULL, sizeof(*progress), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (progress == MAP_FAILED)
		return 11;
	store_options_default(&opts);
	opts.create_if_missing = false;
	opts.cache_bytes = (size_t)4 << 20;
	if (store_open(path, &opts, &store, &err) != STORE_OK) {
		fprintf(stderr, "crash child: %s\n", err.msg);
		return 12;
	}
	if (store_get_tip(store, NULL, &tip, &err) != STORE_OK)
		return 13;
	memcpy(app_hash, tip.app_hash, HASH_SIZE);
	atomic_store(&progress->started, tip.height);
	atomic_store(&progress->done, tip.height);
	if (write(ready, "R", 1) != 1)
		return 14;
	close(ready);
	for (uint64_t h = tip.height + 1; h < tip.height + 1000000; h++) {
		struct overlay ov;
		struct state ov_st;
		enum store_status rc;

		overlay_init(&ov, store_state(store), &ov_st);
		if (crash_writes(&ov_st, h) != 0)
			return 15;
		atomic_store(&progress->started, h);
		rc = commit_test_block(store, h, &ov, app_hash, &err);
		if (rc != STORE_OK) {
			fprintf(stderr, "crash child: %s\n", err.msg);
			return 16;
		}
		atomic_store(&progress->done, h);
		overlay_free(&ov);
	}
	return 17;
}

/* Starts the child; returns its pid once it has opened the store. */
static pid_t crash_child_start(const char *path, const char *progress_path)
{
	int fds[2];
	char fd_arg[16];
	char ready;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	snprintf(fd_arg, sizeof(fd_arg), "%d", fds[1]);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		execl("/proc/self/exe", "test_store_crash", CRASH_CHILD_ARG, path, progress_path,
		      fd_arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (read(fds[0], &ready, 1) != 1) {
		int status;

		assert_int_equal(waitpid(pid, &status, 0), pid);
		fail_msg("crash child failed before it was ready (status 0x%x)", status);
	}
	close(fds[0]);
	return pid;
}

/* Asserts the reopened store is exactly at the end of block t. */
static void crash_check_store(struct store *store, uint64_t t,
			      const uint8_t expected_app_hash[HASH_SIZE])
{
	struct store_tip tip;
	struct store_error err;
	struct state_mem mem;
	struct state mem_st;
	uint8_t id[HASH_SIZE], hash[HASH_SIZE];
	uint8_t *bytes;
	size_t len;

	assert_int_equal(store_get_tip(store, NULL, &tip, &err), STORE_OK);
	assert_int_equal(tip.height, t);
	assert_memory_equal(tip.app_hash, expected_app_hash, HASH_SIZE);
	assert_int_equal(store_get_app_hash(store, NULL, t, hash, &err), STORE_OK);
	assert_memory_equal(hash, expected_app_hash, HASH_SIZE);
	if (t > 0) {
		test_block_id(t, id);
		assert_memory_equal(tip.block_id, id, HASH_SIZE);
		assert_int_equal(store_get_block(store, NULL, t, id, &bytes, &len, &err), STORE_OK);
		assert_int_equal(len, 2048);
		free(bytes);
		assert_int_equal(store_get_commit(store, NULL, t, &bytes, &len, &err), STORE_OK);
		free(bytes);
	}
	assert_int_equal(store_get_block(store, NULL, t + 1, NULL, &bytes, &len, &err),
			 STORE_NOT_FOUND);
	assert_int_equal(store_get_commit(store, NULL, t + 1, &bytes, &len, &err), STORE_NOT_FOUND);
	assert_int_equal(store_get_app_hash(store, NULL, t + 1, hash, &err), STORE_NOT_FOUND);
	state_mem_init(&mem, &mem_st);
	crash_expected_state(&mem_st, t);
	assert_same_state(store_state(store), &mem_st);
	state_mem_free(&mem);
}

static void test_store_sigkill_mid_commit_leaves_old_or_new_tip(void **state)
{
	struct rng r = { .s = test_seed(0xc0ffee1234ULL) };
	struct tmp *t = *state;
	char progress_path[TEST_PATH_MAX + 16];
	struct crash_progress *progress;
	struct store *store;
	struct store_error err;
	struct state ov_st;
	struct overlay ov;
	struct state_mem empty;
	struct state empty_st;
	uint8_t(*app_hashes)[HASH_SIZE] = NULL;
	uint64_t known = 0; /* app_hashes[0..known] are computed */
	uint64_t last = 0;
	int mid_commit = 0, advanced = 0;
	int fd;

	snprintf(progress_path, sizeof(progress_path), "%s/progress", t->dir);
	fd = open(progress_path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, sizeof(*progress)), 0);
	progress = mmap(NULL, sizeof(*progress), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(progress != MAP_FAILED);
	close(fd);

	app_hashes = malloc(HASH_SIZE);
	assert_non_null(app_hashes);
	store = open_ok(t->path);
	overlay_init(&ov, store_state(store), &ov_st);
	put_s(&ov_st, "genesis", "crash");
	assert_int_equal(commit_genesis(store, &ov, app_hashes[0], &err), STORE_OK);
	overlay_free(&ov);
	store_close(store);
	state_mem_init(&empty, &empty_st);

	for (int round = 0; round < CRASH_ROUNDS; round++) {
		struct timespec delay = { .tv_sec = 0,
					  .tv_nsec = (long)rng_below(&r, 4000) * 1000 };
		uint64_t started, done, tip;
		struct store_tip st;
		pid_t pid = crash_child_start(t->path, progress_path);
		int status;

		nanosleep(&delay, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("crash child ended by itself (status 0x%x)", status);
		started = atomic_load(&progress->started);
		done = atomic_load(&progress->done);

		store = open_ok(t->path);
		assert_int_equal(store_get_tip(store, NULL, &st, &err), STORE_OK);
		tip = st.height;
		/* Committed blocks stay committed; an interrupted one is all or
		 * nothing. */
		assert_true(tip >= last);
		assert_true(tip == done || tip == started);
		if (started != done)
			mid_commit++;
		if (tip > last)
			advanced++;
		if (tip > known) {
			app_hashes = realloc(app_hashes, (size_t)(tip + 1) * HASH_SIZE);
			assert_non_null(app_hashes);
			for (uint64_t h = known + 1; h <= tip; h++) {
				uint8_t wsh[HASH_SIZE];

				overlay_init(&ov, &empty_st, &ov_st);
				assert_int_equal(crash_writes(&ov_st, h), 0);
				overlay_write_set_hash(&ov, wsh);
				overlay_app_hash(app_hashes[h - 1], wsh, app_hashes[h]);
				overlay_free(&ov);
			}
			known = tip;
		}
		crash_check_store(store, tip, app_hashes[tip]);
		store_close(store);
		last = tip;
	}
	print_message("# crash test: %d rounds, %d killed inside store_commit_block, "
		      "%d advanced the tip, final tip %llu\n",
		      CRASH_ROUNDS, mid_commit, advanced, (unsigned long long)last);
	assert_true(mid_commit > 0);
	assert_true(last > 0);

	state_mem_free(&empty);
	free(app_hashes);
	munmap(progress, sizeof(*progress));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_store_snapshots_stay_consistent_while_blocks_commit, tmp_setup,
			tmp_teardown),
		cmocka_unit_test_setup_teardown(test_store_sigkill_mid_commit_leaves_old_or_new_tip,
						tmp_setup, tmp_teardown),
	};

	if (argc == 5 && strcmp(argv[1], CRASH_CHILD_ARG) == 0)
		return crash_child_run(argv[2], argv[3], argv[4]);
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
