"""Thai-aware name tokens: PyThaiNLP's newmm segmentation (dictionary based, runs offline).

Thai writes a name without spaces inside it and segmentation of a name is not always the same
in and out of context, so a stored name keeps both its whole words and their segments; a query
matches when each of its segments starts some stored token.
"""

from __future__ import annotations

from collections.abc import Iterable

from pythainlp.tokenize import word_tokenize

ENGINE = "newmm"
# LIKE wildcards and our own delimiter never belong inside a token.
_DROP = str.maketrans("", "", "%_\\\x00")


def _segments(text: str) -> list[str]:
    """Lower-cased word segments that hold at least one letter or digit."""
    parts = word_tokenize(text.lower(), engine=ENGINE, keep_whitespace=False)
    return [p.translate(_DROP) for p in parts if _has_word(p)]


def _has_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def name_tokens(names: Iterable[str]) -> str:
    """The stored token column: ' word seg seg ... ' (spaces at both ends)."""
    seen: dict[str, None] = {}
    for name in names:
        for word in name.lower().split():
            word = word.translate(_DROP).strip("()[]{}\"'.,")
            if _has_word(word):
                seen[word] = None
            for seg in _segments(word):
                seen[seg] = None
    return f" {' '.join(seen)} " if seen else ""


def query_tokens(query: str) -> list[str]:
    """Segments of a search query, each to be matched as the start of a stored token."""
    return list(dict.fromkeys(_segments(query)))
