/* p2p_frame.h: the encrypted frames every P2P message travels in after the
 * handshake. A frame is
 *
 *     length (4 bytes, big-endian) || XChaCha20-Poly1305(plaintext)
 *
 * where length counts the ciphertext including its 16-byte tag, the length
 * bytes are the AEAD's additional data, and the nonce is a per-direction
 * counter (8 bytes little-endian, then 16 zero bytes) that starts at 0 and is
 * never sent. A replayed, reordered, dropped or altered frame therefore fails
 * authentication. The length is checked against the receiver's cap before
 * any memory is allocated for the body. No I/O and no clock: the caller feeds
 * bytes in and writes sealed frames out. */
#ifndef HEARTH_NODE_P2P_FRAME_H
#define HEARTH_NODE_P2P_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define P2P_FRAME_KEY_SIZE    32
#define P2P_FRAME_HEADER_SIZE 4
#define P2P_FRAME_TAG_SIZE    16
/* Overhead of one frame on the wire: header and tag. */
#define P2P_FRAME_OVERHEAD (P2P_FRAME_HEADER_SIZE + P2P_FRAME_TAG_SIZE)
/* Largest plaintext any frame may carry, whatever a caller asks for. */
#define P2P_FRAME_LIMIT (64u << 20)

enum p2p_frame_status {
	P2P_FRAME_OK = 0,
	P2P_FRAME_NEED_MORE, /* every byte was consumed; the frame is not complete */
	P2P_FRAME_TOO_LARGE, /* declared length above the cap */
	P2P_FRAME_TOO_SHORT, /* declared length below the tag size */
	P2P_FRAME_BAD_AUTH,  /* tampered, replayed, reordered or wrong key */
	P2P_FRAME_EXHAUSTED, /* the 64-bit counter ran out (never in practice) */
	P2P_FRAME_NO_MEMORY,
};

/* Sending direction. Holds a secret: wipe with p2p_frame_tx_wipe. */
struct p2p_frame_tx {
	uint8_t key[P2P_FRAME_KEY_SIZE];
	uint64_t counter;
	size_t max_plain;
};

/* Receiving direction. Holds a secret and a partial frame: wipe with
 * p2p_frame_rx_wipe. */
struct p2p_frame_rx {
	uint8_t key[P2P_FRAME_KEY_SIZE];
	uint64_t counter;
	size_t max_plain;
	uint8_t header[P2P_FRAME_HEADER_SIZE];
	size_t header_have;
	uint8_t *body; /* ciphertext being received, allocated once the length is checked */
	size_t body_len;
	size_t body_have;
	enum p2p_frame_status failed; /* P2P_FRAME_OK until the first error, then sticky */
};

/* In: key (32 bytes, copied); max_plain: the largest plaintext this side will
 * seal (clamped to P2P_FRAME_LIMIT). */
void p2p_frame_tx_init(struct p2p_frame_tx *tx, const uint8_t key[P2P_FRAME_KEY_SIZE],
		       size_t max_plain);

/* In: key (32 bytes, copied); max_plain: frames whose plaintext is longer are
 * rejected from their header (clamped to P2P_FRAME_LIMIT). */
void p2p_frame_rx_init(struct p2p_frame_rx *rx, const uint8_t key[P2P_FRAME_KEY_SIZE],
		       size_t max_plain);

/* Changes the cap of frames not yet started (the handshake uses a small cap,
 * then raises it). In: max_plain, clamped to P2P_FRAME_LIMIT. */
void p2p_frame_rx_set_max(struct p2p_frame_rx *rx, size_t max_plain);

/* Seals one frame.
 * In:  plain, len: the plaintext, len <= tx->max_plain.
 * Out: *out (caller frees with free()), *out_len = len + P2P_FRAME_OVERHEAD.
 * Returns P2P_FRAME_OK, P2P_FRAME_TOO_LARGE, P2P_FRAME_EXHAUSTED or
 * P2P_FRAME_NO_MEMORY (then *out is NULL). */
__attribute__((warn_unused_result)) enum p2p_frame_status p2p_frame_seal(struct p2p_frame_tx *tx,
									 const uint8_t *plain,
									 size_t len, uint8_t **out,
									 size_t *out_len);

/* Consumes bytes of the stream until one frame is complete or the input ends.
 * In:  data, len: received bytes (any split: one byte, many frames...).
 * Out: *used: bytes consumed (the rest belongs to later frames);
 *      *plain, *plain_len: the opened frame when P2P_FRAME_OK (caller frees
 *      *plain with free(); it is non-NULL even for an empty plaintext).
 * Returns P2P_FRAME_OK (one frame out; call again with the rest),
 * P2P_FRAME_NEED_MORE (all input used), or an error. After an error the
 * stream is dead: every later call returns the same error. */
__attribute__((warn_unused_result)) enum p2p_frame_status
p2p_frame_open(struct p2p_frame_rx *rx, const uint8_t *data, size_t len, size_t *used,
	       uint8_t **plain, size_t *plain_len);

/* True when part of a frame has been received (an EOF now is a truncation). */
bool p2p_frame_rx_partial(const struct p2p_frame_rx *rx);

/* Wipe the key (and free a partial frame). Safe on zeroed memory. */
void p2p_frame_tx_wipe(struct p2p_frame_tx *tx);
void p2p_frame_rx_wipe(struct p2p_frame_rx *rx);

/* A one-line description of status. Never NULL. */
const char *p2p_frame_strerror(enum p2p_frame_status status);

#endif
