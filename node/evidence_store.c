/* evidence_store.c: evidence.dat on disk (evidence_store.h). */
#include "node/evidence_store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/evidence_file.h"

int evidence_store_save(const struct datadir *dd, const struct evidence_report *r, char *err,
			size_t err_size)
{
	uint8_t *data;
	size_t len;
	int rc;

	if (evidence_file_encode(r, &data, &len) != 0) {
		snprintf(err, err_size, "cannot encode %s", EVIDENCE_STORE_FILE);
		return -1;
	}
	rc = datadir_write_atomic(dd, EVIDENCE_STORE_FILE, data, len, 0600, err, err_size);
	free(data);
	return rc;
}

/* Renames a bad evidence.dat to evidence.dat.bak (replacing an older one),
 * so the next save does not destroy what an operator may want to look at. */
static void move_aside(const struct datadir *dd, struct log *log)
{
	char why[DATADIR_PATH_MAX + 320];

	if (datadir_move_aside(dd, EVIDENCE_STORE_FILE, EVIDENCE_STORE_BAD, why, sizeof(why)) != 0)
		log_write(log, LOG_WARN, LOG_CONSENSUS, "%s", why);
	else
		log_write(log, LOG_WARN, LOG_CONSENSUS, "%s/%s moved to %s/%s", dd->path,
			  EVIDENCE_STORE_FILE, dd->path, EVIDENCE_STORE_BAD);
}

bool evidence_store_load(const struct datadir *dd, struct log *log, struct evidence_report *r)
{
	enum evidence_file_status st;
	char err[DATADIR_PATH_MAX + 128];
	char *data;
	size_t len;
	int rc;

	rc = datadir_read(dd, EVIDENCE_STORE_FILE, EVIDENCE_FILE_MAX, &data, &len, err,
			  sizeof(err));
	if (rc == 1)
		return false;
	if (rc != 0) {
		log_write(log, LOG_WARN, LOG_CONSENSUS, "evidence file ignored: %s", err);
		move_aside(dd, log);
		return false;
	}
	st = evidence_file_decode((const uint8_t *)data, len, r);
	free(data);
	if (st != EVIDENCE_FILE_OK) {
		log_write(log, LOG_WARN, LOG_CONSENSUS, "evidence file ignored: %s/%s: %s",
			  dd->path, EVIDENCE_STORE_FILE, evidence_file_strerror(st));
		move_aside(dd, log);
		return false;
	}
	log_write(log, LOG_INFO, LOG_CONSENSUS,
		  "evidence file loaded reported=%zu waiting=%zu pending=%zu", r->num_seen,
		  r->num_waiting, r->num_pending);
	return true;
}
