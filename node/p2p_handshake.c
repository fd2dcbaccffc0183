/* p2p_handshake.c: the handshake state machine of p2p_handshake.h: hello
 * exchange, crypto_kx session keys, transcript hash, and the signed
 * Handshake message in the first encrypted frame of each direction. */
#include "node/p2p_handshake.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"

_Static_assert(P2P_HELLO_SIZE == 8 + crypto_kx_PUBLICKEYBYTES, "hello is magic, version, key");
_Static_assert(crypto_kx_SESSIONKEYBYTES == P2P_FRAME_KEY_SIZE, "kx keys are frame keys");

const char *p2p_handshake_strerror(enum p2p_hs_error error)
{
	switch (error) {
	case P2P_HS_OK:
		return "ok";
	case P2P_HS_BAD_MAGIC:
		return "not a Hearth hello";
	case P2P_HS_BAD_VERSION:
		return "unsupported protocol version";
	case P2P_HS_BAD_KEY_EXCHANGE:
		return "unusable key exchange public key";
	case P2P_HS_BAD_FRAME:
		return "handshake frame failed authentication";
	case P2P_HS_OVERSIZE:
		return "handshake frame above its cap";
	case P2P_HS_UNDECODABLE:
		return "undecodable handshake message";
	case P2P_HS_UNEXPECTED:
		return "message other than handshake";
	case P2P_HS_WRONG_CHAIN:
		return "wrong chain id";
	case P2P_HS_WRONG_GENESIS:
		return "wrong genesis hash";
	case P2P_HS_BAD_NODE_KEY:
		return "invalid node key";
	case P2P_HS_BAD_SIGNATURE:
		return "bad handshake signature";
	case P2P_HS_SELF:
		return "connected to self";
	case P2P_HS_INTERNAL:
		return "internal error";
	}
	return "unknown handshake error";
}

