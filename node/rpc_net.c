/* rpc_net.c: parsing of -rpcbind and -rpcallowip values and the address
 * checks of rpc_net.h, on top of inet_pton/inet_ntop. */
#include "node/rpc_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The address bytes of sa, IPv4-mapped IPv6 turned into IPv4.
 * Out: *family, bytes (4 or 16). Returns 0, or -1 for another family. */
static int client_bytes(const struct sockaddr *sa, int *family, uint8_t bytes[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		*family = AF_INET;
		memcpy(bytes, &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (memcmp(in6->sin6_addr.s6_addr, mapped, sizeof(mapped)) == 0) {
			*family = AF_INET;
			memcpy(bytes, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			*family = AF_INET6;
			memcpy(bytes, in6->sin6_addr.s6_addr, 16);
		}
		return 0;
	}
	return -1;
}

/* Parses a numeric address of either family. Returns its size (4 or 16) or
 * 0. */
static size_t parse_addr(const char *text, int *family, uint8_t bytes[16])
{
	if (inet_pton(AF_INET, text, bytes) == 1) {
		*family = AF_INET;
		return 4;
	}
	if (inet_pton(AF_INET6, text, bytes) == 1) {
		*family = AF_INET6;
		return 16;
	}
	return 0;
}

static bool mask_contiguous(const uint8_t *mask, size_t n)
{
	bool zero_seen = false;

	for (size_t i = 0; i < n * 8; i++) {
		bool bit = (mask[i / 8] >> (7 - i % 8)) & 1;

		if (bit && zero_seen)
			return false;
		if (!bit)
			zero_seen = true;
	}
	return true;
}

int rpc_net_parse_subnet(const char *text, struct rpc_subnet *net)
{
	char addr[RPC_NET_ADDR_MAX];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text), n;

	memset(net, 0, sizeof(*net));
	if (len >= sizeof(addr))
		return -1;
	memcpy(addr, text, len);
	addr[len] = '\0';
	n = parse_addr(addr, &net->family, net->addr);
	if (n == 0)
		return -1;
	if (slash == NULL) {
		memset(net->mask, 0xff, n);
	} else if (slash[1] >= '0' && slash[1] <= '9' &&
		   strspn(slash + 1, "0123456789") == strlen(slash + 1)) {
		unsigned long bits = strlen(slash + 1) <= 3 ? strtoul(slash + 1, NULL, 10) : 999;

		if (bits > n * 8)
			return -1;
		for (size_t i = 0; i < bits; i++)
			net->mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	} else {
		int mask_family;

		if (parse_addr(slash + 1, &mask_family, net->mask) != n ||
		    mask_family != net->family || !mask_contiguous(net->mask, n))
			return -1;
	}
	for (size_t i = 0; i < n; i++)
		net->addr[i] &= net->mask[i];
	return 0;
}

bool rpc_net_subnet_match(const struct rpc_subnet *net, const struct sockaddr *sa)
{
	uint8_t bytes[16];
	int family;
	size_t n;

	if (client_bytes(sa, &family, bytes) != 0 || family != net->family)
		return false;
	n = family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < n; i++) {
		if ((bytes[i] & net->mask[i]) != net->addr[i])
			return false;
	}
	return true;
}

bool rpc_net_is_loopback(const struct sockaddr *sa)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	uint8_t bytes[16];
	int family;

	if (client_bytes(sa, &family, bytes) != 0)
		return false;
	if (family == AF_INET)
		return bytes[0] == 127;
	return memcmp(bytes, v6_loopback, 16) == 0;
}

static int parse_port(const char *text, uint16_t *port)
{
	size_t len = strlen(text);
	unsigned long v;

	if (len == 0 || len > 5 || strspn(text, "0123456789") != len)
		return -1;
	v = strtoul(text, NULL, 10);
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int rpc_net_parse_bind(const char *text, uint16_t default_port, struct sockaddr_storage *out,
		       socklen_t *out_len)
{
	char host[RPC_NET_ADDR_MAX];
	const char *port_text = NULL, *colon = strrchr(text, ':');
	uint16_t port = default_port;
	uint8_t bytes[16];
	int family;
	size_t len;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return -1;
		len = (size_t)(close - text - 1);
		text++;
		port_text = close[1] == ':' ? close + 2 : NULL;
	} else if (colon != NULL && strchr(text, ':') == colon) {
		len = (size_t)(colon - text); /* one colon: IPv4 with a port */
		port_text = colon + 1;
	} else {
		len = strlen(text); /* no colon, or a bare IPv6 address */
	}
	if (len >= sizeof(host))
		return -1;
	memcpy(host, text, len);
	host[len] = '\0';
	if (port_text != NULL && parse_port(port_text, &port) != 0)
		return -1;
	if (parse_addr(host, &family, bytes) == 0)
		return -1;
	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, bytes, 4);
		*out_len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(in6->sin6_addr.s6_addr, bytes, 16);
		*out_len = sizeof(*in6);
	}
	return 0;
}

int rpc_net_listen(const struct sockaddr *addr, socklen_t addr_len, int backlog, uint16_t *port,
		   char *err, size_t err_size)
{
	struct sockaddr_storage bound;
	socklen_t bound_len = sizeof(bound);
	char text[RPC_NET_ADDR_MAX];
	const char *step = "socket";
	int fd, on = 1;

	rpc_net_format(addr, text, sizeof(text));
	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	step = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
		goto fail;
	step = "bind";
	if (bind(fd, addr, addr_len) != 0)
		goto fail;
	step = "listen";
	if (listen(fd, backlog) != 0)
		goto fail;
	step = "getsockname";
	if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0)
		goto fail;
	*port = ntohs(bound.ss_family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port
						 : ((struct sockaddr_in6 *)&bound)->sin6_port);
	return fd;
fail:
	snprintf(err, err_size, "cannot listen for RPC on %s: %s: %s", text, step, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

void rpc_net_format(const struct sockaddr *sa, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		if (inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host)) == NULL)
			snprintf(host, sizeof(host), "?");
		snprintf(buf, size, "%s:%u", host, (unsigned)ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host)) == NULL)
			snprintf(host, sizeof(host), "?");
		snprintf(buf, size, "[%s]:%u", host, (unsigned)ntohs(in6->sin6_port));
	} else {
		snprintf(buf, size, "(family %d)", (int)sa->sa_family);
	}
}
