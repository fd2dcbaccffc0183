/* net_rpc.c: getnetworkinfo, getpeerinfo, addnode, disconnectnode and
 * getnodeaddresses. Each
 * handler packs its parameters into a struct net_call and runs on the loop
 * thread (loop_call_run), where the transport lives. */
#include "node/net_rpc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/addrbook.h"
#include "node/node.h"
#include "node/p2p_handshake.h"
#include "proto/hex.h"

#define NET_RPC_PEERS_MAX 1024

struct net_call {
	struct node *node;
	const char *addr;
	const char *command;
	size_t count; /* getnodeaddresses: most addresses, 0 for all */
	json_t *result;
	struct rpc_error *err;
	int rc;
};

static int run_on_loop(struct node *node, void (*fn)(void *), struct net_call *call,
		       struct rpc_error *err)
{
	call->node = node;
	call->err = err;
	call->rc = 0;
	if (loop_call_run(&node->calls, fn, call) != 0)
		return rpc_error_set(err, RPC_SHUTTING_DOWN, "the node is shutting down");
	if (call->rc != 0)
		return -1;
	if (call->result == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	return 0;
}

/* The transport, or NULL with call->err set. */
static struct p2p *transport(struct net_call *call)
{
	struct p2p *p2p = call->node->net_open ? call->node->net.p2p : NULL;

	if (p2p == NULL || call->node->net.closing) {
		call->rc = rpc_error_set(call->err, RPC_SHUTTING_DOWN, "P2P is not running");
		return NULL;
	}
	return p2p;
}

/* ------------------------------------------------------------ getnetworkinfo */

static void networkinfo_on_loop(void *arg)
{
	struct net_call *call = arg;
	struct p2p *p2p = transport(call);
	struct p2p_peer_info *peers;
	size_t n, in = 0;
	char key[2 * PUBKEY_SIZE + 1];

	if (p2p == NULL)
		return;
	peers = malloc(NET_RPC_PEERS_MAX * sizeof(*peers));
	if (peers == NULL)
		return;
	n = p2p_peer_list(p2p, peers, NET_RPC_PEERS_MAX);
	for (size_t i = 0; i < n; i++)
		in += peers[i].inbound ? 1 : 0;
	free(peers);
	if (hex_encode(call->node->node_key.pubkey, PUBKEY_SIZE, key, sizeof(key)) != 0)
		return;
	call->result =
		json_pack("{s:i, s:s, s:b, s:i, s:I, s:I, s:I, s:s, s:I, s:I}", "protocol_version",
			  P2P_PROTOCOL_VERSION, "user_agent", "hearthd/0.1.0", "listening",
			  p2p_listen_port(p2p) != 0, "port", (int)p2p_listen_port(p2p),
			  "connections", (json_int_t)n, "connections_in", (json_int_t)in,
			  "connections_out", (json_int_t)(n - in), "node_key", key, "height",
			  (json_int_t)call->node->chain.tip.height, "synced_blocks",
			  (json_int_t)call->node->net.synced_blocks);
}

static int getnetworkinfo(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct net_call call = { 0 };

	(void)params;
	if (run_on_loop(ctx, networkinfo_on_loop, &call, err) != 0)
		return -1;
	*result = call.result;
	return 0;
}

/* ------------------------------------------------------------ getpeerinfo */

static json_t *describe_peer(const struct p2p_peer_info *p, uint64_t now)
{
	char key[2 * PUBKEY_SIZE + 1];

	if (hex_encode(p->node_key, PUBKEY_SIZE, key, sizeof(key)) != 0)
		return NULL;
	return json_pack("{s:I, s:s, s:b, s:s, s:I, s:i, s:s, s:i, s:I, s:I, s:I, s:I}", "id",
			 (json_int_t)p->id, "addr", p->addr, "inbound", p->inbound, "node_key", key,
			 "best_height", (json_int_t)p->best_height, "listen_port",
			 (int)p->listen_port, "user_agent", p->user_agent, "score", p->score,
			 "conn_ms", (json_int_t)(now - p->connected_ms), "rtt_ms",
			 (json_int_t)p->rtt_ms, "bytes_in", (json_int_t)p->bytes_in, "bytes_out",
			 (json_int_t)p->bytes_out);
}

static void peerinfo_on_loop(void *arg)
{
	struct net_call *call = arg;
	struct p2p *p2p = transport(call);
	struct p2p_peer_info *peers;
	uint64_t now = uv_now(&call->node->loop);
	json_t *list;
	size_t n;

	if (p2p == NULL)
		return;
	peers = malloc(NET_RPC_PEERS_MAX * sizeof(*peers));
	list = json_array();
	if (peers == NULL || list == NULL) {
		free(peers);
		json_decref(list);
		return;
	}
	n = p2p_peer_list(p2p, peers, NET_RPC_PEERS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(list, describe_peer(&peers[i], now)) != 0) {
			free(peers);
			json_decref(list);
			return;
		}
	}
	free(peers);
	call->result = json_pack("{s:o}", "peers", list);
}

