"""Domain errors: each carries what a person needs to fix their input."""


class DubanError(Exception):
    """A mistake in what someone asked for; the message is safe to show a user."""
