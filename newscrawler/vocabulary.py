"""Every word and type list the crawler reads pages with, and the functions on them.

- labels news pages put around an article, lower case: a related-articles heading ("Читайте
  также", "Read more"), an attribution ("Источник", "Quelle"), an ad label ("Реклама",
  "Anzeige"), a share prompt ("Поделиться"). Whole-text labels are compared in the form
  :func:`newscrawler.text.normalise_text` gives, so "Реклама 18+" matches "реклама 18+";
- bylines: their prefixes ("By", "Автор:"), the job titles after a name, news agencies, newsroom
  desks, the words joining two names;
- dates: the labels in front of a publication or an update time, the words around a time;
- lines of body text that are no article text (newsletter prompts, reading times, furniture);
- JSON-LD ``@type`` values: articles, listings, products, organisations (lower case, without the
  schema.org prefix), used alike by routing (:mod:`newscrawler.discovery.classify`) and by
  extraction;
- what marks a page as no article: product ``og:type`` and price tags, add-to-cart controls, the
  URL sections of shops and service pages;
- the keys of a JavaScript page's app state that hold an article's text, headline, date and
  authors, and those of what is not the article.
- the mount points of client-side apps (an empty app shell, :mod:`newscrawler.discovery.appshell`).
"""

from __future__ import annotations

import re

from newscrawler.text import normalise_text

RELATED_LABELS = frozenset(
    {
        # ru / uk / be
        "посмотреть также",
        "смотрите также",
        "смотри также",
        "см. также",
        "читайте также",
        "читать также",
        "читайте еще",
        "читайте ещё",
        "по теме",
        "материалы по теме",
        "новости по теме",
        "еще по теме",
        "ещё по теме",
        "другие новости",
        "похожие новости",
        "похожие материалы",
        "рекомендуем",
        "вам может быть интересно",
        "читайте також",
        "дивіться також",
        "за темою",
        "по темі",
        # en
        "related",
        "related articles",
        "related stories",
        "related news",
        "related content",
        "related coverage",
        "related links",
        "read more",
        "read also",
        "also read",
        "see also",
        "more on this",
        "more on this story",
        "more on this topic",
        "more stories",
        "more news",
        "more from",
        "more like this",
        "you may also like",
        "you might also like",
        "recommended",
        "recommended for you",
        "further reading",
        # de
        "mehr zum thema",
        "lesen sie auch",
        "lesen sie mehr",
        "auch interessant",
        "das könnte sie auch interessieren",
        "weitere artikel",
        "weitere meldungen",
        "zum thema",
        "passend zum thema",
        "mehr dazu",
        # fr
        "à lire aussi",
        "a lire aussi",
        "lire aussi",
        "à lire également",
        "lire également",
        "voir aussi",
        "sur le même sujet",
        "sur le meme sujet",
        "dans la même rubrique",
        "à voir aussi",
        # es / pt
        "ver también",
        "lee también",
        "leer también",
        "lea también",
        "te puede interesar",
        "noticias relacionadas",
        "relacionado",
        "relacionados",
        "más información",
        "leia também",
        "veja também",
        "ler também",
        "saiba mais",
        "notícias relacionadas",
        # it
        "leggi anche",
        "potrebbe interessarti",
        "articoli correlati",
        "vedi anche",
        # nl / nordic / pl / cs / sk / others
        "lees ook",
        "zie ook",
        "meer over",
        "läs också",
        "läs mer",
        "les også",
        "les mer",
        "læs også",
        "læs mere",
        "lue myös",
        "czytaj też",
        "czytaj także",
        "zobacz też",
        "zobacz także",
        "przeczytaj też",
        "přečtěte si také",
        "čtěte také",
        "čítajte tiež",
        "olvassa el ezt is",
        "ayrıca okuyun",
        "bunlar da ilginizi çekebilir",
        "διαβάστε επίσης",
        "citește și",
        "прочетете още",
    }
)

SOURCE_LABELS = frozenset(
    {
        "источник",
        "источники",
        "первоисточник",
        "по материалам",
        "джерело",
        "крыніца",
        "source",
        "sources",
        "original source",
        "quelle",
        "quellen",
        "fuente",
        "fuentes",
        "fonte",
        "fonti",
        "źródło",
        "zdroj",
        "bron",
        "kilde",
        "källa",
        "lähde",
        "forrás",
        "kaynak",
        "πηγή",
        "sursa",
        "sursă",
        "via",
    }
)

