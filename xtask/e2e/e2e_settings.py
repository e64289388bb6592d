"""Label Studio settings for the end-to-end server: the stock settings, plus short-lived
JWT access tokens judged by a server clock that runs 40 s ahead of the client's, so the
tests see both ways an access token stops working within about a minute:

- it is rejected (401) while the client still thinks it is valid (clock skew), and
- it expires.

Refresh tokens (personal access tokens) are not affected.
"""
from datetime import timedelta

# Base settings first: importing the stock module reads `django.conf.settings` while this
# module is still half-imported, and needs names like SENTRY_DSN to be here already.
from label_studio.core.settings.base import *  # noqa: F401,F403,E402
from label_studio.core.settings.label_studio import *  # noqa: F401,F403,E402

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=60),
    # Loaded by import string when a request is authenticated (see e2e_tokens.py).
    "AUTH_TOKEN_CLASSES": ("e2e_tokens.SkewedAccessToken",),
}

# The tests write in parallel; SQLite's default 5 s lock wait turns that into
# "database is locked" 500s. Wait longer instead.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 60  # noqa: F405
