/* p2p_addr.h: peer addresses as text and as socket addresses: parsing what
 * an operator writes in -connect / -seednode ("1.2.3.4:9740", "[::1]:9740",
 * "localhost", no port for the default), and the one canonical text of an
 * IP that the ban list and the logs use (IPv4-mapped IPv6 shown as IPv4).
 * Numeric addresses only: no DNS, so the loop never blocks. */
#ifndef HEARTH_NODE_P2P_ADDR_H
#define HEARTH_NODE_P2P_ADDR_H

#include <stdint.h>

#include <uv.h>

#include "node/p2p_ban.h"

#define P2P_ADDR_MAX 64 /* "[v6 address]:port" and NUL */

/* Parses "ip:port", "[ip6]:port", "ip", "ip6", "localhost[:port]".
 * In:  text; default_port for text without a port.
 * Out: *out (port 1..65535).
 * Returns 0, or -1 for anything else (names, port 0 or above 65535, junk). */
__attribute__((warn_unused_result)) int p2p_addr_parse(const char *text, uint16_t default_port,
						       struct sockaddr_storage *out);

/* Out: ip (canonical numeric text), *port, and text "ip:port" or
 * "[ip6]:port" (text may be NULL) of addr, an AF_INET or AF_INET6 address.
 * Returns 0, or -1 for another family. */
__attribute__((warn_unused_result)) int p2p_addr_format(const struct sockaddr *addr,
							char ip[P2P_IP_MAX], uint16_t *port,
							char text[P2P_ADDR_MAX]);

/* Out: out, the canonical text of a numeric IPv4 or IPv6 address.
 * Returns 0, or -1 when ip is not one. */
__attribute__((warn_unused_result)) int p2p_addr_normalize_ip(const char *ip, char out[P2P_IP_MAX]);

#endif
