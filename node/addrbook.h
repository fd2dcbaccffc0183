/* addrbook.h: the address book of hearthd (bitcoind's addrman, CometBFT's
 * addrbook, scaled down): the peer addresses this node has heard of, keyed
 * by ip:port, with who told us, when they were last seen, tried and
 * reachable. Pure bookkeeping: no I/O, no clock (every time is passed in,
 * in seconds of the Unix epoch, since the book outlives the process in
 * peers.dat, see addrbook_file.h).
 *
 * Bounds: at most ADDRBOOK_MAX entries (a full book evicts its worst entry
 * for a better new one), at most ADDRBOOK_SOURCE_MAX entries added by one
 * source, so one peer cannot fill the book. An address that failed
 * ADDRBOOK_FAILURES_MAX times in a row and was not reachable within
 * ADDRBOOK_STALE_S is dropped (addrbook_prune), and so is one never
 * reachable and not heard of for ADDRBOOK_FORGET_S. doc/p2p.md, "Address
 * book", has the rules. */
#ifndef HEARTH_NODE_ADDRBOOK_H
#define HEARTH_NODE_ADDRBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDRBOOK_MAX	      1024
#define ADDRBOOK_SOURCE_MAX   256
#define ADDRBOOK_IP_MAX	      46 /* INET6_ADDRSTRLEN, like P2P_IP_MAX */
#define ADDRBOOK_FAILURES_MAX 10
#define ADDRBOOK_STALE_S      (7 * 86400)
#define ADDRBOOK_FORGET_S     (30 * 86400)
/* Backoff after n failed attempts in a row: MIN << (n - 1), at most MAX. */
#define ADDRBOOK_BACKOFF_MIN_S 30
#define ADDRBOOK_BACKOFF_MAX_S 3600
/* No address is dialed again sooner than this after an attempt, even one
 * that worked (a peer that accepts and then hangs up is not redialed in a
 * loop). */
#define ADDRBOOK_RETRY_MIN_S 10

struct addrbook_entry {
	char ip[ADDRBOOK_IP_MAX];     /* canonical numeric text */
	uint16_t port;		      /* 1..65535 */
	char source[ADDRBOOK_IP_MAX]; /* IP of the peer that told us, or ip itself */
	uint64_t last_seen;	      /* last told about it, or connected to it */
	uint64_t last_attempt;	      /* last dial, 0 for never */
	uint64_t last_success;	      /* last completed handshake, 0 for never */
	uint32_t attempts;	      /* dials since the last success */
};

struct addrbook {
	struct addrbook_entry *entries; /* count used of ADDRBOOK_MAX */
	size_t count;
};

enum addrbook_add_result {
	ADDRBOOK_ADDED,	      /* a new entry */
	ADDRBOOK_UPDATED,     /* known already: last_seen refreshed */
	ADDRBOOK_SOURCE_FULL, /* the source added ADDRBOOK_SOURCE_MAX already */
	ADDRBOOK_FULL,	      /* full, and every entry is better than a new one */
	ADDRBOOK_INVALID,     /* empty or too long ip or source, port 0 */
};

/* Out: book, empty. Returns 0, or -1 out of memory. Free with addrbook_free. */
__attribute__((warn_unused_result)) int addrbook_init(struct addrbook *book);

/* Frees the entries (book may be zeroed or already freed). */
void addrbook_free(struct addrbook *book);

/* Empties the book. */
void addrbook_clear(struct addrbook *book);

/* Notes that source (an IP) told us about ip:port at now.
 * Returns what happened (enum addrbook_add_result). */
enum addrbook_add_result addrbook_add(struct addrbook *book, const char *ip, uint16_t port,
				      const char *source, uint64_t now);

/* Notes a dial of ip:port at now (attempts + 1). Unknown ones are ignored. */
void addrbook_mark_attempt(struct addrbook *book, const char *ip, uint16_t port, uint64_t now);

/* Notes a completed handshake with ip:port at now (attempts = 0); adds it
 * (as its own source, no per-source limit) when unknown.
 * Returns 0, or -1 when it is invalid or the book is full of better ones. */
int addrbook_mark_good(struct addrbook *book, const char *ip, uint16_t port, uint64_t now);

/* Removes ip:port. Returns true when it was there. */
bool addrbook_remove(struct addrbook *book, const char *ip, uint16_t port);

/* The entry of ip:port, or NULL. Valid until the book changes. */
const struct addrbook_entry *addrbook_find(const struct addrbook *book, const char *ip,
					   uint16_t port);

/* Seconds e must wait after its last attempt before the next dial. */
uint64_t addrbook_wait_s(const struct addrbook_entry *e);

/* True when e failed too often, or was never reachable and not heard of for
 * long (the entries addrbook_prune drops). */
bool addrbook_is_terrible(const struct addrbook_entry *e, uint64_t now);

/* Drops the terrible entries. Returns how many. */
size_t addrbook_prune(struct addrbook *book, uint64_t now);

/* Tells addrbook_select to pass over ip:port (connected, being dialed,
 * banned, this node itself). */
typedef bool (*addrbook_skip_fn)(void *ctx, const char *ip, uint16_t port);

/* Picks the address to dial next at now: not terrible, past its wait, not
 * skipped; of those, one that worked before over one that never did, then
 * the one with fewer failed attempts, then the one seen last.
 * In: skip (may be NULL) with its ctx.
 * Out: *out, a copy. Returns true when there was one. */
bool addrbook_select(const struct addrbook *book, uint64_t now, addrbook_skip_fn skip, void *ctx,
		     struct addrbook_entry *out);

#endif
