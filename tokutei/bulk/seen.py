"""Which 個人番号 an import has already stored: a fixed-size Bloom filter over their blind indexes.

The duplicate check against the rows already in the file used to ask the database about every row of
every batch (one index probe per row; the cost: docs/performance.md, "Figures quoted in the code"). The filter answers "certainly not stored" for
almost all of them from memory; only the few it cannot rule out are asked of the database, so the answer is
exactly the database's. Its size is fixed (8 MiB), so the importer's memory stays flat however large the
file: with a million keys one in ~1,000 new rows is a false "maybe" (a database question, not an error); at
ten million one in ~15.

Written here rather than taken from a library: the keys are already uniformly random 64-bit HMAC values,
so the bit positions are slices of the key — no hashing — and the whole thing is a bytearray and two shifts.
"""

from __future__ import annotations

from collections.abc import Iterable

BITS = 1 << 26  # 8 MiB
_MASK = BITS - 1


class SeenFilter:
    __slots__ = ("_bits", "count")

    def __init__(self) -> None:
        self._bits = bytearray(BITS >> 3)
        self.count = 0

    def update(self, keys: Iterable[int]) -> None:
        bits, mask, n = self._bits, _MASK, 0
        for key in keys:  # this runs for every stored row of the file
            a, b = key & mask, (key >> 32) & mask
            bits[a >> 3] |= 1 << (a & 7)
            bits[b >> 3] |= 1 << (b & 7)
            n += 1
        self.count += n

    def check_and_add(self, keys: Iterable[int]) -> list[int]:
        """The keys that may have been added before (a "maybe", for the database to answer), each checked
        before it is added itself. A key added for a batch that then fails to commit only makes
        later answers "maybe" more often — never wrong, since every "maybe" is asked of the database."""
        bits, mask, out, n = self._bits, _MASK, [], 0
        for key in keys:
            a, b = key & mask, (key >> 32) & mask
            ia, ma, ib, mb = a >> 3, 1 << (a & 7), b >> 3, 1 << (b & 7)
            if bits[ia] & ma and bits[ib] & mb:
                out.append(key)
            else:
                bits[ia] |= ma
                bits[ib] |= mb
            n += 1
        self.count += n
        return out

    def __contains__(self, key: int) -> bool:
        """False: certainly never added. True: perhaps (ask the database)."""
        a, b = key & _MASK, (key >> 32) & _MASK
        bits = self._bits
        return bool(bits[a >> 3] & (1 << (a & 7))) and bool(bits[b >> 3] & (1 << (b & 7)))
