/* record.c: protobuf records in the state. */
#include "consensus/record.h"

#include <stdlib.h>

enum state_status record_get_bytes(const struct state *st, const uint8_t *key, size_t key_len,
				   const ProtobufCMessageDescriptor *desc, size_t max_len,
				   ProtobufCMessage **msg)
{
	uint8_t *buf;
	size_t len;
	enum state_status rc;

	*msg = NULL;
	rc = state_get(st, key, key_len, &buf, &len);
	if (rc != STATE_OK)
		return rc;
	rc = codec_decode(desc, buf, len, max_len, msg, NULL) == CODEC_OK ? STATE_OK : STATE_ERROR;
	free(buf);
	return rc;
}

enum state_status record_put_bytes(const struct state *st, const uint8_t *key, size_t key_len,
				   const ProtobufCMessage *msg)
{
	uint8_t *buf;
	size_t len;
	enum state_status rc;

	if (codec_encode(msg, &buf, &len) != CODEC_OK)
		return STATE_ERROR;
	rc = state_put(st, key, key_len, buf, len);
	free(buf);
	return rc;
}

enum state_status record_get(const struct state *st, const struct key *k,
			     const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg)
{
	return record_get_bytes(st, k->bytes, k->len, desc, STATE_VALUE_MAX, msg);
}

enum state_status record_put(const struct state *st, const struct key *k,
			     const ProtobufCMessage *msg)
{
	return record_put_bytes(st, k->bytes, k->len, msg);
}
