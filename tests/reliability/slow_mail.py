"""A mail backend for the fault tests: writes each message to a file under $EMAIL_FILE_PATH, slowly, so
that a worker can be killed in the middle of a batch of mail."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs["file_path"] = os.environ["EMAIL_FILE_PATH"]
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0.15")))
        return super().send_messages(email_messages)
