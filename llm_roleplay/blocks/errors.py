"""Errors the command line turns into one clear line and exit status 2."""


class ConfigError(ValueError):
    """A setting, a model spec, an input file or the environment is wrong.

    The message names what is wrong and where, in one line, so that the CLI can print it as is.
    """
