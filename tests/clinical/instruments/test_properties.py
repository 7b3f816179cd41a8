"""Property tests: bounds and monotonicity for every instrument, with and without missing items."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.clinical.instruments import instrument, instrument_ids, score

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def answers(draw, *, allow_missing: bool = True):
    """(instrument id, answers) with every value in range and missing items within the rule."""
    iid = draw(st.sampled_from(instrument_ids()))
    doc = instrument(iid)
    values: dict[str, object] = {
        item.id: draw(st.integers(item.min, item.max)) for item in doc.items
    }
    if allow_missing:
        optional = [i for i in doc.item_ids if i not in doc.missing.required]
        blanks = draw(
            st.lists(st.sampled_from(optional), max_size=doc.missing.max_missing, unique=True)
        )
        for item_id in blanks:
            values[item_id] = None
    return iid, values


@SETTINGS
@given(answers())
def test_total_and_percent_stay_within_the_scale(case):
    iid, values = case
    result = score(iid, values)
    low, high = result.total_range
    assert low <= result.total <= high
    if result.percent is not None:
        assert 0 <= result.percent <= 100
    for name, value in result.subscales.items():
        sub = next(s for s in instrument(iid).subscales if s.name == name)
        assert 0 <= value <= sum(instrument(iid).item(i).score_max for i in sub.items)
    assert result.answered + len(result.missing) == len(instrument(iid).items)


@SETTINGS
@given(answers(), st.data())
def test_raising_an_answer_never_lowers_the_total_except_reversed_items(case, data):
    iid, values = case
    doc = instrument(iid)
    raisable = [i for i, v in values.items() if isinstance(v, int) and v < doc.item(i).max]
    if not raisable:
        return
    item_id = data.draw(st.sampled_from(raisable))
    before = score(iid, values)
    raised = {**values, item_id: values[item_id] + 1}
    after = score(iid, raised)
    if doc.item(item_id).reversed:
        assert after.total <= before.total
    else:
        assert after.total >= before.total
    if doc.banding is not None and not doc.item(item_id).reversed:
        order = [b.name for b in doc.banding.bands]
        assert order.index(after.category) >= order.index(before.category)


@SETTINGS
@given(answers(allow_missing=False))
def test_complete_forms_score_the_plain_sum_of_item_scores(case):
    iid, values = case
    doc = instrument(iid)
    result = score(iid, values)
    if doc.algorithm == "single_item":
        assert result.total == values[doc.missing.required[0]]
    elif doc.total_kind == "percent_of_max":
        assert result.total == sum(result.item_scores.values()) * 100 / doc.sum_range[1]
    else:
        assert result.total == sum(result.item_scores.values())
    assert result.missing == []


@SETTINGS
@given(answers())
def test_results_are_json_round_trippable(case):
    iid, values = case
    result = score(iid, values)
    assert type(result).model_validate_json(result.model_dump_json()) == result
