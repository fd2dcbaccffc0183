/* addrbook_file.c: peers.dat (layout in addrbook_file.h): encoding and
 * checked decoding of the address book, and its atomic save and load from
 * the data directory, with a refused file moved aside. */
#include "node/addrbook_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define FILE_MAGIC    "HPDB"
#define HEADER_BYTES  12
#define CHECKSUM_SIZE 32

const char *addrbook_file_status_text(enum addrbook_file_status st)
{
	switch (st) {
	case ADDRBOOK_FILE_OK:
		return "ok";
	case ADDRBOOK_FILE_TRUNCATED:
		return "truncated or too long";
	case ADDRBOOK_FILE_BAD_MAGIC:
		return "not a peers.dat";
	case ADDRBOOK_FILE_BAD_VERSION:
		return "unknown version";
	case ADDRBOOK_FILE_BAD_CHECKSUM:
		return "wrong checksum";
	case ADDRBOOK_FILE_BAD_ENTRY:
		return "invalid entry";
	}
	return "invalid";
}

/* ------------------------------------------------------------ writer */

struct writer {
	uint8_t *p;
	size_t len;
};

static void put_bytes(struct writer *w, const void *data, size_t n)
{
	memcpy(w->p + w->len, data, n);
	w->len += n;
}

static void put_uint(struct writer *w, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		w->p[w->len++] = (uint8_t)(v >> (8 * i));
}

static void put_text(struct writer *w, const char *s)
{
	size_t n = strnlen(s, ADDRBOOK_IP_MAX - 1);

	put_uint(w, n, 1);
	put_bytes(w, s, n);
}

static void checksum(const uint8_t *data, size_t len, uint8_t out[CHECKSUM_SIZE])
{
	/* BLAKE2b-256 cannot fail with these sizes. */
	(void)crypto_generichash(out, CHECKSUM_SIZE, data, len, NULL, 0);
}

int addrbook_encode(const struct addrbook *book, uint8_t **out, size_t *len)
{
	struct writer w = { malloc(ADDRBOOK_FILE_MAX), 0 };

	if (w.p == NULL)
		return -1;
	put_bytes(&w, FILE_MAGIC, 4);
	put_uint(&w, ADDRBOOK_FILE_VERSION, 4);
	put_uint(&w, book->count, 4);
	for (size_t i = 0; i < book->count; i++) {
		const struct addrbook_entry *e = &book->entries[i];

		put_text(&w, e->ip);
		put_uint(&w, e->port, 2);
		put_text(&w, e->source);
		put_uint(&w, e->last_seen, 8);
		put_uint(&w, e->last_attempt, 8);
		put_uint(&w, e->last_success, 8);
		put_uint(&w, e->attempts, 4);
	}
	checksum(w.p, w.len, w.p + w.len);
	*out = w.p;
	*len = w.len + CHECKSUM_SIZE;
	return 0;
}

/* ------------------------------------------------------------ reader */

struct reader {
	const uint8_t *p;
	size_t len, pos;
};

static int get_uint(struct reader *r, unsigned bytes, uint64_t *v)
{
	if (r->len - r->pos < bytes)
		return -1;
	*v = 0;
	for (unsigned i = bytes; i > 0; i--)
		*v = (*v << 8) | r->p[r->pos + i - 1];
	r->pos += bytes;
	return 0;
}

static bool ip_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	       c == '.' || c == ':';
}

/* Out: out, a NUL-terminated numeric IP. Returns 0, 1 for a bad text, or -1
 * when the data ends first. */
static int get_text(struct reader *r, char out[ADDRBOOK_IP_MAX])
{
	uint64_t n;

	if (get_uint(r, 1, &n) != 0)
		return -1;
	if (n == 0 || n >= ADDRBOOK_IP_MAX)
		return 1;
	if (r->len - r->pos < n)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!ip_char(r->p[r->pos + i]))
			return 1;
	memcpy(out, r->p + r->pos, n);
	out[n] = '\0';
	r->pos += n;
	return 0;
}

static enum addrbook_file_status get_entry(struct reader *r, struct addrbook_entry *e)
{
	uint64_t port, attempts;
	int rc;

	memset(e, 0, sizeof(*e));
	rc = get_text(r, e->ip);
	if (rc == 0 && get_uint(r, 2, &port) != 0)
		rc = -1;
	if (rc == 0)
		rc = get_text(r, e->source);
	if (rc == 0 &&
	    (get_uint(r, 8, &e->last_seen) != 0 || get_uint(r, 8, &e->last_attempt) != 0 ||
	     get_uint(r, 8, &e->last_success) != 0 || get_uint(r, 4, &attempts) != 0))
		rc = -1;
	if (rc < 0)
		return ADDRBOOK_FILE_TRUNCATED;
	if (rc > 0 || port == 0)
		return ADDRBOOK_FILE_BAD_ENTRY;
	e->port = (uint16_t)port;
	e->attempts = (uint32_t)attempts;
	return ADDRBOOK_FILE_OK;
}

