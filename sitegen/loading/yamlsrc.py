"""YAML loading that remembers lines, so every later error can name one.

Only PyYAML's safe loader is ever used (the C one when available): content can never construct
Python objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

from ..errors import BuildError, Problem

if TYPE_CHECKING:  # the C loader has the same methods; checked against the pure-Python one
    SafeBase = yaml.SafeLoader
else:
    SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


class ProblemInYaml(yaml.MarkedYAMLError):
    def __init__(self, problem: str, mark: yaml.Mark, hint: str):
        super().__init__(problem=problem, problem_mark=mark)
        self.text, self.line, self.hint = problem, mark.line, hint


class _Loader(SafeBase):
    first_line = 1

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap()
    result.line = loader.line(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise ProblemInYaml("a mapping key must be a plain value", key_node.start_mark, "write keys as plain words")
        if key in result:
            raise ProblemInYaml(
                f"duplicate key '{key}'",
                key_node.start_mark,
                f"'{key}' is already given on line {result.lines[key]}; keep one",
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = loader.line(key_node)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = loader.line(node)
    result.lines = [loader.line(child) for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise ProblemInYaml(
            f"'{node.value}' is not a real date", node.start_mark, "write a date that exists, as YYYY-MM-DD"
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml(text: str, path: str, first_line: int = 1):
    """Parse YAML text; lines in the result and in errors are counted from first_line."""
    loader = _Loader(text)
    loader.first_line = first_line
    try:
        return loader.get_single_data()
    except ProblemInYaml as error:
        raise BuildError([Problem(path, first_line + error.line, error.text, error.hint)]) from None
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark or error.context_mark
        raise BuildError(
            [
                Problem(
                    path,
                    first_line + (mark.line if mark else 0),
                    f"invalid YAML: {error.problem}",
                    "write plain text, numbers, lists and mappings: YAML tags that make objects "
                    "(!!python/...) are refused",
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as error:
        # The context mark is where the broken construct began: the line an editor has to fix.
        mark = error.context_mark or error.problem_mark
        line = first_line + (mark.line if mark else 0)
        problem = error.problem or error.context or "invalid YAML"
        raise BuildError(
            [
                Problem(
                    path,
                    line,
                    f"invalid YAML: {problem}",
                    "check indentation, colons and quotes around values with ':' or '#'",
                )
            ]
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as error:
        raise BuildError([Problem(path, first_line, f"invalid YAML: {error}", "check the file's syntax")]) from None
    finally:
        loader.dispose()
