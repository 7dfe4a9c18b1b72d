"""Test settings: a throw-away data folder and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("FENGQIAO_DATA_DIR", tempfile.mkdtemp(prefix="fengqiao-test-"))

from fengqiao.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Rate limits are exercised by their own tests with override_settings; the rest of the suite posts freely.
FENGQIAO_RATE_LIMITS = {"public_write_per_minute": 0, "public_read_per_minute": 0}
FENGQIAO_TASKS_SYNC = True
