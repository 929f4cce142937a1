// Text as UTF-8 std::string from Result::text(): the 1.4 headers return std::wstring without it.
#define ZX_USE_UTF8 1

#include "zxing_bridge.h"

#include <ZXing/ReadBarcode.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

namespace {

char *copy(const char *text, size_t length) {
    auto *copied = static_cast<char *>(std::malloc(length + 1));
    if (copied == nullptr) return nullptr;
    std::memcpy(copied, text, length);
    copied[length] = '\0';
    return copied;
}

lanyard_zxing_result failure(const char *reason) {
    lanyard_zxing_result result{};
    result.error = copy(reason, std::strlen(reason));
    return result;
}

}  // namespace

extern "C" lanyard_zxing_result lanyard_zxing_read_qr_codes(const uint8_t *luminance, int width, int height, int row_stride) {
    if (luminance == nullptr || width <= 0 || height <= 0 || row_stride < width) {
        return failure("no image, or a size that is not one");
    }
    lanyard_zxing_result result{};
    try {
        // Camera frames, not generated images: try harder and rotated (a ticket held at an angle
        // or upside down), QR codes only, which also keeps a frame's work down.
        auto hints = ZXing::DecodeHints().setFormats(ZXing::BarcodeFormat::QRCode).setTryHarder(true).setTryRotate(true);
        const ZXing::ImageView image(luminance, width, height, ZXing::ImageFormat::Lum, row_stride);
        const auto found = ZXing::ReadBarcodes(image, hints);
        if (found.empty()) return result;
        result.symbols = static_cast<lanyard_zxing_symbol *>(std::calloc(found.size(), sizeof(lanyard_zxing_symbol)));
        if (result.symbols == nullptr) return failure("out of memory");
        for (const auto &symbol : found) {
            const std::string text = symbol.text();
            auto &slot = result.symbols[result.count];
            slot.text = copy(text.data(), text.size());
            if (slot.text == nullptr) {
                lanyard_zxing_result_free(&result);
                return failure("out of memory");
            }
            slot.text_length = text.size();
            slot.format = ZXing::ToString(symbol.format());
            result.count += 1;
        }
        return result;
    } catch (const std::exception &error) {
        lanyard_zxing_result_free(&result);
        return failure(error.what());
    } catch (...) {
        lanyard_zxing_result_free(&result);
        return failure("zxing-cpp threw something that is not an exception");
    }
}

extern "C" void lanyard_zxing_result_free(lanyard_zxing_result *result) {
    if (result == nullptr) return;
    for (size_t index = 0; index < result->count; index += 1) std::free(result->symbols[index].text);
    std::free(result->symbols);
    std::free(result->error);
    *result = lanyard_zxing_result{};
}
