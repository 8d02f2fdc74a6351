"""A test suite in another language drives openai-mock over plain HTTP (urllib only).

Usage: python3 fixture_client.py BASE_URL COMMAND
  ask       print the content of a chat completion for "What's the weather in Paris?"
  scripted  script a 429 then a text over /__admin/scripts in its own session, check the answers and the journal
"""
import json
import sys
import urllib.error
import urllib.request

BASE, COMMAND = sys.argv[1], sys.argv[2]
SESSION = "pytest-worker-1"


def call(method, path, body=None, headers=None):
    request = urllib.request.Request(
        BASE + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer sk-test-key", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), dict(error.headers)


def chat(content, session=None):
    headers = {"x-mock-session": session} if session else {}
    return call("POST", "/v1/chat/completions", {"model": "gpt-4o", "messages": [{"role": "user", "content": content}]}, headers)


if COMMAND == "ask":
    status, body, _ = chat("What's the weather in Paris?")
    assert status == 200, (status, body)
    print(body["choices"][0]["message"]["content"])
elif COMMAND == "scripted":
    status, body, _ = call("POST", "/__admin/scripts", [
        {"operation": "createChatCompletion", "fail": {"status": 429, "retryAfter": 0.5}, "times": 1},
        {"operation": "createChatCompletion", "reply": {"text": "scripted from Python"}, "times": 1},
    ], {"x-mock-session": SESSION})
    assert status == 201, (status, body)
    status, body, headers = chat("hello", SESSION)
    assert status == 429 and body["error"]["code"] == "rate_limit_exceeded" and headers["retry-after-ms"] == "500", (status, body, headers)
    status, body, _ = chat("hello", SESSION)
    assert status == 200 and body["choices"][0]["message"]["content"] == "scripted from Python", (status, body)
    status, journal, _ = call("GET", "/__admin/journal?session=" + SESSION)
    assert [entry["response"]["status"] for entry in journal["data"]] == [429, 200], journal
    assert journal["data"][1]["body"]["messages"][0]["content"] == "hello"
    status, scripts, _ = call("GET", "/__admin/scripts?session=" + SESSION)
    assert scripts["pending"] == 0, scripts
    status, deleted, _ = call("DELETE", "/__admin/scripts?session=" + SESSION)
    assert deleted == {"deleted": 2}, deleted
    print("ok")
