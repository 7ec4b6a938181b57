"""The admin pages of django-axes that an administrator needs: who is locked out and the
failed logins (to unlock, delete the lock). Axes' own registration is off
(AXES_ENABLE_ADMIN = False) so that its log of successful logins, whose rows are named in
English by the library ("Access Log for … @ …"), stays out of the Vietnamese admin."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin

admin.site.register(AccessAttempt, AccessAttemptAdmin)
admin.site.register(AccessFailureLog, AccessFailureLogAdmin)
