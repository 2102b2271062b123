/* QR codes for the terminal (libqrencode). */
#ifndef SSPR_QR_H
#define SSPR_QR_H

#include <stdbool.h>

/* Light modules around the code, as the QR specification asks for. */
#define SSPR_QR_QUIET 2

/*
 * Render text (byte mode, error correction level M) as a QR code for a
 * terminal, with a quiet zone of SSPR_QR_QUIET modules. Light modules are
 * drawn and dark ones left blank, so the code scans on the usual light
 * text on a dark background. utf8: half blocks, two module rows per line,
 * one column per module; else ASCII, "##" per light module and one line
 * per module row; ASCII too where ambiguous-width characters are wide
 * (sspr_lang_wide_ambiguous). Lines end in "\n". Malloc'd; free it with
 * sspr_free_secret(), as it may carry a key. NULL on failure.
 */
char *sspr_qr_render(const char *text, bool utf8);

#endif