# Whole-text labels of ad slots and the lines around them, in every language (compared in the
# form :func:`~newscrawler.text.normalise_text` gives: "Реклама 18+" is "реклама 18").
AD_LABELS = frozenset(
    {
        # ru / uk
        "реклама",
        "реклама 18+",
        "на правах рекламы",
        "спонсорский материал",
        "партнерский материал",
        "партнёрский материал",
        "продолжение ниже",
        "продолжение после рекламы",
        "реклама продолжение ниже",
        "публикация",
        # en
        "advertisement",
        "advertisements",
        "advertising",
        "advert",
        "ad",
        "ads",
        "sponsored",
        "sponsored content",
        "paid content",
        "paid post",
        "partner content",
        "promoted",
        "promoted content",
        "story continues below advertisement",
        "article continues below advertisement",
        "continue reading below",
        "continue reading the main story",
        "scroll to continue with content",
        "content continues below",
        # de
        "anzeige",
        "werbung",
        "weiterlesen nach der anzeige",
        "artikel wird nach der anzeige fortgesetzt",
        # others
        "publicité",
        "publicite",
        "publicidad",
        "publicidade",
        "pubblicità",
        "annonce",
        "annonse",
        "annons",
        "reklama",
        "reklame",
        "reklam",
        "advertentie",
        "mainos",
        "hirdetés",
        "διαφήμιση",
        "广告",
        "広告",
        "광고",
    }
)

# Share prompts and the buttons next to them: the whole text is one of these.
SHARE_LABELS = frozenset(
    {
        # ru / uk
        "поделиться",
        "поделиться в соцсетях",
        "поделитесь",
        "поделиться статьей",
        "поделиться новостью",
        "отправить",
        "копировать ссылку",
        "поширити",
        # en
        "share",
        "share this",
        "share this article",
        "share this story",
        "share this post",
        "share article",
        "share on facebook",
        "share on twitter",
        "share on x",
        "share via email",
        "share via e-mail",
        "click to share",
        "like this story? share it with a friend",
        "tweet",
        "email",
        "e-mail",
        "print",
        "copy link",
        "link copied",
        # de
        "teilen",
        "artikel teilen",
        "beitrag teilen",
        "auf facebook teilen",
        "link kopieren",
        # others
        "partager",
        "partager cet article",
        "compartir",
        "compartir en facebook",
        "condividi",
        "condividi questo articolo",
        "compartilhe",
        "compartilhar",
        "udostępnij",
        "delen",
        "dela",
        "dela artikeln",
        "del",
        "del artikkelen",
        "jaa",
        "sdílet",
        "paylaş",
        "haberi paylaş",
    }
)

# --- bylines ----------------------------------------------------------------------------------

# Prefixes of a byline, longest first so that "written by" wins over "by".
AUTHOR_PREFIXES = (
    "written by",
    "reporting by",
    "story by",
    "words by",
    "posted by",
    "text by",
    "authors",
    "author",
    "contributors",
    "contributor",
    "by",
    "авторы",
    "автор",
    "текст",
    "автори",
    "autorin/autor",
    "autor/autorin",
    "autor/in",
    "autor*in",
    "autorinnen",
    "autorin",
    "autoren",
    "autor",
    "text von",
    "ein artikel von",
    "von",
    "text",
    "texte",
    "par",
    "auteur",
    "por",
    "a cura di",
    "autore",
    "di",
    "door",
    "av",
    "af",
)

# Job titles written after a name in a byline (matched on whole lower-case words or stems).
ROLE_WORDS = frozenset(
    {
        "журналист",
        "журналистка",
        "редактор",
        "корреспондент",
        "корреспондентка",
        "обозреватель",
        "колумнист",
        "фотограф",
        "фотокорреспондент",
        "репортер",
        "репортёр",
        "шеф-редактор",
        "главный",
        "выпускающий",
        "старший",
        "специальный",
        "собственный",
        "спецкор",
        "собкор",
        "аналитик",
        "ведущий",
        "продюсер",
        "журналіст",
        "кореспондент",
        "оглядач",
        "journalist",
        "journalistin",
        "reporter",
        "reporterin",
        "correspondent",
        "editor",
        "editors",
        "writer",
        "staff",
        "senior",
        "chief",
        "deputy",
        "managing",
        "contributing",
        "contributor",
        "columnist",
        "photographer",
        "analyst",
        "producer",
        "associate",
        "political",
        "foreign",
        "economics",
        "business",
        "science",
        "health",
        "sports",
        "culture",
        "news",
        "digital",
        "desk",
        "at",
        "large",
        "special",
        "international",
        "national",
        "investigative",
        "redakteur",
        "redakteurin",
        "korrespondent",
        "korrespondentin",
        "autor",
        "autorin",
        "fotograf",
        "fotografin",
        "volontär",
        "volontärin",
        "chefredakteur",
        "chefredakteurin",
        "rédacteur",
        "rédactrice",
        "journaliste",
        "correspondant",
        "correspondante",
        "envoyé",
        "envoyée",
        "spécial",
        "spéciale",
        "periodista",
        "corresponsal",
        "redactor",
        "redactora",
        "giornalista",
        "corrispondente",
        "redattore",
        "redattrice",
        "inviato",
        "inviata",
        "verslaggever",
        "redacteur",
        "correspondente",
        "repórter",
        "redaktor",
        "dziennikarz",
        "dziennikarka",
        "novinář",
        "novinářka",
        "기자",
        "특파원",
        "記者",
        "特派員",
        "编辑",
        "记者",
    }
)