__attribute__((format(printf, 3, 4))) static enum p2p_hs_status
hs_fail(struct p2p_handshake *hs, enum p2p_hs_error error, const char *fmt, ...)
{
	va_list ap;
	int n;

	hs->state = P2P_HS_STATE_FAILED;
	hs->error = error;
	n = snprintf(hs->why, sizeof(hs->why), "%s", p2p_handshake_strerror(error));
	if (fmt != NULL && n > 0 && (size_t)n < sizeof(hs->why) - 2) {
		hs->why[n++] = ':';
		hs->why[n++] = ' ';
		va_start(ap, fmt);
		vsnprintf(hs->why + n, sizeof(hs->why) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	sodium_memzero(hs->eph_sk, sizeof(hs->eph_sk));
	p2p_frame_rx_wipe(&hs->rx);
	p2p_frame_tx_wipe(&hs->tx);
	return P2P_HS_FAILED;
}

/* Copies untrusted text for logs: printable ASCII only, at most out_size-1. */
static void copy_printable(char *out, size_t out_size, const char *in)
{
	size_t i = 0;

	for (; in != NULL && in[i] != '\0' && i + 1 < out_size; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

static void put_u32_be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_u32_be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void p2p_handshake_auth_digest(enum p2p_hs_role role, const uint8_t transcript[HASH_SIZE],
			       uint8_t digest[HASH_SIZE])
{
	struct hasher h;
	uint8_t role_byte = (uint8_t)role;

	hash_begin(&h, "hearth/p2p/auth");
	hash_update(&h, &role_byte, 1);
	hash_update(&h, transcript, HASH_SIZE);
	hash_finish(&h, digest);
}

int p2p_handshake_init(struct p2p_handshake *hs, const struct p2p_hs_params *params,
		       enum p2p_hs_role role, uint8_t hello[P2P_HELLO_SIZE])
{
	size_t chain_len;

	memset(hs, 0, sizeof(*hs));
	hs->role = role;
	hs->params = params;
	hs->state = P2P_HS_STATE_HELLO;
	chain_len = params->chain_id ? strlen(params->chain_id) : 0;
	if (chain_len == 0 || chain_len > P2P_CHAIN_ID_MAX || params->node_key == NULL ||
	    (role != P2P_HS_INITIATOR && role != P2P_HS_RESPONDER)) {
		hs_fail(hs, P2P_HS_INTERNAL, "invalid handshake parameters");
		return -1;
	}
	crypto_kx_keypair(hs->eph_pk, hs->eph_sk);
	memcpy(hs->hello_own, P2P_HELLO_MAGIC, 4);
	put_u32_be(hs->hello_own + 4, P2P_PROTOCOL_VERSION);
	memcpy(hs->hello_own + 8, hs->eph_pk, sizeof(hs->eph_pk));
	memcpy(hello, hs->hello_own, P2P_HELLO_SIZE);
	return 0;
}

/* Both hellos are in: derive the session keys and the transcript. */
static enum p2p_hs_status hs_derive(struct p2p_handshake *hs)
{
	uint8_t rx_key[crypto_kx_SESSIONKEYBYTES];
	uint8_t tx_key[crypto_kx_SESSIONKEYBYTES];
	const uint8_t *peer_pk = hs->hello_peer + 8;
	const uint8_t *first = hs->role == P2P_HS_INITIATOR ? hs->hello_own : hs->hello_peer;
	const uint8_t *second = hs->role == P2P_HS_INITIATOR ? hs->hello_peer : hs->hello_own;
	struct hasher h;
	int rc;

	if (memcmp(hs->hello_peer, P2P_HELLO_MAGIC, 4) != 0)
		return hs_fail(hs, P2P_HS_BAD_MAGIC, NULL);
	if (get_u32_be(hs->hello_peer + 4) != P2P_PROTOCOL_VERSION)
		return hs_fail(hs, P2P_HS_BAD_VERSION, "peer speaks %u, we speak %u",
			       (unsigned)get_u32_be(hs->hello_peer + 4), P2P_PROTOCOL_VERSION);
	if (hs->role == P2P_HS_INITIATOR)
		rc = crypto_kx_client_session_keys(rx_key, tx_key, hs->eph_pk, hs->eph_sk, peer_pk);
	else
		rc = crypto_kx_server_session_keys(rx_key, tx_key, hs->eph_pk, hs->eph_sk, peer_pk);
	sodium_memzero(hs->eph_sk, sizeof(hs->eph_sk));
	if (rc != 0) {
		sodium_memzero(rx_key, sizeof(rx_key));
		sodium_memzero(tx_key, sizeof(tx_key));
		return hs_fail(hs, P2P_HS_BAD_KEY_EXCHANGE, NULL);
	}
	p2p_frame_rx_init(&hs->rx, rx_key, P2P_HANDSHAKE_FRAME_MAX);
	p2p_frame_tx_init(&hs->tx, tx_key, P2P_HANDSHAKE_FRAME_MAX);
	sodium_memzero(rx_key, sizeof(rx_key));
	sodium_memzero(tx_key, sizeof(tx_key));

	hash_begin(&h, "hearth/p2p/transcript");
	hash_u64(&h, P2P_PROTOCOL_VERSION);
	hash_bytes(&h, hs->params->chain_id, strlen(hs->params->chain_id));
	hash_update(&h, hs->params->genesis_hash, HASH_SIZE);
	hash_update(&h, first, P2P_HELLO_SIZE);
	hash_update(&h, second, P2P_HELLO_SIZE);
	hash_finish(&h, hs->transcript);
	return P2P_HS_CONTINUE;
}

/* Builds and seals this side's signed Handshake message. */
static enum p2p_hs_status hs_seal_auth(struct p2p_handshake *hs, uint8_t **out, size_t *out_len)
{
	const struct p2p_hs_params *p = hs->params;
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Handshake body = HEARTH__HANDSHAKE__INIT;
	uint8_t digest[HASH_SIZE];
	uint8_t sig[SIG_SIZE];
	uint8_t pubkey[PUBKEY_SIZE];
	char agent[P2P_USER_AGENT_MAX + 1];
	uint8_t *plain;
	size_t plain_len;
	enum p2p_frame_status fst;

	p2p_handshake_auth_digest(hs->role, hs->transcript, digest);
	if (sig_sign(p->node_key, digest, sig) != 0)
		return hs_fail(hs, P2P_HS_INTERNAL, "cannot sign the transcript");
	memcpy(pubkey, p->node_key->pubkey, PUBKEY_SIZE);
	body.protocol_version = P2P_PROTOCOL_VERSION;
	body.chain_id = (char *)p->chain_id;
	body.genesis_hash.data = (uint8_t *)p->genesis_hash;
	body.genesis_hash.len = HASH_SIZE;
	body.node_key.data = pubkey;
	body.node_key.len = PUBKEY_SIZE;
	body.sig.data = sig;
	body.sig.len = SIG_SIZE;
	body.best_height = p->best_height;
	body.listen_port = p->listen_port;
	if (p->user_agent != NULL) {
		copy_printable(agent, sizeof(agent), p->user_agent);
		body.user_agent = agent;
	}
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_HANDSHAKE;
	msg.handshake = &body;
	if (codec_encode(&msg.base, &plain, &plain_len) != CODEC_OK)
		return hs_fail(hs, P2P_HS_INTERNAL, "cannot encode the handshake");
	fst = p2p_frame_seal(&hs->tx, plain, plain_len, out, out_len);
	free(plain);
	if (fst != P2P_FRAME_OK)
		return hs_fail(hs, P2P_HS_INTERNAL, "cannot seal the handshake: %s",
			       p2p_frame_strerror(fst));
	return P2P_HS_CONTINUE;
}

/* Checks the peer's Handshake message, in the order that gives the most
 * useful reason: version, chain, genesis, key, signature, self. */
static enum p2p_hs_status hs_check_auth(struct p2p_handshake *hs, const uint8_t *plain,
					size_t plain_len)
{
	const struct p2p_hs_params *p = hs->params;
	enum p2p_hs_role peer_role =
		hs->role == P2P_HS_INITIATOR ? P2P_HS_RESPONDER : P2P_HS_INITIATOR;
	ProtobufCMessage *decoded;
	struct codec_error err;
	const Hearth__P2PMessage *msg;
	const Hearth__Handshake *body;
	uint8_t digest[HASH_SIZE];
	char shown[P2P_CHAIN_ID_MAX + 1];
	enum p2p_hs_status st = P2P_HS_DONE;

	if (codec_decode(&hearth__p2_pmessage__descriptor, plain, plain_len,
			 P2P_HANDSHAKE_FRAME_MAX, &decoded, &err) != CODEC_OK)
		return hs_fail(hs, P2P_HS_UNDECODABLE, "%s", err.text);
	msg = (const Hearth__P2PMessage *)decoded;
	body = msg->handshake;
	if (msg->msg_case != HEARTH__P2_PMESSAGE__MSG_HANDSHAKE) {
		st = hs_fail(hs, P2P_HS_UNEXPECTED, "message case %d", (int)msg->msg_case);
	} else if (body->protocol_version != P2P_PROTOCOL_VERSION) {
		st = hs_fail(hs, P2P_HS_BAD_VERSION, "peer speaks %u",
			     (unsigned)body->protocol_version);
	} else if (strcmp(body->chain_id, p->chain_id) != 0) {
		copy_printable(shown, sizeof(shown), body->chain_id);
		st = hs_fail(hs, P2P_HS_WRONG_CHAIN, "peer is on \"%s\", we are on \"%s\"", shown,
			     p->chain_id);
	} else if (body->genesis_hash.len != HASH_SIZE ||
		   memcmp(body->genesis_hash.data, p->genesis_hash, HASH_SIZE) != 0) {
		st = hs_fail(hs, P2P_HS_WRONG_GENESIS, NULL);
	} else if (body->node_key.len != PUBKEY_SIZE || !pubkey_valid(body->node_key.data)) {
		st = hs_fail(hs, P2P_HS_BAD_NODE_KEY, "%zu bytes", body->node_key.len);
	} else {
		p2p_handshake_auth_digest(peer_role, hs->transcript, digest);
		if (body->sig.len != SIG_SIZE ||
		    !sig_verify(body->sig.data, digest, body->node_key.data))
			st = hs_fail(hs, P2P_HS_BAD_SIGNATURE, NULL);
		else if (memcmp(body->node_key.data, p->node_key->pubkey, PUBKEY_SIZE) == 0)
			st = hs_fail(hs, P2P_HS_SELF, NULL);
	}
	if (st == P2P_HS_DONE) {
		memcpy(hs->peer.node_key, body->node_key.data, PUBKEY_SIZE);
		hs->peer.best_height = body->best_height;
		hs->peer.listen_port = body->listen_port;
		copy_printable(hs->peer.user_agent, sizeof(hs->peer.user_agent), body->user_agent);
		hs->state = P2P_HS_STATE_DONE;
	}
	codec_free(decoded);
	return st;
}

/* Consumes the peer's hello; on completion derives keys and emits the auth. */
static enum p2p_hs_status hs_feed_hello(struct p2p_handshake *hs, const uint8_t *data, size_t len,
					size_t *pos, uint8_t **out, size_t *out_len)
{
	size_t take = P2P_HELLO_SIZE - hs->hello_have;
	enum p2p_hs_status st;

	if (take > len - *pos)
		take = len - *pos;
	if (take > 0)
		memcpy(hs->hello_peer + hs->hello_have, data + *pos, take);
	hs->hello_have += take;
	*pos += take;
	/* Reject a wrong magic as soon as its bytes are in, not after 40. */
	if (memcmp(hs->hello_peer, P2P_HELLO_MAGIC, hs->hello_have < 4 ? hs->hello_have : 4) != 0)
		return hs_fail(hs, P2P_HS_BAD_MAGIC, NULL);
	if (hs->hello_have < P2P_HELLO_SIZE)
		return P2P_HS_CONTINUE;
	st = hs_derive(hs);
	if (st != P2P_HS_CONTINUE)
		return st;
	st = hs_seal_auth(hs, out, out_len);
	if (st != P2P_HS_CONTINUE)
		return st;
	hs->state = P2P_HS_STATE_AUTH;
	return P2P_HS_CONTINUE;
}

/* Consumes bytes of the peer's handshake frame. */
static enum p2p_hs_status hs_feed_auth(struct p2p_handshake *hs, const uint8_t *data, size_t len,
				       size_t *pos)
{
	uint8_t *plain;
	size_t plain_len;
	size_t used;
	enum p2p_frame_status fst;
	enum p2p_hs_status st;

	fst = p2p_frame_open(&hs->rx, data + *pos, len - *pos, &used, &plain, &plain_len);
	*pos += used;
	switch (fst) {
	case P2P_FRAME_OK:
		break;
	case P2P_FRAME_NEED_MORE:
		return P2P_HS_CONTINUE;
	case P2P_FRAME_TOO_LARGE:
		return hs_fail(hs, P2P_HS_OVERSIZE, "cap %u bytes", P2P_HANDSHAKE_FRAME_MAX);
	case P2P_FRAME_TOO_SHORT:
	case P2P_FRAME_BAD_AUTH:
	case P2P_FRAME_EXHAUSTED:
		return hs_fail(hs, P2P_HS_BAD_FRAME, "%s", p2p_frame_strerror(fst));
	case P2P_FRAME_NO_MEMORY:
		return hs_fail(hs, P2P_HS_INTERNAL, "out of memory");
	}
	st = hs_check_auth(hs, plain, plain_len);
	sodium_memzero(plain, plain_len);
	free(plain);
	return st;
}

enum p2p_hs_status p2p_handshake_feed(struct p2p_handshake *hs, const uint8_t *data, size_t len,
				      size_t *used, uint8_t **out, size_t *out_len)
{
	size_t pos = 0;
	enum p2p_hs_status st = P2P_HS_CONTINUE;

	*used = 0;
	*out = NULL;
	*out_len = 0;
	if (hs->state == P2P_HS_STATE_FAILED)
		return P2P_HS_FAILED;
	if (hs->state == P2P_HS_STATE_DONE)
		return P2P_HS_DONE;
	if (hs->state == P2P_HS_STATE_HELLO && len > 0)
		st = hs_feed_hello(hs, data, len, &pos, out, out_len);
	if (st == P2P_HS_CONTINUE && hs->state == P2P_HS_STATE_AUTH && pos < len)
		st = hs_feed_auth(hs, data, len, &pos);
	*used = pos;
	return st;
}

void p2p_handshake_finish(struct p2p_handshake *hs, size_t max_frame, struct p2p_frame_rx *rx,
			  struct p2p_frame_tx *tx, struct p2p_hs_peer *peer)
{
	*rx = hs->rx;
	*tx = hs->tx;
	rx->max_plain = max_frame > P2P_FRAME_LIMIT ? P2P_FRAME_LIMIT : max_frame;
	tx->max_plain = rx->max_plain;
	*peer = hs->peer;
	/* rx holds no partial frame (the auth frame was complete), so the copy
	 * owns nothing the handshake still points at; forget it there. */
	memset(&hs->rx, 0, sizeof(hs->rx));
	p2p_handshake_wipe(hs);
}

void p2p_handshake_wipe(struct p2p_handshake *hs)
{
	sodium_memzero(hs->eph_sk, sizeof(hs->eph_sk));
	p2p_frame_rx_wipe(&hs->rx);
	p2p_frame_tx_wipe(&hs->tx);
	sodium_memzero(hs->transcript, sizeof(hs->transcript));
}
