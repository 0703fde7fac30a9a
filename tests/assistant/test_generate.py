"""The language-model path: the fact checker on real strings, and an OpenAI-compatible server over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from shopsense.assistant.draft import Draft
from shopsense.assistant.generate import LanguageModelComposer, OpenAIChat, ungrounded

CATALOGUE = [("MUG-RED", "Red Ceramic Coffee Mug"), ("MUG-BLUE", "Blue Ceramic Coffee Mug"), ("TEAPOT-1", "Porcelain Teapot With Infuser")]
FACTS = "Red Ceramic Coffee Mug (MUG-RED) costs £8.95.\nRed Ceramic Coffee Mug (MUG-RED) is in stock."


@pytest.mark.parametrize(
    "text",
    [
        "Good news: the Red Ceramic Coffee Mug is £8.95 and it's in stock!",
        "红色陶瓷咖啡杯（MUG-RED）售价 £8.95，目前有货。",
        "Yes, we have it. It costs 8.950 pounds.",
    ],
)
def test_rewordings_of_the_facts_pass(text: str) -> None:
    assert ungrounded(text, FACTS, CATALOGUE) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("The Red Ceramic Coffee Mug costs £7.95.", "number 7.95"),
        ("It's £8.95, and orders arrive in 2 days.", "number 2 "),
        ("It's £8.95. You might also like the Blue Ceramic Coffee Mug.", "product MUG-BLUE"),
        ("It's £8.95; pair it with TEAPOT-1.", "product TEAPOT-1"),
    ],
)
def test_invented_numbers_and_products_are_rejected(text: str, problem: str) -> None:
    assert any(p.startswith(problem.strip()) for p in ungrounded(text, FACTS, CATALOGUE)), ungrounded(text, FACTS, CATALOGUE)


def test_thousands_separators_and_trailing_zeros_are_the_same_number() -> None:
    assert ungrounded("That is 1200.5 in total", "Total: 1,200.50", []) == []


class _Completions(BaseHTTPRequestHandler):
    reply = ""
    status = 200
    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": type(self).reply}}]}).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), _Completions)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Completions.seen, _Completions.status = [], 200
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def _composer(url: str) -> LanguageModelComposer:
    return LanguageModelComposer(OpenAIChat(url, "tiny", api_key="k"), lambda: CATALOGUE, "openai")


def test_a_grounded_model_reply_is_used_and_the_model_sees_only_the_facts(server: str) -> None:
    _Completions.reply = "The Red Ceramic Coffee Mug is £8.95 and in stock."
    draft = Draft(lines=FACTS.splitlines())
    text, generator = _composer(server).compose("how much is the red mug?", draft, zh=False)
    assert (text, generator) == (_Completions.reply, "openai")
    request = _Completions.seen[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k"
    assert FACTS in request["body"]["messages"][1]["content"]


def test_an_ungrounded_model_reply_falls_back_to_the_template(server: str) -> None:
    _Completions.reply = "The Red Ceramic Coffee Mug is on sale for £5.99 today!"
    text, generator = _composer(server).compose("how much is the red mug?", Draft(lines=FACTS.splitlines()), zh=False)
    assert text == FACTS and generator == "template (openai rejected: number 5.99 is not in the facts)"


def test_a_failing_backend_falls_back_to_the_template(server: str) -> None:
    _Completions.status = 500
    text, generator = _composer(server).compose("price?", Draft(lines=FACTS.splitlines()), zh=False)
    assert text == FACTS and generator == "template (openai failed: HTTPStatusError)"
