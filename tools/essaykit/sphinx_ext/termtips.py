"""Glossary definitions in place: a link to a term carries its definition.

A reader who meets "core economy" in an essay can hover over (or tab to) the
link and read the definition without leaving the page. The definition goes
into the link's `title` attribute, which browsers show on hover and screen
readers announce; the stylesheet shows the same text on keyboard focus.

Definitions are collected from every glossary when a page is read, and put on
the links after Sphinx has resolved them (so automatic and written `{term}`
links alike get one).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

LONGEST_TIP = 220  # characters: a tooltip, not the whole entry
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
ENV_KEY = "essaykit_term_tips"


def definitions(env: BuildEnvironment) -> dict[str, dict[str, str]]:
    """docname -> term id -> the definition's first sentence."""
    tips: dict[str, dict[str, str]] = getattr(env, ENV_KEY, None) or {}
    setattr(env, ENV_KEY, tips)
    return tips


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    sentence = SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) > LONGEST_TIP:
        sentence = sentence[: LONGEST_TIP - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def collect(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    found: dict[str, str] = {}
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            definition = next(iter(item.findall(nodes.definition)), None)
            if definition is None:
                continue
            tip = first_sentence(definition.astext())
            for term in item.findall(nodes.term):
                for term_id in term["ids"]:
                    found[term_id] = tip
    tips = definitions(env)
    if found:
        tips[env.docname] = found
    else:
        tips.pop(env.docname, None)


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    definitions(env).pop(docname, None)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str],
          other: BuildEnvironment) -> None:
    theirs = definitions(other)
    definitions(env).update({name: theirs[name] for name in docnames if name in theirs})


class AddDefinitionsToTermLinks(SphinxPostTransform):
    default_priority = 20  # after ReferencesResolver (10) has made the links

    def run(self, **kwargs: Any) -> None:
        tips = definitions(self.env)
        if not tips:
            return
        builder = self.app.builder
        here = self.env.docname
        by_uri: dict[str, str] = {}
        for docname, terms in tips.items():
            try:
                page = "" if docname == here else builder.get_relative_uri(here, docname)
            except Exception:  # a builder without pages of its own (none of ours)
                continue
            for term_id, tip in terms.items():
                by_uri[f"{page}#{term_id}"] = tip
        for reference in self.document.findall(nodes.reference):
            if not reference.get("internal") or "reftitle" in reference:
                continue
            target = reference.get("refuri") or (
                "#" + reference["refid"] if reference.get("refid") else "")
            definition = by_uri.get(target)
            if definition:
                reference["reftitle"] = definition
                reference["classes"].append("essaykit-term")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", collect)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.add_post_transform(AddDefinitionsToTermLinks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
