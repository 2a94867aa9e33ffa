"""The pages as documents: semantic and accessible, under the Content Security Policy, a language switcher naming
each language in itself with hreflang alternates, the machine-drafted note, and a handful of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.public.pagehtml import read_page

URLS = ["/public/", "/public/HPSJ/en/", "/public/HPSM/tl/long-term-care/", "/public/HPSM/tl/"]


@pytest.mark.parametrize("url", URLS)
def test_each_page_is_a_semantic_accessible_document(network: Any, url: str) -> None:
    html = Client().get(url).content.decode()
    page = read_page(html)
    assert [tag for tag, _ in page.headings].count("h1") == 1
    assert page.headings[0][0] == "h1"
    assert all(caption for caption in page.tables)  # every table says what it holds
    assert set(page.header_scopes) <= {"col", "row"}  # every header cell says what it heads
    assert bool(page.tables) == (url != "/public/")
    skip = next(link for link in page.links if link["tag"] == "a")  # the first link skips to the content
    assert skip["href"] == "#main" and '<main id="main"' in html
    # The Content Security Policy allows no inline code: no script at all, no style element or attribute.
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", html)
    assert '<link rel="stylesheet" href="/static/public/public.css">' in html


def test_the_language_switcher_names_each_language_in_itself(network: Any) -> None:
    page = read_page(Client().get("/public/HPSJ/zh-hans/").content.decode())
    switcher = [link for link in page.links if link["tag"] == "a" and link.get("lang")]
    names = {link["text"]: (link["lang"], link["href"]) for link in switcher}
    assert names["Español"] == ("es", "http://testserver/public/HPSJ/es/")
    assert names["中文"] == ("zh-Hans", "http://testserver/public/HPSJ/zh-hans/")
    assert names["English"][0] == "en"
    assert "Tiếng Việt" not in names and "Tagalog" not in names  # no threshold language of HPSJ's counties
    current = [link["text"] for link in switcher if link.get("aria-current") == "page"]
    assert current == ["中文"]
    alternates = {
        link["hreflang"]: link["href"] for link in page.links if link["tag"] == "link" and link.get("hreflang")
    }
    assert alternates == {
        "en": "http://testserver/public/HPSJ/en/",
        "es": "http://testserver/public/HPSJ/es/",
        "zh-Hans": "http://testserver/public/HPSJ/zh-hans/",
        "x-default": "http://testserver/public/HPSJ/en/",
    }


def test_the_switcher_on_the_long_term_care_page_stays_on_that_page(network: Any) -> None:
    page = read_page(Client().get("/public/HPSM/es/long-term-care/").content.decode())
    hrefs = {link["href"] for link in page.links if link["tag"] == "a" and link.get("lang")}
    assert "http://testserver/public/HPSM/tl/long-term-care/" in hrefs


def test_a_translated_page_says_it_awaits_review_by_a_qualified_translator(network: Any) -> None:
    spanish = read_page(Client().get("/public/HPSJ/es/").content.decode()).text
    assert "pendiente de revisión por un traductor calificado" in spanish
    assert "Machine-drafted translation, awaiting review by a qualified translator." in spanish
    assert "qualified translator" not in read_page(Client().get("/public/HPSJ/en/").content.decode()).text


@pytest.mark.parametrize("url", ["/public/HPSJ/es/", "/public/HPSJ/es/long-term-care/", "/public/"])
def test_a_page_takes_a_handful_of_queries(network: Any, django_assert_max_num_queries: Any, url: str) -> None:
    with django_assert_max_num_queries(10) as queries:
        assert Client().get(url).status_code == 200
    print(f"{url}: {len(queries.captured_queries)} queries")
