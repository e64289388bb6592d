// The npm side of the wire oracle: makes each call of calls.json through GitHub's
// official `@octokit/request` (the function every octokit method calls with its route
// and parameters), against the capture server.
//
// Usage: node octokit.js API CALLS.json BASE_URL. A call the SDK cannot make is written
// to stdout as {"call", "error"}; replies (the capture server's `{}`) are not checked.
"use strict";

const fs = require("fs");
const { request } = require("@octokit/request");

// Options octokit reads itself: a body field of the same name goes in `data` instead.
const RESERVED = ["baseUrl", "headers", "request", "mediaType", "method", "url", "data"];

function text(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function githubCall(call, baseUrl) {
  const params = { baseUrl, ...call.path_params, headers: {} };
  for (const [name, value] of Object.entries(call.headers)) params.headers[name] = text(value);
  let route = call.path;
  const names = Object.keys(call.query);
  if (call.http_method === "GET" || call.http_method === "HEAD") {
    Object.assign(params, call.query); // octokit puts what the route does not use in the query
  } else if (names.length) {
    route += `{?${names.join(",")}}`;
    Object.assign(params, call.query);
  }
  const body = call.body;
  if (call.body_kind === "raw") {
    params.data = body;
    params.headers["content-type"] = call.raw_media_type;
  } else if (body !== null && body !== undefined) {
    const plain = typeof body === "object" && !Array.isArray(body);
    const clash = plain && Object.keys(body).some((k) => RESERVED.includes(k) || k in params);
    if (plain && !clash) Object.assign(params, body);
    else params.data = body;
  }
  return request(`${call.http_method} ${route}`, params);
}

const ADAPTERS = { github: githubCall };

async function main() {
  const [api, callsPath, base] = process.argv.slice(2);
  const adapter = ADAPTERS[api];
  const calls = JSON.parse(fs.readFileSync(callsPath, "utf8"));
  for (const call of calls) {
    try {
      await adapter(call, `${base}/c/${call.id}/sdk`);
    } catch (error) {
      console.log(JSON.stringify({ call: call.id, error: String(error && error.message).slice(0, 500) }));
    }
  }
}

main();
