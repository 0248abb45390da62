"""One exception type for bad input, so scripts and the Snakefile can report it as a single clear line."""


class InputError(ValueError):
    """A problem with user-supplied input (config, data files, weights); the message names the fix."""
