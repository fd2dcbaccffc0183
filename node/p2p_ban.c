/* p2p_ban.c: the bounded list of banned IPs of p2p_ban.h. */
#include "node/p2p_ban.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void p2p_banlist_init(struct p2p_banlist *bl, size_t max)
{
	bl->entries = NULL;
	bl->count = 0;
	bl->max = max > 0 ? max : 1;
}

static struct p2p_ban_entry *find(const struct p2p_banlist *bl, const char *ip)
{
	for (size_t i = 0; i < bl->count; i++)
		if (strcmp(bl->entries[i].ip, ip) == 0)
			return &bl->entries[i];
	return NULL;
}

int p2p_banlist_add(struct p2p_banlist *bl, const char *ip, uint64_t until_ms, const char *reason)
{
	struct p2p_ban_entry *e;

	if (strlen(ip) >= P2P_IP_MAX)
		return -1;
	e = find(bl, ip);
	if (e == NULL) {
		if (bl->entries == NULL) {
			bl->entries = calloc(bl->max, sizeof(*bl->entries));
			if (bl->entries == NULL)
				return -1;
		}
		if (bl->count < bl->max) {
			e = &bl->entries[bl->count++];
		} else {
			e = &bl->entries[0];
			for (size_t i = 1; i < bl->count; i++)
				if (bl->entries[i].until_ms < e->until_ms)
					e = &bl->entries[i];
		}
		snprintf(e->ip, sizeof(e->ip), "%s", ip);
		e->until_ms = until_ms;
	} else if (until_ms > e->until_ms) {
		e->until_ms = until_ms;
	}
	snprintf(e->reason, sizeof(e->reason), "%s", reason ? reason : "");
	return 0;
}

bool p2p_banlist_contains(const struct p2p_banlist *bl, const char *ip, uint64_t now_ms)
{
	const struct p2p_ban_entry *e = find(bl, ip);

	return e != NULL && e->until_ms > now_ms;
}

static void remove_at(struct p2p_banlist *bl, size_t i)
{
	bl->entries[i] = bl->entries[bl->count - 1];
	bl->count--;
}

bool p2p_banlist_remove(struct p2p_banlist *bl, const char *ip)
{
	for (size_t i = 0; i < bl->count; i++) {
		if (strcmp(bl->entries[i].ip, ip) == 0) {
			remove_at(bl, i);
			return true;
		}
	}
	return false;
}

void p2p_banlist_expire(struct p2p_banlist *bl, uint64_t now_ms)
{
	size_t i = 0;

	while (i < bl->count) {
		if (bl->entries[i].until_ms <= now_ms)
			remove_at(bl, i);
		else
			i++;
	}
}

void p2p_banlist_free(struct p2p_banlist *bl)
{
	free(bl->entries);
	bl->entries = NULL;
	bl->count = 0;
}
