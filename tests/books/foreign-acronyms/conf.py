project = "Acronyms a book explains itself"
extensions = ["myst_parser"]
