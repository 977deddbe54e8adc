"""`perrypress absorb`: an author's edits to the DOCX edition, made in Word's way, come back to the sources.

Each case of the catalogue edits a copy of this paper's DOCX edition (its XML text), turns the pair
into a real tracked-changes document with python-redlines (as Word's compare does), and also into a
copy LibreOffice has opened and saved. After `absorb`, the DOCX rebuilt from the sources prints
what the edited one prints (the changes accepted) when the edit is one absorb applies; otherwise
the sources are untouched and the report names the place to make it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import Project, build_env, copy_project, git, write_spanish_paper
from perrypress.absorb.docx_text import read_docx

from .word_edits import FOOTNOTES, Change, add_comment, edit_docx, through_libreoffice, tracked

pytestmark = pytest.mark.slow


def build_docx(project: Project) -> Path:
    """Build (or bring up to date) the project's DOCX edition only."""
    result = project.perrypress("build", "--quiet", f"_build/{project.name}.docx")
    assert result.returncode == 0, result.stdout + result.stderr
    return project.edition("docx")


def commit_all(project: Project, message: str = "sources") -> None:
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", message)


@pytest.fixture(scope="session")
def absorb_repo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The paper's sources in a git repository of one commit, with the DOCX edition built."""
    project = copy_project(tmp_path_factory.mktemp("absorb") / "project")
    (project.root / ".gitignore").write_text("/_build/\n/figures/\n/_variables.yml\n/.snakemake/\n", encoding="utf-8")
    git(project.root, "init", "-q", "-b", "main")
    commit_all(project)
    build_docx(project)
    return project


def copy_repo(project: Project, destination: Path) -> Project:
    """A copy of ``project`` (git history and build) a test may change."""
    shutil.copytree(project.root, destination, symlinks=True)
    return Project(destination, name=project.name)


def sources_of(project: Project) -> dict[str, bytes]:
    """Every tracked source file's bytes."""
    names = git(project.root, "ls-files").split()
    return {name: (project.root / name).read_bytes() for name in names}


def texts(path: Path) -> list[str]:
    """The DOCX's paragraphs (and notes) as printed, tracked changes accepted."""
    return [unit.text for unit in read_docx(path).units]


@dataclass(frozen=True)
class Case:
    """One edit of the catalogue: the changes to the XML and what absorb must make of them."""

    name: str
    changes: tuple[Change, ...]
    applied: bool  # True: absorb writes it (the rebuilt edition prints the edited text)
    diff: tuple[str, ...] = ()  # for an applied case: lines the source diff must add (as git diff shows them)
    where: tuple[str, ...] = ()  # for a reported case: what the report's "where" must say
    comment: tuple[str, str] | None = None  # (anchor, text) of a comment to add


CATALOGUE = [
    Case("word", (Change("Sex trafficking is a crime", "Sex trafficking is an old crime"),), True,
         diff=("+Sex trafficking is an old crime",)),
    Case("sentence added and deleted",
         (Change("for much of human history. While", "for much of human history. It is a growing crime. While"),
          Change("Cybercrime can be cyber-dependent or cyber-enabled. ", "")), True,
         diff=("It is a growing crime. While", "+Cybersex trafficking is human trafficking")),
    Case("paragraph split", (Change("for much of human history.", "for much of human history.", split=True),), True,
         diff=("+Sex trafficking is a crime that has been committed primarily against women and children for much "
               "of human history.",)),
    Case("heading", (Change("The Advent of Cybersex Trafficking", "The Rise of Cybersex Trafficking"),), True,
         diff=("+# The Rise of Cybersex Trafficking {#sec-advent}",)),
    Case("figure caption", (Change("Percentage of Victims Identified", "Share of Victims Identified"),), True,
         diff=("+![Share of Victims Identified",)),
    Case("photo credit", (Change("Credit: Coast Guard News", "Credit: U.S. Coast Guard News"),), True,
         diff=("+Credit: U.S. Coast Guard News.",)),
    Case("note text", (Change("so the author used", "so the author chose", part=FOOTNOTES),), True,
         diff=("so the author chose",)),
    Case("locator", (Change("Ibid., 112.", "Ibid., 113.", part=FOOTNOTES),), True,
         diff=("cybersex trafficking victims.[@unodc2022, 113] The next highest",)),
    Case("front matter", (Change("Zoe Nelson is an Academic Assistant", "Zoe Nelson is a Research Assistant"),
                          Change("Cybersex Trafficking in South America", "Cybersex Trafficking in Latin America")),
         True, diff=('+title: "Cybersex Trafficking in Latin America"', "+      Zoe Nelson is a Research Assistant")),
    Case("comment", (), True, comment=("María Luisa decided", "Is this her real name?")),
    Case("Table 1 cell", (Change("League of Nations Slavery Convention", "League of Nations Slavery Convention "
                                 "of 1926"),), False, where=("data/law.csv", "column instrument")),
    Case("table caption", (Change("Relevant International Law", "Relevant Law"),), False,
         where=("config/config.yaml", "tables.law.caption")),
    Case("number from data", (Change("eight", "nine"),), False,
         where=("data/regions.csv", "slug=south_america", "share_pct")),
    Case("bibliography entry", (Change("Reliant on Army to Fight Crime", "Reliant on the Army to Fight Crime"),),
         False, where=("references.bib", "entry appleby", "field title")),
]


