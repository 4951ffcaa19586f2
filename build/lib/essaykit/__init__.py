"""essaykit: publish an edited collection of essays as a web book and a PDF."""

__version__ = "0.1.0"
