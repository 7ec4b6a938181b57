"""Who and when: organizations, blocs, memberships per period, assigned secretaries, yearly
chair terms, officials."""

from __future__ import annotations

from typing import Any, NamedTuple, Self

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history import register
from simple_history.models import HistoricalRecords

from portal.lib.dates import current_year
from portal.lib.people import person_name
from portal.lib.request_cache import remembered
from portal.lib.text import fold, for_kind, nfc, same_name_key, sort_key
from portal.lib.types import Person

# Decree 152/2025 Art. 4(6): "at least 70% women".
WOMEN_PRIORITY_PERCENT = 70

ORGANIZATION_SAME_NAME = _(
    "An organization with this name already exists: “%(name)s” (the same letters and tones, "
    "whatever the case, the tone placement or the way the accents were typed)."
)
BLOC_SAME_NAME = _(
    "A %(kind)s with this name already exists: “%(name)s” (the same letters and tones, "
    "whatever the case, the tone placement or the way the accents were typed)."
)


def check_same_name(obj: Organization | Bloc, message: Any) -> None:
    """Refuse a name that is another row's name written differently: an NFD copy, another
    case or the old tone placement ("Uỷ ban" for "Ủy ban")."""
    if not obj.name:
        return
    rows = type(obj)._default_manager.filter(sort_name=same_name_key(obj.name))
    other = rows.exclude(pk=obj.pk).first()
    if other is not None:
        params = {"name": other.name, "kind": getattr(other, "kind_word", "")}
        raise ValidationError({"name": message % params}, code="same_name")


class OrganizationQuerySet(models.QuerySet):
    def search(self, query: str) -> OrganizationQuerySet:
        return self.filter(search_name__contains=fold(query))

    def visible_to(self, user: Person) -> OrganizationQuerySet:
        """Admins (superusers) see all; an official sees their own organization and those
        sharing a bloc. The staff flag alone gives nothing here (blocs.rules)."""
        if user.is_superuser:
            return self
        # IN lookups, not a join with an OR and a DISTINCT (at national scale 0.2 ms instead
        # of 159 ms). The blocs are those `Bloc.objects.visible_to` gives the user.
        sharing = Membership.objects.filter(bloc_id__in=held_bloc_ids(user)).values(
            "organization_id"
        )
        own = Official.objects.filter(user_id=user.pk).values("organization_id")  # type: ignore[misc]
        return self.filter(pk__in=sharing.order_by().union(own.order_by()))


