/* p2p_addr.c: parsing and formatting of peer addresses (p2p_addr.h). */
#include "node/p2p_addr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits text into host and port text (NULL when absent). */
static int split_host_port(const char *text, char host[P2P_ADDR_MAX], const char **port_text)
{
	size_t len = strlen(text);
	const char *colon;

	*port_text = NULL;
	if (len == 0 || len >= P2P_ADDR_MAX)
		return -1;
	if (text[0] == '[') {
		const char *end = strchr(text, ']');

		if (end == NULL || end == text + 1)
			return -1;
		memcpy(host, text + 1, (size_t)(end - text - 1));
		host[end - text - 1] = '\0';
		if (end[1] == ':')
			*port_text = end + 2;
		else if (end[1] != '\0')
			return -1;
		return 0;
	}
	colon = strchr(text, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		memcpy(host, text, (size_t)(colon - text));
		host[colon - text] = '\0';
		*port_text = colon + 1;
	} else {
		memcpy(host, text, len + 1); /* no colon, or a bare IPv6 address */
	}
	return 0;
}

int p2p_addr_parse(const char *text, uint16_t default_port, struct sockaddr_storage *out)
{
	char host[P2P_ADDR_MAX];
	const char *port_text;
	unsigned long port = default_port;

	if (split_host_port(text, host, &port_text) != 0)
		return -1;
	if (port_text != NULL) {
		char *end;

		if (*port_text < '0' || *port_text > '9')
			return -1;
		port = strtoul(port_text, &end, 10);
		if (*end != '\0' || port > 65535)
			return -1;
	}
	if (port == 0)
		return -1;
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	memset(out, 0, sizeof(*out));
	if (strchr(host, ':') == NULL)
		return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)out) == 0 ? 0 : -1;
	return uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)out) == 0 ? 0 : -1;
}

int p2p_addr_format(const struct sockaddr *addr, char ip[P2P_IP_MAX], uint16_t *port,
		    char text[P2P_ADDR_MAX])
{
	struct sockaddr_in v4;

	if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)addr;

		if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
			memset(&v4, 0, sizeof(v4));
			v4.sin_family = AF_INET;
			v4.sin_port = v6->sin6_port;
			memcpy(&v4.sin_addr, &v6->sin6_addr.s6_addr[12], 4);
			addr = (const struct sockaddr *)&v4;
		}
	}
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		if (uv_ip4_name(in, ip, P2P_IP_MAX) != 0)
			return -1;
		*port = ntohs(in->sin_port);
		if (text != NULL)
			snprintf(text, P2P_ADDR_MAX, "%s:%u", ip, *port);
		return 0;
	}
	if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;

		if (uv_ip6_name(in6, ip, P2P_IP_MAX) != 0)
			return -1;
		*port = ntohs(in6->sin6_port);
		if (text != NULL)
			snprintf(text, P2P_ADDR_MAX, "[%s]:%u", ip, *port);
		return 0;
	}
	return -1;
}

int p2p_addr_normalize_ip(const char *ip, char out[P2P_IP_MAX])
{
	struct sockaddr_storage ss;
	uint16_t port;

	memset(&ss, 0, sizeof(ss));
	if (uv_ip4_addr(ip, 1, (struct sockaddr_in *)&ss) != 0 &&
	    uv_ip6_addr(ip, 1, (struct sockaddr_in6 *)&ss) != 0)
		return -1;
	return p2p_addr_format((const struct sockaddr *)&ss, out, &port, NULL);
}
