#!/usr/bin/env python3
"""Check that a PNG screenshot is not blank: decode it (zlib, no PIL) and count distinct
colours and non-white pixels. Usage: png_check.py FILE [MIN_COLOURS] [MIN_INK_SHARE]
Prints what it found; exits 1 if the picture looks blank, 2 if it is not a PNG it can read."""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def main():
    path = sys.argv[1]
    min_colours = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    min_ink = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
    try:
        width, height, channels, rows = read_png(path)
    except (OSError, ValueError, zlib.error) as e:
        print(f"{path}: cannot read the PNG: {e}")
        return 2
    colours, ink, total = set(), 0, 0
    for line in rows:
        for x in range(0, width * channels, channels):
            px = line[x : x + min(channels, 3)]
            colours.add(px)
            total += 1
            if min(px) < 235:
                ink += 1
    share = ink / max(total, 1)
    print(f"{path}: {width}x{height}, {len(colours)} distinct colours, {share:.1%} of pixels not near-white")
    if len(colours) < min_colours or share < min_ink:
        print(f"looks blank: want at least {min_colours} colours and {min_ink:.0%} ink")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