# News agencies, as a byline or an author field names them (lower-case, whole names only). An
# agency credited next to a person ("Von Anna Weber, dpa", "Jane Doe (Reuters)") is a credit of
# its own, not a place or an affiliation to drop.
NEWS_AGENCIES = frozenset(
    {
        "dpa",
        "dpa-afx",
        "deutsche presse-agentur",
        "afp",
        "agence france-presse",
        "agence france presse",
        "reuters",
        "thomson reuters",
        "ap",
        "associated press",
        "the associated press",
        "apa",
        "austria presse agentur",
        "sda",
        "keystone-sda",
        "kna",
        "epd",
        "sid",
        "dts",
        "ddp",
        "anp",
        "belga",
        "tt",
        "ntb",
        "ritzau",
        "stt",
        "efe",
        "agencia efe",
        "europa press",
        "ansa",
        "adnkronos",
        "lusa",
        "pap",
        "čtk",
        "ctk",
        "mti",
        "tasr",
        "aap",
        "pa",
        "pa media",
        "press association",
        "pti",
        "ians",
        "upi",
        "the canadian press",
        "canadian press",
        "bernama",
        "antara",
        "anadolu",
        "anadolu agency",
        "anadolu ajansı",
        "yonhap",
        "kyodo",
        "jiji",
        "xinhua",
        "tass",
        "тасс",
        "итар-тасс",
        "риа новости",
        "интерфакс",
        "interfax",
        "укрінформ",
        "уніан",
        "unian",
        "ukrinform",
        "연합뉴스",
        "共同通信",
        "時事通信",
        "新华社",
    }
)

# Words naming a newsroom rather than a person ("BR24 Redaktion", "MND Staff", "MM-Redaktion").
DESK_WORDS = frozenset(
    {
        "redaktion",
        "staff",
        "newsroom",
        "desk",
        "team",
        "redactie",
        "redacción",
        "rédaction",
        "redazione",
        "redação",
        "redaksjon",
        "redaktionen",
        "toimitus",
        "redakcja",
        "redakce",
        "редакция",
        "редакція",
    }
)
# Words for the news agencies as a whole, credited with a desk ("Staff and agencies",
# "Redaktion und Agenturen").
AGENCY_WORDS = frozenset(
    {
        "agencies",
        "wires",
        "agenturen",
        "agences",
        "agencias",
        "agenzie",
        "agências",
        "agentschappen",
        "агентства",
        "агенції",
    }
)

# Words joining two names in a byline.
AUTHOR_JOINERS = ("and", "и", "und", "et", "y", "e", "en", "og", "och", "ja", "i", "a", "&")

# Job-title stems, for inflected and compound forms ("Wirtschaftsredakteurin").
ROLE_STEMS = (
    "redakt",
    "rédact",
    "korrespond",
    "correspond",
    "corrisp",
    "journalist",
    "giornalist",
    "periodist",
    "reporter",
    "editor",
    "columnist",
    "photograph",
    "agentur",  # "Nachrichtenagentur", "Presseagentur": what the credit is, not a name
    "fotograf",
    "корреспондент",
    "кореспондент",
    "журналист",
    "журналіст",
    "редактор",
    "обозревател",
    "фотограф",
    "репортер",
    "репортёр",
)
# Words that may sit between role words ("head of politics", "editor for Europe").
ROLE_FILLERS = frozenset(
    {"of", "for", "the", "and", "de", "des", "du", "der", "die", "für", "по", "отдела", "и", "en"}
)
# Lower-case words allowed inside a person's name.
NAME_PARTICLES = frozenset(
    {"von", "van", "der", "den", "de", "da", "di", "del", "della", "dos", "das", "du", "le", "la"}
    | {"ter", "ten", "bin", "ibn", "al", "el", "zu", "y", "e", "af", "av", "ben", "mc", "st"}
)
# Words that end a list of names ("By TPN, in News, Portugal").
BYLINE_STOP_WORDS = frozenset(
    {"in", "from", "for", "aus", "für", "из", "в", "à", "en", "at", "on", "am"}
)
# Short byline openers that a name follows in running text ("capital von Jemima Kelly").
BYLINE_OPENERS = ("by", "von", "par", "por", "di", "av", "af", "door", "автор:?")

