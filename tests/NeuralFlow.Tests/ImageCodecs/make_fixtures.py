"""Writes the image-codec fixtures of ImageCodecs/Fixtures and the pixels a reference decoder gives.

Run with /usr/bin/python3 (numpy, Pillow 9.4 on libjpeg-turbo 2.1, and libjpeg-turbo-progs' cjpeg):

    /usr/bin/python3 tests/NeuralFlow.Tests/ImageCodecs/make_fixtures.py

PNGs are written by the small encoder below (Pillow cannot write every colour type, bit depth,
filter and Adam7), so their expected pixels are the source arrays themselves, checked against
Pillow's decode where Pillow keeps the values (8-bit modes). JPEGs are written by cjpeg (sampling
factors, progressive, restart intervals) and Pillow's decode (libjpeg-turbo's default: islow IDCT,
fancy upsampling) is the reference. BMPs and GIFs are written by Pillow and checked against their
source pixels. Each fixture's expected samples go to <name>.bin (uint8, or little-endian uint16 for
16-bit PNGs) and fixtures.json lists shapes and sample widths.
"""
import io
import json
import os
import struct
import subprocess
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "Fixtures")
MANIFEST = {}


def source(h, w, c, seed, maximum=255):
    """A smooth gradient with noise and a hard edge: exercises every filter and the JPEG chroma paths."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w]
    planes = []
    for k in range(c):
        base = (x * (40 + 20 * k) + y * (25 + 10 * k)) % 256
        base = base + rng.randint(-20, 21, size=(h, w))
        base[(x > w // 2) & (y > h // 3)] = 255 - 60 * k
        planes.append(np.clip(base, 0, 255))
    img = np.stack(planes, axis=-1).astype(np.int64)
    return (img * maximum // 255).astype(np.uint16 if maximum > 255 else np.uint8)


def record(name, file, expected):
    expected = np.ascontiguousarray(expected)
    if expected.ndim == 2:
        expected = expected[:, :, None]
    width = 2 if expected.dtype == np.uint16 else 1
    expected.astype("<u2" if width == 2 else np.uint8).tofile(os.path.join(OUT, name + ".bin"))
    MANIFEST[name] = {"file": file, "shape": list(expected.shape), "bytes": width}


# ---------------------------------------------------------------- PNG


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """One row of samples (already flattened) as PNG bytes: packed bits, bytes or big-endian pairs."""
    if depth == 16:
        return samples.astype(">u2").tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    per = 8 // depth
    padded = np.zeros(-(-len(samples) // per) * per, dtype=np.int64)
    padded[: len(samples)] = samples
    padded = padded.reshape(-1, per)
    out = np.zeros(len(padded), dtype=np.int64)
    for i in range(per):
        out |= padded[:, i] << (8 - depth * (i + 1))
    return out.astype(np.uint8).tobytes()


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_row(kind, row, above, bpp):
    out = bytearray(len(row))
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = above[i]
        c = above[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (row[i] - predictor) & 0xFF
    return bytes([kind]) + bytes(out)


ADAM7 = [(0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1)]


def write_png(path, stored, color_type, depth, interlace=False, palette=None, trns=None):
    """stored: [h, w, samples] of raw sample values (palette indices for colour type 3)."""
    h, w, spp = stored.shape
    bpp = max(1, spp * depth // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = bytearray()
    row_index = 0
    for top, left, dy, dx in passes:
        sub = stored[top::dy, left::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        above = bytes(len(pack_row(sub[0].reshape(-1), depth)))
        for r in range(sub.shape[0]):
            row = pack_row(sub[r].reshape(-1), depth)
            raw += filter_row(row_index % 5, row, above, bpp)  # every filter, in turn
            above = row
            row_index += 1
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, int(interlace)))
    data += chunk(b"tEXt", b"Comment\x00made by make_fixtures.py")
    if palette is not None:
        data += chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    if trns is not None:
        data += chunk(b"tRNS", trns)
    z = zlib.compress(bytes(raw), 9)
    data += chunk(b"IDAT", z[: len(z) // 2]) + chunk(b"IDAT", z[len(z) // 2 :])  # split: IDATs concatenate
    data += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)
    return data


def check_pillow(path, expected):
    img = Image.open(path)
    if img.mode == "P":
        img = img.convert("RGBA" if expected.shape[-1] == 4 else "RGB")
    got = np.asarray(img)
    if got.ndim == 2:
        got = got[:, :, None]
    assert np.array_equal(got.astype(np.int64), expected.astype(np.int64)), path


def png_fixtures():
    h, w = 13, 17
    scale = {1: 255, 2: 85, 4: 17, 8: 1, 16: 1}
    for depth in (1, 2, 4, 8, 16):
        for interlace in (False, True):
            name = f"gray{depth}{'_adam7' if interlace else ''}"
            stored = source(h, w, 1, depth, maximum=65535 if depth == 16 else 255)
            if depth < 8:
                stored = stored >> (8 - depth)
            write_png(os.path.join(OUT, name + ".png"), stored, 0, depth, interlace)
            expected = stored.astype(np.uint16 if depth == 16 else np.uint8) * scale[depth]
            record(name, name + ".png", expected.astype(np.uint16 if depth == 16 else np.uint8))
            if depth == 8:
                check_pillow(os.path.join(OUT, name + ".png"), expected)
    for color_type, spp, label in ((2, 3, "rgb"), (4, 2, "gray_alpha"), (6, 4, "rgba")):
        for depth in (8, 16):
            name = f"{label}{depth}"
            interlace = depth == 16
            stored = source(h, w, spp, 10 + spp + depth, maximum=65535 if depth == 16 else 255)
            write_png(os.path.join(OUT, name + ".png"), stored, color_type, depth, interlace)
            record(name, name + ".png", stored)
            if depth == 8:
                check_pillow(os.path.join(OUT, name + ".png"), stored)
    rng = np.random.RandomState(3)
    for depth in (1, 2, 4, 8):
        entries = min(1 << depth, 200)
        palette = rng.randint(0, 256, size=(entries, 3))
        indices = rng.randint(0, entries, size=(h, w, 1))
        name = f"palette{depth}"
        write_png(os.path.join(OUT, name + ".png"), indices, 3, depth, interlace=depth == 4, palette=palette)
        record(name, name + ".png", palette[indices[:, :, 0]].astype(np.uint8))
        check_pillow(os.path.join(OUT, name + ".png"), palette[indices[:, :, 0]])
    # Palette with a tRNS shorter than the palette: the entries past it are opaque.
    palette = rng.randint(0, 256, size=(16, 3))
    alpha = rng.randint(0, 256, size=10)
    indices = rng.randint(0, 16, size=(h, w, 1))
    write_png(os.path.join(OUT, "palette4_trns.png"), indices, 3, 4, palette=palette, trns=alpha.astype(np.uint8).tobytes())
    full_alpha = np.concatenate([alpha, np.full(6, 255)])
    rgba = np.concatenate([palette[indices[:, :, 0]], full_alpha[indices[:, :, 0]][:, :, None]], axis=-1).astype(np.uint8)
    record("palette4_trns", "palette4_trns.png", rgba)
    check_pillow(os.path.join(OUT, "palette4_trns.png"), rgba)
    # Gray and RGB with a colour key: channels=0 drops the key (TF), channels 4 turns it into alpha.
    stored = source(h, w, 3, 21)
    key = stored[2, 3]
    write_png(os.path.join(OUT, "rgb8_trns.png"), stored, 2, 8, trns=struct.pack(">HHH", *[int(v) for v in key]))
    record("rgb8_trns", "rgb8_trns.png", stored)
    alpha = np.where(np.all(stored == key, axis=-1), 0, 255).astype(np.uint8)
    record("rgb8_trns_rgba", "rgb8_trns.png", np.concatenate([stored, alpha[:, :, None]], axis=-1))
    # RGB to gray as TF's decoder does: libpng's rgb_to_gray with TF's 0.299/0.587 (fixed point
    # 9797/19234/3737 over 32768), truncated at 8 bits; gray pixels kept.
    r, g, b = (stored[:, :, i].astype(np.int64) for i in range(3))
    gray = np.where((r == g) & (g == b), r, (9797 * r + 19234 * g + 3737 * b) >> 15).astype(np.uint8)
    record("rgb8_trns_gray", "rgb8_trns.png", gray)


# ---------------------------------------------------------------- JPEG


def jpeg_fixtures():
    h, w = 37, 43  # partial MCUs on both axes for every sampling factor
    rgb = source(h, w, 3, 42)
    ppm = os.path.join(OUT, "source.ppm")
    pgm = os.path.join(OUT, "source.pgm")
    Image.fromarray(rgb).save(ppm)
    Image.fromarray(rgb[:, :, 1]).save(pgm)
    cases = {
        "jpeg444": ["-sample", "1x1", "-quality", "90"],
        "jpeg422": ["-sample", "2x1", "-quality", "85"],
        "jpeg420": ["-sample", "2x2", "-quality", "75"],
        "jpeg440": ["-sample", "1x2", "-quality", "80"],
        "jpeg411": ["-sample", "4x1", "-quality", "80"],
        "jpeg420_progressive": ["-sample", "2x2", "-progressive", "-quality", "70"],
        "jpeg444_progressive": ["-sample", "1x1", "-progressive", "-quality", "92"],
        "jpeg420_restart": ["-sample", "2x2", "-restart", "2B", "-quality", "60"],
        "jpeg420_optimized": ["-sample", "2x2", "-optimize", "-restart", "1", "-quality", "50"],
        "jpeg_gray": ["-quality", "88", "-restart", "3B"],
        "jpeg_gray_progressive": ["-quality", "88", "-progressive"],
    }
    for name, args in cases.items():
        path = os.path.join(OUT, name + ".jpg")
        subprocess.run(["cjpeg", *args, "-outfile", path, pgm if "gray" in name else ppm], check=True)
        record(name, name + ".jpg", np.asarray(Image.open(path)))
    # channels=1 on a colour JPEG is libjpeg's grayscale output: the Y plane, no colour conversion.
    record("jpeg420_as_gray", "jpeg420.jpg", y_plane(os.path.join(OUT, "jpeg420.jpg")))
    # channels=3 on a gray JPEG replicates it.
    gray = np.asarray(Image.open(os.path.join(OUT, "jpeg_gray.jpg")))
    record("jpeg_gray_as_rgb", "jpeg_gray.jpg", np.stack([gray] * 3, axis=-1))
    # An arithmetic-coded JPEG, to be refused.
    subprocess.run(["cjpeg", "-arithmetic", "-outfile", os.path.join(OUT, "arithmetic.jpg"), pgm], check=True)
    os.remove(ppm)
    os.remove(pgm)


def y_plane(path):
    """libjpeg's own grayscale output of a YCbCr JPEG (djpeg -grayscale), as TF's channels=1."""
    out = subprocess.run(["djpeg", "-grayscale", "-pnm", path], check=True, capture_output=True).stdout
    return np.asarray(Image.open(io.BytesIO(out)))


# ---------------------------------------------------------------- BMP and GIF


def bmp_gif_fixtures():
    h, w = 13, 17
    rgb = source(h, w, 3, 7)
    Image.fromarray(rgb).save(os.path.join(OUT, "rgb24.bmp"))
    record("rgb24", "rgb24.bmp", rgb)
    rgba = source(h, w, 4, 8)
    Image.fromarray(rgba).save(os.path.join(OUT, "rgba32.bmp"))
    # Pillow reads a 32-bit BI_RGB file as RGB; TF's decode_bmp keeps the fourth byte as alpha.
    assert np.array_equal(np.asarray(Image.open(os.path.join(OUT, "rgba32.bmp")).convert("RGB")), rgba[:, :, :3])
    record("rgba32", "rgba32.bmp", rgba)
    # Top-down rows: a negative height and the rows in file order reversed.
    with open(os.path.join(OUT, "rgb24.bmp"), "rb") as f:
        bmp = bytearray(f.read())
    offset, stride = struct.unpack_from("<I", bmp, 10)[0], (w * 3 + 3) // 4 * 4
    rows = [bmp[offset + i * stride : offset + (i + 1) * stride] for i in range(h)]
    struct.pack_into("<i", bmp, 22, -h)
    bmp[offset:] = b"".join(reversed(rows))
    with open(os.path.join(OUT, "rgb24_topdown.bmp"), "wb") as f:
        f.write(bmp)
    assert np.array_equal(np.asarray(Image.open(os.path.join(OUT, "rgb24_topdown.bmp"))), rgb)
    record("rgb24_topdown", "rgb24_topdown.bmp", rgb)
    pal = Image.fromarray(rgb).quantize(colors=16)
    pal.save(os.path.join(OUT, "palette8.bmp"))
    record("palette8", "palette8.bmp", np.asarray(pal.convert("RGB")))
    # Two frames, the second smaller and offset (disposal: keep the first frame beneath).
    frames = [Image.fromarray(source(h, w, 3, 30)).quantize(colors=32), Image.fromarray(source(h, w, 3, 31)).quantize(colors=32)]
    frames[0].save(os.path.join(OUT, "two_frames.gif"), save_all=True, append_images=frames[1:], duration=50, loop=0)
    got = []
    with Image.open(os.path.join(OUT, "two_frames.gif")) as gif:
        for i in range(gif.n_frames):
            gif.seek(i)
            got.append(np.asarray(gif.convert("RGB")))
    record("two_frames", "two_frames.gif", np.stack(got))


def lzw_literals(indices, minimum=2):
    """An LZW stream of literal codes only: a clear code before every two, so the code size stays minimum + 1."""
    clear, size = 1 << minimum, minimum + 1
    codes = []
    for i in range(0, len(indices), 2):
        codes += [clear] + list(indices[i : i + 2])
    codes.append(clear + 1)
    bits = "".join(format(c, f"0{size}b")[::-1] for c in codes)
    bits += "0" * (-len(bits) % 8)
    data = bytes(int(bits[i : i + 8][::-1], 2) for i in range(0, len(bits), 8))
    return bytes([minimum]) + b"".join(bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255)) + b"\x00"


def handmade_gif():
    """A 5x4 screen: a full first frame, then a 3x3 interlaced frame at (1, 1) whose index 3 is transparent."""
    palette = np.array([[200, 10, 10], [10, 200, 10], [10, 10, 200], [250, 250, 0]], dtype=np.uint8)
    first = np.arange(20).reshape(4, 5) % 4
    second = np.array([[0, 3, 1], [3, 2, 3], [1, 1, 3]])
    interlaced = np.concatenate([second[0::8], second[4::8], second[2::4], second[1::2]])
    data = b"GIF89a" + struct.pack("<HHBBB", 5, 4, 0x81, 0, 0) + palette.tobytes()
    data += b"\x2c" + struct.pack("<HHHHB", 0, 0, 5, 4, 0) + lzw_literals(first.reshape(-1))
    data += b"\x21\xf9\x04" + bytes([0x01]) + struct.pack("<H", 10) + bytes([3, 0])  # transparent index 3, disposal 0
    data += b"\x2c" + struct.pack("<HHHHB", 1, 1, 3, 3, 0x40) + lzw_literals(interlaced.reshape(-1))
    data += b"\x3b"
    with open(os.path.join(OUT, "offset_transparent.gif"), "wb") as f:
        f.write(data)
    # TF's composition: frame 2 starts as frame 1; its rectangle is painted except where transparent.
    frame1 = palette[first]
    frame2 = frame1.copy()
    for y in range(3):
        for x in range(3):
            if second[y, x] != 3:
                frame2[1 + y, 1 + x] = palette[second[y, x]]
    expected = np.stack([frame1, frame2])
    with Image.open(os.path.join(OUT, "offset_transparent.gif")) as gif:
        got = []
        for i in range(gif.n_frames):
            gif.seek(i)
            got.append(np.asarray(gif.convert("RGB")))
    assert np.array_equal(np.stack(got), expected)
    record("offset_transparent", "offset_transparent.gif", expected)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    png_fixtures()
    jpeg_fixtures()
    bmp_gif_fixtures()
    handmade_gif()
    with open(os.path.join(OUT, "fixtures.json"), "w") as f:
        json.dump(MANIFEST, f, indent=1, sort_keys=True)
