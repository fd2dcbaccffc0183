/* p2p_listen.c: the listening socket of the transport: binding it, and
 * accepting connections (refused when the node is closing, the IP is
 * banned or inbound peers are at their limit). */
#include "node/p2p_internal.h"

#include <string.h>

static void on_connection(uv_stream_t *server, int status)
{
	struct p2p *p2p = server->data;
	struct p2p_peer *peer;
	int rc;

	if (status < 0) {
		p2p_log(p2p, "accept failed: %s", uv_strerror(status));
		return;
	}
	peer = p2p_add_peer(p2p, true);
	if (peer == NULL) {
		p2p_log(p2p, "accept failed: out of memory");
		return;
	}
	rc = uv_accept(server, (uv_stream_t *)&peer->tcp);
	if (rc == 0)
		rc = p2p_peer_accepted(peer);
	if (rc != 0) {
		p2p_peer_close(peer, uv_strerror(rc));
		return;
	}
	if (p2p->closing) {
		p2p_peer_close(peer, "shutting down");
		return;
	}
	if (p2p_banlist_contains(&p2p->bans, peer->ip, uv_now(p2p->loop))) {
		p2p_peer_close(peer, "banned");
		return;
	}
	/* This peer is counted already. */
	if (p2p_count_peers(p2p, true) > p2p->cfg.max_inbound) {
		p2p_peer_close(peer, "too many inbound peers");
		return;
	}
	p2p_peer_start(peer);
}

int p2p_listen(struct p2p *p2p, const char *host, uint16_t port)
{
	struct sockaddr_storage addr;
	int len = (int)sizeof(addr);
	char ip[P2P_IP_MAX];
	uint16_t bound;
	int rc;

	if (p2p->listener_state != LISTENER_NONE || p2p->closing)
		return UV_EALREADY;
	memset(&addr, 0, sizeof(addr));
	rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&addr);
	if (rc != 0)
		rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr);
	if (rc != 0)
		return rc;
	rc = uv_tcp_init(p2p->loop, &p2p->listener);
	if (rc != 0)
		return rc;
	p2p->listener.data = p2p;
	p2p->listener_state = LISTENER_OPEN;
	p2p->open_handles++;
	rc = uv_tcp_bind(&p2p->listener, (const struct sockaddr *)&addr, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&p2p->listener, 128, on_connection);
	if (rc == 0)
		rc = uv_tcp_getsockname(&p2p->listener, (struct sockaddr *)&addr, &len);
	if (rc == 0)
		rc = p2p_addr_format((const struct sockaddr *)&addr, ip, &bound, NULL) == 0
			     ? 0
			     : UV_EINVAL;
	if (rc != 0) {
		p2p->listener_state = LISTENER_CLOSED;
		uv_close((uv_handle_t *)&p2p->listener, p2p_on_handle_closed);
		return rc;
	}
	p2p->listen_port = bound;
	p2p->params.listen_port = bound;
	p2p_log(p2p, "listening addr=%s port=%u", ip, bound);
	return 0;
}

uint16_t p2p_listen_port(const struct p2p *p2p)
{
	return p2p->listen_port;
}
