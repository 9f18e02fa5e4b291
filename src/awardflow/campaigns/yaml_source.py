"""YAML with positions: the data of a campaign file plus, for every field path, the line and
column it was written on, so a rule broken deep inside the definition can be shown where the
author wrote it.

The file is parsed once (``yaml.SafeLoader``: no tags that run code) into a node tree whose
marks give the positions, and the data is constructed from that same tree. Two deliberate
differences from ``yaml.safe_load``:

- dates stay text (``2026-12-15``); the schema parses them, so an impossible date such as
  ``2026-13-01`` is reported on its line like any other bad value instead of aborting the load;
- a key written twice in one mapping is reported (PyYAML silently keeps the last one).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from awardflow.campaigns.schema_base import Loc

__all__ = ["DuplicateKey", "Position", "SourceIndex", "YamlSource", "read_yaml"]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


class _TextDatesLoader(yaml.SafeLoader):
    """SafeLoader that does not turn ``2026-12-15`` into a date (see the module docstring)."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column, as editors show them."""

    line: int
    column: int

    @classmethod
    def of(cls, mark: yaml.Mark) -> Position:
        return cls(mark.line + 1, mark.column + 1)


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    loc: Loc
    position: Position
    first: Position


@dataclass(slots=True)
class SourceIndex:
    """Where each field path was written: a mapping entry at its key, a list item at its dash."""

    positions: dict[Loc, Position] = field(default_factory=dict)

    def locate(self, loc: Loc) -> Position | None:
        """The position of ``loc``, or of its nearest written ancestor: a missing field is
        reported on the section that should hold it."""
        for n in range(len(loc), -1, -1):
            if (pos := self.positions.get(loc[:n])) is not None:
                return pos
        return None


@dataclass(frozen=True, slots=True)
class YamlSource:
    data: Any
    index: SourceIndex
    duplicates: tuple[DuplicateKey, ...]


def read_yaml(text: str) -> YamlSource:
    """Parse one YAML document; ``yaml.MarkedYAMLError`` (with its mark) if it is malformed."""
    loader = _TextDatesLoader(text)
    index = SourceIndex()
    duplicates: list[DuplicateKey] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlSource(None, index, ())
        # Walk before constructing: construction flattens ``<<:`` merges into the node tree.
        index.positions[()] = Position.of(node.start_mark)
        _walk(node, (), index, duplicates, frozenset())
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return YamlSource(data, index, tuple(duplicates))


def _entries(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node, bool]]:
    """(key, value, merged) pairs: own entries first, then those merged in with ``<<:``."""
    merges: list[yaml.Node] = []
    for key, value in node.value:
        if key.tag == _MERGE:
            merges.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
        else:
            yield key, value, False
    for merged in merges:
        if isinstance(merged, yaml.MappingNode):
            for key, value, _ in _entries(merged):
                yield key, value, True


def _walk(
    node: yaml.Node,
    loc: Loc,
    index: SourceIndex,
    duplicates: list[DuplicateKey],
    ancestors: frozenset[int],
) -> None:
    if id(node) in ancestors:  # a recursive alias: positions beyond this point add nothing
        return
    ancestors = ancestors | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, Position] = {}
        for key, value, merged in _entries(node):
            if not isinstance(key, yaml.ScalarNode):
                continue
            name, pos = str(key.value), Position.of(key.start_mark)
            if merged and name in seen:
                continue  # an own key overrides a merged one
            if name in seen:
                duplicates.append(DuplicateKey((*loc, name), pos, seen[name]))
            seen[name] = pos
            index.positions[(*loc, name)] = pos
            _walk(value, (*loc, name), index, duplicates, ancestors)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index.positions[(*loc, i)] = Position.of(item.start_mark)
            _walk(item, (*loc, i), index, duplicates, ancestors)
