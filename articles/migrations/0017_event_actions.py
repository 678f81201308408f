"""Workflow events name what was done (ArticleEvent.action), for the desk's activity log.

Events recorded before this migration carry only the state labels they moved between; their
action is read from those labels, a range of events at a time, each range its own short
transaction (newsroom.online_schema.run_in_batches), and the log's indexes are built
CONCURRENTLY on PostgreSQL, so stories stay movable meanwhile. Adding the column with a
constant default is a change of the catalogue only on PostgreSQL, not a rewrite.
"""

from django.db import migrations, models
from django.db.models import Case, Q, Value, When

from newsroom.online_schema import AddIndexConcurrently, run_in_batches

# The labels events have been written with since the first migration (Article.state_label):
# the first matching rule names the move. "Spiked" is the label of the spike workflow's state.
ACTION_FROM_LABELS = [
    (Q(to_status="Spiked"), "spiked"),
    (Q(from_status="Spiked"), "restored"),
    (Q(from_status="Scheduled", to_status="Draft"), "unscheduled"),
    (Q(to_status="In review"), "submitted"),
    (Q(to_status="Returned to authors"), "returned"),
    (Q(to_status="Scheduled"), "scheduled"),
    (Q(to_status="Published"), "published"),
    (Q(to_status="Withdrawn"), "withdrew"),
]


def name_old_actions(apps, schema_editor):
    ArticleEvent = apps.get_model("articles", "ArticleEvent")
    events = ArticleEvent.objects.using(schema_editor.connection.alias)
    action = Case(
        *(When(condition, then=Value(name)) for condition, name in ACTION_FROM_LABELS),
        default=Value(""),
    )
    # Only events still without an action: running it again (after a stop half way) changes
    # nothing twice, and a label no rule knows stays blank rather than guessed.
    named = Q()
    for condition, _name in ACTION_FROM_LABELS:
        named |= condition
    run_in_batches(
        events.filter(action=""),
        lambda part: part.filter(named).update(action=action),
        size=5000,
    )


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own; CREATE INDEX CONCURRENTLY needs no transaction

    dependencies = [("articles", "0016_desk_notifications")]

    operations = [
        migrations.AddField(
            model_name="articleevent",
            name="action",
            field=models.CharField(
                blank=True,
                choices=[
                    ("created", "Created"),
                    ("edited", "Edited"),
                    ("submitted", "Submitted"),
                    ("returned", "Returned"),
                    ("scheduled", "Scheduled"),
                    ("published", "Published"),
                    ("unscheduled", "Unscheduled"),
                    ("withdrew", "Withdrew"),
                    ("spiked", "Spiked"),
                    ("restored", "Restored"),
                ],
                default="",
                max_length=12,
            ),
        ),
        migrations.RunPython(name_old_actions, migrations.RunPython.noop),
        migrations.CreateModel(
            name="Activity",
            fields=[],
            options={
                "verbose_name": "activity",
                "verbose_name_plural": "activity log",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("articles.articleevent",),
        ),
        AddIndexConcurrently(
            model_name="articleevent",
            index=models.Index(fields=["-created_at", "-id"], name="event_recent_idx"),
        ),
        AddIndexConcurrently(
            model_name="articleevent",
            index=models.Index(
                fields=["action", "-created_at", "-id"], name="event_action_recent_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="articleevent",
            index=models.Index(
                fields=["actor", "-created_at", "-id"], name="event_actor_recent_idx"
            ),
        ),
    ]
