"""Field encryption for personal data, and blind indexes to find a person without decrypting.

Keys live outside the database: FENGQIAO_FIELD_KEYS (comma-separated Fernet keys, newest first)
or the file `field_keys` in the data folder. Rotation: put a new key first, keep the old ones
after it, run `fengqiao rotate-keys`; every value is re-encrypted with the first key, then old
keys can be removed. The blind-index key is derived from the first key ever used (`index_key`
file), so that look-ups keep working across rotations.
"""

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _key_file(name: str):
    return settings.DATA_DIR / name


def _load_or_create(name: str, make) -> list[str]:
    path = _key_file(name)
    if path.exists():
        return [k.strip() for k in path.read_text().split() if k.strip()]
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return [value]


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    env = os.environ.get("FENGQIAO_FIELD_KEYS")
    keys = [k.strip() for k in env.split(",") if k.strip()] if env else _load_or_create(
        "field_keys", lambda: Fernet.generate_key().decode()
    )
    return MultiFernet([Fernet(k.encode()) for k in keys])


@lru_cache(maxsize=1)
def _index_key() -> bytes:
    env = os.environ.get("FENGQIAO_INDEX_KEY")
    if env:
        return env.encode()
    return _load_or_create("index_key", lambda: base64.urlsafe_b64encode(os.urandom(32)).decode())[0].encode()


def reset_key_cache() -> None:
    _fernet.cache_clear()
    _index_key.cache_clear()


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return "［无法解密 / cannot decrypt］"


def rotate(token: str) -> str:
    return _fernet().rotate(token.encode()).decode() if token else ""


def blind_index(value: str) -> str:
    """Return a keyed hash of a normalised value, for equality look-ups (ID number, phone)."""
    if not value:
        return ""
    normal = value.strip().upper().replace(" ", "").replace("-", "")
    return hmac.new(_index_key(), normal.encode(), hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:] if len(digits) > 7 else digits[:3] + "****"
    return "*" * len(digits)


def mask_id_number(number: str) -> str:
    number = number.strip()
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


_ID_IN_TEXT = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
# Mobile numbers as people type them: 13812348000, 138-1234-8000, 138 1234 8000, +86 13812348000.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def mask_pii_in_text(text: str) -> str:
    """Mask ID numbers and mobile numbers that a petitioner typed into free text."""
    text = _ID_IN_TEXT.sub(lambda m: m.group(1)[:3] + "*" * 11 + m.group(3)[-4:], text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def rotate_all() -> int:
    """Re-encrypt every encrypted field with the first key; return how many values were rewritten."""
    from django.db import transaction

    from fengqiao.cases.models import Petitioner
    from fengqiao.org.models import Staff

    fields = {Petitioner: ["name_enc", "id_number_enc", "phone_enc", "address_enc"], Staff: ["totp_secret"]}
    count = 0
    with transaction.atomic():
        for model, names in fields.items():
            for obj in model.objects.only("pk", *names).iterator(chunk_size=1000):
                for name in names:
                    value = getattr(obj, name)
                    if value:
                        setattr(obj, name, rotate(value))
                        count += 1
                obj.save(update_fields=names)
    return count
