"""Sub-items as the text stored in ``item.sub_items``, in the tree shape and the flat one.

Since revision ``20261206_0006`` the column holds the tree: a JSON list of
``{label, path, text, text_en, control_numbers, sub_items}``, nested. Before it,
it held a flat list of ``{label, text, control_numbers}`` whose ``text`` carried the
English after `` / `` when the row had an English cell. That revision rewrites each
flat list as a tree (:func:`tree_from_flat`); a list it could not rewrite exactly
stays flat, and :func:`decode_sub_items` reads both.

Versions digested before the tree (schemes 1 and 2 of :mod:`exportctl.store.digests`)
digested the flat text. :func:`flat_text` gives it back from a rewritten tree, so
those versions still verify. Both functions are therefore frozen: a change to how a
flat list reads as a tree would make every upgraded version fail ``audit verify``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from exportctl.models import SubItem, label_key, split_full_text

__all__ = ["decode_sub_items", "encode_sub_items", "flat_text", "tree_from_flat"]

_GLUE = " / "
_TREE_KEYS = ("label", "path", "text", "text_en", "control_numbers", "sub_items")


def encode_sub_items(sub_items: Sequence[SubItem]) -> str | None:
    """Sub-items as the JSON text stored in ``item.sub_items`` (``None`` for none)."""
    if not sub_items:
        return None
    return json.dumps([sub.to_json() for sub in sub_items], ensure_ascii=False)


def decode_sub_items(text: str | bytes | None) -> tuple[SubItem, ...]:
    """The stored JSON text back as sub-items: a tree, or a flat list stored before it."""
    if not text:
        return ()
    return tuple(_node(d) for d in json.loads(text))


def _node(data: dict[str, Any]) -> SubItem:
    if "path" not in data:
        data = _flat_to_tree(data)
    return SubItem(
        str(data["label"]),
        str(data["text"]),
        tuple(data.get("control_numbers") or ()),
        None if data.get("text_en") is None else str(data["text_en"]),
        str(data["path"]),
        tuple(_node(child) for child in data.get("sub_items") or ()),
    )


def _flat_to_tree(data: dict[str, Any]) -> dict[str, Any]:
    text, english = split_full_text(str(data["text"]))
    label = str(data["label"])
    return {
        "label": label,
        "path": label_key(label),
        "text": text,
        "text_en": english,
        "control_numbers": list(data.get("control_numbers") or ()),
        "sub_items": [],
    }


def tree_from_flat(text: str) -> str | None:
    """A flat stored list rewritten as a tree, or ``None`` when it is not exactly one.

    ``None`` also when :func:`flat_text` of the tree would not give ``text`` back
    byte for byte (a list written by hand, or in another spacing): such a list is
    left as it is.
    """
    data = json.loads(text)
    if not isinstance(data, list) or not all(
        isinstance(d, dict) and set(d) == {"label", "text", "control_numbers"} for d in data
    ):
        return None
    tree = json.dumps([_flat_to_tree(d) for d in data], ensure_ascii=False)
    return tree if flat_text(tree) == text else None


def flat_text(text: str) -> str:
    """The flat text a tree was rewritten from (see :func:`tree_from_flat`); else ``text``.

    A tree holding anything a flat list cannot say (a nested sub-item, a path that is
    not its label's, English a flat text would not read back as English) is given
    back unchanged, so that a change to it never reads as the flat text it replaced.
    """
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, list):
        return text
    flat: list[dict[str, Any]] = []
    for node in data:
        if not isinstance(node, dict) or tuple(node) != _TREE_KEYS or node["sub_items"]:
            return text
        if not isinstance(node["label"], str) or not isinstance(node["text"], str):
            return text
        english = node["text_en"]
        glued = node["text"] if english is None else f"{node['text']}{_GLUE}{english}"
        flat.append(
            {"label": node["label"], "text": glued, "control_numbers": node["control_numbers"]}
        )
    candidate = json.dumps(flat, ensure_ascii=False)
    rebuilt = json.dumps([_flat_to_tree(d) for d in flat], ensure_ascii=False)
    return candidate if rebuilt == text else text