# Labels announcing the author's name in the next field (``twitter:label1``, WordPress SEO
# plugins).
AUTHOR_LABEL = re.compile(
    r"^\s*(?:written by|verfasst von|geschrieben von|autor(?:in)?|escrito por|écrit par"
    r"|scritto da|geschreven door|skrevet av|skrivet av|автор|napisał|kirjoittanut)\s*:?\s*$",
    re.I,
)

# Texts in byline-like places that credit a picture or a source, not the article's author.
PICTURE_CREDIT = re.compile(
    r"^\s*(?:foto|photo|bild|image|picture|credit|quelle|source|illustration|grafik|video|фото"
    r"|powered by|kuva|imagen|immagine)\b|©",
    re.I,
)

# --- dates ------------------------------------------------------------------------------------

# Labels in front of a publication date ("Datum 28.04.2023", "Published: 5 March 2024").
PUBLISHED_LABELS = (
    "datum",
    "date",
    "дата(?: публикации)?",
    "fecha",
    "data",
    "published(?: on| at)?",
    "posted(?: on)?",
    "veröffentlicht(?: am)?",
    "erschienen(?: am)?",
    "publié(?: le)?",
    "publicado(?: el| en)?",
    "pubblicato(?: il)?",
    "опубликовано",
    "gepubliceerd(?: op)?",
    "publicerad",
    "julkaistu",
)
PUBLISHED_LABEL = re.compile(rf"^\s*(?:{'|'.join(PUBLISHED_LABELS)})\b\s*:?", re.I)
# Stems that mark a time as an update ("Updated 5 March", "Aktualisiert am", "обновлено").
MODIFIED_STEMS = (
    "updat",
    "modif",
    "aktualisiert",
    "обновл",
    "изменен",
    "mis à jour",
    "mise à jour",
    "actualiz",
    "aggiorn",
    "bijgewerkt",
)
MODIFIED_HINT = re.compile("|".join(MODIFIED_STEMS), re.I)
# Words between a date and its time ("27 марта 2024 в 07:51", "1er avril à 07h30"), as regular
# expressions.
TIME_JOINERS = ("в", "à", r"a\s+las", "alle", "um", "at", "о", "o", r"kl\.?")
# Words after a year ("2024 г.", "2024 року"), as regular expressions.
YEAR_SUFFIXES = (r"г\.", "года", r"р\.", "року")
# Labels of a publication or an update time, as page furniture and bylines carry them ("Stand:",
# "Last updated", "Опубликовано").
DATE_LABELS = (
    "last updated",
    "last modified",
    "updated",
    "published",
    "posted",
    "stand",
    "aktualisiert",
    "veröffentlicht",
    "erschienen",
    "publié",
    "mis à jour",
    "publicado",
    "actualizado",
    "pubblicato",
    "aggiornato",
    "gepubliceerd",
    "bijgewerkt",
    "publicerad",
    "uppdaterad",
    "publisert",
    "oppdatert",
    "опубликовано",
    "обновлено",
)

# --- lines of body text that are no article text (see newscrawler.extraction.body) -------------

# Newsletter / subscription prompts: short paragraphs containing one of these stems.
NEWSLETTER_PROMPT = re.compile(
    r"newsletter|sign(?:ing)? up|subscri(?:be|ption)|your inbox|"
    r"abonnier|anmelden für|jetzt registrieren|"
    r"подпис(?:ывайтесь|аться|ка|ку)|рассылк|"
    r"inscri(?:vez|bete|ba|rever)|abonnez|suscr[ií]b|iscriviti|"
    r"nyhetsbrev|abonner|abonné|abonnent|prenumerera|подписчик|"
    r"for subscribers|subscribers only",
    re.IGNORECASE,
)
# Words that show a short prompt paragraph is about the reader's subscription, not the story.
READER_ADDRESS = re.compile(
    r"\b(?:you|your|our|thanks|thank you|sign|get|join|error|email|e-mail)\b|"
    r"\b(?:sie|ihr|ihre|unser|jetzt)\b|"
    r"(?:вы|ваш|наш|на нашу|наш)|"
    r"\b(?:vous|votre|nos|notre|tu|nuestro|nuestra|su|iscriviti)\b",
    re.IGNORECASE,
)

