"""The reference for `lanyard bench`: zebrafy's Z64 encoding of the same 1-bit raster that
Lanyard encoded. Usage: zebrafy_reference.py BADGE.png. Prints one JSON object: the size of
zebrafy's job, the largest ^GF field it wrote (the ZPL limit is 99,999 bytes), and whether zplkit
renders it to exactly the raster of BADGE.png (so the sizes compare like with like)."""
import json
import re
import sys

import zplkit
from PIL import Image, ImageChops
from zebrafy import ZebrafyImage
from zplkit.rendering import Limits

image = Image.open(sys.argv[1]).convert("L")
zpl = ZebrafyImage(image, format="Z64", invert=False, dither=False, threshold=128, complete_zpl=True).to_zpl()
fields = [int(m.group(1)) for m in re.finditer(r"\^GFA,\d+,(\d+),", zpl)]
document = zplkit.render(
    zpl, zplkit.Options(profile="zd621", dpi=300, width=image.width, height=image.height), limits=Limits(graphic_bytes=4_000_000)
)
raster = document.labels[0].rasterize()
theirs = Image.frombytes("L", (raster.width, raster.height), raster.pixels).point(lambda v: 0 if v < 128 else 255)
ours = image.point(lambda v: 0 if v < 128 else 255)
# zebrafy sets no label size, so compare on a canvas that holds both images.
size = (max(theirs.width, ours.width), max(theirs.height, ours.height))
a, b = Image.new("L", size, 255), Image.new("L", size, 255)
a.paste(theirs, (0, 0))
b.paste(ours, (0, 0))
same = ImageChops.difference(a, b).getbbox() is None
print(json.dumps({"job_bytes": len(zpl.encode()), "largest_field_bytes": max(fields), "matches_raster": same}))
