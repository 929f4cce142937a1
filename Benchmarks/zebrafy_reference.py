"""Encodes a 1-bit PNG with zebrafy (Z64) for `lanyard bench`, the reference that Lanyard's ZPL for
the same raster must not exceed. Usage: zebrafy_reference.py IN.png OUT.zpl (OUT gets the job)."""
import sys

from PIL import Image
from zebrafy import ZebrafyImage

image = Image.open(sys.argv[1]).convert("L")
zpl = ZebrafyImage(image, format="Z64", invert=False, dither=False, threshold=128, complete_zpl=True).to_zpl()
with open(sys.argv[2], "w", encoding="ascii") as out:
    out.write(zpl)
