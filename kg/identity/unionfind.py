"""Disjoint sets for the matchers of works, people and venues."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class UnionFind(Generic[T]):
    """Sets of comparable items, each named by its smallest member, so which
    member names a set never depends on the order of the joins (and neither do
    the IRIs and evidence minted from it)."""

    def __init__(self, items: Iterable[T] = ()) -> None:
        self.parent: dict[T, T] = {item: item for item in items}

    def add(self, item: T) -> None:
        self.parent.setdefault(item, item)

    def __contains__(self, item: object) -> bool:
        return item in self.parent

    def find(self, item: T) -> T:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: T, b: T) -> tuple[T, T] | None:
        """Join the sets of ``a`` and ``b``; returns (kept root, absorbed root),
        or None when they were one set already."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        low, high = (ra, rb) if ra < rb else (rb, ra)
        self.parent[high] = low
        return low, high

    def groups(self) -> list[list[T]]:
        """The sets, each in the order its members were added, sorted."""
        found: dict[T, list[T]] = {}
        for item in self.parent:
            found.setdefault(self.find(item), []).append(item)
        return sorted(found.values())


class KeptApart(Generic[T]):
    """The sides of a curator's "not the same" rows that each set holds, kept
    only for the sets a row names (a build without such rows pays nothing)."""

    def __init__(self) -> None:
        self.held: dict[T, set[tuple[int, int]]] = {}

    def add(self, root: T, row: int, side: int) -> None:
        self.held.setdefault(root, set()).add((row, side))

    def forbids(self, a: T, b: T) -> bool:
        """Whether joining the sets of roots ``a`` and ``b`` would put two sides of one row together."""
        left, right = self.held.get(a), self.held.get(b)
        if not left or not right:
            return False
        sides = left | right
        return len({row for row, _ in sides}) < len(sides)

    def merge(self, low: T, high: T) -> None:
        """Root ``high`` was joined into ``low``."""
        moved = self.held.pop(high, None)
        if moved:
            self.held.setdefault(low, set()).update(moved)
