"""Elements of a JSON array, decoded one at a time, so a large feed is never one big list in memory.

    array_items('[{"url": "a"}, "b"]', 0, out) -> (1, {"url": "a"}), (2, "b")
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Protocol

__all__ = ["array_items"]


class _Out(Protocol):
    def problem(self, line: int, text: str, message: str) -> None: ...


def array_items(text: str, start: int, out: _Out) -> Iterator[tuple[int, object]]:
    """Yields (1-based index, element) of the array opening at text[start]; a bad element is reported to out
    and ends the array (nesting deeper than the parser's stack included: issue 10, 10 KB of "[")."""
    decoder = json.JSONDecoder()
    position, index, end = start + 1, 0, len(text)
    while position < end:
        while position < end and text[position] in " \t\r\n,":
            position += 1
        if position >= end or text[position] == "]":
            return
        index += 1
        try:
            item, position = decoder.raw_decode(text, position)
        except RecursionError:
            out.problem(index, text[position:position + 200], "bad JSON: nests too deeply")
            return
        except ValueError as exc:
            out.problem(index, text[position:position + 200], f"bad JSON: {exc}")
            return
        yield index, item
