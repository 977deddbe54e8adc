"""``perrypress publish``: the checked release bundle (bundle.py, datapackage.py) and the WordPress entry (wordpress.py)."""
