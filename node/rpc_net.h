/* rpc_net.h: the network addresses of the RPC server, parsed from settings:
 * listen addresses (-rpcbind: "127.0.0.1", "127.0.0.1:9741", "::1",
 * "[::1]:9741") and allowed client subnets (-rpcallowip: an address,
 * "10.0.0.0/8" or "10.0.0.0/255.0.0.0", IPv4 or IPv6), and the checks made on
 * each new connection. Numeric addresses only: no name lookups. */
#ifndef HEARTH_NODE_RPC_NET_H
#define HEARTH_NODE_RPC_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RPC_NET_ADDR_MAX 64 /* "[v6]:port" and NUL */

struct rpc_subnet {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t mask[16]; /* 4 bytes used for AF_INET */
};

/* Parses an address or subnet.
 * Out: *net, the address already masked.
 * Returns 0, or -1 for anything else (hostnames, a prefix out of range, a
 * netmask that is not contiguous, a netmask of the other family). */
__attribute__((warn_unused_result)) int rpc_net_parse_subnet(const char *text,
							     struct rpc_subnet *net);

/* True when the client address sa (AF_INET or AF_INET6; an IPv4-mapped IPv6
 * address counts as IPv4) lies in net. */
bool rpc_net_subnet_match(const struct rpc_subnet *net, const struct sockaddr *sa);

/* True when sa is a loopback address (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104). */
bool rpc_net_is_loopback(const struct sockaddr *sa);

/* Parses a listen address, with default_port when it names none.
 * Out: *out, *out_len (the size of the sockaddr of its family).
 * Returns 0 or -1 for a malformed address or port. */
__attribute__((warn_unused_result)) int rpc_net_parse_bind(const char *text, uint16_t default_port,
							   struct sockaddr_storage *out,
							   socklen_t *out_len);

/* Opens a TCP socket listening on addr (SO_REUSEADDR, close-on-exec,
 * non-blocking) with the given backlog.
 * Out: *port: the port bound (the kernel's choice when addr's was 0); err:
 *      the call that failed and why ("127.0.0.1:9741: Address already in
 *      use").
 * Returns the socket, or -1. */
__attribute__((warn_unused_result)) int rpc_net_listen(const struct sockaddr *addr,
						       socklen_t addr_len, int backlog,
						       uint16_t *port, char *err, size_t err_size);

/* Writes sa as "1.2.3.4:80" or "[::1]:80" into buf (cut to fit). */
void rpc_net_format(const struct sockaddr *sa, char *buf, size_t size);

#endif
