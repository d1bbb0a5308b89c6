"""The component tree over HTTP: counts, lazy pages, and search by what only a component names."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lxml import etree

pytestmark = pytest.mark.shared


def test_the_whole_tree_is_read_page_by_page(fa_server: str) -> None:
    detail = httpx.get(fa_server + "/api/collections/FRAD085_6Fi").json()
    assert detail["components"] == 3171
    seen, requests, largest = 0, 0, 0
    todo: list[str | None] = [None]
    with httpx.Client(base_url=fa_server, timeout=30) as client:
        while todo:
            parent = todo.pop()
            offset = 0
            while True:
                params: dict[str, str | int] = {"limit": 200, "offset": offset}
                if parent:
                    params["parent"] = parent
                r = client.get("/api/collections/FRAD085_6Fi/components", params=params)
                requests += 1
                assert r.status_code == 200, r.text
                largest = max(largest, len(r.content))
                page = r.json()
                orders = [i["order"] for i in page["items"]]
                assert orders == sorted(orders)
                seen += len(page["items"])
                todo.extend(i["key"] for i in page["items"] if i["children"])
                offset += len(page["items"])
                if offset >= page["total"] or not page["items"]:
                    break
    assert seen == 3171
    assert largest < 200_000  # pages, never the 3 MB tree in one answer


def test_unknown_parent_and_bad_keys(fa_server: str) -> None:
    base = fa_server + "/api/collections/FRAD085_6Fi/components"
    assert httpx.get(base, params={"parent": "no-such"}).status_code == 404
    assert httpx.get(fa_server + "/api/collections/nope/components").status_code == 404
    assert httpx.get(base, params={"limit": 500}).status_code == 400


def test_a_person_named_only_in_a_component_finds_the_fonds(fa_server: str,
                                                             shared: Path) -> None:
    path = shared / "samples" / "francearchives" / "ir_data" / "FRAD084_IR0000412.xml"
    root = etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True)).getroot()

    def in_component(el: etree._Element) -> bool:
        return any(etree.QName(a).localname in {"c", "c01", "c02", "c03"}
                   for a in el.iterancestors())

    persnames = [p for p in root.iter(etree.Element) if etree.QName(p).localname == "persname"]
    top = {" ".join((p.text or "").split()) for p in persnames if not in_component(p)}
    inner = [" ".join((p.text or "").split()) for p in persnames if in_component(p)]
    name = next(n for n in inner if n and n not in top and "," in n)
    surname = name.split(",")[0]
    r = httpx.get(fa_server + "/api/collections", params={"q": surname})
    assert r.status_code == 200
    ids = [i["id"] for i in r.json()["items"]]
    assert "http://127.0.0.1:8000/id/collection/FRAD084_IR0000412" in ids, (surname, ids)


def test_a_component_dereferences(fa_server: str) -> None:
    r = httpx.get(fa_server + "/id/collection/FRAD085_6Fi/c/de-355",
                  headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert "isOrWasIncludedIn" in r.text and "1 Num 1/67-18" in r.text
