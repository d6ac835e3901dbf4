"""Every write on cases. Each state change runs in one transaction, locks the case row
(``select_for_update``), checks the transition in ``workflow.py``, and writes the audit event, the
timeline entry and the outbox message there. Rules and their sources:

- 行政许可法 Art. 32: on the spot or within 5 working days the window accepts, rejects with reasons, or
  tells the applicant *once* everything to correct (一次性告知). A second correction may only repeat
  materials the first one named.
- 行政许可法 Art. 42: decide within the promised days counted from the day after acceptance
  (民法典 Art. 201); one extension of 10 working days with approval, with the reason told to the applicant.
- 行政许可法 Art. 45: hearings, tenders, testing, site inspection and expert review are not counted.
- 容缺受理 (plan 四（十五）8): non-key materials may be supplied later, by a due date, where credit allows.
- 告知承诺 (国办发〔2020〕42号): a signed pledge replaces named proofs; the department verifies after
  approval; a false pledge is recorded and bars further pledges.
- 一件事一次办 (plan 四（十五）3): one form, one material list; one sub-case per item in its department;
  the bundle completes when all do.

The services live in one module per stage (intake, acceptance, handling, decision, delivery, review
chains, remote help, sweep, the window after acceptance); this package exports them all, so callers write
``from yiwang.cases import services`` and ``services.case_accept(...)``.
"""

from yiwang.cases.services._common import (  # noqa: F401
    CASE_AUDIT_FIELDS,
    CODE_ALPHABET,
    DEFAULT_PLEDGE_TEXT,
    HALL_CHANNELS,
    IDENTITY_FIELDS,
    NOTICE_PREFIX,
    S,
    _audit,
    _check_applicant_side,
    _check_clerk,
    _check_handler,
    _check_not_parent,
    _conflict,
    _event,
    _forbidden,
    _issue_notice,
    _issuer,
    _locked,
    _notify_applicant,
    _notify_department,
    _now,
    _required,
    _set_due,
    _snap,
    _stop_clock,
    _today,
)
from yiwang.cases.services.acceptance import (  # noqa: F401
    _acceptance_content,
    _activate_next_step,
    _chain_for,
    _create_steps,
    _credit_subject,
    _due_text,
    _fan_out,
    _start_clock_for_case,
    _step_days,
    case_accept,
    case_correction_request,
    case_correction_supply,
    case_reject,
    case_withdraw,
)
from yiwang.cases.services.chains import (  # noqa: F401
    review_chain_set,
    review_chain_validate,
)
from yiwang.cases.services.decision import (  # noqa: F401
    _complete_bundle_if_done,
    _decision_notice,
    _delivery_text,
    _finish,
    _open_verification_if_pledged,
    case_decide,
    pledge_verification_complete,
)
from yiwang.cases.services.delivery import (  # noqa: F401
    _check_deliverer,
    case_deliver,
)
from yiwang.cases.services.handling import (  # noqa: F401
    _check_separation,
    _is_department_handler,
    _may_approve_extension,
    _require_in_review,
    case_assign,
    case_extension_decide,
    case_extension_request,
    case_pause,
    case_resume,
    review_step_complete,
)
from yiwang.cases.services.help import (  # noqa: F401
    _check_staff,
    _help_log,
    help_request_complete,
    help_request_create,
    help_request_note,
    help_request_take,
)
from yiwang.cases.services.intake import (  # noqa: F401
    ApplicantInput,
    SubmissionFiles,
    _apply_licences,
    _check_files,
    _check_form,
    _clean_applicant,
    _delete_files,
    _material_rows,
    _save_upload,
    case_material_upload,
    case_submit,
    submitted_materials,
)
from yiwang.cases.services.sweep import (  # noqa: F401
    ALARM_TEMPLATES,
    cases_sweep,
    on_case_deadline,
)
from yiwang.cases.services.window import (  # noqa: F401
    deferral_supplied,
    deferred_material_receive,
    pledge_signature_record,
)
