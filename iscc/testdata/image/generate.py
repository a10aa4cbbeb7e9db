#!/usr/bin/python3
"""Generate the image preprocessing fixtures and their expected pixels.

Run with the real Pillow (Debian python3-pil, 9.4.0 was used):

    cd iscc/testdata/image && /usr/bin/python3 generate.py

For every image written here, NAME.pixels holds the 1024 grey values that
iscc-sdk's image_normalize (Pillow) computes: exif_transpose, fill
transparency on white, trim the uniform border, convert("L"),
resize((32, 32), BICUBIC). The steps are written out below as iscc-sdk
607d047 (iscc_sdk/image.py) performs them. All images are synthetic.
"""
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageOps

random.seed(24138)


def normalize(path):
    img = Image.open(path)
    img = ImageOps.exif_transpose(img)
    # image_fill_transparency
    if img.mode == "RGB":
        pass
    elif img.mode in ("RGBA", "LA"):
        bg = Image.new("RGB", img.size, (255, 255, 255))
        bg.paste(img, mask=img.getchannel("A"))
        img = bg
    elif img.mode == "P":
        if "transparency" in img.info:
            rgba = img.convert("RGBA")
            bg = Image.new("RGB", img.size, (255, 255, 255))
            bg.paste(rgba, mask=rgba.getchannel("A"))
            img = bg
        else:
            img = img.convert("RGB")
    else:
        img = img.convert("RGB")
    # image_trim_border
    bg = Image.new(img.mode, img.size, img.getpixel((0, 0)))
    diff = ImageChops.difference(img, bg)
    diff = ImageChops.add(diff, diff)
    bbox = diff.getbbox()
    if bbox != (0, 0) + img.size:
        img = img.crop(bbox)
    img = img.convert("L")
    im = img.resize((32, 32), Image.BICUBIC)
    return bytes(im.getdata())


def scene(w, h, mode="RGB"):
    """A smooth synthetic picture: gradients, discs, lines."""
    img = Image.new("RGB", (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = (
                int(127 + 127 * math.sin(x / 17.0)),
                int(255 * y / max(h - 1, 1)),
                int(127 + 127 * math.cos((x + y) / 23.0)),
            )
    d = ImageDraw.Draw(img)
    for _ in range(6):
        x, y, r = random.randrange(w), random.randrange(h), random.randrange(5, max(6, w // 4))
        d.ellipse((x - r, y - r, x + r, y + r), fill=tuple(random.randrange(256) for _ in range(3)))
    d.line((0, h // 3, w, h // 2), fill=(0, 0, 0), width=3)
    return img


def exif_with_orientation(o):
    ex = Image.Exif()
    ex[0x0112] = o
    return ex.tobytes()


def main():
    out = {}
    base = scene(157, 103)
    base.save("rgb.png"); out["rgb.png"] = 1
    scene(20, 13).save("small_upscale.png")
    scene(31, 400).save("tall.png")
    scene(1001, 37).save("wide.png")
    base.convert("L").save("grey.png")
    # RGBA with partial transparency
    rgba = base.convert("RGBA")
    a = Image.new("L", rgba.size)
    a.putdata([(x * 255) // (rgba.size[0] - 1) for y in range(rgba.size[1]) for x in range(rgba.size[0])])
    rgba.putalpha(a)
    rgba.save("rgba.png")
    la = base.convert("L").convert("LA")
    la.putalpha(a)
    la.save("la.png")
    # palette with a transparent index, as PNG and GIF
    p = base.convert("P", palette=Image.ADAPTIVE, colors=32)
    p.save("palette.png")
    p.info["transparency"] = 3
    p.save("palette_trns.png", transparency=3)
    p.save("palette_trns.gif", transparency=3)
    p.save("palette.gif")
    # uniform border to trim (not on the top-left pixel colour everywhere)
    framed = Image.new("RGB", (220, 160), (250, 250, 250))
    framed.paste(base, (23, 31))
    framed.save("border.png")
    Image.new("RGB", (64, 48), (12, 200, 99)).save("uniform.png")
    # 16-bit grey: Pillow opens it as mode I and clips to 0..255
    g16 = Image.new("I", (90, 70))
    g16.putdata([(x * 40 + y * 3) for y in range(70) for x in range(90)])
    g16.save("grey16.png")
    base.save("rgb.bmp")
    base.save("rgb.tiff")
    base.save("rgb_lossless.webp", lossless=True)
    rgba.save("rgba_lossless.webp", lossless=True)
    # EXIF orientation 1..8 in PNG eXIf, TIFF IFD0, WebP EXIF and JPEG APP1
    for o in range(1, 9):
        base.save(f"orient{o}.png", exif=exif_with_orientation(o))
        base.save(f"orient{o}.jpg", exif=exif_with_orientation(o), quality=95)
    base.save("orient6.webp", lossless=True, exif=exif_with_orientation(6))
    ti = base.copy()
    ti.save("orient8.tiff", tiffinfo={0x0112: 8})
    # lossy formats: decoders differ from libjpeg-turbo/libwebp
    base.save("q90_420.jpg", quality=90)
    base.save("q90_444.jpg", quality=90, subsampling=0)
    base.convert("L").save("grey.jpg", quality=90)
    base.convert("CMYK").save("cmyk.jpg", quality=90)
    base.save("lossy.webp", quality=80)
    rgba.save("rgba_lossy.webp", quality=80)
    base.save("q90_422.jpg", quality=90, subsampling=1)
    base.save("progressive.jpg", quality=90, progressive=True)

    # 16-bit RGB and RGBA PNGs (Pillow cannot write them; ffmpeg can).
    import subprocess
    for name, fmt, src in (("rgb48.png", "rgb48be", "rgb.png"), ("rgba64.png", "rgba64be", "rgba.png")):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", src, "-pix_fmt", fmt, name], check=True)

    # 4:4:0 JPEG (Pillow cannot write it; ffmpeg can).
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", "rgb.png", "-pix_fmt", "yuvj440p", "-q:v", "3", "q_440.jpg"], check=True)

    import glob
    for path in sorted(glob.glob("*")):
        if path.endswith((".py", ".pixels")):
            continue
        if path == "orient8.tiff":
            # Pillow 9.4 rotates a raw TIFF by its Orientation tag while
            # loading and exif_transpose then rotates it again; the Go test
            # expects the orientation applied once (orient8.png.pixels).
            continue
        px = normalize(path)
        with open(path + ".pixels", "w") as f:
            for row in range(32):
                f.write(px[row * 32:(row + 1) * 32].hex() + "\n")


if __name__ == "__main__":
    main()