# Cues that open a related-article line ("Read more: <link>").
RELATED_CUE = re.compile(
    r"^\s*(?:read more|read also|also read|related|related articles?|related stories|"
    r"see also|more on this|more from|also on|recommended|you may also like|"
    r"lesen sie auch|lesen sie mehr|mehr zum thema|auch interessant|"
    r"das könnte sie auch interessieren|"
    r"читайте также|читайте еще|читайте ещё|смотрите также|по теме|"
    r"lire aussi|à lire aussi|voir aussi|lee también|leer más|ver también|"
    r"leggi anche|vedi anche|les også|läs också|lees ook|czytaj też|czytaj także)\b",
    re.IGNORECASE,
)
# Short lines that are page furniture, not article text (a labelled date, a copyright line).
FURNITURE_LINE = re.compile(
    rf"^\s*(?:(?:{'|'.join(re.escape(w) for w in DATE_LABELS)})\b.{{0,40}}\d|"
    r"(?:©|\(c\)|copyright\b)|"
    r"all rights reserved|alle rechte vorbehalten|все права защищены|"
    r"follow (?:us|me|him|her|them)\b.{0,60}\b(?:twitter|facebook|instagram|x|linkedin)\b|"
    r"have a (?:news )?tip\b|filed under\b|posted in\b|"
    # a video player's notice to browsers without JavaScript or video support
    r"to view this video\b|please enable javascript\b|your browser does not support\b)",
    re.IGNORECASE,
)
# A line that only labels the page's navigation: a table of contents' title, a way back.
NAVIGATION_LABEL = re.compile(
    r"^\W*(?:table of contents?|contents|content map|in this article|on this page|"
    r"back to (?:top|blog|all posts)|inhaltsverzeichnis|inhalt|inhalte|nach oben|"
    r"содержание|оглавление|содержание статьи|наверх|"
    r"sommaire|table des matières|índice|tabla de contenidos?|indice|sommario|"
    r"inhoudsopgave|innehåll|indholdsfortegnelse|innhold|spis treści)\W*$",
    re.IGNORECASE,
)
# Words a date-and-time stamp is made of (besides numbers and time-zone abbreviations).
_DATE_STAMP_WORDS_TEXT = (
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june "
    "july august september october november december mon tue wed thu fri sat sun monday "
    "tuesday wednesday thursday friday saturday sunday am pm at on of the um uhr am den "
    "januar februar märz mai juni juli oktober dezember "
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря г "
    "года в "
    "janvier février mars avril juin juillet août septembre octobre novembre décembre le "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre de del"
)
DATE_STAMP_WORDS = frozenset(_DATE_STAMP_WORDS_TEXT.split())
# Reading-time and byline lines ("Reading time: 3 min", "By Jane Doe").
READING_TIME = re.compile(
    r"^\s*(?:reading time|read time|lesezeit|время чтения|tempo de leitura|tiempo de lectura|"
    r"temps de lecture|tempo di lettura|lesetid|lästid)\b|^\s*\d+\s*(?:min|minutes?|minuten|"
    r"мин|minutos|minuti)\.?\s*(?:read|lesezeit|чтения|de leitura|de lectura|de lecture)?\s*$",
    re.IGNORECASE,
)
BYLINE_LINE = re.compile(
    r"^\s*(?:by|von|par|por|di|av|af|door|автор:?|текст:?)\s+\w+\.?(?:\s+\w+)?\s*"
    r"(?:(?:,|and|und|и|et|y|e|og|och|en)\s*\w+\.?(?:\s+\w+)?\s*)*$",
    re.IGNORECASE,
)
# --- JSON-LD types ----------------------------------------------------------------------------

