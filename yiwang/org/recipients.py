"""How the notifier's queue recipients become people: active users holding the role there.

Core defines the recipients (``yiwang.core.notify``) but knows nothing of memberships; org
registers ``resolve_queue`` in ``OrgConfig.ready``.

- ``ToDepartment(department_id, roles)``: members of that department holding one of ``roles``.
- ``ToRegionQueue(region_code, role)``: holders of ``role`` anchored in exactly that region — by the
  membership's region, its department's region or its hall's region (the county's 12345 dispatchers
  sit in a county department; a town's intake clerks at the town's hall). Sub-regions are not
  included: a town's queue is not the county's.
"""

from django.db.models import Q

from yiwang.core.notify import ToDepartment, ToRegionQueue
from yiwang.org.models import Membership


def resolve_queue(recipient: ToDepartment | ToRegionQueue) -> list[int]:
    members = Membership.objects.filter(user__is_active=True)
    if isinstance(recipient, ToDepartment):
        members = members.filter(department_id=recipient.department_id, role__in=list(recipient.roles))
    elif isinstance(recipient, ToRegionQueue):
        code = recipient.region_code
        members = members.filter(role=recipient.role).filter(
            Q(region__code=code) | Q(department__region__code=code) | Q(hall__region__code=code)
        )
    else:
        raise TypeError(f"not a queue recipient: {recipient!r}")
    return sorted(set(members.values_list("user_id", flat=True)))