static enum addrbook_file_status check_header(const uint8_t *data, size_t len, uint64_t *count)
{
	uint8_t sum[CHECKSUM_SIZE];
	struct reader r = { data, len, 4 };
	uint64_t version;

	if (len < 4 || memcmp(data, FILE_MAGIC, 4) != 0)
		return len < 4 ? ADDRBOOK_FILE_TRUNCATED : ADDRBOOK_FILE_BAD_MAGIC;
	if (get_uint(&r, 4, &version) != 0)
		return ADDRBOOK_FILE_TRUNCATED;
	if (version != ADDRBOOK_FILE_VERSION)
		return ADDRBOOK_FILE_BAD_VERSION;
	if (len < HEADER_BYTES + CHECKSUM_SIZE)
		return ADDRBOOK_FILE_TRUNCATED;
	checksum(data, len - CHECKSUM_SIZE, sum);
	if (sodium_memcmp(sum, data + len - CHECKSUM_SIZE, CHECKSUM_SIZE) != 0)
		return ADDRBOOK_FILE_BAD_CHECKSUM;
	if (get_uint(&r, 4, count) != 0)
		return ADDRBOOK_FILE_TRUNCATED;
	return *count <= ADDRBOOK_MAX ? ADDRBOOK_FILE_OK : ADDRBOOK_FILE_BAD_ENTRY;
}

enum addrbook_file_status addrbook_decode(struct addrbook *book, const uint8_t *data, size_t len)
{
	struct reader r = { data, 0, HEADER_BYTES };
	enum addrbook_file_status st;
	uint64_t count;

	addrbook_clear(book);
	st = check_header(data, len, &count);
	if (st != ADDRBOOK_FILE_OK)
		return st;
	r.len = len - CHECKSUM_SIZE;
	for (uint64_t i = 0; i < count; i++) {
		struct addrbook_entry e;

		st = get_entry(&r, &e);
		if (st != ADDRBOOK_FILE_OK)
			break;
		if (addrbook_find(book, e.ip, e.port) == NULL)
			book->entries[book->count++] = e;
	}
	if (st == ADDRBOOK_FILE_OK && r.pos != r.len)
		st = ADDRBOOK_FILE_TRUNCATED;
	if (st != ADDRBOOK_FILE_OK)
		addrbook_clear(book);
	return st;
}

/* ------------------------------------------------------------ files */

int addrbook_file_save(const struct addrbook *book, const struct datadir *dd, char *err,
		       size_t err_size)
{
	uint8_t *data;
	size_t len;
	int rc;

	if (addrbook_encode(book, &data, &len) != 0) {
		snprintf(err, err_size, "out of memory encoding %s", ADDRBOOK_FILE_NAME);
		return -1;
	}
	rc = datadir_write_atomic(dd, ADDRBOOK_FILE_NAME, data, len, 0644, err, err_size);
	free(data);
	return rc;
}

/* Renames peers.dat to peers.dat.bak; appends the outcome to err. */
static void move_aside(const struct datadir *dd, char *err, size_t err_size)
{
	char why[DATADIR_PATH_MAX + 320];
	size_t used = strlen(err);

	if (datadir_move_aside(dd, ADDRBOOK_FILE_NAME, ADDRBOOK_FILE_ASIDE, why, sizeof(why)) != 0)
		snprintf(err + used, err_size - used, "; %s", why);
	else
		snprintf(err + used, err_size - used, "; moved aside to %s", ADDRBOOK_FILE_ASIDE);
}

int addrbook_file_load(struct addrbook *book, const struct datadir *dd, char *err, size_t err_size)
{
	enum addrbook_file_status st;
	char *data;
	size_t len;
	int rc;

	addrbook_clear(book);
	if (err_size > 0)
		err[0] = '\0';
	rc = datadir_read(dd, ADDRBOOK_FILE_NAME, ADDRBOOK_FILE_MAX, &data, &len, err, err_size);
	if (rc == 1)
		return 1;
	if (rc == 0) {
		st = addrbook_decode(book, (const uint8_t *)data, len);
		free(data);
		if (st == ADDRBOOK_FILE_OK)
			return 0;
		snprintf(err, err_size, "%s refused: %s", ADDRBOOK_FILE_NAME,
			 addrbook_file_status_text(st));
	}
	if (err_size > 0)
		move_aside(dd, err, err_size);
	return -1;
}
