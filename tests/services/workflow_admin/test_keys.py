"""Keys proposed from the names an admin types, and the problems shown before saving."""

from __future__ import annotations

from tickit.services.workflow_admin import key_from_name, key_problem


def test_a_name_becomes_a_snake_case_key_without_accents_or_apostrophes():
    assert key_from_name("In review") == "in_review"
    assert key_from_name("Won't fix") == "wont_fix"
    assert key_from_name("  Réouvert -- à nouveau ") == "reouvert_a_nouveau"


def test_a_derived_key_avoids_the_keys_already_taken():
    assert key_from_name("In review", taken=["in_review"]) == "in_review_2"
    assert key_from_name("In review", taken=["in_review", "in_review_2"]) == "in_review_3"


def test_a_derived_key_is_always_a_valid_key():
    assert key_from_name("2nd line") == "k_2nd_line"
    long = key_from_name("word " * 20, taken=[key_from_name("word " * 20)])
    assert len(long) <= 40 and long.endswith("_2")
    assert key_problem(long, [], "status") == ""


def test_a_name_without_letters_or_digits_proposes_no_key():
    assert key_from_name("?!") == ""


def test_a_taken_or_malformed_key_is_explained_and_an_empty_one_is_left_to_the_save():
    assert (
        key_problem("fixed", ["new", "fixed"], "status")
        == "Another status already has the key fixed; keys must differ."
    )
    assert key_problem("In Review", [], "field").startswith("Use a lowercase letter")
    assert key_problem("", ["new"], "status") == ""
    assert key_problem("in_review", ["new"], "status") == ""
