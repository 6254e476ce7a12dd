"""Append-only, hash-chained record of writes and of reads of sensitive records."""
