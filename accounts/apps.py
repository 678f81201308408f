from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Authors and roles"

    def ready(self) -> None:
        from accounts import signin  # noqa: F401  (connects the sign-in clock)
