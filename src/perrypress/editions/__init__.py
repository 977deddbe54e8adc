"""The PDF, HTML and DOCX editions, made from the sources and products: the edition step (render.py) and what it
needs — pandoc's defaults, filters, templates and styles (pandoc/), the DOCX reference document and row fix, the
HTML tidy-up, the fonts and web fonts, the "Cite this paper" block."""
