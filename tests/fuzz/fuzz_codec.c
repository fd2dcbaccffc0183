/* fuzz_codec.c: libFuzzer target for proto/codec.c. The first input byte
 * picks a message type; the rest is decoded with the strict codec. Whatever
 * decodes must re-encode to the same bytes (the codec accepts only canonical
 * encodings). */
#include "proto/codec.h"

#include <stdlib.h>
#include <string.h>

static const ProtobufCMessageDescriptor *const targets[] = {
	&hearth__tx__descriptor,	  &hearth__tx_body__descriptor,
	&hearth__block__descriptor,	  &hearth__block_header__descriptor,
	&hearth__vote__descriptor,	  &hearth__proposal__descriptor,
	&hearth__commit__descriptor,	  &hearth__evidence__descriptor,
	&hearth__p2_pmessage__descriptor, &hearth__bid__descriptor,
	&hearth__offer__descriptor,	  &hearth__receipt_reveal__descriptor,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const ProtobufCMessageDescriptor *desc;
	ProtobufCMessage *msg;
	uint8_t *enc;
	size_t enc_len;

	if (size < 1)
		return 0;
	desc = targets[data[0] % (sizeof(targets) / sizeof(targets[0]))];
	if (codec_decode(desc, data + 1, size - 1, 1 << 20, &msg, NULL) != CODEC_OK)
		return 0;
	if (codec_encode(msg, &enc, &enc_len) != CODEC_OK)
		abort();
	if (enc_len != size - 1 || memcmp(enc, data + 1, enc_len) != 0)
		abort();
	free(enc);
	codec_free(msg);
	return 0;
}
