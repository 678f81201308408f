"""A purge backend for tests: it records the keys of every purge (see the `purged` fixture)."""


class RecordingPurge:
    sent: list[frozenset[str]] = []

    def purge(self, keys: list[str]) -> None:
        RecordingPurge.sent.append(frozenset(keys))


def surrogate_keys(response) -> set[str]:
    """The surrogate keys a public response carries (what a purge of any of them clears)."""
    return set(response["Surrogate-Key"].split())
