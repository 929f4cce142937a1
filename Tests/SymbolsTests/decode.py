#!/usr/bin/env python3
"""Independent decode check for SymbolsTests.

Reads an image with PIL and decodes every symbol in it with zxing-cpp, printing one JSON object
per symbol: {"format": ..., "text": ..., "bytes": <hex of the raw payload bytes>}.
With --probe it only checks that both libraries import and prints their versions.
Exit status: 0 on success (also when nothing was found: the caller compares), 2 on usage or
import errors.
"""

import json
import sys


def main(argv):
    try:
        from PIL import Image
        import zxingcpp
    except ImportError as error:
        print(f"cannot import decoder: {error}", file=sys.stderr)
        return 2
    if argv == ["--probe"]:
        print(json.dumps({"zxingcpp": getattr(zxingcpp, "__version__", "unknown"),
                          "pillow": Image.__version__ if hasattr(Image, "__version__") else "unknown"}))
        return 0
    if len(argv) != 1:
        print("usage: decode.py <image> | --probe", file=sys.stderr)
        return 2
    image = Image.open(argv[0]).convert("L")
    for barcode in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain):
        print(json.dumps({
            "format": barcode.format.name,
            "text": barcode.text,
            "bytes": bytes(barcode.bytes).hex(),
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
