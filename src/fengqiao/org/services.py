import secrets

import pyotp

from fengqiao.core import crypto

from fengqiao.org.models import ApiToken, Staff


def token_create(*, staff: Staff) -> str:
    """Create an API token for `staff` and return it; it is shown once and stored only as a hash."""
    key = "fq_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(staff=staff, key_hash=ApiToken.hash_key(key), prefix=key[:8])
    return key


def staff_totp_enable(*, staff: Staff) -> str:
    """Turn on two-factor login for `staff`; return the otpauth:// URI to scan into an authenticator app."""
    secret = pyotp.random_base32()
    staff.totp_secret = crypto.encrypt(secret)
    staff.save(update_fields=["totp_secret"])
    return pyotp.TOTP(secret).provisioning_uri(name=staff.username, issuer_name="Fengqiao")


def staff_totp_disable(*, staff: Staff) -> None:
    staff.totp_secret = ""
    staff.save(update_fields=["totp_secret"])


def staff_totp_verify(*, staff: Staff, code: str) -> bool:
    """Return True when `staff` has no second factor, or `code` is the current (±30 s) one-time code."""
    if not staff.totp_secret:
        return True
    code = (code or "").strip().replace(" ", "")
    return code.isdigit() and pyotp.TOTP(crypto.decrypt(staff.totp_secret)).verify(code, valid_window=1)
