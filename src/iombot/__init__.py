"""iombot: the information bot of IOM Tokyo."""

__version__ = "0.1.0"
