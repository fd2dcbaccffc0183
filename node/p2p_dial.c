/* p2p_dial.c: the addresses the transport dials (struct p2p_dial): adding
 * and forgetting them, starting the dials that are due within the outbound
 * limit, and the reconnect backoff of persistent ones. A dial whose address
 * is banned or already reached by a peer is put off (persistent) or dropped.
 * The housekeeping timer of p2p.c calls p2p_dial_due. */
#include "node/p2p_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P2P_DIALS_MAX 1024

uint64_t p2p_backoff_ms(const struct p2p_config *cfg, uint32_t failures)
{
	uint64_t ms = cfg->reconnect_min_ms;

	for (uint32_t i = 1; i < failures && ms < cfg->reconnect_max_ms; i++)
		ms *= 2;
	return ms < cfg->reconnect_max_ms ? ms : cfg->reconnect_max_ms;
}

/* True when an authenticated peer already reaches ip:port. */
static bool dial_satisfied(const struct p2p *p2p, const struct p2p_dial *d)
{
	for (const struct p2p_peer *p = p2p->peers; p != NULL; p = p->next) {
		uint32_t port = p->inbound ? p->remote.listen_port : p->port;

		if (p->state == P2P_PEER_READY && port == d->port && strcmp(p->ip, d->ip) == 0)
			return true;
	}
	return false;
}

static void dial_start(struct p2p *p2p, size_t slot)
{
	struct p2p_dial *d = &p2p->dials[slot];
	struct p2p_peer *peer = p2p_add_peer(p2p, false);
	char reason[96];
	int rc;

	if (peer == NULL) {
		d->failures++;
		d->next_ms = uv_now(p2p->loop) + p2p_backoff_ms(&p2p->cfg, d->failures);
		return;
	}
	peer->dial = slot + 1;
	d->peer_id = peer->id;
	rc = p2p_peer_connect(peer, (const struct sockaddr *)&d->addr);
	if (rc != 0) {
		snprintf(reason, sizeof(reason), "connect failed: %s", uv_strerror(rc));
		p2p_peer_close(peer, reason);
	}
}

/* Starts the dials that are due, within the outbound limit. */
void p2p_dial_due(struct p2p *p2p, uint64_t now)
{
	for (size_t i = 0; i < p2p->num_dials && !p2p->closing; i++) {
		struct p2p_dial *d = &p2p->dials[i];

		if (!d->used || d->peer_id != 0 || d->next_ms > now)
			continue;
		if (p2p_banlist_contains(&p2p->bans, d->ip, now) || dial_satisfied(p2p, d)) {
			if (d->flags & P2P_CONNECT_PERSISTENT)
				d->next_ms = now + p2p->cfg.reconnect_max_ms;
			else
				d->used = false;
			continue;
		}
		if (p2p_count_peers(p2p, false) >= p2p->cfg.max_outbound)
			return;
		dial_start(p2p, i);
	}
}

int p2p_connect(struct p2p *p2p, const char *addr, unsigned flags)
{
	struct sockaddr_storage ss;
	struct p2p_dial *d = NULL;
	char ip[P2P_IP_MAX];
	uint16_t port;
	size_t slot;

	if ((flags & P2P_CONNECT_PERSISTENT) && (flags & P2P_CONNECT_SEED))
		return -1;
	if (p2p->closing || p2p_addr_parse(addr, p2p->cfg.default_port, &ss) != 0 ||
	    p2p_addr_format((const struct sockaddr *)&ss, ip, &port, NULL) != 0)
		return -1;
	for (slot = 0; slot < p2p->num_dials; slot++) {
		struct p2p_dial *e = &p2p->dials[slot];

		if (e->used && e->port == port && strcmp(e->ip, ip) == 0) {
			e->flags = flags;
			return 0;
		}
	}
	for (slot = 0; slot < p2p->num_dials; slot++)
		if (!p2p->dials[slot].used && p2p->dials[slot].peer_id == 0)
			break;
	if (slot == p2p->num_dials) {
		struct p2p_dial *grown;

		if (p2p->num_dials >= P2P_DIALS_MAX)
			return -1;
		grown = realloc(p2p->dials, (p2p->num_dials + 1) * sizeof(*grown));
		if (grown == NULL)
			return -1;
		p2p->dials = grown;
		p2p->num_dials++;
	}
	d = &p2p->dials[slot];
	memset(d, 0, sizeof(*d));
	d->used = true;
	d->flags = flags;
	d->addr = ss;
	memcpy(d->ip, ip, sizeof(d->ip));
	d->port = port;
	d->next_ms = uv_now(p2p->loop);
	p2p_dial_due(p2p, uv_now(p2p->loop));
	return 0;
}

void p2p_forget(struct p2p *p2p, const char *addr)
{
	struct sockaddr_storage ss;
	char ip[P2P_IP_MAX];
	uint16_t port;

	if (p2p_addr_parse(addr, p2p->cfg.default_port, &ss) != 0 ||
	    p2p_addr_format((const struct sockaddr *)&ss, ip, &port, NULL) != 0)
		return;
	for (size_t slot = 0; slot < p2p->num_dials; slot++) {
		struct p2p_dial *d = &p2p->dials[slot];

		if (d->used && d->port == port && strcmp(d->ip, ip) == 0) {
			/* A connection up stays; it is just not redialed. */
			d->used = false;
			d->flags = P2P_CONNECT_ONCE;
		}
	}
}

bool p2p_is_dialed(const struct p2p *p2p, const char *addr)
{
	struct sockaddr_storage ss;
	char ip[P2P_IP_MAX];
	uint16_t port;

	if (p2p_addr_parse(addr, p2p->cfg.default_port, &ss) != 0 ||
	    p2p_addr_format((const struct sockaddr *)&ss, ip, &port, NULL) != 0)
		return false;
	for (size_t slot = 0; slot < p2p->num_dials; slot++) {
		const struct p2p_dial *d = &p2p->dials[slot];

		if (d->used && (d->flags & P2P_CONNECT_PERSISTENT) && d->port == port &&
		    strcmp(d->ip, ip) == 0)
			return true;
	}
	return false;
}

bool p2p_is_known(const struct p2p *p2p, const char *ip, uint16_t port)
{
	for (size_t slot = 0; slot < p2p->num_dials; slot++) {
		const struct p2p_dial *d = &p2p->dials[slot];

		if ((d->used || d->peer_id != 0) && d->port == port && strcmp(d->ip, ip) == 0)
			return true;
	}
	for (const struct p2p_peer *p = p2p->peers; p != NULL; p = p->next) {
		uint32_t p_port = p->inbound ? p->remote.listen_port : p->port;

		if (p->state != P2P_PEER_CLOSING && p_port == port && strcmp(p->ip, ip) == 0)
			return true;
	}
	return false;
}
