"""Independent checks for Lanyard's end-to-end tests. Reads a JSON list of jobs on stdin and
prints one JSON result per job on stdout.

  {"kind": "zpl", "zpl": PATH, "pbm": PATH, "dpi": N}
      Renders the ZPL with zplkit (as a ZD621 would) and counts the dots that differ from
      Lanyard's own raster (PBM). Printer-setting commands that change no dot and that zplkit
      does not implement (~SD ~TA ^MN ^MT ^MM ^PR ^JZ ^PQ) are removed first and listed.
  {"kind": "decode", "png": PATH}
      Decodes every QR code and barcode in the image with zxing-cpp.
"""
import re

import zplkit
import zxingcpp
from job_runner import serve
from PIL import Image, ImageChops, ImageOps
from zplkit.rendering import Limits

SETTINGS = re.compile(
    rb"~SD\d+|~TA-?\d+|\^MN[A-Z](,-?\d+)?|\^MT[A-Z]|\^MM[A-Z](,[YN])?|\^PR[0-9A-E]+(,[0-9A-E]+){0,2}|\^JZ[YN]|\^PQ[0-9,YN]+"
)


def zpl_job(job):
    with open(job["zpl"], "rb") as f:
        zpl = f.read()
    stripped = sorted({m.group(0)[:3].decode() for m in SETTINGS.finditer(zpl)})
    document = zplkit.render(
        SETTINGS.sub(b"", zpl),
        zplkit.Options(profile="zd621", dpi=job["dpi"]),
        limits=Limits(graphic_bytes=4_000_000),
    )
    if len(document.labels) != 1:
        return {"error": f"zplkit rendered {len(document.labels)} labels"}
    raster = document.labels[0].rasterize()
    # Both as 0 = white, 255 = black, on a canvas large enough for either image.
    ours = ImageOps.invert(Image.open(job["pbm"]).convert("L"))
    theirs = Image.frombytes("L", (raster.width, raster.height), raster.pixels).point(lambda v: 255 if v < 128 else 0)
    size = (max(ours.width, theirs.width), max(ours.height, theirs.height))
    a, b = Image.new("L", size, 0), Image.new("L", size, 0)
    a.paste(ours, (0, 0))
    b.paste(theirs, (0, 0))
    differing = ImageChops.difference(a, b).histogram()[255]
    return {
        "width": raster.width,
        "height": raster.height,
        "differing": differing,
        "stripped": stripped,
        "warnings": list(document.warnings),
    }


def decode_job(job):
    image = Image.open(job["png"]).convert("L")
    found = zxingcpp.read_barcodes(image)
    return {"symbols": [{"format": str(r.format).split(".")[-1], "text": r.text} for r in found]}


if __name__ == "__main__":
    serve({"zpl": zpl_job, "decode": decode_job})
