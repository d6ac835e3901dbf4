from yiwang.org.models import Region, ServiceHall, Window
from yiwang.org.services import hall_create, region_create, window_create


def make_halls() -> dict:
    """A county with two towns, the county hall (3 windows, one inactive) and a town centre."""
    shaanxi = region_create(code="610000", name="陕西省", level=Region.Level.PROVINCE, actor=None)
    baoji = region_create(code="610300", name="宝鸡市", level=Region.Level.CITY, parent=shaanxi, actor=None)
    county = region_create(code="610326", name="眉县", level=Region.Level.COUNTY, parent=baoji, actor=None)
    region_create(code="610326001", name="首善街道", level=Region.Level.TOWN, parent=county, actor=None)
    yingtou = region_create(code="610326100", name="营头镇", level=Region.Level.TOWN, parent=county, actor=None)
    hall = hall_create(
        name="眉县政务服务中心", kind=ServiceHall.Kind.COUNTY_HALL, region=county, address="首善街道平阳街", actor=None
    )
    for number in (1, 2, 3):
        window_create(hall=hall, number=number, actor=None)
    Window.objects.filter(hall=hall, number=3).update(is_active=False)
    town_centre = hall_create(
        name="营头镇便民服务中心", kind=ServiceHall.Kind.TOWN_CENTRE, region=yingtou, address="营头镇营头村", actor=None
    )
    window_create(hall=town_centre, number=1, actor=None)
    return {"county": county, "yingtou": yingtou, "hall": hall, "town_centre": town_centre}
