"""The handbook: a bilingual MkDocs site built from the same bank as the kits, so it never drifts.

The hand-written pages live in `site/` (`page.vi.md` beside `page.en.md`, for mkdocs-static-i18n);
the pages about levels, competencies, questions and scenarios are rendered from the bank by
`HandbookPlugin` while MkDocs builds, and never exist on disk. The plugin is registered as the MkDocs
plugin `kamtrain` and listed in `mkdocs.yml`, so a plain `mkdocs build --strict` at the repository root
builds the same site as `kamtrain handbook build`.
"""

from __future__ import annotations

import html
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files

from kamtrain.bank import FOLDERS, builtin_root, load_bank
from kamtrain.errors import ContentInvalid, UserError
from kamtrain.model import LEVEL_IDS, Bank, Competency, Text
from kamtrain.resources import in_language, package_yaml
from kamtrain.text import plain

LANGS = ("vi", "en")
PLUGIN_NAME = "kamtrain"
BANKS_ENV = "KAMTRAIN_BANKS"
SCORES = (1, 2, 3, 4, 5)
GROUPS = ("knowledge", "skill", "attitude")
# Extra search fields holding a diacritics-free copy of each entry, so "dam phan" finds "đàm phán".
FOLDED_FIELDS = {"title_folded": {"boost": 1e3}, "text_folded": {"boost": 1.0}}

def config_file() -> Path:
    """The handbook's mkdocs.yml: at the repository root, or packaged beside the built-in content."""
    return builtin_root() / "mkdocs.yml"


# --- Rendering the generated pages -------------------------------------------------------------------

@dataclass(frozen=True)
class GeneratedPage:
    """One generated page in both languages: its path without suffix, template and context."""

    path: str
    template: str
    context: dict[str, Any]
    title: Text | None = None


def _escape(text: str) -> str:
    """One line of content made safe for Markdown and HTML: no markup, no table breaks."""
    text = html.escape(" ".join(text.split()), quote=False)
    return re.sub(r"([\\`*_\[\]{}|])", r"\\\1", text)


def _paragraphs(text: str) -> str:
    """Content made safe as block text: paragraphs kept, a leading '#', '-', '+' or '1.' not read as markup."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        line = _escape(block)
        line = re.sub(r"^([#+-])", r"\\\1", line)
        out.append(re.sub(r"^(\d+)\.", r"\1\\.", line))
    return "\n\n".join(out)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kamtrain", "templates/handbook"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the output is Markdown; content is escaped by the filters below
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    @jinja2.pass_context
    def tx(ctx: Any, text: Text) -> str:
        return _escape(text[ctx["lang"]])

    @jinja2.pass_context
    def para(ctx: Any, text: Text) -> str:
        return _paragraphs(text[ctx["lang"]])

    @jinja2.pass_context
    def source(ctx: Any, name: str) -> str:
        return str(ctx["t"]["common"]["original"]) if name == "original" else _escape(name)

    env.filters.update(tx=tx, para=para, esc=_escape, source=source)
    return env


@cache
def labels() -> dict[str, Any]:
    """The words around the content (headings, table headers), from labels.yaml, as {vi,en} leaves."""
    data: dict[str, Any] = package_yaml("templates/handbook/labels.yaml")
    return data


def _grouped(competencies: Sequence[Competency]) -> list[tuple[str, list[Competency]]]:
    return [(group, members) for group in GROUPS
            if (members := [c for c in competencies if c.group == group])]


def generated_pages(bank: Bank) -> list[GeneratedPage]:
    """Every page the bank gives the handbook, with what its template needs."""
    levels = [bank.levels[level] for level in LEVEL_IDS if level in bank.levels]
    competencies = list(bank.competencies.values())
    questions = list(bank.questions.values())
    scenarios = list(bank.scenarios.values())
    pages = [GeneratedPage("levels/index", "levels-index.md.j2", {"levels": levels})]
    for level in levels:
        at_level = [c for c in competencies if level.id in c.rubric]
        pages.append(GeneratedPage(f"levels/{level.id}", "level.md.j2", {
            "level": level,
            "groups": _grouped(at_level),
            "question_count": len(bank.questions_for(level.id)),
            "scenarios": bank.scenarios_for(level.id),
        }, level.name))
    pages.append(GeneratedPage("competencies/index", "competencies-index.md.j2",
                               {"groups": _grouped(competencies)}))
    for _, members in _grouped(competencies):
        for competency in members:
            pages.append(GeneratedPage(f"competencies/{competency.id}", "competency.md.j2", {
                "competency": competency,
                "questions": [q for q in questions if q.competency == competency.id],
                "scenarios": [s for s in scenarios if s.competency == competency.id],
            }, competency.name))
    matrix: dict[str, dict[str, int]] = {}
    for competency in competencies:
        asked = [q for q in questions if q.competency == competency.id]
        row: dict[str, int] = {level.id: sum(1 for q in asked if level.id in q.levels) for level in levels}
        matrix[competency.id] = {**row, "total": len(asked)}
    pages.append(GeneratedPage("questions/index", "questions-index.md.j2", {
        "levels": levels,
        "groups": _grouped(competencies),
        "matrix": matrix,
        "counts": {level.id: len(bank.questions_for(level.id)) for level in levels},
    }))
    for level in levels:
        by_competency = []
        for _, members in _grouped(competencies):
            for competency in members:
                asked = [q for q in questions if q.competency == competency.id and level.id in q.levels]
                if asked:
                    by_competency.append((competency, asked))
        pages.append(GeneratedPage(f"questions/{level.id}", "questions-level.md.j2",
                                   {"level": level, "by_competency": by_competency}, level.name))
    pages.append(GeneratedPage("scenarios/index", "scenarios-index.md.j2",
                               {"scenarios": scenarios, "competencies": bank.competencies}))
    for scenario in scenarios:
        pages.append(GeneratedPage(f"scenarios/{scenario.id}", "scenario.md.j2", {
            "scenario": scenario,
            "competency": bank.competencies[scenario.competency],
        }, scenario.title))
    return pages


def render_pages(bank: Bank) -> dict[str, str]:
    """Markdown of every generated page, by source path with its language suffix ('levels/ae.vi.md')."""
    env = _environment()
    out: dict[str, str] = {}
    for lang in LANGS:
        words = in_language(labels(), lang)
        for page in generated_pages(bank):
            template = env.get_template(page.template)
            out[f"{page.path}.{lang}.md"] = template.render(lang=lang, t=words, scores=SCORES, **page.context)
    return out


def navigation(bank: Bank, lang: str) -> list[dict[str, Any]]:
    """The navigation sections for the generated pages, titled in `lang`: by level and by competency."""
    words = in_language(labels(), lang)
    pages = generated_pages(bank)

    def entries(prefix: str) -> list[Any]:
        items: list[Any] = [f"{prefix}/index.md"]
        for page in pages:
            if page.path.startswith(f"{prefix}/") and page.title is not None:
                items.append({page.title[lang]: f"{page.path}.md"})
        return items

    competency_sections: list[Any] = ["competencies/index.md"]
    for group, members in _grouped(list(bank.competencies.values())):
        competency_sections.append({words["groups"][group]: [
            {competency.name[lang]: f"competencies/{competency.id}.md"} for competency in members
        ]})
    return [
        {words["sections"]["levels"]: entries("levels")},
        {words["sections"]["competencies"]: competency_sections},
        {words["sections"]["questions"]: entries("questions")},
        {words["sections"]["scenarios"]: entries("scenarios")},
    ]


# --- Diacritics-free search ----------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics ('Đàm phán' -> 'dam phan'), markup dropped."""
    return plain(_TAG.sub(" ", text))


