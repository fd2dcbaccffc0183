/* fuzz_p2p.c: libFuzzer target for the P2P handshake and frames
 * (node/p2p_handshake.c, node/p2p_frame.c). The first byte picks a mode:
 *   0: bytes from the network into a responder's handshake, in chunks;
 *   1: bytes from the network into a frame receiver, in chunks;
 *   2: plaintexts sealed, optionally one byte flipped, and the stream fed
 *      back in chunks: every frame must come back intact, or, when a byte
 *      was flipped, the stream must fail and never yield a changed frame.
 * Chunk sizes come from the input too, so every split is explored. */
#include "node/p2p_frame.h"
#include "node/p2p_handshake.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Chunk size for the next feed: 1..64 from the input's rolling byte. */
static size_t next_chunk(const uint8_t *data, size_t size, size_t *k)
{
	size_t c = size > 0 ? (size_t)data[(*k)++ % size] % 64 + 1 : 1;

	return c;
}

static void fuzz_handshake(const uint8_t *data, size_t size)
{
	struct signer key;
	struct p2p_hs_params params;
	struct p2p_handshake hs;
	uint8_t hello[P2P_HELLO_SIZE];
	uint8_t seckey[SECKEY_SIZE];
	size_t pos = 0, k = 0;

	memset(seckey, 0x42, sizeof(seckey));
	if (signer_from_secret(&key, seckey) != 0)
		abort();
	memset(&params, 0, sizeof(params));
	params.chain_id = "hearth-fuzz";
	params.node_key = &key;
	if (p2p_handshake_init(&hs, &params, P2P_HS_RESPONDER, hello) != 0)
		abort();
	while (pos < size) {
		size_t chunk = next_chunk(data, size, &k);
		size_t used;
		uint8_t *out;
		size_t out_len;
		enum p2p_hs_status st;

		if (chunk > size - pos)
			chunk = size - pos;
		st = p2p_handshake_feed(&hs, data + pos, chunk, &used, &out, &out_len);
		free(out);
		if (used > chunk)
			abort();
		if (st != P2P_HS_CONTINUE)
			break;
		pos += chunk;
	}
	p2p_handshake_wipe(&hs);
	signer_wipe(&key);
}

static void fuzz_frames(const uint8_t *data, size_t size)
{
	static const uint8_t key[P2P_FRAME_KEY_SIZE] = { 7 };
	struct p2p_frame_rx rx;
	size_t pos = 0, k = 0;

	p2p_frame_rx_init(&rx, key, 4096);
	while (pos < size) {
		size_t chunk = next_chunk(data, size, &k);
		size_t used;
		uint8_t *plain;
		size_t plain_len;
		enum p2p_frame_status st;

		if (chunk > size - pos)
			chunk = size - pos;
		st = p2p_frame_open(&rx, data + pos, chunk, &used, &plain, &plain_len);
		if (used > chunk || (st == P2P_FRAME_OK && plain_len > 4096))
			abort();
		free(plain);
		if (st != P2P_FRAME_OK && st != P2P_FRAME_NEED_MORE)
			break;
		pos += used;
	}
	p2p_frame_rx_wipe(&rx);
}

/* Input: flip (u16: 0 none, else position+1), then plaintexts, each a
 * length byte and that many bytes. */
static void fuzz_round_trip(const uint8_t *data, size_t size)
{
	static const uint8_t key[P2P_FRAME_KEY_SIZE] = { 9 };
	struct p2p_frame_tx tx;
	struct p2p_frame_rx rx;
	uint8_t *stream = NULL;
	size_t stream_len = 0, pos, k = 0, flip, got = 0, count = 0;
	const uint8_t *texts[256];
	size_t lens[256];
	bool failed = false;

	if (size < 2)
		return;
	flip = (size_t)data[0] << 8 | data[1];
	pos = 2;
	p2p_frame_tx_init(&tx, key, 255);
	p2p_frame_rx_init(&rx, key, 255);
	while (pos < size && count < 256) {
		size_t len = data[pos++];
		uint8_t *frame, *grown;
		size_t frame_len;

		if (len > size - pos)
			len = size - pos;
		if (p2p_frame_seal(&tx, data + pos, len, &frame, &frame_len) != P2P_FRAME_OK)
			abort();
		grown = realloc(stream, stream_len + frame_len);
		if (grown == NULL)
			abort();
		stream = grown;
		memcpy(stream + stream_len, frame, frame_len);
		stream_len += frame_len;
		free(frame);
		texts[count] = data + pos;
		lens[count++] = len;
		pos += len;
	}
	if (flip != 0 && flip - 1 < stream_len)
		stream[flip - 1] ^= 0x20;
	else
		flip = 0;
	pos = 0;
	while (pos < stream_len && !failed) {
		size_t chunk = next_chunk(data, size, &k);
		size_t used;
		uint8_t *plain;
		size_t plain_len;
		enum p2p_frame_status st;

		if (chunk > stream_len - pos)
			chunk = stream_len - pos;
		st = p2p_frame_open(&rx, stream + pos, chunk, &used, &plain, &plain_len);
		if (st == P2P_FRAME_OK) {
			if (got >= count || plain_len != lens[got] ||
			    memcmp(plain, texts[got], plain_len) != 0)
				abort();
			got++;
		} else if (st != P2P_FRAME_NEED_MORE) {
			failed = true;
		}
		free(plain);
		pos += used;
	}
	/* Intact: all frames back. Flipped: the stream failed or stalled. */
	if (flip == 0 && (failed || got != count))
		abort();
	if (flip != 0 && got == count && !failed && !p2p_frame_rx_partial(&rx))
		abort();
	free(stream);
	p2p_frame_tx_wipe(&tx);
	p2p_frame_rx_wipe(&rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		if (hearth_crypto_init() != 0)
			abort();
		ready = true;
	}
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_handshake(data + 1, size - 1);
		break;
	case 1:
		fuzz_frames(data + 1, size - 1);
		break;
	default:
		fuzz_round_trip(data + 1, size - 1);
		break;
	}
	return 0;
}
