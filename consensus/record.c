/* record.c: protobuf records in the state. */
#include "consensus/record.h"

#include <stdlib.h>

enum state_status record_get(const struct state *st, const struct key *k,
			     const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg)
{
	uint8_t *buf;
	size_t len;
	enum state_status rc;

	*msg = NULL;
	rc = state_get(st, k->bytes, k->len, &buf, &len);
	if (rc != STATE_OK)
		return rc;
	rc = codec_decode(desc, buf, len, STATE_VALUE_MAX, msg, NULL) == CODEC_OK ? STATE_OK
										  : STATE_ERROR;
	free(buf);
	return rc;
}

enum state_status record_put(const struct state *st, const struct key *k,
			     const ProtobufCMessage *msg)
{
	uint8_t *buf;
	size_t len;
	enum state_status rc;

	if (codec_encode(msg, &buf, &len) != CODEC_OK)
		return STATE_ERROR;
	rc = state_put(st, k->bytes, k->len, buf, len);
	free(buf);
	return rc;
}
