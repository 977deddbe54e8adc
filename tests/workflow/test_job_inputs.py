"""Up to date means same content: what each step read is recorded as it starts, and checked before each run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perrypress.workflow import config_parts, job_inputs, last_good


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with one source, one output, and the current directory set to it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "a.qmd").write_text("first text\n", encoding="utf-8")
    return tmp_path


def build(output: str = "out.txt") -> None:
    """A step: record its inputs as it starts, then write its output from them."""
    job_inputs.record([output], ["sections/a.qmd"])
    Path(output).write_text(Path("sections/a.qmd").read_text(encoding="utf-8"), encoding="utf-8")


class TestRecords:
    """A step whose input changed after it started loses its output; an untouched one keeps it."""

    def test_an_unchanged_input_is_up_to_date(self, folder: Path) -> None:
        build()
        assert job_inputs.stale() == []
        assert job_inputs.forget_stale() == []
        assert (folder / "out.txt").exists()

    def test_a_save_after_the_step_started_makes_it_stale(self, folder: Path, capsys) -> None:
        """The source is saved after the record but before the output is written: newer output, stale content."""
        job_inputs.record(["out.txt"], ["sections/a.qmd"])
        (folder / "sections" / "a.qmd").write_text("second text\n", encoding="utf-8")
        (folder / "out.txt").write_text("first text\n", encoding="utf-8")  # written last: newer than the save
        assert (folder / "out.txt").stat().st_mtime_ns >= (folder / "sections" / "a.qmd").stat().st_mtime_ns
        assert job_inputs.forget_stale() == ["out.txt"]
        assert not (folder / "out.txt").exists()
        assert "out.txt is out of date: sections/a.qmd changed after its step started" in capsys.readouterr().err
        assert job_inputs.forget_stale() == []  # the record went with the output

    def test_a_touch_without_a_change_is_not_a_change(self, folder: Path) -> None:
        build()
        source = folder / "sections" / "a.qmd"
        os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
        assert job_inputs.stale() == []

    def test_a_same_sized_edit_with_the_old_time_is_found_by_its_digest(self, folder: Path) -> None:
        """A change that keeps size and modification time (a copy with times kept) is still a change."""
        build()
        source = folder / "sections" / "a.qmd"
        before = source.stat()
        source.write_text("FIRST TEXT\n", encoding="utf-8")
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns + 1))
        assert [changed for _, _, changed in job_inputs.stale()] == [["sections/a.qmd"]]

    def test_a_removed_input_is_a_change(self, folder: Path) -> None:
        build()
        (folder / "sections" / "a.qmd").unlink()
        assert job_inputs.forget_stale() == ["out.txt"]

    def test_a_folder_input_is_digested_by_its_files(self, folder: Path) -> None:
        (folder / "fonts").mkdir()
        (folder / "fonts" / "a.woff2").write_bytes(b"one")
        job_inputs.record(["out.txt"], ["fonts"])
        (folder / "out.txt").write_text("x", encoding="utf-8")
        assert job_inputs.stale() == []
        (folder / "fonts" / "b.woff2").write_bytes(b"two")
        assert [changed for _, _, changed in job_inputs.stale()] == [["fonts"]]

    def test_a_step_whose_outputs_are_gone_is_left_to_snakemake(self, folder: Path) -> None:
        """A failed step's outputs are removed by Snakemake: its record changes nothing."""
        job_inputs.record(["out.txt"], ["sections/a.qmd"])
        (folder / "sections" / "a.qmd").write_text("second text\n", encoding="utf-8")
        assert job_inputs.stale() == []

    def test_an_unreadable_record_is_dropped(self, folder: Path) -> None:
        build()
        job_inputs.record_path("out.txt").write_text("{not json", encoding="utf-8")
        assert job_inputs.forget_stale() == []
        assert not job_inputs.record_path("out.txt").exists()


class TestConfigParts:
    """Each part of the configuration is its own file, rewritten only when that part changed."""

    CONFIG = {"fonts": {"serif": {"family": "A"}}, "tables": {"law": {"caption": "Law"}, "other": {"caption": "O"}},
              "figures": {"map": {"kind": "map"}}, "variables": {}, "publish": {"url": "https://x"},
              "output_name": "paper"}

    def test_a_caption_edit_rewrites_that_table_and_the_editions_only(self, tmp_path: Path) -> None:
        config = {**self.CONFIG, "tables": {**self.CONFIG["tables"], "law": {"caption": "Law, revised"}}}
        assert set(config_parts.write_parts(self.CONFIG, tmp_path)) == {
            "fonts", "variables", "quarto", "editions", "table-law", "table-other", "figure-map"}
        times = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.json")}
        assert config_parts.write_parts(self.CONFIG, tmp_path) == []
        assert set(config_parts.write_parts(config, tmp_path)) == {"table-law", "editions"}
        assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.json")
                if p.name not in {"table-law.json", "editions.json"}} == {
            name: t for name, t in times.items() if name not in {"table-law.json", "editions.json"}}

    def test_publishing_settings_rerun_nothing(self, tmp_path: Path) -> None:
        config_parts.write_parts(self.CONFIG, tmp_path)
        assert config_parts.write_parts({**self.CONFIG, "publish": {"url": "https://y"}}, tmp_path) == []


def test_editions_get_the_mode_of_any_new_file(tmp_path: Path) -> None:
    """The readers' copy is made with the user's umask (0644 under 022), not mkstemp's 0600."""
    built = tmp_path / "built.pdf"
    built.write_bytes(b"%PDF-1.7 edition")
    previous = os.umask(0o022)
    try:
        last_good.replace(built, tmp_path / "paper.pdf")
        os.umask(0o027)
        last_good.replace(built, tmp_path / "paper.html")
    finally:
        os.umask(previous)
    assert (tmp_path / "paper.pdf").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "paper.html").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "paper.pdf").read_bytes() == b"%PDF-1.7 edition"


@pytest.mark.parametrize("suffix", ["jpg", "png"])
def test_an_image_cut_short_is_an_error_naming_it(tmp_path: Path, suffix: str) -> None:
    """A photograph with a third of its bytes has a sound header; decoded in full, it is refused by name."""
    from PIL import Image

    from perrypress.errors import DocumentError
    from perrypress.sources.document import check_images, image_problem

    whole = tmp_path / "images" / f"photo.{suffix}"
    whole.parent.mkdir()
    Image.effect_noise((400, 300), 60).convert("RGB").save(whole)
    assert image_problem(whole) is None
    data = whole.read_bytes()
    whole.write_bytes(data[: len(data) // 3])
    assert image_problem(whole)
    section = tmp_path / "sections" / "01.qmd"
    section.parent.mkdir()
    section.write_text(f"Text.\n\n![A photograph](/images/photo.{suffix})\n", encoding="utf-8")
    errors = check_images([section], tmp_path)
    assert len(errors) == 1 and isinstance(errors[0], DocumentError)
    assert f"sections/01.qmd:3: image /images/photo.{suffix} cannot be read" in str(errors[0])
