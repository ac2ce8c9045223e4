"""Pages of JavaScript sites whose article is shipped as data (written for these tests).

Each builder returns the HTML of one page: an app shell whose elements hold no article text
(or, for :func:`dom_complete_page`, all of it) and the article in the form a framework ships it:
``__NEXT_DATA__``, Next.js flight data, ``window.__NUXT__`` or ``__NUXT_DATA__``. The texts are
module constants so that tests can compare a record's text with them.
"""

from __future__ import annotations

import html
import json
from typing import Any

RU_TITLE = "В Самаре открыли речной вокзал после реконструкции"
RU_PARAGRAPHS = [
    "Речной вокзал Самары снова принимает пассажиров: реконструкция здания, начатая три года "
    "назад, завершилась в понедельник, сообщили в городской администрации.",
    "Строители заменили кровлю, отремонтировали причалы и восстановили мозаичное панно в главном "
    "зале, которое почти полвека было скрыто под слоем штукатурки.",
    "Первые теплоходы до Ширяева и Винновки отправятся от обновлённого причала уже в эти "
    "выходные, а расписание летней навигации опубликуют на сайте порта.",
]
RU_TEASER = "Теплоходы до Ширяева снова ходят по расписанию, пишут наши читатели из Самары."

DE_TITLE = "Neue Fähre verbindet die Inseln im Wattenmeer"
DE_PARAGRAPHS = [
    "Seit Montag pendelt eine elektrisch angetriebene Fähre zwischen den beiden Inseln, teilte "
    "die Reederei am Vormittag in einer Pressemitteilung mit.",
    "Das Schiff bietet Platz für zweihundert Fahrgäste und vierzig Fahrräder; geladen wird es "
    "während der Liegezeit im Hafen mit Strom aus dem örtlichen Windpark.",
    "Die Gemeinden hoffen, dass damit mehr Tagesgäste ohne Auto anreisen und die Parkplätze am "
    "Festland im Sommer weniger überlastet sind.",
]

FR_TITLE = "La médiathèque de Rennes ouvre le dimanche"
FR_PARAGRAPHS = [
    "À partir du mois prochain, la médiathèque centrale de Rennes accueillera le public chaque "
    "dimanche après-midi, a annoncé la municipalité mardi soir.",
    "Cette ouverture supplémentaire répond à une demande ancienne des étudiants, qui manquent de "
    "places de travail calmes pendant les périodes d'examens.",
    "Une dizaine de bibliothécaires volontaires assureront l'accueil, et les horaires seront "
    "évalués après six mois de fonctionnement.",
]

EN_TITLE = "Harbour town votes to keep its night ferry"
EN_PARAGRAPHS = [
    "Residents of the harbour town voted on Sunday to keep the night ferry running through the "
    "winter, after the operator had proposed to stop it in October.",
    "The council will cover the shortfall from its tourism fund for two years, while the "
    "operator tests smaller boats that cost less to run on quiet crossings.",
    "Nurses and hotel staff who work late shifts on the island had collected more than three "
    "thousand signatures in favour of the service.",
]


