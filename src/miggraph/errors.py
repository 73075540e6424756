"""The one exception the command line turns into a clean one-line error and an exit code."""


class MiggraphError(Exception):
    """A problem the user can fix: bad input, a missing file, an unreachable server.

    Exit codes: 2 for bad input or usage, 3 for an unreachable endpoint or server.
    `location` is "file:line" (or "file:line:column") when the problem is in a file.
    """

    def __init__(self, message: str, *, exit_code: int = 2, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message
