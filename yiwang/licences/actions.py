"""The e-licence app's rows of the action table (``yiwang.org.scoping``)."""

from yiwang.org.models import Role
from yiwang.org.scoping import Anchor, register_action

register_action("licence.hold", roles={Role.CITIZEN, Role.ENTERPRISE}, anchor=Anchor.PLATFORM, label="查看本人证照")
register_action("licence.issue", roles={Role.HANDLER}, anchor=Anchor.DEPARTMENT, label="签发电子证照")
register_action("licence.revoke", roles={Role.HANDLER}, anchor=Anchor.DEPARTMENT, label="注销电子证照")
register_action(
    "licence.read",
    roles={Role.HANDLER: Anchor.DEPARTMENT, Role.LEADER: Anchor.REGION, Role.SUPERVISOR: Anchor.REGION},
    label="查看电子证照与调用记录",
)
register_action("licence.manage_keys", roles={}, label="管理签章密钥")
