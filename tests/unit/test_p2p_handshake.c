/* test_p2p_handshake.c: unit tests of the handshake state machine
 * (node/p2p_handshake.c) with two in-memory endpoints: success with any split
 * of the bytes, and a clean failure with the right reason for a wrong chain
 * id or genesis, a bad or replayed or reflected signature, a tampered
 * transcript, and truncated, oversized or garbage input. */
#include "node/p2p_handshake.h"

#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"
#include "tests/unit/test_util.h"

struct side {
	struct signer key;
	struct p2p_hs_params params;
	struct p2p_handshake hs;
	uint8_t hello[P2P_HELLO_SIZE];
};

static void side_init(struct side *s, const char *chain_id, uint8_t genesis_byte,
		      enum p2p_hs_role role)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(signer_generate(&s->key), 0);
	s->params.chain_id = chain_id;
	memset(s->params.genesis_hash, genesis_byte, HASH_SIZE);
	s->params.node_key = &s->key;
	s->params.best_height = role == P2P_HS_INITIATOR ? 7 : 9;
	s->params.listen_port = role == P2P_HS_INITIATOR ? 0 : 19740;
	s->params.user_agent = "hearth-test/1";
	assert_int_equal(p2p_handshake_init(&s->hs, &s->params, role, s->hello), 0);
}

static void side_free(struct side *s)
{
	p2p_handshake_wipe(&s->hs);
	signer_wipe(&s->key);
}

/* Feeds all of data; asserts it was all used; returns status and output. */
static enum p2p_hs_status feed(struct side *s, const uint8_t *data, size_t len, uint8_t **out,
			       size_t *out_len)
{
	size_t used;
	enum p2p_hs_status st = p2p_handshake_feed(&s->hs, data, len, &used, out, out_len);

	if (st != P2P_HS_FAILED)
		assert_int_equal(used, len);
	return st;
}

/* Exchanges hellos; returns each side's auth frame. */
static void exchange_hellos(struct side *a, struct side *b, uint8_t **auth_a, size_t *len_a,
			    uint8_t **auth_b, size_t *len_b)
{
	assert_int_equal(feed(a, b->hello, P2P_HELLO_SIZE, auth_a, len_a), P2P_HS_CONTINUE);
	assert_int_equal(feed(b, a->hello, P2P_HELLO_SIZE, auth_b, len_b), P2P_HS_CONTINUE);
	assert_non_null(*auth_a);
	assert_non_null(*auth_b);
}

/* A signed Handshake body for s, over transcript in role; the caller may
 * change fields before sealing. */
struct auth_msg {
	Hearth__P2PMessage msg;
	Hearth__Handshake body;
	uint8_t key[PUBKEY_SIZE];
	uint8_t genesis[HASH_SIZE];
	uint8_t sig[SIG_SIZE];
};

static void auth_build(struct auth_msg *m, const struct side *s, const struct signer *signer,
		       enum p2p_hs_role role, const uint8_t transcript[HASH_SIZE])
{
	uint8_t digest[HASH_SIZE];

	hearth__p2_pmessage__init(&m->msg);
	hearth__handshake__init(&m->body);
	memcpy(m->key, s->key.pubkey, PUBKEY_SIZE);
	memcpy(m->genesis, s->params.genesis_hash, HASH_SIZE);
	p2p_handshake_auth_digest(role, transcript, digest);
	assert_int_equal(sig_sign(signer, digest, m->sig), 0);
	m->body.protocol_version = P2P_PROTOCOL_VERSION;
	m->body.chain_id = (char *)s->params.chain_id;
	m->body.genesis_hash.data = m->genesis;
	m->body.genesis_hash.len = HASH_SIZE;
	m->body.node_key.data = m->key;
	m->body.node_key.len = PUBKEY_SIZE;
	m->body.sig.data = m->sig;
	m->body.sig.len = SIG_SIZE;
	m->msg.msg_case = HEARTH__P2_PMESSAGE__MSG_HANDSHAKE;
	m->msg.handshake = &m->body;
}

/* Seals msg as s's first frame (as if s had sent it instead of its own). */
static uint8_t *auth_seal(struct side *s, const Hearth__P2PMessage *msg, size_t *len)
{
	uint8_t *plain, *frame;
	size_t plain_len;

	assert_int_equal(codec_encode(&msg->base, &plain, &plain_len), CODEC_OK);
	s->hs.tx.counter = 0;
	assert_int_equal(p2p_frame_seal(&s->hs.tx, plain, plain_len, &frame, len), P2P_FRAME_OK);
	free(plain);
	return frame;
}

