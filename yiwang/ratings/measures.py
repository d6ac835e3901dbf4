"""好差评's monthly facts, registered with ``yiwang.measures`` (DESIGN: figures come from roll-ups).

Ratings, each counted once when recorded, by month rated, the rating's region and department:

- ``ratings.rated`` — key = channel;
- ``ratings.by_hall`` / ``ratings.by_window`` / ``ratings.by_staff`` — key = the hall's, window's or
  staff member's id (rows without one are not counted there);
- ``ratings.by_item`` — key = the item's code.

Each has the fields ``level_sum`` (sum of levels 5…1), ``good`` (满意 or better), ``bad`` (不满意 or
worse) and ``implicit`` (recorded by the unrated policy). Satisfaction = level_sum ÷ (5 × count);
bad-rating rate = bad ÷ count.

Rectifications, by month opened, region and responsible department, key = source (rating / finding):
``ratings.rectifications`` with ``real_name`` (opened for a real-name bad rating), ``called_back``
(of those, the person was called back), ``closed`` (accepted by the supervisor), ``closed_on_time``
(the department's last step on or before the due day), ``annulled`` (appeal upheld). A
rectification's contribution changes as it moves, so its services apply before/after::

    before = rectification_facts(r)   # after locking, before changing
    ...change and save...
    measures_apply(before=before, after=rectification_facts(r))

Targets: 实名差评回访率 = called_back ÷ real_name; 整改率 = closed ÷ (count − annulled);
on-time rectification rate = closed_on_time ÷ closed.
"""

from __future__ import annotations

from django.db.models import CharField, Count, Q, Sum
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from yiwang.measures.registry import Months, month_bounds, month_of, register_metric
from yiwang.measures.rows import register_rows
from yiwang.measures.services import FactDelta, measure_add
from yiwang.org.models import Region

from .models import BAD_LEVELS, GOOD_LEVELS, Rating, RatingChannel, Rectification

RATED = "ratings.rated"
BY_HALL = "ratings.by_hall"
BY_WINDOW = "ratings.by_window"
BY_STAFF = "ratings.by_staff"
BY_ITEM = "ratings.by_item"
RECTIFICATIONS = "ratings.rectifications"
METRICS = (RATED, BY_HALL, BY_WINDOW, BY_STAFF, BY_ITEM, RECTIFICATIONS)

RATING_FIELDS = ("level_sum", "good", "bad", "implicit")
RECTIFICATION_FIELDS = ("real_name", "called_back", "closed", "closed_on_time", "annulled")

# metric → (the rating's attribute giving the key, the source column for the rebuild)
_DIMENSIONS = {
    RATED: ("channel", "channel"),
    BY_HALL: ("hall_id", "hall_id"),
    BY_WINDOW: ("window_id", "window_id"),
    BY_STAFF: ("staff_id", "staff_id"),
    BY_ITEM: ("item_code", "item_code"),
}


def _rating_values(rating: Rating) -> dict[str, int]:
    return {
        "count": 1,
        "level_sum": int(rating.level),
        "good": int(rating.level in GOOD_LEVELS),
        "bad": int(rating.level in BAD_LEVELS),
        "implicit": int(rating.channel == RatingChannel.DEFAULT),
    }


def rating_facts(rating: Rating) -> list[FactDelta]:
    """One rating's contributions (same rule as the rebuilds)."""
    month = month_of(rating.rated_at)
    values = _rating_values(rating)
    deltas = []
    for metric, (attribute, _column) in _DIMENSIONS.items():
        key = getattr(rating, attribute)
        if key in (None, ""):
            continue
        deltas.append(FactDelta(metric, month, rating.region_id, rating.department_id, str(key), dict(values)))
    return deltas


def on_ratings_recorded(ratings) -> None:
    """New ratings were recorded (one, or many at once by the unrated sweep).

    Their increments are summed by identity and each region is read once, so a rating costs its
    five fact inserts and no region look-ups."""
    summed: dict[tuple, dict[str, int]] = {}
    for rating in ratings:
        for delta in rating_facts(rating):
            values = summed.setdefault(delta.identity, dict.fromkeys(delta.values, 0))
            for name, value in delta.values.items():
                values[name] += value
    ids = {identity[2] for identity in summed}
    regions = {r.pk: r for r in Region.objects.filter(pk__in=ids).only("pk", "code", "path", "level")}
    for (metric, month, region, department, key), values in summed.items():
        measure_add(metric=metric, on=month, region=regions[region], department=department, key=key, **values)


