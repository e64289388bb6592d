"""The SDK side of the wire oracle: makes each call of calls.json through the vendor's
official SDK, against the capture server.

Usage: sdk.py API CALLS.json BASE_URL. Each call goes to
BASE_URL/c/<id>/sdk. A call the SDK refuses before sending is written to stdout as
{"call": id, "error": "..."}; replies (the capture server's `{}`) are not checked.
"""

import io
import json
import re
import sys
from urllib.parse import quote


def path_of(call, escape=lambda v: quote(str(v), safe="")):
    """The call's path with its parameters in place."""
    def value(match):
        return escape(call["path_params"][match.group(1)])
    return re.sub(r"\{([^}]+)\}", value, call["path"])


def text(value):
    """A header value as the description's `simple` style writes a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def is_file(value):
    return isinstance(value, dict) and "$file" in value


def file_tuple(value):
    f = value["$file"]
    return (f["name"], f["content"].encode(), f["content_type"])


# --- Stripe: stripe-python's own request encoder (`APIRequestor.request`), the one its
# resource methods call with their parameters.
def stripe_call(call, base):
    import stripe
    from stripe.api_requestor import APIRequestor

    requestor = APIRequestor(key="sk_test_wire", api_base=base)
    method = call["http_method"].lower()
    params = dict(call["query"])
    headers = {k: text(v) for k, v in call["headers"].items()}
    body = call.get("body") or {}
    if call["body_kind"] == "multipart":
        headers["Content-Type"] = "multipart/form-data"
        for name, value in list(body.items()):
            if is_file(value):
                name_, content, _ = file_tuple(value)
                handle = io.BytesIO(content)
                handle.name = name_
                body[name] = handle
    params.update(body)
    url = path_of(call, escape=lambda v: quote(str(v), safe=""))
    requestor.request(method, url, params, headers)


def unbracketed(name, value):
    """The SDK's typed methods name an array `include` where the description's wire name
    is `include[]`, and add the brackets themselves when they encode it."""
    return name[:-2] if name.endswith("[]") and isinstance(value, list) else name


# --- OpenAI: the Stainless client's own request methods (`client.post`, `get`, ...),
# which its resource methods call; multipart bodies through its file extraction.
def openai_call(call, base):
    import httpx
    import openai

    client = openai.OpenAI(api_key="sk-wire", base_url=base, max_retries=0)
    options = {}
    if call["query"]:
        options["params"] = {unbracketed(k, v): v for k, v in call["query"].items()}
    headers = {k: text(v) for k, v in call["headers"].items()}
    if headers:
        options["headers"] = headers
    path = path_of(call)
    method = call["http_method"].lower()
    kind = call["body_kind"]
    body = call.get("body")
    kwargs = {"cast_to": httpx.Response, "options": options}
    if kind == "multipart":
        files, rest = [], {}
        for name, value in (body or {}).items():
            if is_file(value):
                files.append((name, file_tuple(value)))
            elif isinstance(value, list) and value and all(is_file(v) for v in value):
                files.extend((name, file_tuple(v)) for v in value)
            else:
                rest[unbracketed(name, value)] = value
        options.setdefault("headers", {})["Content-Type"] = "multipart/form-data"
        kwargs.update(body=rest, files=files)
    elif kind == "json":
        kwargs["body"] = body
    elif kind == "raw":
        kwargs["body"] = body
        options.setdefault("headers", {})["Content-Type"] = call["raw_media_type"]
    if method == "get":
        client.get(path, **kwargs)
    elif method == "delete":
        client.delete(path, **kwargs)
    elif method == "post":
        client.post(path, **kwargs)
    elif method == "put":
        client.put(path, **kwargs)
    elif method == "patch":
        client.patch(path, **kwargs)
    else:
        raise RuntimeError(f"no method {method}")


# --- Mistral: the Speakeasy SDK's typed methods, found by the operationId each one
# names in its own code (`operation_id="..."`), with every value as a keyword argument.
def mistral_methods():
    """operationId -> (attribute path from the client, method name), read from the SDK:
    every sub-SDK object reachable from a client, and the operationId each of its
    methods names in its code."""
    import ast
    import inspect
    import textwrap

    from mistralai.client import Mistral
    from mistralai.client.basesdk import BaseSDK

    found, seen = {}, set()
    queue = [((), Mistral(api_key="wire", server_url="http://127.0.0.1:9"))]
    while queue:
        path, obj = queue.pop(0)
        if type(obj) in seen:
            continue
        seen.add(type(obj))
        tree = ast.parse(textwrap.dedent(inspect.getsource(type(obj))))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and not node.name.endswith("_async"):
                for kw in ast.walk(node):
                    if isinstance(kw, ast.keyword) and kw.arg == "operation_id" and isinstance(kw.value, ast.Constant):
                        found.setdefault(kw.value.value, (path, node.name))
        names = set(vars(obj)) | set(getattr(type(obj), "_sub_sdk_map", {}))
        for name in sorted(names):
            child = getattr(obj, name, None)
            if isinstance(child, BaseSDK) and name != "parent_ref":
                queue.append((path + (name,), child))
    return found


def mistral_aliases():
    """Wire name -> the SDK's Python names for it, from its request models' field aliases
    (`input` is `inputs`, `last-event-id` is `last_event_id`)."""
    import pydantic

    from mistralai.client import models

    aliases = {}
    # The models module loads its members lazily: ask for each by name.
    for item in (getattr(models, name, None) for name in getattr(models, "__all__", dir(models))):
        if isinstance(item, type) and issubclass(item, pydantic.BaseModel):
            for name, field in item.model_fields.items():
                if field.alias and field.alias != name:
                    aliases.setdefault(field.alias, set()).add(name)
    return aliases


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


MISTRAL = {}


def mistral_call(call, base):
    import inspect

    from mistralai.client import Mistral

    if not MISTRAL:
        MISTRAL.update(mistral_methods())
        MISTRAL["$aliases"] = mistral_aliases()
    if call["operation"] not in MISTRAL:
        raise RuntimeError("the SDK has no method for this operation")
    path, name = MISTRAL[call["operation"]]
    target = Mistral(api_key="wire", server_url=base)
    for part in path:
        target = getattr(target, part)
    kwargs = {}
    for place in ("path_params", "query", "headers"):
        kwargs.update({snake(k): v for k, v in call[place].items()})
    body = call.get("body")
    if isinstance(body, dict):
        for key, value in body.items():
            if is_file(value):
                f = value["$file"]
                value = {"file_name": f["name"], "content": f["content"].encode(), "content_type": f["content_type"]}
            kwargs[snake(key)] = value
    elif body is not None:
        kwargs["request"] = body
    method = getattr(target, name)
    accepted = inspect.signature(method).parameters
    named = {}
    for key, value in kwargs.items():
        candidates = [key] + sorted(MISTRAL["$aliases"].get(key, ()))
        candidates += sorted(MISTRAL["$aliases"].get(key.replace("_", "-"), ()))
        found = next((c for c in candidates if c in accepted), None)
        # A value the SDK has no parameter for is not sent: the comparison shows it.
        if found:
            named[found] = value
    method(**named)


ADAPTERS = {"stripe": stripe_call, "openai": openai_call, "mistral": mistral_call}


def main():
    api, calls_path, base = sys.argv[1:4]
    adapter = ADAPTERS[api]
    with open(calls_path) as f:
        calls = json.load(f)
    for call in calls:
        try:
            adapter(call, f"{base}/c/{call['id']}/sdk")
        except Exception as e:  # noqa: BLE001 - a reply the SDK cannot read is expected
            print(json.dumps({"call": call["id"], "error": f"{type(e).__name__}: {e}"[:500]}), flush=True)


if __name__ == "__main__":
    main()
