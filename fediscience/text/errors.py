"""Errors raised by the text package."""


class MathError(ValueError):
    """A formula that cannot be turned into valid MathML."""
