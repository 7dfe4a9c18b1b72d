"""Text normalisation: traditional -> simplified, full-width -> half-width,
whitespace collapsing."""

from __future__ import annotations

import os
import re
import threading

__all__ = ["normalize", "to_simplified"]

_WS = re.compile(r"\s+")
# zero-width and BOM characters that survive copy/paste from web forms
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# full-width ASCII block (！ .. ～) -> ASCII, ideographic space -> space
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_WIDTH.update(_INVISIBLE)

_lock = threading.Lock()
_converter = None
_trigger: frozenset[str] | None = None


def _load() -> None:
    """Load OpenCC t2s once, plus the set of characters that can change.

    Most input is already simplified; when a text has none of the
    characters OpenCC would touch we skip the (slow, pure Python)
    conversion entirely.
    """
    global _converter, _trigger
    with _lock:
        if _converter is not None:
            return
        import opencc  # opencc-python-reimplemented

        conv = opencc.OpenCC("t2s")
        base = os.path.join(os.path.dirname(opencc.__file__), "dictionary")
        chars: set[str] = set()
        with open(os.path.join(base, "TSCharacters.txt"), encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 2 and parts[1].split(" ")[0] != parts[0]:
                    chars.add(parts[0])
        extra: set[str] = set()
        with open(os.path.join(base, "TSPhrases.txt"), encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 2:
                    continue
                src, dst = parts[0], parts[1].split(" ")[0]
                if src == dst:
                    continue
                if len(src) == len(dst):  # only the characters that change
                    extra.update(a for a, b in zip(src, dst) if a != b)
                else:
                    extra.update(src)
        chars |= extra
        # characters that are also ordinary simplified characters (么, 覆,
        # 乾 ...) change only inside rare phrases; do not let them force
        # the slow path for ordinary simplified text
        with open(os.path.join(base, "STCharacters.txt"), encoding="utf-8") as fh:
            simp = {line.split("\t", 1)[0] for line in fh}
        chars -= simp
        _trigger = frozenset(chars)
        _converter = conv


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese (OpenCC t2s); cheap when nothing to do."""
    if _converter is None:
        _load()
    if _trigger.isdisjoint(text):  # type: ignore[union-attr]
        return text
    return _converter.convert(text)  # type: ignore[union-attr]


def normalize(text: str | None) -> str:
    """Return ``text`` simplified, half-width, single-spaced and stripped."""
    if not text:
        return ""
    text = str(text).translate(_WIDTH)
    text = to_simplified(text)
    return _WS.sub(" ", text).strip()
