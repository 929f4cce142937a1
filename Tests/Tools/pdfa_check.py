"""Independent PDF/A-2b checks for Lanyard's badge PDFs. Reads a JSON list of jobs on stdin and
prints one JSON result per job on stdout; a result's "errors" lists every rule the file breaks.

  {"kind": "pdf", "pdf": PATH}
      qpdf --check must find nothing; then, read with pikepdf: the XMP names PDF/A-2b, the
      information dictionary agrees with it, one GTS_PDFA1 output intent whose ICC profile's
      colour space has /N components, every font's program embedded, no transparency (soft
      masks, constant alpha below 1, blend modes, transparency groups), no interpolated image, a
      trailer /ID, no encryption, a 1.4 to 1.7 header, a /CIDToGIDMap on every TrueType CID font,
      no .notdef glyph shown from a composite font, and no colour space the output intent does
      not cover. Also reports the fonts and the colour spaces used.
  {"kind": "icc", "icc": PATH}
      Opens the ICC profile with littlecms (Pillow's ImageCms) and converts colours through it
      to littlecms's own sRGB: reports the header fields and the largest difference.
"""
import io
import subprocess
from datetime import datetime

import pikepdf
from job_runner import serve
from PIL import Image, ImageCms
from pikepdf.models.metadata import decode_pdf_date

# Components of an ICC colour space signature (ICC.1, 7.2.6).
ICC_COMPONENTS = {b"GRAY": 1, b"RGB ": 3, b"CMYK": 4}
# Device colour spaces an output intent of that kind makes legal (ISO 19005-2, 6.2.4.3):
# DeviceGray is allowed under any output intent.
COVERED = {1: {"DeviceGray"}, 3: {"DeviceGray", "DeviceRGB"}, 4: {"DeviceGray", "DeviceCMYK"}}
OPERATOR_SPACES = {"g": "DeviceGray", "G": "DeviceGray", "rg": "DeviceRGB", "RG": "DeviceRGB", "k": "DeviceCMYK", "K": "DeviceCMYK"}
PDFA = "http://www.aiim.org/pdfa/ns/id/"


def qpdf_errors(path):
    run = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
    output = run.stdout + run.stderr
    if run.returncode != 0 or "No syntax or stream encoding errors found" not in output or "WARNING" in output:
        return [f"qpdf --check (exit {run.returncode}): {output.strip()}"]
    return []


def walk(value, path, seen, visit):
    """Every dictionary and stream reachable from value, each object once."""
    if isinstance(value, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)) and value.is_indirect:
        key = value.objgen
        if key in seen:
            return
        seen.add(key)
    if isinstance(value, pikepdf.Array):
        for index, item in enumerate(value):
            walk(item, f"{path}[{index}]", seen, visit)
    elif isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)):
        visit(value, path)
        for key in list(value.keys()):
            walk(value[key], f"{path}{key}", seen, visit)


def transparency_errors(obj, path):
    errors = []
    smask = obj.get("/SMask")
    if smask is not None and smask != pikepdf.Name.None_:
        errors.append(f"{path}: /SMask")
    for key in ("/CA", "/ca"):
        if key in obj and float(obj[key]) < 1:
            errors.append(f"{path}: {key} {float(obj[key])}")
    if "/BM" in obj and obj["/BM"] not in (pikepdf.Name.Normal, pikepdf.Name.Compatible):
        errors.append(f"{path}: blend mode {obj['/BM']}")
    group = obj.get("/Group")
    if isinstance(group, pikepdf.Dictionary) and group.get("/S") == pikepdf.Name.Transparency:
        errors.append(f"{path}: transparency group")
    if obj.get("/Interpolate") is True:
        errors.append(f"{path}: /Interpolate true")
    return errors


def font_errors(font, path, fonts):
    """A font's program must be in the file (Type 3 fonts are their own glyph procedures)."""
    subtype = font.get("/Subtype")
    if subtype == pikepdf.Name.Type3:
        fonts.append(f"{font.get('/Name', 'Type3')} (Type3)")
        return []
    if subtype == pikepdf.Name.Type0:
        return [error for descendant in font.DescendantFonts for error in font_errors(descendant, f"{path}/DescendantFonts", fonts)]
    fonts.append(f"{font.get('/BaseFont')} ({subtype})")
    errors = []
    descriptor = font.get("/FontDescriptor")
    if descriptor is None or not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
        errors.append(f"{path}: font {font.get('/BaseFont')} is not embedded")
    if subtype == pikepdf.Name.CIDFontType2 and "/CIDToGIDMap" not in font:
        errors.append(f"{path}: CID font {font.get('/BaseFont')} has no /CIDToGIDMap")
    return errors


def notdef_errors(page, number):
    """Text shown with a composite font must not use CID 0, .notdef (ISO 19005-2, 6.2.11.8)."""
    errors = []
    fonts = page.get("/Resources", {}).get("/Font", {})
    font = None
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "Tf":
            font = fonts.get(str(operands[0]))
        elif name in ("Tj", "'", '"', "TJ") and font is not None and font.get("/Subtype") == pikepdf.Name.Type0:
            shown = operands[0] if name == "TJ" else operands[-1:]
            for item in shown:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    if any(data[i : i + 2] == b"\x00\x00" for i in range(0, len(data) - 1, 2)):
                        errors.append(f"page {number}: .notdef shown with {font.get('/BaseFont')}")
    return errors


def icc_components(data):
    return ICC_COMPONENTS.get(bytes(data[16:20]))


