"""Import every module that defines background tasks, so that workers know them all."""

import fengqiao.analysis.services  # noqa: F401
