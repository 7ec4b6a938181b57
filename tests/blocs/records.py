"""A meeting record complete enough to approve: presiding person, secretary, end time."""

import datetime as dt

from blocs.models import Meeting, MeetingPerson


def complete_record(meeting: Meeting, *, presiding: int = 1) -> Meeting:
    """Give `meeting` what approval needs (rows written directly: the tests are about what
    comes after); returns it reloaded."""
    for i in range(presiding):
        MeetingPerson.objects.create(
            meeting=meeting,
            role=MeetingPerson.Role.PRESIDING,
            name=f"Vũ Thị Bích Liên {i + 1}" if presiding > 1 else "Vũ Thị Bích Liên",
            position="Chủ tịch Hội LHPN thành phố",
            order=i,
        )
    MeetingPerson.objects.create(
        meeting=meeting,
        role=MeetingPerson.Role.SECRETARY,
        name="Trần Thu Hà",
        position="Chuyên viên",
    )
    if meeting.ends_at is None:
        Meeting.objects.filter(pk=meeting.pk).update(
            ends_at=meeting.starts_at + dt.timedelta(hours=3)
        )
    meeting.refresh_from_db()
    return meeting