# schema.org Article and the subtypes news sites use: the page is an article (routing), and the
# object holds its headline, dates and authors (extraction).
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "asknewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "report",
        "satiricalarticle",
        "techarticle",
        "scholarlyarticle",
        "medicalscholarlyarticle",
        "advertisercontentarticle",
    }
)
# News articles among them: their declared headlines are written as headlines (title choice).
NEWS_ARTICLE_TYPES = frozenset(t for t in ARTICLE_TYPES if t.endswith("newsarticle")) | {
    "liveblogposting"
}
# Class, id or itemtype of a breadcrumb trail: an <h1> in it is the page's name in the trail (often
# its search title), not the headline the article shows (title choice).
BREADCRUMB_HINT = re.compile(r"crumb", re.I)
# Objects that carry an article's fields without being an article: a video page's VideoObject
# gives its headline and date, but video hubs list many, so it does not route a page.
ARTICLE_LIKE_TYPES = ARTICLE_TYPES | {"videoobject"}
# The page's own object is a list of other things: a section, a search, a profile, a catalogue
# (a site's ``WebSite`` and ``WebPage`` objects come with articles too: they say nothing).
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
SITE_TYPE = "website"
# The page sells something: a product, its offers, a catalogue of offers.
PRODUCT_TYPES = frozenset(
    {
        "product",
        "productgroup",
        "productmodel",
        "individualproduct",
        "someproducts",
        "offer",
        "aggregateoffer",
        "offercatalog",
    }
)
# The page offers a service (a company's consulting, a council's repair grant, a course of
# lessons): schema.org ``Service`` and its subtypes. ``LocalBusiness`` types are left out: a
# company's blog declares its business on every post.
SERVICE_TYPES = frozenset(
    {
        "service",
        "broadcastservice",
        "cableorsatelliteservice",
        "financialproduct",
        "foodservice",
        "governmentservice",
        "taxiservice",
        "webapi",
    }
)
ORGANISATION_TYPES = frozenset(
    {"organization", "newsmediaorganization", "corporation", "ngo", "governmentorganization"}
)
PERSON_TYPE = "person"


# --- pages that are no articles ---------------------------------------------------------------

