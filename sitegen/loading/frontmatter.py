"""Split a page file into its YAML front matter and its Markdown body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import BuildError, Problem
from .yamlsrc import LineMap, load_yaml

OPENING = re.compile(r"---[ \t]*(?:\n|$)")
CLOSING = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Split:
    meta: LineMap
    body: str
    body_line: int  # line number of the body's first line in the file
    body_offset: int  # where the body starts in the text


def split_front_matter(text: str, path: str) -> Split:
    opening = OPENING.match(text)
    if not opening:
        raise BuildError(
            [
                Problem(
                    path,
                    1,
                    "the page does not start with front matter",
                    "begin the file with a '---' line, then 'title: ...', then another '---' line",
                )
            ]
        )
    closing = CLOSING.search(text, opening.end())
    if closing is None:
        raise BuildError(
            [Problem(path, 1, "front matter is not closed", "add a line with only '---' after the front matter")]
        )
    meta = load_yaml(text[opening.end() : closing.start()], path, first_line=2)
    if meta is None:
        meta = LineMap()
        meta.line = 2
    if not isinstance(meta, LineMap):
        raise BuildError(
            [
                Problem(
                    path,
                    2,
                    "front matter must be 'key: value' lines, not a list or a text",
                    "write e.g. 'title: My page'",
                )
            ]
        )
    newline = text.find("\n", closing.end())
    offset = newline + 1 if newline >= 0 else len(text)
    return Split(meta, text[offset:], text.count("\n", 0, closing.start()) + 2, offset)
