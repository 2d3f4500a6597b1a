"""Travel matrices: the estimate's figures, and OSRM through a fake server on 127.0.0.1."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from baoxiu.dispatch import travel
from baoxiu.dispatch.travel import (
    UNREACHABLE,
    AreaType,
    EstimateProvider,
    OsrmProvider,
    TravelProviderError,
    get_travel_provider,
    great_circle_m,
    travel_matrix,
)

# Shenzhen: 科技园 (Nanshan), 深圳北站 (Longhua), 大鹏 (far east).
NANSHAN = (113.9440, 22.5400)
LONGHUA = (114.0296, 22.6093)
DAPENG = (114.4800, 22.5900)


# ---- estimate ------------------------------------------------------------------------


def test_great_circle_matches_a_known_distance():
    # One degree of latitude along a meridian: 111.195 km on the mean sphere.
    metres = great_circle_m(np.array([[114.0, 22.0]]), np.array([[114.0, 23.0]]))
    assert metres.shape == (1, 1)
    assert round(float(metres[0, 0])) == 111_195


def test_estimate_durations_follow_the_documented_bands():
    provider = EstimateProvider()
    origin = np.array([[114.0, 22.0]])
    # Straight lines whose road length (× 1.35) is 2.7 km, 13.5 km and 40.5 km.
    north = [[114.0, 22.0 + km / 1.35 / 111.195] for km in (2.7, 13.5, 40.5)]
    result = provider.matrix(origin, np.array(north))

    assert result.durations_s.dtype == np.int32 and result.distances_m.dtype == np.int32
    assert result.distances_m.tolist() == [[2700, 13500, 40500]]
    urban, suburban, rural = 22 / 3.6, 35 / 3.6, 55 / 3.6
    expected = [
        2700 / urban,
        5000 / urban + 8500 / suburban,
        5000 / urban + 15000 / suburban + 20500 / rural,
    ]
    assert result.durations_s.tolist() == [[round(s) for s in expected]]
    assert result.source == "estimate"


def test_estimate_time_never_shrinks_as_distance_grows():
    lats = 22.0 + np.linspace(0, 0.5, 400)
    points = np.column_stack([np.full(400, 114.0), lats])
    seconds = EstimateProvider().matrix(points[:1], points).durations_s[0]
    assert seconds[0] == 0
    assert (np.diff(seconds) >= 0).all()


def test_estimate_matrix_shape_and_diagonal():
    points = np.array([NANSHAN, LONGHUA, DAPENG])
    result = EstimateProvider().matrix(points, points)
    assert result.shape == (3, 3)
    assert result.durations_s.diagonal().tolist() == [0, 0, 0]
    assert (result.durations_s == result.durations_s.T).all()
    # 科技园 → 深圳北站: 11.7 km straight, 15.8 km by road, 32 minutes.
    assert (result.distances_m[0, 1], result.durations_s[0, 1]) == (15_780, 1927)


def test_rural_hint_drives_at_the_rural_speed_from_the_first_metre():
    origin = np.array([[114.0, 22.0]])
    destination = np.array([[114.0, 22.0 + 2.7 / 1.35 / 111.195]])  # 2.7 km of road
    provider = EstimateProvider()
    rural = provider.matrix(
        origin, destination, origin_areas=[AreaType.RURAL], destination_areas=[AreaType.RURAL]
    )
    mixed = provider.matrix(
        origin, destination, origin_areas=[AreaType.RURAL], destination_areas=[AreaType.URBAN]
    )
    assert rural.durations_s.tolist() == [[round(2700 / (55 / 3.6))]]
    assert mixed.durations_s.tolist() == [[round(2700 / (22 / 3.6))]]  # the denser end decides


def test_empty_sides_give_empty_matrices():
    result = EstimateProvider().matrix(np.empty((0, 2)), np.array([NANSHAN]))
    assert result.durations_s.shape == (0, 1) and result.distances_m.shape == (0, 1)


@pytest.mark.parametrize(
    "points", [[[114.0]], [[114.0, 95.0]], [[float("nan"), 22.0]], [[200.0, 22.0]]]
)
def test_bad_points_are_refused(points):
    with pytest.raises(ValueError):
        EstimateProvider().matrix(np.array(points), np.array([NANSHAN]))


def test_wrong_number_of_hints_is_refused():
    with pytest.raises(ValueError):
        EstimateProvider().matrix(
            np.array([NANSHAN, LONGHUA]), np.array([DAPENG]), origin_areas=[AreaType.URBAN]
        )


def test_estimate_of_a_large_matrix_is_quick():
    rng = np.random.default_rng(4)
    points = np.column_stack([rng.uniform(113.8, 114.5, 2000), rng.uniform(22.4, 22.8, 2000)])
    started = time.perf_counter()
    result = EstimateProvider().matrix(points[:500], points)
    assert result.shape == (500, 2000)
    assert time.perf_counter() - started < 2.0  # vectorised: well under a second in practice


# ---- OSRM, against a fake server -----------------------------------------------------


def fake_cells(origins, destinations):
    """The fake server's answer: (seconds, metres) as float arrays."""
    seconds = np.abs(origins[:, None, :] - destinations[None, :, :]).sum(axis=2) * 1e5
    return np.round(seconds, 1), np.round(seconds * 2, 1)


