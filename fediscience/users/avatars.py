"""Avatar images: uploaded ones resized to a square PNG, or Gravatar."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import Invalid

AVATAR_SIZE = 256
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early


def process_avatar(data: bytes, max_bytes: int) -> bytes:
    """Decode an uploaded image, crop it square and resize it; returns PNG bytes."""
    if len(data) > max_bytes:
        raise Invalid(f"Images up to {max_bytes // 1_000_000} MB are accepted.", field="avatar")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image).convert("RGBA")
            image = ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid("This file is not an image we can read (PNG, JPEG, GIF or WebP).", field="avatar") from None
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def store_avatar(media_dir: Path, png: bytes) -> str:
    """Write the avatar under its content hash and return the file name."""
    name = hashlib.sha256(png).hexdigest()[:32] + ".png"
    folder = media_dir / "avatars"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(png)
    return name


def gravatar_url(email: str, size: int = 128) -> str:
    """The Gravatar URL for an email address (identicon when none is registered)."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"https://www.gravatar.com/avatar/{digest}?s={size}&d=identicon"