static int getpeerinfo(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct net_call call = { 0 };

	(void)params;
	if (run_on_loop(ctx, peerinfo_on_loop, &call, err) != 0)
		return -1;
	*result = call.result;
	return 0;
}

/* ------------------------------------------------------------ addnode */

static void addnode_on_loop(void *arg)
{
	struct net_call *call = arg;
	struct p2p *p2p = transport(call);

	if (p2p == NULL)
		return;
	if (strcmp(call->command, "remove") == 0) {
		if (!p2p_is_dialed(p2p, call->addr)) {
			call->rc = rpc_error_set(call->err, RPC_NOT_FOUND,
						 "%s was not added (addnode add, -addnode)",
						 call->addr);
			return;
		}
		p2p_forget(p2p, call->addr);
	} else if (p2p_connect(p2p, call->addr,
			       strcmp(call->command, "add") == 0 ? P2P_CONNECT_PERSISTENT
								 : P2P_CONNECT_ONCE) != 0) {
		call->rc = rpc_error_set(call->err, RPC_INVALID_PARAMETER,
					 "cannot dial %s: want a numeric ip:port", call->addr);
		return;
	}
	log_write(&call->node->log, LOG_INFO, LOG_P2P, "addnode %s %s", call->addr, call->command);
	call->result = json_object();
}

static int addnode(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct net_call call = { 0 };

	call.addr = json_string_value(json_array_get(params, 0));
	call.command = json_string_value(json_array_get(params, 1));
	if (strcmp(call.command, "add") != 0 && strcmp(call.command, "remove") != 0 &&
	    strcmp(call.command, "onetry") != 0)
		return rpc_error_set(err, RPC_INVALID_PARAMETER,
				     "command must be add, remove or onetry");
	if (run_on_loop(ctx, addnode_on_loop, &call, err) != 0)
		return -1;
	*result = call.result;
	return 0;
}

/* ------------------------------------------------------------ disconnectnode */

/* True when peer p is the one named addr: its connection's address, or an
 * inbound peer's ip with its advertised listening port. */
static bool peer_is(const struct p2p_peer_info *p, const char *addr)
{
	char listen[P2P_ADDR_MAX + 8];

	if (strcmp(p->addr, addr) == 0)
		return true;
	if (p->listen_port == 0)
		return false;
	if (strchr(p->ip, ':') != NULL)
		snprintf(listen, sizeof(listen), "[%s]:%u", p->ip, (unsigned)p->listen_port);
	else
		snprintf(listen, sizeof(listen), "%s:%u", p->ip, (unsigned)p->listen_port);
	return strcmp(listen, addr) == 0;
}

static void disconnect_on_loop(void *arg)
{
	struct net_call *call = arg;
	struct p2p *p2p = transport(call);
	struct p2p_peer_info *peers;
	size_t n, found = 0;

	if (p2p == NULL)
		return;
	peers = malloc(NET_RPC_PEERS_MAX * sizeof(*peers));
	if (peers == NULL)
		return;
	n = p2p_peer_list(p2p, peers, NET_RPC_PEERS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (peer_is(&peers[i], call->addr)) {
			p2p_disconnect(p2p, peers[i].id, "disconnectnode");
			found++;
		}
	}
	free(peers);
	if (found == 0) {
		call->rc = rpc_error_set(call->err, RPC_NOT_FOUND, "no peer %s is connected",
					 call->addr);
		return;
	}
	call->result = json_pack("{s:I}", "disconnected", (json_int_t)found);
}

