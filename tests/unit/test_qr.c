/*
 * QR rendering: dimensions, quiet zone, the three finder patterns, and the
 * drawn modules read back against libqrencode's own matrix.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "check.h"
#include "sspr/auth/qr.h"
#include "sspr/common/util.h"

#define URI "otpauth://totp/pam_sspr:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=pam_sspr&algorithm=SHA1&digits=6&period=30"

static int
reference_width(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int w;

	if (qr == NULL)
		return -1;
	w = qr->width;
	QRcode_free(qr);
	return w;
}

/* Split into lines; returns the count (at most max). */
static size_t
split_lines(char *s, char **lines, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	char *l;

	for (l = strtok_r(s, "\n", &save); l != NULL && n < max;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	return n;
}

/* Read the ASCII rendering back into a matrix: true = dark. */
static bool *
ascii_modules(const char *render, int side)
{
	bool *m = calloc((size_t)side * (size_t)side, sizeof(bool));
	char *copy = strdup(render);
	char **lines = calloc((size_t)side + 1, sizeof(char *));
	size_t n;
	int x, y;

	if (m == NULL || copy == NULL || lines == NULL)
		goto fail;
	n = split_lines(copy, lines, (size_t)side + 1);
	if (n != (size_t)side)
		goto fail;
	for (y = 0; y < side; y++) {
		if (strlen(lines[y]) != (size_t)side * 2)
			goto fail;
		for (x = 0; x < side; x++) {
			char a = lines[y][2 * x], b = lines[y][2 * x + 1];

			if (a != b || (a != '#' && a != ' '))
				goto fail;
			m[y * side + x] = a == ' ';
		}
	}
	free(copy);
	free(lines);
	return m;
fail:
	free(m);
	free(copy);
	free(lines);
	return NULL;
}

/* Is there a finder pattern (7x7, dark ring, light ring, dark 3x3) at x,y? */
static bool
finder_at(const bool *m, int side, int x0, int y0)
{
	int x, y;

	for (y = 0; y < 7; y++) {
		for (x = 0; x < 7; x++) {
			bool ring = x == 0 || y == 0 || x == 6 || y == 6;
			bool centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
			bool want = ring || centre;

			if (m[(y0 + y) * side + x0 + x] != want)
				return false;
		}
	}
	return true;
}

static void
test_ascii(void)
{
	int w = reference_width(URI);
	int side = w + 2 * SSPR_QR_QUIET;
	char *r = sspr_qr_render(URI, false);
	bool *m;
	int i;

	CHECK(w >= 21);
	CHECK(r != NULL);
	if (r == NULL || w < 21)
		return;
	m = ascii_modules(r, side);
	CHECK(m != NULL);
	if (m == NULL) {
		free(r);
		return;
	}
	/* Quiet zone: light all around. */
	for (i = 0; i < side; i++) {
		int q;

		for (q = 0; q < SSPR_QR_QUIET; q++) {
			CHECK(!m[q * side + i]);
			CHECK(!m[(side - 1 - q) * side + i]);
			CHECK(!m[i * side + q]);
			CHECK(!m[i * side + side - 1 - q]);
		}
	}
	/* Finder patterns top left, top right, bottom left; none bottom right. */
	CHECK(finder_at(m, side, SSPR_QR_QUIET, SSPR_QR_QUIET));
	CHECK(finder_at(m, side, SSPR_QR_QUIET + w - 7, SSPR_QR_QUIET));
	CHECK(finder_at(m, side, SSPR_QR_QUIET, SSPR_QR_QUIET + w - 7));
	CHECK(!finder_at(m, side, SSPR_QR_QUIET + w - 7,
			 SSPR_QR_QUIET + w - 7));
	/* Timing pattern on row 6 between the finders alternates. */
	for (i = 8; i < w - 8; i++)
		CHECK(m[(SSPR_QR_QUIET + 6) * side + SSPR_QR_QUIET + i] ==
		      (i % 2 == 0));
	free(m);
	free(r);
}

/* Decode one UTF-8 half block cell into (top dark, bottom dark). */
static int
cell(const char *p, bool *top_dark, bool *bottom_dark)
{
	if (p[0] == ' ') {
		*top_dark = *bottom_dark = true;
		return 1;
	}
	if (strncmp(p, "\xe2\x96\x88", 3) == 0) {
		*top_dark = *bottom_dark = false;
		return 3;
	}
	if (strncmp(p, "\xe2\x96\x80", 3) == 0) {
		*top_dark = false;
		*bottom_dark = true;
		return 3;
	}
	if (strncmp(p, "\xe2\x96\x84", 3) == 0) {
		*top_dark = true;
		*bottom_dark = false;
		return 3;
	}
	return -1;
}

static void
test_utf8_matches_matrix(void)
{
	QRcode *qr = QRcode_encodeString(URI, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char *r = sspr_qr_render(URI, true);
	int w, side, lines, x, y;
	char **rows;
	char *copy;
	size_t n;
	int bad = 0;

	CHECK(qr != NULL && r != NULL);
	if (qr == NULL || r == NULL) {
		free(r);
		QRcode_free(qr);
		return;
	}
	w = qr->width;
	side = w + 2 * SSPR_QR_QUIET;
	lines = (side + 1) / 2;
	copy = strdup(r);
	rows = calloc((size_t)lines + 2, sizeof(char *));
	n = split_lines(copy, rows, (size_t)lines + 2);
	CHECK(n == (size_t)lines);
	for (y = 0; y < (int)n && y < lines; y++) {
		const char *p = rows[y];

		for (x = 0; x < side; x++) {
			bool td, bd;
			int k = cell(p, &td, &bd);
			int my = 2 * y - SSPR_QR_QUIET, mx = x - SSPR_QR_QUIET;
			bool want_t, want_b;

			if (k < 0) {
				bad++;
				break;
			}
			p += k;
			want_t = mx >= 0 && mx < w && my >= 0 && my < w &&
				 (qr->data[my * w + mx] & 1);
			want_b = mx >= 0 && mx < w && my + 1 >= 0 &&
				 my + 1 < w && (qr->data[(my + 1) * w + mx] & 1);
			/* The padding half below an odd last row is blank. */
			if (2 * y + 1 >= side)
				want_b = true;
			if (td != want_t || bd != want_b)
				bad++;
		}
		CHECK(*p == '\0');
	}
	CHECK(bad == 0);
	free(rows);
	free(copy);
	free(r);
	QRcode_free(qr);
}

static void
test_sizes(void)
{
	char *a = sspr_qr_render("hello", false);
	char *b;

	/* Version 1 is 21 modules: 25 lines of 50 columns with the zone. */
	CHECK(reference_width("hello") == 21);
	CHECK(a != NULL && strlen(a) == 25 * 51);
	free(a);
	a = sspr_qr_render("hello", true);
	/* 13 lines of 25 cells (the last one half padding). */
	CHECK(a != NULL);
	if (a != NULL) {
		size_t nl = 0;
		const char *p;

		for (p = a; *p != '\0'; p++)
			nl += *p == '\n';
		CHECK(nl == 13);
	}
	free(a);
	CHECK(sspr_qr_render("", true) == NULL);
	CHECK(sspr_qr_render(NULL, false) == NULL);
	/* A longer text gives a bigger code. */
	b = sspr_qr_render(URI, false);
	CHECK(b != NULL && strlen(b) > 25 * 51);
	sspr_free_secret(b);
}

int
main(void)
{
	RUN(test_ascii);
	RUN(test_utf8_matches_matrix);
	RUN(test_sizes);
	CHECK_EXIT();
}
