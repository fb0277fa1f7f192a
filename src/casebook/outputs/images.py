"""Images are published without their metadata: a phone's photo carries where it was taken
(GPS), when, and the camera's serial number, which could locate a child, a shelter or the
photographer. The source file in the repository is left as it is; only the site's copy is
cleaned."""

from __future__ import annotations

import functools
import io
import warnings
from typing import Any

from casebook.sources.limits import IMAGE_SUFFIXES, MAX_IMAGE_PIXELS

ORIENTATION = 0x0112  # the EXIF tag saying how the camera was held
# Metadata an image may carry besides EXIF: XMP (which repeats GPS), comments, IPTC.
PRIVATE_INFO = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc")


class ImageError(Exception):
    """An image that cannot be read, so cannot be cleaned."""


@functools.lru_cache(maxsize=64)
def without_metadata(data: bytes, suffix: str) -> bytes:
    """The image without its metadata, turned the way its orientation tag said; the same
    bytes when it carries none. Colour profiles are kept: they are not personal."""
    if suffix.lower() not in IMAGE_SUFFIXES:
        return data
    from PIL import Image, ImageOps, UnidentifiedImageError

    # Pillow refuses twice its limit on opening; ours is checked below, before any decoding.
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below
            image = Image.open(io.BytesIO(data))
        with image:
            pixels = image.width * image.height * getattr(image, "n_frames", 1)
            if pixels > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{pixels} pixels")
            exif = image.getexif()
            texts = getattr(image, "text", {})  # PNG text chunks
            if not exif and not texts and not any(key in image.info for key in PRIVATE_INFO):
                return data
            options: dict[str, Any] = {"format": image.format}
            if image.info.get("icc_profile"):
                options["icc_profile"] = image.info["icc_profile"]
            if getattr(image, "n_frames", 1) > 1:
                options["save_all"] = True
            turned = exif.get(ORIENTATION, 1) not in (1, None)
            cleaned = ImageOps.exif_transpose(image) if turned else image
            if image.format == "JPEG":
                # The same quantisation as the original when it was not turned: no visible loss.
                options["quality"] = 95 if turned else "keep"
                if not turned:
                    options["subsampling"] = "keep"
            out = io.BytesIO()
            cleaned.save(out, **options)
            return out.getvalue()
    except Image.DecompressionBombError as exc:
        raise ImageError(
            f"this image decompresses to more than {MAX_IMAGE_PIXELS // 1_000_000} megapixels "
            f"({exc}), the limit; make it smaller in an image editor and save it again"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError(
            f"this image cannot be read ({exc}), so its location data cannot be removed; "
            "open it in an image editor, save it again as JPEG or PNG, and build again"
        ) from exc
