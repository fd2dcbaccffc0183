/* p2p_ban.h: the list of banned IP addresses, each until a time of the
 * loop's clock (milliseconds, uv_now). No clock of its own and no I/O: every
 * call that needs the time is given it. Bounded: when full, adding a ban
 * evicts the one that would expire first. Lookups are linear, which is fine
 * for the few hundred entries a node ever holds. */
#ifndef HEARTH_NODE_P2P_BAN_H
#define HEARTH_NODE_P2P_BAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define P2P_IP_MAX	   46 /* INET6_ADDRSTRLEN */
#define P2P_BAN_REASON_MAX 128

struct p2p_ban_entry {
	char ip[P2P_IP_MAX];
	uint64_t until_ms;
	char reason[P2P_BAN_REASON_MAX];
};

struct p2p_banlist {
	struct p2p_ban_entry *entries;
	size_t count;
	size_t max;
};

/* In: max: the most entries kept (at least 1). Never fails: the array is
 * allocated on the first ban. */
void p2p_banlist_init(struct p2p_banlist *bl, size_t max);

/* Bans ip until until_ms, or extends an existing ban to the later time.
 * In:  ip (NUL-terminated, at most P2P_IP_MAX-1 characters), reason (may be
 *      NULL; truncated).
 * Returns 0, or -1 for an ip too long or out of memory. */
__attribute__((warn_unused_result)) int p2p_banlist_add(struct p2p_banlist *bl, const char *ip,
							uint64_t until_ms, const char *reason);

/* Returns true when ip is banned at now_ms. */
bool p2p_banlist_contains(const struct p2p_banlist *bl, const char *ip, uint64_t now_ms);

/* Lifts the ban of ip. Returns true when there was one. */
bool p2p_banlist_remove(struct p2p_banlist *bl, const char *ip);

/* Drops every ban that has expired at now_ms. */
void p2p_banlist_expire(struct p2p_banlist *bl, uint64_t now_ms);

/* Frees the array. */
void p2p_banlist_free(struct p2p_banlist *bl);

#endif
