from django.urls import path

from .views import counter, founding, handling, kiosk, leader, leader_lists, portal

app_name = "cases"

urlpatterns = [
    # Applicant (portal)
    path("guide/", portal.guide_index, name="guide"),
    path("guide/<slug:slug>/", portal.guide_event, name="guide_event"),
    path("apply/<str:kind>/<str:code>/", portal.apply, name="apply"),
    path("founding/", founding.founding_new, name="founding_new"),
    path("founding/name-check/", founding.founding_name_check_view, name="founding_name_check"),
    path("dissolution/", founding.dissolution_start, name="dissolution_start"),
    path("mine/", portal.my_cases, name="my_cases"),
    path("mine/<str:number>/", portal.my_case, name="my_case"),
    path("mine/<str:number>/upload/", portal.my_case_upload, name="my_case_upload"),
    path("mine/<str:number>/supplied/", portal.my_case_supplied, name="my_case_supplied"),
    path("mine/<str:number>/withdraw/", portal.my_case_withdraw, name="my_case_withdraw"),
    path("status/", portal.status, name="status"),
    path("notices/<int:pk>.pdf", portal.notice_download, name="notice_pdf"),
    path("help/", portal.help_request, name="help_request"),
    path("help/queue/", portal.help_queue, name="help_queue"),
    # Kiosk (7×24 自助)
    path("kiosk/", kiosk.kiosk_home, name="kiosk"),
    path("kiosk/identify/", kiosk.kiosk_identify, name="kiosk_identify"),
    path("kiosk/exit/", kiosk.kiosk_exit, name="kiosk_exit"),
    path("kiosk/cases/", kiosk.kiosk_cases, name="kiosk_cases"),
    path("kiosk/items/", kiosk.kiosk_items, name="kiosk_items"),
    path("kiosk/apply/<str:code>/", kiosk.kiosk_apply, name="kiosk_apply"),
    path("kiosk/receipt/<str:number>/", kiosk.kiosk_receipt, name="kiosk_receipt"),
    path("kiosk/receipt/<str:number>/print/", kiosk.kiosk_print, name="kiosk_print"),
    # Window (综合窗口)
    path("counter/", counter.counter_home, name="counter"),
    path("counter/new/<str:kind>/<str:code>/", counter.counter_intake, name="counter_intake"),
    path("counter/case/<str:number>/", counter.counter_case, name="counter_case"),
    path("counter/delivery/", counter.delivery_desk, name="delivery_desk"),
    path("counter/delivery/<str:number>/", counter.counter_deliver, name="counter_deliver"),
    # Department (后台分类办理)
    path("handling/", handling.queue, name="handler_queue"),
    path("handling/case/<str:number>/", handling.handler_case, name="handler_case"),
    path("handling/verifications/", handling.verifications, name="verifications"),
    path("handling/extensions/", handling.extensions, name="extensions"),
    # Leader
    path("leader/", leader.leader_page, name="leader"),
    path("leader/export.xlsx", leader.leader_export, name="leader_export"),
    path("leader/rows/", leader_lists.leader_rows, name="leader_rows"),
    path("leader/overdue/", leader_lists.leader_overdue, name="leader_overdue"),
]