def slugify(value: str, separator: str) -> str:
    """Heading anchors without diacritics ('Đàm phán' -> 'dam-phan'); mkdocs.yml names it for `toc`."""
    return separator.join(re.findall(r"[a-z0-9]+", fold(value)))


def fold_search_entries(entries: list[dict[str, Any]]) -> None:
    """Give each search entry whose words carry diacritics a folded copy in the extra fields."""
    for entry in entries:
        if "title_folded" in entry or "text_folded" in entry:
            continue
        for field in ("title", "text"):
            value = str(entry.get(field, ""))
            folded = fold(value)
            if folded != _TAG.sub(" ", value).lower():
                entry[f"{field}_folded"] = folded


# --- The MkDocs plugin ---------------------------------------------------------------------------------

class HandbookConfig(Config):
    banks = config_options.ListOfItems(config_options.Type(str), default=[])
    builtin = config_options.Type(bool, default=True)


def env_banks() -> list[Path]:
    """Bank folders named in $KAMTRAIN_BANKS (separated like PATH), for builds run by plain `mkdocs`."""
    value = os.environ.get(BANKS_ENV, "")
    return [Path(part) for part in value.split(os.pathsep) if part]


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Adds the generated pages and their navigation, and folds the search index."""

    def __init__(self) -> None:
        super().__init__()
        self.bank: Bank | None = None
        self.banks: list[Path] | None = None
        self.pages: dict[str, str] = {}
        self._base_nav: Any = None
        self._our_nav: Any = None

    def use(self, bank: Bank, banks: Sequence[Path]) -> None:
        """Build from an already loaded bank (the CLI loads it first, to report problems its own way)."""
        self.bank = bank
        self.banks = list(banks)

    def _load(self, config: MkDocsConfig) -> Bank:
        if self.bank is None:
            # Banks named in mkdocs.yml are relative to it; those in the environment, to the working folder.
            here = Path(config.config_file_path or ".").parent
            self.banks = [*(here / p for p in self.config.banks), *env_banks()]
            try:
                self.bank = load_bank(self.banks, include_builtin=self.config.builtin)
            except ContentInvalid as invalid:
                raise PluginError("the content bank is invalid:\n" + str(invalid)) from invalid
            except UserError as error:
                raise PluginError(str(error)) from error
        if not self.pages:
            self.pages = render_pages(self.bank)
        return self.bank

    @event_priority(10)  # before the search plugin reads its fields
    def _config_search(self, config: MkDocsConfig) -> MkDocsConfig:
        search = config.plugins.get("material/search") or config.plugins.get("search")
        fields = getattr(getattr(search, "config", None), "fields", None)
        if isinstance(fields, dict):
            for name, spec in FOLDED_FIELDS.items():
                fields.setdefault(name, dict(spec))
        return config

    @event_priority(-110)  # after mkdocs-static-i18n has set the language of this pass
    def _config_nav(self, config: MkDocsConfig) -> MkDocsConfig:
        bank = self._load(config)
        roots = ([builtin_root()] if self.config.builtin else []) + list(self.banks or [])
        for root in roots:
            for folder in FOLDERS:
                path = str((root / folder).resolve())
                if (root / folder).is_dir() and path not in config.watch:
                    config.watch.append(path)
        if config.nav is None:
            return config  # no nav in mkdocs.yml: MkDocs lists every page by folder, ours included
        if config.nav is not self._our_nav:
            self._base_nav = config.nav
        self._our_nav = [*self._base_nav, *navigation(bank, _current_language(config))]
        config.nav = self._our_nav
        return config

    on_config = CombinedEvent(_config_search, _config_nav)

    @event_priority(0)  # before mkdocs-static-i18n (-100) sorts files into languages
    def _files_add(self, files: Files, config: MkDocsConfig) -> Files:
        self._load(config)
        for src_uri, markdown in self.pages.items():
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(f"{config.docs_dir}/{src_uri} would replace a generated page; rename it")
            file = File.generated(config, src_uri, content=markdown)
            # i18n only takes pages that sit in docs_dir; it re-creates them, so the content is set again below
            file.abs_src_path = os.path.join(config.docs_dir, src_uri)
            files.append(file)
        return files

    @event_priority(-110)
    def _files_content(self, files: Files, config: MkDocsConfig) -> Files:
        for file in files:
            markdown = self.pages.get(file.src_uri)
            if markdown is not None:
                file.content_string = markdown
                file.generated_by = PLUGIN_NAME
        return files

    on_files = CombinedEvent(_files_add, _files_content)

    @event_priority(10)  # before the search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        search = config.plugins.get("material/search") or config.plugins.get("search")
        entries = getattr(getattr(search, "search_index", None), "entries", None)
        if isinstance(entries, list):
            fold_search_entries(entries)


def _current_language(config: MkDocsConfig) -> str:
    i18n = config.plugins.get("i18n")
    lang = getattr(i18n, "current_language", None) or config.theme.get("language")
    return lang if lang in LANGS else LANGS[0]


# --- Build and serve, for the CLI ----------------------------------------------------------------------

@contextmanager
def _mkdocs_warnings_to_stderr() -> Iterator[None]:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _check_output(output: Path) -> None:
    # MkDocs empties the output folder first: refuse one that holds anything but an earlier build.
    if output.exists() and not output.is_dir():
        raise UserError(f"'{output}' exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / "search" / "search_index.json").is_file():
        raise UserError(f"'{output}' is not empty and holds no earlier handbook build; choose a new folder")


def _run_mkdocs(action: Callable[[], None], failed: str = "the handbook did not build") -> None:
    from mkdocs.exceptions import MkDocsException

    try:
        with _mkdocs_warnings_to_stderr():
            action()
    except MkDocsException as error:
        message = " ".join(str(error.message if hasattr(error, "message") else error).split())
        raise UserError(f"{failed}: {message}") from error


def _plugin(config: MkDocsConfig) -> HandbookPlugin:
    plugin = config.plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, HandbookPlugin):
        raise UserError(f"{config.config_file_path} does not list the '{PLUGIN_NAME}' plugin")
    return plugin


def build_handbook(output: Path, banks: Sequence[Path] = (), *, include_builtin: bool = True) -> Path:
    """Build the handbook into `output` in strict mode (any warning fails); return the folder."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    _check_output(output)
    bank = load_bank(banks, include_builtin=include_builtin)

    def run() -> None:
        config = load_config(str(config_file()), site_dir=str(output.resolve()), strict=True)
        plugin = _plugin(config)
        plugin.config.builtin = include_builtin
        plugin.use(bank, banks)
        build(config)

    _run_mkdocs(run)
    return output


def serve_handbook(dev_addr: str, banks: Sequence[Path] = (), ready: Callable[[], None] = lambda: None) -> None:
    """Preview the handbook with live reload until interrupted; banks reach the plugin through the env."""
    from mkdocs.commands.serve import serve

    load_bank(banks)  # report content problems as file:line before the server starts
    os.environ[BANKS_ENV] = os.pathsep.join(str(Path(p).resolve()) for p in banks)
    ready()
    _run_mkdocs(lambda: serve(config_file=str(config_file()), dev_addr=dev_addr, strict=False, livereload=True),
                failed="the handbook preview stopped")