static int disconnectnode(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct net_call call = { 0 };

	call.addr = json_string_value(json_array_get(params, 0));
	if (run_on_loop(ctx, disconnect_on_loop, &call, err) != 0)
		return -1;
	*result = call.result;
	return 0;
}

/* ------------------------------------------------------------ getnodeaddresses */

static int by_last_seen_desc(const void *a, const void *b)
{
	const struct addrbook_entry *x = a, *y = b;

	return x->last_seen < y->last_seen ? 1 : x->last_seen > y->last_seen ? -1 : 0;
}

static json_t *describe_address(const struct addrbook_entry *e)
{
	return json_pack("{s:I, s:s, s:i, s:s}", "time", (json_int_t)e->last_seen, "address", e->ip,
			 "port", (int)e->port, "network",
			 strchr(e->ip, ':') != NULL ? "ipv6" : "ipv4");
}

/* Out: call->result, the book's usable entries, seen last first. */
static void nodeaddresses_on_loop(void *arg)
{
	struct net_call *call = arg;
	const struct net *net = &call->node->net;
	struct addrbook_entry *copy = NULL;
	uint64_t now = (uint64_t)time(NULL);
	json_t *list;
	size_t n = 0;

	if (transport(call) == NULL)
		return;
	list = json_array();
	if (net->book_on && net->book.count > 0)
		copy = malloc(net->book.count * sizeof(*copy));
	if (list == NULL || (net->book_on && net->book.count > 0 && copy == NULL)) {
		json_decref(list);
		free(copy);
		return;
	}
	for (size_t i = 0; copy != NULL && i < net->book.count; i++)
		if (!addrbook_is_terrible(&net->book.entries[i], now))
			copy[n++] = net->book.entries[i];
	if (n > 1)
		qsort(copy, n, sizeof(*copy), by_last_seen_desc);
	for (size_t i = 0; i < n && (call->count == 0 || i < call->count); i++) {
		if (json_array_append_new(list, describe_address(&copy[i])) != 0) {
			json_decref(list);
			free(copy);
			return;
		}
	}
	free(copy);
	call->result = json_pack("{s:o}", "addresses", list);
}

static int getnodeaddresses(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct net_call call = { 0 };
	const json_t *count = json_array_get(params, 0);

	call.count = 1;
	if (json_is_integer(count)) {
		if (json_integer_value(count) < 0)
			return rpc_error_set(err, RPC_INVALID_PARAMETER,
					     "count must be 0 (all) or more");
		call.count = json_integer_value(count) > ADDRBOOK_MAX
				     ? ADDRBOOK_MAX
				     : (size_t)json_integer_value(count);
	}
	if (run_on_loop(ctx, nodeaddresses_on_loop, &call, err) != 0)
		return -1;
	*result = call.result;
	return 0;
}

/* ------------------------------------------------------------ table */

static const struct rpc_param addnode_params[] = {
	{ "node", RPC_PARAM_STRING, false, "peer address, numeric ip:port" },
	{ "command", RPC_PARAM_STRING, false,
	  "add (keep connected), remove (stop redialing), onetry (one attempt)" },
};
static const struct rpc_param disconnect_params[] = {
	{ "address", RPC_PARAM_STRING, false, "peer address ip:port, as getpeerinfo shows it" },
};

static const struct rpc_param nodeaddresses_params[] = {
	{ "count", RPC_PARAM_INT, true, "most addresses to return (default 1, 0 for all)" },
};

static const struct rpc_method methods[] = {
	{ "getnetworkinfo", "P2P state: listening port, connections, node key", NULL, 0, true,
	  getnetworkinfo },
	{ "getpeerinfo", "the connected peers", NULL, 0, true, getpeerinfo },
	{ "addnode", "add, remove or try once a peer address", addnode_params, 2, false, addnode },
	{ "disconnectnode", "close the connection to a peer", disconnect_params, 1, false,
	  disconnectnode },
	{ "getnodeaddresses", "addresses from the address book, seen last first",
	  nodeaddresses_params, 1, true, getnodeaddresses },
};

const struct rpc_method *net_rpc_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
