from django.urls import path

from . import views

app_name = "pledges"

# Pledge, signing, registration (views/pledge/)
pledge_urls = [
    path("bloc/<int:pk>/", views.pledge_list, name="pledge_list"),
    path("bloc/<int:pk>/new/", views.pledge_create, name="pledge_create"),
    path("bloc/<int:pk>/history/", views.bloc_history, name="bloc_history"),
    path("<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("<int:pk>/items/", views.pledge_items, name="pledge_items"),
    path("<int:pk>/criteria/", views.pledge_criteria, name="pledge_criteria"),
    path("<int:pk>/status/", views.pledge_status, name="pledge_status"),
    path("<int:pk>/sign/", views.pledge_sign, name="pledge_sign"),
    path("<int:pk>/registration/", views.registration, name="registration"),
    path("<int:pk>/registrations/", views.registration_list, name="registration_list"),
    path("<int:pk>/registrations.xlsx", views.registrations_xlsx, name="registrations_xlsx"),
]

# Scoring (views/sheets.py, verification.py, evidence.py, adjustments.py)
scoring_urls = [
    path("<int:pk>/score/", views.self_score, name="self_score"),
    path("<int:pk>/score/<int:org>/return/", views.self_score_return, name="self_score_return"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/verify/all/", views.verify_all, name="verify_all"),
    path("<int:pk>/reminders/", views.reminders, name="reminders"),
    path("<int:pk>/cross/<int:org>/", views.cross_score, name="cross_score"),
    path("<int:pk>/adjustments/", views.adjustments, name="adjustments"),
]

# Ballots, proposals, results (views/results.py)
results_urls = [
    path("<int:pk>/ballots/", views.ballots, name="ballots"),
    path("ballots/<int:pk>/delete/", views.ballot_delete, name="ballot_delete"),
    path("<int:pk>/proposals/", views.proposals, name="proposals"),
    path("<int:pk>/proposals.xlsx", views.proposals_xlsx, name="proposals_xlsx"),
    path("proposals/<int:pk>/delete/", views.proposal_delete, name="proposal_delete"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<int:pk>/charts/groups.svg", views.chart_groups, name="chart_groups"),
    path("<int:pk>/charts/rank/<int:org>.svg", views.chart_rank, name="chart_rank"),
]

urlpatterns = pledge_urls + scoring_urls + results_urls
