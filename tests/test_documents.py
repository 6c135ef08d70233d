"""Links to documents: a file's format, size and language in the page's language, worked out at build time
from the file itself."""

from __future__ import annotations

import pytest

from sitegen.loading.i18n import Formatter

POLISH, ENGLISH = Formatter("pl", "pl_PL"), Formatter("en", "en_GB")


@pytest.mark.parametrize(
    "size, polish, english",
    [
        (1_234_567, "1,2 MB", "1.2 MB"),
        (12_345_678, "12,3 MB", "12.3 MB"),
        (1_234, "1,2 kB", "1.2 kB"),
        (345_678, "345,7 kB", "345.7 kB"),
        (1_000, "1,0 kB", "1.0 kB"),
        (999_950, "1,0 MB", "1.0 MB"),  # not "1000,0 kB"
        (1_234_567_890, "1,2 GB", "1.2 GB"),
        (999, "999 bajtów", "999 bytes"),
        (22, "22 bajty", "22 bytes"),
        (1, "1 bajt", "1 byte"),
        (0, "0 bajtów", "0 bytes"),
    ],
)
def test_sizes_are_written_in_the_pages_language_in_decimal_units(size, polish, english):
    nbsp = "\u00a0"  # the number and its unit are never split across lines
    assert POLISH.file_size(size) == polish.replace(" ", nbsp)
    assert ENGLISH.file_size(size) == english.replace(" ", nbsp)
