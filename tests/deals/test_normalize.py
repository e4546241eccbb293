import pytest

from deals.services import normalize_company_name


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("ACME, Inc.", "acme"),
        ("Gawimi Blue Motors S.A.", "gawimi blue motors"),
        ("Acme B.V.", "acme"),
        ("Northwind S.A.S.", "northwind"),
        ("U.S. Steel Holdings", "us steel"),
        ("Booking.com", "booking com"),
        ("Ltd", "ltd"),  # a name that is only a suffix keeps it
    ],
)
def test_company_names_normalise_for_matching(name, normalized):
    assert normalize_company_name(value=name) == normalized
