"""Untrusted sources: a path that resolves outside the project is an error naming file and line, in every build."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import Project, run_pandoc
from perrypress import resources
from perrypress.sources.config import load_config
from perrypress.sources.document import missing_assets, source_files
from perrypress.errors import ConfigError, DataError, DocumentError


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file next to (not inside) the project copy: what an attacker would include."""
    secret = tmp_path / "secret.txt"
    secret.write_text("machine secret\n", encoding="utf-8")
    return secret


def test_include_with_dotdot(project: Project, outside: Path) -> None:
    """An include that climbs out with .. is an error at the including file and line."""
    section = project.root / "sections" / "01-introduction.qmd"
    section.write_text(section.read_text(encoding="utf-8") + "\n{{< include ../../secret.txt >}}\n", encoding="utf-8")
    line = len(section.read_text(encoding="utf-8").splitlines())
    with pytest.raises(DocumentError) as error:
        list(source_files(project.root / "report.qmd", project.root))
    assert f"01-introduction.qmd:{line}: '../../secret.txt' resolves outside the project folder" in str(error.value)


def test_include_through_symlink(project: Project, outside: Path) -> None:
    """A symlink inside the project that points outside is refused too."""
    os.symlink(outside, project.root / "sections" / "link.qmd")
    section = project.root / "sections" / "01-introduction.qmd"
    section.write_text(section.read_text(encoding="utf-8") + "\n{{< include link.qmd >}}\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"01-introduction\.qmd:\d+: 'link\.qmd' resolves outside"):
        list(source_files(project.root / "report.qmd", project.root))


def test_image_outside(project: Project, outside: Path) -> None:
    """An image or photo path outside the project is an error, not a missing asset."""
    section = project.root / "sections" / "03-advent.qmd"
    section.write_text(section.read_text(encoding="utf-8") + "\n![x](/../secret.txt)\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"03-advent\.qmd:\d+: '/\.\./secret\.txt' resolves outside"):
        missing_assets([section], project.root)


def test_config_data_outside(project: Project, outside: Path) -> None:
    """A data file named in the configuration must be inside the project."""
    config = project.root / "config" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("data: data/law.csv", "data: ../secret.csv"),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml:\d+: '\.\./secret\.csv' resolves outside"):
        load_config(config, root=project.root)


def test_lua_include_refuses_dotdot(tmp_path: Path) -> None:
    """include.lua itself refuses an include that climbs out of the project (defence in depth)."""
    (tmp_path / "input.md").write_text("{{< include ../secret.txt >}}\n", encoding="utf-8")
    filters = resources.FILTERS
    result = run_pandoc("input.md", "-t", "markdown", "--lua-filter", str(filters / "include.lua"), cwd=tmp_path)
    assert result.returncode != 0
    assert 'input.md:1: included file "../secret.txt" resolves outside the project folder' in result.stderr



# ---------------------------------------------------------------------------------------------
# The catalogue of escape attempts. Each edits a fresh copy of the project (outside it, in its
# parent folder, lie the secret files an attacker would want printed; @OUT@ in an edit is that
# folder) and returns the source file and line the refusal must name. The catalogue is run
# through the checks every build step makes first (configuration, data package, document),
# through the Lua filters alone (the renderer's own guard), and, marked slow, through builds that
# must fail, leave the previous editions as they were and print no outside byte.
# ---------------------------------------------------------------------------------------------

SECRET = "OUTSIDE-SECRET-7f3a"
SECTION = "sections/01-introduction.qmd"


def _secrets(outside: Path) -> None:
    """Files outside the project, each holding SECRET: an image, text, a bibliography entry, a stylesheet, a CSV."""
    from PIL import Image

    Image.new("RGB", (8, 8), (200, 0, 0)).save(outside / "secret.png")
    (outside / "secret.png").write_bytes((outside / "secret.png").read_bytes() + SECRET.encode())
    (outside / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (outside / "secret.bib").write_text(f"@misc{{leak, title={{{SECRET}}}, author={{X}}, year={{2000}}}}\n",
                                        encoding="utf-8")
    (outside / "secret.css").write_text(f"/* {SECRET} */ body {{ color: red }}\n", encoding="utf-8")
    (outside / "secret.csv").write_text(f"slug,value\n{SECRET},1\n", encoding="utf-8")



def _append(root: Path, relative: str, text: str, offset: int = 0) -> tuple[str, int]:
    """Append ``text`` to a source; return (file, line of the ``offset``-th line of ``text``)."""
    path = root / relative
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n" + text.replace("@OUT@", str(root.parent)) + "\n", encoding="utf-8")
    return relative, len(before.splitlines()) + 2 + offset


def _metadata(root: Path, lines: str, *, replace: str | None = None, offset: int = 0) -> tuple[str, int]:
    """Add ``lines`` to report.qmd's metadata (at its end, or in place of the line starting ``replace``)."""
    path = root / "report.qmd"
    text = path.read_text(encoding="utf-8").splitlines()
    if replace is not None:
        index = next(i for i, line in enumerate(text) if line.startswith(replace))
        text[index:index + 1] = lines.replace("@OUT@", str(root.parent)).splitlines()
    else:
        index = text.index("---", 1)
        text[index:index] = lines.replace("@OUT@", str(root.parent)).splitlines()
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return "report.qmd", index + 1 + offset


def _replace(root: Path, relative: str, old: str, new: str) -> tuple[str, int]:
    """Replace the first ``old`` in a source by ``new``; return (file, its line)."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return relative, text[:text.index(old)].count("\n") + 1


def _symlink(root: Path, link: str, target: str, text: str) -> tuple[str, int]:
    """A symlink inside the project to a file outside it, then ``text`` (which uses it) appended to the section."""
    os.symlink(root.parent / target, root / link)
    return _append(root, SECTION, text)


# (id, edit, piece of the message, whether the Lua guard sees it too: symlinks and data files are Python's)
CATALOGUE = [
    ("image-file-url", lambda r: _append(r, SECTION, "![x](file://@OUT@/secret.png){fig-alt=x}"),
     "is a file: URL", True),
    ("link-file-url", lambda r: _append(r, SECTION, "See [the file](file:///etc/hostname)."), "is a file: URL", True),
    ("autolink-file-url", lambda r: _append(r, SECTION, "See <file:///etc/hostname>."), "is a file: URL", True),
    ("image-windows-drive", lambda r: _append(r, SECTION, r"![x](C:\Windows\secret.png)"), "Windows drive", True),
    ("image-dotdot", lambda r: _append(r, SECTION, "![x](../secret.png)"), "resolves outside the project", True),
    ("image-root-dotdot", lambda r: _append(r, SECTION, "![x](/../secret.png)"), "resolves outside the project", True),
    ("image-percent-encoded", lambda r: _append(r, SECTION, "![x](%2e%2e/secret.png)"),
     "resolves outside the project", True),
    ("image-backslashes", lambda r: _append(r, SECTION, r"![x](..\secret.png)"), "resolves outside the project",
     True),
    ("image-remote", lambda r: _append(r, SECTION, "![x](https://example.org/x.png)"), "is a remote file", True),
    ("image-reference-style", lambda r: _append(r, SECTION, "![x][leak]\n\n[leak]: file:///etc/hostname", 2),
     "is a file: URL", True),
    ("photo-outside", lambda r: _append(r, SECTION, '::: {.photo image="../secret.png" alt="x"}\nA photo.\n:::'),
     "resolves outside the project", True),
    ("html-only-block", lambda r: _append(
        r, SECTION, '::: {.content-visible when-format="html"}\n![c](file:///etc/ssl/openssl.cnf)\n:::', 1),
     "is a file: URL", True),
    ("pdf-only-block", lambda r: _append(
        r, SECTION, '::: {.content-visible when-format="typst"}\n![c](../secret.png)\n:::', 1),
     "resolves outside the project", True),
    ("include-dotdot", lambda r: _append(r, SECTION, "{{< include ../../secret.txt >}}"),
     "resolves outside the project", True),
    ("bibliography-outside", lambda r: _metadata(r, "bibliography: [references.bib, ../secret.bib]",
                                                 replace="bibliography:"),
     "'../secret.bib' resolves outside the project", True),
    ("bibliography-absolute", lambda r: _metadata(r, "bibliography: [references.bib, @OUT@/secret.bib]",
                                                  replace="bibliography:"),
     "is an absolute path", True),
    ("csl-outside", lambda r: _metadata(r, "csl: ../secret.csl", replace="csl:"), "resolves outside the project",
     True),
    ("css-outside", lambda r: _metadata(r, "css: ../secret.css"), "resolves outside the project", True),
    ("include-in-header-absolute", lambda r: _metadata(r, "include-in-header: /etc/hostname"),
     "is an absolute path", True),
    ("quarto-format-option", lambda r: _metadata(r, "format:\n  html:\n    include-after-body: [../secret.txt]", offset=2),
     "resolves outside the project", True),
    ("metadata-file-url", lambda r: _metadata(r, "logo: file:///etc/hostname"), "is a file: URL", True),
    ("symlink-in-images", lambda r: _symlink(r, "images/leak.png", "secret.png", "![x](/images/leak.png)"),
     "resolves outside the project", False),
    ("symlink-in-sections", lambda r: _symlink(r, "sections/leak.qmd", "secret.txt", "{{< include leak.qmd >}}"),
     "resolves outside the project", False),
    ("config-data-outside", lambda r: _replace(r, "config/config.yaml", "data: data/law.csv", "data: ../secret.csv"),
     "resolves outside the project", False),
    ("datapackage-resource-outside", lambda r: _replace(r, "data/datapackage.json", '"path": "law-notes.csv"',
                                                        '"path": "../../secret.csv"'),
     "resolves outside the project", False),
    ("datapackage-resource-url", lambda r: _replace(r, "data/datapackage.json", '"path": "law-notes.csv"',
                                                    '"path": "https://example.org/law-notes.csv"'),
     "is a remote file", False),
]
IDS = [case[0] for case in CATALOGUE]


def _stub_tables(root: Path, config: dict) -> None:
    """Empty stand-ins for what the table steps write (the sections include them)."""
    (root / "_build" / "tables").mkdir(parents=True, exist_ok=True)
    for slug in config["tables"]:
        (root / "_build" / "tables" / f"{slug}.md").touch()


def _first_checks(root: Path) -> None:
    """What every build step checks before it reads anything: the configuration, the data package, the document."""
    from perrypress.sources.config import data_package
    from perrypress.sources.datapackage import _read_descriptor, load_descriptor
    from perrypress.sources.document import check_document

    _read_descriptor.cache_clear()
    previous = Path.cwd()
    os.chdir(root)  # the steps run in the project root
    try:
        config = load_config(Path("config/config.yaml"), root=root)
        _stub_tables(root, config)
        load_descriptor(Path(data_package(config)))
        check_document(config, root=root, keys=set())
    finally:
        os.chdir(previous)


@pytest.mark.parametrize(("name", "edit", "message", "lua"), CATALOGUE, ids=IDS)
def test_catalogue_refused_by_the_checks(project: Project, name: str, edit, message: str, lua: bool) -> None:
    """Every escape attempt is a source error naming the file and line where it is written."""
    _secrets(project.root.parent)
    where, line = edit(project.root)
    with pytest.raises((DocumentError, ConfigError, DataError)) as error:
        _first_checks(project.root)
    text = str(error.value)
    assert text.startswith(f"{where}:{line}: "), text
    assert message in text and "keep every source inside the project folder" in text


@pytest.mark.parametrize(("name", "edit", "message", "lua"), [c for c in CATALOGUE if c[3]],
                         ids=[c[0] for c in CATALOGUE if c[3]])
def test_catalogue_refused_by_the_lua_guard(project: Project, name: str, edit, message: str, lua: bool) -> None:
    """The renderer's own guard (include.lua, then inside-project.lua) refuses each one too, with file:line."""
    _secrets(project.root.parent)
    _stub_tables(project.root, load_config(project.root / "config" / "config.yaml", root=project.root))
    where, line = edit(project.root)
    filters = resources.FILTERS
    result = run_pandoc("report.qmd", "-f", "markdown-raw_html-raw_tex-raw_attribute", "-t", "native",
                        "--lua-filter", str(filters / "include.lua"), "--lua-filter", str(filters / "inside-project.lua"),
                        "-o", os.devnull, cwd=project.root)
    assert result.returncode != 0
    assert f"{where}:{line}: " in result.stderr, result.stderr
    assert message.split("'")[-1].strip() in result.stderr.replace('"', "'")



# ---------------------------------------------------------------------------------------------
# The catalogue of script and styling a source may not carry into an edition or the site: event
# handlers and style on every kind of element (Quarto's {…} and raw HTML), script URLs in every
# spelling a browser reads (links, autolinks, references, images, attributes, metadata addresses).
# Each is (id, edit, message, fix, lua): the checks name the file and line; `lua` says what the
# renderer's own guard does: "line" (refuses, naming file:line), "quarto" (raw HTML: the pandoc path
# prints it as text; read as Quarto reads it, the guard refuses it, naming file:line), "refuses"
# (refuses; the line cannot be found, pandoc's reader having decoded the spelling). Raw <span> and
# <div> (a div at the start of a block) are elements on the pandoc path too: its reader keeps
# native_spans and native_divs.
# ---------------------------------------------------------------------------------------------

HANDLER = "is an event handler, which runs script in the reader's browser"
JAVASCRIPT = "is a javascript: URL, which runs script in the reader's browser"
NO_HANDLER = "remove the attribute: a source carries no script"
NO_SCRIPT_URL = "link to a web page (https://…) or to a part of the paper (#id) instead"
HOUSE_CLASS = "use a class the house stylesheet defines"
IMAGE_ONLY = "only an image (data:image/…) or a plain-text download (text/plain, text/csv, BibTeX, RIS) may be written"
MARKDOWN_ONLY = "write the paper in Markdown"
COVER = "position:fixed;top:0;left:0;width:100%;height:100%;background:red"


def _section(text: str, offset: int = 0):
    """An edit appending ``text`` to the section (the refusal is on its ``offset``-th line)."""
    return lambda root: _append(root, SECTION, text, offset)


SCRIPT_CATALOGUE = [
    ("image-onload", _section('![pic](/images/chart.jpg){fig-alt="a blue box" onload="alert(\'img-onload-xss\')"}'),
     f"attribute onload {HANDLER}", NO_HANDLER, "line"),
    ("span-onclick", _section('A [span]{onclick="alert(1)"} here.'), f"attribute onclick {HANDLER}", NO_HANDLER, "line"),
    ("span-style-cover", _section(f'A [cover]{{style="{COVER}"}}.'), "attribute style sets the page's look",
     HOUSE_CLASS, "line"),
    ("div-onmouseover", _section('::: {onmouseover="alert(2)"}\nFenced div.\n:::'), f"attribute onmouseover {HANDLER}",
     NO_HANDLER, "line"),
    ("header-onfocus", _section('## Heading {onfocus="alert(3)" tabindex=0}'), f"attribute onfocus {HANDLER}",
     NO_HANDLER, "line"),
    ("link-attribute-onclick", _section('[a](https://example.org){onclick="alert(1)"}'),
     f"attribute onclick {HANDLER}", NO_HANDLER, "line"),
    ("code-onclick", _section('`x`{onclick="alert(1)"}'), f"attribute onclick {HANDLER}", NO_HANDLER, "line"),
    ("code-block-onclick", _section('```{.python onclick="alert(1)"}\nx = 1\n```'), f"attribute onclick {HANDLER}",
     NO_HANDLER, "line"),
    ("table-caption-onclick", _section('| a |\n|---|\n| 1 |\n\n: A table. {onclick="alert(1)"}', 4),
     f"attribute onclick {HANDLER}", NO_HANDLER, "line"),
    ("handler-upper-case", _section('[a]{ONMOUSEOVER="alert(1)"}'), f"attribute ONMOUSEOVER {HANDLER}", NO_HANDLER,
     "line"),
    ("handler-across-lines", _section('[a\n]{\n  onclick="alert(1)"\n}', 2), f"attribute onclick {HANDLER}",
     NO_HANDLER, "line"),
    ("link-javascript", _section("A [link](javascript:alert('link-xss'))."), JAVASCRIPT, NO_SCRIPT_URL, "line"),
    ("link-javascript-mixed-case", _section("[a](JaVaScRiPt:alert(1))"), JAVASCRIPT, NO_SCRIPT_URL, "line"),
    ("link-javascript-leading-space", _section("[a](< javascript:alert(1)>)"), JAVASCRIPT, NO_SCRIPT_URL, "refuses"),
    ("link-javascript-entity-tab", _section("[a](java&#x09;script:alert(1))"), JAVASCRIPT, NO_SCRIPT_URL, "refuses"),
    ("link-javascript-entity-letter", _section("[a](&#106;avascript:alert(1))"), JAVASCRIPT, NO_SCRIPT_URL,
     "refuses"),
    ("link-javascript-percent", _section("[a](%6Aava%0Ascript:alert(1))"), JAVASCRIPT, NO_SCRIPT_URL, "line"),
    ("link-vbscript", _section("[a](vbscript:msgbox(1))"), "is a vbscript: URL", NO_SCRIPT_URL, "line"),
    ("autolink-javascript", _section("<javascript:alert(1)>"), JAVASCRIPT, NO_SCRIPT_URL, "line"),
    ("reference-javascript", _section("[a][r]\n\n[r]: javascript:alert(1)", 2), JAVASCRIPT, NO_SCRIPT_URL, "line"),
    ("link-data-html", _section("[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
     "is a data: URL that is neither an image nor a plain-text download", IMAGE_ONLY, "line"),
    ("image-data-html", _section("![a](data:text/html,hi){fig-alt=x}"), "is a data: URL that is neither an image nor a plain-text download",
     IMAGE_ONLY, "line"),
    ("raw-div-onmouseover", _section('A <div onmouseover="alert(\'div\')">hover</div>'),
     f"attribute onmouseover {HANDLER}", NO_HANDLER, "quarto"),
    ("raw-div-block-onmouseover", _section('<div onmouseover="alert(2)">\nA block.\n</div>'),
     f"attribute onmouseover {HANDLER}", NO_HANDLER, "line"),
    ("raw-span-onclick", _section('A <span onclick="alert(1)">span</span>.'), f"attribute onclick {HANDLER}",
     NO_HANDLER, "line"),
    ("raw-img-onerror", _section("<img src=x onerror=alert(1)>"), f"attribute onerror {HANDLER}", NO_HANDLER,
     "quarto"),
    ("raw-svg-onload", _section("<svg onload=alert(1)>"), f"attribute onload {HANDLER}", NO_HANDLER, "quarto"),
    ("raw-a-javascript-entity", _section('<a href="java&#x09;script:alert(1)">x</a>'),
     f"attribute href {JAVASCRIPT}", NO_SCRIPT_URL, "quarto"),
    ("raw-a-javascript-spaced", _section('<a href=" JaVaScRiPt&colon;alert(1)">x</a>'),
     f"attribute href {JAVASCRIPT}", NO_SCRIPT_URL, "quarto"),
    ("raw-formaction", _section('<form><button formaction="javascript:alert(1)">go</button></form>'),
     f"attribute formaction {JAVASCRIPT}", NO_SCRIPT_URL, "quarto"),
    ("raw-xlink-href", _section('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'),
     f"attribute xlink:href {JAVASCRIPT}", NO_SCRIPT_URL, "quarto"),
    ("raw-style", _section('<span style="position:fixed;inset:0">x</span>'), "attribute style sets the page's look",
     HOUSE_CLASS, "line"),
    ("raw-iframe-srcdoc", _section('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'),
     "raw HTML element <iframe> can run script", MARKDOWN_ONLY, "quarto"),
    # report.qmd's metadata (the author's address first: it adds a line above the others).
    ("metadata-author-url", lambda r: _metadata(r, "  - name: Zoe Nelson\n    url: 'vbscript: msgbox(1)'",
                                                replace="  - name:", offset=1),
     "is a vbscript: URL", NO_SCRIPT_URL, "line"),
    ("metadata-canonical-url", lambda r: _metadata(r, "  canonical-url: 'javascript:alert(1)'",
                                                   replace="  canonical-url:"),
     JAVASCRIPT, NO_SCRIPT_URL, "line"),
    ("metadata-publisher-url-entity", lambda r: _metadata(r, '  url: "JAVA&#x09;SCRIPT:alert(1)"', replace="  url:"),
     JAVASCRIPT, NO_SCRIPT_URL, "refuses"),
    ("metadata-title-attribute", lambda r: _metadata(r, 'title: "[Cybersex]{onclick=alert(1)} Trafficking"',
                                                     replace="title:"),
     f"attribute onclick {HANDLER}", NO_HANDLER, "line"),
    ("metadata-subtitle-script", lambda r: _metadata(r, 'subtitle: "Sub <script>alert(2)</script> end"',
                                                     replace="subtitle:"),
     "raw HTML element <script> can run script", MARKDOWN_ONLY, "quarto"),
]
SCRIPT_IDS = [case[0] for case in SCRIPT_CATALOGUE]


@pytest.mark.parametrize(("name", "edit", "message", "fix", "lua"), SCRIPT_CATALOGUE, ids=SCRIPT_IDS)
def test_script_refused_by_the_checks(project: Project, name: str, edit, message: str, fix: str, lua: str) -> None:
    """Every way of carrying script or page styling is a source error naming the file and line, with its fix."""
    where, line = edit(project.root)
    with pytest.raises(DocumentError) as error:
        _first_checks(project.root)
    text = str(error.value)
    assert text.startswith(f"{where}:{line}: "), text
    assert _says(text, message, fix), text


def _says(text: str, message: str, fix: str) -> bool:
    """Whether a line of ``text`` says ``message`` and, after its " — ", ``fix``."""
    return any(message in row and fix in row.rpartition(" — ")[2] for row in text.splitlines())


def _lua_guard(root: Path, *, quarto: bool) -> subprocess.CompletedProcess[str]:
    """include.lua then inside-project.lua over report.qmd, reading raw HTML as Quarto does or as the pandoc path."""
    _stub_tables(root, load_config(root / "config" / "config.yaml", root=root))
    reader = "markdown" if quarto else "markdown-raw_html-raw_tex-raw_attribute"
    return run_pandoc("report.qmd", "-f", reader, "-t", "html", "--lua-filter", str(resources.FILTERS / "include.lua"),
                      "--lua-filter", str(resources.FILTERS / "inside-project.lua"), cwd=root)


@pytest.mark.parametrize("quarto", [False, True], ids=["pandoc-path", "quarto-reading"])
@pytest.mark.parametrize(("name", "edit", "message", "fix", "lua"), SCRIPT_CATALOGUE, ids=SCRIPT_IDS)
def test_script_refused_by_the_lua_guard(project: Project, name: str, edit, message: str, fix: str, lua: str,
                                         quarto: bool) -> None:
    """The renderer's own guard refuses each one too (raw HTML where it is HTML: under Quarto), with file:line
    where the text is as written; on the pandoc path raw HTML is text, and no edition can run it."""
    from perrypress.sources.markup import html_tags
    from perrypress.sources.paths import attribute_refusal, element_refusal

    where, line = edit(project.root)
    result = _lua_guard(project.root, quarto=quarto)
    if lua == "quarto" and not quarto:  # text on the pandoc path: the page has no such element or attribute
        assert result.returncode == 0, result.stderr
        assert not [(tag, attrs) for _, tag, attrs in html_tags(result.stdout) if element_refusal(tag)
                    or any(attribute_refusal(name, value or "") for name, value in attrs)]
        return
    assert result.returncode != 0
    assert _says(result.stderr, message, fix), result.stderr
    if lua != "refuses":
        assert f"{where}:{line}: " in result.stderr, result.stderr


HARMLESS = """
A [span]{.smallcaps #harmless-span lang=es dir=rtl data-note="1" data-onclick="no"} and a
[link](https://example.org){.external} to [a part](#harmless-span), <mailto:editor@example.org>, and
![Figure](data:image/png;base64,iVBORw0KGgo=){fig-alt="A blue box" width=50%}.

::: {.callout-note #harmless-div lang=en}
A callout; `code`{.python} and an inline onclick= written in prose, not in an attribute.
:::

## A heading {#harmless-heading .unnumbered}

Raw HTML that only labels: <span class="x" lang="es" dir="ltr" title="JavaScript: the good parts">x</span>
<abbr title="South America">SA</abbr> <a href="https://example.org/page#part">a page</a>.
Downloads as the cite block offers them: <a href="data:application/x-bibtex;charset=utf-8,%40book%7Bk%7D"
download="k.bib">BibTeX</a> and [RIS](data:application/x-research-info-systems;charset=utf-8,TY%20%20-%20BOOK).

```{.html}
<div onclick="alert(1)" style="position:fixed">code is shown, not run</div>
```
"""


@pytest.mark.parametrize("quarto", [False, True], ids=["pandoc-path", "quarto-reading"])
def test_harmless_attributes_still_pass(project: Project, quarto: bool) -> None:
    """class, id, fig-alt, data-*, lang, dir, width, https: and mailto: links, #anchors, data:image, BibTeX and RIS
    downloads as data: URLs, and code that shows script are all a source may hold: the checks and the Lua guard
    let them through."""
    from perrypress.sources.document import check_targets

    _append(project.root, SECTION, HARMLESS)
    result = _lua_guard(project.root, quarto=quarto)  # stubs the tables the sections include
    check_targets(list(source_files(project.root / "report.qmd", project.root)), project.root)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_every_refused_form_fails_the_build_and_writes_no_edition(project: Project) -> None:
    """A fresh build of sources holding every form of the catalogue: it exits non-zero listing each one at its
    file:line, and no edition is written (the HTML one least of all)."""
    expected = [(name, *edit(project.root), message) for name, edit, message, _, _ in SCRIPT_CATALOGUE]
    result = project.perrypress("build")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    for name, where, line, message in expected:
        assert any(row.startswith(f"{where}:{line}: ") and message in row for row in output.splitlines()), \
            (name, output)
    assert not project.edition("html").exists()
    assert not list((project.root / "_build").rglob(f"{project.name}.*"))  # nor any edition, nor a workflow copy


SCRIPT_BUILD_CASES = ["image-onload", "span-style-cover", "link-javascript-entity-tab", "raw-div-onmouseover",
                      "metadata-canonical-url"]


@pytest.mark.slow
@pytest.mark.parametrize("name", SCRIPT_BUILD_CASES)
def test_script_fails_the_build_and_keeps_the_editions(built: Project, tmp_path: Path, name: str) -> None:
    """A build after such an edit fails with file:line and leaves the last good editions exactly as they were."""
    from conftest import copy_built

    copy = copy_built(built, tmp_path / "project")
    editions = {ext: copy.edition(ext).read_bytes() for ext in ("pdf", "html", "docx")}
    edit = next(case[1] for case in SCRIPT_CATALOGUE if case[0] == name)
    where, line = edit(copy.root)
    result = copy.perrypress("build")
    assert result.returncode != 0
    assert f"{where}:{line}: " in result.stdout + result.stderr, result.stdout + result.stderr
    assert {ext: copy.edition(ext).read_bytes() for ext in editions} == editions


# The gate's rules, one catalogue of targets for the Python and the Lua implementation.
TARGETS = [
    ("images/x.png", "source", ""), ("/images/x.png", "source", ""), ("/../x.png", "source", ""),
    ("../x.png", "source", ""), ("../x.png", "source", "sections"), ("../../x.png", "source", "sections"),
    ("./a/../../x", "source", ""), ("a/./b/../../c", "source", ""), ("%2e%2e/x", "source", ""),
    ("%2E%2E%2Fx", "source", ""), ("..%5cx", "source", ""), (r"..\x", "source", ""), (r"C:\x.png", "source", ""),
    ("c:/x.png", "source", ""), ("file:///etc/passwd", "source", ""), ("FILE:x", "source", ""),
    ("file%3A///etc/passwd", "source", ""), ("https://example.org/x.png", "source", ""),
    ("http://127.0.0.1/x.png", "source", ""), ("ftp://x/y", "source", ""), ("data:image/png;base64,AAAA", "source", ""),
    ("~/x.png", "source", ""), ("x\0y", "source", ""), ("  ../x  ", "source", ""), ("", "source", ""),
    ("refs.bib", "option", ""), ("/etc/x.bib", "option", ""), ("//x", "option", ""), ("../x.bib", "option", ""),
    ("https://example.org/x.bib", "option", ""), ("_build/styles/x.csl", "option", ""),
    ("https://example.org", "link", ""), ("mailto:a@b.org", "link", ""), ("../x.html", "link", ""),
    ("file:///etc/passwd", "link", ""), ("File:x", "link", ""), ("#section", "link", ""), (r"C:\x", "link", ""),
    # Script, in the spellings a browser reads (any kind: a link too), and data: URLs that are not images.
    ("javascript:alert(1)", "link", ""), ("JaVaScRiPt:x", "link", ""), (" javascript:x", "link", ""),
    ("java\tscript:x", "link", ""), ("java\nscr\ript:x", "link", ""), ("\x01javascript:x", "link", ""),
    ("java&#x09;script:x", "link", ""), ("java&#x0009script:x", "link", ""), ("java&Tab;script:x", "link", ""),
    ("&#106;avascript:x", "link", ""), ("&#x6A;avascript:x", "source", ""), ("javascript&colon;x", "link", ""),
    ("jav&#97;script&#58;x", "link", ""), ("java%0Ascript:x", "link", ""), ("%6Aavascript:x", "link", ""),
    ("java script:x", "link", ""), ("vbscript:x", "option", ""), ("VBScript:x", "link", ""),
    ("data:text/html,x", "link", ""), ("data:text/html,x", "source", ""), ("data:,x", "link", ""),
    ("data:image/svg+xml,x", "link", ""), ("data: image/png,x", "source", ""), ("DATA:IMAGE/PNG;base64,AA", "link", ""),
    ("data:application/x-bibtex;charset=utf-8,x", "link", ""), ("data:application/x-research-info-systems,x", "link", ""),
    ("data:text/plain,x", "link", ""), ("data:text/csv;charset=utf-8,a", "link", ""), ("data:text/plainx,x", "link", ""),
    ("data:application/x-bibtex-html,x", "link", ""), ("data:TEXT/CSV,x", "link", ""),
    ("&#46;&#46;/x.png", "source", ""), ("javascript", "link", ""), ("https://example.org/javascript:x", "link", ""),
    ("#javascript:x", "link", ""), ("a&amp;b.png", "source", ""),
]

# Attributes on a source's element, the raw HTML they can be written in: one catalogue for both implementations.
ATTRIBUTES = [
    ("onclick", "alert(1)", ""), ("ONLOAD", "x", ""), ("onmouseover", "", ""), ("style", "color:red", ""),
    ("srcdoc", "<p>x</p>", ""), ("href", "javascript:x", ""), ("href", "java&#x09;script:x", ""),
    ("href", "https://example.org", ""), ("href", "#part", ""), ("href", "file:///etc/passwd", ""),
    ("src", "images/x.png", ""), ("src", "../x.png", "sections"), ("src", "../../x.png", "sections"),
    ("src", "https://example.org/x.png", ""), ("src", "data:image/png;base64,AA", ""), ("src", "data:text/html,x", ""),
    ("srcset", "a.png 1x, javascript:x 2x", ""), ("srcset", "a.png 1x, b.png 2x", ""),
    ("xlink:href", "JAVASCRIPT:x", ""), ("formaction", "vbscript:x", ""), ("action", " javascript:x", ""),
    ("poster", "data:text/html,x", ""), ("class", "javascript:x", ""), ("id", "x", ""), ("fig-alt", "x", ""),
    ("data-onclick", "x", ""), ("lang", "es", ""), ("dir", "rtl", ""), ("title", "JavaScript: the good parts", ""),
]
RAW_HTML = [
    "<div onmouseover=\"alert('div')\">hover</div>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>", "<a href=' JaVaScRiPt&colon;x'>x</a>", "<x/onclick=y>",
    "<button formaction=javascript:x>go</button>", "<svg><a xlink:href=\"javascript:x\">x</a></svg>",
    "<span style=\"position:fixed\">x</span>", "<iframe srcdoc=\"x\"></iframe>", "<SCRIPT>alert(1)</SCRIPT>",
    "<style>body{display:none}</style>", "<!-- <div onclick=x> --> <b>bold</b>", "<a\nhref='javascript:x'>y</a>",
    "<span class=\"x\" lang=\"es\" dir=\"rtl\" data-x=\"1\">x</span>", "<abbr title=\"a &amp; b\">ab</abbr>",
    "<p onclick>x</p>", "<a href=https://example.org>ok</a>", "x < y and <3",
]


def _lua(tmp_path: Path, body: str, data: object) -> object:
    """Run ``body`` (Lua, with ``project`` = lib/project.lua and ``data`` decoded) in pandoc; return its ``out``."""
    (tmp_path / "input.md").write_text("x\n", encoding="utf-8")
    (tmp_path / "data.json").write_text(json.dumps(data), encoding="utf-8")
    script = tmp_path / "probe.lua"
    script.write_text(
        "local project = dofile(" + repr(str(resources.FILTERS / "lib" / "project.lua")) + ")\n"
        "local data = pandoc.json.decode(io.open('data.json'):read('a'), false)\n"
        "local out = {}\n" + body + "\n"
        "io.open('out.json', 'w'):write(pandoc.json.encode(out))\n"
        "return {}\n", encoding="utf-8")
    result = run_pandoc("input.md", "-t", "native", "--lua-filter", str(script), "-o", os.devnull, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))


def test_python_and_lua_gates_agree(tmp_path: Path) -> None:
    """sources/paths.py refusal and lib/project.lua refusal give the same answer, word for word, and the same fix."""
    from perrypress.sources.paths import fix_of, refusal

    lua = _lua(tmp_path, "for i, t in ipairs(data) do\n"
                         "  local reason = project.refusal(t[1], t[2], t[3])\n"
                         "  out[i] = reason and { reason, project.fix(reason) } or ''\n"
                         "end", TARGETS)
    python = [[reason, fix_of(reason)] if (reason := refusal(*target)) else "" for target in TARGETS]
    assert lua == python
    assert sum(1 for v in python if v) >= 45 and sum(1 for v in python if not v) >= 15  # both answers are exercised
    assert len({v[1] for v in python if v}) == 3  # and every fix a target can get (path, script, data:)


def test_python_and_lua_attribute_rules_agree(tmp_path: Path) -> None:
    """An attribute, and raw HTML read tag by tag (html.parser in Python, project.html_tags in Lua): the same
    refusals in both, word for word, with the same fix."""
    from perrypress.sources.markup import html_tags
    from perrypress.sources.paths import attribute_refusal, element_refusal, fix_of

    lua = _lua(tmp_path, "local function verdict (reason) return reason and { reason, project.fix(reason) } or '' end\n"
                         "out.attributes = {}\n"
                         "for i, a in ipairs(data.attributes) do\n"
                         "  out.attributes[i] = verdict(project.attribute_refusal(a[1], a[2], a[3]))\n"
                         "end\n"
                         "out.html = {}\n"
                         "for i, text in ipairs(data.html) do\n"
                         "  local found = {}\n"
                         "  for _, tag in ipairs(project.html_tags(text)) do\n"
                         "    found[#found + 1] = { tag.tag, verdict(project.element_refusal(tag.tag)) }\n"
                         "    for _, a in ipairs(tag.attributes) do\n"
                         "      found[#found + 1] = { a[1], verdict(project.attribute_refusal(a[1], a[2], '')) }\n"
                         "    end\n"
                         "  end\n"
                         "  out.html[i] = found\n"
                         "end", {"attributes": ATTRIBUTES, "html": RAW_HTML})

    def verdict(reason: str | None) -> object:
        return [reason, fix_of(reason)] if reason else ""

    python = {"attributes": [verdict(attribute_refusal(*attribute)) for attribute in ATTRIBUTES],
              "html": [[item for _, tag, attrs in html_tags(text)
                        for item in [[tag, verdict(element_refusal(tag))],
                                     *[[name, verdict(attribute_refusal(name, value or ""))] for name, value in attrs]]]
                       for text in RAW_HTML]}
    lua["html"] = [found or [] for found in lua["html"]]  # Lua's empty table is JSON's {}
    assert lua == python
    assert sum(1 for v in python["attributes"] if v) >= 15 and sum(1 for v in python["attributes"] if not v) >= 10
    refused = [item for found in python["html"] for item in found if item[1]]
    assert len(refused) >= 14 and len({item[1][1] for item in refused}) == 4


def test_option_keys_agree() -> None:
    """The metadata keys that name files are the same list in Python and in Lua."""
    import re

    from perrypress.sources.paths import OPTION_KEYS

    text = (resources.FILTERS / "lib" / "project.lua").read_text(encoding="utf-8")
    listed = re.search(r"for key in \(\[\[(.*?)\]\]\)", text, flags=re.S)
    assert listed and set(listed.group(1).split()) == OPTION_KEYS
    assert {"bibliography", "csl", "css", "include-in-header", "template", "reference-doc", "resource-path"} <= OPTION_KEYS


def test_pandoc_sandbox_would_break_the_editions(tmp_path: Path) -> None:
    """Why the editions are not rendered with pandoc --sandbox (README, "Nothing outside the project"):
    it refuses the project's own images and stylesheet (HTML embed-resources, DOCX media) and it does
    not stop citeproc reading a bibliography the metadata names outside the folder."""
    from PIL import Image

    project = tmp_path / "project"
    project.mkdir()
    Image.new("RGB", (4, 4), (255, 0, 0)).save(project / "inside.png")
    (project / "inside.css").write_text("body { color: red }\n", encoding="utf-8")
    (tmp_path / "outside.bib").write_text("@misc{leak, title={Outside Title}, author={X}, year={2000}}\n",
                                          encoding="utf-8")
    (project / "doc.md").write_text("---\nbibliography: ../outside.bib\nnocite: '@*'\n---\n\n![x](inside.png)\n",
                                    encoding="utf-8")
    result = run_pandoc("doc.md", "--sandbox", "--citeproc", "-s", "--embed-resources", "--css", "inside.css",
                        "-t", "html", cwd=project)
    assert "Could not fetch resource inside.png" in result.stderr
    assert "Could not fetch resource inside.css" in result.stderr
    assert "Outside Title" in result.stdout


def test_typst_root_is_the_project(project: Project, outside: Path) -> None:
    """Typst reads nothing above its root, the project folder, whatever the Typst source asks for."""
    from perrypress.editions.render import compile_pdf
    from perrypress.errors import BuildError

    config = load_config(project.root / "config" / "config.yaml", root=project.root)
    typ = project.root / "_build" / "leak.typ"
    typ.parent.mkdir(parents=True, exist_ok=True)
    typ.write_text('#read("/../secret.txt")\n', encoding="utf-8")
    with pytest.raises(BuildError, match="outside of project root|access denied|outside"):
        compile_pdf(typ, project.root / "_build" / "leak.pdf", config, root=project.root, epoch=0)


BUILD_CASES = ["image-file-url", "html-only-block", "pdf-only-block", "bibliography-outside", "css-outside",
               "symlink-in-images", "symlink-in-sections", "config-data-outside", "datapackage-resource-outside"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["draft", "release"])
@pytest.mark.parametrize("name", BUILD_CASES)
def test_catalogue_fails_the_build(built: Project, tmp_path: Path, name: str, mode: str) -> None:
    """A build with an escape fails with file:line, leaves the last good editions as they were, prints no outside byte."""
    from conftest import copy_built

    copy = copy_built(built, tmp_path / "project")
    _secrets(tmp_path)
    editions = {ext: copy.edition(ext).read_bytes() for ext in ("pdf", "html", "docx")}
    edit = next(case[1] for case in CATALOGUE if case[0] == name)
    where, line = edit(copy.root)
    result = copy.perrypress("build", *(["--release"] if mode == "release" else []))
    assert result.returncode != 0
    assert f"{where}:{line}: " in result.stdout + result.stderr, result.stdout + result.stderr
    assert {ext: copy.edition(ext).read_bytes() for ext in editions} == editions
    for path in [*(copy.root / "_build").rglob("*"), *(copy.root / "figures").rglob("*")]:
        if path.is_file() and not path.is_symlink() and "logs" not in path.parts:
            assert SECRET.encode() not in path.read_bytes(), path
