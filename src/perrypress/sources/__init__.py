"""What people write, read and checked: the configuration, the data package and its tables, the bibliography,
the report's metadata and includes, the editions' words per language, and the gate that keeps every path inside
the project."""
