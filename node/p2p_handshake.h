/* p2p_handshake.h: the P2P handshake as a pure state machine (no sockets, no
 * clock). Each side
 *   1. sends a 40-byte hello: "HRTH" || protocol version (u32 big-endian) ||
 *      a fresh X25519 public key;
 *   2. on the peer's hello, derives two session keys with libsodium's
 *      crypto_kx (the connection's initiator is the kx client), computes the
 *      transcript hash over the version, chain id, genesis hash and both
 *      hellos in initiator-then-responder order, and sends, in the first
 *      encrypted frame, a P2PMessage{handshake} whose sig is BIP340 by its
 *      node key over H("hearth/p2p/auth", role || transcript);
 *   3. on the peer's handshake frame, checks version, chain id, genesis hash,
 *      node key and signature, and is done.
 * The caller feeds received bytes and sends the bytes it is given; on success
 * it takes the frame keys for the rest of the connection. doc/p2p.md has the
 * byte-by-byte layout. */
#ifndef HEARTH_NODE_P2P_HANDSHAKE_H
#define HEARTH_NODE_P2P_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "node/p2p_frame.h"

#define P2P_PROTOCOL_VERSION 1
#define P2P_HELLO_SIZE	     40
#define P2P_HELLO_MAGIC	     "HRTH"
/* Cap of the encrypted handshake frame's plaintext. */
#define P2P_HANDSHAKE_FRAME_MAX 1024
#define P2P_USER_AGENT_MAX	128
#define P2P_CHAIN_ID_MAX	64

enum p2p_hs_role {
	P2P_HS_INITIATOR = 1, /* opened the connection; crypto_kx client */
	P2P_HS_RESPONDER = 2, /* accepted it; crypto_kx server */
};

enum p2p_hs_status {
	P2P_HS_CONTINUE, /* all input consumed, more is needed */
	P2P_HS_DONE,	 /* authenticated; call p2p_handshake_finish */
	P2P_HS_FAILED,	 /* rejected; see hs->error and hs->why */
};

enum p2p_hs_error {
	P2P_HS_OK = 0,
	P2P_HS_BAD_MAGIC,	 /* the hello does not start with "HRTH" */
	P2P_HS_BAD_VERSION,	 /* a protocol version other than ours */
	P2P_HS_BAD_KEY_EXCHANGE, /* the peer's X25519 key is unusable */
	P2P_HS_BAD_FRAME,	 /* the handshake frame failed authentication */
	P2P_HS_OVERSIZE,	 /* the handshake frame is above its cap */
	P2P_HS_UNDECODABLE,	 /* not a canonical P2PMessage */
	P2P_HS_UNEXPECTED,	 /* a P2PMessage other than handshake */
	P2P_HS_WRONG_CHAIN,	 /* another chain id */
	P2P_HS_WRONG_GENESIS,	 /* another genesis hash */
	P2P_HS_BAD_NODE_KEY,	 /* not a valid x-only public key */
	P2P_HS_BAD_SIGNATURE,	 /* the signature does not cover our transcript */
	P2P_HS_SELF,		 /* the peer is this node */
	P2P_HS_INTERNAL,	 /* out of memory, signing failed, or misuse */
};

/* What this node says about itself. The pointers are borrowed and must
 * outlive the handshake. */
struct p2p_hs_params {
	const char *chain_id; /* 1..P2P_CHAIN_ID_MAX bytes */
	uint8_t genesis_hash[HASH_SIZE];
	const struct signer *node_key;
	uint64_t best_height;
	uint32_t listen_port;	/* 0: not listening */
	const char *user_agent; /* may be NULL; truncated to P2P_USER_AGENT_MAX */
};

/* What the peer proved and said. */
struct p2p_hs_peer {
	uint8_t node_key[PUBKEY_SIZE];
	uint64_t best_height;
	uint32_t listen_port;
	char user_agent[P2P_USER_AGENT_MAX + 1];
};

enum p2p_hs_state {
	P2P_HS_STATE_HELLO, /* waiting for the peer's hello */
	P2P_HS_STATE_AUTH,  /* waiting for the peer's handshake frame */
	P2P_HS_STATE_DONE,
	P2P_HS_STATE_FAILED,
};

/* One side of one handshake. Holds secrets: always p2p_handshake_wipe it. */
struct p2p_handshake {
	enum p2p_hs_state state;
	enum p2p_hs_role role;
	const struct p2p_hs_params *params;
	uint8_t eph_pk[crypto_kx_PUBLICKEYBYTES];
	uint8_t eph_sk[crypto_kx_SECRETKEYBYTES];
	uint8_t hello_own[P2P_HELLO_SIZE];
	uint8_t hello_peer[P2P_HELLO_SIZE];
	size_t hello_have;
	uint8_t transcript[HASH_SIZE];
	struct p2p_frame_rx rx;
	struct p2p_frame_tx tx;
	struct p2p_hs_peer peer;
	enum p2p_hs_error error;
	char why[192];
};

/* Starts a handshake with a fresh ephemeral key.
 * In:  params (borrowed), role.
 * Out: hs; hello: the P2P_HELLO_SIZE bytes to send first.
 * Returns 0, or -1 (hs->error P2P_HS_INTERNAL) for invalid params. */
__attribute__((warn_unused_result)) int p2p_handshake_init(struct p2p_handshake *hs,
							   const struct p2p_hs_params *params,
							   enum p2p_hs_role role,
							   uint8_t hello[P2P_HELLO_SIZE]);

/* Feeds received bytes.
 * In:  data, len (any split).
 * Out: *used: bytes consumed; bytes after them (when DONE) are the first
 *      frames of the session and belong to the frame layer;
 *      *out, *out_len: bytes to send now, or NULL/0 (caller frees with free()).
 *      On failure this may still be this side's own handshake frame (the
 *      peer's hello and a bad frame came in one read): sending it before
 *      closing lets the peer see the reason (a wrong chain id) too.
 * Returns P2P_HS_CONTINUE, P2P_HS_DONE, or P2P_HS_FAILED with hs->error and
 * a one-line hs->why. Once failed it stays failed. */
__attribute__((warn_unused_result)) enum p2p_hs_status
p2p_handshake_feed(struct p2p_handshake *hs, const uint8_t *data, size_t len, size_t *used,
		   uint8_t **out, size_t *out_len);

/* After P2P_HS_DONE: hands over the session's frame states and the peer's
 * facts, then wipes the handshake.
 * In:  max_frame: the frame cap for the session.
 * Out: rx, tx (caller wipes them), peer. */
void p2p_handshake_finish(struct p2p_handshake *hs, size_t max_frame, struct p2p_frame_rx *rx,
			  struct p2p_frame_tx *tx, struct p2p_hs_peer *peer);

/* The digest a node key signs: H("hearth/p2p/auth", role byte || transcript).
 * Public so tests and other implementations can check it. */
void p2p_handshake_auth_digest(enum p2p_hs_role role, const uint8_t transcript[HASH_SIZE],
			       uint8_t digest[HASH_SIZE]);

/* Wipes every secret (ephemeral key, session keys). Safe after finish. */
void p2p_handshake_wipe(struct p2p_handshake *hs);

/* A one-line description of error. Never NULL. */
const char *p2p_handshake_strerror(enum p2p_hs_error error);

#endif
