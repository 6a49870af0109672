"""An entry's sub-items as a tree, built one labelled row at a time.

The annex nests its sub-items: ``a.``, ``b.``, then ``b.1.``, ``b.1.a.`` … ``b.2.``;
elsewhere ``(1)``, ``(가)``, ``1)``, ``가)``. A label is placed by the numbering
scheme it continues (:class:`~exportctl.annex.labels.Step`), nearest first:

* it follows the last sub-item of an open level of its scheme (``b.`` after
  ``a.``, ``(2)`` after ``(1)``): it is that sub-item's next sibling, and the
  levels below are closed;
* it starts a scheme (``a.``, ``1.``, ``(가)``) other than the deepest open one:
  it opens a level under the last sub-item (``1.`` under a letter, ``a.`` under a
  number);
* a full label (``b.1.a.``) names its parent by path, and must follow its last
  sibling (or be the first).

Any other label breaks its scheme (``c.`` after ``a.``, ``(2)`` with no ``(1)``,
``b.1.a.`` with no ``b.1.``): it is still a sub-item, placed beside the nearest
level of its scheme (else under the last sub-item), and :meth:`Outline.add` says
why, for a ``sub-item-sequence`` warning. It is never an entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exportctl.annex.labels import Label, Step
from exportctl.annex.references import control_numbers
from exportctl.i18n import _
from exportctl.models import SubItem

__all__ = ["Outline"]


@dataclass(slots=True)
class _Node:
    label: str
    step: Step
    path: str
    text: str
    text_en: str | None
    listed: tuple[str, ...] = ()
    """Numbers of the row's control-number cell (they come before its texts')."""
    listed_later: tuple[str, ...] = ()
    """Numbers of the cells of rows that continue it (after its texts')."""
    children: list[_Node] = field(default_factory=list)

    def freeze(self) -> SubItem:
        numbers = [
            *self.listed,
            *control_numbers(self.text),
            *control_numbers(self.text_en),
            *self.listed_later,
        ]
        return SubItem(
            self.label,
            self.text,
            tuple(dict.fromkeys(numbers)),
            self.text_en,
            self.path,
            tuple(child.freeze() for child in self.children),
        )


def _follows(before: Step, after: Step) -> bool:
    return before.scheme == after.scheme and after.ordinal == before.ordinal + 1


class Outline:
    """The sub-items of one entry, as their rows are read.

    Example:
        >>> from exportctl.annex.labels import parse_label
        >>> outline = Outline()
        >>> for text in ("a. 하나", "b. 둘", "1. 셋", "a. 넷", "b.2. 다섯"):
        ...     label = parse_label(text)
        ...     _ = outline.add(label, label.rest, None)
        >>> [sub.path for root in outline.sub_items() for sub in root.walk()]
        ['a', 'b', 'b.1', 'b.1.a', 'b.2']
    """

    def __init__(self) -> None:
        self._roots: list[_Node] = []
        self._open: list[_Node] = []
        """The last sub-item placed and its parents, from the entry down."""

    def __bool__(self) -> bool:
        return bool(self._roots)

    @property
    def last(self) -> _Node | None:
        """The sub-item placed last (where a continued row's text goes)."""
        return self._open[-1] if self._open else None

    def add(
        self, label: Label, text: str, text_en: str | None, listed: tuple[str, ...] = ()
    ) -> str | None:
        """Place a labelled row (``listed``: its control-number cell's numbers); returns
        why its label breaks its scheme, or ``None``."""
        if len(label.steps) > 1:
            problem = self._add_path(label, text, text_en)
            self._open[-1].listed = listed
            return problem
        step = label.steps[0]
        problem = self._add_one(label, step, text, text_en)
        self._open[-1].listed = listed
        return problem

    def _add_one(self, label: Label, step: Step, text: str, text_en: str | None) -> str | None:
        for depth in range(len(self._open) - 1, -1, -1):
            if _follows(self._open[depth].step, step):
                self._place(depth, label, step, text, text_en)
                return None
        if step.ordinal == 1 and (not self._open or self._open[-1].step.scheme != step.scheme):
            self._place(len(self._open), label, step, text, text_en)
            return None
        same = [d for d, node in enumerate(self._open) if node.step.scheme == step.scheme]
        depth = same[-1] if same else len(self._open)
        above = f'"{self._open[-1].label}"' if self._open else _("nothing")
        self._place(depth, label, step, text, text_en)
        return _("it continues no numbering open above it (the sub-item above is {above})").format(
            above=above
        )

    def _place(
        self,
        depth: int,
        label: Label,
        step: Step,
        text: str,
        text_en: str | None,
        path: str | None = None,
    ) -> None:
        parent = self._open[depth - 1] if depth > 0 else None
        if path is None:
            path = f"{parent.path}.{step.key}" if parent is not None else step.key
        node = _Node(label.text, step, path, text, text_en)
        (parent.children if parent is not None else self._roots).append(node)
        self._open = [*self._open[:depth], node]

    def _add_path(self, label: Label, text: str, text_en: str | None) -> str | None:
        chain: list[_Node] = []
        siblings = self._roots
        problem: str | None = None
        for step in label.steps[:-1]:
            found = next((node for node in siblings if node.step.key == step.key), None)
            if found is None:
                problem = _('no sub-item "{label}." is above it').format(
                    label=".".join(s.key for s in label.steps[:-1])
                )
                break
            chain.append(found)
            siblings = found.children
        step = label.steps[-1]
        before = siblings[-1].step if siblings else None
        if problem is None and not (
            _follows(before, step) if before is not None else step.ordinal == 1
        ):
            problem = _("it does not follow the sub-item before it at its level")
        self._open = chain
        # A full label names its path itself, even where its parent is missing.
        path = ".".join(s.key for s in label.steps)
        self._place(len(chain), label, step, text, text_en, path)
        return (
            None
            if problem is None
            else _("its numbering breaks: {problem}").format(problem=problem)
        )

    def append_text(self, more: str, listed: tuple[str, ...] = ()) -> str:
        """Join a continued row's text (and its control-number cell's numbers) to the last
        sub-item's; returns that sub-item's label."""
        node = self._open[-1]
        if more:
            node.text = f"{node.text} {more}" if node.text else more
        node.listed_later = (*node.listed_later, *listed)
        return node.label

    def sub_items(self) -> tuple[SubItem, ...]:
        """The tree as sub-items, control numbers read from each one's texts."""
        return tuple(node.freeze() for node in self._roots)
