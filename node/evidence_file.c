/* evidence_file.c: encoding and decoding of evidence.dat (layout in
 * evidence_file.h). */
#include "node/evidence_file.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/codec.h"
#include "proto/le.h"

#define FILE_MAGIC "HEVD"

static void checksum(const uint8_t *data, size_t len, uint8_t out[HASH_SIZE])
{
	/* BLAKE2b-256 cannot fail with these sizes. */
	(void)crypto_generichash(out, HASH_SIZE, data, len, NULL, 0);
}

/* Appends ev as a size-prefixed hearth.Evidence at buf + *off (buf holds
 * EVIDENCE_FILE_MAX bytes). Returns 0 or -1. */
static int put_evidence(uint8_t *buf, size_t *off, const struct evidence *ev)
{
	struct evidence_proto p;
	uint8_t *bytes;
	size_t n;

	evidence_to_proto(ev, &p);
	if (codec_encode(&p.msg.base, &bytes, &n) != CODEC_OK)
		return -1;
	if (n > EVIDENCE_FILE_ITEM_MAX) {
		free(bytes);
		return -1;
	}
	le_put_u32(buf + *off, (uint32_t)n);
	memcpy(buf + *off + 4, bytes, n);
	*off += 4 + n;
	free(bytes);
	return 0;
}

int evidence_file_encode(const struct evidence_report *r, uint8_t **out, size_t *len)
{
	uint8_t *buf;
	size_t off = EVIDENCE_FILE_HEADER;

	*out = NULL;
	if (r->num_seen > EVIDENCE_REPORT_SEEN_MAX ||
	    r->num_waiting > EVIDENCE_REPORT_WAITING_MAX ||
	    r->num_pending > EVIDENCE_REPORT_PENDING_MAX)
		return -1;
	buf = malloc(EVIDENCE_FILE_MAX);
	if (buf == NULL)
		return -1;
	memcpy(buf, FILE_MAGIC, 4);
	le_put_u32(buf + 4, EVIDENCE_FILE_VERSION);
	le_put_u32(buf + 12, (uint32_t)r->num_seen);
	le_put_u32(buf + 16, (uint32_t)r->next_seen);
	le_put_u32(buf + 20, (uint32_t)r->num_waiting);
	le_put_u32(buf + 24, (uint32_t)r->num_pending);
	for (size_t i = 0; i < r->num_seen; i++, off += EVIDENCE_FILE_PAIR) {
		memcpy(buf + off, r->seen[i].validator, PUBKEY_SIZE);
		le_put_u64(buf + off + PUBKEY_SIZE, r->seen[i].height);
	}
	for (size_t i = 0; i < r->num_waiting; i++) {
		if (put_evidence(buf, &off, &r->waiting[i]) != 0) {
			free(buf);
			return -1;
		}
	}
	for (size_t i = 0; i < r->num_pending; i++) {
		memcpy(buf + off, r->pending[i], HASH_SIZE);
		off += HASH_SIZE;
		if (put_evidence(buf, &off, &r->pending_ev[i]) != 0) {
			free(buf);
			return -1;
		}
	}
	le_put_u32(buf + 8, (uint32_t)(off + HASH_SIZE));
	checksum(buf, off, buf + off);
	*out = buf;
	*len = off + HASH_SIZE;
	return 0;
}

/* Checks the header of a file of len bytes (len >= the header).
 * Returns EVIDENCE_FILE_OK or the reason it is refused. */
static enum evidence_file_status check_header(const uint8_t *data, size_t len)
{
	uint32_t num_seen = le_get_u32(data + 12), next_seen = le_get_u32(data + 16);
	uint8_t sum[HASH_SIZE];

	if (memcmp(data, FILE_MAGIC, 4) != 0)
		return EVIDENCE_FILE_BAD_MAGIC;
	/* Before the checksum: another version may place it elsewhere. */
	if (le_get_u32(data + 4) != EVIDENCE_FILE_VERSION)
		return EVIDENCE_FILE_BAD_VERSION;
	if (le_get_u32(data + 8) > EVIDENCE_FILE_MAX)
		return EVIDENCE_FILE_OVER_BOUNDS;
	if (le_get_u32(data + 8) > len)
		return EVIDENCE_FILE_TRUNCATED;
	if (le_get_u32(data + 8) < len)
		return EVIDENCE_FILE_OVER_BOUNDS;
	checksum(data, len - HASH_SIZE, sum);
	if (sodium_memcmp(sum, data + len - HASH_SIZE, HASH_SIZE) != 0)
		return EVIDENCE_FILE_BAD_CHECKSUM;
	/* The ring's next slot is the oldest pair once it is full, else 0. */
	if (num_seen > EVIDENCE_REPORT_SEEN_MAX ||
	    le_get_u32(data + 20) > EVIDENCE_REPORT_WAITING_MAX ||
	    le_get_u32(data + 24) > EVIDENCE_REPORT_PENDING_MAX ||
	    (num_seen < EVIDENCE_REPORT_SEEN_MAX ? next_seen != 0
						 : next_seen >= EVIDENCE_REPORT_SEEN_MAX))
		return EVIDENCE_FILE_OVER_BOUNDS;
	return EVIDENCE_FILE_OK;
}

