"""One language at a time in the pages: French by default, English on request.

The language of a page is, in this order: ``?lang=fr|en`` in its address (the visible switch
in every page's header; the choice is then kept in the ``collex_lang`` cookie), that cookie,
the browser's ``Accept-Language`` (English when it prefers English to French), else French.

The strings are written in French in the templates and in the code, marked ``_("...")``
(``ngettext`` for plurals), and translated in one gettext catalogue,
``api/locales/en/LC_MESSAGES/messages.po``, read with Babel. ``tests/api/test_i18n.py``
extracts every marked string with Babel and fails when one has no English translation, or
when the catalogue keeps one no page uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGS = ("fr", "en")
DEFAULT = "fr"
COOKIE = "collex_lang"
CATALOGUE = Path(__file__).resolve().parent / "locales" / "en" / "LC_MESSAGES" / "messages.po"
_Q = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def N_(message: str) -> str:
    """Marks a French string for the catalogue where it is defined; the page translates it
    where it shows it (``{{ _(name) }}``)."""
    return message


@cache
def catalogue() -> dict[str, str | tuple[str, ...]]:
    """French msgid (or (singular, plural)) → English, from the PO file."""
    with CATALOGUE.open("rb") as f:
        cat = read_po(f, locale="en")
    out: dict[str, str | tuple[str, ...]] = {}
    for m in cat:
        if not m.id:
            continue
        if isinstance(m.id, (tuple, list)):
            forms = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
            out[str(m.id[0])] = tuple(str(f or "") for f in forms)
        elif isinstance(m.string, str):
            out[str(m.id)] = m.string
    return out


def gettext(lang: str, message: str) -> str:
    """``message`` (French) in ``lang``; itself when untranslated.

    >>> gettext("en", "Rechercher"), gettext("fr", "Rechercher")
    ('Search', 'Rechercher')
    """
    if lang == DEFAULT:
        return message
    found = catalogue().get(message)
    return found if isinstance(found, str) and found else message


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, with ``%(num)s`` replaced by ``n`` formatted
    for ``lang`` (``1 234`` in French, ``1,234`` in English).

    >>> ngettext("en", "%(num)s collection", "%(num)s collections", 1234)
    '1,234 collections'
    >>> ngettext("fr", "%(num)s collection", "%(num)s collections", 1)
    '1 collection'
    """
    forms: tuple[str, ...] = (singular, plural)
    if lang != DEFAULT:
        found = catalogue().get(singular)
        if isinstance(found, tuple) and len(found) == 2 and all(found):
            forms = found
    text = forms[0] if n == 1 else forms[1]
    return text.replace("%(num)s", number(lang, n))


def number(lang: str, n: int | float) -> str:
    """>>> number("fr", 12345), number("en", 12345)
    ('12\\u202f345', '12,345')
    """
    return format_decimal(n, locale="fr_FR" if lang == "fr" else "en_GB")


def from_accept_language(header: str | None) -> str | None:
    """English when the browser ranks it above French (or French is absent), French when
    above English; None when it names neither.

    >>> from_accept_language("en-GB,en;q=0.9,fr;q=0.8"), from_accept_language("fr-FR,en;q=0.5")
    ('en', 'fr')
    >>> from_accept_language("de"), from_accept_language(None)
    (None, None)
    """
    best: dict[str, float] = {}
    for part in (header or "").split(",")[:40]:
        m = _Q.match(part)
        if not m:
            continue
        lang = m.group(1).lower()
        try:
            q = float(m.group(2)) if m.group(2) else 1.0
        except ValueError:
            continue
        if lang in LANGS and q > 0:
            best[lang] = max(best.get(lang, 0.0), q)
    if not best:
        return None
    return max(best, key=lambda k: (best[k], k == DEFAULT))


def cookie_lang(cookie_header: str | None) -> str | None:
    """The ``collex_lang`` cookie's value, if it is a language we speak."""
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value in LANGS:
            return value
    return None


def choose(query: Mapping[str, str], headers: Mapping[str, str]) -> str:
    """The page's language: ``?lang=``, the cookie, ``Accept-Language``, else French."""
    asked = query.get("lang")
    if asked in LANGS:
        return str(asked)
    return (cookie_lang(headers.get("cookie")) or from_accept_language(
        headers.get("accept-language")) or DEFAULT)


_COLLEX_FACET = {"yes": N_("Labellisée CollEx"), "no": N_("Non labellisée")}


def facet_label(lang: str, facet: str, value: str, label: str) -> str:
    """A facet value's label in the page's language: the labels the index keeps are French
    (centuries, the CollEx label); names of things (institutions, subjects...) stay as
    written.

    >>> facet_label("en", "century", "18", "18e siècle"), facet_label("en", "century", "1", "")
    ('18th century', '1st century')
    >>> facet_label("en", "collex", "yes", "Labellisée CollEx")
    'CollEx labelled'
    >>> facet_label("fr", "century", "18", "18e siècle"), facet_label("en", "place", "x", "Lyon")
    ('18e siècle', 'Lyon')
    """
    if facet == "collex" and value in _COLLEX_FACET:
        return gettext(lang, _COLLEX_FACET[value])
    if facet == "century" and lang == "en" and value.isdigit():
        n = int(value)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix} century"
    return label


def context(request: Any) -> dict[str, Any]:
    """Jinja context of every page: ``lang``, ``_``, ``ngettext``, ``number`` and the link
    to the same page in the other language."""
    lang = choose(request.query_params, request.headers)
    other = "en" if lang == "fr" else "fr"
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]

    def translate(message: str) -> str:
        return gettext(lang, message)

    def plural(singular: str, plural_: str, n: int) -> str:
        return ngettext(lang, singular, plural_, n)

    return {"lang": lang, "other_lang": other, "_": translate, "ngettext": plural,
            "colon": " : " if lang == "fr" else ": ",  # French puts a space before a colon
            "number": lambda n: number(lang, n),
            "facet_label": lambda facet, v: facet_label(lang, facet, v.value, v.label),
            "switch_url": request.url.path + "?" + urlencode([*pairs, ("lang", other)])}


def marked_strings() -> dict[str, tuple[str, ...]]:
    """Every string marked for translation in the templates (``_``, ``ngettext``) and in the
    code (``N_``, ``ngettext``), extracted with Babel: msgid → its forms."""
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parent
    found: dict[str, tuple[str, ...]] = {}
    passes = [  # templates: ngettext(singular, plural, n); code: ngettext(lang, s, p, n)
        ([("templates/**.html", "jinja2")], {"_": None, "ngettext": (1, 2)}),
        ([("**.py", "python")], {"N_": None, "ngettext": (2, 3)})]
    for methods, keywords in passes:
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(root), method_map=methods, keywords=keywords,
                options_map={"templates/**.html": {"extensions": ""}}):
            forms = message if isinstance(message, tuple) else (message,)
            forms = tuple(f for f in forms if f)
            if forms and len(forms) >= len(found.get(forms[0], ())):
                found[forms[0]] = forms
    return found


if __name__ == "__main__":  # prints the PO entries the catalogue lacks
    have = catalogue()
    for msgid, forms in sorted(marked_strings().items()):
        if have.get(msgid):
            continue
        if len(forms) == 2:
            print(f'msgid "{forms[0]}"\nmsgid_plural "{forms[1]}"\nmsgstr[0] ""\nmsgstr[1] ""\n')
        else:
            print(f'msgid "{msgid}"\nmsgstr ""\n')
