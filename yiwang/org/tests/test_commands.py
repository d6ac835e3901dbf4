import io

from django.core.management import call_command

from yiwang.org.models import Department, Region


def test_it_loads_regions_and_departments_from_the_command(db):
    out = io.StringIO()
    call_command("org_load_data", stdout=out)
    assert "行政区划：新建 49" in out.getvalue()
    assert "部门：新建 57" in out.getvalue()
    assert Region.objects.count() == 49 and Department.objects.count() == 57
    out = io.StringIO()
    call_command("org_load_data", stdout=out)
    assert "部门：新建 0，更新 0，新增别名 0" in out.getvalue()
