"""The system check of the PDF font (portal/checks.py).

Needs fontconfig's fc-match (a dependency of WeasyPrint's Pango). Without it the checks
are skipped with the reason printed, except under CI=true, where that is a failure.
"""

import os
import shutil

import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from portal import checks
from portal.checks import VIETNAMESE_LETTERS, check_report_font, font_problems

if shutil.which("fc-match") is None and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError("CI needs fontconfig (fc-match) for the font check")
pytestmark = pytest.mark.skipif(
    shutil.which("fc-match") is None, reason="fontconfig (fc-match) is not installed"
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    font_problems.cache_clear()
    yield
    font_problems.cache_clear()


def test_every_vietnamese_letter_listed():
    assert len(VIETNAMESE_LETTERS) == 134
    for letter in "ăâđêôơưĂÂĐÊÔƠƯạỹẠỸàÀĩĨũŨ":
        assert letter in VIETNAMESE_LETTERS
    assert all(chr(c) in VIETNAMESE_LETTERS for c in range(0x1EA0, 0x1EFA))


def test_liberation_serif_passes(settings):
    settings.REPORT_FONT_FAMILY = "Liberation Serif"
    assert check_report_font() == []


def test_missing_font_is_an_error(settings):
    settings.REPORT_FONT_FAMILY = "No Such Font Family 123"
    (error,) = check_report_font()
    assert isinstance(error, Error)
    assert error.id == "portal.E001"
    assert "No Such Font Family 123" in error.msg and "not installed" in error.msg
    assert "apt-get install fonts-liberation2" in error.hint


def test_the_check_is_registered_and_stops_manage_py_check(settings):
    settings.REPORT_FONT_FAMILY = "No Such Font Family 123"
    with pytest.raises(SystemCheckError, match="portal.E001"):
        call_command("check")


@pytest.fixture
def font_without_vietnamese(tmp_path, monkeypatch):
    """Liberation Serif cut down to ASCII and renamed, visible to fc-match only."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    _family, source = checks._fc_match("Liberation Serif")
    font = TTFont(source)
    subsetter = subset.Subsetter(subset.Options())
    subsetter.populate(unicodes=range(0x20, 0x7F))
    subsetter.subset(font)
    family = "Portal Test Latin Only"
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID in (4, 6):
            record.string = family.replace(" ", "") if record.nameID == 6 else family
    folder = tmp_path / "fonts"
    folder.mkdir()
    font.save(folder / "PortalTestLatinOnly.ttf")
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{folder}</dir>\n  <cachedir>{tmp_path / 'cache'}</cachedir>\n"
        "</fontconfig>\n"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    return family


def test_font_without_vietnamese_letters_is_an_error(settings, font_without_vietnamese):
    settings.REPORT_FONT_FAMILY = font_without_vietnamese
    errors = check_report_font()
    assert errors, "expected an error"
    error = errors[0]
    assert error.id == "portal.E002"
    assert "lacks 134 Vietnamese letters" in error.msg
    for letter in ("ơ", "ư", "Ạ", "ỹ", "đ"):
        assert letter in error.msg
    assert "apt-get install fonts-liberation2" in error.hint
