// A C face for zxing-cpp (Debian's libzxing-dev), which has a C++ API only: Swift calls these two
// functions and never sees a C++ type or exception.
#ifndef LANYARD_ZXING_BRIDGE_H
#define LANYARD_ZXING_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One code read from an image: its text as UTF-8 (`text_length` bytes, NUL-terminated as well)
/// and zxing-cpp's name of its format ("QRCode"), a static string.
typedef struct {
    char *text;
    size_t text_length;
    const char *format;
} lanyard_zxing_symbol;

/// What a read found: `count` symbols, or, when `error` is not NULL, why the read failed (then
/// `symbols` is NULL). Free with `lanyard_zxing_result_free`.
typedef struct {
    lanyard_zxing_symbol *symbols;
    size_t count;
    char *error;
} lanyard_zxing_result;

/// Reads every QR code in an 8-bit grayscale image of `width` x `height` pixels whose rows start
/// `row_stride` bytes apart. Catches everything zxing-cpp throws; returns an error for a NULL
/// buffer or a size that makes no sense.
lanyard_zxing_result lanyard_zxing_read_qr_codes(const uint8_t *luminance, int width, int height, int row_stride);

/// Frees what a read returned; the result is empty afterwards.
void lanyard_zxing_result_free(lanyard_zxing_result *result);

#ifdef __cplusplus
}
#endif

#endif
