"""Open311 GeoReport v2: response shapes in JSON and XML (http://wiki.open311.org/GeoReport_v2)."""

import xml.etree.ElementTree as ET

import pytest

from yiwang.hotline import services
from yiwang.hotline.models import Appeal

SERVICE_KEYS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_KEYS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - the application's own response, not outside input


ATTRIBUTE_KEYS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"}


def test_it_answers_discovery_in_json_and_xml(client):
    body = client.get("/open311/v2/discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}

    response = client.get("/open311/v2/discovery.xml")
    assert response["Content-Type"].startswith("text/xml")
    root = parse_xml(response.content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("./endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_it_lists_services(client, categories):
    body = client.get("/open311/v2/services.json").json()
    assert isinstance(body, list) and len(body) == 3
    for service in body:
        assert set(service) == SERVICE_KEYS
        assert service["type"] in {"realtime", "batch", "blackbox"}
        assert isinstance(service["metadata"], bool)

    root = parse_xml(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services"
    assert {child.tag for child in root.find("service")} == SERVICE_KEYS
    assert root.find("service/metadata").text == "true"


def test_it_defines_a_service(client, categories):
    body = client.get("/open311/v2/services/rural-roads.json").json()
    assert body["service_code"] == "rural-roads"
    for attribute in body["attributes"]:
        assert set(attribute) == ATTRIBUTE_KEYS
        assert attribute["datatype"] in {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
        assert all(set(v) == {"key", "name"} for v in attribute["values"])

    root = parse_xml(client.get("/open311/v2/services/rural-roads.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None


def test_it_answers_404_in_the_spec_error_shape(client, categories):
    response = client.get("/open311/v2/services/nope.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "service_code nope not found"}]
    root = parse_xml(client.get("/open311/v2/services/nope.xml").content)
    assert root.tag == "errors" and root.find("error/code").text == "404"


@pytest.fixture
def posted(client, categories, meixian):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "service_code": "rural-roads",
            "lat": "34.274",
            "long": "107.750",
            "description": "红河谷村通村路坑洼积水，车辆通行困难，请尽快修补。",
            "first_name": "建国",
            "last_name": "张",
            "phone": "13991712345",
            "attribute[town]": "610326105",
            "attribute[public]": "true",
        },
    )
    assert response.status_code == 201, response.content
    return response.json()[0]


def test_it_files_a_request(posted):
    assert set(posted) == {"service_request_id", "service_notice", "account_id"}
    appeal = Appeal.objects.get(code=posted["service_request_id"])
    assert appeal.channel == "api" and appeal.town.code == "610326105"
    assert appeal.contact_name == "张建国" and not appeal.anonymous
    assert float(appeal.latitude) == pytest.approx(34.274)


def test_it_reads_a_request_back_without_personal_data(client, posted):
    body = client.get(f"/open311/v2/requests/{posted['service_request_id']}.json").json()
    assert len(body) == 1
    request = body[0]
    assert set(request) == REQUEST_KEYS
    assert request["status"] == "open" and request["service_code"] == "rural-roads"
    assert "13991712345" not in str(request) and "张建国" not in str(request)

    root = parse_xml(client.get(f"/open311/v2/requests/{posted['service_request_id']}.xml").content)
    assert root.tag == "service_requests"
    assert {child.tag for child in root.find("request")} == REQUEST_KEYS


def test_it_lists_consented_requests_and_filters_them(client, posted, operator, meixian):
    hidden = services.appeal_submit(
        channel="phone",
        kind="complaint",
        title="不公开的诉求",
        content="这条诉求未同意公开，不应出现在列表中。",
        actor=operator,
        anonymous=True,
    )
    body = client.get("/open311/v2/requests.json").json()
    ids = [r["service_request_id"] for r in body]
    assert posted["service_request_id"] in ids and hidden.code not in ids
    assert client.get("/open311/v2/requests.json?status=closed").json() == []
    assert client.get("/open311/v2/requests.json?service_code=food-safety").json() == []
    assert client.get("/open311/v2/requests.json?status=maybe").status_code == 400
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400


def test_it_refuses_a_request_without_location_or_service(client, categories):
    response = client.post(
        "/open311/v2/requests.json", {"service_code": "rural-roads", "description": "路坏了请修一修"}
    )
    assert response.status_code == 400
    assert "location" in response.json()[0]["description"]
    response = client.post("/open311/v2/requests.xml", {"lat": "34.2", "long": "107.7"})
    assert response.status_code == 400
    assert parse_xml(response.content).find("error/description").text == "service_code is required"
    assert Appeal.objects.count() == 0


def test_it_creates_one_request_for_a_retry(client, categories):
    data = {
        "service_code": "rural-roads",
        "address_string": "营头镇红河谷村",
        "description": "通村路坑洼积水，请修补。",
    }
    first = client.post("/open311/v2/requests.json", data, headers={"Idempotency-Key": "o311-1"})
    second = client.post("/open311/v2/requests.json", data, headers={"Idempotency-Key": "o311-1"})

    assert first.json() == second.json()
    assert Appeal.objects.count() == 1


def test_it_requires_a_configured_api_key(client, categories, settings):
    settings.HOTLINE = {"OPEN311_API_KEYS": ["secret-key"]}
    data = {"service_code": "rural-roads", "address_string": "营头镇", "description": "通村路坑洼积水，请修补。"}

    assert client.post("/open311/v2/requests.json", data).status_code == 403
    assert client.post("/open311/v2/requests.json", {**data, "api_key": "secret-key"}).status_code == 201


def test_it_publishes_only_town_and_village_and_rounded_coordinates(client, categories, meixian):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "service_code": "rural-roads",
            "lat": "34.274567",
            "long": "107.750432",
            "address_string": "营头镇红河谷村三组张家门前12号",
            "description": "通村路坑洼积水，请修补。",
            "attribute[town]": "610326105",
            "attribute[public]": "true",
        },
    )
    code = response.json()[0]["service_request_id"]

    for url in (f"/open311/v2/requests/{code}.json", f"/open311/v2/requests.json?service_request_id={code}"):
        request = client.get(url).json()[0]
        assert "张家门前" not in str(request) and "12号" not in str(request)
        town = Appeal.objects.get(code=code).town.name
        assert request["address"] == town
        assert request["lat"] == 34.275 and request["long"] == 107.750


def test_it_does_not_reveal_unconsented_requests_asked_for_by_id(client, posted, operator, meixian):
    hidden = services.appeal_submit(
        channel="phone",
        kind="complaint",
        title="不公开的诉求",
        content="这条诉求未同意公开，住址在营头镇某村。",
        actor=operator,
        anonymous=True,
    )

    body = client.get(
        f"/open311/v2/requests.json?service_request_id={hidden.code},{posted['service_request_id']}"
    ).json()
    assert [r["service_request_id"] for r in body] == [posted["service_request_id"]]
    assert "未同意公开" not in str(body)

    # Tracked by its own code it shows the status only: no text, no place.
    detail = client.get(f"/open311/v2/requests/{hidden.code}.json").json()[0]
    assert detail["status"] == "open"
    assert detail["description"] is None and detail["address"] is None
    assert detail["lat"] is None and detail["long"] is None


def test_it_caps_the_number_of_ids_per_request(client, posted):
    ids = ",".join([posted["service_request_id"]] + [f"YW{n:011d}" for n in range(50)])

    response = client.get(f"/open311/v2/requests.json?service_request_id={ids}")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400 and "50" in response.json()[0]["description"]
    root = parse_xml(client.get(f"/open311/v2/requests.xml?service_request_id={ids}").content)
    assert root.tag == "errors" and root.find("error/code").text == "400"

    ok = client.get(f"/open311/v2/requests.json?service_request_id={','.join(ids.split(',')[:50])}")
    assert ok.status_code == 200 and len(ok.json()) == 1
