/* journal.h: the executor's record of one lease, persisted so a restart of
 * hearthd resumes paid work instead of abandoning it. Each lease has a
 * directory <datadir>/results/<lease id hex>/ and in it a file `journal`:
 * text, one `key value` line per field (doc/provider.md), replaced
 * atomically (temporary file, fsync, rename, fsync of the directory) at each
 * change of state. journal_format and journal_parse are pure; the rest does
 * the file I/O. */
#ifndef HEARTH_NODE_JOURNAL_H
#define HEARTH_NODE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"

#define JOURNAL_TEXT_MAX  2048
#define JOURNAL_SALT_SIZE 32

/* A lease's life in the executor, in order. */
enum journal_state {
	JOURNAL_RECEIVED = 1,  /* seen on chain, input stored, not started */
	JOURNAL_RUNNING = 2,   /* in the sandbox (a restart runs it again) */
	JOURNAL_DONE = 3,      /* outcome known; receipt or commit not yet on chain */
	JOURNAL_COMMITTED = 4, /* the receipt (r = 1) or the commitment (r >= 2) is on chain */
	JOURNAL_REVEALED = 5,  /* r >= 2: the reveal is on chain */
	JOURNAL_SETTLED = 6,   /* the lease ended (settled or failed): nothing left to do */
	JOURNAL_FAILED = 7,    /* given up (no input, deadline passed): nothing left to do */
};

struct journal_entry {
	uint8_t lease_id[HASH_SIZE];
	uint8_t bid_id[HASH_SIZE];
	uint8_t offer_id[HASH_SIZE];
	enum journal_state state;
	uint32_t replicas;     /* the bid's r (1 for a verifier's lease) */
	bool verifier;	       /* a dispute's verifier lease: reported with a plain receipt */
	uint64_t price;	       /* base units per second */
	uint64_t deadline;     /* the lease's deadline height */
	uint64_t max_duration; /* the bid's max duration in seconds (billing cap) */
	uint32_t attempts;     /* sandbox runs started */
	bool has_outcome;
	uint8_t result_hash[HASH_SIZE];
	int32_t exit_status; /* exit code, or minus the signal number */
	bool timed_out;
	bool oom_killed;
	uint64_t wall_ms, cpu_ms, peak_memory_bytes;
	uint8_t salt[JOURNAL_SALT_SIZE]; /* r >= 2: the commitment's salt */
	bool has_tx;			 /* a tx of ours for this lease was submitted */
	uint8_t txid[HASH_SIZE];
	uint64_t tx_height;  /* the tip height when it was submitted */
	uint64_t paid;	     /* earnings once settled */
	uint64_t created_ms; /* wall-clock time the lease was received (retention) */
};

/* The name of a state ("received", ...). Never NULL. */
const char *journal_state_name(enum journal_state s);

/* True for SETTLED and FAILED. */
bool journal_state_final(enum journal_state s);

/* Writes e as text. Out: out (NUL-terminated). Returns the length, or -1
 * when out_size is too small. */
__attribute__((warn_unused_result)) int journal_format(const struct journal_entry *e, char *out,
						       size_t out_size);

/* Parses text[len] written by journal_format. Unknown keys are skipped
 * (newer writers); a missing or malformed known field is an error.
 * Out: e. Returns 0 or -1. */
__attribute__((warn_unused_result)) int journal_parse(const char *text, size_t len,
						      struct journal_entry *e);

/* Out: dir = results_dir/<lease id hex>. Returns 0 or -1 (too long). */
__attribute__((warn_unused_result)) int
journal_dir(const char *results_dir, const uint8_t lease_id[HASH_SIZE], char *dir, size_t dir_size);

/* Creates the lease's directory (mode 0700) and writes e atomically into it.
 * Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int
journal_save(const char *results_dir, const struct journal_entry *e, char *err, size_t err_size);

/* Reads the journal of a lease directory dir.
 * Returns 0, 1 when there is none, -1 with err when it cannot be read or
 * parsed. */
__attribute__((warn_unused_result)) int journal_load(const char *dir, struct journal_entry *e,
						     char *err, size_t err_size);

#endif