def xmp_errors(pdf):
    errors = []
    catalog_metadata = pdf.Root.get("/Metadata")
    if catalog_metadata is None:
        return ["the catalog has no /Metadata"]
    if catalog_metadata.get("/Type") != pikepdf.Name.Metadata or catalog_metadata.get("/Subtype") != pikepdf.Name.XML:
        errors.append("the metadata stream is not /Type /Metadata /Subtype /XML")
    if "/Filter" in catalog_metadata:
        errors.append("the metadata stream is filtered")
    raw = catalog_metadata.read_raw_bytes()
    if b'bytes="' in raw.split(b"?>")[0] or b'encoding="' in raw.split(b"?>")[0]:
        errors.append("the xpacket header has a bytes or encoding attribute")
    meta = pdf.open_metadata()
    if meta.get("pdfaid:part") != "2" or meta.get("pdfaid:conformance") != "B":
        errors.append(f"XMP says part {meta.get('pdfaid:part')!r} conformance {meta.get('pdfaid:conformance')!r}")
    info = pdf.docinfo
    pairs = [("/Title", "dc:title"), ("/Producer", "pdf:Producer"), ("/Creator", "xmp:CreatorTool")]
    for info_key, xmp_key in pairs:
        if info_key in info and str(info[info_key]) != meta.get(xmp_key):
            errors.append(f"Info {info_key} {str(info[info_key])!r} differs from XMP {xmp_key} {meta.get(xmp_key)!r}")
    for info_key, xmp_key in [("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")]:
        if info_key in info:
            xmp_date = meta.get(xmp_key)
            if xmp_date is None or decode_pdf_date(str(info[info_key])) != datetime.fromisoformat(xmp_date):
                errors.append(f"Info {info_key} {str(info[info_key])!r} differs from XMP {xmp_key} {xmp_date!r}")
    return errors


def pdf_job(job):
    path = job["pdf"]
    errors = qpdf_errors(path)
    with open(path, "rb") as f:
        header = f.read(16)
    if not header.startswith(b"%PDF-1.") or header[7:8] not in b"4567":
        errors.append(f"header {header[:8]!r}")
    pdf = pikepdf.open(path)
    if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
        errors.append("the file is encrypted")
    trailer_id = pdf.trailer.get("/ID")
    if trailer_id is None or len(trailer_id) != 2:
        errors.append("the trailer has no /ID")
    errors += xmp_errors(pdf)

    components = None
    intents = pdf.Root.get("/OutputIntents", [])
    pdfa_intents = [intent for intent in intents if intent.get("/S") == pikepdf.Name.GTS_PDFA1]
    if len(pdfa_intents) != 1:
        errors.append(f"{len(pdfa_intents)} GTS_PDFA1 output intents")
    for intent in pdfa_intents:
        if "/OutputConditionIdentifier" not in intent:
            errors.append("the output intent has no /OutputConditionIdentifier")
        profile = intent.get("/DestOutputProfile")
        if profile is None:
            errors.append("the output intent has no /DestOutputProfile")
            continue
        data = profile.read_bytes()
        components = icc_components(data)
        if components is None or int(profile.get("/N", 0)) != components:
            errors.append(f"ICC colour space {bytes(data[16:20])!r} against /N {profile.get('/N')}")
        if bytes(data[12:16]) not in (b"mntr", b"prtr"):
            errors.append(f"ICC device class {bytes(data[12:16])!r}")
        ImageCms.ImageCmsProfile(io.BytesIO(data))

    fonts = []
    spaces = set()

    def visit(obj, where):
        errors.extend(transparency_errors(obj, where))
        # CID fonts are checked as the descendants of their Type 0 font.
        if obj.get("/Type") == pikepdf.Name.Font and obj.get("/Subtype") not in (pikepdf.Name.CIDFontType0, pikepdf.Name.CIDFontType2):
            errors.extend(font_errors(obj, where, fonts))
        colour_space = obj.get("/ColorSpace")
        if isinstance(colour_space, pikepdf.Name):
            spaces.add(str(colour_space)[1:])
        if obj.get("/Type") == pikepdf.Name.Group and isinstance(obj.get("/CS"), pikepdf.Name):
            spaces.add(str(obj.get("/CS"))[1:])

    walk(pdf.Root, "Root", set(), visit)
    for number, page in enumerate(pdf.pages):
        errors.extend(notdef_errors(page, number))
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in OPERATOR_SPACES:
                spaces.add(OPERATOR_SPACES[name])
            if name in ("cs", "CS") and operands and str(operands[0])[1:] in ("DeviceGray", "DeviceRGB", "DeviceCMYK"):
                spaces.add(str(operands[0])[1:])
    device = {space for space in spaces if space.startswith("Device")}
    if components is not None and not device <= COVERED[components]:
        errors.append(f"device colour spaces {sorted(device - COVERED[components])} are not covered by the output intent")
    return {"errors": errors, "fonts": sorted(fonts), "colour_spaces": sorted(spaces), "version": str(pdf.pdf_version)}


def icc_job(job):
    with open(job["icc"], "rb") as f:
        data = f.read()
    profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
    reference = ImageCms.createProfile("sRGB")
    colours = [(r, g, b) for r in (0, 64, 128, 200, 255) for g in (0, 90, 255) for b in (0, 30, 160, 255)]
    image = Image.new("RGB", (len(colours), 1))
    image.putdata(colours)
    converted = ImageCms.profileToProfile(image, profile, reference, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    difference = max(abs(a - b) for a, b in zip(image.tobytes(), converted.tobytes()))
    return {
        "description": ImageCms.getProfileDescription(profile).strip(),
        "device_class": bytes(data[12:16]).decode(),
        "colour_space": bytes(data[16:20]).decode(),
        "version": data[8],
        "size_field": int.from_bytes(data[0:4], "big"),
        "size": len(data),
        "max_difference": difference,
    }


if __name__ == "__main__":
    serve({"pdf": pdf_job, "icc": icc_job})
