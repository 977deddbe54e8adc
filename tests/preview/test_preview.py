"""perrypress preview: serves only the build folder, reloads on edits, shows build errors, stops cleanly."""

from __future__ import annotations

import contextlib
import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import Project, build_env, copy_built
from perrypress.preview.builder import failure_message
from perrypress.preview.page import EVENTS, OVERLAY_ID, PDF_FRAME_ID, SNIPPET_END, SNIPPET_START
from perrypress.preview.server import resolve
from perrypress.screenshots import chromium, chromium_available

# Bounded waits for events (a rebuild on a busy 2-core machine can take a minute), not timings.
WAIT = 300.0
SECTION = "sections/06-conclusions.qmd"


@dataclass
class Preview:
    """A running ``perrypress preview`` in its own process group, and its terminal output."""

    project: Project
    process: subprocess.Popen[bytes]
    port: int
    output: Path

    def get(self, path: str) -> tuple[int, bytes, str]:
        """Send ``path`` exactly as given (no normalising); return status, body and content type."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read(), response.getheader("Content-Type", "")
        finally:
            connection.close()

    def page(self) -> str:
        """The served page at ``/``."""
        status, body, _ = self.get("/")
        assert status == 200
        return body.decode("utf-8")

    def events(self) -> EventStream:
        """Open the page's event stream, telling the server which version the page shows."""
        return EventStream(self.port, page_version(self.page()))

    def terminal(self) -> str:
        """What the preview has printed so far."""
        return self.output.read_text(encoding="utf-8", errors="replace")

    def wait_for_terminal(self, text: str) -> None:
        """Wait (bounded) until the preview prints ``text``."""
        deadline = time.monotonic() + WAIT
        while text not in self.terminal():
            assert self.process.poll() is None, f"preview exited:\n{self.terminal()}"
            assert time.monotonic() < deadline, f"{text!r} not printed:\n{self.terminal()}"
            time.sleep(0.2)

    def interrupt(self) -> int:
        """Send SIGINT to the preview's process group (as Ctrl-C does) and return its exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(WAIT)


class EventStream:
    """A plain server-sent-events client."""

    def __init__(self, port: int, version: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.connection.request("GET", f"{EVENTS}?v={version}")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self) -> tuple[str, str]:
        """The next event's name and data (comments and keep-alives skipped)."""
        name, data = "message", []
        while True:
            line = self.response.readline().decode("utf-8")
            assert line, "the event stream closed"
            line = line.rstrip("\n")
            if not line:
                if data or name != "message":
                    return name, "\n".join(data)
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)

    def wait_for(self, wanted: str) -> str:
        """Read events until one named ``wanted`` arrives (bounded); return its data."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            name, data = self.next()
            if name == wanted:
                return data
        raise AssertionError(f"no {wanted!r} event")

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def page_version(page: str) -> int:
    """The edition version a served page says it shows."""
    return int(re.search(r"let version = (\d+);", page).group(1))


def without_snippet(page: str) -> str:
    """The served page with the preview's injected snippet taken out."""
    start, end = page.index(SNIPPET_START), page.index(SNIPPET_END) + len(SNIPPET_END)
    return page[:start] + page[end:]


def overlay(page: str) -> str | None:
    """The error overlay's message if it is shown, else None."""
    match = re.search(rf'<div id="{OVERLAY_ID}" role="alert"( hidden)?[^>]*>.*?<pre[^>]*>(.*?)</pre>', page, re.S)
    assert match, "no overlay element in the page"
    return None if match.group(1) else html.unescape(match.group(2))


def processes_in(folder: Path) -> set[int]:
    """The ids of the live processes whose working directory is ``folder``."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")) == folder:
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def window_listeners(page: Any) -> Counter[str]:
    """The event listeners on a Chromium page's window, counted by event type (Chrome DevTools Protocol)."""
    session = page.context.new_cdp_session(page)
    window = session.send("Runtime.evaluate", {"expression": "window"})["result"]["objectId"]
    found = session.send("DOMDebugger.getEventListeners", {"objectId": window})["listeners"]
    session.detach()
    return Counter(listener["type"] for listener in found)


