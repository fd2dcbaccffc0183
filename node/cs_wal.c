/* cs_wal.c: the consensus write-ahead log of proposals. */
#include "node/cs_wal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/fdio.h"

#define BODY_FIXED (8 + 4 + 4 + HASH_SIZE + PUBKEY_SIZE + SIG_SIZE)

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void entries_free(struct cs_wal *wal)
{
	for (size_t i = 0; i < wal->count; i++)
		free(wal->entries[i].payload);
	wal->count = 0;
}

static int keep(struct cs_wal *wal, const struct proposal_header *h, const uint8_t *payload,
		size_t len)
{
	struct cs_wal_entry *e;

	if (wal->count == CS_WAL_MAX_ENTRIES)
		return -1;
	e = &wal->entries[wal->count];
	e->payload = malloc(len > 0 ? len : 1);
	if (e->payload == NULL)
		return -1;
	memcpy(e->payload, payload, len);
	e->len = len;
	e->header = *h;
	wal->count++;
	return 0;
}

static void decode_body(const uint8_t *b, struct proposal_header *h)
{
	h->height = get_le(b, 8);
	h->round = (uint32_t)get_le(b + 8, 4);
	h->pol_round = (int32_t)(uint32_t)get_le(b + 12, 4);
	memcpy(h->block_id, b + 16, HASH_SIZE);
	memcpy(h->proposer, b + 16 + HASH_SIZE, PUBKEY_SIZE);
	memcpy(h->sig, b + 16 + HASH_SIZE + PUBKEY_SIZE, SIG_SIZE);
}

/* Reads whole records from the start; returns the offset after the last
 * good one. Entries of `height` are kept. */
static off_t load(struct cs_wal *wal, size_t max_payload)
{
	off_t good = 0;

	for (;;) {
		uint8_t head[4 + HASH_SIZE], check[HASH_SIZE], *body;
		size_t len;
		struct proposal_header h;

		if (pread(wal->fd, head, sizeof(head), good) != (ssize_t)sizeof(head))
			return good;
		len = (size_t)get_le(head, 4);
		if (len < BODY_FIXED || len - BODY_FIXED > max_payload)
			return good;
		body = malloc(len);
		if (body == NULL)
			return good;
		if (pread(wal->fd, body, len, good + (off_t)sizeof(head)) != (ssize_t)len) {
			free(body);
			return good;
		}
		hash_tagged("hearth/wal", body, len, check);
		if (memcmp(check, head + 4, HASH_SIZE) != 0) {
			free(body);
			return good;
		}
		decode_body(body, &h);
		if (h.height == wal->height && !cs_wal_has(wal, &h) &&
		    keep(wal, &h, body + BODY_FIXED, len - BODY_FIXED) != 0) {
			free(body);
			return good;
		}
		free(body);
		good += (off_t)(sizeof(head) + len);
	}
}

int cs_wal_open(struct cs_wal *wal, const struct datadir *dd, uint64_t height, size_t max_payload,
		char *err, size_t err_size)
{
	char path[DATADIR_PATH_MAX + 64];
	off_t good;

	memset(wal, 0, sizeof(*wal));
	wal->fd = -1;
	wal->height = height;
	if (datadir_file(dd, CS_WAL_NAME, path, sizeof(path)) != 0) {
		snprintf(err, err_size, "path of %s too long", CS_WAL_NAME);
		return -1;
	}
	wal->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (wal->fd < 0) {
		snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	good = load(wal, max_payload);
	/* Cut a torn tail so later appends follow a good record. */
	if (ftruncate(wal->fd, good) != 0 || lseek(wal->fd, good, SEEK_SET) < 0) {
		snprintf(err, err_size, "cannot repair %s: %s", path, strerror(errno));
		cs_wal_close(wal);
		return -1;
	}
	return 0;
}

const struct cs_wal_entry *cs_wal_find_block(const struct cs_wal *wal,
					     const uint8_t block_id[HASH_SIZE])
{
	for (size_t i = 0; i < wal->count; i++) {
		if (memcmp(wal->entries[i].header.block_id, block_id, HASH_SIZE) == 0)
			return &wal->entries[i];
	}
	return NULL;
}

bool cs_wal_has(const struct cs_wal *wal, const struct proposal_header *h)
{
	for (size_t i = 0; i < wal->count; i++) {
		const struct proposal_header *k = &wal->entries[i].header;

		if (k->height == h->height && k->round == h->round &&
		    memcmp(k->block_id, h->block_id, HASH_SIZE) == 0)
			return true;
	}
	return false;
}

int cs_wal_append(struct cs_wal *wal, const struct proposal_header *h, const uint8_t *payload,
		  size_t len)
{
	size_t body_len = BODY_FIXED + len;
	uint8_t *rec = malloc(4 + HASH_SIZE + body_len), *body;
	int rc;

	if (rec == NULL || body_len > UINT32_MAX) {
		free(rec);
		return -1;
	}
	body = rec + 4 + HASH_SIZE;
	put_le(rec, body_len, 4);
	put_le(body, h->height, 8);
	put_le(body + 8, h->round, 4);
	put_le(body + 12, (uint32_t)h->pol_round, 4);
	memcpy(body + 16, h->block_id, HASH_SIZE);
	memcpy(body + 16 + HASH_SIZE, h->proposer, PUBKEY_SIZE);
	memcpy(body + 16 + HASH_SIZE + PUBKEY_SIZE, h->sig, SIG_SIZE);
	if (len > 0)
		memcpy(body + BODY_FIXED, payload, len);
	hash_tagged("hearth/wal", body, body_len, rec + 4);
	rc = fdio_write_all(wal->fd, rec, 4 + HASH_SIZE + body_len);
	free(rec);
	if (rc != 0 || fdatasync(wal->fd) != 0)
		return -1;
	return h->height == wal->height && !cs_wal_has(wal, h) ? keep(wal, h, payload, len) : 0;
}

int cs_wal_reset(struct cs_wal *wal, uint64_t height)
{
	entries_free(wal);
	wal->height = height;
	if (ftruncate(wal->fd, 0) != 0 || lseek(wal->fd, 0, SEEK_SET) < 0)
		return -1;
	return 0;
}

void cs_wal_close(struct cs_wal *wal)
{
	entries_free(wal);
	if (wal->fd >= 0)
		close(wal->fd);
	wal->fd = -1;
}
