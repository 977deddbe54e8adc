"""Scaling out: the README's cluster commands, `perrypress build --profile`, `perrypress series`, the Containerfile.

A stand-in scheduler (tests/stand_in_scheduler.py) takes the jobs that Snakemake's cluster-generic
executor submits; the editions it gives are compared byte for byte with a local build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, Project, build_env, copy_built
from perrypress.workflow.job_inputs import RECORDS, recorded_seconds
from perrypress.workflow.runner import snakemake_command
from stand_in_scheduler import scheduler_env, submitted, write_scheduler

EDITIONS = ["pdf", "html", "docx"]
RULES = ROOT / "src" / "perrypress" / "workflow" / "rules"
PROFILE = ROOT / "profiles" / "slurm"


def readme_block(heading: str, contains: str) -> str:
    """The README's first ```sh block after ``heading`` that contains ``contains``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading):]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return next(block for block in blocks if contains in block)


def assert_same_editions(project: Project, reference: Project) -> None:
    for ext in EDITIONS:
        assert project.edition(ext).read_bytes() == reference.edition(ext).read_bytes(), ext


def test_every_rule_declares_what_a_scheduler_needs():
    """threads, mem_mb and runtime in every rule: `--mem={resources.mem_mb}M` never meets a rule without it."""
    rules = {}
    for path in RULES.glob("*.smk"):
        for name, body in re.findall(r"^rule (\w+):\n((?:    .*\n|\n)*)", path.read_text(encoding="utf-8"), re.M):
            rules[name] = body
    assert len(rules) >= 16
    for name, body in rules.items():
        assert re.search(r"^    threads: 1$", body, re.M), name
        mem = re.search(r"^        mem_mb=(\d+),$", body, re.M)
        runtime = re.search(r"^        runtime=(\d+),$", body, re.M)
        assert mem and runtime, name
        assert int(mem[1]) >= 256 and int(runtime[1]) >= 5, name


def test_a_profile_and_jobs_reach_snakemake(tmp_path: Path):
    command = snakemake_command(tmp_path, [], cores=2, release=True, profile=str(PROFILE), jobs=7)
    assert command[command.index("--profile") + 1] == str(PROFILE.resolve())
    assert command[command.index("--jobs") + 1] == "7"
    assert command[-2:] == ["--config", "mode=release"]  # --config last: it takes every word after it
    assert "--profile" not in snakemake_command(tmp_path, [], cores=2, release=False)


def test_the_profile_asks_slurm_for_what_the_rules_declare():
    import yaml

    profile = yaml.safe_load((PROFILE / "config.yaml").read_text(encoding="utf-8"))
    assert profile["executor"] == "cluster-generic"
    submit = profile["cluster-generic-submit-cmd"]
    for part in ("sbatch --parsable", "--cpus-per-task={threads}", "--mem={resources.mem_mb}M", "--time={resources.runtime}"):
        assert part in submit
    status = PROFILE / profile["cluster-generic-status-cmd"]  # found beside the profile, executable
    assert status.is_file() and status.stat().st_mode & 0o111
    assert profile["seconds-between-status-checks"] <= 10


@pytest.mark.parametrize("state,answer", [("COMPLETED", "success"), ("RUNNING", "running"), ("PENDING", "running"),
                                          ("", "running"), ("FAILED", "failed"), ("TIMEOUT", "failed"),
                                          ("OUT_OF_MEMORY", "failed"), ("CANCELLED by 0", "failed")])
def test_the_slurm_status_script_reads_sacct(tmp_path: Path, state: str, answer: str):
    fake = tmp_path / "sacct"
    fake.write_text(f"#!/bin/sh\nprintf '%s\\n' '{state}'\n" if state else "#!/bin/sh\nexit 0\n", encoding="utf-8")
    fake.chmod(0o755)
    result = subprocess.run([str(PROFILE / "slurm-status.sh"), "123"], capture_output=True, text=True,
                            env={"PATH": f"{tmp_path}:/usr/bin:/bin"})
    assert result.stdout.strip() == answer