def idle(preview: Preview) -> int:
    """Wait (bounded) until the preview has finished its builds and printed nothing for 3 s; return its output's length."""
    deadline, seen, since = time.monotonic() + WAIT, -1, time.monotonic()
    while True:
        text = preview.terminal()
        if len(text) != seen:
            seen, since = len(text), time.monotonic()
        elif time.monotonic() - since > 3 and text.rstrip().endswith(("kB", "MB", "Ctrl-C to stop")):
            return seen
        assert time.monotonic() < deadline, f"the preview is still building:\n{text[-2000:]}"
        time.sleep(0.2)


def builds_in(folder: Path) -> set[int]:
    """The build processes (a `perrypress build`, Snakemake, a step) whose working directory is ``folder``."""
    found = set()
    for pid in processes_in(folder):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"build" in command or b"snakemake" in command or b"step" in command or b"preview-quick-step" in command:
            found.add(pid)
    return found


def start_preview(project: Project, *args: str, serving: bool = True) -> Preview:
    """Start ``perrypress preview --no-browser`` on a free port and wait (bounded) until it serves (or not)."""
    port = free_port()
    output = project.root.parent / f"preview-{port}.log"
    with output.open("wb") as terminal:
        process = subprocess.Popen(
            [sys.executable, "-m", "perrypress.cli", "preview", "--no-browser", "--port", str(port), *args],
            cwd=project.root, stdout=terminal, stderr=subprocess.STDOUT, env=build_env(), start_new_session=True)
    preview = Preview(project, process, port, output)
    if serving:
        preview.wait_for_terminal(f"http://127.0.0.1:{port}/")
    return preview


def stop(preview: Preview) -> None:
    """Stop a preview whatever state it is in (fixture teardown)."""
    if preview.process.poll() is None:
        try:
            preview.interrupt()
        except subprocess.TimeoutExpired:
            os.killpg(preview.process.pid, signal.SIGKILL)
            preview.process.wait()


def append(project: Project, text: str) -> int:
    """Append a paragraph to the section; return the line it is on."""
    path = project.root / SECTION
    content = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(content + text + "\n", encoding="utf-8")
    return content.count("\n") + 1


