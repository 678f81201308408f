"""A purge backend for tests: it records the keys of every purge (see the `purged` fixture)."""


class RecordingPurge:
    sent: list[frozenset[str]] = []

    def purge(self, keys: list[str]) -> None:
        RecordingPurge.sent.append(frozenset(keys))
