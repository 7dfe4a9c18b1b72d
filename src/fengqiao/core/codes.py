"""Human case numbers and unguessable public query codes."""

import secrets

from django.db import transaction

from fengqiao.core.models import Sequence

# No 0/O, 1/I/L: codes are read out over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def query_code_new() -> str:
    """Return a 12-character code (about 59 bits of entropy) grouped as XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def query_code_normalise(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else raw


def sequence_next(name: str) -> int:
    with transaction.atomic():
        seq, _ = Sequence.objects.select_for_update().get_or_create(name=name)
        seq.value += 1
        seq.save(update_fields=["value"])
        return seq.value


def case_number_new(year: int) -> str:
    return f"FQ{year}{sequence_next(f'case-{year}'):06d}"
