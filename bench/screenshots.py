"""Screenshots of the pages researchers use, in headless Chromium (Debian's `chromium`), for
the record of a change: `python bench/screenshots.py http://127.0.0.1:8000 bench/results/pages`
against a server on the bundled sample (`make run`). Desktop (1280 px) and phone (360 px)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "home": "/",
    "search": "/search?q=manuscrits",
    "collection-tree-open": "/id/collection/calames-751052116-0001?open=p-1.2",
    "component": "/id/collection/calames-751052116-0001/c/p-1.2",
    "network": "/id/network/mondes-orientaux",
    "person": "/agents/027058352",
    "home-en": "/?lang=en",
    "map": "/map",
    "map-departments": "/map?by=department",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("server", help="the server's address, e.g. http://127.0.0.1:8000")
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for width in (1280, 360):
            for name, path in PAGES.items():
                page = browser.new_page(viewport={"width": width, "height": 900},
                                        locale="fr-FR")
                page.goto(args.server.rstrip("/") + path)
                if page.locator("#tree").count():
                    page.locator("#tree[data-ready=true]").wait_for(state="attached")
                if page.locator("svg#graph").count():
                    page.locator("svg#graph[data-drawn]").wait_for(state="attached")
                target = args.out / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
