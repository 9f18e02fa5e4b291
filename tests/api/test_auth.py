"""Logging in, refreshing, /api/me, rate limits and the error shape of 401/404/405/422."""

from __future__ import annotations

from tests.api.conftest import PASSWORD, Auth
from tests.api.helpers import ok
from tests.api.testclient import TestClient
from tests.support.world import World


def _login(client: TestClient, username: str, password: str, ip: str = "testclient") -> object:
    return client.post("/api/auth/token", data={"username": username, "password": password})


def test_login_refresh_and_me(client: TestClient, api_world: World) -> None:
    tokens = ok(_login(client, "head_a", PASSWORD))
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 15 * 60
    me = ok(client.get("/api/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}))
    assert me["username"] == "head_a" and me["roles"] == ["unit_head"]
    assert me["grants"][0]["unit_id"] == api_world["thpt-a"]
    # a refresh token is not an access token, and vice versa
    r = client.get("/api/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    again = ok(client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}))
    assert again["access_token"] != tokens["access_token"]
    bad = client.post("/api/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert bad.status_code == 401 and bad.json()["error"] == "unauthenticated"


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient) -> None:
    wrong = client.post("/api/auth/token", data={"username": "head_a", "password": "sai-mật-khẩu"})
    nobody = client.post("/api/auth/token", data={"username": "ghost", "password": "x"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()
    assert wrong.json()["message"] == "Sai tên đăng nhập hoặc mật khẩu."


def test_login_attempts_are_rate_limited_per_user(client: TestClient) -> None:
    for _ in range(3):
        assert (
            client.post(
                "/api/auth/token", data={"username": "director", "password": "x"}
            ).status_code
            == 401
        )
    r = client.post("/api/auth/token", data={"username": "director", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1
    # another user from the same address is still allowed (address limit is higher)
    assert (
        client.post(
            "/api/auth/token", data={"username": "head_b", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_every_error_has_the_shape(client: TestClient, auth: Auth) -> None:
    shapes = [
        client.get("/api/nominations"),
        client.get("/api/nominations", headers={"Authorization": "Bearer not-a-jwt"}),
        client.get("/api/no-such-thing", headers=auth("head_a")),
        client.delete("/api/me", headers=auth("head_a")),
        client.get("/api/nominations?limit=0", headers=auth("head_a")),
        client.post("/api/nominations", json={"round_id": "x"}, headers=auth("head_a")),
        client.get("/api/nominations/999999", headers=auth("head_a")),
    ]
    assert [r.status_code for r in shapes] == [401, 401, 404, 405, 422, 422, 404]
    for r in shapes:
        body = r.json()
        assert set(body) >= {"error", "message", "message_en", "field"}, body
    assert shapes[4].json()["field"] == "limit"
    assert shapes[5].json()["field"] == "round_id"
