from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self):
        import reversion

        from articles.models import Article, Byline, Correction, TaggedArticle

        # A revision holds the whole story: text, bylines and tags, so a restore brings all back.
        if not reversion.is_registered(Article):
            reversion.register(Article, follow=["bylines", "tagged_items"])
            reversion.register(Byline)
            reversion.register(TaggedArticle)
            reversion.register(Correction)
