"""YAML loading that remembers lines, so every later error can name one.

Only PyYAML's SafeLoader is ever used: content can never construct Python objects.
"""
from __future__ import annotations

import yaml

from .errors import BuildError, Problem


class LineMap(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int = 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    line: int = 1

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.MarkedYAMLError(problem="a mapping key must be a plain value", problem_mark=key_node.start_mark)
        if key in result:
            raise yaml.MarkedYAMLError(problem=f"duplicate key '{key}'", problem_mark=key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_yaml(text: str, path: str, first_line: int = 1):
    """Parse YAML text; lines in the result and in errors are counted from first_line."""
    try:
        value = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        # The context mark is where the broken construct began: the line an editor has to fix.
        mark = error.context_mark or error.problem_mark
        line = first_line + (mark.line if mark else 0)
        problem = error.problem or error.context or "invalid YAML"
        raise BuildError([Problem(path, line, f"invalid YAML: {problem}",
                                  "check indentation, colons and quotes around values with ':' or '#'")]) from None
    except yaml.YAMLError as error:
        raise BuildError([Problem(path, first_line, f"invalid YAML: {error}", "check the file's syntax")]) from None
    if first_line != 1:
        _shift_lines(value, first_line - 1)
    return value


def _shift_lines(value, offset: int) -> None:
    if isinstance(value, LineMap):
        value.line += offset
        value.lines = {k: v + offset for k, v in value.lines.items()}
        for child in value.values():
            _shift_lines(child, offset)
    elif isinstance(value, LineList):
        value.line += offset
        value.lines = [v + offset for v in value.lines]
        for child in value:
            _shift_lines(child, offset)
