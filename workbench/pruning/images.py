"""The user's own images: a folder (or one file) of photos read into the :class:`~workbench.pruning.sweep.Image` set.

:func:`~workbench.pruning.sweep.offline_images` gives the fixed ``skimage.data`` set; this module reads
whatever the user brings, checked on the way in: every file of the folder (hidden ones aside) must be an
image of an :data:`IMAGE_SUFFIXES` format that Pillow decodes, else the error names the file before any
model runs. The images are unlabelled (``label = -1``), so the sweep reports no ``knn_agree`` for them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workbench.errors import UsageError
from workbench.pruning.sweep import Image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def folder_images(path: str | Path) -> list[Image]:
    """Every image of a folder (sorted by name), or the one image file ``path``, as RGB :class:`Image` s.

    A file of another format, or one Pillow cannot decode, raises a :class:`~workbench.errors.UsageError`
    naming it; so does a folder without images.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"No image file or folder at {path}.")
    files = sorted(p for p in path.iterdir() if not p.name.startswith(".")) if path.is_dir() else [path]
    if not files:
        raise UsageError(f"The folder {path} holds no images: put {', '.join(IMAGE_SUFFIXES)} files in it.")
    return [Image(file.stem, _read_image(file)) for file in files]


def _read_image(file: Path) -> np.ndarray:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if file.suffix.lower() not in IMAGE_SUFFIXES or not file.is_file():
        raise UsageError(f"{file} is not an image this workbench reads (accepted: {', '.join(IMAGE_SUFFIXES)}). "
                         "Remove it from the folder or convert it.")
    try:
        with PILImage.open(file) as image:
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise UsageError(f"The image {file} cannot be decoded ({err}). Replace it with a complete copy.") from None
