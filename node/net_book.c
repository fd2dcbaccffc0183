/* net_book.c: the address book in the running node (net_book.h). Book times
 * are wall-clock seconds (they outlive the process in peers.dat); the dial
 * and save periods are loop times. */
#include "node/net_book.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/addrbook_file.h"
#include "node/net_internal.h"
#include "node/node.h"

_Static_assert(ADDRBOOK_IP_MAX == P2P_IP_MAX, "book and transport share IP texts");

static uint64_t wall_now(void)
{
	time_t t = time(NULL);

	return t > 0 ? (uint64_t)t : 0;
}

/* Out: out = "ip:port" or "[ip6]:port". Returns 0, or -1 when too long. */
static int format_addr(const char *ip, uint16_t port, char out[P2P_ADDR_MAX + 8])
{
	int n = strchr(ip, ':') != NULL
			? snprintf(out, P2P_ADDR_MAX + 8, "[%s]:%u", ip, (unsigned)port)
			: snprintf(out, P2P_ADDR_MAX + 8, "%s:%u", ip, (unsigned)port);

	return n > 0 && n < P2P_ADDR_MAX + 8 ? 0 : -1;
}

static void save(struct net *net)
{
	char err[512];

	addrbook_prune(&net->book, wall_now());
	if (addrbook_file_save(&net->book, &net->node->dd, err, sizeof(err)) != 0)
		log_write(&net->node->log, LOG_WARN, LOG_P2P, "cannot save the address book: %s",
			  err);
	net->book_saved_ms = uv_now(&net->node->loop);
}

void net_book_start(struct net *net)
{
	struct log *log = &net->node->log;
	char err[1024];
	int rc;

	net->book_on = false;
	if (!config_get_bool(net->node->cfg, "addrbook", true))
		return;
	if (addrbook_init(&net->book) != 0) {
		log_write(log, LOG_WARN, LOG_P2P, "no address book: out of memory");
		return;
	}
	net->book_on = true;
	net->book_saved_ms = uv_now(&net->node->loop);
	rc = addrbook_file_load(&net->book, &net->node->dd, err, sizeof(err));
	if (rc < 0)
		log_write(log, LOG_WARN, LOG_P2P, "address book: %s; starting with an empty one",
			  err);
	else
		log_write(log, LOG_INFO, LOG_P2P, "address book loaded addresses=%zu",
			  net->book.count);
}

void net_book_stop(struct net *net)
{
	if (!net->book_on)
		return;
	save(net);
	addrbook_free(&net->book);
	net->book_on = false;
}

static void ask_for_peers(struct net *net, uint64_t peer_id)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__GetPeers get = HEARTH__GET_PEERS__INIT;

	get.max = NET_LEARNED_MAX;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_GET_PEERS;
	msg.get_peers = &get;
	net_send(net, peer_id, &msg, 0);
}

void net_book_peer_up(struct net *net, uint64_t peer_id, const struct p2p_peer_info *info)
{
	struct sockaddr_storage ss;
	char ip[P2P_IP_MAX];
	uint16_t port;

	if (!net->book_on)
		return;
	if (info->inbound) {
		/* Learned, not proved: the peer says it listens there. */
		if (info->listen_port > 0 && info->listen_port <= 65535)
			(void)addrbook_add(&net->book, info->ip, (uint16_t)info->listen_port,
					   info->ip, wall_now());
		return;
	}
	if (p2p_addr_parse(info->addr, 0, &ss) != 0 ||
	    p2p_addr_format((const struct sockaddr *)&ss, ip, &port, NULL) != 0 ||
	    addrbook_mark_good(&net->book, ip, port, wall_now()) != 0)
		net_log(net, false, "address book: cannot note addr=%s", info->addr);
	if (!net->connect_only && net->book.count < NET_BOOK_WANT)
		ask_for_peers(net, peer_id);
}

/* Without a book (-addrbook=0): each address is dialed once. */
static size_t dial_each(struct net *net, const Hearth__Peers *msg)
{
	size_t dialed = 0;

	for (size_t i = 0; i < msg->n_peers && i < NET_LEARNED_MAX; i++) {
		const Hearth__PeerAddress *a = msg->peers[i];
		char addr[P2P_ADDR_MAX + 8];

		if (a->port == 0 || a->port > 65535 || strlen(a->host) >= P2P_IP_MAX)
			continue;
		if (format_addr(a->host, (uint16_t)a->port, addr) == 0 &&
		    p2p_connect(net->p2p, addr, P2P_CONNECT_ONCE) == 0)
			dialed++;
	}
	return dialed;
}