# ``og:type`` values of a shop's product pages.
PRODUCT_OG_TYPES = frozenset({"product", "product.group", "product.item", "og:product"})
# ``<meta>`` names giving a price (Open Graph product markup).
PRICE_META = ("product:price:amount", "og:price:amount", "product:sale_price:amount")
# Add-to-cart controls (a button's text, a form's action, a class or id), in the languages the
# crawler meets most. Matched against lower-cased text (a case-blind pattern is ten times
# slower on a page's attributes).
ADD_TO_CART = re.compile(
    r"add[-_ ]?to[-_ ]?(?:cart|bag|basket)|addtocart|buy[-_ ]?now|в корзину|"
    r"in den warenkorb|ajouter au panier|añadir al carrito|aggiungi al carrello|"
    r"in winkelwagen|do koszyka|dodaj do koszyka|lägg i varukorgen"
)
# A price in a page's visible text: an amount with a currency sign or code ("$12.99", "€ 40",
# "1 200 руб.", "15 zł", "CHF 20"). Cost guides show some; a shop's page shows many. Matched
# against lower-cased text.
_AMOUNT = r"\d+(?:[ ,.\u00a0]\d{3})*(?:[.,]\d{1,2})?"
PRICE = re.compile(
    rf"(?:[$€£¥₹₽]|\b(?:usd|eur|gbp|chf|rub|us\$))\s?{_AMOUNT}"
    rf"|{_AMOUNT}\s?(?:[€₽]|руб\.?|р\.|zł|kč|\b(?:usd|eur|gbp|chf|rub)\b)"
)
# Titles of a list page: an index whose entries are other pages ("List of programming
# languages"), the naming convention of wikis; with a page mostly of links, no article, whatever
# its markup declares. Compared lower case with the title's start.
LIST_TITLE_PREFIXES = (
    "list of ",
    "lists of ",
    "index of ",
    "список ",
    "перечень ",
    "liste der ",
    "liste des ",
    "liste de ",
    "lista de ",
    "elenco di ",
    "lijst van ",
    "lista över ",
)
# Quotation marks opening and closing a paragraph that is a quotation in full (a testimonial:
# "“Olivia's classes changed my week…”").
QUOTE_OPENERS = '"“«„‘'
QUOTE_CLOSERS = '"”»“’'
# Calls to action of a company's landing page: a link's or a button's whole label asking the
# reader to get in touch, ask for a quote, book or start ("Get a free quote", "Book a demo",
# "Оставить заявку"). A blog post ends on one too; a landing page shows several and a form.
CALL_TO_ACTION = re.compile(
    r"^(?:contact(?: us)?|get (?:a |your )?(?:free )?(?:quote|estimate|consultation|started|"
    r"in touch|proposal)|request (?:a |more )?(?:free )?(?:quote|demo|info|information|"
    r"consultation|callback|call back|proposal|estimate)|book (?:a |your )?(?:free )?(?:demo|"
    r"call|consultation|appointment|meeting)|schedule (?:a |your )?(?:free )?(?:call|demo|"
    r"consultation|visit|appointment|meeting)|talk to (?:an? |our )?(?:expert|specialist|"
    r"sales|team)s?|speak (?:to|with) (?:an? |our )?(?:expert|advisor|specialist|team)s?|"
    r"let'?s (?:talk|connect|chat)|apply(?: now| online| today)|enquire(?: now)?|"
    r"inquire(?: now)?|call (?:us|now)(?: today)?|(?:start|try) (?:your |a )?free trial|"
    r"free consultation|hire us|get pricing|"
    r"связаться(?: с нами)?|свяжитесь с нами|оставить заявку|отправить заявку|подать заявку|"
    r"заказать звонок|получить консультацию|записаться(?: на консультацию)?|"
    r"узнать (?:стоимость|цену)|рассчитать стоимость|получить предложение|"
    r"kontakt aufnehmen|angebot anfordern|jetzt anfragen|termin vereinbaren|"
    r"contactez-nous|demander un devis|prendre rendez-vous|contáctanos|contacta con nosotros|"
    r"solicitar presupuesto|pide presupuesto)[.!…]*$",
    re.I,
)
# Forms that are no lead form (a search box, a comment form, a newsletter sign-up, a login):
# words of their action, id, class, name or role.
NOT_LEAD_FORM = re.compile(
    r"search|comment|newsletter|subscri|login|log-in|signin|sign-in|poisk|поиск", re.I
)
# URL path segments of a site's edition for all countries: with locale segments ("/en/",
# "/us/en/", "/en-gb/") alone, a path is an edition's home page.
SITE_EDITIONS = frozenset({"global", "intl", "international", "worldwide", "int"})
# URL path segments naming the section of a site that lists its stories: a path of one of them
# alone (after locale segments: "/news", "/en/blog/", "/novosti") is that section's front page,
# a listing.
STORY_SECTIONS = frozenset(
    {
        "news",
        "blog",
        "blogs",
        "articles",
        "stories",
        "posts",
        "latest",
        "issues",
        "newsroom",
        "press",
        "updates",
        "insights",
        "nachrichten",
        "aktuelles",
        "neuigkeiten",
        "actualites",
        "actualités",
        "noticias",
        "notizie",
        "nieuws",
        "novosti",
        "новости",
        "статьи",
        "публикации",
    }
)
# URL path segments of a site's shop, catalogue and service pages ("/products/…",
# "/services/…", "/category/…"): with at most one article signal the page is no article.
NON_ARTICLE_SECTIONS = frozenset(
    {
        "app",
        "browse",
        "careers",
        "cart",
        "cat",
        "catalog",
        "categories",
        "category",
        "collections",
        "courses",
        "department",
        "directory",
        "ip",
        "itm",
        "jobs",
        "listing",
        "pricing",
        "product",
        "product-category",
        "products",
        "programs",
        "service",
        "services",
        "shop",
        "solutions",
        "store",
    }
)


# --- app state: keys of the data a JavaScript page ships (``__NEXT_DATA__``, Nuxt, flight) -----
# Compared lower case with everything but letters and digits removed ("article_body" is
# "articlebody", "__html" is "html").

# Keys under which an article's text is usually kept.
APP_STATE_BODY_KEYS = frozenset(
    {
        "articlebody",
        "articlehtml",
        "articletext",
        "body",
        "bodyhtml",
        "bodytext",
        "content",
        "contenthtml",
        "contents",
        "contenttext",
        "fulltext",
        "html",
        "paragraphs",
        "richtext",
        "storybody",
        "storytext",
        "text",
    }
)
# Keys of what is not the article: other stories, comments, the site's furniture.
APP_STATE_SKIP_KEYS = frozenset(
    {
        "ads",
        "breadcrumbs",
        "comments",
        "footer",
        "header",
        "menu",
        "mostread",
        "navigation",
        "popular",
        "recommendations",
        "recommended",
        "related",
        "relatedarticles",
        "relatedstories",
        "sidebar",
        "teaser",
        "teasers",
        "trending",
    }
)
# Keys of the article's headline, publication time and authors, nearest the text first.
APP_STATE_TITLE_KEYS = ("headline", "title")
APP_STATE_DATE_KEYS = (
    "datepublished",
    "publishedat",
    "publishdate",
    "publicationdate",
    "publishedtime",
    "publishtime",
    "firstpublished",
    "firstpublishedat",
    "pubdate",
)
APP_STATE_AUTHOR_KEYS = ("authors", "author", "byline", "writers", "writer")
# Inside an author object, the key holding the person's name.
APP_STATE_NAME_KEYS = ("name", "fullname", "displayname", "title")
# The mount points of client-side apps: the element ids (Next.js, Nuxt, Gatsby, create-react-app,
# Vue CLI and others) and attributes (React, Vue 3, Angular) that an app shell renders into.
APP_ROOT_IDS = frozenset({"__next", "__nuxt", "___gatsby", "app", "root", "svelte"})
APP_ROOT_ATTRIBUTES = ("data-reactroot", "data-v-app", "ng-version")


