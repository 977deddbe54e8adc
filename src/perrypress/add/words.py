"""The words `perrypress add` writes into a paper, in its language (placeholders the editor replaces)."""

from __future__ import annotations

from typing import Any

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "section": "Write this section here (README.md, \"Everyday tasks\": notes, citations, numbers).",
        "caption": "Caption of the table (to fill in)",
        "source": "Source: to fill in.",
        "field": "What this column holds (to fill in)",
        "unit": "What this column holds, and its unit (to fill in)",
        "provenance": "Citation key of the row's source: a work of sources.csv",
        "resource": "What this table holds (to fill in)",
        "table_ref": "@tbl-{slug} shows …",
        "figure_ref": "@fig-{slug} shows …",
        "figure_caption": "Caption of the figure (to fill in)",
        "alt_bar": "Bar chart of {title} (to fill in)",
        "alt_line": "Line chart of {title} (to fill in)",
        "alt_map": "Map of {title} (to fill in)",
        "missing": "No value",
        "axis": "Axis title (to fill in)",
        "title": "Title of the work (to fill in)",
        "author": "Family, Given",
        "publisher": "Publisher (to fill in)",
    },
    "es": {
        "section": "Escriba aquí esta sección (README.md, «Tareas habituales»: notas, citas, números).",
        "caption": "Título de la tabla (por completar)",
        "source": "Fuente: por completar.",
        "field": "Qué contiene esta columna (por completar)",
        "unit": "Qué contiene esta columna, y su unidad (por completar)",
        "provenance": "Clave bibliográfica de la fuente de la fila: una obra de sources.csv",
        "resource": "Qué contiene esta tabla (por completar)",
        "table_ref": "La @tbl-{slug} muestra …",
        "figure_ref": "La @fig-{slug} muestra …",
        "figure_caption": "Título de la figura (por completar)",
        "alt_bar": "Gráfico de barras de {title} (por completar)",
        "alt_line": "Gráfico de líneas de {title} (por completar)",
        "alt_map": "Mapa de {title} (por completar)",
        "missing": "Sin valor",
        "axis": "Título del eje (por completar)",
        "title": "Título de la obra (por completar)",
        "author": "Apellidos, Nombre",
        "publisher": "Editorial (por completar)",
    },
}


def words(language: str) -> dict[str, Any]:
    """The words of ``language`` ('en', 'es'); English for a language with none."""
    return WORDS.get(language, WORDS["en"])


def paper_language(root: Any, config: dict[str, Any]) -> str:
    """The paper's language ('en', 'es'), from report.qmd's ``lang:``."""
    from ..sources.labels import DEFAULT_LANG, language_of
    from ..sources.metadata import read_metadata

    meta, _ = read_metadata(root / config["report"])
    return language_of(str(meta.get("lang") or DEFAULT_LANG))
