from tests.factories import make_guest


def test_guest_str_has_no_personal_data(db):
    guest = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    assert str(guest) == f"Guest #{guest.pk}"
    assert "Zo" not in str(guest)
