"""`casebook check` on the images the build publishes (from `docs/` and each language's
`i18n/<code>/docs/`): each must be small enough to open.

The build opens every image to take its metadata out, which decodes its pixels; a small
file can hold a huge bitmap (a "decompression bomb"), so its size is read here from its
header alone, and an image beyond casebook.sources.limits.MAX_IMAGE_PIXELS is refused
before the build runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

from casebook.sources.limits import IMAGE_SUFFIXES, MAX_IMAGE_PIXELS
from casebook.sources.problems import Problem, display_path
from casebook.sources.project import Project

_HINT = (
    "make it smaller in an image editor (a page needs at most a few thousand pixels across) "
    "and save it again"
)


def image_files(project: Project, codes: Iterable[str]) -> list[Path]:
    """Every image the editions publish."""
    folders = [project.docs_dir, *(project.root / "i18n" / code / "docs" for code in codes)]
    images: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            images += sorted(
                p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
            )
    return images


def check_images(project: Project, codes: Iterable[str]) -> list[Problem]:
    problems: list[Problem] = []
    for path in image_files(project, codes):
        problems += _check_image(path, display_path(path, project.root))
    return problems


def image_size_problem(path: Path) -> str | None:
    """Why the image at `path` cannot be opened safely, or None. Reads its header only."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    megapixels = MAX_IMAGE_PIXELS // 1_000_000
    try:
        with warnings.catch_warnings():
            # Between the limit and twice it Pillow only warns: the limit below refuses it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
        with image:
            frames = getattr(image, "n_frames", 1)
            pixels = image.width * image.height * frames
            size = f"{image.width} x {image.height} pixels" + (
                f" in {frames} frames" if frames > 1 else ""
            )
    except Image.DecompressionBombError:
        return f"the image decompresses to more than {megapixels} megapixels, the limit; {_HINT}"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return None  # the build says what cannot be read, and how to save it again
    if pixels > MAX_IMAGE_PIXELS:
        return (
            f"the image is {size} ({pixels / 1_000_000:.0f} megapixels), more than the limit "
            f"of {megapixels} megapixels; {_HINT}"
        )
    return None


def _check_image(path: Path, name: str) -> Iterator[Problem]:
    problem = image_size_problem(path)
    if problem is not None:
        yield Problem(name, 1, "image", problem)
