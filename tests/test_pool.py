"""The searcher pool: one caller per object, stale and failed objects closed, idle bounded."""

from __future__ import annotations

import threading

import pytest

from indexer.pool import Pool


class Item:
    def __init__(self, n: int, generation: list[int]) -> None:
        self.n, self.born, self.closed = n, generation[0], False


def make_pool(idle_max: int = 8) -> tuple[Pool[Item], list[Item], list[int]]:
    made: list[Item] = []
    generation = [0]

    def open_() -> Item:
        made.append(Item(len(made), generation))
        return made[-1]

    def close(item: Item) -> None:
        item.closed = True

    pool = Pool(open_, is_current=lambda i: i.born == generation[0], close=close, idle_max=idle_max)
    return pool, made, generation


def test_an_object_handed_back_is_reused():
    pool, made, _ = make_pool()
    with pool.checkout() as first:
        pass
    with pool.checkout() as second:
        assert second is first
    assert len(made) == 1


def test_callers_at_the_same_time_never_share_an_object():
    pool, made, _ = make_pool()
    with pool.checkout() as a, pool.checkout() as b, pool.checkout() as c:
        assert len({id(a), id(b), id(c)}) == 3
    assert pool.idle() == 3


def test_a_stale_object_is_closed_and_replaced():
    pool, made, generation = make_pool()
    with pool.checkout() as first:
        pass
    generation[0] += 1
    with pool.checkout() as second:
        assert second is not first
    assert first.closed and not second.closed


def test_an_object_whose_block_raised_is_closed():
    pool, made, _ = make_pool()
    with pytest.raises(RuntimeError), pool.checkout() as item:
        raise RuntimeError("boom")
    assert item.closed and pool.idle() == 0


def test_fresh_closes_every_idle_object():
    pool, made, _ = make_pool()
    with pool.checkout(), pool.checkout():
        pass
    with pool.checkout(fresh=True) as item:
        assert item is made[2]
    assert made[0].closed and made[1].closed


def test_idle_objects_stay_bounded_as_threads_come_and_go():
    pool, made, _ = make_pool(idle_max=3)
    barrier = threading.Barrier(10)

    def use() -> None:
        with pool.checkout():
            barrier.wait(timeout=10)

    threads = [threading.Thread(target=use) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 10
    assert pool.idle() == 3
    assert sum(not i.closed for i in made) == 3
    pool.close()
    assert all(i.closed for i in made)
