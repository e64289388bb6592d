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

# The tests write in parallel. Two fixes for SQLite's "database is locked":
# - wait up to 60 s for the write lock instead of the default 5 s;
# - start every transaction with BEGIN IMMEDIATE (Django >= 5.1). A default (deferred)
#   transaction that reads first and writes later cannot wait for the lock at all: SQLite
#   fails its upgrade at once to avoid a deadlock, whatever the timeout. Storage syncs do
#   exactly that, and failed in CI with "database is locked" despite the 60 s timeout.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    options["timeout"] = 60
    options["transaction_mode"] = "IMMEDIATE"