/* Feeds b's crafted auth to a and expects failure with error. */
static void expect_auth_rejected(struct side *a, const uint8_t *frame, size_t len,
				 enum p2p_hs_error error)
{
	uint8_t *out;
	size_t out_len;

	assert_int_equal(feed(a, frame, len, &out, &out_len), P2P_HS_FAILED);
	assert_null(out);
	assert_int_equal(a->hs.error, error);
	assert_true(strlen(a->hs.why) > 0);
	/* Stays failed. */
	assert_int_equal(feed(a, frame, len, &out, &out_len), P2P_HS_FAILED);
}

static void test_handshake_two_endpoints_complete(void **state UNUSED)
{
	struct side a, b;
	uint8_t *auth_a, *auth_b, *out, *frame, *plain;
	size_t len_a, len_b, out_len, frame_len, plain_len, used;
	struct p2p_frame_rx rx_a, rx_b;
	struct p2p_frame_tx tx_a, tx_b;
	struct p2p_hs_peer peer_a, peer_b;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	assert_true(len_a <= P2P_HANDSHAKE_FRAME_MAX + P2P_FRAME_OVERHEAD);
	assert_int_equal(feed(&a, auth_b, len_b, &out, &out_len), P2P_HS_DONE);
	assert_null(out);
	assert_int_equal(feed(&b, auth_a, len_a, &out, &out_len), P2P_HS_DONE);
	assert_memory_equal(a.hs.transcript, b.hs.transcript, HASH_SIZE);

	p2p_handshake_finish(&a.hs, 4096, &rx_a, &tx_a, &peer_a);
	p2p_handshake_finish(&b.hs, 4096, &rx_b, &tx_b, &peer_b);
	assert_memory_equal(peer_a.node_key, b.key.pubkey, PUBKEY_SIZE);
	assert_memory_equal(peer_b.node_key, a.key.pubkey, PUBKEY_SIZE);
	assert_int_equal(peer_a.best_height, 9);
	assert_int_equal(peer_a.listen_port, 19740);
	assert_int_equal(peer_b.best_height, 7);
	assert_string_equal(peer_b.user_agent, "hearth-test/1");

	/* The session keys work in both directions, continuing the counters. */
	assert_int_equal(p2p_frame_seal(&tx_a, (const uint8_t *)"ab", 2, &frame, &frame_len),
			 P2P_FRAME_OK);
	assert_int_equal(p2p_frame_open(&rx_b, frame, frame_len, &used, &plain, &plain_len),
			 P2P_FRAME_OK);
	assert_memory_equal(plain, "ab", 2);
	free(plain);
	free(frame);
	assert_int_equal(p2p_frame_seal(&tx_b, (const uint8_t *)"ba", 2, &frame, &frame_len),
			 P2P_FRAME_OK);
	assert_int_equal(p2p_frame_open(&rx_a, frame, frame_len, &used, &plain, &plain_len),
			 P2P_FRAME_OK);
	assert_memory_equal(plain, "ba", 2);
	free(plain);
	free(frame);

	free(auth_a);
	free(auth_b);
	p2p_frame_rx_wipe(&rx_a);
	p2p_frame_rx_wipe(&rx_b);
	p2p_frame_tx_wipe(&tx_a);
	p2p_frame_tx_wipe(&tx_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_byte_by_byte_and_coalesced(void **state UNUSED)
{
	struct side a, b;
	uint8_t *out, *stream, *extra, *plain;
	size_t out_len, used, stream_len, extra_len, plain_len;
	uint8_t *auth_b = NULL;
	size_t len_b = 0;
	struct p2p_frame_rx rx;
	struct p2p_frame_tx tx;
	struct p2p_hs_peer peer;
	enum p2p_hs_status st = P2P_HS_CONTINUE;
	uint8_t *auth_a = NULL;
	size_t len_a = 0;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	/* b gets a's hello one byte at a time. */
	for (size_t i = 0; i < P2P_HELLO_SIZE; i++) {
		assert_int_equal(p2p_handshake_feed(&b.hs, a.hello + i, 1, &used, &out, &out_len),
				 P2P_HS_CONTINUE);
		assert_int_equal(used, 1);
		if (i < P2P_HELLO_SIZE - 1) {
			assert_null(out);
		} else {
			auth_b = out;
			len_b = out_len;
		}
	}
	assert_non_null(auth_b);
	/* b also sends its first session frame right behind the handshake: a
	 * gets hello, auth and that frame in one read. */
	p2p_frame_tx_init(&tx, b.hs.tx.key, 4096);
	tx.counter = b.hs.tx.counter;
	assert_int_equal(p2p_frame_seal(&tx, (const uint8_t *)"after", 5, &extra, &extra_len),
			 P2P_FRAME_OK);
	p2p_frame_tx_wipe(&tx);
	stream_len = P2P_HELLO_SIZE + len_b + extra_len;
	stream = malloc(stream_len);
	assert_non_null(stream);
	memcpy(stream, b.hello, P2P_HELLO_SIZE);
	memcpy(stream + P2P_HELLO_SIZE, auth_b, len_b);
	memcpy(stream + P2P_HELLO_SIZE + len_b, extra, extra_len);
	st = p2p_handshake_feed(&a.hs, stream, stream_len, &used, &auth_a, &len_a);
	assert_int_equal(st, P2P_HS_DONE);
	assert_int_equal(used, P2P_HELLO_SIZE + len_b);
	assert_non_null(auth_a);
	p2p_handshake_finish(&a.hs, 4096, &rx, &tx, &peer);
	assert_int_equal(
		p2p_frame_open(&rx, stream + used, stream_len - used, &used, &plain, &plain_len),
		P2P_FRAME_OK);
	assert_memory_equal(plain, "after", 5);
	free(plain);
	/* And b completes on a's auth fed byte by byte. */
	for (size_t i = 0; i < len_a; i++) {
		st = p2p_handshake_feed(&b.hs, auth_a + i, 1, &used, &out, &out_len);
		assert_null(out);
		assert_int_equal(st, i + 1 < len_a ? P2P_HS_CONTINUE : P2P_HS_DONE);
	}
	free(stream);
	free(extra);
	free(auth_a);
	free(auth_b);
	p2p_frame_rx_wipe(&rx);
	p2p_frame_tx_wipe(&tx);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_wrong_chain_id_fails(void **state UNUSED)
{
	struct side a, b;
	uint8_t *auth_a, *auth_b;
	size_t len_a, len_b;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-test", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	expect_auth_rejected(&a, auth_b, len_b, P2P_HS_WRONG_CHAIN);
	assert_non_null(strstr(a.hs.why, "hearth-test"));
	expect_auth_rejected(&b, auth_a, len_a, P2P_HS_WRONG_CHAIN);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_wrong_genesis_fails(void **state UNUSED)
{
	struct side a, b;
	uint8_t *auth_a, *auth_b;
	size_t len_a, len_b;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x12, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	expect_auth_rejected(&a, auth_b, len_b, P2P_HS_WRONG_GENESIS);
	expect_auth_rejected(&b, auth_a, len_a, P2P_HS_WRONG_GENESIS);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_signature_by_another_key_fails(void **state UNUSED)
{
	struct side a, b;
	struct signer other;
	struct auth_msg m;
	uint8_t *auth_a, *auth_b, *frame;
	size_t len_a, len_b, frame_len;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	/* b claims its own key but the signature is another key's. */
	assert_int_equal(signer_generate(&other), 0);
	auth_build(&m, &b, &other, P2P_HS_RESPONDER, b.hs.transcript);
	frame = auth_seal(&b, &m.msg, &frame_len);
	expect_auth_rejected(&a, frame, frame_len, P2P_HS_BAD_SIGNATURE);
	free(frame);
	signer_wipe(&other);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_tampered_transcript_fails(void **state UNUSED)
{
	struct side a, b;
	struct auth_msg m;
	uint8_t transcript[HASH_SIZE];
	uint8_t *auth_a, *auth_b, *frame;
	size_t len_a, len_b, frame_len;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	memcpy(transcript, b.hs.transcript, HASH_SIZE);
	transcript[HASH_SIZE - 1] ^= 0x01;
	auth_build(&m, &b, &b.key, P2P_HS_RESPONDER, transcript);
	frame = auth_seal(&b, &m.msg, &frame_len);
	expect_auth_rejected(&a, frame, frame_len, P2P_HS_BAD_SIGNATURE);
	free(frame);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_reflected_role_fails(void **state UNUSED)
{
	struct side a, b;
	struct auth_msg m;
	uint8_t *auth_a, *auth_b, *frame;
	size_t len_a, len_b, frame_len;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	/* The responder signs the right transcript in the initiator's role. */
	auth_build(&m, &b, &b.key, P2P_HS_INITIATOR, b.hs.transcript);
	frame = auth_seal(&b, &m.msg, &frame_len);
	expect_auth_rejected(&a, frame, frame_len, P2P_HS_BAD_SIGNATURE);
	free(frame);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_replayed_auth_fails(void **state UNUSED)
{
	struct side a1, b1, a2, b2;
	struct auth_msg m;
	uint8_t *auth_a1, *auth_b1, *auth_a2, *auth_b2, *frame, *out;
	size_t len_a1, len_b1, len_a2, len_b2, frame_len, out_len;
	uint8_t old_sig[SIG_SIZE];

	/* Session 1 completes; an observer keeps b's auth frame, and a relay
	 * that was b's peer also learns b's signature. */
	side_init(&a1, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b1, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a1, &b1, &auth_a1, &len_a1, &auth_b1, &len_b1);
	assert_int_equal(feed(&a1, auth_b1, len_b1, &out, &out_len), P2P_HS_DONE);
	auth_build(&m, &b1, &b1.key, P2P_HS_RESPONDER, b1.hs.transcript);
	memcpy(old_sig, m.sig, SIG_SIZE);

	/* Session 2, with b's key reused by b2. */
	side_init(&a2, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b2, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a2, &b2, &auth_a2, &len_a2, &auth_b2, &len_b2);
	/* The old frame as is: wrong session keys. */
	expect_auth_rejected(&a2, auth_b1, len_b1, P2P_HS_BAD_FRAME);

	/* The old signature re-sealed under the new keys: wrong transcript. */
	side_free(&a2);
	side_free(&b2);
	free(auth_a2);
	free(auth_b2);
	side_init(&a2, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b2, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a2, &b2, &auth_a2, &len_a2, &auth_b2, &len_b2);
	auth_build(&m, &b1, &b1.key, P2P_HS_RESPONDER, b2.hs.transcript);
	memcpy(m.sig, old_sig, SIG_SIZE);
	frame = auth_seal(&b2, &m.msg, &frame_len);
	expect_auth_rejected(&a2, frame, frame_len, P2P_HS_BAD_SIGNATURE);

	free(frame);
	free(auth_a1);
	free(auth_b1);
	free(auth_a2);
	free(auth_b2);
	side_free(&a1);
	side_free(&b1);
	side_free(&a2);
	side_free(&b2);
}

static void test_handshake_invalid_node_key_fails(void **state UNUSED)
{
	struct side a, b;
	struct auth_msg m;
	uint8_t *auth_a, *auth_b, *frame;
	size_t len_a, len_b, frame_len;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	auth_build(&m, &b, &b.key, P2P_HS_RESPONDER, b.hs.transcript);
	memset(m.key, 0xff, PUBKEY_SIZE); /* above the field size: not a key */
	frame = auth_seal(&b, &m.msg, &frame_len);
	expect_auth_rejected(&a, frame, frame_len, P2P_HS_BAD_NODE_KEY);
	free(frame);

	/* A short key. */
	side_free(&a);
	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_free(&b);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	free(auth_a);
	free(auth_b);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	auth_build(&m, &b, &b.key, P2P_HS_RESPONDER, b.hs.transcript);
	m.body.node_key.len = 31;
	frame = auth_seal(&b, &m.msg, &frame_len);
	expect_auth_rejected(&a, frame, frame_len, P2P_HS_BAD_NODE_KEY);
	free(frame);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_other_message_and_undecodable_fail(void **state UNUSED)
{
	struct side a, b;
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Ping ping = HEARTH__PING__INIT;
	uint8_t *auth_a, *auth_b, *frame;
	size_t len_a, len_b, frame_len;
	uint8_t junk[3] = { 0xff, 0xff, 0xff };

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_PING;
	msg.ping = &ping;
	frame = auth_seal(&b, &msg, &frame_len);
	expect_auth_rejected(&a, frame, frame_len, P2P_HS_UNEXPECTED);
	free(frame);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	b.hs.tx.counter = 0;
	assert_int_equal(p2p_frame_seal(&b.hs.tx, junk, sizeof(junk), &frame, &frame_len),
			 P2P_FRAME_OK);
	expect_auth_rejected(&a, frame, frame_len, P2P_HS_UNDECODABLE);
	free(frame);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_with_self_fails(void **state UNUSED)
{
	struct side a, b;
	struct auth_msg m;
	uint8_t *auth_a, *auth_b, *frame;
	size_t len_a, len_b, frame_len;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	/* The responder is the same node as the initiator. */
	auth_build(&m, &a, &a.key, P2P_HS_RESPONDER, b.hs.transcript);
	frame = auth_seal(&b, &m.msg, &frame_len);
	expect_auth_rejected(&a, frame, frame_len, P2P_HS_SELF);
	free(frame);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_garbage_hello_fails_at_once(void **state UNUSED)
{
	struct side a;
	const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	uint8_t *out;
	size_t used, out_len;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	/* Rejected after the fourth byte, not after 40. */
	assert_int_equal(p2p_handshake_feed(&a.hs, (const uint8_t *)http, 1, &used, &out, &out_len),
			 P2P_HS_FAILED);
	assert_int_equal(a.hs.error, P2P_HS_BAD_MAGIC);
	side_free(&a);

	side_init(&a, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	assert_int_equal(
		p2p_handshake_feed(&a.hs, (const uint8_t *)"HRT", 3, &used, &out, &out_len),
		P2P_HS_CONTINUE);
	assert_int_equal(p2p_handshake_feed(&a.hs, (const uint8_t *)"X", 1, &used, &out, &out_len),
			 P2P_HS_FAILED);
	assert_int_equal(a.hs.error, P2P_HS_BAD_MAGIC);
	side_free(&a);
}

static void test_handshake_wrong_version_and_bad_key_exchange_fail(void **state UNUSED)
{
	struct side a, b;
	uint8_t hello[P2P_HELLO_SIZE];
	uint8_t *out;
	size_t out_len;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	memcpy(hello, b.hello, sizeof(hello));
	hello[7] = P2P_PROTOCOL_VERSION + 1;
	assert_int_equal(feed(&a, hello, sizeof(hello), &out, &out_len), P2P_HS_FAILED);
	assert_int_equal(a.hs.error, P2P_HS_BAD_VERSION);
	assert_null(out);
	side_free(&a);

	/* An all-zero X25519 key gives an all-zero shared secret: refused. */
	side_init(&a, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	memset(hello + 8, 0, 32);
	hello[7] = P2P_PROTOCOL_VERSION;
	assert_int_equal(feed(&a, hello, sizeof(hello), &out, &out_len), P2P_HS_FAILED);
	assert_int_equal(a.hs.error, P2P_HS_BAD_KEY_EXCHANGE);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_truncated_input_never_completes(void **state UNUSED)
{
	struct side a, b;
	uint8_t *auth_a, *auth_b, *out;
	size_t len_a, len_b, out_len;

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	assert_int_equal(feed(&a, auth_b, len_b - 1, &out, &out_len), P2P_HS_CONTINUE);
	assert_int_equal(a.hs.state, P2P_HS_STATE_AUTH);
	assert_true(p2p_frame_rx_partial(&a.hs.rx));
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

static void test_handshake_oversized_or_garbage_frame_fails(void **state UNUSED)
{
	struct side a, b;
	uint8_t *auth_a, *auth_b, *out;
	size_t len_a, len_b, out_len;
	uint8_t header[4] = { 0, 0, 0x10, 0x00 }; /* 4096 bytes > handshake cap */
	uint8_t garbage[64];

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	assert_int_equal(feed(&a, header, sizeof(header), &out, &out_len), P2P_HS_FAILED);
	assert_int_equal(a.hs.error, P2P_HS_OVERSIZE);
	assert_null(a.hs.rx.body);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);

	side_init(&a, "hearth-dev", 0x11, P2P_HS_INITIATOR);
	side_init(&b, "hearth-dev", 0x11, P2P_HS_RESPONDER);
	exchange_hellos(&a, &b, &auth_a, &len_a, &auth_b, &len_b);
	randombytes_buf(garbage, sizeof(garbage));
	garbage[0] = 0;
	garbage[1] = 0;
	garbage[2] = 0;
	garbage[3] = sizeof(garbage) - 4;
	expect_auth_rejected(&a, garbage, sizeof(garbage), P2P_HS_BAD_FRAME);
	free(auth_a);
	free(auth_b);
	side_free(&a);
	side_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_two_endpoints_complete),
		cmocka_unit_test(test_handshake_byte_by_byte_and_coalesced),
		cmocka_unit_test(test_handshake_wrong_chain_id_fails),
		cmocka_unit_test(test_handshake_wrong_genesis_fails),
		cmocka_unit_test(test_handshake_signature_by_another_key_fails),
		cmocka_unit_test(test_handshake_tampered_transcript_fails),
		cmocka_unit_test(test_handshake_reflected_role_fails),
		cmocka_unit_test(test_handshake_replayed_auth_fails),
		cmocka_unit_test(test_handshake_invalid_node_key_fails),
		cmocka_unit_test(test_handshake_other_message_and_undecodable_fail),
		cmocka_unit_test(test_handshake_with_self_fails),
		cmocka_unit_test(test_handshake_garbage_hello_fails_at_once),
		cmocka_unit_test(test_handshake_wrong_version_and_bad_key_exchange_fail),
		cmocka_unit_test(test_handshake_truncated_input_never_completes),
		cmocka_unit_test(test_handshake_oversized_or_garbage_frame_fails),
	};

	if (hearth_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
