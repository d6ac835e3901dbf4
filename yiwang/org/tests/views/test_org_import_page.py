"""The administrators' page for loading regions and departments from a clerk's workbook."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from yiwang.core.models import AuditEvent
from yiwang.org.models import Department, Region
from yiwang.org.tests.services.test_org_import import GUANGAN_DEPARTMENTS, GUANGAN_REGIONS, clerk_file


def _upload(client, path):
    with open(path, "rb") as handle:
        return client.post("/org/import/", {"file": handle})


def test_an_administrator_imports_a_workbook_and_a_second_upload_changes_nothing(client, admin_user, tmp_path):
    path = clerk_file(tmp_path / "广安区.xlsx", GUANGAN_REGIONS, GUANGAN_DEPARTMENTS)
    client.force_login(admin_user)
    response = _upload(client, path)
    html = response.content.decode()
    assert response.status_code == 200
    assert "行政区划：新建 6，更新 0，未变 0" in html
    assert "部门：新建 4，更新 0，未变 0；新增别名 5" in html
    assert Department.objects.get(code="ga-rsj").region.name == "广安区"
    assert AuditEvent.objects.get(action="org.import").actor_id == admin_user.pk

    html = _upload(client, path).content.decode()
    assert "无变化：文件与现有数据一致（行政区划 6，部门 4）" in html
    assert AuditEvent.objects.filter(action="org.import").count() == 1


def test_it_lists_every_error_and_changes_nothing(client, admin_user, tmp_path):
    path = clerk_file(
        tmp_path / "bad.xlsx",
        [["511600", "广安市", "市级", "510000", None]],
        [["ga-rsj", "广安区人力资源和社会保障局", None, None, "511602", "委办局"]],
    )
    client.force_login(admin_user)
    response = _upload(client, path)
    html = response.content.decode()
    assert response.status_code == 400
    assert "导入文件有3处错误，行政区划和部门未做任何修改" in html
    assert "<td>行政区划</td><td>2</td><td>上级区划代码</td>" in html
    assert "<td>部门</td><td>2</td><td>所属区划代码</td>" in html
    assert "<td>部门</td><td>2</td><td>类别</td>" in html
    assert not Region.objects.filter(code="511600").exists()


def test_it_refuses_a_file_that_is_not_a_workbook(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/org/import/", {"file": SimpleUploadedFile("清单.xlsx", b"not a workbook")})
    assert response.status_code == 400
    assert "无法读取文件：请上传按模板填写的 .xlsx 文件" in response.content.decode()
    assert not AuditEvent.objects.filter(action="org.import").exists()


def test_it_serves_the_template(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/org/import/template.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["行政区划", "部门", "填写说明"]


def test_only_administrators_reach_the_page(client, handler_a, supervisor, tmp_path):
    assert client.get("/org/import/").status_code == 302  # to sign in
    for user in (handler_a, supervisor):
        client.force_login(user)
        assert client.get("/org/import/").status_code == 403
        wb = Workbook()
        wb.save(tmp_path / "x.xlsx")
        assert _upload(client, tmp_path / "x.xlsx").status_code == 403


def test_the_admin_lists_link_to_the_import_page(client, admin_user):
    client.force_login(admin_user)
    for url in ("/admin/org/department/", "/admin/org/region/"):
        html = client.get(url).content.decode()
        assert '<a href="/org/import/">从 Excel 导入区划与部门</a>' in html
