"""Who may do what with applicant accounts (rows of ``yiwang.org.scoping``'s action table).

A window clerk confirms that a person may act for an enterprise (授权委托书 seen at the window, or the
legal representative checked against the register); administrators may too.
"""

from yiwang.org.models import Role
from yiwang.org.scoping import Anchor, register_action

register_action(
    "account.authorise",
    roles={Role.CLERK.value},
    anchor=Anchor.PLATFORM,
    label="确认企业经办人授权",
)
