from articles import admin_library  # noqa: F401