class FakeOsrm:
    """A threaded HTTP server on 127.0.0.1 speaking just enough of OSRM's table service.

    Every answer is derived from the coordinates asked for, so a test can
    predict any cell whatever the blocking or ordering: seconds are the
    Manhattan distance in units of 1e-5 degree, metres twice that
    (``fake_cells``); ``mode`` switches to failures.
    """

    def __init__(self):
        self.mode = "ok"
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                fake.requests.append(self.path)
                status, body = fake.answer(self.path)
                payload = json.dumps(body).encode() if not isinstance(body, bytes) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path):
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "error":
            return 500, b"internal error"
        if self.mode == "refused":
            return 400, {"code": "InvalidQuery", "message": "Query string malformed"}
        if self.mode == "not-json":
            return 200, b"<html>proxy error</html>"
        parts = urlsplit(path)
        coords = [
            tuple(float(v) for v in pair.split(","))
            for pair in parts.path.split("/")[-1].split(";")
        ]
        query = parse_qs(parts.query)
        sources = [coords[int(k)] for k in query["sources"][0].split(";")]
        targets = [coords[int(k)] for k in query["destinations"][0].split(";")]
        durations, distances = fake_cells(np.array(sources), np.array(targets))
        durations, distances = durations.tolist(), distances.tolist()
        if self.mode == "unroutable":
            durations[0][0] = None
            distances[0][0] = None
        return 200, {"code": "Ok", "durations": durations, "distances": distances}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def osrm():
    server = FakeOsrm()
    yield server
    server.close()


def test_osrm_table_request_and_parsing(osrm):
    provider = OsrmProvider(osrm.url, timeout=2)
    origins = np.array([NANSHAN, LONGHUA])
    destinations = np.array([DAPENG, NANSHAN, LONGHUA])

    result = provider.matrix(origins, destinations)

    (path,) = osrm.requests
    parts = urlsplit(path)
    # Shared points are sent once: three distinct coordinates, sorted.
    assert parts.path == (
        "/table/v1/driving/113.944000,22.540000;114.029600,22.609300;114.480000,22.590000"
    )
    assert parse_qs(parts.query) == {
        "sources": ["0;1"],
        "destinations": ["2;0;1"],
        "annotations": ["duration,distance"],
    }
    assert result.source == "osrm"
    assert result.durations_s.dtype == np.int32 and result.distances_m.dtype == np.int32
    # Nanshan→Dapeng: |0.5360| + |0.0500| degrees = 58,600 units; Longhua→Nanshan 15,490.
    assert result.durations_s.tolist() == [[58600, 0, 15490], [46970, 15490, 0]]
    assert result.distances_m.tolist() == [[117200, 0, 30980], [93940, 30980, 0]]


