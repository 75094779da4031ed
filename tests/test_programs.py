"""The optimiser's programs solved in parts: the same least cost as one solve, and honest bounds when rounding."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from reduccalc.analysis.programs import parts, solve, solve_in_parts


def test_parts_follow_the_nonzero_entries():
    # rows 0-1 hold columns 0-1, row 2 column 3; column 2 is in no row
    matrix = sparse.csr_matrix(np.array([[1.0, 0, 0, 0], [0, 2.0, 0, 0], [3.0, 1.0, 0, 0], [0, 0, 0, 1.0]]))
    row_part, column_part = parts(matrix, np.array([0, 2, 3]))
    assert row_part.tolist() == [0, 0, 1] and column_part.tolist() == [0, 0, -1, 1]


@st.composite
def block_program(draw, large):
    """Independent blocks (a county each): nonnegative effects, a least reduction per row, caps on some."""
    blocks = draw(st.integers(1, 4))
    columns, rows = [], []
    for _ in range(blocks):
        n, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        effect = np.array(draw(st.lists(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5, 7.0]), min_size=n,
                                                   max_size=n), min_size=m, max_size=m)))
        effect[:, 0] = np.maximum(effect[:, 0], 0.5)  # every row can be met by the first column
        columns.append(n)
        rows.append(effect)
    matrix = sparse.block_diag(rows, format="csr")
    total_rows, total_columns = matrix.shape
    scale = 1000.0 if large else 10.0
    lower = np.array(draw(st.lists(st.floats(0.0, 0.4), min_size=total_rows, max_size=total_rows))) * scale
    upper = np.full(total_rows, np.inf)
    cost = np.array(draw(st.lists(st.floats(1.0, 100.0), min_size=total_columns, max_size=total_columns)))
    integer = np.array(draw(st.lists(st.booleans(), min_size=total_columns, max_size=total_columns)))
    most = np.full(total_columns, scale)
    return cost, integer, most, matrix, lower, upper


@settings(max_examples=40, deadline=None)
@given(block_program(large=False))
def test_small_counts_in_parts_cost_what_one_solve_costs(program):
    cost, integer, most, matrix, lower, upper = program
    whole = solve(cost, integer, most, matrix, lower, upper)
    split = solve_in_parts(cost, integer, most, matrix, lower, upper)
    assert (whole is None) == (split is None)
    if whole is not None:
        assert abs(cost @ split.amounts - cost @ whole) <= 1e-6 * max(1.0, cost @ whole)
        assert np.all(matrix @ split.amounts >= lower - 1e-6)
        assert np.all(split.amounts[integer] == np.round(split.amounts[integer]))


@settings(max_examples=40, deadline=None)
@given(block_program(large=True))
def test_rounded_counts_meet_every_row_and_their_bound_is_below_the_least_cost(program):
    cost, integer, most, matrix, lower, upper = program
    whole = solve(cost, integer, most, matrix, lower, upper)
    split = solve_in_parts(cost, integer, most, matrix, lower, upper)
    assert whole is not None and split is not None  # the first column of a block can meet each of its rows
    least = cost @ whole
    assert split.bound <= least * (1 + 1e-6) + 1e-6 <= cost @ split.amounts * (1 + 1e-6) + 2e-6
    assert np.all(matrix @ split.amounts >= lower - 1e-6)
    assert np.all(split.amounts[integer] == np.round(split.amounts[integer]))
