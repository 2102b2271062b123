/*
 * QR codes drawn in a terminal. Light modules (including the quiet zone)
 * are drawn in the foreground colour and dark modules left as background,
 * so a code on a dark terminal has the dark-on-light look scanners expect.
 */
#include "sspr/auth/qr.h"

#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "sspr/common/lang.h"
#include "sspr/common/util.h"

#define UPPER "\xe2\x96\x80" /* U+2580 upper half block */
#define LOWER "\xe2\x96\x84" /* U+2584 lower half block */
#define FULL "\xe2\x96\x88"  /* U+2588 full block */

/* Is module (x, y) of the padded code light? Outside the code it is. */
static bool
light(const QRcode *qr, int x, int y)
{
	int w = qr->width;

	x -= SSPR_QR_QUIET;
	y -= SSPR_QR_QUIET;
	if (x < 0 || y < 0 || x >= w || y >= w)
		return true;
	return (qr->data[y * w + x] & 1) == 0;
}

static char *
render_utf8(const QRcode *qr)
{
	int side = qr->width + 2 * SSPR_QR_QUIET;
	int lines = (side + 1) / 2;
	/* At most 3 bytes per module, plus "\n" per line and the NUL. */
	size_t size = (size_t)lines * ((size_t)side * 3 + 1) + 1;
	char *out = malloc(size);
	char *p = out;
	int x, y;

	if (out == NULL)
		return NULL;
	for (y = 0; y < side; y += 2) {
		for (x = 0; x < side; x++) {
			bool top = light(qr, x, y);
			/* A missing last row counts as dark (blank). */
			bool bottom = y + 1 < side && light(qr, x, y + 1);
			const char *s = top && bottom ? FULL
					: top	      ? UPPER
					: bottom      ? LOWER
						      : " ";
			size_t n = strlen(s);

			memcpy(p, s, n);
			p += n;
		}
		*p++ = '\n';
	}
	*p = '\0';
	return out;
}

static char *
render_ascii(const QRcode *qr)
{
	int side = qr->width + 2 * SSPR_QR_QUIET;
	size_t size = (size_t)side * ((size_t)side * 2 + 1) + 1;
	char *out = malloc(size);
	char *p = out;
	int x, y;

	if (out == NULL)
		return NULL;
	for (y = 0; y < side; y++) {
		for (x = 0; x < side; x++) {
			char c = light(qr, x, y) ? '#' : ' ';

			*p++ = c;
			*p++ = c;
		}
		*p++ = '\n';
	}
	*p = '\0';
	return out;
}

char *
sspr_qr_render(const char *text, bool utf8)
{
	QRcode *qr;
	char *out;

	if (text == NULL || text[0] == '\0')
		return NULL;
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL)
		return NULL;
	/*
	 * Half blocks are East Asian "ambiguous": where a CJK terminal
	 * draws them two columns wide the code is stretched and cannot be
	 * scanned. Two '#' a module are square on any terminal.
	 */
	out = utf8 && !sspr_lang_wide_ambiguous() ? render_utf8(qr)
						  : render_ascii(qr);
	/* The code may carry a TOTP key. */
	sspr_wipe(qr->data, (size_t)qr->width * (size_t)qr->width);
	QRcode_free(qr);
	return out;
}
