"""Every write on construction projects, stewards, 企业服务日 issues, area assessments and utility
connections. Each state change runs in one transaction, locks the row it changes, and writes its
audit event (and outbox message) there. Rules and their sources:

- Plan 二(三)(1): whole approval within 90 / 50 / 15 working days for 政府投资 / 社会投资 / 小型低风险.
  The project clock counts from the day after the first stage is applied for (民法典 Art. 201) and
  pauses while a finished stage waits for the builder to apply for the next one.
- Four stages 立项用地规划许可 → 工程建设许可 → 施工许可 → 竣工验收; the items of a stage run in
  parallel, each a case in ``yiwang.cases``; a stage has its own clock; 联审 and 联合验收 stages are
  applied for with one submission and capped by a county limit (plan 四(二)1, 6).
- Plan 四(二)7: 拿地即开工 (工程建设许可 and 施工许可 run together) and a merged planning +
  construction permit, each only for the categories the settings make eligible.
- Plan 四(二)3: a published area assessment (区域评估) satisfies the matching item of every project
  in the area.
- Plan 三、3: one steward per project (一项目一管家), a service log, and 企业服务日 issues tracked to an
  answer within working days (county default).
- Plan 四(三)1: electricity connections within 5 / 20 / 6 / 22 / 32 working days by category; 四(三)2, 3:
  the approvals a connection needs run in parallel as cases, results sent to the utility automatically.

The services live in one module per part of a project's life: registration (the project, its stages
and limits), stages (applying for a stage, following its cases and their pauses), stewards (管家 and
the 企业服务日 issues), assessments (区域评估, 多测合并) and utilities (报装); this package exports them
all (``from yiwang.projects import services``).
"""

from yiwang.projects.services._common import (  # noqa: F401
    It,
    P,
    St,
    _check,
    _conflict,
    _error,
    _forbidden,
    _locked_project,
    _snap,
)
from yiwang.projects.services.assessments import assessment_publish, joint_survey_record  # noqa: F401
from yiwang.projects.services.registration import (  # noqa: F401
    _assessments_for,
    project_register,
    stage_days,
    whole_limit,
)
from yiwang.projects.services.stages import (  # noqa: F401
    STAGE_PAUSE_REASON,
    WAITING_REASON,
    _applicant_form,
    _complete_if_done,
    _may_apply,
    _open_one,
    _submit_item,
    project_case_changed,
    project_item_reapply,
    project_stage_open,
    stage_follow_case_pause,
)
from yiwang.projects.services.stewards import (  # noqa: F401
    project_steward_assign,
    service_day_hold,
    service_issue_raise,
    service_issue_resolve,
    steward_log_add,
)
from yiwang.projects.services.utilities import (  # noqa: F401
    CODE_ALPHABET,
    connection_apply,
    connection_complete,
    connection_due_on,
    utility_case_changed,
    utility_department,
)
