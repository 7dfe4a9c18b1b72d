import secrets

from fengqiao.org.models import ApiToken, Staff


def token_create(*, staff: Staff) -> str:
    """Create an API token for `staff` and return it; it is shown once and stored only as a hash."""
    key = "fq_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(staff=staff, key_hash=ApiToken.hash_key(key), prefix=key[:8])
    return key
