/* p2p_frame.c: sealing and opening the length-prefixed XChaCha20-Poly1305
 * frames of p2p_frame.h. The receiver is an incremental parser with at most
 * one frame body allocated at a time, sized from a length that has already
 * been checked against the cap. */
#include "node/p2p_frame.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(P2P_FRAME_TAG_SIZE == crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "frame tag size is the AEAD's");
_Static_assert(P2P_FRAME_KEY_SIZE == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	       "frame key size is the AEAD's");

const char *p2p_frame_strerror(enum p2p_frame_status status)
{
	switch (status) {
	case P2P_FRAME_OK:
		return "ok";
	case P2P_FRAME_NEED_MORE:
		return "incomplete frame";
	case P2P_FRAME_TOO_LARGE:
		return "frame length above the cap";
	case P2P_FRAME_TOO_SHORT:
		return "frame length below the tag size";
	case P2P_FRAME_BAD_AUTH:
		return "frame failed authentication (tampered, replayed or reordered)";
	case P2P_FRAME_EXHAUSTED:
		return "frame counter exhausted";
	case P2P_FRAME_NO_MEMORY:
		return "out of memory";
	}
	return "unknown frame error";
}

static size_t clamp_max(size_t max_plain)
{
	return max_plain > P2P_FRAME_LIMIT ? P2P_FRAME_LIMIT : max_plain;
}

/* The nonce of frame number counter: 8 bytes little-endian, 16 zero bytes. */
static void frame_nonce(uint64_t counter,
			uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES])
{
	memset(nonce, 0, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	for (int i = 0; i < 8; i++)
		nonce[i] = (uint8_t)(counter >> (8 * i));
}

void p2p_frame_tx_init(struct p2p_frame_tx *tx, const uint8_t key[P2P_FRAME_KEY_SIZE],
		       size_t max_plain)
{
	memcpy(tx->key, key, P2P_FRAME_KEY_SIZE);
	tx->counter = 0;
	tx->max_plain = clamp_max(max_plain);
}

void p2p_frame_rx_init(struct p2p_frame_rx *rx, const uint8_t key[P2P_FRAME_KEY_SIZE],
		       size_t max_plain)
{
	memset(rx, 0, sizeof(*rx));
	memcpy(rx->key, key, P2P_FRAME_KEY_SIZE);
	rx->max_plain = clamp_max(max_plain);
	rx->failed = P2P_FRAME_OK;
}

void p2p_frame_rx_set_max(struct p2p_frame_rx *rx, size_t max_plain)
{
	rx->max_plain = clamp_max(max_plain);
}

enum p2p_frame_status p2p_frame_seal(struct p2p_frame_tx *tx, const uint8_t *plain, size_t len,
				     uint8_t **out, size_t *out_len)
{
	uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned long long clen;
	uint32_t body_len;
	uint8_t *buf;

	*out = NULL;
	*out_len = 0;
	if (len > tx->max_plain)
		return P2P_FRAME_TOO_LARGE;
	if (tx->counter == UINT64_MAX)
		return P2P_FRAME_EXHAUSTED;
	buf = malloc(len + P2P_FRAME_OVERHEAD);
	if (buf == NULL)
		return P2P_FRAME_NO_MEMORY;
	body_len = (uint32_t)(len + P2P_FRAME_TAG_SIZE);
	buf[0] = (uint8_t)(body_len >> 24);
	buf[1] = (uint8_t)(body_len >> 16);
	buf[2] = (uint8_t)(body_len >> 8);
	buf[3] = (uint8_t)body_len;
	frame_nonce(tx->counter, nonce);
	crypto_aead_xchacha20poly1305_ietf_encrypt(buf + P2P_FRAME_HEADER_SIZE, &clen, plain, len,
						   buf, P2P_FRAME_HEADER_SIZE, NULL, nonce,
						   tx->key);
	tx->counter++;
	*out = buf;
	*out_len = len + P2P_FRAME_OVERHEAD;
	return P2P_FRAME_OK;
}

static enum p2p_frame_status rx_fail(struct p2p_frame_rx *rx, enum p2p_frame_status st)
{
	rx->failed = st;
	free(rx->body);
	rx->body = NULL;
	return st;
}

/* The header is complete: check the length, then allocate the body. */
static enum p2p_frame_status rx_start_body(struct p2p_frame_rx *rx)
{
	uint32_t body_len = (uint32_t)rx->header[0] << 24 | (uint32_t)rx->header[1] << 16 |
			    (uint32_t)rx->header[2] << 8 | (uint32_t)rx->header[3];

	if (body_len < P2P_FRAME_TAG_SIZE)
		return rx_fail(rx, P2P_FRAME_TOO_SHORT);
	if (body_len - P2P_FRAME_TAG_SIZE > rx->max_plain)
		return rx_fail(rx, P2P_FRAME_TOO_LARGE);
	rx->body = malloc(body_len);
	if (rx->body == NULL)
		return rx_fail(rx, P2P_FRAME_NO_MEMORY);
	rx->body_len = body_len;
	rx->body_have = 0;
	return P2P_FRAME_OK;
}

/* The body is complete: authenticate and decrypt it in place. */
static enum p2p_frame_status rx_finish_body(struct p2p_frame_rx *rx, uint8_t **plain,
					    size_t *plain_len)
{
	uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned long long mlen;

	if (rx->counter == UINT64_MAX)
		return rx_fail(rx, P2P_FRAME_EXHAUSTED);
	frame_nonce(rx->counter, nonce);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(rx->body, &mlen, NULL, rx->body,
						       rx->body_len, rx->header,
						       P2P_FRAME_HEADER_SIZE, nonce, rx->key) != 0)
		return rx_fail(rx, P2P_FRAME_BAD_AUTH);
	rx->counter++;
	*plain = rx->body;
	*plain_len = (size_t)mlen;
	rx->body = NULL;
	rx->body_len = 0;
	rx->body_have = 0;
	rx->header_have = 0;
	return P2P_FRAME_OK;
}

