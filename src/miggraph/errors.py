"""The one table of exit codes, and the one exception the command line turns into a clean line.

Scripts rely on the exit code alone, so each code means one thing everywhere (`ExitCode`), and
every expected failure is a `MiggraphError` that names the file, path or URL it is about.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a `miggraph` command's exit status means; the same for every command."""

    OK = 0            #: success
    VIOLATIONS = 1    #: the command ran, and validation found violations
    BAD_INPUT = 2     #: bad input, bad usage, or a construct the command refuses
    ENDPOINT = 3      #: a SPARQL endpoint, server or the network failed or did not answer
    LOCAL_IO = 4      #: a local file or folder could not be read or written
    INTERNAL = 5      #: a bug in miggraph (the message asks for a report; --debug shows the traceback)


EXIT_CODES_HELP = """\
Exit codes: 0 success, 1 validation found violations, 2 bad input, usage or a refused construct,
3 endpoint, server or network failure, 4 a local file could not be read or written, 5 internal error
(rerun with --debug for the traceback)."""


class MiggraphError(Exception):
    """A problem the user can fix: bad input, a missing file, an unreachable server.

    `exit_code` is one of `ExitCode`; `location` is "file:line" (or "file:line:column") when the
    problem is in a file.
    """

    def __init__(self, message: str, *, exit_code: int = ExitCode.BAD_INPUT,
                 location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = ExitCode(exit_code)
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message
