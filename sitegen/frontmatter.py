"""Split a page file into its YAML front matter and its Markdown body."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import BuildError, Problem
from .yamlsrc import LineMap, load_yaml

FENCE = "---"


@dataclass(frozen=True)
class Split:
    meta: LineMap
    body: str
    body_line: int  # line number of the body's first line in the file


def split_front_matter(text: str, path: str) -> Split:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != FENCE:
        raise BuildError([Problem(path, 1, "the page does not start with front matter",
                                  "begin the file with a '---' line, then 'title: ...', then another '---' line")])
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() == FENCE:
            meta = load_yaml("".join(lines[1:index]), path, first_line=2)
            if meta is None:
                meta = LineMap()
            if not isinstance(meta, LineMap):
                raise BuildError([Problem(path, 2, "front matter must be 'key: value' lines, not a list or a text",
                                          "write e.g. 'title: My page'")])
            if not meta.lines:
                meta.line = 2
            return Split(meta, "".join(lines[index + 1:]), index + 2)
    raise BuildError([Problem(path, 1, "front matter is not closed",
                              "add a line with only '---' after the front matter")])