def test_osrm_large_matrices_are_cut_into_blocks(osrm):
    provider = OsrmProvider(osrm.url, timeout=2, max_table_size=4)
    origins = np.array([[114.0 + i / 100, 22.5] for i in range(3)])
    destinations = np.array([[114.0 + i / 100, 22.7] for i in range(5)])

    result = provider.matrix(origins, destinations)

    assert len(osrm.requests) == 2 * 3  # origins in blocks of 2, destinations of 2
    seconds, metres = fake_cells(origins, destinations)
    assert result.durations_s.tolist() == np.rint(seconds).astype(int).tolist()
    assert result.distances_m.tolist() == np.rint(metres).astype(int).tolist()
    assert result.durations_s[2].tolist() == [22000, 21000, 20000, 21000, 22000]


def test_osrm_single_point_is_sent_as_a_pair(osrm):
    result = OsrmProvider(osrm.url).matrix(np.array([NANSHAN]), np.array([NANSHAN]))
    (path,) = osrm.requests
    assert urlsplit(path).path.endswith("/113.944000,22.540000;113.944000,22.540000")
    assert result.durations_s.tolist() == [[0]]


def test_osrm_unroutable_pairs_are_marked(osrm):
    osrm.mode = "unroutable"
    result = OsrmProvider(osrm.url).matrix(np.array([NANSHAN]), np.array([DAPENG]))
    assert result.durations_s.tolist() == [[UNREACHABLE]]
    assert result.distances_m.tolist() == [[UNREACHABLE]]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("slow", "OSRM unreachable: timed out"),
        ("error", "OSRM answered HTTP 500: Internal Server Error"),
        ("refused", "OSRM answered HTTP 400: InvalidQuery Query string malformed"),
        ("not-json", "OSRM answered with something that is not JSON"),
    ],
)
def test_osrm_failures_raise_a_clear_error(osrm, mode, message):
    osrm.mode = mode
    provider = OsrmProvider(osrm.url, timeout=0.3)
    with pytest.raises(TravelProviderError) as caught:
        provider.matrix(np.array([NANSHAN]), np.array([DAPENG]))
    assert str(caught.value) == message


def test_osrm_server_down_raises_a_clear_error():
    server = FakeOsrm()
    url = server.url
    server.close()
    with pytest.raises(TravelProviderError, match="^OSRM unreachable: "):
        OsrmProvider(url, timeout=1).matrix(np.array([NANSHAN]), np.array([DAPENG]))


def test_travel_matrix_falls_back_to_the_estimate(osrm, caplog):
    osrm.mode = "error"
    points = np.array([NANSHAN, LONGHUA])

    result = travel_matrix(points, points, provider=OsrmProvider(osrm.url, timeout=1))

    expected = EstimateProvider().matrix(points, points)
    assert result.source == "estimate"
    assert (result.durations_s == expected.durations_s).all()
    assert "travel provider osrm failed, using the estimate" in caplog.text


def test_travel_matrix_uses_osrm_when_it_answers(osrm, settings):
    settings.TRAVEL_BACKEND = "osrm"
    settings.OSRM_URL = osrm.url
    result = travel_matrix(np.array([NANSHAN]), np.array([DAPENG]))
    assert (result.source, result.durations_s.tolist()) == ("osrm", [[58600]])


# ---- configuration -------------------------------------------------------------------


def test_default_backend_is_the_estimate(settings):
    settings.TRAVEL_BACKEND = "estimate"
    assert isinstance(get_travel_provider(), EstimateProvider)


def test_osrm_backend_reads_its_url(settings):
    settings.TRAVEL_BACKEND = "osrm"
    settings.OSRM_URL = "http://osrm.internal:5000/"
    provider = get_travel_provider()
    assert isinstance(provider, OsrmProvider)
    assert provider.base_url == "http://osrm.internal:5000"


@pytest.mark.parametrize(
    ("backend", "url"), [("osrm", ""), ("osrm", "file:///etc/passwd"), ("google", "")]
)
def test_misconfiguration_is_reported(settings, backend, url):
    settings.TRAVEL_BACKEND = backend
    settings.OSRM_URL = url
    with pytest.raises(ImproperlyConfigured):
        get_travel_provider()


def test_module_documents_its_constants():
    doc = travel.__doc__
    for constant in (
        "DETOUR_FACTOR = 1.35",
        "URBAN_KMH = 22",
        "SUBURBAN_KMH = 35",
        "RURAL_KMH = 55",
    ):
        assert constant in doc
