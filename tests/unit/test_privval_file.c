/* test_privval_file.c: unit tests of priv_validator_state on disk
 * (node/privval_file.c): round trip, alternating slots, torn writes, both
 * slots damaged, and the conversion of the old JSON file. */
#include "node/privval_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/privval_format.h"
#include "tests/unit/test_util.h"

struct fixture {
	char base[64];
	struct datadir dd;
	char path[DATADIR_PATH_MAX + 256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL || hearth_crypto_init() != 0)
		return -1;
	snprintf(f->base, sizeof(f->base), "/tmp/hearth-privval-XXXXXX");
	if (mkdtemp(f->base) == NULL ||
	    datadir_open(&f->dd, f->base, "dev", err, sizeof(err)) != 0 ||
	    datadir_file(&f->dd, PRIVVAL_FILE_NAME, f->path, sizeof(f->path)) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	int rc;

	datadir_close(&f->dd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->base);
	rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* A record whose every field depends on height. */
static struct privval_record record_at(uint64_t height)
{
	struct privval_record r;

	memset(&r, 0, sizeof(r));
	r.height = height;
	r.round = (uint32_t)(height % 7);
	r.step = (enum privval_step)(1 + height % 3);
	memset(r.digest, (int)(height & 0xff), HASH_SIZE);
	memset(r.sig, (int)((height + 1) & 0xff), SIG_SIZE);
	r.has_block = height % 2 == 0;
	memset(r.block_id, (int)((height + 2) & 0xff), HASH_SIZE);
	r.pol_round = height % 4 == 0 ? -1 : (int32_t)(height % 5);
	r.lock_round = height % 3 == 0 ? -1 : (int64_t)r.round;
	memset(r.lock_id, (int)((height + 3) & 0xff), HASH_SIZE);
	return r;
}

static void assert_record_equal(const struct privval_record *a, const struct privval_record *b)
{
	assert_int_equal(a->height, b->height);
	assert_int_equal(a->round, b->round);
	assert_int_equal(a->step, b->step);
	assert_memory_equal(a->digest, b->digest, HASH_SIZE);
	assert_memory_equal(a->sig, b->sig, SIG_SIZE);
	assert_int_equal(a->has_block, b->has_block);
	assert_memory_equal(a->block_id, b->block_id, HASH_SIZE);
	assert_int_equal(a->pol_round, b->pol_round);
	assert_int_equal(a->lock_round, b->lock_round);
	assert_memory_equal(a->lock_id, b->lock_id, HASH_SIZE);
}

/* Loads the record; want_converted: whether this load must convert JSON. */
static void load_conv(struct fixture *f, struct privval_record *rec, bool want_converted)
{
	char err[512];
	bool found = false, converted = !want_converted;

	assert_int_equal(privval_file_load(&f->dd, rec, &found, &converted, err, sizeof(err)), 0);
	assert_true(found);
	assert_int_equal(converted, want_converted);
}

static void load_ok(struct fixture *f, struct privval_record *rec)
{
	load_conv(f, rec, false);
}

static void load_fails(struct fixture *f)
{
	struct privval_record rec;
	char err[512];
	bool found = true, converted = true;

	assert_int_equal(privval_file_load(&f->dd, &rec, &found, &converted, err, sizeof(err)), -1);
	assert_false(found);
	assert_false(converted);
	assert_non_null(strstr(err, "refusing to sign"));
}

static void save(struct fixture *f, uint64_t height)
{
	struct privval_record r = record_at(height);

	assert_int_equal(privval_file_persist(&f->dd, &r), 0);
}

/* Overwrites len bytes at off of the file with byte. */
static void scribble(struct fixture *f, off_t off, size_t len, uint8_t byte)
{
	uint8_t buf[PRIVVAL_SLOT_STRIDE];
	int fd = open(f->path, O_WRONLY);

	assert_true(fd >= 0 && len <= sizeof(buf));
	memset(buf, byte, len);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Decodes slot i of the file. Returns its state; Out: *seq, *rec. */
static enum privval_slot_state slot_of(struct fixture *f, int i, uint64_t *seq,
				       struct privval_record *rec)
{
	uint8_t slot[PRIVVAL_SLOT_BYTES];
	int fd = open(f->path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, slot, sizeof(slot), (off_t)i * PRIVVAL_SLOT_STRIDE),
			 (ssize_t)sizeof(slot));
	assert_int_equal(close(fd), 0);
	return privval_slot_decode(slot, rec, seq);
}

static void test_privval_file_round_trip(void **state)
{
	struct fixture *f = *state;
	struct privval_record want = record_at(12), got;
	char err[256];
	bool found = true, converted = true;
	struct stat st;

	assert_int_equal(privval_file_load(&f->dd, &got, &found, &converted, err, sizeof(err)), 0);
	assert_false(found);
	assert_false(converted);
	assert_int_equal(got.lock_round, -1);
	assert_int_equal(privval_file_persist(&f->dd, &want), 0);
	load_ok(f, &got);
	assert_record_equal(&got, &want);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, PRIVVAL_FILE_SIZE);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_privval_file_saves_alternate_in_place(void **state)
{
	struct fixture *f = *state;
	struct privval_record got, want, other;
	struct stat first, now;
	uint64_t seq0, seq1;

	save(f, 1);
	assert_int_equal(stat(f->path, &first), 0);
	for (uint64_t h = 2; h <= 40; h++) {
		save(f, h);
		want = record_at(h);
		load_ok(f, &got);
		assert_record_equal(&got, &want);
		/* save h went to slot (h - 1) % 2 with seq h; the other holds h - 1 */
		assert_int_equal(slot_of(f, (int)((h - 1) % 2), &seq0, &got), PRIVVAL_SLOT_VALID);
		assert_int_equal(seq0, h);
		assert_record_equal(&got, &want);
		assert_int_equal(slot_of(f, (int)(h % 2), &seq1, &other), PRIVVAL_SLOT_VALID);
		assert_int_equal(seq1, h - 1);
		assert_int_equal(other.height, h - 1);
	}
	/* the same file all along: written in place, never replaced */
	assert_int_equal(stat(f->path, &now), 0);
	assert_int_equal(now.st_ino, first.st_ino);
	assert_int_equal(now.st_size, PRIVVAL_FILE_SIZE);
}

static void test_privval_file_torn_newest_falls_back(void **state)
{
	struct fixture *f = *state;
	struct privval_record got, want = record_at(2);
	uint64_t seq;

	save(f, 1); /* slot 0, seq 1 */
	save(f, 2); /* slot 1, seq 2 */
	save(f, 3); /* slot 0, seq 3 */
	/* The save of 3 torn: only its first half reached the disk. */
	scribble(f, PRIVVAL_SLOT_BYTES / 2, PRIVVAL_SLOT_BYTES / 2, 0);
	load_ok(f, &got);
	assert_record_equal(&got, &want);
	/* One flipped bit anywhere in the slot is found too. */
	save(f, 3);
	scribble(f, 0 * PRIVVAL_SLOT_STRIDE + 100, 1, 0x5a);
	load_ok(f, &got);
	assert_record_equal(&got, &want);
	/* The next save overwrites the torn slot, never the valid one. */
	save(f, 4);
	want = record_at(4);
	load_ok(f, &got);
	assert_record_equal(&got, &want);
	assert_int_equal(slot_of(f, 1, &seq, &got), PRIVVAL_SLOT_VALID);
	assert_int_equal(got.height, 2);
}

static void test_privval_file_both_damaged_refuses(void **state)
{
	struct fixture *f = *state;
	struct privval_record r = record_at(9);

	save(f, 7);
	save(f, 8);
	scribble(f, 10, 1, 0xff);
	scribble(f, PRIVVAL_SLOT_STRIDE + 10, 1, 0xff);
	load_fails(f);
	/* and nothing is signed on top of an unknown state */
	assert_int_equal(privval_file_persist(&f->dd, &r), -1);
	load_fails(f);
}

static void test_privval_file_wrong_size_refused(void **state)
{
	struct fixture *f = *state;
	char err[256];

	save(f, 5);
	assert_int_equal(truncate(f->path, PRIVVAL_SLOT_STRIDE), 0);
	load_fails(f);
	assert_int_equal(datadir_write_atomic(&f->dd, PRIVVAL_FILE_NAME, "{ not json", 10, 0600,
					      err, sizeof(err)),
			 0);
	load_fails(f);
}

static void test_privval_file_converts_old_json(void **state)
{
	struct fixture *f = *state;
	char json[1024], err[256], d[65], s[129], b[65], l[65];
	struct privval_record got, want;
	struct stat st;
	int n;

	memset(&want, 0, sizeof(want));
	want.height = 77;
	want.round = 3;
	want.step = PRIVVAL_STEP_PRECOMMIT;
	want.has_block = true;
	want.pol_round = -1;
	want.lock_round = 2;
	memset(want.digest, 0x11, HASH_SIZE);
	memset(want.sig, 0x22, SIG_SIZE);
	memset(want.block_id, 0x33, HASH_SIZE);
	memset(want.lock_id, 0x44, HASH_SIZE);
	memset(d, '1', 64);
	memset(s, '2', 128);
	memset(b, '3', 64);
	memset(l, '4', 64);
	d[64] = b[64] = l[64] = s[128] = '\0';
	/* exactly what the old privval_file_persist wrote */
	n = snprintf(json, sizeof(json),
		     "{\n \"block_id\": \"%s\",\n \"digest\": \"%s\",\n \"has_block\": true,\n"
		     " \"height\": 77,\n \"lock_id\": \"%s\",\n \"lock_round\": 2,\n"
		     " \"pol_round\": -1,\n \"round\": 3,\n \"sig\": \"%s\",\n \"step\": 3\n}",
		     b, d, l, s);
	assert_true(n > 0 && (size_t)n < sizeof(json));
	assert_int_equal(datadir_write_atomic(&f->dd, PRIVVAL_FILE_NAME, json, (size_t)n, 0600, err,
					      sizeof(err)),
			 0);
	load_conv(f, &got, true);
	assert_record_equal(&got, &want);
	/* converted on load: the slot format from now on */
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, PRIVVAL_FILE_SIZE);
	load_ok(f, &got);
	assert_record_equal(&got, &want);
	save(f, 78);
	want = record_at(78);
	load_ok(f, &got);
	assert_record_equal(&got, &want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_privval_file_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privval_file_saves_alternate_in_place, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_privval_file_torn_newest_falls_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_privval_file_both_damaged_refuses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_privval_file_wrong_size_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_privval_file_converts_old_json, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