class TestQuickStep:
    """Which saves the served edition's step alone may serve at once: files only the editions read."""

    @pytest.fixture
    def folder(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """A project whose steps have recorded their inputs: a table reads data, the editions read sections."""
        from perrypress.workflow.job_inputs import record

        monkeypatch.chdir(tmp_path)
        for name in ["sections/01.qmd", "data/t.csv", "report.qmd", "_build/tables/t.md"]:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("x\n", encoding="utf-8")
        record(["_build/tables/t.md"], ["data/t.csv", "report.qmd"], argv=["step", "table"])
        for ext in ["html", "pdf"]:
            record([f"_build/.built/paper.{ext}"], ["sections/01.qmd", "report.qmd", "_build/tables/t.md"],
                   argv=["step", "edition", ext])
        return tmp_path

    def quick(self, folder: Path, *names: str) -> list[str] | None:
        from perrypress.preview.quick import quick_command

        return quick_command(folder, folder / "_build" / "paper.html", [folder / name for name in names])

    def test_a_section_runs_the_served_editions_step(self, folder: Path) -> None:
        assert self.quick(folder, "sections/01.qmd") == ["step", "edition", "html"]

    def test_an_editors_vanished_temporary_file_is_left_out(self, folder: Path) -> None:
        assert self.quick(folder, "sections/01.qmd", "sections/.01.qmd.swp") == ["step", "edition", "html"]

    @pytest.mark.parametrize("names", [("data/t.csv",), ("report.qmd",), ("sections/01.qmd", "data/t.csv")])
    def test_a_file_another_step_reads_takes_the_workflow(self, folder: Path, names: tuple[str, ...]) -> None:
        assert self.quick(folder, *names) is None

    def test_a_new_file_takes_the_workflow(self, folder: Path) -> None:
        (folder / "sections" / "02.qmd").write_text("new\n", encoding="utf-8")
        assert self.quick(folder, "sections/02.qmd") is None

    def test_a_removed_section_takes_the_workflow(self, folder: Path) -> None:
        (folder / "sections" / "01.qmd").unlink()
        assert self.quick(folder, "sections/01.qmd") is None

    def test_no_record_takes_the_workflow(self, folder: Path) -> None:
        from perrypress.preview.quick import quick_command

        assert quick_command(folder, folder / "_build" / "other.html", [folder / "sections/01.qmd"]) is None


class TestResolve:
    """A request path names a file under the build folder, or nothing."""

    def test_names_files_under_the_folder(self, tmp_path: Path) -> None:
        """Plain and percent-encoded names resolve inside the folder; a query is ignored."""
        assert resolve(tmp_path, "/tables/law.md?v=3") == tmp_path.resolve() / "tables" / "law.md"
        assert resolve(tmp_path, "/a%20b.pdf") == tmp_path.resolve() / "a b.pdf"
        assert resolve(tmp_path, "/") == tmp_path.resolve()

    @pytest.mark.parametrize("path", ["/../x", "/%2e%2e/x", "/a/..%2f..%2fx", "//etc/passwd", "/%2fetc/passwd",
                                      "/..\\x", "http://127.0.0.1/x", "/a%00b"])
    def test_refuses_traversal_and_absolute_paths(self, tmp_path: Path, path: str) -> None:
        """``..`` in any spelling, absolute paths, backslashes and NUL name nothing."""
        assert resolve(tmp_path / "build", path) is None

    def test_refuses_a_link_out_of_the_folder(self, tmp_path: Path) -> None:
        """A symbolic link inside the folder that points outside it names nothing."""
        (tmp_path / "build").mkdir()
        (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
        (tmp_path / "build" / "link.txt").symlink_to(tmp_path / "secret.txt")
        assert resolve(tmp_path / "build", "/link.txt") is None


def test_the_overlay_shows_the_errors_not_the_warnings() -> None:
    """A failed build's ``file:line`` errors are the overlay's message; its warnings and progress are not."""
    output = ["Building the PDF edition…", "sections/03-advent.qmd:7: warning: asset x.jpg not found — a placeholder",
              "sections/06-conclusions.qmd:12: citation key '@k' is not in references.bib — add it"]
    assert failure_message(output) == output[2]
    assert failure_message(["Error in rule edition_pdf:", "  exit status 1"]) == "Error in rule edition_pdf:\n  exit status 1"


def test_a_busy_port_is_reported_without_a_build(project: Project) -> None:
    """A port already in use: exit 1 with the port and what to do, before any build, no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "perrypress.cli", "preview", "--no-browser", "--port", str(port)],
                                cwd=project.root, capture_output=True, text=True, env=build_env(), timeout=WAIT)
    assert result.returncode == 1
    assert f"127.0.0.1:{port}: cannot listen there" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr and "Building" not in result.stderr
    assert not (project.root / "_build").exists()


@pytest.fixture(scope="module")
def server(built: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """One preview of a built copy of the project, shared by this module's tests (to save builds)."""
    preview = start_preview(copy_built(built, tmp_path_factory.mktemp("preview") / "project"))
    yield preview
    stop(preview)


class TestServing:
    """The page is the HTML edition plus a snippet in the response; only the build folder is served."""

    def test_page_is_the_edition_with_the_snippet_added_to_the_response_only(self, server: Preview) -> None:
        """The served page is the edition file plus the reload snippet; the file itself has no snippet."""
        page = server.page()
        edition = server.project.edition("html").read_text(encoding="utf-8")
        assert "new EventSource" in page and overlay(page) is None
        assert without_snippet(page) == edition
        assert SNIPPET_START not in edition and "EventSource" not in edition

    def test_serves_files_of_the_build_folder(self, server: Preview) -> None:
        """The PDF edition and the tables are served as they are on disk."""
        status, body, kind = server.get(f"/{server.project.edition('pdf').name}")
        assert (status, kind) == (200, "application/pdf")
        assert body == server.project.edition("pdf").read_bytes()
        table = sorted((server.project.root / "_build" / "tables").glob("*.md"))[0]
        assert server.get(f"/tables/{table.name}")[:2] == (200, table.read_bytes())

    @pytest.mark.parametrize("path", [
        "/../report.qmd",
        "/tables/../../report.qmd",
        "/%2e%2e/report.qmd",
        "/%2E%2E%2Freport.qmd",
        "/..%2freport.qmd",
        "/tables/%2e%2e/%2e%2e/report.qmd",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/..\\report.qmd",
        "/.last-good/",
        "/../_build/../sections/06-conclusions.qmd",
    ])
    def test_refuses_paths_outside_the_build_folder(self, server: Preview, path: str) -> None:
        """Traversal, encoded traversal and absolute paths get 403 or 404 and none of the file."""
        status, body, _ = server.get(path)
        assert status in (403, 404)
        assert b"title:" not in body and b"root:" not in body and b"South America" not in body

    @pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:1", "", "127.0.0.1.evil.example:{port}"])
    def test_refuses_a_request_for_another_host(self, server: Preview, host: str) -> None:
        """DNS rebinding: a request whose Host is not the preview's own address gets 403 and no content."""
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        try:
            connection.putrequest("GET", "/", skip_host=True)
            connection.putheader("Host", host.format(port=server.port))
            connection.endheaders()
            response = connection.getresponse()
            status, body = response.status, response.read()
        finally:
            connection.close()
        assert status == 403 and b"South America" not in body

    @pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
    def test_answers_to_its_own_address(self, server: Preview, host: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        try:
            connection.putrequest("GET", "/", skip_host=True)
            connection.putheader("Host", host.format(port=server.port))
            connection.endheaders()
            assert connection.getresponse().status == 200
        finally:
            connection.close()

    def test_listens_on_the_loopback_address_only(self, server: Preview) -> None:
        """The listening socket is bound to 127.0.0.1, not to every address."""
        listening = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                     + Path("/proc/net/tcp6").read_text().splitlines()[1:]]
        addresses = {local for _, local, _, state, *_ in listening
                     if state == "0A" and int(local.rsplit(":", 1)[1], 16) == server.port}
        assert addresses == {f"0100007F:{server.port:04X}"}


@pytest.mark.slow
class TestRebuilding:
    """Saving a source rebuilds through the workflow and tells the open page."""

    def test_an_edit_is_served_and_the_page_reloaded(self, server: Preview) -> None:
        """A new sentence in a section is served after a ``reload`` event."""
        sentence = f"The preview serves this new sentence {uuid.uuid4().hex}."
        events = server.events()
        try:
            append(server.project, sentence)
            version = int(events.wait_for("reload"))
        finally:
            events.close()
        page = server.page()
        assert sentence in " ".join(page.split()) and page_version(page) == version  # pandoc wraps lines
        assert SNIPPET_START not in server.project.edition("html").read_text(encoding="utf-8")

    def test_two_saves_in_a_row_end_on_the_second(self, server: Preview) -> None:
        """A save made while the first save's build runs is served in the end (it used to be lost)."""
        first, second = (f"Saved {name} {uuid.uuid4().hex[:8]}." for name in ("first", "second"))
        append(server.project, first)
        server.wait_for_terminal(f"{SECTION} changed")
        time.sleep(1.5)
        append(server.project, second)
        deadline = time.monotonic() + WAIT
        while second not in " ".join(server.page().split()):
            assert time.monotonic() < deadline, f"the second save never reached the page:\n{server.terminal()}"
            time.sleep(0.2)
        assert first in " ".join(server.page().split())

    def test_a_save_stops_the_other_editions_build_and_is_served_first(self, server: Preview) -> None:
        """A save made while the PDF and DOCX build stops that build: the page does not wait for them.

        When the saves stop, every edition holds the last one (the stopped build loses nothing).
        """
        from readers import docx_text, pdf_text

        first, second = (f"Saved {name} {uuid.uuid4().hex[:8]}." for name in ("early", "late"))
        start = idle(server)
        append(server.project, first)
        deadline = time.monotonic() + WAIT
        while "step 1 of" not in server.terminal()[start:].partition("Reloading the open page")[2]:
            assert time.monotonic() < deadline, f"the other editions never started:\n{server.terminal()[start:]}"
            time.sleep(0.05)
        append(server.project, second)
        server.wait_for_terminal("Stopped building the other editions: a newer save comes first.")
        while second not in " ".join(server.page().split()):
            assert time.monotonic() < deadline, f"the second save never reached the page:\n{server.terminal()}"
            time.sleep(0.2)
        idle(server)
        for text in (pdf_text(server.project.edition("pdf")), docx_text(server.project.edition("docx"))):
            assert first in " ".join(text.split()) and second in " ".join(text.split())

    def test_a_save_made_during_the_first_build_is_served(self, built_copy: Project) -> None:
        """The watcher runs from the start: a save made before the preview serves is built and served."""
        sentence = f"Saved while the preview started {uuid.uuid4().hex[:8]}."
        preview = start_preview(built_copy, serving=False)
        try:
            preview.wait_for_terminal("Building (start)")
            append(built_copy, sentence)
            preview.wait_for_terminal(f"http://127.0.0.1:{preview.port}/")
            deadline = time.monotonic() + WAIT
            while sentence not in " ".join(preview.page().split()):
                assert time.monotonic() < deadline, f"the save never reached the page:\n{preview.terminal()}"
                time.sleep(0.2)
        finally:
            stop(preview)

    def test_the_page_reloads_before_the_other_editions_are_built(self, server: Preview) -> None:
        """The served edition is built first: the page is told to reload before the PDF and DOCX steps start."""
        sentence = f"The HTML edition comes first {uuid.uuid4().hex[:8]}."
        before = idle(server)
        events = server.events()
        try:
            append(server.project, sentence)
            events.wait_for("reload")
        finally:
            events.close()
        server.wait_for_terminal("Editions:")
        deadline = time.monotonic() + WAIT
        while "Editions:" not in server.terminal()[before:]:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        after = server.terminal()[before:]
        assert after.index("Reloading the open page") < after.index("edition pdf")
        assert after.index("Reloading the open page") < after.index("edition docx")

    def test_a_broken_citation_shows_the_overlay_over_the_last_good_page(self, server: Preview) -> None:
        """A missing key is shown as ``file:line`` in the overlay and the terminal; fixing it clears it."""
        section = server.project.root / SECTION
        original, last_good = section.read_text(encoding="utf-8"), without_snippet(server.page())
        events = server.events()
        try:
            line = append(server.project, "A claim with no source.[@nosuchkey]")
            message = json.loads(events.wait_for("error"))
            assert f"{SECTION}:{line}:" in message and "nosuchkey" in message
            page = server.page()
            assert f"{SECTION}:{line}:" in overlay(page)
            assert without_snippet(page) == last_good
            assert f"{SECTION}:{line}:" in server.terminal()

            section.write_text(original, encoding="utf-8")
            events.wait_for("ok")
        finally:
            events.close()
        assert overlay(server.page()) is None


    @pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed: `apt-get install -y chromium`")
    def test_in_chromium_the_page_reloads_in_place_and_shows_the_overlay(self, server: Preview) -> None:
        """The injected script works in a browser: the new body in place at the same scroll position, the
        edition's own script run again on it (and its old listeners gone), the overlay on and off."""
        section = server.project.root / SECTION
        original = section.read_text(encoding="utf-8")
        sentence = f"Chromium sees this new sentence {uuid.uuid4().hex}."
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"http://127.0.0.1:{server.port}/", wait_until="load")
            listeners = window_listeners(page)
            page.evaluate("window.scrollTo(0, 3000); window.notReloaded = true")
            append(server.project, sentence)
            page.get_by_text(sentence).wait_for(timeout=WAIT * 1000)
            assert page.evaluate("window.scrollY") == 3000
            assert page.evaluate("window.notReloaded") is True  # swapped in place, not reloaded
            # perry.js ran on the new body: one popover per note marker, none left from the old body ...
            markers = page.locator("a.footnote-ref[aria-describedby]")
            assert markers.count() > 0 and page.locator(".note-popover").count() == markers.count()
            # ... and the old run's window listeners went with the old body (no more, no fewer).
            assert window_listeners(page) == listeners
            markers.first.hover()
            page.locator(".note-popover:not([hidden])").wait_for(state="visible", timeout=10_000)

            line = append(server.project, "A claim with no source.[@nosuchkey]")
            overlay_box = page.locator(f"#{OVERLAY_ID}")
            overlay_box.wait_for(state="visible", timeout=WAIT * 1000)
            assert f"{SECTION}:{line}:" in overlay_box.inner_text()
            assert page.get_by_text(sentence).count() == 1  # the last good page stays

            section.write_text(original, encoding="utf-8")
            overlay_box.wait_for(state="hidden", timeout=WAIT * 1000)

    @pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed: `apt-get install -y chromium`")
    def test_in_chromium_a_changed_head_reloads_the_whole_page(self, server: Preview) -> None:
        """A change to what the page's head holds (here its keywords) is a full reload, scroll position kept."""
        report = server.project.root / "report.qmd"
        original = report.read_text(encoding="utf-8")
        keyword = f"keyword{uuid.uuid4().hex[:8]}"
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"http://127.0.0.1:{server.port}/", wait_until="load")
            page.evaluate("window.scrollTo(0, 2000); window.notReloaded = true")
            try:
                report.write_text(original.replace("keywords:\n", f"keywords:\n  - {keyword}\n", 1), encoding="utf-8")
                page.locator(f'meta[name="keywords"][content*="{keyword}"]').wait_for(state="attached",
                                                                                      timeout=WAIT * 1000)
                page.wait_for_load_state("load")
                assert page.evaluate("window.notReloaded") is None
                assert page.evaluate("window.scrollY") == 2000
            finally:
                report.write_text(original, encoding="utf-8")
                idle(server)


