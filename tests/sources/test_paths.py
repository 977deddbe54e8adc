"""Untrusted sources: a path that resolves outside the project is an error naming file and line, in every build."""

from __future__ import annotations

import os
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
]


def test_python_and_lua_gates_agree(tmp_path: Path) -> None:
    """sources/paths.py refusal and lib/project.lua refusal give the same answer, word for word."""
    from perrypress.sources.paths import refusal

    (tmp_path / "input.md").write_text("x\n", encoding="utf-8")
    script = tmp_path / "gate.lua"
    script.write_text(
        "local project = dofile(" + repr(str(resources.FILTERS / "lib" / "project.lua")) + ")\n"
        "local targets = pandoc.json.decode(io.open('targets.json'):read('a'))\n"
        "local out = {}\n"
        "for i, t in ipairs(targets) do out[i] = project.refusal(t[1], t[2], t[3]) or '' end\n"
        "io.open('verdicts.json', 'w'):write(pandoc.json.encode(out))\n"
        "return {}\n", encoding="utf-8")
    (tmp_path / "targets.json").write_text(__import__("json").dumps(TARGETS), encoding="utf-8")
    result = run_pandoc("input.md", "-t", "native", "--lua-filter", str(script), "-o", os.devnull, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lua = __import__("json").loads((tmp_path / "verdicts.json").read_text(encoding="utf-8"))
    python = [refusal(*target) or "" for target in TARGETS]
    assert lua == python
    assert sum(1 for v in python if v) >= 25 and sum(1 for v in python if not v) >= 10  # both answers are exercised


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
