import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import override_settings

from fengqiao.org.models import Staff
from tests.world import PASSWORD

SUBMISSION = {"title": "路灯不亮", "content": "村口的路灯坏了一个月，晚上出行不安全。"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@override_settings(FENGQIAO_RATE_LIMITS={"public_write_per_minute": 3, "public_read_per_minute": 100})
def test_public_submissions_beyond_the_limit_get_429_with_retry_after(client, world):
    codes = [client.post("/api/v1/public/cases", SUBMISSION, content_type="application/json").status_code for _ in range(5)]
    assert codes[:3] == [201, 201, 201]
    assert codes[3:] == [429, 429]
    response = client.post("/api/v1/public/cases", SUBMISSION, content_type="application/json")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "请求过于频繁" in response.json()["detail"]


@override_settings(FENGQIAO_RATE_LIMITS={"public_write_per_minute": 2, "public_read_per_minute": 100})
def test_rate_limit_counts_each_client_address_apart(client, world):
    for _ in range(2):
        client.post("/api/v1/public/cases", SUBMISSION, content_type="application/json", REMOTE_ADDR="10.0.0.1")
    blocked = client.post("/api/v1/public/cases", SUBMISSION, content_type="application/json", REMOTE_ADDR="10.0.0.1")
    other = client.post("/api/v1/public/cases", SUBMISSION, content_type="application/json", REMOTE_ADDR="10.0.0.2")
    assert (blocked.status_code, other.status_code) == (429, 201)


def test_pages_carry_security_headers(client, world):
    response = client.get("/api/v1/openapi.json")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(world):
    for _ in range(5):
        assert authenticate(username="clerk", password="wrong-password") is None
    assert authenticate(username="clerk", password=PASSWORD) is None
    clerk = Staff.objects.get(username="clerk")
    assert clerk.locked_until is not None


def test_a_success_resets_the_failure_count(world):
    for _ in range(4):
        authenticate(username="clerk", password="wrong-password")
    assert authenticate(username="clerk", password=PASSWORD) is not None
    authenticate(username="clerk", password="wrong-password")
    assert Staff.objects.get(username="clerk").locked_until is None


def test_two_factor_login_needs_the_current_code(client, world):
    import pyotp

    from fengqiao.core import crypto
    from fengqiao.org.services import staff_totp_enable

    staff_totp_enable(staff=world.leader)
    secret = crypto.decrypt(Staff.objects.get(username="leader").totp_secret)
    without = client.post("/staff/login", {"username": "leader", "password": PASSWORD})
    assert without.status_code == 200 and "动态验证码不正确" in without.content.decode()
    wrong = client.post("/staff/login", {"username": "leader", "password": PASSWORD, "otp": "000000"})
    assert "动态验证码不正确" in wrong.content.decode()
    ok = client.post("/staff/login", {"username": "leader", "password": PASSWORD, "otp": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_staff_without_two_factor_log_in_with_password_alone(client, world):
    assert client.post("/staff/login", {"username": "clerk", "password": PASSWORD}).status_code == 302


def test_an_upload_that_is_not_really_an_image_is_refused(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fengqiao.cases import services
    from fengqiao.core.errors import ValidationFailed

    case, _ = services.case_register(title="附件测试", content="上传附件的测试案件。", channel="visit", region=world.town, actor=world.clerk)
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as info:
        services.attachment_add(case=case, actor=world.clerk, uploaded=fake)
    assert "只接受" in info.value.message
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1), content_type="application/pdf")
    with pytest.raises(ValidationFailed) as info:
        services.attachment_add(case=case, actor=world.clerk, uploaded=big)
    assert "10MB" in info.value.message
    assert not case.attachments.exists()


def test_a_form_post_without_the_csrf_token_is_refused(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/submit", {"title": "路灯不亮", "content": "村口的路灯坏了一个月。"})
    assert response.status_code == 403
    assert "没有权限" in response.content.decode() or "CSRF" in response.content.decode()


def test_rotating_keys_keeps_every_value_readable_under_the_new_key(world, settings, monkeypatch):
    from cryptography.fernet import Fernet

    from fengqiao.cases import services
    from fengqiao.cases.models import Petitioner
    from fengqiao.core import crypto

    old = Fernet.generate_key().decode()
    monkeypatch.setenv("FENGQIAO_FIELD_KEYS", old)
    crypto.reset_key_cache()
    services.case_register(title="电话测试", content="密钥轮换前登记的案件。", channel="visit", region=world.town, actor=world.clerk,
                           petitioner=services.PetitionerData(name="周八", phone="13812348000"))
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("FENGQIAO_FIELD_KEYS", f"{new},{old}")
    crypto.reset_key_cache()
    assert crypto.rotate_all() >= 2
    monkeypatch.setenv("FENGQIAO_FIELD_KEYS", new)  # the old key is gone
    crypto.reset_key_cache()
    person = Petitioner.objects.get()
    assert (person.name, person.phone) == ("周八", "13812348000")
    monkeypatch.delenv("FENGQIAO_FIELD_KEYS")
    crypto.reset_key_cache()
