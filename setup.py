"""Build shim for ``scrapyd-deploy``, which builds its egg with ``python setup.py bdist_egg``
and writes a setup.py of its own when there is none. Everything is declared in pyproject.toml."""

from setuptools import setup

setup()
