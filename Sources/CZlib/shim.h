#include <zlib.h>

/* deflateInit2 is a macro, which Swift does not import: a zlib stream (15-bit window) with the
   largest memory level and the given level and strategy. */
static inline int lanyard_deflate_init(z_streamp stream, int level, int strategy) {
    return deflateInit2(stream, level, Z_DEFLATED, 15, 9, strategy);
}
