project = "Configured schemes"
myst_enable_extensions = ["dollarmath"]
# a project that lists its own schemes: doi: links go to the web
myst_url_schemes = {
    "http": None,
    "https": None,
    "doi": "https://doi.org/{{path}}",
}