class Organization(models.Model):
    """A member organization: a Front committee, a union, an association."""

    class Kind(models.TextChoices):
        FRONT = "front", _("Fatherland Front committee")
        LABOUR = "labour", _("Labour Federation")
        WOMEN = "women", _("Women's Union")
        YOUTH = "youth", _("Youth Union")
        FARMERS = "farmers", _("Farmers' Association")
        VETERANS = "veterans", _("Veterans' Association")
        OTHER = "other", _("Other")

    class Numbering(models.TextChoices):
        """Where the numbers of the documents it issues come from (Decree 30, Art. 15-16: each
        organization's records office registers what it issues, one series per year)."""

        PORTAL = "portal", _("The portal is the registry (numbers drawn at issue)")
        REGISTRY = "registry", _("Its own registry (the number is typed at issue)")
        BLOC = "bloc", _("The bloc's own series (for documents of a bloc)")

    class Level(models.TextChoices):
        CENTRAL = "central", _("Central")
        PROVINCE = "province", _("Province / city")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune / ward")

    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    abbreviation = models.CharField(
        _("symbol abbreviation"),
        max_length=20,
        blank=True,
        help_text=_("Used in document numbers, e.g. HLHPN in “05/BC-HLHPN”."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.PROVINCE
    )
    locality = models.CharField(_("locality"), max_length=100, blank=True)
    head_name = models.CharField(
        _("head"),
        max_length=255,
        blank=True,
        help_text=_(
            "Who heads the organization, family name first (e.g. “Vũ Thị Bích Liên”): the "
            "signer of the documents it issues as a bloc's chair."
        ),
    )
    head_position = models.CharField(
        _("head's position"),
        max_length=255,
        blank=True,
        help_text=_("e.g. “Chủ tịch Hội Liên hiệp Phụ nữ thành phố”."),
    )
    numbering = models.CharField(
        _("document numbering"),
        max_length=10,
        choices=Numbering.choices,
        default=Numbering.PORTAL,
        help_text=_(
            "How the documents it issues are numbered: drawn from the portal's registry, "
            "typed from the organization's own registry, or from the bloc's own series."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # ND 152/2025 Art. 4(6): among equals, priority to a collective led by a woman or with
    # at least 70% women; the council page marks them (the tie-break the council applies).
    led_by_woman = models.BooleanField(
        _("led by a woman"),
        default=False,
        help_text=_("Its head is a woman (a tie-break among equals, Decree 152/2025 Art. 4(6))."),
    )
    women_percent = models.PositiveSmallIntegerField(
        _("women (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("The share of women among its staff, when known (from 70 per cent: priority)."),
    )
    search_name = models.CharField(max_length=400, editable=False, db_index=True, default="")
    sort_name = models.CharField(max_length=1200, editable=False, db_index=True, default="")

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_name", "name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name, self.short_name = nfc(self.name), nfc(self.short_name)
        # Derived from this row only: the accent-free text that search matches, and the key
        # of Vietnamese alphabetical order.
        self.search_name = fold(f"{self.name} {self.short_name} {self.abbreviation}")
        self.sort_name = sort_key(self.name)[:1200]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("blocs:organization_detail", args=[self.pk])

    def clean(self) -> None:
        self.name = nfc(self.name)
        check_same_name(self, ORGANIZATION_SAME_NAME)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def women_priority(self) -> bool:
        """Has the tie-break priority of Decree 152/2025 Art. 4(6)."""
        return self.led_by_woman or (self.women_percent or 0) >= WOMEN_PRIORITY_PERCENT


class BlocQuerySet(models.QuerySet):
    def search(self, query: str) -> BlocQuerySet:
        return self.filter(search_name__contains=fold(query))

    def visible_to(self, user: Person) -> BlocQuerySet:
        """The blocs a user may read: admins (superusers) all; officials those their
        organization has ever belonged to; assigned secretaries their blocs."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.held_by(user)

    def held_by(self, user: Person) -> BlocQuerySet:
        """The blocs the user reads through a role of their own, whatever admin rights they
        have: their organization's (a member this year or earlier) and their assignments'.
        """
        # The ids themselves, not a join of every membership with an OR and a DISTINCT (a
        # hash join over all memberships that keeps a few rows at national scale).
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=held_bloc_ids(user))


class ReadSpan(NamedTuple):
    """Years `first` to `last` (None: still open) in which the user reads a bloc's things,
    from one of their rows; `membership` marks a span that comes from their organization's
    membership (a coming member does not see the bloc yet, see `held_bloc_ids`), and
    `council_body` the organizing body whose council seat gives it (`blocs.rules`:
    Role.COUNCIL)."""

    bloc_id: int
    first: int
    last: int | None
    membership: bool
    council_body: int | None

    def covers(self, year: int) -> bool:
        return self.first <= year and (self.last is None or year <= self.last)


def _user_key(user: Person) -> tuple | None:
    return (user.pk,) if user.is_authenticated else None


_SPAN_COLUMNS = ("span_bloc", "span_first", "span_last", "span_membership", "span_council")


def _span_columns(bloc: Any, first: Any, last: Any, membership: bool, council: Any) -> dict:
    """One part's columns of `read_spans`, named and in one order: a UNION matches its
    parts' columns by position, and a part selects its annotations in the order given."""
    values = (bloc, first, last, models.Value(membership), council)
    return dict(zip(_SPAN_COLUMNS, values, strict=True))


@remembered(_user_key)
def read_spans(user: Person) -> tuple[ReadSpan, ...]:
    """Every bloc the user has a row in, with the years that row lets them read, in one
    query kept for the request (`portal.lib.request_cache`): their organization's
    memberships (the years of each), their secretariat assignments (every year of the bloc),
    the blocs their organization organizes (its council, every year) and their council
    seats (the years of the seat). The one source of `readable_years`, `held_bloc_ids` and
    `blocs.rules`' questions of reading: a page asks them many times, and a filter written
    as these ids and years is built, compiled and planned in a fraction of the subqueries
    it replaces (at national scale the dashboard's policy filters were a fifth of its
    CPU)."""
    if not user.is_authenticated:
        return ()
    org_ids = Official.objects.filter(user_id=user.pk).values("organization_id")
    # A typed NULL: PostgreSQL types an untyped one in the first part as text.
    null = Cast(models.Value(None), models.IntegerField())
    every_year = (models.Value(0), null)
    of_row = (F("first_year"), F("last_year"))
    no_council = null
    parts = [
        Membership.objects.filter(organization_id__in=org_ids).annotate(
            **_span_columns(F("bloc_id"), *of_row, True, no_council)
        ),
        SecretaryAssignment.objects.filter(user_id=user.pk).annotate(
            **_span_columns(F("bloc_id"), *every_year, False, no_council)
        ),
        # the council of the body that organizes the bloc: its officials, every year
        Bloc.objects.filter(organizing_body_id__in=org_ids).annotate(
            **_span_columns(F("pk"), *every_year, False, F("organizing_body_id"))
        ),
        # and the people assigned to that council, the years of their seat
        CouncilAssignment.objects.filter(
            user_id=user.pk,
            organizing_body__organized_blocs__isnull=False,
        ).annotate(
            **_span_columns(
                F("organizing_body__organized_blocs"), *of_row, False, F("organizing_body_id")
            )
        ),
    ]
    # Unordered parts: SQLite (the embedded default) refuses ORDER BY inside a UNION.
    first, *rest = [part.order_by().values_list(*_SPAN_COLUMNS) for part in parts]
    return tuple(ReadSpan(*row) for row in first.union(*rest, all=True))


class SecretariatSpan(NamedTuple):
    """Years `first` to `last` (None: still open) in which the user is the secretariat of
    the bloc `bloc_id`: an assignment's years, or the one year of a chair term."""

    bloc_id: int
    first: int
    last: int | None

    def covers(self, year: int) -> bool:
        return self.first <= year and (self.last is None or year <= self.last)


@remembered(_user_key)
def secretariat_spans(user: Person) -> tuple[SecretariatSpan, ...]:
    """Every bloc and year in which the user is the secretariat (admins aside), in one query
    kept for the request: their assignments and the chair terms of their organization. The
    source of `blocs.rules.is_secretariat` and `secretariat_years`: a page asks them of
    several blocs and years, a service of every sheet it saves. Its own query, not a part
    of `read_spans`' union: folded in, it cost the pages that ask only `read_spans` (the
    dashboards) more CPU than the query it saved."""
    if not user.is_authenticated:
        return ()
    org_ids = Official.objects.filter(user_id=user.pk).values("organization_id")
    assigned = SecretaryAssignment.objects.filter(user_id=user.pk).values_list(
        "bloc_id", "first_year", "last_year"
    )
    chaired = (
        ChairTerm.objects.filter(chair_id__in=org_ids)
        .annotate(last=F("year"))
        .values_list("bloc_id", "year", "last")
    )
    # Unordered parts: SQLite (the embedded default) refuses ORDER BY inside a UNION.
    rows = assigned.order_by().union(chaired.order_by(), all=True)
    return tuple(SecretariatSpan(*row) for row in rows)


def held_bloc_ids(user: Person) -> list[int]:
    """The blocs the user reads through a role of their own: every bloc of `read_spans`
    but those their organization joins only in a coming year."""
    this_year = current_year()
    return sorted(
        {
            span.bloc_id
            for span in read_spans(user)
            if not span.membership or span.first <= this_year
        }
    )


def readable_years(user: Person, *, bloc: str = "bloc", year: str = "year") -> Q:
    """A filter for rows of a bloc and a year (a meeting, a pledge, a document) that `user`
    reads: admins (superusers) every row; an official the years in which its organization
    was a member of the row's bloc (a former member reads its own years, not the later
    ones; a newcomer not the earlier ones); a person ever assigned to a bloc's secretariat
    every year of that bloc; the council of the bloc's organizing body (its officials every
    year, a person assigned to it the years of the assignment). `bloc` and `year` name the
    row's fields (lookups allowed). Written as the user's blocs and years (`read_spans`),
    one `bloc IN (…) AND year BETWEEN …` per distinct span."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    blocs_by_years: dict[tuple[int, int | None], set[int]] = {}
    for span in read_spans(user):
        blocs_by_years.setdefault((span.first, span.last), set()).add(span.bloc_id)
    rows = Q(pk__in=[])
    for (first, last), ids in sorted(blocs_by_years.items(), key=lambda item: item[0][0]):
        part = Q(**{f"{bloc}__in": sorted(ids)})
        if first > 0:
            part &= Q(**{f"{year}__gte": first})
        if last is not None:
            part &= Q(**{f"{year}__lte": last})
        rows |= part
    return rows


class Bloc(models.Model):
    """An emulation bloc (khối: similar organizations) or cluster (cụm: territorial units)."""

    class Kind(models.TextChoices):
        KHOI = "khoi", _("Bloc (khối)")
        CUM = "cum", _("Cluster (cụm)")

    name = models.CharField(_("name"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.KHOI)
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Organization.Level.choices,
        default=Organization.Level.PROVINCE,
    )
    number = models.CharField(
        _("number"), max_length=20, blank=True, help_text=_("e.g. 5 for “Cụm thi đua số 5”.")
    )
    organizing_body = models.ForeignKey(
        Organization,
        verbose_name=_("organizing body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organized_blocs",
    )
    locality = models.CharField(
        _("locality"),
        max_length=100,
        blank=True,
        help_text=_("Place name used in document dates, e.g. “Hải Phòng”."),
    )
    operating_rules = models.TextField(_("operating rules"), blank=True)
    search_name = models.CharField(max_length=400, editable=False, db_index=True, default="")
    sort_name = models.CharField(max_length=1200, editable=False, db_index=True, default="")

    objects = BlocQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_name", "name"]
        verbose_name = _("bloc")
        verbose_name_plural = _("blocs")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name, self.locality = nfc(self.name), nfc(self.locality)
        self.search_name = fold(f"{self.name} {self.locality}")
        self.sort_name = sort_key(self.name)[:1200]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("blocs:bloc_detail", args=[self.pk])

    def clean(self) -> None:
        self.name = nfc(self.name)
        check_same_name(self, BLOC_SAME_NAME)

    @property
    def kind_word(self) -> str:
        """The bloc's kind in a sentence: "khối" or "cụm" (lower case; capfirst at a start)."""
        if self.kind == self.Kind.CUM:
            return pgettext("in a sentence", "cluster")
        return pgettext("in a sentence", "bloc")

    @property
    def chair_word(self) -> str:
        """Its chair in a sentence: "trưởng khối" or "cụm trưởng"."""
        if self.kind == self.Kind.CUM:
            return pgettext("in a sentence", "cluster chair")
        return pgettext("in a sentence", "bloc chair")

    def for_kind(self, text: str) -> str:
        """A sentence written for both kinds ("trưởng khối/cụm") said for this bloc's."""
        return for_kind(str(text), cluster=self.kind == self.Kind.CUM)

    @property
    def chair_title(self) -> str:
        return str(_("Cluster chair") if self.kind == self.Kind.CUM else _("Bloc chair"))

    @property
    def deputy_title(self) -> str:
        return str(_("Cluster deputy") if self.kind == self.Kind.CUM else _("Bloc deputy"))


class YearSpanQuerySet(models.QuerySet):
    """Rows that hold for a span of years: `first_year` to `last_year` (none: still open)."""

    def active_in(self, year: int) -> Self:
        return self.filter(Q(last_year__isnull=True) | Q(last_year__gte=year), first_year__lte=year)


class YearSpan:
    """The years a membership or an assignment holds, from `first_year` to `last_year`."""

    first_year: int
    last_year: int | None

    @property
    def period(self) -> str:
        return f"{self.first_year}–{self.last_year or ''}"

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


class MembershipQuerySet(YearSpanQuerySet):
    def in_rotation_order(self) -> MembershipQuerySet:
        return self.order_by(F("rotation_order").asc(nulls_last=True), "organization__sort_name")


class Membership(YearSpan, models.Model):
    """An organization's membership of a bloc for a span of years (no last year: still a member)."""

    bloc = models.ForeignKey(
        Bloc, verbose_name=_("bloc"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(
        _("last year"), null=True, blank=True, help_text=_("Leave empty while still a member.")
    )
    rotation_order = models.PositiveSmallIntegerField(
        _("rotation order"),
        null=True,
        blank=True,
        help_text=_("Position in the chair rotation; lower comes first."),
    )

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc", "rotation_order", "organization__sort_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "organization"],
                condition=Q(last_year__isnull=True),
                name="one_open_membership_per_bloc_and_organization",
                violation_error_message=_("This organization is already a member of this bloc."),
            ),
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=F("first_year")),
                name="membership_last_year_not_before_first_year",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.bloc} ({self.period})"


class AssignedYears(YearSpan, models.Model):
    """The years of a person's assignment (to a secretariat, to a council): the same two
    fields and the same `active_in` for both kinds."""

    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(
        _("last year"),
        null=True,
        blank=True,
        help_text=_("Leave empty while the assignment lasts."),
    )

    objects = YearSpanQuerySet.as_manager()

    class Meta:
        abstract = True


class SecretaryAssignment(AssignedYears):
    """A person who works for a bloc's secretariat for some years, besides the officials of
    each year's chair organization. The years matter: when the chair rotates, the outgoing
    chair's assigned staff keep the years they were assigned to and nothing after."""

    bloc = models.ForeignKey(
        Bloc,
        verbose_name=_("bloc"),
        on_delete=models.CASCADE,
        related_name="secretary_assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="secretary_assignments",
    )
    history = HistoricalRecords()

    class Meta:
        # People by given name, then family name: Vietnamese lists sort by "Tên".
        ordering = ["bloc", "-first_year", "user__first_name", "user__last_name"]
        verbose_name = _("assigned secretary")
        verbose_name_plural = _("assigned secretaries")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "user", "first_year"],
                name="one_assignment_per_bloc_person_and_first_year",
                violation_error_message=_("This person is already assigned from that year."),
            ),
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=F("first_year")),
                name="assignment_last_year_not_before_first_year",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.user)} – {self.bloc} ({self.period})"


