"""Creates the buckets and objects the end-to-end tests read, in the S3 API at argv[1].

Layout (bucket `e2e-data`; `e2e-data-2` holds only misc/task.json; `e2e-export` is
empty, for export storages):
  sync/a/1.json, sync/a/2.json   tasks
  sync/a/3.txt                   not a task: excluded by the `.*\\.json` filter
  sync/b/4.json                  outside the `sync/a/` prefix
  misc/task.json                 a task for storages that only need a valid bucket
"""
import json
import sys

import boto3

endpoint = sys.argv[1]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    aws_access_key_id="e2e-access-key",
    aws_secret_access_key="e2e-secret-key",
    region_name="us-east-1",
)
s3.create_bucket(Bucket="e2e-data")
# For updates that move a storage to another bucket; Label Studio checks that the
# storage's prefix exists there, so it holds `misc/` too.
s3.create_bucket(Bucket="e2e-data-2")
s3.put_object(Bucket="e2e-data-2", Key="misc/task.json", Body=b'{"data": {"text": "misc 2"}}')
# Export storages write annotations here.
s3.create_bucket(Bucket="e2e-export")
objects = {
    "sync/a/1.json": {"data": {"text": "one"}},
    "sync/a/2.json": {"data": {"text": "two"}},
    "sync/a/3.txt": "not a task",
    "sync/b/4.json": {"data": {"text": "four"}},
    "misc/task.json": {"data": {"text": "misc"}},
}
for key, body in objects.items():
    text = body if isinstance(body, str) else json.dumps(body)
    s3.put_object(Bucket="e2e-data", Key=key, Body=text.encode())
print(f"seeded {len(objects)} objects into s3://e2e-data at {endpoint}")