static size_t add_each(struct net *net, const char *source, const Hearth__Peers *msg)
{
	uint64_t now = wall_now();
	size_t added = 0;

	for (size_t i = 0; i < msg->n_peers && i < NET_LEARNED_MAX; i++) {
		const Hearth__PeerAddress *a = msg->peers[i];
		char ip[P2P_IP_MAX];

		if (a->port == 0 || a->port > 65535 || strlen(a->host) >= P2P_IP_MAX ||
		    p2p_addr_normalize_ip(a->host, ip) != 0)
			continue;
		if (addrbook_add(&net->book, ip, (uint16_t)a->port, source, now) == ADDRBOOK_ADDED)
			added++;
	}
	return added;
}

void net_book_on_peers(struct net *net, uint64_t peer_id, const Hearth__Peers *msg)
{
	struct p2p_peer_info info;

	if (net->connect_only || net->p2p == NULL || net->closing)
		return;
	if (!net->book_on) {
		net_log(net, true, "learned addresses peer=%llu dialed=%zu",
			(unsigned long long)peer_id, dial_each(net, msg));
		return;
	}
	if (p2p_peer_get(net->p2p, peer_id, &info) != 0)
		return;
	net_log(net, true, "learned addresses peer=%llu added=%zu known=%zu",
		(unsigned long long)peer_id, add_each(net, info.ip, msg), net->book.count);
	net->book_dial_ms = 0; /* try the new ones at the next tick */
}

/* Copies the usable entries that were (reachable) or were not reached
 * before into out[*n..max). */
static void collect(const struct net *net, bool reachable, uint64_t now, struct p2p_known_addr *out,
		    size_t *n, size_t max)
{
	for (size_t i = 0; i < net->book.count && *n < max; i++) {
		const struct addrbook_entry *e = &net->book.entries[i];

		if ((e->last_success != 0) != reachable || addrbook_is_terrible(e, now) ||
		    p2p_is_banned(net->p2p, e->ip))
			continue;
		memcpy(out[*n].ip, e->ip, sizeof(out[*n].ip));
		out[*n].port = e->port;
		(*n)++;
	}
}

size_t net_book_known_addresses(void *ctx, struct p2p_known_addr *out, size_t max)
{
	const struct net *net = ctx;
	uint64_t now = wall_now();
	size_t n = 0;

	if (!net->book_on || net->p2p == NULL || net->closing)
		return 0;
	collect(net, true, now, out, &n, max);
	collect(net, false, now, out, &n, max);
	return n;
}

static bool is_loopback(const char *ip)
{
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0;
}

/* addrbook_skip_fn: connected or being dialed, banned, or this node. */
static bool skip_addr(void *ctx, const char *ip, uint16_t port)
{
	struct net *net = ctx;
	const char *bind = config_get(net->node->cfg, "bind");

	if (p2p_is_banned(net->p2p, ip) || p2p_is_known(net->p2p, ip, port))
		return true;
	return port == p2p_listen_port(net->p2p) &&
	       (is_loopback(ip) || (bind != NULL && strcmp(bind, ip) == 0));
}

static void dial_one(struct net *net)
{
	struct addrbook_entry e;
	struct p2p_stats st;
	char addr[P2P_ADDR_MAX + 8];
	uint64_t now = wall_now();

	p2p_get_stats(net->p2p, &st);
	if (st.outbound + st.outbound_pending >= net->max_outbound)
		return;
	if (!addrbook_select(&net->book, now, skip_addr, net, &e))
		return;
	addrbook_mark_attempt(&net->book, e.ip, e.port, now);
	if (format_addr(e.ip, e.port, addr) != 0 ||
	    p2p_connect(net->p2p, addr, P2P_CONNECT_ONCE) != 0) {
		net_log(net, false, "address book: cannot dial addr=%s", e.ip);
		return;
	}
	net_log(net, true, "dialing from the address book addr=%s attempts=%u", addr,
		(unsigned)e.attempts + 1);
}

void net_book_tick(struct net *net)
{
	uint64_t now = uv_now(&net->node->loop);

	if (!net->book_on || net->p2p == NULL || net->closing)
		return;
	if (!net->connect_only && now - net->book_dial_ms >= NET_BOOK_DIAL_MS) {
		net->book_dial_ms = now;
		dial_one(net);
	}
	if (now - net->book_saved_ms >= NET_BOOK_SAVE_MS)
		save(net);
}
