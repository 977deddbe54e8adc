"""Reading a source's attributes and raw HTML: every one is found, at its line, and code is not read."""

from __future__ import annotations

from pathlib import Path

from perrypress.sources.markup import html_tags, markup_errors, quarto_attributes, without_code


class TestWithoutCode:
    """Code is shown, not run: its contents are blanked, lines and the fences' attributes kept."""

    def test_fenced_block_and_code_span_are_blanked(self) -> None:
        """The contents go, the line count and the fence's own line (its attributes) stay."""
        text = '```{.html onclick="x"}\n<div onclick="y">\n```\nA `<b onclick=z>` span.\n~~~~\n<i>\n~~~~\n'
        masked = without_code(text)
        assert masked.count("\n") == text.count("\n") and len(masked) == len(text)
        assert 'onclick="x"' in masked and 'onclick="y"' not in masked and "onclick=z" not in masked
        assert "<i>" not in masked and masked.endswith("~~~~\n")

    def test_a_shorter_fence_does_not_close(self) -> None:
        """A ```` block stays open across a ``` line, as CommonMark and pandoc read it."""
        masked = without_code("````\n```\n<b onclick=x>\n````\nafter\n")
        assert "onclick" not in masked and "after" in masked


class TestQuartoAttributes:
    """Every key=value of a {…} block, wherever Quarto's syntax puts one."""

    def test_keys_with_their_values_and_offsets(self) -> None:
        """Quoted, single-quoted, unquoted and escaped values; a "}" inside quotes does not end the block."""
        text = "[a]{#i .c onclick=\"al}ert(1)\" style='x' data-x=1 ONLOAD=a\\\"b}"
        found = [(key, value) for _, key, value in quarto_attributes(text)]
        assert found == [("onclick", "al}ert(1)"), ("style", "x"), ("data-x", "1"), ("ONLOAD", 'a"b')]
        offset = next(o for o, key, _ in quarto_attributes(text) if key == "style")
        assert text[offset:].startswith("style=")

    def test_a_block_across_lines(self) -> None:
        """Pandoc reads an attribute block over several lines (not across a blank one)."""
        text = "[a\n]{\n  onclick=\"x\"\n}\n\n{\n\nonfocus=y}"
        found = [(text.count("\n", 0, offset) + 1, key) for offset, key, _ in quarto_attributes(text)]
        assert found == [(3, "onclick")]

    def test_shortcodes_and_escaped_braces_are_not_blocks(self) -> None:
        """{{< var … >}} and \\{ are text, and a token that is no attribute is skipped."""
        text = "{{< var a.b >}} \\{onclick=x\\} {a, b} {x onclick=1}"
        assert [key for _, key, _ in quarto_attributes(text)] == ["onclick"]


class TestHtmlTags:
    """Raw HTML read with html.parser: names in lower case, values decoded, comments skipped."""

    def test_tags_attributes_and_lines(self) -> None:
        """Each start tag at its line; entity-decoded values; a value-less attribute is None."""
        text = 'Text\n<IMG SRC=x onError="a">\n<!-- <b onclick=x> -->\n<a href="java&#x09;script:x" download>y</a>'
        assert list(html_tags(text)) == [(2, "img", [("src", "x"), ("onerror", "a")]),
                                         (4, "a", [("href", "java\tscript:x"), ("download", None)])]

    def test_an_unclosed_quote_hides_no_later_tag(self) -> None:
        """The text is read per paragraph and per line: an open quote cannot swallow the tags after it."""
        text = 'A <a title="\nB <div onclick="x">y</div>\n\nC <span onmouseover=z>w</span>\n'
        found = {(line, tag, name) for line, tag, attrs in html_tags(text) for name, _ in attrs}
        assert (2, "div", "onclick") in found and (4, "span", "onmouseover") in found

    def test_a_tag_across_lines(self) -> None:
        """A tag written over two lines is one tag, at its first line."""
        assert [(line, tag) for line, tag, _ in html_tags("x\n<a\nhref='javascript:x'>y</a>\n")] == [(2, "a")]


def test_errors_name_file_and_line_in_order(tmp_path: Path) -> None:
    """markup_errors gives every refusal (not the first only), each at its file:line, with its fix."""
    section = tmp_path / "sections" / "a.qmd"
    section.parent.mkdir()
    section.write_text('# A {#sec-a}\n\n[x]{onclick="y"} [z]{style="w"}\n\n<img src=x onerror=y>\n`[c]{onclick=d}`\n',
                       encoding="utf-8")
    errors = [str(error) for error in markup_errors([section], tmp_path)]
    assert [error.split(": ", 1)[0] for error in errors] == ["sections/a.qmd:3"] * 2 + ["sections/a.qmd:5"]
    assert "onclick" in errors[0] and "remove the attribute" in errors[0]
    assert "style" in errors[1] and "class the house stylesheet defines" in errors[1]
    assert errors[2].startswith("sections/a.qmd:5: raw HTML <img>: attribute onerror is an event handler")


def test_a_loaded_file_is_read_from_the_root_and_the_folder(tmp_path: Path) -> None:
    """A raw image's src is a file the renderer loads: outside the project from the root (where pandoc reads
    it) or from the section's folder is refused; inside from both passes."""
    section = tmp_path / "sections" / "a.qmd"
    section.parent.mkdir()
    section.write_text('<img src="../images/x.png" alt="x">\n<img src="images/x.png" alt="y">\n'
                       '<img src="../../x.png" alt="z">\n', encoding="utf-8")
    errors = [str(error) for error in markup_errors([section], tmp_path)]
    assert [error.split(": ", 1)[0] for error in errors] == ["sections/a.qmd:1", "sections/a.qmd:3"]
    assert all("attribute src resolves outside the project folder" in error for error in errors)
