/* net_book.h: the network layer's use of the address book (node/addrbook.h):
 * peers.dat loaded at start, saved every few minutes and at stop; addresses
 * learned from Peers answers, outbound peers and inbound peers' listening
 * ports; a GetPeers to outbound peers while the book is small; and, unless
 * -connect is given, dials from the book while the outbound connections are
 * below -maxoutbound. Runs on the loop thread; doc/p2p.md, "Address book". */
#ifndef HEARTH_NODE_NET_BOOK_H
#define HEARTH_NODE_NET_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "node/net.h"

/* The book is asked to grow (GetPeers to outbound peers) below this size. */
#define NET_BOOK_WANT 256
/* One dial from the book at most this often. */
#define NET_BOOK_DIAL_MS 1000
/* peers.dat is written this often (and at stop). */
#define NET_BOOK_SAVE_MS (5 * 60 * 1000)

/* Loads peers.dat (unless -addrbook=0). Never fails: an unreadable or
 * corrupt file is logged, moved aside, and the book starts empty. */
void net_book_start(struct net *net);

/* Saves peers.dat and frees the book. */
void net_book_stop(struct net *net);

/* A peer finished its handshake: an outbound one is a good address (and is
 * asked for more while the book is small), an inbound one's listening port
 * is learned. */
void net_book_peer_up(struct net *net, uint64_t peer_id, const struct p2p_peer_info *info);

/* A Peers answer (this node asked for it): its addresses go into the book
 * (with -addrbook=0 each is dialed once). */
void net_book_on_peers(struct net *net, uint64_t peer_id, const Hearth__Peers *msg);

/* p2p known_addresses callback (ctx: the struct net): addresses of the
 * book for a GetPeers answer, reachable ones first, none banned or about to
 * be dropped. Out: up to max into out. Returns how many. */
size_t net_book_known_addresses(void *ctx, struct p2p_known_addr *out, size_t max);

/* From the network tick: dials from the book when due, saves when due. */
void net_book_tick(struct net *net);

#endif
