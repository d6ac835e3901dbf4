"""Every message ``projects`` sends, registered once with the notifier (``yiwang.core.notify``)."""

from yiwang.core.notify import MessageTemplate, register_templates

TEMPLATES = {
    "projects.stage_ready": MessageTemplate(
        title="项目可申报下一阶段",
        body="项目“{project}”{previous}阶段已完成，可申报{stage}阶段。",
    ),
    "projects.stage_deadline": MessageTemplate(
        title="项目阶段{status}",
        body="项目“{project}”{stage}阶段（时限 {days} 个工作日，{due_on} 到期）{status}，请督促办理部门。",
    ),
    "projects.project_completed": MessageTemplate(
        title="项目审批完成", body="项目“{project}”审批完成，用时 {workdays} 个工作日（时限 {limit} 个工作日）。"
    ),
    "projects.survey_shared": MessageTemplate(
        title="联合测绘成果已共享",
        body="项目“{project}”的联合测绘成果（{kinds}，{surveyor}）已提交共享，验收时请直接调用，勿要求企业重复测绘。",
    ),
    "projects.issue_raised": MessageTemplate(
        title="企业服务日问题待办理",
        body="{enterprise}反映：{text}。请在 {days} 个工作日内（{due_on} 前）办理并答复。",
    ),
    "projects.issue_deadline": MessageTemplate(
        title="企业问题{status}", body="{enterprise}反映的问题（{due_on} 到期）{status}：{text}"
    ),
    "projects.issue_resolved": MessageTemplate(title="问题已解决", body="您反映的问题已办理：{resolution}"),
    "projects.utility_approval_result": MessageTemplate(
        title="涉电（水、气）审批结果",
        body="报装{number}（{address}）所需“{approval}”审批结果：{result}（办件编号 {case}）。",
    ),
    "projects.utility_accepted": MessageTemplate(
        title="报装已受理",
        body="您的{kind}报装已受理，编号{number}，查询码{code}，承诺{days}个工作日内完成。",
        sms="【{sign}】您的{kind}报装已受理，编号{number}，查询码{code}，承诺{days}个工作日内完成。",
    ),
    "projects.utility_deadline": MessageTemplate(
        title="报装{status}", body="报装{number}（{category}，{due_on} 到期）{status}。"
    ),
}

register_templates(TEMPLATES)
