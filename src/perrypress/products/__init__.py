"""What the workflow makes from the sources before any edition: the tables' Markdown includes, the figures, and
the numbers the prose quotes (with their words in the paper's language)."""
