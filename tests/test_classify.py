"""Routing and the article judgement on pages written for these tests (no crawl)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from newscrawler.discovery.classify import (
    PageSignals,
    classify_page,
    judge_extraction,
    long_paragraphs,
    prose_share,
)
from newscrawler.extraction import extract_article
from newscrawler.markup import read_markup

SENTENCE = "The ferry timetable changes on Monday, and the early boat now leaves at six. "


def page(body: str, *, head: str = "") -> str:
    return f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"


def classify(url: str, html: str, *, announced: bool = False) -> Any:
    tree = lxml_html.document_fromstring(html)
    return classify_page(tree, read_markup(tree, url), announced=announced)


LINKS = "".join(
    f'<li><a href="/story-{i}">A story about the harbour {i}</a></li>' for i in range(30)
)
TEASERS = "".join(
    f'<div><h3><a href="/news/story-{i}">Headline number {i}</a></h3></div>' for i in range(12)
)
WEBSITE = '<meta property="og:type" content="website">'
COLLECTION = '<script type="application/ld+json">{"@type": "CollectionPage"}</script>'


@pytest.mark.parametrize(
    ("url", "html", "reason"),
    [
        ("https://n.example/", page(f"<p>{SENTENCE}</p>"), "home"),
        (
            "https://n.example/trains/",
            page("<h1>Trains</h1>", head=COLLECTION),
            "hub_markup",
        ),
        ("https://n.example/archive/2024/03/", page(f"<p>{SENTENCE}</p>"), "listing_url"),
        ("https://n.example/news/?page=3", page(f"<p>{SENTENCE}</p>"), "listing_url"),
        ("https://n.example/harbour/", page(f"<ul>{LINKS}</ul>"), "listing"),
        ("https://n.example/topics/", page(TEASERS + "<p>Short intro.</p>" * 3), "listing"),
        ("https://n.example/news", page(f"<p>{SENTENCE}</p>" * 9), "section_front"),
        ("https://n.example/en/blog/", page(f"<p>{SENTENCE}</p>" * 9), "section_front"),
        ("https://vestnik.example/novosti/", page(f"<p>{SENTENCE}</p>" * 9), "section_front"),
    ],
)
def test_clear_hubs_are_recognised_by_what_they_show(url: str, html: str, reason: str) -> None:
    kind = classify(url, html)
    assert (kind.is_article, kind.reason) == (False, reason)


def test_a_list_heavy_post_with_og_type_website_is_a_candidate_not_a_hub() -> None:
    items = "".join(f"<li>Bring item {i}, it helps on the boat.</li>" for i in range(8))
    html = page(f"<h1>Ferry packing list</h1><ul>{items}</ul><p>Enjoy.</p>", head=WEBSITE)
    kind = classify("https://n.example/blog/ferry-packing-list/", html)
    assert (kind.is_article, kind.reason) == (True, "candidate")
    assert not kind.signals.article_types and kind.signals.article_url


def test_an_announced_page_is_extracted_whatever_it_looks_like() -> None:
    kind = classify("https://n.example/harbour/", page(f"<ul>{LINKS}</ul>"), announced=True)
    assert (kind.is_article, kind.reason) == (True, "announced")


def record(text: str = SENTENCE * 20, **fields: Any) -> dict[str, Any]:
    return {"text": text, "authors": [], "published": None, **fields}


def judged(signals: PageSignals, rec: dict[str, Any]) -> str | None:
    rejection = judge_extraction(signals, rec)
    return rejection.reason if rejection else None


def test_one_article_signal_and_prose_keep_a_page_with_no_markup() -> None:
    assert judged(PageSignals(article_url=True), record()) is None
    dated = record(published="2024-03-27T10:00:00", published_method="time_element")
    assert judged(PageSignals(), dated) is None
    assert judged(PageSignals(), record(authors=["Ann Lee"])) is None


def test_rejections_name_their_evidence() -> None:
    product = judge_extraction(PageSignals(product=("jsonld:product",)), record())
    assert product is not None and product.reason == "product"
    assert product.detail == "product markup: jsonld:product"
    assert product.signals["article_signals"] == []
    assert json.loads(json.dumps(product.signals))["product"] == ["jsonld:product"]
    assert judged(PageSignals(shop=("add_to_cart",), article_url=True), record()) == "product"
    section = PageSignals(sections=("services",), article_url=True)
    assert judged(section, record()) == "non_article_section"
    links = PageSignals(link_density=0.5)
    assert judged(links, record()) == "no_article_signals"
    lists = "\n".join(f"Item {i}" for i in range(200))
    assert judged(PageSignals(link_density=0.7, article_url=True), record(lists)) == "listing"


def test_a_page_without_any_signal_keeps_its_record_when_it_is_long_prose() -> None:
    assert judged(PageSignals(link_density=0.1), record()) is None
    assert judged(PageSignals(link_density=0.1), record(SENTENCE * 5)) == "no_article_signals"
    # a large menu around a guide: less than half of the page's text is links
    assert judged(PageSignals(link_density=0.45), record()) is None


def test_shop_hints_do_not_reject_an_article_with_a_byline_or_og_type_article() -> None:
    offers = PageSignals(shop=("microdata:product", "add_to_cart"), og_type="article")
    assert judged(offers, record()) is None
    assert judged(PageSignals(shop=("add_to_cart",)), record(authors=["Ann Lee"])) is None
    # a home page is no article whatever it declares (its featured story has a page of its own)
    assert judged(PageSignals(article_types=("newsarticle",), home=True), record()) == "home"


def test_prose_share_counts_sentences_not_list_items() -> None:
    assert prose_share(SENTENCE) == 1.0
    assert prose_share("Mugs\nPlates\nCups and saucers") == 0.0
    assert prose_share("") == 0.0


def test_signals_survive_the_trip_through_a_page_item() -> None:
    signals = PageSignals(product=("jsonld:product",), link_density=0.25, article_url=True)
    assert PageSignals.from_dict(json.loads(json.dumps(signals.as_dict()))) == signals


LONG_PARAGRAPH = " ".join([SENTENCE.strip()] * 5)  # 65 words of prose


def extracted(text: str, **fields: Any) -> dict[str, Any]:
    return record(text, **fields)


def judge_page(url: str, html: str, text: str, **fields: Any) -> Any:
    """Route the page as a link-found candidate, then judge what extraction found on it."""
    kind = classify(url, html)
    assert kind.is_article, kind.reason
    return judge_extraction(kind.signals, extracted(text, **fields))


def service_page() -> tuple[str, str]:
    tiles = "".join(
        f"<section><h3>Plan {name}</h3><p>Fast setup and friendly support.</p>"
        f'<a class="btn" href="/quote?plan={name}">Get a quote</a></section>'
        for name in ("Starter", "Team", "Business", "Enterprise", "Cloud", "Audit", "Care", "Plus")
    )
    html = page(
        f"<nav><h2>Menu</h2></nav><h1>Harbour data services</h1>{tiles}"
        '<form action="/contact"><button>Contact us</button></form>',
        head='<meta property="og:type" content="website">',
    )
    text = "\n".join(f"Plan {i}\nFast setup and friendly support." for i in range(8))
    return html, text


def test_a_service_page_of_tiles_with_calls_to_action_is_a_listing_of_cards() -> None:
    html, text = service_page()
    rejection = judge_page("https://n.example/harbour-data-services", html, text)
    assert rejection is not None and rejection.reason == "listing"
    assert rejection.detail.startswith("cards: 8 headings for 56 words")
    assert rejection.signals["headings"] == 8  # the heading in <nav> is the site's, not the page's


def test_a_dated_or_signed_page_of_many_headings_keeps_its_record() -> None:
    html, text = service_page()
    url = "https://n.example/harbour-data-services"
    dated = {"published": "2024-03-27T10:00:00", "published_method": "time_element"}
    assert judge_page(url, html, text, **dated) is None
    assert judge_page(url, html, text, authors=["Ann Lee"]) is None


def shop_page(prices: int) -> str:
    offers = "".join(f"<li>Deck chair, model {i}: $4{i}.99</li>" for i in range(prices))
    body = "".join(f"<p>{LONG_PARAGRAPH}</p>" for _ in range(12))
    return page(
        f"<h1>Choosing a deck chair</h1>{body}<ul>{offers}</ul>"
        '<form action="/cart/add"><button class="add-to-cart">Add to cart</button></form>'
    )


def test_a_product_page_with_prices_and_an_add_to_cart_button_is_rejected() -> None:
    text = "\n".join([LONG_PARAGRAPH] * 12)
    rejection = judge_page("https://n.example/deck-chair-classic-teak", shop_page(6), text)
    assert rejection is not None and rejection.reason == "product"
    assert rejection.signals["prices"] == 6 and rejection.signals["long_paragraphs"] == 12
    assert "add_to_cart" in rejection.detail and "6 prices" in rejection.detail


def test_a_guide_with_a_buy_button_at_the_end_keeps_its_record() -> None:
    text = "\n".join([LONG_PARAGRAPH] * 12)
    assert (
        judge_page("https://n.example/deck-chair-guide-for-small-boats", shop_page(1), text) is None
    )
    short = "\n".join([LONG_PARAGRAPH] * 3)  # a few paragraphs do not outweigh the button
    rejection = judge_page(
        "https://n.example/deck-chair-guide-for-small-boats", shop_page(1), short
    )
    assert rejection is not None and rejection.reason == "product"


def test_prices_are_read_in_several_currencies() -> None:
    prices = "<p>$12.99</p><p>€ 40</p><p>1 200 руб.</p><p>15 zł</p><p>CHF 20</p><p>in 2024</p>"
    kind = classify("https://n.example/price-list-for-the-ferry", page(prices))
    assert kind.signals.prices == 5


def test_long_paragraphs_count_prose_of_forty_words_or_more() -> None:
    assert long_paragraphs("\n".join([LONG_PARAGRAPH, SENTENCE, "Buy now"])) == 1


# --- whole pages: routed as link-found pages, extracted, judged -----------------------------

PAGES = Path(__file__).parent / "fixtures" / "judgement"


def crawl(name: str, url: str) -> tuple[str, dict[str, Any]]:
    """What a crawl makes of the fixture page ``name`` found through a link at ``url``:
    ``("record", fields)``, ``("rejected/<reason>", evidence)`` or ``("hub/<reason>", {})``."""
    return crawl_page((PAGES / name).read_bytes(), url)


def crawl_page(body: bytes, url: str) -> tuple[str, dict[str, Any]]:
    """:func:`crawl` for the page ``body``."""
    kind = classify(url, body.decode("utf-8"))
    if not kind.is_article:
        return f"hub/{kind.reason}", {}
    result = extract_article(body, url)
    assert result.fields is not None, result.reason
    rejection = judge_extraction(kind.signals, result.fields)
    if rejection is not None:
        return f"rejected/{rejection.reason}", {"detail": rejection.detail, **rejection.signals}
    return "record", dict(result.fields)


@pytest.mark.parametrize(
    ("name", "url", "reason", "detail"),
    [
        (
            "en_product.html",
            "https://chandlery.example/teak-deck-chair-folding",
            "product",
            "product markup: jsonld:product",
        ),
        (
            "en_services.html",
            "https://quayside.example/harbour-engineering-services/",
            "service",
            "service markup: jsonld:service",
        ),
        (
            "ru_catalogue.html",
            "https://tropa.example/snaryazhenie-dlya-pokhodov",
            "catalogue",
            "8 of 8 repeated cards show a price",
        ),
        ("en_topic.html", "https://gazette.example/harbour/", "teaser_list", "9 teasers"),
    ],
)
def test_shops_services_catalogues_and_teaser_listings_give_no_record(
    name: str, url: str, reason: str, detail: str
) -> None:
    outcome, evidence = crawl(name, url)
    assert outcome == f"rejected/{reason}"
    assert evidence["detail"].startswith(detail)
    json.dumps(evidence)  # the rejected file's line: every signal is a JSON value


def test_a_services_page_declaring_og_type_article_is_no_article() -> None:
    # og:type article and a slug URL are two article signals; the Service markup outweighs them
    _, evidence = crawl(
        "en_services.html", "https://quayside.example/harbour-engineering-services/"
    )
    assert evidence["article_signals"] == ["og_type_article", "article_url"]
    assert evidence["services"] == ["jsonld:service"]


def test_a_teaser_listing_is_no_article_though_a_teaser_names_its_author() -> None:
    _, evidence = crawl("en_topic.html", "https://gazette.example/harbour/")
    assert evidence["article_signals"] == ["byline"]
    assert evidence["teasers"] == 9 and evidence["teaser_words"] > evidence["words"]


def test_a_listicle_whose_items_look_like_teasers_keeps_its_record() -> None:
    url = "https://greenhousenotes.example/guides/shade-plants-north-window/"
    outcome, fields = crawl("en_listicle.html", url)
    assert outcome == "record"
    assert fields["title"] == "9 Shade Plants That Brighten a North Window"
    assert fields["authors"] == ["Mara Quinn"]
    assert "Parlour palm" in fields["text"]
    # the same cards under a title that announces no count are a listing of teasers
    untitled = (PAGES / "en_listicle.html").read_bytes().replace(b"9 Shade Plants", b"Shade Plants")
    outcome, evidence = crawl_page(untitled, url)
    assert outcome == "rejected/teaser_list"
    assert evidence["teasers"] == 9 and evidence["announced_items"] is None


def test_a_title_announcing_as_many_items_as_teasers_makes_a_listicle() -> None:
    signals = PageSignals(teasers=10, teaser_words=400)
    lines = "\n".join(["A quiet trail above the lake"] * 40)
    assert judged(signals, record(lines, authors=["Ann Lee"])) == "teaser_list"
    for title in ("10 лучших троп у озера", "Top 10 lake trails", "Die 10 schönsten Wege"):
        assert judged(signals, record(lines, authors=["Ann Lee"], title=title)) is None
    # a count the teasers do not match, or a year, announces nothing
    for title in ("3 trails we walked", "2025 in trails"):
        assert judged(signals, record(lines, authors=["Ann Lee"], title=title)) == "teaser_list"


def test_a_blog_post_without_paragraphs_and_with_related_teasers_keeps_its_record() -> None:
    outcome, fields = crawl(
        "en_blog_post.html", "https://saltandsawdust.example/rebuilding-the-dinghy-trailer/"
    )
    assert outcome == "record"
    assert fields["title"] == "Rebuilding the dinghy trailer"
    assert fields["published"] == "2025-03-12"
    assert "galvanised one from the chandlery" in fields["text"]


def test_a_russian_list_post_with_a_price_keeps_its_record() -> None:
    outcome, fields = crawl(
        "ru_list_post.html", "https://tropa.example/sovety/chto-vzyat-v-pervyj-pokhod/"
    )
    assert outcome == "record"
    assert fields["title"] == "Что взять в первый поход: список"
    assert fields["published"] == "2025-05-14"
    assert "Горелка и газовый баллон" in fields["text"]


def test_a_guessed_date_and_the_site_named_as_author_are_no_article_signals() -> None:
    signals = PageSignals(site_names=("quaysideworks", "quayside"), link_density=0.5)
    guessed = record(published="2024-03-27", published_method="htmldate")
    assert judged(signals, guessed) == "no_article_signals"
    assert judged(signals, record(authors=["Quayside Works"])) == "no_article_signals"
    assert judged(signals, record(authors=["Ann Lee"])) is None
    shown = record(published="2024-03-27", published_method="visible")
    assert judged(signals, shown) is None


def test_a_personal_blogs_byline_names_the_site_and_still_signs_a_dated_post() -> None:
    # a teaser listing needs a page without both a date and a byline: the owner's post has both
    signals = PageSignals(site_names=("annlee",), teasers=10, teaser_words=400, article_url=True)
    lines = "\n".join(["A weekend on the water with the club"] * 40)
    post = record(lines, authors=["Ann Lee"], published="2024-03-27", published_method="visible")
    assert judged(signals, post) is None
    assert judged(signals, record(lines, authors=["Ann Lee"])) == "teaser_list"


def test_a_page_of_short_lines_without_any_signal_is_not_rejected_for_lacking_prose() -> None:
    lines = "\n".join(["Webcam at the harbour entrance, updated every minute"] * 30)
    assert judged(PageSignals(), record(lines)) is None
    assert judged(PageSignals(prices=12), record(lines)) == "no_article_signals"


def test_a_story_sections_front_page_is_no_article_whatever_it_shows() -> None:
    for url in ("https://n.example/news/harbour-opens", "https://n.example/news?id=7"):
        assert classify(url, page(f"<p>{SENTENCE}</p>" * 9)).is_article, url
    front = PageSignals(section_front="news", og_type="article")
    dated_and_signed = record(published="2024-03-27T07:51:00+03:00", authors=["Anna Berg"])
    assert judged(front, dated_and_signed) == "section_front"
    assert judged(PageSignals(og_type="article"), dated_and_signed) is None


def test_an_editions_home_page_is_a_home_page() -> None:
    for path in ("/", "/en/", "/us/en/", "/global/", "/en-gb/"):
        kind = classify(f"https://n.example{path}", page(f"<p>{SENTENCE}</p>"))
        assert (kind.is_article, kind.reason) == (False, "home"), path
    kind = classify("https://n.example/en/harbour-news/", page(f"<p>{SENTENCE}</p>"))
    assert kind.is_article


def test_a_home_page_declaring_its_featured_story_is_still_the_home_page() -> None:
    featured = '<script type="application/ld+json">{"@type": "BlogPosting"}</script>'
    kind = classify("https://n.example/", page(f"<p>{SENTENCE}</p>", head=featured))
    assert (kind.is_article, kind.reason) == (False, "home")
    signals = PageSignals(home=True, article_types=("blogposting",), og_type="article")
    dated_and_signed = record(published="2024-03-27T07:51:00+03:00", authors=["Anna Berg"])
    assert judged(signals, dated_and_signed) == "home"


# --- landing pages, data tables, testimonials, list pages, dated entries ---------------------

LANDING_URL = "https://prichal-servis.example/remont-katerov-i-yakht-pod-klyuch/"


def test_a_landing_page_with_calls_to_action_and_a_contact_form_gives_no_record() -> None:
    outcome, evidence = crawl("ru_landing.html", LANDING_URL)
    assert outcome == "rejected/landing_page"
    assert evidence["detail"].startswith("1 lead form(s), calls to action: оставить заявку")
    # og:type article and a slug URL are outweighed: the page has neither date nor byline
    assert evidence["article_signals"] == ["og_type_article", "article_url"]
    assert "заказать звонок" in evidence["calls_to_action"]
    assert evidence["lead_forms"] == 1
    json.dumps(evidence)  # the rejected file's line


def test_the_companys_blog_post_with_the_same_form_and_buttons_keeps_its_record() -> None:
    outcome, fields = crawl(
        "ru_company_post.html", "https://prichal-servis.example/blog/kak-podgotovit-kater-k-zime/"
    )
    assert outcome == "record"
    assert fields["title"] == "Как подготовить катер к зиме"
    assert fields["authors"] == ["Ирина Соколова"]
    assert fields["published"].startswith("2025-10-14")
    assert "Слейте воду отовсюду" in fields["text"]


def test_calls_to_action_in_the_sites_navigation_and_footer_are_not_counted() -> None:
    chrome = '<nav><a href="/q">Get a quote</a></nav><footer><a href="/c">Contact us</a></footer>'
    kind = classify("https://quayside.example/harbour-survey", page(chrome + f"<p>{SENTENCE}</p>"))
    assert kind.signals.calls_to_action == ()
    body = '<p><a class="btn" href="/q">Get a free quote</a> <button>Book a demo</button></p>'
    kind = classify("https://quayside.example/harbour-survey", page(body + f"<p>{SENTENCE}</p>"))
    assert kind.signals.calls_to_action == ("get a free quote", "book a demo")


def test_search_comment_and_newsletter_forms_are_no_lead_forms() -> None:
    fields = '<input name="a"><input name="b"><input type="email" name="c"><textarea></textarea>'
    forms = "".join(
        f'<form id="{name}">{fields}</form>' for name in ("commentform", "search", "newsletter")
    )
    kind = classify("https://quayside.example/harbour-survey", page(forms))
    assert kind.signals.lead_forms == 0
    kind = classify("https://quayside.example/harbour-survey", page(f"<form>{fields}</form>"))
    assert kind.signals.lead_forms == 1


LANDING = PageSignals(
    lead_forms=1, calls_to_action=("get a quote", "book a call"), article_url=True
)
LONG_PARAGRAPH = (
    "We took the old trailer apart on a wet Saturday, and every bolt we touched had rusted "
    "into its nut, so the angle grinder did most of the work while the kettle did the rest, "
    "and by the evening the frame lay bare on the drive waiting for a coat of primer. "
)


def test_a_long_prose_post_outweighs_its_calls_to_action_and_form() -> None:
    prose = "\n".join([LONG_PARAGRAPH] * 12)
    assert judged(LANDING, record(prose)) is None
    short = "\n".join(["Harbour surveys by divers, with a written report."] * 12)
    assert judged(LANDING, record(short)) == "landing_page"
    signed = record(short, authors=["Ann Lee"])
    assert judged(LANDING, signed) is None


# a slug URL: the one article signal these pages show (short pages without any are rejected
# for that: no_article_signals)
SLUG = PageSignals(article_url=True)
STANDINGS = "\n".join(
    ["Eastern Conference", "| Team | W | L | PCT |"]
    + [f"| Harbour Club {i} | {40 - i} | {20 + i} | .{600 - i * 10} |" for i in range(12)]
)


def test_a_page_of_data_tables_without_date_or_byline_is_no_article() -> None:
    assert judged(SLUG, record(STANDINGS)) == "table"
    rejection = judge_extraction(SLUG, record(STANDINGS))
    assert rejection is not None and rejection.detail.startswith("13 table rows, 9")
    assert rejection.signals["table_rows"] == 13
    dated = record(STANDINGS, published="2024-03-27", published_method="visible")
    assert judged(SLUG, dated) is None
    # a page laid out in one table row of paragraphs is no data
    assert judged(SLUG, record(f"| {SENTENCE * 20} |")) is None


def test_a_page_of_testimonials_is_no_article_but_an_interview_is() -> None:
    quote = "“Olivia's classes changed my week, and I have recommended her to all my friends.”"
    testimonials = "\n".join([quote, "— Anna, London"] * 6)
    assert judged(SLUG, record(testimonials)) == "testimonials"
    interview = record(testimonials, authors=["Ann Lee"])
    assert judged(SLUG, interview) is None
    mixed = "\n".join([quote, SENTENCE * 3] * 6)  # the writer's sentences between the quotes
    assert judged(SLUG, record(mixed)) is None


def test_a_list_page_is_no_article_whatever_type_it_declares() -> None:
    signals = PageSignals(article_types=("article",), link_density=0.8)
    for title in ("List of lighthouses in Wales", "Список маяков Балтийского моря"):
        assert judged(signals, record(title=title)) == "list_page"
    assert judged(signals, record(title="Lighthouses of Wales")) is None
    listicle = PageSignals(article_types=("article",), link_density=0.2)
    assert judged(listicle, record(title="List of the best harbour walks")) is None


def test_a_listing_of_dated_entries_is_no_article() -> None:
    episodes = "\n".join(
        f"Episode {i}: the harbour, the ferries and the weather this week. 46m - Dec {i}, 2025"
        for i in range(1, 11)
    )
    assert judged(SLUG, record(episodes)) == "dated_list"
    russian = "\n".join(
        f"Выпуск {i}: паромы, погода и новости причала за неделю. 14 марта 2025" for i in range(10)
    )
    assert judged(SLUG, record(russian, language="ru")) == "dated_list"
    dated = record(episodes, published="2025-12-20", published_method="visible")
    assert judged(SLUG, dated) is None
