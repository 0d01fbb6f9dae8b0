"""The version, alone in a module so that anything (the CLI's --version too) can read it without importing more."""

__version__ = "0.1.0"
