"""sub-item tree: item.sub_items holds nested sub-items with their path and English

Revision ID: 20261206_0006
Revises: 20261129_0005
Create Date: 2026-12-06 10:30:00.000000

No column changes. Each item's flat list of ``{label, text, control_numbers}``
is rewritten as a tree of ``{label, path, text, text_en, control_numbers,
sub_items}`` (:func:`exportctl.store.subitems.tree_from_flat`): one level, the
English half of a text glued after `` / `` moved to ``text_en``. A list that does
not rewrite exactly is left flat; exportctl reads both.

Versions digested before this revision keep their scheme (1 or 2), which reads
a rewritten tree back as the flat text it came from, so ``audit verify`` passes
on them as before and still sees a change to them. The upgrade records nothing
in the audit chain: what is stored means what it meant.

The downgrade writes each tree back as the flat list it came from; a tree with
nested sub-items (imported after this revision) is flattened, each nested label
spelt by its path and its English glued after `` / ``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from exportctl.store.subitems import flat_text, tree_from_flat

revision = "20261206_0006"
down_revision = "20261129_0005"
branch_labels = None
depends_on = None

_CHUNK = 5000


def _rewrite(change: Callable[[str], str | None]) -> None:
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "select id, sub_items from item where sub_items is not null and id > :last "
                "order by id limit :n"
            ),
            {"last": last, "n": _CHUNK},
        ).all()
        if not rows:
            return
        updates = []
        for row in rows:
            new = change(row.sub_items)
            if new is not None and new != row.sub_items:
                updates.append({"i": row.id, "s": new})
        if updates:
            bind.execute(sa.text("update item set sub_items = :s where id = :i"), updates)
        last = rows[-1].id


def upgrade() -> None:
    _rewrite(tree_from_flat)


def _flatten(nodes: list[dict[str, Any]], out: list[dict[str, Any]], top: bool) -> None:
    for node in nodes:
        label = node["label"]
        if not top:
            label = f"{node['path']}." if label.endswith(".") else node["path"]
        english = node.get("text_en")
        text = node["text"] if english is None else f"{node['text']} / {english}"
        out.append({"label": label, "text": text, "control_numbers": node["control_numbers"]})
        _flatten(node.get("sub_items") or [], out, False)


def _to_flat(text: str) -> str | None:
    flat = flat_text(text)
    if flat != text:
        return flat
    data = json.loads(text)
    if not isinstance(data, list) or not all(isinstance(d, dict) and "path" in d for d in data):
        return None
    out: list[dict[str, Any]] = []
    _flatten(data, out, True)
    return json.dumps(out, ensure_ascii=False)


def downgrade() -> None:
    _rewrite(_to_flat)
