"""Main-text extraction (`extract_body`) on fixture pages written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from newscrawler.extraction import extract_article
from newscrawler.extraction.body import _loses_content, extract_body, is_boilerplate, word_count
from newscrawler.vocabulary import AD_LABELS, SHARE_LABELS, is_ad_label, is_share_prompt

FIXTURES = Path(__file__).parent / "fixtures" / "body"


def load(name: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring((FIXTURES / name).read_text(encoding="utf-8"))


def paragraphs(text: str | None) -> list[str]:
    assert text is not None
    return text.split("\n\n")


def test_english_article_keeps_headings_and_list_items_as_paragraphs() -> None:
    paras = paragraphs(extract_body(load("en_article.html"), "https://news.example/library"))
    assert paras[0].startswith("The town of Eastwick Ferry opened a library")
    assert "How the barge was paid for" in paras
    assert "insulation and heating so that the reading room stays open in winter," in paras
    assert paras[-1].startswith("Librarian Tomas Okafor said")


def test_english_article_drops_ad_label_share_newsletter_related_and_headline() -> None:
    text = extract_body(load("en_article.html"), "https://news.example/library")
    assert text is not None
    for junk in (
        "Advertisement",
        "Share this article",
        "newsletter and get",
        "Ferry timetable changes",
        "Related stories",
        "River town opens a floating library",
        "All rights reserved",
    ):
        assert junk not in text


def test_russian_article_drops_reklama_share_and_read_also() -> None:
    text = extract_body(load("ru_article.html"), "https://vestnik.example/barzha")
    paras = paragraphs(text)
    assert paras[0].startswith("В субботу в посёлке Заречный")
    assert "Кто заплатил за баржу" in paras
    assert "детский уголок с низкими полками и подушками." in paras
    for junk in ("Реклама", "Поделиться", "Читайте также", "Ремонт моста", "плавучую библиотеку"):
        assert all(junk not in p for p in paras)


def test_german_article_drops_anzeige_and_share_prompt() -> None:
    paras = paragraphs(extract_body(load("de_article.html"), "https://talbote.example/kahn"))
    assert paras[0].startswith("Das Dorf Unterau hat am Samstag")
    assert "Anzeige" not in paras
    assert "Artikel teilen" not in paras


@pytest.mark.parametrize("selector", ["div.selected-summary", '//div[@class="selected-summary"]'])
def test_body_selector_overrides_heuristics(selector: str) -> None:
    text = extract_body(
        load("de_article.html"), "https://talbote.example/kahn", body_selector=selector
    )
    assert paragraphs(text) == [
        "Zusammenfassung für die Konfiguration: nur dieser Block soll gelten, wenn ein Selektor "
        "ihn nennt.",
        "Zweiter Absatz des Blocks.",
    ]


def test_body_selector_drops_the_ad_and_share_labels_the_default_path_drops() -> None:
    page = lxml_html.document_fromstring(
        "<html><body><div class='story'>"
        "<p>Городской совет в четверг утвердил новый план ремонта набережной и парка.</p>"
        "<p>Реклама 18+</p><p>Story continues below advertisement</p>"
        "<p>Копировать ссылку</p><p>Partner content</p>"
        "<p>Работы начнутся весной и закончатся до конца следующего года.</p>"
        "</div></body></html>"
    )
    text = extract_body(page, "https://vestnik.example/naberezhnaya", body_selector="div.story")
    assert paragraphs(text) == [
        "Городской совет в четверг утвердил новый план ремонта набережной и парка.",
        "Работы начнутся весной и закончатся до конца следующего года.",
    ]


@pytest.mark.parametrize("label", sorted(AD_LABELS | SHARE_LABELS))
def test_every_ad_and_share_label_is_boilerplate_in_the_body_and_in_the_page(label: str) -> None:
    assert is_boilerplate(label) and is_boilerplate(label.upper())
    assert is_ad_label(label) or is_share_prompt(label)


@pytest.mark.parametrize("selector", ["div.not-on-this-page", "div[", "//*[@"])
def test_body_selector_that_misses_or_is_invalid_falls_back_to_heuristics(selector: str) -> None:
    text = extract_body(
        load("de_article.html"), "https://talbote.example/kahn", body_selector=selector
    )
    assert paragraphs(text)[0].startswith("Das Dorf Unterau hat am Samstag")


def test_tree_is_not_mutated() -> None:
    tree = load("en_article.html")
    before = etree.tostring(tree)
    extract_body(tree, "https://news.example/library")
    extract_body(tree, "https://news.example/library", body_selector="div.article-body")
    assert etree.tostring(tree) == before


@pytest.mark.parametrize(
    "markup",
    [
        "<html></html>",
        "<html><body><p>   </p></body></html>",
        "<html><body>\x01\x02\x03 ÿþ</body></html>",
    ],
)
def test_junk_input_returns_none(markup: str) -> None:
    assert extract_body(lxml_html.document_fromstring(markup), "https://x.example/") is None


def test_navigation_only_page_returns_none() -> None:
    assert extract_body(load("nav_only.html"), "https://news.example/") is None


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "Реклама",
        "Anzeige",
        "Поделиться",
        "Share this article",
        "Sign up for our newsletter",
        "Подписывайтесь на наш канал",
        "November 20, 2019 - 11:28 AMT",
        "Reading time: 3 min",
        "By Jane Doe and John Roe",
        "Table of Contents",
        "Back to top ↑",
        "Inhaltsverzeichnis",
        "Содержание:",
        "To view this video please enable JavaScript, and consider upgrading to a web browser",
        "Your browser does not support the video tag.",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Advertisers spent more on the campaign than in any previous year.",
        "By the end of the day the river had risen by two metres.",
        "10 p.m.",
        "Реклама на улицах города станет тише: совет принял новые правила.",
        "The contents of the report were leaked before the vote.",
        "Содержание отчёта стало известно до голосования.",
    ],
)
def test_article_lines_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_word_count_counts_unspaced_scripts() -> None:
    assert word_count("three plain words") == 3
    assert word_count("東京都は新しい図書館を開いた。") >= 5


# --- choosing between trafilatura's default and precision extractions -----------------------


def test_guide_keeps_section_headings_that_are_links() -> None:
    # precision mode deletes headings made of one link; they are the guide's structure
    paras = paragraphs(extract_body(load("en_guide.html"), "https://trail.example/shoes"))
    for heading in ("Ridgeline Pro 3 trail runner", "Fjell Light minimalist shoe"):
        assert heading in paras
    assert paras.index("Meadow Glide cushioned shoe") + 1 == paras.index(
        next(p for p in paras if p.startswith("The Meadow Glide is the softest shoe"))
    )
    assert paras[-1].startswith("Whichever pair you choose")


def test_checklist_guide_keeps_its_list_items() -> None:
    # the list sits in a bordered box, which precision mode discards with the items in it
    paras = paragraphs(extract_body(load("en_checklist.html"), "https://trail.example/pack"))
    tent = "A tent you have already pitched at home, with every peg and guy line counted"
    assert paras.index(tent) == 2
    assert "A paper map and a compass, because phone batteries fail in the cold and the rain" in (
        paras
    )
    assert paras[-1].startswith("Weigh the loaded pack")


def test_russian_guide_keeps_lede_and_linked_headings() -> None:
    paras = paragraphs(extract_body(load("ru_guide.html"), "https://tropa.example/palatka"))
    assert paras[0].startswith("Мы поставили и свернули одиннадцать палаток")
    assert "Каркас и установка в темноте" in paras
    assert "Дно, коврик и холод от земли" in paras
    assert paras[-1].startswith("Храните её свободно сложенной")
    assert "© 2026 Тропа" not in paras


_PROSE_EN = (
    "The council voted on Tuesday to keep the ferry running through the winter months, "
    "after a long debate about the cost of the new engine and the crew."
)
_PROSE_RU = (
    "Совет депутатов во вторник решил сохранить паромную переправу на всю зиму после долгого "
    "спора о стоимости нового двигателя и зарплате команды."
)


def _passages(count: int) -> list[str]:
    """Distinct prose paragraphs (no 4-token shingle in common)."""
    return [" ".join(f"w{n}t{k}" for k in range(25)) + "." for n in range(count)]


@pytest.mark.parametrize("prose", [_PROSE_EN, _PROSE_RU])
def test_losing_one_prose_paragraph_keeps_the_default_extraction(prose: str) -> None:
    others = _passages(30)
    default = [("p", p, 0.0) for p in [prose, *others]]
    assert _loses_content(default, "\n".join(others))


@pytest.mark.parametrize(
    "headings",
    [["Getting there", "Where to stay", "What to eat"], ["Как добраться", "Где жить", "Что есть"]],
)
def test_losing_section_headings_between_kept_passages_keeps_the_default(
    headings: list[str],
) -> None:
    body = _passages(4)
    default = [("p", body[0], 0.0)]
    for heading, text in zip(headings, body[1:], strict=True):
        default += [("head", heading, 1.0), ("p", text, 0.0)]
    assert _loses_content(default, "\n".join(body))
    # two lost headings, or headings lost after the last kept passage, are not enough
    assert not _loses_content(default[:-2], "\n".join(body[:-1]))
    trailing = [("p", text, 0.0) for text in body] + [("head", h, 0.0) for h in headings]
    assert not _loses_content(trailing, "\n".join(body))


@pytest.mark.parametrize(
    "items",
    [
        ["Bring a paper map and a compass", "Carry a spare head torch battery"],
        ["Возьмите бумажную карту и компас", "Положите запасную батарейку для фонаря"],
    ],
)
def test_losing_plain_list_items_between_kept_passages_keeps_the_default(
    items: list[str],
) -> None:
    default = [("p", _PROSE_EN, 0.0), *(("item", i, 0.0) for i in items), ("p", _PROSE_RU, 0.0)]
    assert _loses_content(default, f"{_PROSE_EN}\n{_PROSE_RU}")
    linked = [("p", _PROSE_EN, 0.0), *(("item", i, 0.9) for i in items), ("p", _PROSE_RU, 0.0)]
    assert not _loses_content(linked, f"{_PROSE_EN}\n{_PROSE_RU}")


def test_losing_short_lines_only_prefers_the_precision_extraction() -> None:
    body = _passages(6)
    default = [("p", "Photo: Eastwick Ferry Trust", 0.0), *(("p", t, 0.0) for t in body)]
    default += [("p", "Tags: ferry, council, winter", 0.4), ("p", "Поделиться в соцсетях", 0.0)]
    assert not _loses_content(default, "\n".join(body))


@pytest.mark.parametrize(
    ("items", "label"),
    [
        (["Unlimited articles for members", "Our newsletters every morning"], "Recommended"),
        (["Все статьи для подписчиков", "Рассылки каждое утро"], "Рекомендуем"),
    ],
)
def test_items_before_a_short_label_line_are_not_between_kept_passages(
    items: list[str], label: str
) -> None:
    # a members-only box lost by precision mode, with only a label line kept after it
    default = [("p", _PROSE_EN, 0.0), *(("item", i, 0.0) for i in items), ("p", label, 0.0)]
    assert not _loses_content(default, f"{_PROSE_EN}\n{label}")


LINK_LIST_PAGES = [
    (
        "en_link_lists.html",
        "https://www.valley-ledger.example/news/bridge-study",
        "National guidance on bridge loads, edition seven",
        ("Council budget vote delayed again", "What divers find under old river bridges"),
    ),
    (
        "de_link_lists.html",
        "https://www.talbote.example/region/talbruecke",
        "Richtlinie des Bundesamts für Brückenlasten, siebte Ausgabe",
        ("Kreistag vertagt den Haushalt erneut",),
    ),
    (
        "ru_link_lists.html",
        "https://vestnik.example/news/most",
        "Правила расчёта нагрузок на мосты, седьмая редакция",
        ("Депутаты снова отложили бюджет",),
    ),
]


@pytest.mark.parametrize(("name", "url", "source", "related"), LINK_LIST_PAGES)
def test_list_of_offsite_sources_inside_the_article_is_text_the_site_s_own_is_not(
    name: str, url: str, source: str, related: tuple[str, ...]
) -> None:
    fields = extract_article((FIXTURES / name).read_bytes(), url).fields
    assert fields is not None
    paras = paragraphs(fields["text"])
    assert source in paras  # links to other sites, followed by more of the article
    for line in related:  # links to the site's own stories, set into the text or closing it
        assert all(line not in p for p in paras)


def test_list_of_offsite_links_after_the_last_paragraph_is_dropped() -> None:
    text = extract_body(load("en_link_lists.html"), "https://www.valley-ledger.example/news/b")
    assert text is not None
    assert "Eastwick Ferry bridge inspection, 2019" in text
    assert "A county that closed its bridge too early" not in text


def test_link_list_on_a_page_without_address_is_a_related_block() -> None:
    text = extract_body(load("en_link_lists.html"), "")
    assert text is not None and "Eastwick Ferry bridge inspection, 2019" not in text


@pytest.mark.parametrize(
    ("name", "url", "labels"),
    [
        ("en_link_lists.html", "https://ledger.example/b", ("Table of contents", "Back to top")),
        ("de_link_lists.html", "https://talbote.example/region/b", ("Inhalt", "Nach oben")),
        ("ru_link_lists.html", "https://vestnik.example/news/most", ("Содержание", "Наверх")),
    ],
)
def test_navigation_labels_are_not_text(name: str, url: str, labels: tuple[str, ...]) -> None:
    fields = extract_article((FIXTURES / name).read_bytes(), url).fields
    assert fields is not None
    paras = paragraphs(fields["text"])
    assert len(paras) > 5 and not set(labels) & set(paras)


_UNCLOSED_POPUP = """<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8"><title>Mercado de abastos</title></head>
<body>
<aside class="popup-newsletter"><div class="popup-inner"><p>Suscríbete a nuestro boletín</p>
<header class="site-header"><nav><a href="/">Inicio</a> <a href="/ciudad">Ciudad</a></nav>
<article class="entry">
<h1>El mercado de abastos reabre tras dos años de obras</h1>
<p>El mercado municipal de la plaza Mayor volvió a abrir sus puertas el sábado, después de
dos años de obras que cambiaron la cubierta, los suelos y la instalación eléctrica del edificio.</p>
<p>Los cuarenta puestos de fruta, pescado y carne ocupan de nuevo la nave central, y la planta
alta acoge ahora una escuela de cocina para los vecinos del barrio.</p>
<p>La alcaldesa explicó que la reforma costó tres millones de euros, pagados a medias por el
ayuntamiento y por los propios comerciantes a lo largo de diez años.</p>
</article>
</body></html>"""


def test_content_inside_an_unclosed_popup_is_still_read() -> None:
    """A pop-up's <aside> and a <header> never closed: the parser puts the article inside
    them, and extraction, which skips site furniture, would find no text."""
    result = extract_article(_UNCLOSED_POPUP, "https://diario.example/ciudad/mercado-reabre")
    assert result.fields is not None, result.reason
    text = result.fields["text"]
    assert text.startswith("El mercado municipal de la plaza Mayor volvió a abrir")
    assert "escuela de cocina" in text and "tres millones de euros" in text
    assert "Suscríbete" not in text
    assert result.fields["title"] == "El mercado de abastos reabre tras dos años de obras"
    assert "unclosed_chrome" in result.events


def test_a_sidebar_of_teaser_articles_is_furniture_still() -> None:
    page = (
        _UNCLOSED_POPUP.replace(
            '<aside class="popup-newsletter"><div class="popup-inner"><p>Suscríbete a nuestro'
            " boletín</p>\n<header",
            "<header",
        )
        .replace("</nav>", "</nav></header>")
        .replace(
            "</article>",
            "</article><aside><article><a href='/otra'>Otra noticia del barrio</a>"
            "</article></aside>",
        )
    )
    result = extract_article(page, "https://diario.example/ciudad/mercado-reabre")
    assert result.fields is not None
    assert "Otra noticia" not in result.fields["text"]
    assert "unclosed_chrome" not in result.events


@pytest.mark.parametrize(
    ("name", "url", "rows", "stamp"),
    [
        (
            "en_table.html",
            "https://ledger.example/housing/rents",
            ("| 10/1/2023 | +4.2% |", "| 2/1/2024 | +6.8% |"),
            "03/14/2024 09:30",
        ),
        (
            "ru_table.html",
            "https://vestnik.example/city/arenda",
            ("| 01.10.2023 | +4,2% |", "| 01.02.2024 | +6,8% |"),
            "14.03.2024 09:30",
        ),
    ],
)
def test_table_rows_of_dates_and_figures_are_text_a_date_stamp_is_not(
    name: str, url: str, rows: tuple[str, ...], stamp: str
) -> None:
    paras = paragraphs(extract_body(load(name), url))
    for row in rows:
        assert row in paras
    assert stamp not in " ".join(paras)
    assert is_boilerplate(stamp) and not is_boilerplate(rows[0], table_row=True)


@pytest.mark.parametrize(
    ("name", "url", "loose"),
    [
        (
            "en_loose_prose.html",
            "https://garden.example/rain-barrel",
            [
                "Every square metre of roof gives about one litre of water",
                "Stand the barrel on a firm, level base",
            ],
        ),
        (
            "ru_loose_prose.html",
            "https://sad.example/bochka",
            ["Каждый квадратный метр крыши", "обычную садовую бочку за один дождливый вечер"],
        ),
    ],
)
def test_prose_written_after_a_heading_without_a_paragraph_is_kept(
    name: str, url: str, loose: list[str]
) -> None:
    paras = paragraphs(extract_body(load(name), url))
    for passage in loose:
        assert any(passage in p for p in paras), passage


def test_loose_prose_stays_between_its_heading_and_the_next_paragraph() -> None:
    paras = paragraphs(
        extract_body(load("en_loose_prose.html"), "https://garden.example/rain-barrel")
    )
    heading = paras.index("Where to put the barrel")
    assert paras[heading + 1].startswith("Stand the barrel on a firm, level base")
    assert paras[heading + 2].startswith("Empty and clean the barrel")


def test_lede_set_apart_in_a_teaser_box_comes_back_from_json_ld() -> None:
    tree = load("de_teaser_lede.html")
    paras = paragraphs(extract_body(tree, "https://tarife.example/news/crash-tarif"))
    assert paras[0].startswith("Für zehn Gigabyte im Netz von Nordfunk zahlt man")
    assert paras[1] == "Günstige Tarife für Wenignutzer"
    assert sum("Für zehn Gigabyte" in p for p in paras) == 1
