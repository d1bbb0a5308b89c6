"""What a reader kept of its source: every element seen, which were mapped, which were not.

A reader marks the elements whose content it maps (:meth:`Tracker.use` for one element,
:meth:`Tracker.use_tree` for an element whose whole text it keeps, mixed content included);
:meth:`Tracker.account` then walks the source and counts the rest by element path, so no
element is lost in silence. Paths are local names from the record's root; inside a finding
aid's component tree the path starts at the innermost component (``c/did/note``), so one
line counts an element at every depth.

>>> from lxml import etree
>>> root = etree.fromstring("<ead><archdesc><did><unittitle>T</unittitle></did>"
...                         "<runner>R</runner></archdesc></ead>")
>>> t = Tracker()
>>> t.use(root); t.use(root[0]); t.use_tree(root[0][0])
>>> f = t.account(root)
>>> f.seen, f.mapped, dict(f.unmapped)
(5, 4, {'ead/archdesc/runner': 1})
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from loaders.xmlsafe import local_name

_COMPONENT = re.compile(r"^c(0[1-9]|1[0-2])?$")


@dataclass
class Fidelity:
    """Counts of source elements: seen, mapped, and the unmapped ones by path."""

    seen: int = 0
    mapped: int = 0
    unmapped: Counter[str] = field(default_factory=Counter)

    def __iadd__(self, other: Fidelity) -> Fidelity:
        self.seen += other.seen
        self.mapped += other.mapped
        self.unmapped.update(other.unmapped)
        return self

    def to_dict(self) -> dict[str, object]:
        return {"seen": self.seen, "mapped": self.mapped,
                "unmapped": dict(sorted(self.unmapped.items(), key=lambda kv: (-kv[1], kv[0])))}


class Tracker:
    """The elements a reader used (kept alive, so lxml gives back the same proxies)."""

    __slots__ = ("_trees", "_used")

    def __init__(self) -> None:
        self._used: set[etree._Element] = set()
        self._trees: set[etree._Element] = set()  # mapped with everything inside

    def use(self, el: etree._Element | None) -> None:
        """``el`` itself is mapped (its children are accounted for on their own)."""
        if el is not None:
            self._used.add(el)

    def use_tree(self, el: etree._Element | None) -> None:
        """``el`` and every element inside it are mapped (their text is kept)."""
        if el is not None:
            self._trees.add(el)

    def used(self, el: etree._Element) -> bool:
        return el in self._used or el in self._trees or any(
            a in self._trees for a in el.iterancestors())

    def account(self, root: etree._Element, name: str | None = None) -> Fidelity:
        """Seen, mapped and unmapped elements under ``root`` (included), their paths
        starting with ``name`` (default: the root's local name)."""
        out = Fidelity()
        used, trees = self._used, self._trees
        stack: list[tuple[etree._Element, str]] = [(root, name or local_name(root))]
        while stack:
            el, path = stack.pop()
            if el in trees:  # the whole subtree is mapped: counted without a walk in Python
                n = sum(1 for _ in el.iter(etree.Element))
                out.seen += n
                out.mapped += n
                continue
            out.seen += 1
            if el in used:
                out.mapped += 1
            else:
                out.unmapped[path] += 1
            for child in el.iterchildren(etree.Element):
                name = local_name(child)
                stack.append((child, "c" if _COMPONENT.match(name) else f"{path}/{name}"))
        return out
