"""Session capacity (R-COCREATE position): full when registrations reach the capacity."""

from applications.rules import is_full, places_left


def test_a_session_without_capacity_is_never_full():
    assert places_left(None, 500) is None
    assert not is_full(None, 500)


def test_the_last_place_and_after():
    assert places_left(30, 29) == 1 and not is_full(30, 29)
    assert places_left(30, 30) == 0 and is_full(30, 30)
    assert places_left(30, 31) == 0 and is_full(30, 31)  # a capacity lowered later
