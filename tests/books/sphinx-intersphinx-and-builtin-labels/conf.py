project = "Pointing elsewhere"
extensions = ["myst_parser", "sphinx.ext.intersphinx"]
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "tools": ("https://tools.example.org/", None),
}
