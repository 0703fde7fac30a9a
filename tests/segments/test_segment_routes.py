"""HTTP routes: auth (401/403), 404, 422 with every problem, live counts, preview, member export."""

from __future__ import annotations

import csv
import io

import pytest

RULE = {"field": "rfm.segment", "op": "in", "value": ["champions", "loyal", "new"]}


def error(response, status: int, code: str) -> dict:  # noqa: ANN001 - httpx.Response
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("put", "/v1/segments/vip", {"definition": RULE}), ("get", "/v1/segments", None),
     ("get", "/v1/segments/vip", None), ("delete", "/v1/segments/vip", None),
     ("get", "/v1/segments/vip/users", None), ("post", "/v1/segments/preview", {"definition": RULE})],
)  # fmt: skip
def test_every_route_needs_a_key(api, method: str, path: str, body: dict | None) -> None:  # noqa: ANN001
    kwargs = {"json": body} if body is not None else {}
    error(api.http.request(method, path, **kwargs), 401, "unauthorized")
    error(api.http.request(method, path, headers={"X-API-Key": "ss_nope_nope"}, **kwargs), 401, "unauthorized")


def test_writes_need_an_admin_key(api) -> None:  # noqa: ANN001
    error(api.http.put("/v1/segments/vip", json={"definition": RULE}, headers=api.client), 403, "forbidden")
    error(api.http.delete("/v1/segments/vip", headers=api.client), 403, "forbidden")


def test_save_read_count_delete(api) -> None:  # noqa: ANN001
    created = api.http.put("/v1/segments/vip", json={"definition": RULE, "description": "good"}, headers=api.admin)
    assert created.status_code == 201, created.text
    assert created.json()["definition"] == RULE and created.json()["count"] is None
    replaced = api.http.put("/v1/segments/vip", json={"definition": RULE}, headers=api.admin)
    assert replaced.status_code == 200 and replaced.json()["description"] == ""

    got = api.http.get("/v1/segments/vip", headers=api.client).json()
    assert (got["count"], got["profiles"]) == (3, 5)
    api.db.profiles.put_many({"u6": {"user_id": "u6", "rfm": {"segment": "loyal"}}})
    assert api.http.get("/v1/segments/vip", headers=api.client).json()["count"] == 4  # live

    listed = api.http.get("/v1/segments", headers=api.client).json()["segments"]
    assert [s["name"] for s in listed] == ["vip"] and listed[0]["count"] is None
    assert api.http.delete("/v1/segments/vip", headers=api.admin).status_code == 204
    error(api.http.get("/v1/segments/vip", headers=api.client), 404, "not_found")
    error(api.http.delete("/v1/segments/vip", headers=api.admin), 404, "not_found")
    error(api.http.get("/v1/segments/vip/users", headers=api.client), 404, "not_found")


def test_invalid_definitions_list_every_problem(api) -> None:  # noqa: ANN001
    bad = {"all": [{"field": "rfm.segment", "op": "equals", "value": "x"}, {"field": "rfm.r", "op": "gt", "value": [1]}]}
    found = error(api.http.put("/v1/segments/vip", json={"definition": bad}, headers=api.admin), 422, "invalid_input")
    assert [d["field"] for d in found["details"]] == ["definition.all[0].op", "definition.all[1].value"]
    assert found["details"][0]["message"].startswith("unknown operator 'equals'; expected one of eq, ne")

    found = error(api.http.put("/v1/segments/-bad name", json={"definition": 5}, headers=api.admin), 422, "invalid_input")
    assert [d["field"] for d in found["details"]] == ["name", "definition"]
    found = error(api.http.put("/v1/segments/vip%0A", json={"definition": RULE}, headers=api.admin), 422, "invalid_input")
    assert [d["field"] for d in found["details"]] == ["name"]
    found = error(api.http.put("/v1/segments/vip", json={"rule": RULE}, headers=api.admin), 422, "invalid_input")
    assert {d["field"] for d in found["details"]} == {"definition", "rule"}
    found = error(api.http.post("/v1/segments/preview", json={"definition": {}}, headers=api.client), 422, "invalid_input")
    assert found["details"] == [{"field": "definition", "message": "empty rule: expected all, any, not or a condition "
                                                                   "{field, op, value}"}]  # fmt: skip
    assert api.http.get("/v1/segments", headers=api.client).json() == {"segments": []}


def test_preview_counts_and_samples_an_unsaved_definition(api) -> None:  # noqa: ANN001
    rule = {"any": [{"field": "scores.churn_risk", "op": "ge", "value": 0.4}, {"field": "tags", "op": "exists"}]}
    response = api.http.post("/v1/segments/preview", json={"definition": rule, "sample": 2}, headers=api.client)
    assert response.status_code == 200, response.text
    assert response.json() == {"count": 4, "profiles": 5, "sample": ["u1", "u2"]}


def test_member_export_pages_json_and_csv(api) -> None:  # noqa: ANN001
    api.http.put("/v1/segments/vip", json={"definition": RULE}, headers=api.admin)
    page = api.http.get("/v1/segments/vip/users", params={"page": 2, "page_size": 2, "fields": "rfm.segment,tags.tag"},
                        headers=api.client).json()  # fmt: skip
    assert (page["total"], page["page"], page["page_size"]) == (3, 2, 2)
    assert page["users"] == [{"user_id": "u3", "rfm.segment": "new", "tags.tag": None}]

    response = api.http.get("/v1/segments/vip/users", params={"format": "csv", "fields": "tags.tag"}, headers=api.client)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["x-total-count"] == "3"
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["user_id", "tags.tag"], ["u1", '["price-sensitive"]'], ["u2", ""], ["u3", ""]
    ]
    found = error(api.http.get("/v1/segments/vip/users", params={"fields": "rfm.sgment"}, headers=api.client), 422,
                  "invalid_input")  # fmt: skip
    assert found["details"][0]["field"] == "fields[0]"
    error(api.http.get("/v1/segments/vip/users", params={"format": "xml"}, headers=api.client), 422, "invalid_input")


def test_a_stored_definition_that_no_longer_validates_is_a_409(api) -> None:  # noqa: ANN001
    api.db.segments.put("old", {"field": "rfm.score", "op": "gt", "value": 1})  # written around the validation
    found = error(api.http.get("/v1/segments/old", headers=api.client), 409, "conflict")
    assert "unknown field 'rfm.score'" in found["message"]
    error(api.http.get("/v1/segments/old/users", headers=api.client), 409, "conflict")
