"""Issue 21: a diff's tie-out sentences are said in the language active when they are
read, or in the one a report asks for; the JSON keeps them in English."""

from __future__ import annotations

from english import english_sentences
from test_diff import _korean_list, _with_versions

from exportctl.diff import compare, summarise
from exportctl.i18n import using


def test_the_tie_out_in_korean_and_english() -> None:
    old, new = _korean_list()
    changes = _with_versions(
        compare(old, new), declared_total=1402, declared_added=243, declared_removed=0
    )
    summary = summarise(changes)
    english = (
        "1,159 before + 243 added − 0 removed = 1,402; the new version has 1,402 items: reconciles."
    )
    korean = "이전 1,159 + 추가 243 − 삭제 0 = 1,402; 새 버전의 품목은 1,402개: 일치."
    assert summary.statements[0] == english
    with using("ko"):
        # The same summary object (kept by summarise) speaks the language of the moment.
        assert summarise(changes).statements[0] == korean
        assert all(english_sentences(line) == [] for line in summary.statements)
        assert summary.to_json()["statements"][0] == english
    assert summary.statements_in("ko")[0] == korean
    assert summary.statements_in("en") == summary.statements