def schema_type(value: object) -> str:
    """``"https://schema.org/NewsArticle"`` → ``"newsarticle"``: the type's lower-case name."""
    return str(value).rsplit("/", 1)[-1].lower()


# --- labels -----------------------------------------------------------------------------------

# Labels are compared in the form normalise_text gives ("Читайте также:" is "читайте также").
_RELATED_KEYS = frozenset(normalise_text(label) for label in RELATED_LABELS)


def is_related_label(text: str) -> bool:
    """Whether ``text`` as a whole is a related-articles heading."""
    return len(text) <= 80 and normalise_text(text) in _RELATED_KEYS


def related_prefix(text: str) -> str | None:
    """The rest of ``text`` when it starts with a related-articles label and a colon."""
    head, sep, rest = text.partition(":")
    if sep and normalise_text(head) in _RELATED_KEYS:
        return rest.strip()
    return None


# No label is longer than this: longer texts are not compared at all.
_LABEL_MAX_CHARS = 60
_AD_KEYS = frozenset(normalise_text(label) for label in AD_LABELS)
_SHARE_KEYS = frozenset(normalise_text(label) for label in SHARE_LABELS)


def is_ad_label(text: str) -> bool:
    """Whether ``text`` as a whole is an advertisement label ("Реклама 18+", "Anzeige")."""
    return len(text) <= _LABEL_MAX_CHARS and normalise_text(text) in _AD_KEYS


def is_share_prompt(text: str) -> bool:
    """Whether ``text`` as a whole is a share prompt ("Share this article", "Поделиться")."""
    return len(text) <= _LABEL_MAX_CHARS and normalise_text(text) in _SHARE_KEYS


# The attribution labels, longest first so that "источники" wins over "источник".
_SOURCE_LABELS_LONGEST_FIRST = tuple(sorted(SOURCE_LABELS, key=len, reverse=True))
# Attribution labels read without a colon ("via Reuters", "По материалам ТАСС").
_SOURCE_LABELS_SPACED = frozenset({"via", "по материалам"})


def split_source_label(text: str) -> tuple[str, str] | None:
    """``(label, rest)`` when ``text`` is an attribution line (``Источник: ТАСС``, ``Source``)."""
    clean = " ".join(text.split())
    if len(clean) > 160:
        return None
    lowered = clean.lower()
    if not lowered.startswith(_SOURCE_LABELS_LONGEST_FIRST):
        return None
    for label in _SOURCE_LABELS_LONGEST_FIRST:
        if not lowered.startswith(label):
            continue
        after = clean[len(label) :]
        if not after.strip(" :：—–-."):
            return clean[: len(label)], ""
        if after[0] in ":：" or after.lstrip()[:1] in (":", "："):
            return clean[: len(label)], after.lstrip(" :：").strip()
        if after[:2] in (" —", " –", " -") and after[2:3] == " ":
            return clean[: len(label)], after[3:].strip()
        if after[0] == " " and label in _SOURCE_LABELS_SPACED:
            return clean[: len(label)], after.strip()
        return None
    return None


def split_author_prefix(text: str) -> tuple[str | None, str]:
    """``(prefix, rest)``: a byline with its label (``АВТОР:``, ``By``) split off."""
    clean = " ".join(text.split())
    lowered = clean.lower()
    if not lowered.startswith(AUTHOR_PREFIXES):
        return None, clean
    for prefix in AUTHOR_PREFIXES:
        if lowered.startswith(prefix):
            rest = clean[len(prefix) :]
            if not rest:
                return clean, ""
            if rest[0] in ":：" or (rest[0] == " " and prefix not in {"text", "texte", "di"}):
                return clean[: len(prefix)], rest.lstrip(" :：").strip()
            if rest[0] == " " and rest.lstrip().startswith(":"):
                return clean[: len(prefix)], rest.lstrip(" :：").strip()
    return None, clean
