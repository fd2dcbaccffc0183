/* sim_block.c: encoding of the simulator's blocks (see sim_block.h). */
#include "tests/sim/sim_block.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t magic[4] = { 'H', 'S', 'B', '1' };

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int sim_block_encode(const struct sim_block *b, uint8_t *buf, size_t *len)
{
	size_t off = 0;

	if (b->evidence_count > SIM_BLOCK_EVIDENCE_MAX)
		return -1;
	memcpy(buf, magic, 4);
	put_u64(buf + 4, b->height);
	put_u64(buf + 12, b->round);
	put_u64(buf + 20, ((uint64_t)b->proposer << 1) | (b->valid ? 1u : 0u));
	put_u64(buf + 28, b->nonce);
	buf[36] = (uint8_t)b->evidence_count;
	off = 37;
	for (size_t i = 0; i < b->evidence_count; i++) {
		uint8_t *enc;
		size_t n;

		if (evidence_encode(&b->evidence[i], &enc, &n) != 0)
			return -1;
		if (n > EVIDENCE_ENCODED_MAX) {
			free(enc);
			return -1;
		}
		buf[off] = (uint8_t)(n & 0xff);
		buf[off + 1] = (uint8_t)(n >> 8);
		memcpy(buf + off + 2, enc, n);
		off += 2 + n;
		free(enc);
	}
	*len = off;
	return 0;
}

int sim_block_decode(const uint8_t *buf, size_t len, struct sim_block *b)
{
	size_t off = 37;
	uint64_t word;

	memset(b, 0, sizeof(*b));
	if (len < 37 || memcmp(buf, magic, 4) != 0)
		return -1;
	b->height = get_u64(buf + 4);
	word = get_u64(buf + 12);
	if (word > UINT32_MAX)
		return -1;
	b->round = (uint32_t)word;
	word = get_u64(buf + 20);
	if ((word >> 1) > UINT32_MAX)
		return -1;
	b->proposer = (uint32_t)(word >> 1);
	b->valid = (word & 1) != 0;
	b->nonce = get_u64(buf + 28);
	b->evidence_count = buf[36];
	if (b->evidence_count > SIM_BLOCK_EVIDENCE_MAX)
		return -1;
	for (size_t i = 0; i < b->evidence_count; i++) {
		size_t n;

		if (len - off < 2)
			return -1;
		n = (size_t)buf[off] | ((size_t)buf[off + 1] << 8);
		if (len - off - 2 < n || evidence_decode(buf + off + 2, n, &b->evidence[i]) != 0)
			return -1;
		off += 2 + n;
	}
	return off == len ? 0 : -1;
}

void sim_block_id(const uint8_t *buf, size_t len, uint8_t id[HASH_SIZE])
{
	hash_tagged("hearth/simblock", buf, len, id);
}