def shell(lang: str, title: str, scripts: str, body: str = '<div id="__next"></div>') -> str:
    """A page of ``body`` (an empty app root by default) and ``scripts``."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | Example</title>"
        '<meta property="og:type" content="article"></head>\n'
        f"<body>{body}\n{scripts}\n</body></html>\n"
    )


def _json_script(ident: str, data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script id="{ident}" type="application/json">{text}</script>'


def next_data_page() -> str:
    """Russian: the article as a list of blocks in ``__NEXT_DATA__``, beside related teasers."""
    data = {
        "props": {
            "pageProps": {
                "article": {
                    "headline": RU_TITLE,
                    "publishedAt": "2024-05-14T09:30:00+04:00",
                    "authors": [{"name": "Анна Круглова"}],
                    "lead": "Вокзал открыт.",
                    "body": [
                        *({"type": "paragraph", "text": p} for p in RU_PARAGRAPHS[:2]),
                        {"type": "image", "caption": "Панно в главном зале."},
                        {"type": "paragraph", "text": RU_PARAGRAPHS[2]},
                    ],
                },
                "related": [{"title": "Теплоходы", "summary": RU_TEASER}],
            }
        },
        "page": "/news/[slug]",
        "buildId": "b1",
    }
    return shell("ru", RU_TITLE, _json_script("__NEXT_DATA__", data))


def _flight_scripts(rows: list[str]) -> str:
    stream = "".join(rows)
    pieces = [stream[i : i + 120] for i in range(0, len(stream), 120)]  # pushed in chunks
    pushes = "".join(
        f"<script>self.__next_f.push({json.dumps([1, piece])})</script>" for piece in pieces
    )
    return f"<script>(self.__next_f=self.__next_f||[]).push([0])</script>{pushes}"


def next_flight_page() -> str:
    """German: the article's HTML in a flight text row that the article row references."""
    body_html = "".join(f"<p>{html.escape(p)}</p>" for p in DE_PARAGRAPHS)
    size = len(body_html.encode("utf-8"))
    article = {
        "title": DE_TITLE,
        "datePublished": "2024-05-13T07:15:00+02:00",
        "byline": "Jens Albers",
        "contentHtml": "$a",
    }
    rows = [
        '1:"$Sreact.fragment"\n',
        '2:I[1234,["static/chunks/app.js"],"Article"]\n',
        ':HL["/_next/static/media/font.woff2","font"]\n',
        f"a:T{size:x},{body_html}",
        f"3:{json.dumps(['$', '$L2', None, {'article': article}], ensure_ascii=False)}\n",
    ]
    return shell("de", DE_TITLE, _flight_scripts(rows), body='<main id="app"></main>')


def nuxt_page() -> str:
    """French: ``window.__NUXT__`` as a function called with the values its object names."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in FR_PARAGRAPHS)
    script = (
        '<script>window.__NUXT__=(function(a,b,c,d){return {layout:"default",'
        "data:[{article:{title:a,content:" + json.dumps(body, ensure_ascii=False) + ","
        "author:{name:b},publishDate:c,tags:d,likes:void 0,draft:!1}}],"
        'state:{menu:[{label:"Accueil",url:"/"}]}}}'
        f'({json.dumps(FR_TITLE, ensure_ascii=False)},"Claire Morvan",'
        '"2024-05-12T18:00:00+02:00",null));</script>'
    )
    return shell("fr", FR_TITLE, script, body='<div id="__nuxt"></div>')


def nuxt_data_page() -> str:
    """English: Nuxt 3's ``__NUXT_DATA__``, every value an index into the array."""
    table: list[Any] = [
        ["ShallowReactive", 1],
        {"data": 2, "state": 8},
        ["ShallowReactive", 3],
        {"story": 4},
        {"headline": 5, "text": 6, "firstPublished": 7},
        EN_TITLE,
        "\n".join(EN_PARAGRAPHS),
        ["Date", "2024-05-11T06:00:00.000Z"],
        {"menu": 9},
        "Home",
    ]
    return shell("en", EN_TITLE, _json_script("__NUXT_DATA__", table), body='<div id="__nuxt">')


def dom_complete_page() -> str:
    """English: the article in the page's elements, a shorter summary in ``__NEXT_DATA__``."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in EN_PARAGRAPHS)
    body = f"<article><h1>{html.escape(EN_TITLE)}</h1>{paragraphs}</article>"
    data = {"props": {"pageProps": {"story": {"title": EN_TITLE, "text": EN_PARAGRAPHS[0]}}}}
    return shell("en", EN_TITLE, _json_script("__NEXT_DATA__", data), body=body)


def broken_page(scripts: str) -> str:
    """English: the article in the page's elements, beside app-state ``scripts`` that do not
    parse."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in EN_PARAGRAPHS)
    body = f"<article><h1>{html.escape(EN_TITLE)}</h1>{paragraphs}</article>"
    return shell("en", EN_TITLE, scripts, body=body)
