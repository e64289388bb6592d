"""Prints fields of one stored S3 import storage as the server's database holds them,
as a JSON object. For what the API never returns (write-only credentials), so a test
can tell whether an update reached the database. Run with the server's settings and
data directory (`cargo xtask e2e` wraps it as the script in E2E_STORED_FIELDS):

    stored_fields.py ID FIELD [FIELD ...]
"""
import json
import sys

import django

django.setup()

from io_storages.s3.models import S3ImportStorage  # noqa: E402

storage_id, *fields = sys.argv[1:]
storage = S3ImportStorage.objects.get(pk=int(storage_id))
print(json.dumps({field: getattr(storage, field) for field in fields}))
