"""DuckDB storage: short-lived connections, recorded migrations, one transaction per import."""

from finance.store.db import connect, default_db_path, read_frame

__all__ = ["connect", "default_db_path", "read_frame"]
