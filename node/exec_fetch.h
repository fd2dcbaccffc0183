/* exec_fetch.h: fetching one lease's input by hash, on a thread of its own
 * so the loop never waits on the network. The loop fills a struct
 * exec_fetch (the URL and hash from the bid, the lease's directory, a size
 * cap and a wall-clock time to give up at) and starts exec_fetch_main on a
 * thread. The thread first checks dir/input.tar (an input fetched before a
 * restart is used again when it still hashes right); otherwise it GETs the
 * URL with libcurl (http only, no redirects, connect and transfer
 * timeouts, the size cap enforced while receiving), hashing the bytes as
 * they arrive into dir/input.tar.part, and renames that to dir/input.tar
 * (after fsync) only when H("hearth/input", bytes) is the bid's hash. An
 * unreachable server, an HTTP error or a cut transfer is retried with
 * exponential backoff (1 s doubling to 30 s) until give_up_ms; a hash
 * mismatch or an input over the cap is final. Then the thread calls
 * fetch->done(fetch), which must hand it back to the loop. */
#ifndef HEARTH_NODE_EXEC_FETCH_H
#define HEARTH_NODE_EXEC_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "consensus/crypto.h"

#define EXEC_FETCH_URL_MAX 256

enum exec_fetch_status {
	EXEC_FETCH_OK = 0,	    /* dir/input.tar holds the input */
	EXEC_FETCH_MISMATCH = 1,    /* the bytes served do not hash to input_hash */
	EXEC_FETCH_TOO_LARGE = 2,   /* the input exceeds the cap */
	EXEC_FETCH_UNREACHABLE = 3, /* every attempt failed until give_up_ms */
	EXEC_FETCH_IO = 4,	    /* the local file could not be written */
	EXEC_FETCH_CANCELLED = 5,   /* exec_fetch_cancel (shutdown) */
};

struct exec_fetch {
	struct exec_fetch *next;	/* the hand-back list of finished fetches */
	struct exec_fetch *active_next; /* the loop's list of running fetches */
	void (*done)(struct exec_fetch *fetch);
	void *arg; /* the caller's */
	uint8_t lease_id[HASH_SIZE];
	uint8_t hash[HASH_SIZE];
	char url[EXEC_FETCH_URL_MAX + 1];
	char dir[4096];
	uint64_t max_bytes;
	uint64_t give_up_ms; /* CLOCK_REALTIME ms */
	uint64_t try_ms;     /* one attempt's longest time (0: 60000) */
	int cancel;	     /* set by exec_fetch_cancel (atomics) */
	uv_thread_t thread;
	/* Out, once done is called. */
	enum exec_fetch_status status;
	unsigned attempts; /* HTTP attempts (0: the file was there already) */
	char error[256];   /* the last attempt's error */
};

/* The name of a status ("ok", "hash mismatch", ...). Never NULL. */
const char *exec_fetch_status_name(enum exec_fetch_status s);

/* The thread's body: arg is the struct exec_fetch. */
void exec_fetch_main(void *arg);

/* Asks the fetch to stop soon (from any thread). */
void exec_fetch_cancel(struct exec_fetch *fetch);

/* Checks that the file at path hashes to hash with H("hearth/input", .)
 * and holds at most max_bytes. Returns EXEC_FETCH_OK, _MISMATCH,
 * _TOO_LARGE, or _IO (missing or unreadable). */
enum exec_fetch_status exec_fetch_check_file(const char *path, const uint8_t hash[HASH_SIZE],
					     uint64_t max_bytes);

#endif
