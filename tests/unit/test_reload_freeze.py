"""The service freezes what start-up made (gc.freeze, so full collections skip it); a content
reload must still free the old content's index, which holds reference cycles."""

from __future__ import annotations

import gc
import weakref

from iombot.bots.reload import refreeze


class Index:
    """Like TopicIndex: a cycle through a cached bound method."""

    def __init__(self) -> None:
        self.cached = self.method

    def method(self) -> None:
        pass


def test_a_reload_frees_a_frozen_index_with_cycles():
    old = Index()
    alive = weakref.ref(old)
    gc.freeze()
    try:
        del old
        gc.collect()
        assert alive() is not None  # frozen: the collector never looks at it
        refreeze()
        assert alive() is None
        assert gc.get_freeze_count() > 0  # and what is left is frozen again
    finally:
        gc.unfreeze()


def test_without_a_freeze_a_reload_freezes_nothing():
    refreeze()
    assert gc.get_freeze_count() == 0
