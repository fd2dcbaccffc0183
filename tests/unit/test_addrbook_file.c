/* test_addrbook_file.c: unit tests of peers.dat (node/addrbook_file.c): the
 * bytes round trip, the file round trip through the data directory, and
 * every refused file (truncated, another version, wrong magic, a wrong
 * checksum, a bad entry, too many entries): the book is left empty and the
 * file is moved aside to peers.dat.bak. */
#include "node/addrbook_file.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tests/unit/test_util.h"

struct fixture {
	char base[64];
	struct datadir dd;
	struct addrbook book;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL || sodium_init() < 0)
		return -1;
	snprintf(f->base, sizeof(f->base), "/tmp/hearth-addrbook-XXXXXX");
	if (mkdtemp(f->base) == NULL ||
	    datadir_open(&f->dd, f->base, "dev", err, sizeof(err)) != 0 ||
	    addrbook_init(&f->book) != 0) {
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

	addrbook_free(&f->book);
	datadir_close(&f->dd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->base);
	rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* Three entries: two on one IP (ports differ), one IPv6 that worked. */
static void fill(struct addrbook *book)
{
	assert_int_equal(addrbook_add(book, "127.0.0.1", 19740, "127.0.0.1", 1000), ADDRBOOK_ADDED);
	assert_int_equal(addrbook_add(book, "127.0.0.1", 19741, "10.0.0.9", 2000), ADDRBOOK_ADDED);
	addrbook_mark_attempt(book, "127.0.0.1", 19741, 2500);
	addrbook_mark_attempt(book, "127.0.0.1", 19741, 2600);
	assert_int_equal(addrbook_mark_good(book, "2001:db8::1", 9740, 3000), 0);
}

static void assert_books_equal(const struct addrbook *a, const struct addrbook *b)
{
	assert_int_equal(a->count, b->count);
	for (size_t i = 0; i < a->count; i++) {
		const struct addrbook_entry *x = &a->entries[i];
		const struct addrbook_entry *y = addrbook_find(b, x->ip, x->port);

		assert_non_null(y);
		assert_string_equal(x->source, y->source);
		assert_int_equal(x->last_seen, y->last_seen);
		assert_int_equal(x->last_attempt, y->last_attempt);
		assert_int_equal(x->last_success, y->last_success);
		assert_int_equal(x->attempts, y->attempts);
	}
}

static void test_addrbook_bytes_round_trip(void **state)
{
	struct fixture *f = *state;
	struct addrbook back;
	uint8_t *data;
	size_t len;

	fill(&f->book);
	assert_int_equal(addrbook_encode(&f->book, &data, &len), 0);
	assert_int_equal(addrbook_init(&back), 0);
	assert_int_equal(addrbook_decode(&back, data, len), ADDRBOOK_FILE_OK);
	assert_books_equal(&f->book, &back);
	assert_int_equal(addrbook_find(&back, "127.0.0.1", 19741)->attempts, 2);
	/* an empty book too */
	free(data);
	addrbook_clear(&f->book);
	assert_int_equal(addrbook_encode(&f->book, &data, &len), 0);
	assert_int_equal(addrbook_decode(&back, data, len), ADDRBOOK_FILE_OK);
	assert_int_equal(back.count, 0);
	free(data);
	addrbook_free(&back);
}

static void test_addrbook_full_book_round_trips_within_the_file_cap(void **state)
{
	struct fixture *f = *state;
	struct addrbook back;
	char ip[ADDRBOOK_IP_MAX];
	uint8_t *data;
	size_t len;

	/* the longest texts: full IPv6 addresses */
	for (unsigned i = 0; i < ADDRBOOK_MAX; i++) {
		snprintf(ip, sizeof(ip), "ffff:ffff:ffff:ffff:ffff:ffff:255.255.%u.%u", i / 256,
			 i % 256);
		assert_int_equal(addrbook_mark_good(&f->book, ip, 65535, 1000 + i), 0);
	}
	assert_int_equal(addrbook_encode(&f->book, &data, &len), 0);
	assert_true(len <= ADDRBOOK_FILE_MAX);
	assert_int_equal(addrbook_init(&back), 0);
	assert_int_equal(addrbook_decode(&back, data, len), ADDRBOOK_FILE_OK);
	assert_books_equal(&f->book, &back);
	free(data);
	addrbook_free(&back);
}

static void test_addrbook_file_round_trip(void **state)
{
	struct fixture *f = *state;
	struct addrbook back;
	char err[512];

	assert_int_equal(addrbook_file_load(&f->book, &f->dd, err, sizeof(err)), 1);
	assert_int_equal(f->book.count, 0);
	fill(&f->book);
	assert_int_equal(addrbook_file_save(&f->book, &f->dd, err, sizeof(err)), 0);
	assert_int_equal(addrbook_init(&back), 0);
	assert_int_equal(addrbook_file_load(&back, &f->dd, err, sizeof(err)), 0);
	assert_books_equal(&f->book, &back);
	addrbook_free(&back);
}

/* Writes bytes as <dd>/name. */
static void write_file(struct fixture *f, const char *name, const uint8_t *data, size_t len)
{
	char path[DATADIR_PATH_MAX + 64];
	FILE *fp;

	assert_int_equal(datadir_file(&f->dd, name, path, sizeof(path)), 0);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static bool file_exists(struct fixture *f, const char *name)
{
	char path[DATADIR_PATH_MAX + 64];
	struct stat st;

	assert_int_equal(datadir_file(&f->dd, name, path, sizeof(path)), 0);
	return stat(path, &st) == 0;
}

/* Loads data written as peers.dat: refused with status want, the book
 * (filled before) left empty, the file moved aside. */
static void assert_refused(struct fixture *f, const uint8_t *data, size_t len,
			   enum addrbook_file_status want)
{
	char err[512];

	assert_int_equal(addrbook_decode(&f->book, data, len), want);
	assert_int_equal(f->book.count, 0);
	write_file(f, ADDRBOOK_FILE_NAME, data, len);
	fill(&f->book);
	assert_int_equal(addrbook_file_load(&f->book, &f->dd, err, sizeof(err)), -1);
	assert_int_equal(f->book.count, 0);
	assert_non_null(strstr(err, addrbook_file_status_text(want)));
	assert_non_null(strstr(err, "moved aside"));
	assert_false(file_exists(f, ADDRBOOK_FILE_NAME));
	assert_true(file_exists(f, ADDRBOOK_FILE_ASIDE));
	/* the next start finds no file: an empty book, no error */
	assert_int_equal(addrbook_file_load(&f->book, &f->dd, err, sizeof(err)), 1);
}

/* Recomputes the trailing checksum of data[0..len). */
static void reseal(uint8_t *data, size_t len)
{
	assert_int_equal(crypto_generichash(data + len - 32, 32, data, len - 32, NULL, 0), 0);
}

static void encoded(struct fixture *f, uint8_t **data, size_t *len)
{
	fill(&f->book);
	assert_int_equal(addrbook_encode(&f->book, data, len), 0);
}

static void test_addrbook_file_flipped_byte_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t *data;
	size_t len;

	encoded(f, &data, &len);
	data[20] ^= 0x01;
	assert_refused(f, data, len, ADDRBOOK_FILE_BAD_CHECKSUM);
	free(data);
}

static void test_addrbook_file_truncated_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t *data;
	size_t len;

	encoded(f, &data, &len);
	/* cut inside the last entry, then sealed again: the count says more */
	memmove(data + len - 40, data + len - 32, 32);
	reseal(data, len - 8);
	assert_refused(f, data, len - 8, ADDRBOOK_FILE_TRUNCATED);
	/* cut without resealing: the checksum no longer matches */
	free(data);
	encoded(f, &data, &len);
	assert_refused(f, data, len - 1, ADDRBOOK_FILE_BAD_CHECKSUM);
	assert_refused(f, data, 10, ADDRBOOK_FILE_TRUNCATED);
	assert_refused(f, data, 0, ADDRBOOK_FILE_TRUNCATED);
	free(data);
}

