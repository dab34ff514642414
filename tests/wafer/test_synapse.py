from collections import Counter

from twin.wafer.synapse import N_DRIVERS, driver_side, switch_rows, vline_driver_reach


def test_drivers_split_evenly_over_sides_and_quadrants():
    sides = Counter(driver_side(y) for y in range(N_DRIVERS))
    assert sides == {"left": 112, "right": 112}
    quadrants = Counter((driver_side(y), y < 112) for y in range(N_DRIVERS))
    assert set(quadrants.values()) == {56}


def test_each_vline_reaches_28_rows_14_local_14_neighbour():
    for v in range(256):
        rows = switch_rows(v)
        assert len(set(rows)) == 28
        reach = vline_driver_reach(v)
        local = [y for dx, y in reach if dx == 0]
        far = [(dx, y) for dx, y in reach if dx != 0]
        assert len(local) == 14
        assert len(far) == 14
        assert {dx for dx, _ in far} == {-1 if v < 128 else 1}
        # A driver reached on the neighbour sits on the opposite side there.
        assert all(driver_side(y) == ("right" if v < 128 else "left") for _, y in far)


def test_each_switch_row_is_reached_by_16_vlines():
    counts = Counter(row for v in range(256) for row in switch_rows(v))
    assert len(counts) == 2 * N_DRIVERS
    assert set(counts.values()) == {16}


def test_each_driver_is_reachable_from_16_local_and_16_neighbour_vlines():
    local = Counter()
    remote = Counter()
    for v in range(256):
        for dx, y in vline_driver_reach(v):
            (local if dx == 0 else remote)[y] += 1
    assert set(local.values()) == {16}
    assert set(remote.values()) == {16}
    assert len(local) == len(remote) == N_DRIVERS
