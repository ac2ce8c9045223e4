"""``newscrawler`` console script: ``scrapy`` with this project's settings, from any folder."""

from __future__ import annotations

import io
import os
import re
import sys
from contextlib import redirect_stdout

from scrapy.cmdline import execute

PROG = "newscrawler"


def command_name(argv: list[str]) -> str | None:
    """The command in ``argv`` as Scrapy finds it: the first argument not starting with ``-``."""
    return next((arg for arg in argv[1:] if not arg.startswith("-")), None)


def renamed(text: str) -> str:
    """Scrapy's command list with ``scrapy`` as the program name replaced by ``newscrawler``."""
    return re.sub(r'(^\s*|")scrapy\b(?! \d)', rf"\g<1>{PROG}", text, flags=re.MULTILINE)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawler.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = PROG
    if command_name(argv) is not None:
        execute(argv)
        return
    # No command: Scrapy prints its usage and command list, naming itself; name this program.
    out = io.StringIO()
    code: int | str | None = 0
    try:
        with redirect_stdout(out):
            execute(argv)
    except SystemExit as exc:
        code = exc.code
    sys.stdout.write(renamed(out.getvalue()))
    sys.exit(code)


if __name__ == "__main__":
    main()
