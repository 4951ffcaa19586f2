"""The print edition: print-specific HTML from Sphinx, typeset to PDF by WeasyPrint."""
