"""The one error type a user can fix: a bad spec, missing data. The entry point maps it to exit 2."""

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """A problem in the spec or the data that a retry cannot fix; the message names the field or file."""