def edited_copy(original: bytes, case: Case, folder: Path, how: str) -> Path:
    """The case's edited DOCX: tracked changes made by compare, or that file as LibreOffice saves it."""
    edited = edit_docx(original, list(case.changes)) if case.changes else original
    data = tracked(original, edited) if case.changes else edited
    if case.comment:
        data = add_comment(data, *case.comment)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case.name.replace(' ', '-')}.docx"
    path.write_bytes(data)
    if how == "libreoffice":
        path = through_libreoffice(path, folder / "libreoffice")
    return path


@pytest.mark.parametrize("how", ["compare", "libreoffice"])
@pytest.mark.parametrize("case", CATALOGUE, ids=[c.name for c in CATALOGUE])
def test_catalogue(case: Case, how: str, absorb_repo: Project, tmp_path: Path) -> None:
    """Applied edits reach the sources (and nothing else); the others are reported with their place."""
    project = copy_repo(absorb_repo, tmp_path / "project")
    docx = edited_copy(project.edition("docx").read_bytes(), case, tmp_path / "edited", how)
    before = sources_of(project)
    result = project.perrypress("absorb", str(docx))
    assert result.returncode == 0, result.stdout + result.stderr
    report = (project.root / "_build" / "absorb" / f"{docx.stem}.md").read_text(encoding="utf-8")
    diff = git(project.root, "diff", "-U0")
    if case.comment:
        assert "Is this her real name?" in report and "sections/01-introduction.qmd:3" in report, report
        assert sources_of(project) == before
        return
    if not case.applied:
        assert sources_of(project) == before, diff
        line = next(line for line in report.splitlines() if all(w in line for w in case.where[:1]))
        for expected in case.where:
            assert expected in line, report
        return
    for expected in case.diff:
        assert expected in diff, diff + result.stdout
    changed = [line for line in diff.splitlines() if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))]
    assert changed, result.stdout
    assert texts(build_docx(project)) == texts(docx)


def test_unedited_changes_nothing_and_twice_changes_nothing(absorb_repo: Project, tmp_path: Path) -> None:
    """The edition itself absorbs to nothing; an edited one absorbed a second time changes nothing more."""
    project = copy_repo(absorb_repo, tmp_path / "project")
    before = sources_of(project)
    result = project.perrypress("absorb", str(project.edition("docx")))
    assert result.returncode == 0, result.stderr
    assert "0 edit(s) applied, 0 not applied" in result.stdout
    assert sources_of(project) == before
    case = CATALOGUE[0]
    docx = edited_copy(project.edition("docx").read_bytes(), case, tmp_path / "edited", "compare")
    assert project.perrypress("absorb", str(docx)).returncode == 0
    commit_all(project, "absorbed")
    after_first = sources_of(project)
    # The DOCX now records sources that changed since: absorb names the commit it was built from.
    again = project.perrypress("absorb", str(docx))
    assert again.returncode == 1 and "--base" in again.stderr, again.stderr
    base = git(project.root, "rev-parse", "HEAD~1").strip()
    assert base[:12] in again.stderr
    again = project.perrypress("absorb", str(docx), "--base", base)
    assert again.returncode == 0, again.stderr
    assert sources_of(project) == after_first, git(project.root, "diff")