enum p2p_frame_status p2p_frame_open(struct p2p_frame_rx *rx, const uint8_t *data, size_t len,
				     size_t *used, uint8_t **plain, size_t *plain_len)
{
	size_t pos = 0;
	size_t take;
	enum p2p_frame_status st;

	*plain = NULL;
	*plain_len = 0;
	*used = 0;
	if (rx->failed != P2P_FRAME_OK)
		return rx->failed;
	if (len == 0)
		return P2P_FRAME_NEED_MORE;
	if (rx->header_have < P2P_FRAME_HEADER_SIZE) {
		take = P2P_FRAME_HEADER_SIZE - rx->header_have;
		if (take > len)
			take = len;
		memcpy(rx->header + rx->header_have, data, take);
		rx->header_have += take;
		pos += take;
		if (rx->header_have < P2P_FRAME_HEADER_SIZE) {
			*used = pos;
			return P2P_FRAME_NEED_MORE;
		}
		st = rx_start_body(rx);
		if (st != P2P_FRAME_OK) {
			*used = pos;
			return st;
		}
	}
	take = rx->body_len - rx->body_have;
	if (take > len - pos)
		take = len - pos;
	memcpy(rx->body + rx->body_have, data + pos, take);
	rx->body_have += take;
	pos += take;
	*used = pos;
	if (rx->body_have < rx->body_len)
		return P2P_FRAME_NEED_MORE;
	return rx_finish_body(rx, plain, plain_len);
}

bool p2p_frame_rx_partial(const struct p2p_frame_rx *rx)
{
	return rx->header_have > 0;
}

void p2p_frame_tx_wipe(struct p2p_frame_tx *tx)
{
	sodium_memzero(tx, sizeof(*tx));
}

void p2p_frame_rx_wipe(struct p2p_frame_rx *rx)
{
	free(rx->body);
	sodium_memzero(rx, sizeof(*rx));
}