@pytest.mark.slow
class TestPdfAndStopping:
    """``--format pdf`` shows the PDF; Ctrl-C stops the server, the watcher and a running build."""

    def test_pdf_format_embeds_the_pdf_edition(self, built_copy: Project) -> None:
        """The page embeds the PDF with a cache-busting query, and the PDF is served as built."""
        preview = start_preview(built_copy, "--format", "pdf")
        try:
            page = preview.page()
            source = re.search(rf'<iframe id="{PDF_FRAME_ID}"[^>]* src="([^"]+)"', page).group(1)
            assert source == f"/{built_copy.edition('pdf').name}?v={page_version(page)}"
            status, body, kind = preview.get(source)
            assert (status, kind) == (200, "application/pdf")
            assert body == built_copy.edition("pdf").read_bytes()
            assert overlay(page) is None
        finally:
            stop(preview)

    def test_sigint_during_a_build_exits_0_and_leaves_no_process(self, built_copy: Project) -> None:
        """Ctrl-C while a rebuild runs: exit code 0, the process group gone, no build process left."""
        preview = start_preview(built_copy)
        folder = built_copy.root.resolve()
        try:
            append(built_copy, "A sentence that starts a rebuild.")
            preview.wait_for_terminal(f"{SECTION} changed")
            deadline = time.monotonic() + WAIT
            while not builds_in(folder):  # the build has started
                assert time.monotonic() < deadline, "no build started"
                time.sleep(0.05)
            assert preview.interrupt() == 0
        finally:
            stop(preview)
        left = processes_in(folder)
        for pid in left:  # clean up before failing, so a failure leaves nothing running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(os.getpgid(pid), signal.SIGKILL)
        assert left == set()
        with pytest.raises(ProcessLookupError):
            os.killpg(preview.process.pid, 0)
        assert "Traceback" not in preview.terminal()
