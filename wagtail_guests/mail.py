"""Rendering and sending email through Django's mail API (anymail in production)."""


def send_staff_notification(submission, recipient):
    raise NotImplementedError
