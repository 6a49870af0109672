"""Find English sentences in text meant to be Korean (issue 21's check).

What may stay Latin in a Korean message is not a sentence: codes (8471.30, 3A001.a.3),
file names, option names (--list), command lines (exportctl ...), quoted values
("..." and '...': names and descriptions from the user's own data), URLs, digests,
zone names and units. Anything else with three English words in a row is reported.
"""

from __future__ import annotations

import re

_ALLOWED = [
    r'"[^"\n]*"',  # quoted values: names, descriptions, labels from the data
    r"'[^'\n]*'",
    r"“[^”\n]*”",
    r"「[^」\n]*」",
    r"exportctl(?: [^\s,;:)]+)*",  # a command to type
    r"--?[A-Za-z][\w-]*(?:[ =](?:[A-Za-z_]+=)?\S+)?",  # an option, with its value
    r"\b[\w.-]+\.(?:xlsx|xlsm|xls|xlsb|ods|csv|tsv|txt|pdf|hwpx|hwp|json|db|toml|po|mo)\b",
    r"\b[a-z]+(?:\+[a-z]+)?://\S+",  # URLs and database URLs
    r"(?:/[\w.@~-]+)+/?",  # paths
    r"\b[0-9a-f]{8,}\b",  # digests
    r"\b\w*\d\w*\b",  # anything with a digit: codes, control numbers, HS2022, sizes
    r"\b(?:KST|UTC|GMT|SHA|HS|HSK|CN|CAS|ECCN|SKU|CSV|XLSX|PDF|HWPX|JSON|SQLite|PostgreSQL|Excel|"
    r"LibreOffice|UTF|BOM|OK|ID|URL|ex)\b",
    r"\b[A-Z]{2,}\b",  # acronyms
    r"\b[a-z]+(?:[-_][a-z]+)+\b",  # slugs and rule ids (kr-russia, code-covered)
    r"\[[^\]\n]*\]",  # a config table name ([limits])
]
_ALLOWED_RE = re.compile("|".join(f"(?:{p})" for p in _ALLOWED))
_RUN = re.compile(r"[A-Za-z]{2,}(?:[\s,.;:()/]+[A-Za-z]{2,}){2,}")


def english_sentences(text: str, *, allow: tuple[str, ...] = ()) -> list[str]:
    """The English runs of three or more words left in ``text`` once allowed spans go.

    Args:
        text: Terminal output or report text meant to be Korean.
        allow: Further exact strings to ignore (data shown as it is, e.g. an English
            description column of the list).
    """
    for value in sorted(allow, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    found: list[str] = []
    for line in text.splitlines():
        stripped = _ALLOWED_RE.sub(" ", line)
        found.extend(match.group(0) for match in _RUN.finditer(stripped))
    return found
