/* fuzz_handshake.c: libFuzzer target for the P2P handshake state machine
 * (node/p2p_handshake.c) past its hello. fuzz_p2p feeds raw bytes, which
 * can never get through the encrypted handshake frame; here the target
 * plays the peer for real: a second handshake gives a genuine hello and
 * transcript, the target derives the peer's sending key, and the input
 * chooses the frames that follow, sealed with that key so that they reach
 * the message checks: the peer's honest frame, raw plaintexts, Handshake
 * messages with chosen fields (version, chain, genesis, node key, a good or
 * bad signature, user agent), non-handshake messages, garbage, flipped
 * bytes, oversize frames. After success the rest of the stream goes to the
 * session's frame receiver.
 *
 * Input: flags byte (bit 0: the side under test initiated), then frame
 * operations; chunk sizes come from the input's bytes in turn.
 * Invariants: never more consumed than given; success only for the peer's
 * real key with both sides on the same transcript, and then the peer accepts
 * our own handshake frame too; a failure has a reason and is final. */
#include "node/p2p_frame.h"
#include "node/p2p_handshake.h"
#include "proto/codec.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 16
#define MAX_STREAM (64u << 10)
#define CHAIN	   "hearth-fuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *data;
	size_t size, pos;
};

static uint8_t take(struct input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

static uint64_t take_u64(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | take(in);
	return v;
}

/* The bytes sent to the side under test. */
struct stream {
	uint8_t buf[MAX_STREAM];
	size_t len;
};

static void put(struct stream *s, const uint8_t *p, size_t n)
{
	if (n > sizeof(s->buf) - s->len)
		n = sizeof(s->buf) - s->len;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* One side of the game: the fixed keys and parameters. */
struct world {
	struct signer self_key, peer_key;
	struct p2p_hs_params self, peer;
	struct p2p_handshake hs, peer_hs; /* under test; the honest peer */
	uint8_t peer_frame[2048];	  /* the peer's honest handshake frame */
	size_t peer_frame_len;
	uint8_t *own_frame; /* the frame the side under test sent */
	size_t own_frame_len;
	struct p2p_frame_tx tx; /* the peer's sending key, counter 0 */
};

static void seal_put(struct world *w, struct stream *s, const uint8_t *plain, size_t n, int flip)
{
	uint8_t *frame;
	size_t frame_len;

	if (p2p_frame_seal(&w->tx, plain, n, &frame, &frame_len) != P2P_FRAME_OK)
		abort();
	if (flip >= 0)
		frame[(size_t)flip % frame_len] ^= 0x01;
	put(s, frame, frame_len);
	free(frame);
}

static void seal_msg(struct world *w, struct stream *s, const Hearth__P2PMessage *msg)
{
	uint8_t *plain;
	size_t n;

	if (codec_encode(&msg->base, &plain, &n) != CODEC_OK)
		abort();
	seal_put(w, s, plain, n, -1);
	free(plain);
}

/* A Handshake message whose fields the input picks. */
static void op_handshake(struct world *w, struct stream *s, struct input *in)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Handshake body = HEARTH__HANDSHAKE__INIT;
	Hearth__Ping ping = HEARTH__PING__INIT;
	uint8_t f = take(in), g = take(in), digest[HASH_SIZE], sig[SIG_SIZE], key[40], gen[40];
	char chain[P2P_CHAIN_ID_MAX + 8], agent[160];
	const struct signer *signer = (f >> 3 & 3) == 1 ? &w->self_key : &w->peer_key;
	enum p2p_hs_role role = w->peer_hs.role;

	body.protocol_version = f & 1 ? (uint32_t)take_u64(in, 4) : P2P_PROTOCOL_VERSION;
	body.chain_id = (char *)CHAIN;
	if (f & 2) {
		size_t n = take(in) % sizeof(chain);

		for (size_t i = 0; i < n; i++)
			chain[i] = (char)(take(in) | 1);
		chain[n] = '\0';
		body.chain_id = chain;
	}
	body.genesis_hash.data = (uint8_t *)w->self.genesis_hash;
	body.genesis_hash.len = HASH_SIZE;
	if (f & 4) {
		body.genesis_hash.len = take(in) % sizeof(gen);
		for (size_t i = 0; i < body.genesis_hash.len; i++)
			gen[i] = take(in);
		body.genesis_hash.data = gen;
	}
	body.node_key.data = (uint8_t *)signer->pubkey;
	body.node_key.len = PUBKEY_SIZE;
	if ((f >> 3 & 3) >= 2) {
		body.node_key.len = (f >> 3 & 3) == 2 ? take(in) % sizeof(key) : PUBKEY_SIZE;
		for (size_t i = 0; i < body.node_key.len; i++)
			key[i] = (f >> 3 & 3) == 2 ? take(in) : 0xff;
		body.node_key.data = key;
	}
	if ((f >> 5 & 3) == 1) /* signed for the wrong role */
		role = role == P2P_HS_INITIATOR ? P2P_HS_RESPONDER : P2P_HS_INITIATOR;
	p2p_handshake_auth_digest(role, w->peer_hs.transcript, digest);
	if (sig_sign(signer, digest, sig) != 0)
		abort();
	body.sig.data = sig;
	body.sig.len = SIG_SIZE;
	if ((f >> 5 & 3) == 2) {
		body.sig.len = take(in) % (SIG_SIZE + 1);
		for (size_t i = 0; i < body.sig.len; i++)
			sig[i] = take(in);
	} else if ((f >> 5 & 3) == 3) {
		sig[take(in) % SIG_SIZE] ^= 0x80;
	}
	body.best_height = take_u64(in, g & 7);
	body.listen_port = (uint32_t)take_u64(in, (g >> 3) & 3);
	if (f & 0x80) {
		size_t n = take(in) % sizeof(agent);

		for (size_t i = 0; i < n; i++)
			agent[i] = (char)(take(in) | 1);
		agent[n] = '\0';
		body.user_agent = agent;
	}
	if (g & 0x80) {
		ping.nonce = body.best_height;
		msg.msg_case = HEARTH__P2_PMESSAGE__MSG_PING;
		msg.ping = &ping;
	} else {
		msg.msg_case = HEARTH__P2_PMESSAGE__MSG_HANDSHAKE;
		msg.handshake = &body;
	}
	seal_msg(w, s, &msg);
}

static void op_frame(struct world *w, struct stream *s, struct input *in)
{
	uint8_t op = take(in), plain[4096];
	size_t n;

	switch (op % 6) {
	case 0: /* the peer's own frame: valid only first (counter 0) */
		put(s, w->peer_frame, w->peer_frame_len);
		if (w->tx.counter == 0)
			w->tx.counter = 1;
		break;
	case 1: /* any plaintext */
		n = (size_t)take_u64(in, 2) % 1100;
		for (size_t i = 0; i < n; i++)
			plain[i] = take(in);
		seal_put(w, s, plain, n, -1);
		break;
	case 2:
		op_handshake(w, s, in);
		break;
	case 3: /* unsealed bytes */
		n = take(in);
		for (size_t i = 0; i < n; i++)
			plain[i] = take(in);
		put(s, plain, n);
		break;
	case 4: /* a Handshake with one byte of the frame flipped */
		n = take(in) % 64;
		memset(plain, 0x08, n);
		seal_put(w, s, plain, n, take(in));
		break;
	default: /* above the handshake cap */
		n = P2P_HANDSHAKE_FRAME_MAX + 1 + (size_t)take_u64(in, 2) % 3000;
		memset(plain, 0, n);
		seal_put(w, s, plain, n, -1);
		break;
	}
}

/* Sets up both sides: the peer has the hello of the side under test and
 * has answered with its hello and handshake frame. */
static void world_start(struct world *w, bool initiator)
{
	uint8_t hello[P2P_HELLO_SIZE], peer_hello[P2P_HELLO_SIZE], sk[crypto_kx_SECRETKEYBYTES];
	uint8_t rx_key[P2P_FRAME_KEY_SIZE], tx_key[P2P_FRAME_KEY_SIZE], *out;
	size_t used, out_len;
	int rc;

	if (p2p_handshake_init(&w->hs, &w->self, initiator ? P2P_HS_INITIATOR : P2P_HS_RESPONDER,
			       hello) != 0 ||
	    p2p_handshake_init(&w->peer_hs, &w->peer,
			       initiator ? P2P_HS_RESPONDER : P2P_HS_INITIATOR, peer_hello) != 0)
		abort();
	memcpy(sk, w->peer_hs.eph_sk, sizeof(sk));
	if (p2p_handshake_feed(&w->peer_hs, hello, sizeof(hello), &used, &out, &out_len) !=
		    P2P_HS_CONTINUE ||
	    used != sizeof(hello) || out == NULL || out_len > sizeof(w->peer_frame))
		abort();
	memcpy(w->peer_frame, out, out_len);
	w->peer_frame_len = out_len;
	free(out);
	if (initiator)
		rc = crypto_kx_server_session_keys(rx_key, tx_key, w->peer_hs.eph_pk, sk,
						   hello + 8);
	else
		rc = crypto_kx_client_session_keys(rx_key, tx_key, w->peer_hs.eph_pk, sk,
						   hello + 8);
	if (rc != 0)
		abort();
	p2p_frame_tx_init(&w->tx, tx_key, sizeof(((struct stream *)0)->buf));
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(rx_key, sizeof(rx_key));
	sodium_memzero(tx_key, sizeof(tx_key));
}

/* After success: the peer takes our frame, and the rest of the stream is
 * the session's. */
static void after_done(struct world *w, const struct stream *s, size_t pos)
{
	struct p2p_frame_rx rx;
	struct p2p_frame_tx tx;
	struct p2p_hs_peer peer;
	size_t used;
	uint8_t *out;
	size_t out_len;

	if (memcmp(w->hs.peer.node_key, w->peer_key.pubkey, PUBKEY_SIZE) != 0 ||
	    memcmp(w->hs.transcript, w->peer_hs.transcript, HASH_SIZE) != 0 || w->own_frame == NULL)
		abort();
	for (const char *c = w->hs.peer.user_agent; *c != '\0'; c++) {
		if (*c < 0x20 || *c >= 0x7f)
			abort();
	}
	if (p2p_handshake_feed(&w->peer_hs, w->own_frame, w->own_frame_len, &used, &out,
			       &out_len) != P2P_HS_DONE ||
	    used != w->own_frame_len ||
	    memcmp(w->peer_hs.peer.node_key, w->self_key.pubkey, PUBKEY_SIZE) != 0)
		abort();
	free(out);
	p2p_handshake_finish(&w->hs, 4096, &rx, &tx, &peer);
	while (pos < s->len) {
		uint8_t *plain;
		size_t plain_len;
		enum p2p_frame_status st;
		ProtobufCMessage *msg;

		st = p2p_frame_open(&rx, s->buf + pos, s->len - pos, &used, &plain, &plain_len);
		if (used > s->len - pos || (st == P2P_FRAME_OK && plain_len > 4096))
			abort();
		pos += used;
		if (st == P2P_FRAME_OK && codec_decode(&hearth__p2_pmessage__descriptor, plain,
						       plain_len, 4096, &msg, NULL) == CODEC_OK)
			codec_free(msg);
		free(plain);
		if (st != P2P_FRAME_OK)
			break;
	}
	p2p_frame_rx_wipe(&rx);
	p2p_frame_tx_wipe(&tx);
}

/* Feeds the stream in chunks; returns where the handshake stopped. */
static enum p2p_hs_status feed(struct world *w, const struct stream *s, struct input *in,
			       size_t *pos)
{
	enum p2p_hs_status st = P2P_HS_CONTINUE;
	size_t k = 0;

	*pos = 0;
	while (*pos < s->len) {
		size_t chunk = in->size ? (size_t)in->data[k++ % in->size] % 64 + 1 : 1, used;
		uint8_t *out;
		size_t out_len;

		if (chunk > s->len - *pos)
			chunk = s->len - *pos;
		st = p2p_handshake_feed(&w->hs, s->buf + *pos, chunk, &used, &out, &out_len);
		if (used > chunk || (out != NULL && w->own_frame != NULL))
			abort();
		if (out != NULL) {
			w->own_frame = out;
			w->own_frame_len = out_len;
		}
		*pos += used;
		if (st != P2P_HS_CONTINUE)
			break;
		if (used != chunk)
			abort();
	}
	return st;
}

static void check(struct world *w, struct stream *s, struct input *in)
{
	size_t pos, used, out_len;
	uint8_t *out;
	enum p2p_hs_status st = feed(w, s, in, &pos);

	switch (st) {
	case P2P_HS_CONTINUE:
		break;
	case P2P_HS_DONE:
		after_done(w, s, pos);
		break;
	case P2P_HS_FAILED:
		if (w->hs.error == P2P_HS_OK || w->hs.why[0] == '\0' ||
		    p2p_handshake_feed(&w->hs, s->buf, s->len, &used, &out, &out_len) !=
			    P2P_HS_FAILED ||
		    used != 0 || out != NULL)
			abort();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world *w;
	static struct stream *s;
	struct input in = { data, size, 0 };
	bool initiator;

	if (w == NULL) {
		uint8_t secret[SECKEY_SIZE];

		w = calloc(1, sizeof(*w));
		s = malloc(sizeof(*s));
		if (w == NULL || s == NULL || hearth_crypto_init() != 0)
			abort();
		memset(secret, 0x42, sizeof(secret));
		if (signer_from_secret(&w->self_key, secret) != 0)
			abort();
		memset(secret, 0x43, sizeof(secret));
		if (signer_from_secret(&w->peer_key, secret) != 0)
			abort();
		w->self.chain_id = w->peer.chain_id = CHAIN;
		memset(w->self.genesis_hash, 0x11, HASH_SIZE);
		memset(w->peer.genesis_hash, 0x11, HASH_SIZE);
		w->self.node_key = &w->self_key;
		w->peer.node_key = &w->peer_key;
		w->peer.user_agent = "fuzz-peer/1";
	}
	if (size < 1)
		return 0;
	initiator = take(&in) & 1;
	world_start(w, initiator);
	s->len = 0;
	put(s, w->peer_hs.hello_own, P2P_HELLO_SIZE);
	for (int i = 0; i < MAX_FRAMES && in.pos < in.size; i++)
		op_frame(w, s, &in);
	check(w, s, &in);
	free(w->own_frame);
	w->own_frame = NULL;
	p2p_handshake_wipe(&w->hs);
	p2p_handshake_wipe(&w->peer_hs);
	p2p_frame_tx_wipe(&w->tx);
	return 0;
}
