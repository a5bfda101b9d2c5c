"""Spam traps: a caught submission sees the normal success page and stores nothing."""

import logging
import time

import pytest
from django.core.cache import cache

from tests.form_helpers import CONTACT_ID, STAY_ID, contact_block, contact_data, make_form_page
from wagtail_guests import spam
from wagtail_guests.models import Guest, Submission


@pytest.fixture
def page(site_root):
    return make_form_page(site_root, contact_block())


@pytest.fixture
def spam_log(caplog):
    caplog.set_level(logging.INFO, logger="wagtail_guests.spam")
    return caplog


def assert_looks_sent_but_stored_nothing(client, response):
    assert response.status_code == 303
    assert f"guests-sent={CONTACT_ID}" in response["Location"]
    assert "Thank you, we will reply soon." in client.get(response["Location"]).content.decode()
    assert not Guest.objects.exists()
    assert not Submission.objects.exists()


def assert_logged_reason_only(caplog, reason):
    messages = [record.getMessage() for record in caplog.records]
    assert any(f"({reason})" in message for message in messages)
    logged = " ".join(messages)
    for personal in ("zoe@example.com", "Lefèvre", "127.0.0.1"):
        assert personal not in logged


def test_honeypot(client, page, spam_log):
    response = client.post(page.url, contact_data(website="https://cheap-pills.example"))
    assert_looks_sent_but_stored_nothing(client, response)
    assert_logged_reason_only(spam_log, spam.HONEYPOT)


def test_too_fast(client, page, settings, spam_log):
    settings.WAGTAIL_GUESTS_MIN_FILL_SECONDS = 3
    data = contact_data(started=spam.make_timestamp(CONTACT_ID, time.time() - 1))
    assert_looks_sent_but_stored_nothing(client, client.post(page.url, data))
    assert_logged_reason_only(spam_log, spam.TOO_FAST)

    data = contact_data(started=spam.make_timestamp(CONTACT_ID, time.time() - 4))
    assert client.post(page.url, data).status_code == 303
    assert Submission.objects.count() == 1


def test_timestamp_rendered_with_the_form_is_too_fast_to_submit_at_once(client, page):
    html = client.get(page.url).content.decode()
    prefix = f"guests-{CONTACT_ID}"
    started = html.split(f'name="{prefix}-started" value="')[1].split('"')[0]
    response = client.post(page.url, contact_data(started=started))
    assert_looks_sent_but_stored_nothing(client, response)


@pytest.mark.parametrize(
    "started",
    [
        "",
        "12345",
        "1:forged-signature",
        # Signed for another block: not valid for this one.
        spam.make_timestamp(STAY_ID, time.time() - 60),
    ],
)
def test_missing_or_tampered_timestamp(client, page, started, spam_log):
    assert_looks_sent_but_stored_nothing(
        client, client.post(page.url, contact_data(started=started))
    )
    assert_logged_reason_only(spam_log, spam.BAD_TIMESTAMP)


def test_tampered_time_with_a_valid_signature_of_other_time(client, page, spam_log):
    token = spam.make_timestamp(CONTACT_ID)
    forged = f"{int(time.time()) - 3600}:{token.split(':', 1)[1]}"
    assert_looks_sent_but_stored_nothing(
        client, client.post(page.url, contact_data(started=forged))
    )
    assert_logged_reason_only(spam_log, spam.BAD_TIMESTAMP)


def test_min_fill_seconds_zero_turns_the_time_trap_off(client, page, settings):
    settings.WAGTAIL_GUESTS_MIN_FILL_SECONDS = 0
    assert client.post(page.url, contact_data(started="")).status_code == 303
    assert Submission.objects.count() == 1


def test_rate_limit_per_client_address(client, page, settings, spam_log):
    settings.WAGTAIL_GUESTS_RATE_LIMIT = (2, 600)
    ip = {"REMOTE_ADDR": "203.0.113.7"}
    for n in range(2):
        client.post(page.url, contact_data(email=f"guest{n}@example.com"), **ip)
    assert Submission.objects.count() == 2
    response = client.post(page.url, contact_data(email="third@example.com"), **ip)
    assert response.status_code == 303
    assert Submission.objects.count() == 2
    assert not Guest.objects.filter(email="third@example.com").exists()
    assert_logged_reason_only(spam_log, spam.RATE_LIMIT)
    assert "203.0.113.7" not in " ".join(str(key) for key in cache._cache)

    # Another address is not affected.
    client.post(page.url, contact_data(email="other@example.com"), REMOTE_ADDR="198.51.100.1")
    assert Submission.objects.count() == 3


def test_invalid_submissions_do_not_use_up_the_rate_limit(client, page, settings):
    settings.WAGTAIL_GUESTS_RATE_LIMIT = (1, 600)
    for _ in range(3):
        assert client.post(page.url, contact_data(email="typo")).status_code == 200
    assert client.post(page.url, contact_data()).status_code == 303
    assert Submission.objects.count() == 1


def test_rate_limit_reads_the_proxy_header_when_configured(client, page, settings):
    settings.WAGTAIL_GUESTS_RATE_LIMIT = (1, 600)
    settings.WAGTAIL_GUESTS_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    client.post(
        page.url, contact_data(email="a@example.com"), HTTP_X_FORWARDED_FOR="1.1.1.1", **proxy
    )
    client.post(
        page.url, contact_data(email="b@example.com"), HTTP_X_FORWARDED_FOR="2.2.2.2", **proxy
    )
    # The client cannot dodge the limit by prepending a forged address.
    client.post(
        page.url,
        contact_data(email="c@example.com"),
        HTTP_X_FORWARDED_FOR="9.9.9.9, 2.2.2.2",
        **proxy,
    )
    assert sorted(Guest.objects.values_list("email", flat=True)) == [
        "a@example.com",
        "b@example.com",
    ]


def test_honeypot_is_hidden_from_people(client, page):
    html = " ".join(client.get(page.url).content.decode().split())
    field = f'name="guests-{CONTACT_ID}-website"'
    assert field in html
    wrapper = html.split('class="wagtail-guests-hp')[1].split(field)[0]
    assert 'aria-hidden="true"' in wrapper
    tag = html.split(field)[1].split(">")[0]
    assert 'tabindex="-1"' in tag and 'autocomplete="off"' in tag
