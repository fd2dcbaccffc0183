/* privval_file.c: priv_validator_state on disk: two alternating
 * checksummed slots rewritten in place, and the conversion of the old JSON
 * file. */
#include "node/privval_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/fdio.h"
#include "node/privval_format.h"

/* The two slots of a file image.
 * Out: *newest (0 or 1: the valid slot with the higher seq), *seq, rec.
 * Returns 0; 1 when neither slot is valid; -1 for a slot that is not ours
 * (checksum right, fields wrong) or two valid slots with the same seq. */
static int pick_newest(const uint8_t *image, struct privval_record *rec, int *newest, uint64_t *seq)
{
	struct privval_record recs[2];
	enum privval_slot_state st[2];
	uint64_t seqs[2] = { 0, 0 };

	for (int i = 0; i < 2; i++) {
		st[i] = privval_slot_decode(image + i * PRIVVAL_SLOT_STRIDE, &recs[i], &seqs[i]);
		if (st[i] == PRIVVAL_SLOT_BAD)
			return -1;
	}
	/* A slot that fails its checksum is a torn write: the save that wrote it
	 * did not complete its fdatasync, so privval never released that
	 * signature, and the other slot's record (the one before) is still what
	 * was last sent. Falling back to it never lets the guard go backwards
	 * past a signature that left the node. */
	if (st[0] != PRIVVAL_SLOT_VALID && st[1] != PRIVVAL_SLOT_VALID)
		return 1;
	if (st[0] == PRIVVAL_SLOT_VALID && st[1] == PRIVVAL_SLOT_VALID && seqs[0] == seqs[1])
		return -1;
	if (st[1] != PRIVVAL_SLOT_VALID)
		*newest = 0;
	else if (st[0] != PRIVVAL_SLOT_VALID)
		*newest = 1;
	else
		*newest = seqs[1] > seqs[0] ? 1 : 0;
	*rec = recs[*newest];
	*seq = seqs[*newest];
	return 0;
}

/* Creates the file whole: rec in slot 0 (seq 1), slot 1 empty. */
static int create_file(const struct datadir *dd, const struct privval_record *rec, char *err,
		       size_t err_size)
{
	uint8_t *image = calloc(1, PRIVVAL_FILE_SIZE);
	int rc;

	if (image == NULL) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	privval_slot_encode(rec, 1, image);
	rc = datadir_write_atomic(dd, PRIVVAL_FILE_NAME, image, PRIVVAL_FILE_SIZE, 0600, err,
				  err_size);
	free(image);
	return rc;
}

/* One save into an existing file: the slot not holding the newest valid
 * record gets rec with the next seq, then one fdatasync (the file's size and
 * blocks never change, so no metadata needs to reach the disk). */
static int save_in_place(int fd, const struct privval_record *rec)
{
	uint8_t image[PRIVVAL_FILE_SIZE], slot[PRIVVAL_SLOT_BYTES];
	struct privval_record newest;
	uint64_t seq;
	int which;

	if (fdio_pread_all(fd, image, sizeof(image), 0) != 0 ||
	    pick_newest(image, &newest, &which, &seq) != 0 || seq == UINT64_MAX)
		return -1;
	privval_slot_encode(rec, seq + 1, slot);
	if (fdio_pwrite_all(fd, slot, sizeof(slot), (off_t)(1 - which) * PRIVVAL_SLOT_STRIDE) != 0)
		return -1;
	return fdatasync(fd);
}

int privval_file_persist(void *ctx, const struct privval_record *rec)
{
	const struct datadir *dd = ctx;
	char path[DATADIR_PATH_MAX + 256], err[256];
	int fd, rc;

	if (datadir_file(dd, PRIVVAL_FILE_NAME, path, sizeof(path)) != 0)
		return -1;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? create_file(dd, rec, err, sizeof(err)) : -1;
	rc = save_in_place(fd, rec);
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

static int load_slots(const struct datadir *dd, const char *text, size_t len,
		      struct privval_record *rec, char *err, size_t err_size)
{
	uint64_t seq;
	int which, rc;

	if (len != PRIVVAL_FILE_SIZE) {
		snprintf(err, err_size,
			 "%s/%s has %zu bytes, not %d: refusing to sign without knowing the "
			 "last signature",
			 dd->path, PRIVVAL_FILE_NAME, len, PRIVVAL_FILE_SIZE);
		return -1;
	}
	rc = pick_newest((const uint8_t *)text, rec, &which, &seq);
	if (rc == 1)
		snprintf(err, err_size,
			 "%s/%s: both records are damaged: refusing to sign without knowing "
			 "the last signature",
			 dd->path, PRIVVAL_FILE_NAME);
	else if (rc != 0)
		snprintf(err, err_size,
			 "%s/%s holds a record this hearthd does not understand: refusing to "
			 "sign without knowing the last signature",
			 dd->path, PRIVVAL_FILE_NAME);
	return rc == 0 ? 0 : -1;
}

/* The old JSON file: read once and replaced by the slot format. */
static int load_legacy(const struct datadir *dd, const char *text, size_t len,
		       struct privval_record *rec, char *err, size_t err_size)
{
	if (privval_legacy_decode(text, len, rec) != 0) {
		snprintf(err, err_size,
			 "%s/%s is malformed: refusing to sign without knowing the last signature",
			 dd->path, PRIVVAL_FILE_NAME);
		return -1;
	}
	return create_file(dd, rec, err, err_size);
}

int privval_file_load(const struct datadir *dd, struct privval_record *rec, bool *found,
		      bool *converted, char *err, size_t err_size)
{
	char *text;
	size_t len;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rec->lock_round = -1;
	rec->pol_round = -1;
	*found = false;
	*converted = false;
	rc = datadir_read(dd, PRIVVAL_FILE_NAME, PRIVVAL_FILE_SIZE, &text, &len, err, err_size);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return -1;
	if (privval_legacy_is(text, len)) {
		rc = load_legacy(dd, text, len, rec, err, err_size);
		*converted = rc == 0;
	} else {
		rc = load_slots(dd, text, len, rec, err, err_size);
	}
	free(text);
	if (rc != 0) {
		memset(rec, 0, sizeof(*rec));
		return -1;
	}
	*found = true;
	return 0;
}
