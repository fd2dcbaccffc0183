/* p2p_score.c: misbehaviour scoring and the transport's bans. An offence
 * adds its points to the peer's score; at the threshold the peer's IP is
 * banned (unless it is on the noban list) and the peer closed. The node
 * bans, unbans and lists through p2p.h; the bounded list itself is
 * p2p_ban.c. */
#include "node/p2p_internal.h"

#include <stdio.h>
#include <string.h>

int p2p_offence_points(enum p2p_offence offence)
{
	switch (offence) {
	case P2P_OFFENCE_BAD_HANDSHAKE:
	case P2P_OFFENCE_BAD_FRAME:
	case P2P_OFFENCE_OVERSIZE:
	case P2P_OFFENCE_UNDECODABLE:
	case P2P_OFFENCE_PROTOCOL:
	case P2P_OFFENCE_INVALID_SIGNATURE:
	case P2P_OFFENCE_INVALID_BLOCK:
		return 100;
	case P2P_OFFENCE_UNSOLICITED:
		return 20;
	case P2P_OFFENCE_INVALID_TX:
		return 10;
	}
	return 100;
}

const char *p2p_offence_name(enum p2p_offence offence)
{
	switch (offence) {
	case P2P_OFFENCE_BAD_HANDSHAKE:
		return "bad-handshake";
	case P2P_OFFENCE_BAD_FRAME:
		return "bad-frame";
	case P2P_OFFENCE_OVERSIZE:
		return "oversize";
	case P2P_OFFENCE_UNDECODABLE:
		return "undecodable";
	case P2P_OFFENCE_PROTOCOL:
		return "protocol";
	case P2P_OFFENCE_UNSOLICITED:
		return "unsolicited";
	case P2P_OFFENCE_INVALID_TX:
		return "invalid-tx";
	case P2P_OFFENCE_INVALID_SIGNATURE:
		return "invalid-signature";
	case P2P_OFFENCE_INVALID_BLOCK:
		return "invalid-block";
	}
	return "unknown";
}

static bool is_noban(const struct p2p *p2p, const char *ip)
{
	for (size_t i = 0; i < p2p->num_noban; i++)
		if (strcmp(p2p->noban[i], ip) == 0)
			return true;
	return false;
}

static uint64_t ban_until(const struct p2p *p2p, uint64_t duration_ms)
{
	uint64_t now = uv_now(p2p->loop);

	return duration_ms > UINT64_MAX - now ? UINT64_MAX : now + duration_ms;
}

bool p2p_peer_offence(struct p2p *p2p, struct p2p_peer *peer, enum p2p_offence offence,
		      const char *detail)
{
	int points = p2p_offence_points(offence);
	char reason[P2P_BAN_REASON_MAX];

	peer->score = peer->score > INT32_MAX - points ? INT32_MAX : peer->score + points;
	p2p_log(p2p, "misbehaving peer=%llu ip=%s offence=%s points=%d score=%d detail=%s",
		(unsigned long long)peer->id, peer->ip, p2p_offence_name(offence), points,
		peer->score, detail ? detail : "");
	if (peer->score < p2p->cfg.ban_threshold)
		return false;
	snprintf(reason, sizeof(reason), "%s: %s", p2p_offence_name(offence), detail ? detail : "");
	if (is_noban(p2p, peer->ip))
		p2p_log(p2p, "not banning noban ip=%s reason=%s", peer->ip, reason);
	else if (p2p_banlist_add(&p2p->bans, peer->ip, ban_until(p2p, p2p->cfg.ban_duration_ms),
				 reason) != 0)
		p2p_log(p2p, "ban failed ip=%s", peer->ip);
	else {
		p2p->bans_total++;
		p2p_log(p2p, "banned ip=%s for_ms=%llu reason=%s", peer->ip,
			(unsigned long long)p2p->cfg.ban_duration_ms, reason);
	}
	p2p_peer_close(peer, reason);
	return true;
}

bool p2p_misbehaving(struct p2p *p2p, uint64_t peer_id, enum p2p_offence offence,
		     const char *detail)
{
	struct p2p_peer *peer = p2p_find_peer(p2p, peer_id);

	return peer != NULL && p2p_peer_offence(p2p, peer, offence, detail);
}

int p2p_ban(struct p2p *p2p, const char *ip, uint64_t duration_ms, const char *reason)
{
	char norm[P2P_IP_MAX];

	if (p2p_addr_normalize_ip(ip, norm) != 0 || is_noban(p2p, norm) ||
	    p2p_banlist_add(&p2p->bans, norm, ban_until(p2p, duration_ms),
			    reason ? reason : "banned by the node") != 0)
		return -1;
	p2p->bans_total++;
	p2p_log(p2p, "banned ip=%s for_ms=%llu reason=%s", norm, (unsigned long long)duration_ms,
		reason ? reason : "banned by the node");
	for (struct p2p_peer *p = p2p->peers; p != NULL; p = p->next)
		if (p->state != P2P_PEER_CLOSING && strcmp(p->ip, norm) == 0)
			p2p_peer_close(p, "banned");
	return 0;
}

int p2p_noban_add(struct p2p *p2p, const char *ip)
{
	char norm[P2P_IP_MAX];

	if (p2p_addr_normalize_ip(ip, norm) != 0)
		return -1;
	if (is_noban(p2p, norm))
		return 0;
	if (p2p->num_noban >= P2P_NOBAN_MAX)
		return -1;
	memcpy(p2p->noban[p2p->num_noban++], norm, P2P_IP_MAX);
	(void)p2p_banlist_remove(&p2p->bans, norm);
	return 0;
}

bool p2p_unban(struct p2p *p2p, const char *ip)
{
	char norm[P2P_IP_MAX];

	return p2p_addr_normalize_ip(ip, norm) == 0 && p2p_banlist_remove(&p2p->bans, norm);
}

bool p2p_is_banned(const struct p2p *p2p, const char *ip)
{
	char norm[P2P_IP_MAX];

	return p2p_addr_normalize_ip(ip, norm) == 0 &&
	       p2p_banlist_contains(&p2p->bans, norm, uv_now(p2p->loop));
}

size_t p2p_ban_list(struct p2p *p2p, struct p2p_ban_entry *out, size_t max)
{
	size_t n;

	p2p_banlist_expire(&p2p->bans, uv_now(p2p->loop));
	n = p2p->bans.count < max ? p2p->bans.count : max;
	if (n > 0)
		memcpy(out, p2p->bans.entries, n * sizeof(*out));
	return n;
}
