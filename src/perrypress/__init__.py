"""perrypress: compile a Perry Center paper's sources into PDF, HTML and DOCX editions."""
