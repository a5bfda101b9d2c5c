from django.db import transaction
from django.utils import timezone

from ..models import (
    Activity,
    ActivityKind,
    ConsentPurpose,
    ConsentRecord,
    Guest,
    NewsletterConsent,
)


def record_consent(
    guest,
    *,
    given: bool,
    source: str,
    purpose=ConsentPurpose.NEWSLETTER,
    wording="",
    language="",
    page=None,
    block_id="",
    import_filename="",
    user=None,
    submission=None,
    when=None,
):
    """Append a consent record and bring the guest's current consent state in line with it."""
    when = when or timezone.now()
    # No savepoint of its own inside a caller's transaction (a form submission runs three
    # actions in one): an error here fails the whole of it anyway.
    with transaction.atomic(savepoint=False):
        record = ConsentRecord.objects.create(
            guest=guest,
            purpose=purpose,
            given=given,
            created_at=when,
            source=source,
            page=page,
            block_id=block_id,
            import_filename=import_filename,
            user=user,
            wording=wording,
            language=language,
        )
        if purpose == ConsentPurpose.NEWSLETTER:
            state = NewsletterConsent.GIVEN if given else NewsletterConsent.WITHDRAWN
            Guest.objects.filter(pk=guest.pk).update(
                newsletter_consent=state, newsletter_consent_at=when
            )
            guest.newsletter_consent, guest.newsletter_consent_at = state, when
        Activity.objects.create(
            guest=guest,
            kind=ActivityKind.CONSENT_GIVEN if given else ActivityKind.CONSENT_WITHDRAWN,
            created_at=when,
            user=user,
            submission=submission,
            payload={"purpose": purpose, "source": source, "consent_record": record.pk},
        )
    return record
