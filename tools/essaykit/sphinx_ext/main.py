"""Wire essaykit into Sphinx: defaults from book.yml, page decorations, directives, builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from essaykit import collector, compat
from essaykit.core.book import ROOT_DOC, Book, load_book, normal_site_url, site_url_problem
from essaykit.core.cachekey import stack_key
from essaykit.core.diagnostics import EssaykitError
from essaykit.core.mdconfig import sphinx_settings
from essaykit.sphinx_ext import (
    directives,
    drafts,
    epub,
    findings,
    freshness,
    harvard,
    memory,
    navcache,
    pages,
    social,
)
from essaykit.sphinx_ext.state import book_of, remember_book

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("essaykit.sphinx_ext.state")  # the book's state: first of all
    app.setup_extension("myst_parser")
    app.setup_extension("sphinxcontrib.bibtex")
    from essaykit.sphinx_ext.fastbib import (
        IndexedBibliographyTransform,
        IndexedBibtexDomain,
        LeanBibliography,
    )

    app.add_domain(IndexedBibtexDomain, override=True)
    app.add_post_transform(IndexedBibliographyTransform)
    app.add_directive("bibliography", LeanBibliography, override=True)
    app.setup_extension("essaykit.sphinx_ext.hardening")  # the gate's second layer
    app.setup_extension("essaykit.sphinx_ext.termtips")
    app.setup_extension("essaykit.sphinx_ext.citeorder")
    app.setup_extension("essaykit.sphinx_ext.bookindex")
    app.setup_extension("essaykit.sphinx_ext.drafts")
    app.setup_extension("essaykit.sphinx_ext.titles")
    app.setup_extension("essaykit.sphinx_ext.a11y")
    app.setup_extension("essaykit.sphinx_ext.shown")
    app.setup_extension("essaykit.sphinx_ext.searchkeep")  # after shown: saves what it restores
    app.setup_extension("essaykit.sphinx_ext.templatecache")
    harvard.register()
    harvard.register_reference_style()
    app.add_config_value("essaykit_root", None, "env", types=[str, type(None)])
    app.add_config_value("essaykit_check", True, "", types=[bool])
    # set by `essaykit build` from essaykit's own files: a new version re-reads everything
    app.add_config_value("essaykit_code_version", "", "env", types=[str])
    app.add_config_value("essaykit_cache_sidebar", True, "html", types=[bool])
    app.connect("builder-inited", navcache.reset_cache)
    # under `essaykit build`: the loaded environment, then the read book, are long-lived
    app.connect("config-inited", lambda _app, _config: collector.pause(), priority=900)
    app.connect("builder-inited", lambda _app: collector.settle(), priority=900)
    app.connect("env-updated", lambda _app, _env: collector.settle(), priority=900)
    app.connect("build-finished", navcache.save_store)
    app.connect("env-get-outdated", freshness.remember_titles)
    app.connect("source-read", freshness.note_reread)
    app.connect("env-get-updated", freshness.pages_to_rewrite)
    app.connect("html-page-context", navcache.add_cached_nav, priority=400)
    app.add_config_value("essaykit_lean_memory", True, "", types=[bool])
    # speed-ups that reach inside other packages (essaykit.compat); off = public APIs only
    app.add_config_value("essaykit_fast_internals", True, "", types=[bool])
    app.connect("config-inited", cache_pybtex_plugins, priority=200)
    app.connect("env-before-read-docs", memory.lean_doctree_cache)
    app.connect("html-page-context", memory.forget_written_doctree)
    app.add_config_value("essaykit_autolink_terms", None, "env", types=[bool, type(None)])
    # where the web book is published: `essaykit build --site-url`, else book.yml's `url:`
    app.add_config_value("essaykit_site_url", "", "html", types=[str])
    social.setup(app)
    from essaykit.sphinx_ext.autolink import LinkFirstUseOfTerms

    app.add_post_transform(LinkFirstUseOfTerms)
    app.connect("config-inited", apply_book_defaults, priority=100)
    app.connect("builder-inited", findings.report_findings)
    app.connect("source-read", pages.append_reference_list)
    # before the toctree collector (priority 500), so the page contents match the page
    app.connect("doctree-read", pages.decorate_page, priority=400)
    app.connect("env-updated", pages.prefer_collected_bibliography, priority=100)
    app.connect("build-finished", pages.write_root_redirect)
    app.add_directive("essaykit-titlepage", directives.TitlePage)
    app.add_directive("essaykit-contents", directives.Contents)
    app.add_directive("essaykit-contributors", directives.Contributors)
    app.add_css_file("essaykit.css")
    app.add_js_file("essaykit-i18n.js")  # after Sphinx's doctools.js (priority 200)

    from essaykit.print.builder import PrintBuilder

    app.add_builder(PrintBuilder)
    app.add_builder(epub.BookEpubBuilder, override=True)
    app.connect("builder-inited", epub.prepare_epub)
    app.connect("doctree-resolved", epub.drop_web_only)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}


def get_book(app: Sphinx) -> Book:
    return book_of(app.env)


def apply_book_defaults(app: Sphinx, config: Config) -> None:
    """Fill Sphinx's settings from book.yml, unless conf.py set them itself."""
    root = Path(config.essaykit_root or app.confdir)
    try:
        book = load_book(root)
    except EssaykitError as err:
        lines = "\n".join(d.format_text() for d in err.diagnostics)
        raise ConfigError(f"essaykit: the book's configuration is invalid:\n{lines}") from None
    held = drafts.held_back(book, config)
    book = book.without(held)
    remember_book(app, book)
    def default(name: str, value: Any) -> None:
        if not compat.set_in_conf_py(config, name):
            setattr(config, name, value)

    editors = book.editor_names
    default("project", book.title)
    default("author", editors)
    default("copyright", f"{book.year}, {editors}")
    default("language", book.language.replace("-", "_"))
    default("root_doc", ROOT_DOC)
    default("include_patterns", ["book/**", "essays/**"])
    default("exclude_patterns", ["_build", ".venv", "**/.*", "tests", "bench", "README.md"])
    default("source_suffix", {".md": "markdown"})
    # the checker parses essays with exactly these settings (essaykit.core.mdconfig)
    for name, value in sphinx_settings().items():
        default(name, value)
    default("bibtex_bibfiles", [book.bibliography])
    default("bibtex_reference_style", "essaykit-harvard")
    default("bibtex_default_style", "essaykit-harvard")
    default("html_theme", "sphinx_book_theme")
    default("html_title", book.title)
    default("html_show_sourcelink", False)
    default("html_copy_source", False)
    default("html_last_updated_fmt", None)
    default("html_favicon", str(STATIC / "essaykit-icon.svg"))
    # pydata-sphinx-theme logs a console error for a first-time visitor unless
    # a default colour mode is set; "auto" follows the reader's system setting
    default("html_context", {"default_mode": "auto"})
    default("html_theme_options", {
        "home_page_in_toc": True,
        "show_toc_level": 2,
        "use_download_button": False,
        "use_fullscreen_button": False,
        "navigation_with_keys": False,
        "footer_content_items": [],
        "article_footer_items": [],
        "extra_footer": "",
        # sphinx-book-theme means to hide pydata-sphinx-theme's header bar, but
        # with pydata-sphinx-theme 0.16+ a second search box appears above the page
        "navbar_persistent": [],
    })
    apply_edition_defaults(book, config, default)
    if not config.essaykit_code_version:  # `essaykit build` sets it; a plain sphinx-build too
        config.essaykit_code_version = stack_key()
    if config.essaykit_autolink_terms is None:
        # the same setting the checker reads, so GLO002 and the build agree
        from essaykit.core.settings import load_config

        checker_config, _ = load_config(root)
        config.essaykit_autolink_terms = (True if checker_config.autolink_terms is None
                                          else checker_config.autolink_terms)
    # One entry in an essay's list and again in the collected bibliography is
    # the design, not a mistake.
    config.suppress_warnings = [*config.suppress_warnings, "bibtex.duplicate_citation"]
    config.exclude_patterns = [*config.exclude_patterns, *held]
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.templates_path = [*config.templates_path, str(TEMPLATES)]


