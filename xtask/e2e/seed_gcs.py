"""Puts the objects the end-to-end tests read into the GCS emulator at argv[1]
(bucket `e2e-gcs`, made by the emulator's --default-bucket; `e2e-gcs-export` made here):
  gcs/1.json, gcs/2.json   tasks
"""
import json
import sys

from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

client = storage.Client(
    project="e2e",
    credentials=AnonymousCredentials(),
    client_options={"api_endpoint": sys.argv[1]},
)
client.create_bucket("e2e-gcs-export")
bucket = client.bucket("e2e-gcs")
for key, text in {"gcs/1.json": "gcs one", "gcs/2.json": "gcs two"}.items():
    bucket.blob(key).upload_from_string(json.dumps({"data": {"text": text}}), content_type="application/json")
print(f"seeded 2 objects into gs://e2e-gcs at {sys.argv[1]}")
