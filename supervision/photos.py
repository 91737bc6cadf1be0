"""Check-in photos: checked by their content, decoded safely and re-encoded. Pillow only, no Django.

An upload is trusted for nothing: the file name and the browser's content type are ignored. The image must be a
JPEG, PNG or WebP whose header declares at most ``max_pixels`` (checked before any pixel is decoded, so a small
file that expands into gigabytes is refused); JPEGs are decoded at a reduced scale when they are larger than
needed, other formats have a smaller budget. The stored file is a fresh JPEG of at most ``MAX_SIDE`` pixels per side, turned upright, without EXIF:
no GPS position, camera serial or time from the phone is kept.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_SIDE = 1280
JPEG_QUALITY = 80
# The JPEG decoder also opens MPO, the JPEG variant some phone cameras write (its format then reads "MPO").
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")


# A JPEG is decoded at a reduced scale, other formats at full size: they get a smaller pixel budget (16 MP,
# about 50 MB decoded), which still holds any phone screenshot.
OTHER_FORMATS_MAX_PIXELS = 16_000_000
TOO_MANY_PIXELS = "照片像素过大，请用手机相机直接拍摄。"
NOT_A_PHOTO = "上传的文件不是照片，或照片已损坏，请重新拍摄。"


class PhotoError(ValueError):
    """A refused photo; str() is the message shown to the trainee."""


@dataclass(frozen=True)
class Photo:
    content: bytes  # JPEG
    width: int
    height: int


def photo_from_upload(data: bytes, *, max_bytes: int, max_pixels: int) -> Photo:
    if not data:
        raise PhotoError("照片文件是空的，请重新拍摄。")
    if len(data) > max_bytes:
        raise PhotoError(f"照片文件过大（不能超过 {max_bytes // (1024 * 1024)} MB），请重新拍摄。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only these decoders are tried: a file of any other format is "not a photo".
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                width, height = image.size
                is_jpeg = image.format in ("JPEG", "MPO")
                limit = max_pixels if is_jpeg else min(max_pixels, OTHER_FORMATS_MAX_PIXELS)
                if width < 1 or height < 1 or width * height > limit:
                    raise PhotoError(TOO_MANY_PIXELS)
                if is_jpeg:
                    image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # DCT scaling: decode big JPEGs at 1/2, 1/4 or 1/8
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = upright.convert("RGB")
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard, at a larger size than ours: it may fire while the header is read.
        raise PhotoError(TOO_MANY_PIXELS) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Unknown formats (UnidentifiedImageError is an OSError), truncated and malformed files.
        raise PhotoError(NOT_A_PHOTO) from None
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    output = io.BytesIO()
    rgb.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return Photo(content=output.getvalue(), width=rgb.width, height=rgb.height)