def apply_edition_defaults(book: Book, config: Config, default: Any) -> None:
    """The EPUB's metadata and the web book's address, from book.yml."""
    import uuid

    from essaykit.print.paths import slugify

    editors = book.editor_names
    default("version", str(book.year))  # EPUB 3 wants one; the book's edition is its year
    default("epub_basename", slugify(book.title))
    default("epub_title", book.title)
    default("epub_author", editors)
    default("epub_language", book.language)
    default("epub_publisher", book.publisher or editors)
    rights = f"\u00a9 {book.year} {editors}" + (f". {book.licence}" if book.licence else "")
    default("epub_copyright", rights)
    default("epub_description", book.description or book.subtitle or book.title)
    if book.isbn:
        default("epub_scheme", "ISBN")
        default("epub_identifier", "urn:isbn:" + "".join(c for c in book.isbn if c.isalnum()))
    else:
        # stable across builds, so readers see a new build as the same book
        default("epub_scheme", "uuid")
        name = f"essaykit:{book.title}:{book.year}"
        default("epub_identifier", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}")
    default("epub_uid", "book-id")
    default("epub_cover", (f"_static/{epub.cover_name(book)}", "epub-cover.html"))
    default("epub_theme", "epub")  # Sphinx's plain e-book theme: no web theme, no script
    default("epub_show_urls", "no")
    default("epub_use_index", True)  # the book's index, with links (sphinx_ext/bookindex.py)
    default("epub_tocdepth", 2)
    # the nav and toc.ncx from the contents the builder has repaired (epub.BookEpubBuilder);
    # Sphinx's "default" scope rebuilds them with links relative to book/, not the root
    default("epub_tocscope", "includehidden")

    site_url = config.essaykit_site_url
    if site_url:
        problem = site_url_problem(site_url)
        if problem:
            raise ConfigError(f"essaykit: {problem}")
        site_url = normal_site_url(site_url)
    else:
        site_url = book.url
    default("html_baseurl", site_url)
    default("ogp_site_url", site_url)
    default("ogp_site_name", book.title)
    default("ogp_description_length", 300)  # abstracts are longer than previews show
    default("ogp_social_cards", {"enable": False})
    default("ogp_custom_meta_tags", ['<meta name="twitter:card" content="summary" />'])


def cache_pybtex_plugins(app: Sphinx, config: Config) -> None:
    if config.essaykit_fast_internals:
        compat.cache_pybtex_plugins()
