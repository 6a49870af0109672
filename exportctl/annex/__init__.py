"""How Korean legal annex tables write their entries (별표 2의2 and its kind).

Pure text rules, no I/O but the word lists of ``data/`` (read on first use): serial
numbers with legal branch numbers (``3의2``) and the checks over a part's serials
(:mod:`.serials`), sub-item labels (``a.``, ``(1)``, ``가.``) at the start of a row or
inside an entry's cell (:mod:`.labels`), Annex 2 control numbers (``3A001.a.3``, in a
control-number cell or a text) and HS codes named in passing (:mod:`.references`), part
titles (:mod:`.titles`), and the notice a revision belongs to (:mod:`.notice`).

Example:
    >>> parse_serial("3의2").key
    (3, (2,))
"""

from __future__ import annotations

from exportctl.annex.labels import Label, Step, label_level, parse_label, split_inline, split_label
from exportctl.annex.notice import Notice, parse_notice, parse_notice_number
from exportctl.annex.references import (
    ControlNumberProblem,
    ControlNumberReading,
    ControlRule,
    control_numbers,
    mentioned_codes,
    read_control_numbers,
)
from exportctl.annex.serials import (
    Serial,
    SerialFinding,
    SerialRule,
    parse_serial,
    serial_findings,
    serial_sort_key,
)
from exportctl.annex.titles import SectionTitle, section_title

__all__ = [
    "ControlNumberProblem",
    "ControlNumberReading",
    "ControlRule",
    "Label",
    "Notice",
    "SectionTitle",
    "Serial",
    "SerialFinding",
    "SerialRule",
    "Step",
    "control_numbers",
    "label_level",
    "mentioned_codes",
    "parse_notice",
    "parse_notice_number",
    "parse_label",
    "parse_serial",
    "read_control_numbers",
    "section_title",
    "serial_findings",
    "serial_sort_key",
    "split_inline",
    "split_label",
]
