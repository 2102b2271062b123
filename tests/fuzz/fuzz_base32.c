/*
 * base32 both ways. The input is decoded as text and encoded as bytes.
 * Properties: encode then decode gives the bytes back; text that decodes
 * is canonical (upper-cased, without spaces and padding, it is exactly
 * what the encoder makes of the result).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "sspr/common/encode.h"

static void
encode_decode(const uint8_t *data, size_t size)
{
	uint8_t *back = NULL;
	size_t back_len = 0;
	char *text;

	text = sspr_base32_encode(data, size);
	FUZZ_ASSERT(text != NULL);
	FUZZ_ASSERT(strlen(text) == (size * 8 + 4) / 5);
	FUZZ_ASSERT(sspr_base32_decode(text, &back, &back_len) == 0);
	FUZZ_ASSERT(back_len == size);
	FUZZ_ASSERT(size == 0 || memcmp(back, data, size) == 0);
	free(back);
	free(text);
}

static void
decode_encode(const uint8_t *data, size_t size)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	char *canon;
	char *text;
	char *again;
	size_t n = 0;
	size_t i;
	int r;

	text = fuzz_cstring(data, size);
	r = sspr_base32_decode(text, &bytes, &len);
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	if (r < 0) {
		free(text);
		return;
	}
	canon = malloc(strlen(text) + 1);
	FUZZ_ASSERT(canon != NULL);
	for (i = 0; text[i] != '\0'; i++)
		if (text[i] != ' ' && text[i] != '=')
			canon[n++] = (char)toupper((unsigned char)text[i]);
	canon[n] = '\0';
	again = sspr_base32_encode(bytes, len);
	FUZZ_ASSERT(again != NULL);
	FUZZ_ASSERT(strcmp(again, canon) == 0);
	free(again);
	free(canon);
	free(bytes);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	encode_decode(data, size);
	decode_encode(data, size);
	return 0;
}