def test_refuses_a_foreign_docx_and_changed_sources(absorb_repo: Project, tmp_path: Path) -> None:
    """A DOCX without our property is refused; so is one built from sources that have changed since."""
    import docx as python_docx

    project = copy_repo(absorb_repo, tmp_path / "project")
    foreign = tmp_path / "foreign.docx"
    python_docx.Document().save(foreign)
    result = project.perrypress("absorb", str(foreign))
    assert result.returncode == 1 and "not a DOCX edition made by perrypress" in result.stderr
    edited = edited_copy(project.edition("docx").read_bytes(), CATALOGUE[0], tmp_path / "edited", "compare")
    section = project.root / "sections" / "03-advent.qmd"
    section.write_text(section.read_text(encoding="utf-8") + "\n<!-- a note to self -->\n", encoding="utf-8")
    result = project.perrypress("absorb", str(edited))
    assert result.returncode == 1 and "sources have changed since" in result.stderr, result.stderr


def test_uncommitted_changes_refused_unless_forced(absorb_repo: Project, tmp_path: Path) -> None:
    """A file absorb would write with uncommitted changes (which leave its printed text alone) is refused."""
    project = copy_repo(absorb_repo, tmp_path / "project")
    edited = edited_copy(project.edition("docx").read_bytes(), CATALOGUE[0], tmp_path / "edited", "compare")
    # Uncommitted, and not a source: the file's mode. git sees a change; the digest (the text) does not.
    section = project.root / "sections" / "03-advent.qmd"
    section.chmod(0o755)
    result = project.perrypress("absorb", str(edited))
    assert result.returncode == 1 and "not committed" in result.stderr, result.stdout + result.stderr
    dry = project.perrypress("absorb", str(edited), "--dry-run")
    assert dry.returncode == 0 and "would apply" in dry.stdout
    assert git(project.root, "diff", "--stat").count("|") == 1  # the mode only
    forced = project.perrypress("absorb", str(edited), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "Sex trafficking is an old crime" in section.read_text(encoding="utf-8")


def test_tracked_only_leaves_untracked_edits_out(absorb_repo: Project, tmp_path: Path) -> None:
    """With --tracked-only, an edit typed with Track Changes off is not applied; the tracked one is."""
    project = copy_repo(absorb_repo, tmp_path / "project")
    original = project.edition("docx").read_bytes()
    redlined = tracked(original, edit_docx(original, list(CATALOGUE[0].changes)))
    both = edit_docx(redlined, [Change("The Advent of Cybersex Trafficking", "The Rise of Cybersex Trafficking")])
    docx = tmp_path / "both.docx"
    docx.write_bytes(both)
    result = project.perrypress("absorb", str(docx), "--tracked-only")
    assert result.returncode == 0, result.stderr
    text = (project.root / "sections" / "03-advent.qmd").read_text(encoding="utf-8")
    assert "Sex trafficking is an old crime" in text and "# The Advent of Cybersex Trafficking" in text
    git(project.root, "checkout", "--", ".")
    result = project.perrypress("absorb", str(docx))
    text = (project.root / "sections" / "03-advent.qmd").read_text(encoding="utf-8")
    assert "Sex trafficking is an old crime" in text and "# The Rise of Cybersex Trafficking" in text


def test_spanish_paper_round_trips(tmp_path: Path) -> None:
    """The Spanish test paper: an edit of its prose comes back to its section, and its edition prints it."""
    paper = write_spanish_paper(tmp_path / "paper")
    git(paper.root, "init", "-q", "-b", "main")
    commit_all(paper)
    original = build_docx(paper).read_bytes()
    docx = tmp_path / "editado.docx"
    docx.write_bytes(tracked(original, edit_docx(original, [Change("temporada de huracanes",
                                                                   "temporada de grandes huracanes")])))
    result = paper.perrypress("absorb", str(docx))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "+Cada temporada de grandes huracanes pone a prueba la capacidad de los Estados del" in \
        git(paper.root, "diff", "-U0"), result.stdout
    assert texts(build_docx(paper)) == texts(docx)
