"""The resident's help app: public page, manifest, service worker, both languages."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient


def test_help_page_is_public_thai_first_with_emergency_numbers(client: TestClient) -> None:
    page = client.get("/help")
    assert page.status_code == 200
    html = page.text
    assert "ขอความช่วยเหลือ" in html and "data-help-button" in html
    for number in ("1669", "191", "199"):
        assert f'href="tel:{number}"' in html
    assert 'rel="manifest" href="/help/manifest.webmanifest"' in html
    assert "/static/js/help-queue.js" in html and "/static/js/help-app.js" in html
    assert "https://" not in html  # no CDN: everything is served by the platform
    assert "mainnav" not in html  # nobody is logged in: no operations menu


def test_help_page_in_english_keeps_the_thai_button(client: TestClient) -> None:
    client.cookies.set("lang", "en")
    html = client.get("/help").text
    assert "Ask for help" in html and "Emergency numbers" in html
    assert '<span lang="th">ขอความช่วยเหลือ</span>' in html


def test_manifest_and_service_worker(client: TestClient) -> None:
    manifest = client.get("/help/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = json.loads(manifest.text)
    assert body["start_url"] == "/help" and body["scope"] == "/help"
    assert body["display"] == "standalone"
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/help-sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "smartcity-help-" in worker.text
    for asset in ("/static/js/help-queue.js", "/static/js/help-app.js", "/static/help-icon.svg"):
        assert asset in worker.text and client.get(asset).status_code == 200
