"""A small client of the running local server, the way a web or mobile app uses the API."""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests

from tests.conftest import unique_email

PASSWORD = "Sunny-meadow-42"
BUSINESS = {"legal_name": "Test Traders Ltd", "registration_number": "HRB-12345",
            "country": "DE", "address": "1 Test Street, Berlin"}
CHECKLIST = {"business_registration": True, "identity": True, "address": True,
             "bank_account": True}


@dataclass
class User:
    id: str
    email: str
    password: str
    id_token: str | None = None
    refresh_token: str | None = None

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.id_token}"}


class Api:
    def __init__(self, base_url: str, mail) -> None:  # noqa: ANN001
        self.base_url = base_url
        self.mail = mail
        self.http = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:  # noqa: ANN003
        return self.http.get(self.base_url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:  # noqa: ANN003
        return self.http.post(self.base_url + path, timeout=30, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:  # noqa: ANN003
        return self.http.patch(self.base_url + path, timeout=30, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:  # noqa: ANN003
        return self.http.delete(self.base_url + path, timeout=30, **kwargs)

    def register(self, role: str = "customer", *, verify: bool = True, login: bool = True,
                 email: str | None = None) -> User:
        email = email or unique_email(role)
        body = {"name": f"Test {role}", "email": email, "password": PASSWORD}
        if role == "vendor":
            body["business"] = BUSINESS
        response = self.post("/v1/customers" if role == "customer" else "/v1/vendors", json=body)
        assert response.status_code == 201, response.text
        user = User(response.json()["id"], email, PASSWORD)
        if verify:
            self.verify_email(email)
        if login:
            self.login(user)
        return user

    def verification_link(self, email: str) -> str:
        mail = self.mail.wait_for(email, subject_contains="Confirm your email", timeout=30)
        return next(link for link in mail.links if "/v1/email-verification?" in link)

    def verify_email(self, email: str) -> None:
        response = self.http.get(self.verification_link(email), timeout=30)
        assert response.status_code == 200, response.text

    def login(self, user: User) -> User:
        response = self.post("/v1/sessions", json={"email": user.email, "password": user.password})
        assert response.status_code == 200, response.text
        user.id_token = response.json()["id_token"]
        user.refresh_token = response.json()["refresh_token"]
        return user


def oob_code(link: str) -> str:
    match = re.search(r"oob_code=([^&\s]+)|oobCode=([^&\s]+)", link)
    assert match, link
    return match.group(1) or match.group(2)