def test_the_containerfile_passes_its_linter_and_pins_everything():
    tally = Path(sys.executable).parent / "tally"
    if not tally.exists():
        pytest.skip("tally (tally-cli, a test extra) is not installed")
    containerfile = ROOT / "Containerfile"
    result = subprocess.run([str(tally), "lint", "--fail-level", "style", "--no-color", "--slow-checks", "off", str(containerfile)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    text = containerfile.read_text(encoding="utf-8")
    assert re.search(r"^FROM docker\.io/library/debian:\d+\.\d+-slim\b", text, re.M)
    apt = re.search(r"apt-get install -y --no-install-recommends (.*?)\n(?!\s)", text, re.S)[1].split()
    assert apt and all(re.fullmatch(r"[\w.+-]+=[\w.:~+-]+", word) for word in apt if word != "\\"), apt
    pip = re.search(r"pip install /src/perrypress (.*)", text)[1].split()
    assert "snakemake==9.27.1" in pip and all("==" in word for word in pip)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stand-in scheduler's folder (bin/ first on the builds' PATH, jobs/ with each job's record)."""
    folder = tmp_path_factory.mktemp("scheduler")
    write_scheduler(folder)
    return folder


@pytest.fixture(scope="module")
def cluster_papers(built: Project, scheduler: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two papers built from nothing by the README's plain-Snakemake loop, through the stand-in scheduler."""
    folder = tmp_path_factory.mktemp("series")
    for name in ("2024-1", "2024-2"):
        paper = copy_built(built, folder / "papers" / name).root
        for products in ("_build", ".snakemake"):
            shutil.rmtree(paper / products, ignore_errors=True)
        for figure in (paper / "figures").iterdir():
            if figure.name != "README.md":
                figure.unlink()
    (folder / ".venv" / "bin").mkdir(parents=True)
    for tool in ("snakemake", "perrypress"):  # the README's .venv/bin/…, this environment's
        (folder / ".venv" / "bin" / tool).symlink_to(Path(sys.executable).parent / tool)
    loop = readme_block("### On a cluster", "--cluster-generic-submit-cmd")
    result = subprocess.run(["bash", "-c", loop], cwd=folder, capture_output=True, text=True,
                            env=scheduler_env(scheduler, build_env()), timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return folder / "papers"


@pytest.mark.slow
def test_the_readme_cluster_loop_builds_every_paper_through_the_scheduler(cluster_papers: Path, built: Project,
                                                                           scheduler: Path):
    for name in ("2024-1", "2024-2"):
        assert_same_editions(Project(cluster_papers / name), built)
    jobs = submitted(scheduler)
    assert len(jobs) >= 2 * 17
    assert all("--parsable" in job and "--cpus-per-task=1" in job for job in jobs)
    assert {"--mem=1024M", "--mem=256M"} <= {option for job in jobs for option in job}


@pytest.mark.slow
def test_a_readme_loop_with_a_failed_paper_fails(cluster_papers: Path, scheduler: Path, tmp_path: Path):
    """The loop names the paper that failed and exits 1 (a bare `wait` would have exited 0)."""
    papers = tmp_path / "papers"
    papers.mkdir()
    broken = copy_built(Project(cluster_papers / "2024-2"), papers / "2024-2").root
    (broken / "references.bib").write_text("@article{broken,\n", encoding="utf-8")
    (tmp_path / ".venv").symlink_to(cluster_papers.parent / ".venv")
    loop = readme_block("### On a cluster", "--cluster-generic-submit-cmd")
    result = subprocess.run(["bash", "-c", loop], cwd=tmp_path, capture_output=True, text=True,
                            env=scheduler_env(scheduler, build_env()), timeout=600)
    assert result.returncode == 1
    assert "failed: papers/2024-2/" in result.stderr


EDIT = ("sections/02-what-is-it.qmd", "\nA sentence added for the cluster.\n")


def add_the_edit(root: Path) -> None:
    """Append the one-section edit the tests build through each way of running the steps."""
    with (root / EDIT[0]).open("a", encoding="utf-8") as handle:
        handle.write(EDIT[1])


@pytest.fixture(scope="module")
def edited_locally(built: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The built project with the one-section edit, rebuilt on this machine: the reference for the edit."""
    local = copy_built(built, tmp_path_factory.mktemp("edited") / "project")
    add_the_edit(local.root)
    result = local.perrypress("build")
    assert result.returncode == 0, result.stderr
    return local


@pytest.mark.slow
def test_build_with_the_slurm_profile_keeps_its_lock_and_summary(cluster_papers: Path, edited_locally: Project,
                                                                  scheduler: Path, tmp_path: Path):
    """A one-section edit through profiles/slurm: same editions as a local build of the edit, one build at a time,
    each step's own time and the steps' warnings in the summary."""
    paper = copy_built(Project(cluster_papers / "2024-1"), tmp_path / "paper")
    add_the_edit(paper.root)
    local = edited_locally
    command = [sys.executable, "-m", "perrypress.cli", "build", "--profile", str(PROFILE)]
    env = scheduler_env(scheduler, build_env())
    process = subprocess.Popen(command, cwd=paper.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    locks = paper.root / ".snakemake" / "locks"  # Snakemake locks the folder once perrypress holds _build/.lock
    deadline = time.monotonic() + 60
    while not (locks.is_dir() and any(locks.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.1)
    second = subprocess.run(command, cwd=paper.root, env=env, capture_output=True, text=True)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, out + err
    assert second.returncode == 1 and "another perrypress build is running" in second.stderr
    assert_same_editions(paper, local)
    assert "Rebuilt 3 step(s)" in out and "sections/02-what-is-it.qmd changed" in out
    for ext in EDITIONS:  # the time printed is the step's own, not the polling's
        shown = float(re.search(rf"done \d of 3: edition {ext} in ([\d.]+) s", out)[1])
        own = recorded_seconds(f"_build/.built/{paper.name}.{ext}", paper.root / RECORDS)
        assert own is not None and shown == pytest.approx(own, abs=0.051)
    assert "images/tradewinds-2016.jpg not found" in err  # a warning from the jobs' logs


@pytest.mark.slow
def test_a_series_with_a_failing_paper_fails_and_names_it(cluster_papers: Path, scheduler: Path, tmp_path: Path):
    papers = tmp_path / "papers"
    for name in ("2024-1", "2024-2"):
        copy_built(Project(cluster_papers / name), papers / name)
    with (papers / "2024-2" / "sections" / "01-introduction.qmd").open("a", encoding="utf-8") as handle:
        handle.write("\nSee [@nosuchkey2099].\n")
    (papers / "notes").mkdir()  # not a paper: passed over
    result = subprocess.run([sys.executable, "-m", "perrypress.cli", "series", str(papers), "--profile", str(PROFILE)],
                            cwd=tmp_path, capture_output=True, text=True, env=scheduler_env(scheduler, build_env()),
                            timeout=600)
    assert result.returncode == 1
    assert "[1/2] 2024-1: built in" in result.stdout
    assert "[2/2] 2024-2: FAILED" in result.stderr
    assert "citation key '@nosuchkey2099' is not in references.bib" in result.stderr
    assert result.stderr.rstrip().endswith("1 of 2 papers built; failed: 2024-2")


def test_a_series_of_nothing_fails(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "perrypress.cli", "series", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "no paper here" in result.stderr


def test_a_step_finds_its_rule_paths_at_the_project_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Under remote storage a step sees only what its rule passed, at the project's places, and its outputs go back."""
    from perrypress.workflow.storage_stage import project_path, staged

    root = ".snakemake/storage/fs/bucket/2024-1"
    assert project_path(f"{root}/data/law.csv", root) == "data/law.csv"
    assert project_path("_build/config/fonts.json", root) == "_build/config/fonts.json"
    assert project_path("/usr/lib/python3/site-packages/perrypress/cli.py", root) is None
    monkeypatch.chdir(tmp_path)
    (tmp_path / root / "data").mkdir(parents=True)
    (tmp_path / root / "data" / "law.csv").write_text("a,b\n", encoding="utf-8")
    (tmp_path / root / "data" / "unpassed.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text("report: report.qmd\n", encoding="utf-8")
    out, log_file = f"{root}/_build/tables/law.md", f"{root}/_build/logs/table_law.log"
    argv = ["--inputs", f"{root}/data/law.csv", "--outputs", out, "--log", log_file, "step", "table", "law", "--out", out,
            "--out-dir", f"{root}/figures"]
    with staged(root, inputs=[f"{root}/data/law.csv"], outputs=[out], log_file=log_file, argv=argv) as inside:
        stage = Path.cwd()
        assert stage != tmp_path
        assert inside == ["--inputs", "data/law.csv", "--outputs", "_build/tables/law.md", "--log",
                          "_build/logs/table_law.log", "step", "table", "law", "--out", "_build/tables/law.md",
                          "--out-dir", "figures"]
        assert Path("data/law.csv").read_text(encoding="utf-8") == "a,b\n"
        assert not Path("data/unpassed.csv").exists()
        assert Path("config/config.yaml").exists()
        Path("_build/tables").mkdir(parents=True)
        Path("_build/tables/law.md").write_text("| a |\n", encoding="utf-8")
        Path("_build/logs").mkdir(parents=True)
        Path("_build/logs/table_law.log").write_text("", encoding="utf-8")
    assert Path.cwd() == tmp_path and not stage.exists()
    assert (tmp_path / out).read_text(encoding="utf-8") == "| a |\n"
    assert (tmp_path / log_file).exists()


STORAGE_PROFILE = """executor: cluster-generic
cluster-generic-submit-cmd: "sbatch --parsable --cpus-per-task={{threads}} --mem={{resources.mem_mb}}M"
cluster-generic-status-cmd: job-status
cluster-generic-cancel-cmd: scancel
jobs: 20
seconds-between-status-checks: 1
default-storage-provider: fs
default-storage-prefix: {bucket}
shared-fs-usage: none
"""


@pytest.mark.slow
def test_a_build_through_remote_storage_gives_the_same_editions(built: Project, edited_locally: Project,
                                                                  scheduler: Path, tmp_path: Path):
    """Jobs on the stand-in scheduler, files exchanged only through a bucket folder (the fs storage plugin):
    the editions readers get in the bucket, from nothing and after a one-section edit, are a local build's."""
    from perrypress.verify import copy_sources

    bucket, project = tmp_path / "bucket", tmp_path / "submit"
    copy_sources(ROOT, bucket)  # the paper's sources, uploaded
    copy_sources(ROOT, project)  # the submitting host's checkout: its Snakefile and configuration
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "config.yaml").write_text(STORAGE_PROFILE.format(bucket=bucket), encoding="utf-8")
    env = scheduler_env(scheduler, build_env())
    command = [sys.executable, "-m", "perrypress.cli", "build", "--profile", str(profile)]
    first = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    name = built.name
    for ext in EDITIONS:
        assert (bucket / "_build" / f"{name}.{ext}").read_bytes() == built.edition(ext).read_bytes(), ext
        assert not (project / "_build" / f"{name}.{ext}").exists()  # nothing came through the shared folder
    assert not list(project.glob("**/perrypress-stage-*"))
    add_the_edit(bucket)
    second = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "Rebuilt 3 step(s)" in second.stdout
    for ext in EDITIONS:
        assert (bucket / "_build" / f"{name}.{ext}").read_bytes() == edited_locally.edition(ext).read_bytes(), ext


def test_the_summary_names_files_in_remote_storage_by_their_place_in_the_project(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch):
    from perrypress.workflow.runner import Job, storage_prefix

    (tmp_path / "config.yaml").write_text("default-storage-prefix: $BUCKET\n", encoding="utf-8")
    monkeypatch.setenv("BUCKET", "s3://perry-builds/2024-1")
    assert storage_prefix(str(tmp_path)) == "s3://perry-builds/2024-1/"
    assert storage_prefix(str(PROFILE)) is None  # a shared file system: no storage
    job = Job("edition_pdf", reason="Updated input files: s3://perry-builds/2024-1/sections/02-what-is-it.qmd (in storage)",
              storage="s3://perry-builds/2024-1/")
    assert job.why == "sections/02-what-is-it.qmd changed"


def test_a_series_builds_papers_at_once_and_reports_in_the_folders_order(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    """--papers 2: two builds overlap in time; the failed papers are named in the folder's order."""
    from io import StringIO

    from perrypress.workflow import series

    papers = tmp_path / "papers"
    for name in ("a", "b", "c"):
        (papers / name / "config").mkdir(parents=True)
        (papers / name / "Snakefile").write_text("", encoding="utf-8")
        (papers / name / "config" / "config.yaml").write_text("", encoding="utf-8")
    # A stand-in for each paper's `perrypress build`: records when it ran; paper "a" fails, after the others.
    script = ("import pathlib, sys, time\nstart = time.time()\ntime.sleep(1.5 if pathlib.Path.cwd().name == 'a' "
              "else 0.5)\npathlib.Path('span').write_text(f'{start} {time.time()}')\n"
              "sys.exit(pathlib.Path.cwd().name == 'a' and 'a.qmd:1: broken — fix it')\n")
    monkeypatch.setattr(series, "build_command", lambda *args, **kwargs: [sys.executable, "-c", script])

    def spans() -> dict[str, tuple[float, float]]:
        return {name: tuple(map(float, (papers / name / "span").read_text().split())) for name in "abc"}

    out, err = StringIO(), StringIO()
    assert series.build_series(papers, papers_at_once=2, out=out, err=err) == 1
    ran = spans()
    assert ran["b"][0] < ran["a"][1] and ran["a"][0] < ran["b"][1]  # a and b overlapped
    assert "[1/3] a: FAILED" in err.getvalue() and "    a.qmd:1: broken — fix it" in err.getvalue()
    assert out.getvalue().index("[2/3] b: built") < out.getvalue().index("[3/3] c: built")
    assert err.getvalue().rstrip().endswith("2 of 3 papers built; failed: a")

    assert series.build_series(papers, out=StringIO(), err=StringIO()) == 1  # one at a time: none overlaps
    ran = sorted(spans().values())
    assert all(earlier[1] <= later[0] for earlier, later in zip(ran, ran[1:]))


def test_papers_at_once_must_be_a_positive_number(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "perrypress.cli", "series", str(tmp_path), "--papers", "0"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "'0' is not a whole number of at least 1" in result.stderr
