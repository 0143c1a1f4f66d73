"""Text measurement: the fast count of wide characters agrees with unicodedata, character by character."""
from __future__ import annotations

import random
import unicodedata

import pytest

from perfeval_xl.writers._text_measure import (
    COMMON_WIDE, WIDE_CLASSES, line_width, _wide_count, line_widths, lines_needed, wrapped_lines,
)


def wide_by_character(text: str) -> int:
    return sum(unicodedata.east_asian_width(char) in WIDE_CLASSES for char in text)


def test_the_common_wide_characters_are_wide_in_this_pythons_unicode_data():
    for low, high in COMMON_WIDE:
        narrow = [hex(point) for point in range(low, high + 1) if unicodedata.east_asian_width(chr(point)) not in "WF"]
        assert not narrow


@pytest.mark.parametrize("text", [
    "产出指标", "完成率≥90%，满意度（%）", "“一带一路”×2", "ｶﾀｶﾅ半角", "全角空格\u3000开头", "emoji😀在中间",
    "lone\ud800surrogate中", "\udc00\ud83d", "é à ü ß", "한국어", "ひらがなカタカナ", "〿〾", "\x00\x7f\x80",
    "……——·", "￡￥￦", "ａｂｃ１２３", "\u9ffd\u9fff\ua000", "⌚☔", "ASCII only",
])
def test_wide_characters_are_counted_as_one_by_one(text):
    assert _wide_count(text) == wide_by_character(text)


def test_wide_characters_of_random_texts_are_counted_as_one_by_one():
    rng = random.Random(7)
    pool = [chr(point) for point in (*range(0x20, 0x7F), *range(0xA0, 0x400), *range(0x2000, 0x2500),
                                     *range(0x2E80, 0x3100), *range(0x4E00, 0x4F00), *range(0x9F00, 0xA100),
                                     *range(0xFE30, 0x10000), 0x1F600, 0x20000, 0xD800)]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 60)))
        assert _wide_count(text) == wide_by_character(text), text


def test_a_line_of_text_wraps_as_its_widths_say():
    for text in ("很长的问题描述，" * 12, "short", "≥90%" * 30, "a\nb" * 3, ""):
        for width in (1.0, 8.0, 24.0, 69.0):
            assert lines_needed(text, width, 10.0) == wrapped_lines(line_widths(text, 10.0), width)
            assert line_widths(text, 10.0)[0] == pytest.approx(
                (wide_by_character(text.split("\n")[0]) * 0.9 + len(text.split("\n")[0]) * 1.1) * 10.0 / 11.0)
    assert line_width("", 11.0) == 0.0


def test_a_cells_memo_of_heights_measures_as_measured_height_does():
    from perfeval_xl.writers._row_heights import TextHeights, measured_height

    rng = random.Random(11)
    pool = [*"产出指标完成率，满意度（%）≥≤×“”—", *"abc 0123.%", "\n", "\ud800", "😀"]
    texts = ["", "很长的问题描述，" * 12, "a\nb" * 3, "≥90%" * 30]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 120))) for _ in range(500)]
    for width, size in ((13.0, 10.0), (24.0, 10.0), (69.0, 12.0), (1.5, 11.0), (0.5, 9.0)):
        heights = TextHeights(width, size)
        for text in texts:
            assert heights[text] == measured_height(text, width, size), (text, width, size)
            assert heights[text] == measured_height(text, width, size), (text, width, size)  # as kept


def test_no_text_needs_more_than_the_widest_of_its_length():
    from perfeval_xl.writers._row_heights import WIDEST_KEPT, TextHeights, measured_height

    rng = random.Random(12)
    pool = [*"产出指标完成率，满意度（%）≥≤×“”—", *"abc 0123.%", "\ud800", "😀"]
    for width, size in ((13.0, 10.0), (24.0, 10.0), (69.0, 12.0), (1.5, 11.0), (0.5, 9.0)):
        heights = TextHeights(width, size)
        for length in range(WIDEST_KEPT):
            assert heights.widest[length] == measured_height("中" * length, width, size)
            text = "".join(rng.choice(pool) for _ in range(length))
            assert measured_height(text, width, size) <= heights.widest[length], (text, width, size)


def test_the_memos_of_heights_of_every_kind_of_cell_hold_no_more_texts_than_kept_between_them():
    from perfeval_xl.writers._row_heights import TEXT_HEIGHTS_KEPT, HeightBound, TextHeights, measured_height

    bound = HeightBound()
    kinds = [TextHeights(width, 10.0, bound) for width in (13.0, 24.0, 69.0)]
    for number in range(3 * TEXT_HEIGHTS_KEPT):
        memo = kinds[number % len(kinds)]
        text = f"问题{number}"
        assert memo[text] == measured_height(text, memo.width, 10.0)
        assert sum(len(kind) for kind in kinds) <= TEXT_HEIGHTS_KEPT
    assert min(len(kind) for kind in kinds) > 0  # each kind still keeps its recent texts



def test_wide_characters_are_counted_as_one_by_one_from_the_utf8_length_a_caller_has():
    from perfeval_xl.writers._text_measure import wide_count

    rng = random.Random(13)
    pool = [chr(point) for point in (*range(0x20, 0x7F), *range(0xA0, 0x800), *range(0x1100, 0x1200),
                                     *range(0x2000, 0x2500), *range(0x2E80, 0x3100), *range(0x4DC0, 0x4F00),
                                     *range(0xAC00, 0xAD00), *range(0xFE30, 0x10000), 0x1F600, 0x20000)]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 60)))
        assert wide_count(text, len(text.encode()) - len(text)) == wide_by_character(text), text


def test_a_text_measured_on_the_utf8_length_a_caller_has_is_measured_as_measured_height_does():
    """TextHeights.measured, taken the short way (the text's UTF-8 length given), is self[text] of
    the long way, and keeps the height as self[text] does."""
    from perfeval_xl.writers._row_heights import TextHeights, measured_height

    rng = random.Random(14)
    pool = [*"产出指标完成率，满意度（%）≥≤×“”—·é", *"abc 0123.%", "😀", "ｶ", "\u0378"]
    texts = ["", "很长的问题描述，" * 12, "≥90%" * 30, "a" * 200, "×" * 90, "\u0378" * 40]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 120))) for _ in range(500)]
    for width, size in ((13.0, 10.0), (24.0, 10.0), (69.0, 12.0), (1.5, 11.0), (0.5, 9.0)):
        heights = TextHeights(width, size)
        for text in texts:
            height = measured_height(text, width, size)
            assert heights.measured(text, len(text.encode()) - len(text)) == height, (text, width, size)
            assert text in heights and heights[text] == height


def test_ambiguous_width_signs_take_two_columns_as_a_cjk_font_draws_them():
    # 宋体 draws ≥ × “ ” … — full-width: counted narrow, this 评分标准 got 4 lines of a 13-wide
    # column at 10 pt and printed with its first and last lines cut off.
    assert _wide_count("≥×“”…—·") == 7
    assert lines_needed("≥90%得5分，≥80%得4分，≥70%得3分，≥60%得2分，否则0分", 13.0, 10.0) == 5