static void test_addrbook_file_other_version_or_magic_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t *data;
	size_t len;

	encoded(f, &data, &len);
	data[4] = ADDRBOOK_FILE_VERSION + 1;
	reseal(data, len);
	assert_refused(f, data, len, ADDRBOOK_FILE_BAD_VERSION);
	data[4] = ADDRBOOK_FILE_VERSION;
	data[0] = 'X';
	reseal(data, len);
	assert_refused(f, data, len, ADDRBOOK_FILE_BAD_MAGIC);
	free(data);
}

static void test_addrbook_file_bad_entries_are_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t *data;
	size_t len, port_at, ip_len;

	encoded(f, &data, &len);
	/* the first entry: u8 ip_len, ip, u16 port */
	ip_len = data[12];
	port_at = 13 + ip_len;
	data[port_at] = 0;
	data[port_at + 1] = 0;
	reseal(data, len);
	assert_refused(f, data, len, ADDRBOOK_FILE_BAD_ENTRY);
	free(data);
	/* not an IP address's characters */
	encoded(f, &data, &len);
	data[13] = 'z';
	reseal(data, len);
	assert_refused(f, data, len, ADDRBOOK_FILE_BAD_ENTRY);
	free(data);
	/* more entries than a book holds */
	encoded(f, &data, &len);
	data[8] = 0xff;
	data[9] = 0xff;
	reseal(data, len);
	assert_refused(f, data, len, ADDRBOOK_FILE_BAD_ENTRY);
	free(data);
	/* bytes after the last entry */
	encoded(f, &data, &len);
	data[8] = 2; /* three entries written, two announced */
	reseal(data, len);
	assert_refused(f, data, len, ADDRBOOK_FILE_TRUNCATED);
	free(data);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_addrbook_bytes_round_trip),
		T(test_addrbook_full_book_round_trips_within_the_file_cap),
		T(test_addrbook_file_round_trip),
		T(test_addrbook_file_flipped_byte_is_refused),
		T(test_addrbook_file_truncated_is_refused),
		T(test_addrbook_file_other_version_or_magic_is_refused),
		T(test_addrbook_file_bad_entries_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