def rectification_facts(rectification: Rectification) -> list[FactDelta]:
    """One rectification's contribution to ``ratings.rectifications`` (same rule as the rebuild)."""
    if rectification.pk is None:
        return []
    closed = rectification.state == Rectification.State.CLOSED
    return [
        FactDelta(
            RECTIFICATIONS,
            month_of(rectification.opened_at),
            rectification.region_id,
            rectification.department_id,
            rectification.source,
            {
                "count": 1,
                "real_name": int(rectification.real_name),
                "called_back": int(rectification.real_name and rectification.called_back),
                "closed": int(closed),
                "closed_on_time": int(closed and rectification.on_time is True),
                "annulled": int(rectification.state == Rectification.State.ANNULLED),
            },
        )
    ]


# --- rebuild ------------------------------------------------------------------------------------


def _in(field: str, months: Months) -> Q:
    bounds = month_bounds(months)
    return Q() if bounds is None else Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def _rating_rebuild(metric: str):
    column = _DIMENSIONS[metric][1]

    def rebuild(months: Months):
        qs = Rating.objects.filter(_in("rated_at", months)).exclude(**{f"{column}__isnull": True})
        if column == "item_code" or column == "channel":
            qs = qs.exclude(**{column: ""})
        rows = (
            qs.annotate(
                month=TruncMonth("rated_at", tzinfo=timezone.get_current_timezone()), k=Cast(column, CharField())
            )
            .values("month", "region_id", "department_id", "k")
            .annotate(
                n=Count("id"),
                level_sum=Sum("level"),
                **{name: Count("id", filter=condition) for name, condition in RATING_CONDITIONS.items()},
            )
            .order_by()
        )
        for row in rows.iterator(chunk_size=5000):
            yield {
                "month": month_of(row["month"]),
                "region": row["region_id"],
                "department": row["department_id"],
                "key": str(row["k"]),
                "count": row["n"],
                "level_sum": row["level_sum"],
                "good": row["good"],
                "bad": row["bad"],
                "implicit": row["implicit"],
            }

    return rebuild


# The rows each metric counts and the condition behind each field: the rebuild groups exactly
# these, and the targets page's drill-down lists them (``yiwang.measures.rows``).
RECTIFICATION_CONDITIONS = {
    "real_name": Q(real_name=True),
    "called_back": Q(real_name=True, called_back=True),
    "closed": Q(state=Rectification.State.CLOSED),
    "closed_on_time": Q(state=Rectification.State.CLOSED, on_time=True),
    "annulled": Q(state=Rectification.State.ANNULLED),
}
RATING_CONDITIONS = {
    "good": Q(level__in=GOOD_LEVELS),
    "bad": Q(level__in=BAD_LEVELS),
    "implicit": Q(channel=RatingChannel.DEFAULT),
}


def rectification_rows(months: Months):
    """Rectifications opened in ``months``."""
    return Rectification.objects.filter(_in("opened_at", months))


def rated_rows(months: Months):
    """Ratings recorded in ``months`` with a channel (``ratings.rated``)."""
    return Rating.objects.filter(_in("rated_at", months)).exclude(channel__isnull=True).exclude(channel="")


def rebuild_rectifications(months: Months):
    c = RECTIFICATION_CONDITIONS
    rows = (
        rectification_rows(months)
        .annotate(month=TruncMonth("opened_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "region_id", "department_id", "source")
        .annotate(
            n=Count("id"),
            real=Count("id", filter=c["real_name"]),
            called=Count("id", filter=c["called_back"]),
            closed=Count("id", filter=c["closed"]),
            closed_on_time=Count("id", filter=c["closed_on_time"]),
            annulled=Count("id", filter=c["annulled"]),
        )
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["department_id"],
            "key": row["source"],
            "count": row["n"],
            "real_name": row["real"],
            "called_back": row["called"],
            "closed": row["closed"],
            "closed_on_time": row["closed_on_time"],
            "annulled": row["annulled"],
        }


_LABELS = {
    RATED: "好差评（按评价月份、渠道）",
    BY_HALL: "好差评（按大厅）",
    BY_WINDOW: "好差评（按窗口）",
    BY_STAFF: "好差评（按工作人员）",
    BY_ITEM: "好差评（按事项）",
}
for _name, _label in _LABELS.items():
    register_metric(_name, label=_label, fields=RATING_FIELDS, rebuild=_rating_rebuild(_name))
register_metric(
    RECTIFICATIONS, label="差评整改（按启动月份、来源）", fields=RECTIFICATION_FIELDS, rebuild=rebuild_rectifications
)
register_rows(RATED, rows=rated_rows, fields=RATING_CONDITIONS, key="channel")
register_rows(RECTIFICATIONS, rows=rectification_rows, fields=RECTIFICATION_CONDITIONS, key="source")
