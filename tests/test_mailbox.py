"""`Latest`: the reader gets the newest item, is woken once per item it reads, skips count."""

import threading

from fkd_live.mailbox import Latest


def test_the_newest_item_wins_and_only_the_first_put_wakes_the_reader():
    box: Latest[int] = Latest()
    assert box.take() is None
    assert box.put(1) is True  # empty: tell the reader
    assert box.put(2) is False  # a wake-up is already pending
    assert box.put(3) is False
    assert box.take() == 3
    assert box.skipped == 2
    assert box.take() is None
    assert box.put(4) is True  # taken since: tell it again


def test_every_item_is_taken_or_counted_as_skipped_across_threads():
    box: Latest[int] = Latest()
    taken: list[int] = []
    done = threading.Event()

    def reader() -> None:
        while True:
            finished = done.is_set()  # read first: once set, every put is already in
            item = box.take()
            if item is not None:
                taken.append(item)
            elif finished:
                return

    thread = threading.Thread(target=reader)
    thread.start()
    for i in range(20000):
        box.put(i)
    done.set()
    thread.join(timeout=10)
    assert len(taken) + box.skipped == 20000
    assert taken == sorted(taken)  # never an older item after a newer one
    assert taken[-1] == 19999
