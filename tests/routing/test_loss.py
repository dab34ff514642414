from hypothesis import given
from hypothesis import strategies as st

from twin.routing.loss import LossReason, LossReport

reports = st.builds(
    LossReport.of,
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(0, 100)),
    st.dictionaries(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(list(LossReason))),
        st.integers(0, 50),
    ),
)


@given(reports, reports, reports)
def test_reports_form_a_commutative_monoid(a, b, c):
    empty = LossReport()
    assert a + empty == a == empty + a
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a


@given(reports, reports)
def test_totals_are_additive(a, b):
    assert (a + b).total_lost == a.total_lost + b.total_lost
    assert (a + b).total_requested == a.total_requested + b.total_requested
    assert sum((a + b).by_reason().values()) == (a + b).total_lost


def test_table_rows_add_up():
    r = LossReport.of(
        {"e": 10, "i": 4},
        {("e", LossReason.NO_L1_ROUTE): 3, ("e", LossReason.NO_SYNAPSE_ROW): 1},
    )
    rows = {row["projection"]: row for row in r.table()}
    assert rows["e"]["realised"] == 6
    assert rows["e"]["lost"] == rows["e"]["no_l1_route"] + rows["e"]["no_synapse_row"]
    assert rows["i"]["fraction_lost"] == 0.0
    assert r.fraction_lost == 4 / 14