/* Reads one size-prefixed evidence at data + *off, before end.
 * Out: ev. Returns EVIDENCE_FILE_OK or the reason it is refused. */
static enum evidence_file_status get_evidence(const uint8_t *data, size_t end, size_t *off,
					      struct evidence *ev)
{
	ProtobufCMessage *msg;
	uint32_t n;
	int rc;

	if (end - *off < 4)
		return EVIDENCE_FILE_TRUNCATED;
	n = le_get_u32(data + *off);
	if (n > EVIDENCE_FILE_ITEM_MAX)
		return EVIDENCE_FILE_OVER_BOUNDS;
	if (end - *off - 4 < n)
		return EVIDENCE_FILE_TRUNCATED;
	if (codec_decode(&hearth__evidence__descriptor, data + *off + 4, n, EVIDENCE_FILE_ITEM_MAX,
			 &msg, NULL) != CODEC_OK)
		return EVIDENCE_FILE_BAD_EVIDENCE;
	rc = evidence_from_proto((const Hearth__Evidence *)msg, ev);
	codec_free(msg);
	if (rc != 0)
		return EVIDENCE_FILE_BAD_EVIDENCE;
	*off += 4 + n;
	return EVIDENCE_FILE_OK;
}

/* Reads the pairs, the waiting evidence and the pending txs of a file
 * whose header is checked.
 * Out: r. Returns EVIDENCE_FILE_OK or the reason it is refused. */
static enum evidence_file_status get_body(const uint8_t *data, size_t len,
					  struct evidence_report *r)
{
	size_t end = len - HASH_SIZE, off = EVIDENCE_FILE_HEADER;
	size_t num_seen = le_get_u32(data + 12), num_waiting = le_get_u32(data + 20),
	       num_pending = le_get_u32(data + 24);
	enum evidence_file_status st;

	if ((end - off) / EVIDENCE_FILE_PAIR < num_seen)
		return EVIDENCE_FILE_TRUNCATED;
	for (size_t i = 0; i < num_seen; i++, off += EVIDENCE_FILE_PAIR) {
		memcpy(r->seen[i].validator, data + off, PUBKEY_SIZE);
		r->seen[i].height = le_get_u64(data + off + PUBKEY_SIZE);
	}
	r->num_seen = num_seen;
	r->next_seen = le_get_u32(data + 16);
	for (size_t i = 0; i < num_waiting; i++) {
		st = get_evidence(data, end, &off, &r->waiting[i]);
		if (st != EVIDENCE_FILE_OK)
			return st;
	}
	r->num_waiting = num_waiting;
	for (size_t i = 0; i < num_pending; i++) {
		if (end - off < HASH_SIZE)
			return EVIDENCE_FILE_TRUNCATED;
		memcpy(r->pending[i], data + off, HASH_SIZE);
		off += HASH_SIZE;
		st = get_evidence(data, end, &off, &r->pending_ev[i]);
		if (st != EVIDENCE_FILE_OK)
			return st;
	}
	r->num_pending = num_pending;
	return off == end ? EVIDENCE_FILE_OK : EVIDENCE_FILE_OVER_BOUNDS;
}

enum evidence_file_status evidence_file_decode(const uint8_t *data, size_t len,
					       struct evidence_report *r)
{
	struct evidence_report tmp;
	enum evidence_file_status st;

	if (len < EVIDENCE_FILE_HEADER + HASH_SIZE)
		return EVIDENCE_FILE_TRUNCATED;
	st = check_header(data, len);
	if (st != EVIDENCE_FILE_OK)
		return st;
	/* Decoded aside, so r is untouched by a refused file. */
	evidence_report_init(&tmp);
	st = get_body(data, len, &tmp);
	if (st == EVIDENCE_FILE_OK)
		*r = tmp;
	return st;
}

const char *evidence_file_strerror(enum evidence_file_status status)
{
	switch (status) {
	case EVIDENCE_FILE_OK:
		return "ok";
	case EVIDENCE_FILE_TRUNCATED:
		return "truncated";
	case EVIDENCE_FILE_BAD_MAGIC:
		return "not an evidence file";
	case EVIDENCE_FILE_BAD_VERSION:
		return "unknown version";
	case EVIDENCE_FILE_BAD_CHECKSUM:
		return "checksum mismatch";
	case EVIDENCE_FILE_OVER_BOUNDS:
		return "count or size over the bounds";
	case EVIDENCE_FILE_BAD_EVIDENCE:
		return "malformed evidence";
	}
	return "unknown";
}
