"""One language at a time: French by default, English by Accept-Language, ?lang= or the
cookie the switch leaves; every marked string translated in the one catalogue."""

from __future__ import annotations

import re

import httpx
import pytest

from api.i18n import catalogue, marked_strings

PAGES = ["/", "/search?q=manuscrits", "/id/collection/calames-751052116-0001",
         "/id/collection/calames-751052116-0001/c/p-1", "/id/network/mondes-orientaux",
         "/networks", "/institutions", "/id/institution/FR-751052116", "/agents/027058352",
         "/subjects/027732428", "/id/place/constantine-algerie", "/query", "/status",
         "/widget/example", "/nowhere"]
# words of the interface (not of the data) that must not appear in the other language
FRENCH_UI = ["Rechercher", "Réseaux thématiques", "Établissements", "Aller au contenu",
             "Données ouvertes", "Plan de classement", "Présentation du contenu",
             "Page introuvable", "Interroger le graphe", "citant cette entité"]
ENGLISH_UI = ["Search the collections", "Thematic networks", "Skip to content", "Open data",
              "Arrangement", "Scope and content", "Page not found", "Query the graph",
              "citing it", "/ Search", "/ networks"]


def test_the_catalogue_translates_every_marked_string_and_only_those() -> None:
    marked, have = marked_strings(), catalogue()
    assert len(marked) > 150
    missing = [m for m in marked if not have.get(m)]
    assert missing == [], "untranslated (python -m api.i18n prints the entries to add)"
    plural = [m for m, forms in marked.items() if len(forms) == 2]
    assert plural and all(isinstance(have[m], tuple) and len(have[m]) == 2 for m in plural)
    unused = sorted(set(have) - set(marked))
    assert unused == [], "catalogue entries no page uses"


def _visible(html: str) -> str:
    """The page's text, without its scripts, styles and the language switch."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<a href="[^"]*" class="lang".*?</a>', " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("path", PAGES)
def test_each_page_in_one_language_at_a_time(sample_server: str, path: str) -> None:
    fr = httpx.get(sample_server + path, headers={"Accept": "text/html"})
    assert '<html lang="fr">' in fr.text and fr.headers["content-language"] == "fr"
    # French only: no English doubling the labels any more
    without_switch = re.sub(r'<a href="[^"]*" class="lang"[^>]*>', "", fr.text)
    if path != "/widget/example":  # which shows the widget in the other language too
        assert ' lang="en"' not in without_switch
    text = _visible(fr.text)
    assert not [w for w in ENGLISH_UI if w in text], path
    sep = "&" if "?" in path else "?"
    en = httpx.get(sample_server + path + sep + "lang=en", headers={"Accept": "text/html"})
    assert en.status_code == fr.status_code
    assert '<html lang="en">' in en.text and en.headers["content-language"] == "en"
    text = _visible(en.text)
    assert not [w for w in FRENCH_UI if w in text], path
    assert "collex_lang=en" in en.headers.get("set-cookie", "")
    # the switch leads back to French, with the page's own parameters kept
    switch = re.search(r'<a href="([^"]*)" class="lang" lang="fr" hreflang="fr">Français</a>',
                       en.text)
    assert switch and "lang=fr" in switch.group(1)


def test_accept_language_and_the_cookie_choose(sample_server: str) -> None:
    url = sample_server + "/search"
    by_header = httpx.get(url, headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert '<html lang="en">' in by_header.text and "set-cookie" not in by_header.headers
    assert '<html lang="fr">' in httpx.get(url, headers={
        "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}).text
    assert '<html lang="fr">' in httpx.get(url, headers={"Accept-Language": "de"}).text
    # the switch's choice wins over the browser's, and stays for the next pages
    with httpx.Client(headers={"Accept-Language": "fr"}) as browser:
        browser.get(sample_server + "/?lang=en")
        assert browser.cookies.get("collex_lang") == "en"
        page = browser.get(sample_server + "/networks")
        assert '<html lang="en">' in page.text and "Thematic networks" in page.text
        browser.get(sample_server + "/?lang=fr")
        assert '<html lang="fr">' in browser.get(sample_server + "/networks").text


def test_the_http_cache_keeps_the_languages_apart(sample_server: str) -> None:
    url = sample_server + "/networks"
    fr = httpx.get(url, headers={"Accept-Language": "fr"})
    en = httpx.get(url, headers={"Cookie": "collex_lang=en", "Accept-Language": "fr"})
    assert fr.headers["etag"] != en.headers["etag"]
    assert "Cookie" in en.headers["vary"] and "Accept-Language" in en.headers["vary"]
    again = httpx.get(url, headers={"Cookie": "collex_lang=en", "Accept-Language": "fr"})
    assert '<html lang="en">' in again.text
    # a 304 only for the same language
    assert httpx.get(url, headers={"If-None-Match": fr.headers["etag"], "Cookie":
                                   "collex_lang=en"}).status_code == 200


def test_english_pages_speak_english_for_counts_and_reasons(sample_server: str) -> None:
    page = httpx.get(sample_server + "/id/collection/calames-751052116-0001?lang=en").text
    assert "Share the person or body “Paris, Gaston (1839-1903)”" in page
    assert "(7 components)" in page
    net = httpx.get(sample_server + "/id/network/mondes-orientaux?lang=en").text
    assert "Share the IdRef subject “Géopolitique”" in net
    home = httpx.get(sample_server + "/?lang=en").text
    assert re.search(r"\d+ collections · \d+ institutions", home)


def test_facet_labels_follow_the_page_language(sample_server: str) -> None:
    """The index keeps French labels for centuries and the CollEx label; an English search
    page shows them in English, the French one as they are."""
    en = httpx.get(sample_server + "/search?lang=en").text
    fr = httpx.get(sample_server + "/search?lang=fr").text
    assert re.search(r'data-facet="century"[^>]*>19th century<', en)
    assert re.search(r'data-facet="collex"[^>]*>CollEx labelled<', en)
    assert re.search(r'data-facet="collex"[^>]*>Not labelled<', en)
    assert "e siècle<" not in en and "Labellisée CollEx<" not in en
    assert re.search(r'data-facet="century"[^>]*>19e siècle<', fr)
    assert re.search(r'data-facet="collex"[^>]*>Labellisée CollEx<', fr)
