"""System checks of the portal's environment.

The PDF documents use one font family (setting REPORT_FONT_FAMILY, Liberation Serif by
default: metric-compatible with Times New Roman, which Nghị định 30/2020 names). If
fontconfig does not have it, or has a version without the Vietnamese letters (fonts-liberation
1.x lacks ơ, ư and U+1EA0–U+1EF9), WeasyPrint silently falls back to another font for the
missing letters and the documents look wrong. This check says so before anyone prints.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

FONT_FIX = "Install the font: apt-get install fonts-liberation2 (or set REPORT_FONT_FAMILY)."
STYLES = ("regular", "bold", "italic", "bold:italic")

_BASE = "ăâđêôơư" + "àáãèéìíĩòóõùúũý" + "".join(chr(c) for c in range(0x1EA1, 0x1EFA, 2))
_UPPER = _BASE.upper()
# Every precomposed Vietnamese letter, lowercase and uppercase (134): U+1EA0–U+1EF9 alternate
# upper/lower, so the range above holds the lowercase ones and .upper() the others.
VIETNAMESE_LETTERS = "".join(sorted(set(_BASE + _UPPER)))


def _fc_match(pattern: str) -> tuple[str, str]:
    """(family names, file) that fontconfig picks for `pattern`."""
    # A fixed program and a pattern from the settings: no shell, no user input.
    out = subprocess.run(  # noqa: S603
        [shutil.which("fc-match") or "fc-match", "--format=%{family}\n%{file}", pattern],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    family, _, path = out.partition("\n")
    return family, path.strip()


def _missing_letters(path: str) -> str:
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True, fontNumber=0)
    try:
        cmap = font.getBestCmap() or {}
    finally:
        font.close()
    return "".join(ch for ch in VIETNAMESE_LETTERS if ord(ch) not in cmap)


@functools.lru_cache(maxsize=8)
def font_problems(family: str) -> tuple[tuple[str, str], ...]:
    """((id, message), ...) for the family; empty when every style has every letter."""
    if shutil.which("fc-match") is None:
        return (("W", "fc-match (fontconfig) is not installed: cannot check the PDF font."),)
    problems = []
    for style in STYLES:
        try:
            found, path = _fc_match(f"{family}:{style}")
        except (OSError, subprocess.SubprocessError) as exc:
            return (("W", f"fc-match failed ({exc}): cannot check the PDF font."),)
        names = {name.strip().casefold() for name in found.split(",")}
        if family.casefold() not in names:
            return (
                (
                    "E001",
                    f"The PDF font “{family}” is not installed: fontconfig substitutes "
                    f"“{found}” ({path}).",
                ),
            )
        try:
            missing = _missing_letters(path)
        except Exception as exc:  # an unreadable font file is as bad as a missing one
            return (("E001", f"The PDF font file {path} cannot be read: {exc}."),)
        if missing:
            problems.append(
                (
                    "E002",
                    f"The PDF font “{family}” ({style}, {path}) lacks {len(missing)} "
                    f"Vietnamese letters: {' '.join(missing)}",
                )
            )
    return tuple(problems)


@register(Tags.compatibility)
def check_report_font(app_configs=None, **kwargs):
    family = getattr(settings, "REPORT_FONT_FAMILY", "Liberation Serif")
    results = []
    for code, message in font_problems(family):
        if code == "W":
            results.append(Warning(message, hint=FONT_FIX, id="portal.W001"))
        else:
            results.append(Error(message, hint=FONT_FIX, id=f"portal.{code}"))
    return results
