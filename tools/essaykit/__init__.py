"""essaykit: publish an edited collection of essays as a web book and a PDF."""

from essaykit.core.version import VERSION as __version__

__all__ = ["__version__"]
