"""Tests of `perrypress publish`: the bundle and the WordPress entry (a package, so its conftest does not shadow tests/conftest.py)."""