class CouncilAssignment(AssignedYears):
    """A person who sits on (or works for) the emulation and commendation council of a body
    that organizes blocs, for some years, besides that body's own officials. The council
    reads every bloc the body organizes in those years and writes none of their things."""

    organizing_body = models.ForeignKey(
        Organization,
        verbose_name=_("organizing body"),
        on_delete=models.CASCADE,
        related_name="council_assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="council_assignments",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["organizing_body", "-first_year", "user__first_name", "user__last_name"]
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        constraints = [
            models.UniqueConstraint(
                fields=["organizing_body", "user", "first_year"],
                name="one_council_assignment_per_body_person_and_first_year",
                violation_error_message=_("This person is already assigned from that year."),
            ),
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=F("first_year")),
                name="council_assignment_last_year_not_before_first_year",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.user)} – {self.organizing_body} ({self.period})"


class ChairTerm(models.Model):
    """The chair and deputy of a bloc for one year."""

    class Method(models.TextChoices):
        ROTATION = "rotation", _("Rotation")
        ELECTION = "election", _("Elected")
        APPOINTMENT = "appointment", _("Appointed")

    bloc = models.ForeignKey(
        Bloc, verbose_name=_("bloc"), on_delete=models.CASCADE, related_name="chair_terms"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    chair = models.ForeignKey(
        Organization, verbose_name=_("chair"), on_delete=models.PROTECT, related_name="+"
    )
    deputy = models.ForeignKey(
        Organization,
        verbose_name=_("deputy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(
        _("how chosen"), max_length=20, choices=Method.choices, default=Method.ROTATION
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    elected_at = models.ForeignKey(
        "Meeting",
        verbose_name=_("elected at meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="elected_terms",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc", "-year"]
        verbose_name = _("chair term")
        verbose_name_plural = _("chair terms")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year"],
                name="one_chair_term_per_bloc_and_year",
                violation_error_message=_("This bloc already has a chair term for that year."),
            ),
            models.CheckConstraint(
                condition=~Q(chair=F("deputy")),
                name="chair_term_chair_is_not_deputy",
                violation_error_message=_("The chair and the deputy must be different."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc} {self.year}: {self.chair}"


class Official(models.Model):
    """A user's profile: the organization they work for and their position."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="official",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="officials",
    )
    position = models.CharField(_("position"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__sort_name", "user__first_name", "user__last_name"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self) -> str:
        return f"{person_name(self.user)} ({self.organization.display_name})"


@remembered(_user_key)
def official_of(user: Person) -> Official | None:
    """The person's official record with its organization (a person has at most one), or
    None; one query kept for the request. Every page's header shows it, the dashboard
    starts from it and the policy asks it: `user.official` would be two queries each time
    (the record, then its organization)."""
    if not user.is_authenticated:
        return None
    return Official.objects.select_related("organization").filter(user_id=user.pk).first()


# The accounts' history (who changed which account, when: staff and superuser flags, names,
# e-mail, active flag), kept in this app's tables. Never the password hash; a password
# change or reset is a row of its own with its reason (portal.lib.audit). last_login is left
# out too: it changes at every login, which axes records anyway.
register(
    get_user_model(),
    app="blocs",
    excluded_fields=["password", "last_login"],
    table_name="blocs_historicaluser",
)
