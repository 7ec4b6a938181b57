"""manage.py load_demo: the seed articles' facts, idempotence, and the demo logins."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from blocs import demo
from blocs.models import Bloc, ChairTerm, Official, current_year
from blocs.rules import is_secretariat

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    # The test runner turns DEBUG off, which the command refuses without --force.
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [*apps.get_app_config("blocs").get_models(), get_user_model()]
    return {m._meta.label: m._default_manager.count() for m in models}


def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=StringIO())


def test_running_twice_changes_nothing():
    first_output = load()
    first = row_counts()
    second_output = load()

    assert row_counts() == first
    assert first["blocs.Bloc"] == 5
    assert first["blocs.HistoricalChairTerm"] == first["blocs.ChairTerm"]  # no re-saves
    assert "created" in first_output
    assert "Nothing to change" in second_output
    for account in demo.DEMO_ACCOUNTS:
        assert account.username in second_output
        assert account.password in second_output


def test_hai_phong_chairs_from_the_article_then_rotation():
    load()
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    terms = {t.year: t for t in ChairTerm.objects.filter(bloc=bloc).select_related("chair")}

    assert terms[2020].chair.name == demo.HP_HLHPN
    assert terms[2020].deputy.name == demo.HP_TD
    assert terms[2021].chair.name == demo.HP_TD
    assert terms[2021].method == ChairTerm.Method.ELECTION
    assert "29/12/2020" in terms[2021].note
    assert sorted(terms) == list(range(2020, current_year() + 1))
    generated = [terms[y] for y in range(2022, current_year() + 1)]
    assert all(t.method == ChairTerm.Method.ROTATION for t in generated)
    assert all(t.note == demo.ROTATION_NOTE for t in generated)
    # Rotation: last year's deputy chairs.
    assert terms[2022].chair_id == terms[2021].deputy_id


def test_hanoi_cluster_and_seed_officials():
    load()
    cluster = Bloc.objects.get(name=demo.HN_CLUSTER)
    assert cluster.kind == Bloc.Kind.CUM
    assert cluster.number == "5"
    assert cluster.organizing_body.name == demo.HN_MTTQ
    assert cluster.memberships.filter(organization__name=demo.HN_SON_TAY).exists()

    lien = Official.objects.select_related("user", "organization").get(
        user__username="vu.thi.bich.lien"
    )
    assert lien.user.get_full_name() == "Vũ Thị Bích Liên"
    assert lien.organization.name == demo.HP_HLHPN
    assert not lien.user.has_usable_password()


def test_demo_users_log_in_with_their_roles(client):
    load()
    hp_bloc = Bloc.objects.get(name=demo.HP_BLOC)
    hn_cluster = Bloc.objects.get(name=demo.HN_CLUSTER)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["admin", "thuky", "hoivien"])
    }

    for account in demo.DEMO_ACCOUNTS:
        assert client.login(username=account.username, password=account.password)
        client.logout()
    assert users["admin"].is_staff and users["admin"].is_superuser

    this_year = ChairTerm.objects.get(bloc=hp_bloc, year=current_year())
    assert users["thuky"].official.organization == this_year.chair
    assert hp_bloc.secretaries.filter(pk=users["thuky"].pk).exists()
    assert is_secretariat(users["thuky"], hp_bloc)

    hoivien = users["hoivien"]
    assert hoivien.official.organization != this_year.chair
    assert not is_secretariat(hoivien, hp_bloc)
    visible = Bloc.objects.visible_to(hoivien)
    assert hp_bloc in visible
    assert hn_cluster not in visible


def test_passwords_are_reset_on_each_run(client):
    load()
    thuky = get_user_model().objects.get(username="thuky")
    thuky.set_password("something-else")
    thuky.save()
    load()
    assert client.login(username="thuky", password=demo.SECRETARY.password)
