"""Is this page an empty app shell: HTML that only a browser running its scripts fills in?

``NEWSCRAWLER_RENDER=auto`` renders a page in a browser only when the plain HTML gave no record
and :func:`looks_like_app_shell` says yes (:mod:`newscrawler.render`).
"""

from __future__ import annotations

from lxml.html import HtmlElement

from newscrawler.vocabulary import APP_ROOT_ATTRIBUTES, APP_ROOT_IDS

# An app shell shows at most this many words outside its scripts (a header, a "loading…", a
# cookie banner, the <noscript> text not counted).
SHELL_MAX_WORDS = 50

_ROOT_XPATH = "//body//*[{}]".format(
    " or ".join(
        [f"@id='{name}'" for name in sorted(APP_ROOT_IDS)]
        + [f"@{attribute}" for attribute in APP_ROOT_ATTRIBUTES]
    )
)
_VISIBLE_TEXT = (
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template or ancestor::svg)]"
)
_BUNDLES = "//script[@src or @type='module']"


def looks_like_app_shell(root: HtmlElement, max_words: int = SHELL_MAX_WORDS) -> bool:
    """Whether the page is the empty shell of a client-side app.

    The signal needs all three of: an app mount point (``div#__next``, ``#__nuxt``, ``#app``,
    ``#root``, ``[data-reactroot]``…, :data:`~newscrawler.vocabulary.APP_ROOT_IDS`), script
    bundles that would fill it (an external or module ``<script>``), and at most ``max_words``
    words of visible text (scripts, styles, ``<noscript>`` and templates not counted). A
    server-rendered app page (text in the DOM) is no shell, nor is a short static page without
    scripts: rendering either would show nothing new.
    """
    if not root.xpath(_ROOT_XPATH) or not root.xpath(_BUNDLES):
        return False
    words = 0
    for text in root.xpath(_VISIBLE_TEXT):
        words += len(str(text).split())
        if words > max_words:
            return False
    return True
