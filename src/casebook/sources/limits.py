"""The limits every source file is held to, so that no file can make the check or the build
slow, hungry or crash (README.md, "Limits", states them for editors).

Each limit is far above what a real case or data file needs: the longest case in the
library is under 20 KB, its longest line under 500 characters, its YAML 5 levels deep.
"""

from __future__ import annotations

# The largest file of each kind, in bytes: a case (or translation) and any YAML file.
MAX_MARKDOWN_BYTES = 256 * 1024
MAX_YAML_BYTES = 1024 * 1024

# The longest line of any source file, and the longest text value of a YAML file (a value
# folded over several lines is one text), in characters. The content rules and the
# safeguarding patterns read each text whole.
MAX_LINE_CHARS = 5_000
MAX_TEXT_CHARS = 5_000

# How deep YAML may nest lists and groups of fields (a case's front matter needs 4). The
# check refuses deeper YAML before building it: libyaml's composer recurses, and crashes
# the process on YAML nested a hundred thousand deep.
MAX_YAML_DEPTH = 32

# How deep one line of a case's (or a guidance page's) Markdown may nest lists and block
# quotes, counting its markers ("- - - x" is 3 levels) and its indentation. Python-Markdown
# recurses into each level, and a few hundred levels, on one line or many, crash it; a
# document of lines within this limit stays some 40 frames deep (casebook.check.bodylimits).
MAX_MARKDOWN_NESTING = 10

# How many characters Python-Markdown may scan, over a whole case's body, to find where the
# link texts ('[' ... ']') and link addresses ('](' ... ')') end. Each '[' that is never
# closed, or that nests deep, makes it scan to the end of its paragraph; a real case needs
# a few thousand. Above this, reading the links takes seconds (about one per million).
MAX_LINK_SCAN_CHARS = 300_000

# The images the build opens (to take their metadata out), and how many pixels one may
# hold, every frame counted: a few kilobytes of PNG can decompress to gigabytes of bitmap.
# 64 megapixels is a 8,000 x 8,000 photo, far beyond what a web page shows.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"})
MAX_IMAGE_PIXELS = 64_000_000
