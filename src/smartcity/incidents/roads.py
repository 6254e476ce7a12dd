"""Road distance for dispatch: a road graph read from GeoJSON lines, shortest paths along it.

The graph's nodes are the vertices of the lines; lines join where they share a vertex
(coordinates rounded to 1e-7 degree, about 1 cm). Edges are undirected (one-way streets are
not modelled: a responder in an emergency is not bound by them the way traffic is) and weigh
their great-circle length.

A distance is straight line to the node nearest the start, the shortest path, and straight line
from the node nearest the end. Each piece is at least the straight line between its ends, so the
whole is never shorter than the straight line from start to end: dispatch may read rings of
nearby units (``nearest.py``). Points in parts of the graph that no road joins are measured as
``UNREACHABLE_FACTOR`` times the straight line: such gaps are nearly always missing data, and a
unit there is better offered late than never.
"""

from __future__ import annotations

import heapq
import json
import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from smartcity.incidents.distance import EARTH_RADIUS_M, haversine_m, use_distance

log = logging.getLogger(__name__)

NODE_DIGITS: Final = 7  # vertices closer than ~1 cm are one node
CELL_DEG: Final = 0.005  # snapping grid cell, about 550 m
UNREACHABLE_FACTOR: Final = 3.0  # no road joins the two points: straight line times this
SEARCHES_KEPT: Final = 32  # shortest-path searches kept, one per incident position
SNAPS_KEPT: Final = 4096  # positions whose nearest node is remembered
_M_PER_DEG: Final = math.pi * EARTH_RADIUS_M / 180
_LINE_TYPES: Final = ("LineString", "MultiLineString")

Edge = tuple[int, float]  # (neighbour node, metres)


class RoadGraphError(ValueError):
    """The road graph file cannot be used; carries a message in English and Thai."""

    def __init__(self, detail: str, detail_th: str) -> None:
        super().__init__(f"{detail} / {detail_th}")
        self.detail, self.detail_th = detail, detail_th


@dataclass(frozen=True)
class RoadGraph:
    """Nodes (lat, lon) and, for each node, its neighbours with the edge length in metres."""

    lat: tuple[float, ...]
    lon: tuple[float, ...]
    adj: tuple[tuple[Edge, ...], ...]

    @property
    def nodes(self) -> int:
        """Number of nodes."""
        return len(self.lat)

    @property
    def edges(self) -> int:
        """Number of (undirected) edges."""
        return sum(len(a) for a in self.adj) // 2

    def length_m(self) -> float:
        """Total length of the roads in metres."""
        return sum(w for a in self.adj for _, w in a) / 2

    def components(self) -> int:
        """Number of parts of the graph that no road joins to each other."""
        seen = [False] * self.nodes
        parts = 0
        for start in range(self.nodes):
            if seen[start]:
                continue
            parts += 1
            seen[start] = True
            stack = [start]
            while stack:
                for other, _ in self.adj[stack.pop()]:
                    if not seen[other]:
                        seen[other] = True
                        stack.append(other)
        return parts


def load_road_graph(path: Path) -> RoadGraph:
    """Read a GeoJSON FeatureCollection of road lines from a file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RoadGraphError(
            f"cannot read the road file {path}: {exc}", f"อ่านไฟล์ถนน {path} ไม่ได้: {exc}"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RoadGraphError(
            f"the road file {path} is not JSON ({exc})", f"ไฟล์ถนน {path} ไม่ใช่ JSON ({exc})"
        ) from None
    return road_graph_from_geojson(data)


def road_graph_from_geojson(data: object) -> RoadGraph:
    """Build the graph from a parsed GeoJSON FeatureCollection of LineString features."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise RoadGraphError(
            "the road file must be a GeoJSON FeatureCollection",
            "ไฟล์ถนนต้องเป็น GeoJSON แบบ FeatureCollection",
        )
    features = data.get("features")
    builder = _Builder()
    lines = 0
    for index, feature in enumerate(features if isinstance(features, list) else []):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in _LINE_TYPES:
            continue  # points, areas and empty features are not roads
        parts = geometry.get("coordinates")
        if geometry["type"] == "LineString":
            parts = [parts]
        if not isinstance(parts, list):
            raise _bad_feature(index)
        for part in parts:
            builder.add_line(index, part)
        lines += 1
    if lines == 0:
        raise RoadGraphError(
            "the road file has no LineString or MultiLineString features",
            "ไฟล์ถนนไม่มีเส้นถนน (LineString หรือ MultiLineString)",
        )
    graph = builder.build()
    if graph.edges == 0:
        raise RoadGraphError(
            "the road lines make an empty graph (no segment of non-zero length)",
            "เส้นถนนในไฟล์ไม่เกิดเป็นโครงข่าย (ไม่มีช่วงถนนที่ยาวกว่าศูนย์)",
        )
    return graph


def _bad_feature(index: int) -> RoadGraphError:
    return RoadGraphError(
        f"feature {index}: coordinates must be a list of [longitude, latitude] positions",
        f"feature ลำดับ {index}: พิกัดต้องเป็นรายการของ [ลองจิจูด, ละติจูด]",
    )


class _Builder:
    """Collects nodes (shared vertices) and the shortest edge between each pair."""

    def __init__(self) -> None:
        self.index: dict[tuple[float, float], int] = {}
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.adj: list[dict[int, float]] = []

    def node(self, lat: float, lon: float) -> int:
        key = (round(lat, NODE_DIGITS), round(lon, NODE_DIGITS))
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.lat)
            self.lat.append(key[0])
            self.lon.append(key[1])
            self.adj.append({})
        return found

    def add_line(self, index: int, positions: object) -> None:
        if not isinstance(positions, list):
            raise _bad_feature(index)
        previous: int | None = None
        for position in positions:
            lat, lon = _position(index, position)
            here = self.node(lat, lon)
            if previous is not None and previous != here:
                w = haversine_m(self.lat[previous], self.lon[previous], lat, lon)
                if w < self.adj[here].get(previous, math.inf):
                    self.adj[here][previous] = self.adj[previous][here] = w
            previous = here

    def build(self) -> RoadGraph:
        adj = tuple(tuple(a.items()) for a in self.adj)
        return RoadGraph(tuple(self.lat), tuple(self.lon), adj)


def _position(index: int, position: object) -> tuple[float, float]:
    """(lat, lon) of a GeoJSON position [lon, lat, ...], checked."""
    if not isinstance(position, list) or len(position) < 2:
        raise _bad_feature(index)
    lon, lat = position[0], position[1]
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat))
    if not numbers or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RoadGraphError(
            f"feature {index}: position {position!r} is not a longitude, latitude pair",
            f"feature ลำดับ {index}: ตำแหน่ง {position!r} ไม่ใช่คู่ลองจิจูด ละติจูด",
        )
    return float(lat), float(lon)


class _Snapper:
    """The graph node nearest a point, found in a grid of cells around it."""

    def __init__(self, graph: RoadGraph) -> None:
        self.graph = graph
        self.cells: dict[tuple[int, int], list[int]] = {}
        for n in range(graph.nodes):
            self.cells.setdefault(_cell(graph.lat[n], graph.lon[n]), []).append(n)
        rows = [c[0] for c in self.cells]
        cols = [c[1] for c in self.cells]
        self.rows, self.cols = (min(rows), max(rows)), (min(cols), max(cols))
        self.max_abs_lat = max(abs(v) for v in graph.lat)

    def nearest(self, lat: float, lon: float) -> tuple[int, float]:
        """(node, metres) of the node nearest (lat, lon); ties by node number."""
        row, col = _cell(lat, lon)
        # No cell of the graph is nearer (in rings of cells) than the edge of its extent.
        k = max(0, self.rows[0] - row, row - self.rows[1], self.cols[0] - col, col - self.cols[1])
        last = max(abs(v - w) for v, ends in ((row, self.rows), (col, self.cols)) for w in ends)
        best, best_m = -1, math.inf
        while k <= last:
            for cell in self._ring(row, col, k):
                for n in self.cells.get(cell, ()):
                    d = haversine_m(lat, lon, self.graph.lat[n], self.graph.lon[n])
                    if d < best_m or (d == best_m and n < best):
                        best, best_m = n, d
            if best_m <= self._beyond_ring_m(lat, k):
                break
            k += 1
        return best, best_m

    def _ring(self, row: int, col: int, k: int) -> list[tuple[int, int]]:
        """The cells at Chebyshev distance k, clipped to the graph's extent."""
        r0, r1 = max(row - k, self.rows[0]), min(row + k, self.rows[1])
        c0, c1 = max(col - k, self.cols[0]), min(col + k, self.cols[1])
        cells: list[tuple[int, int]] = []
        for r in range(r0, r1 + 1):
            if abs(r - row) == k:
                cells.extend((r, c) for c in range(c0, c1 + 1))
            else:
                cells.extend((r, c) for c in (col - k, col + k) if c0 <= c <= c1)
        return cells

    def _beyond_ring_m(self, lat: float, k: int) -> float:
        """A lower bound of the distance from the point to any node outside rings 0..k."""
        # k whole cells lie between the point and such a node, along latitude or longitude;
        # 0.99 covers great circles being a little shorter than parallels.
        widest = min(89.0, max(abs(lat), self.max_abs_lat) + CELL_DEG)
        return k * CELL_DEG * _M_PER_DEG * math.cos(math.radians(widest)) * 0.99


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG)


class _Search:
    """Dijkstra from one node, resumed only as far as each asked target needs."""

    def __init__(self, source: int) -> None:
        self.dist: dict[int, float] = {source: 0.0}
        self.heap: list[tuple[float, int]] = [(0.0, source)]
        self.done: set[int] = set()

    def to(self, target: int, adj: tuple[tuple[Edge, ...], ...]) -> float | None:
        """Shortest path length to target in metres; None if no road leads there."""
        if target in self.done:
            return self.dist[target]
        dist, heap, done = self.dist, self.heap, self.done
        while heap:
            d, n = heapq.heappop(heap)
            if n in done:
                continue
            done.add(n)
            for other, w in adj[n]:
                nd = d + w
                if nd < dist.get(other, math.inf):
                    dist[other] = nd
                    heapq.heappush(heap, (nd, other))
            if n == target:
                return d
        return None


class RoadDistance:
    """A ``DistanceFn`` along the roads of a graph; never shorter than the straight line."""

    def __init__(self, graph: RoadGraph, searches_kept: int = SEARCHES_KEPT) -> None:
        self.graph = graph
        self._snapper = _Snapper(graph)
        self._snaps: OrderedDict[tuple[float, float], tuple[int, float]] = OrderedDict()
        self._searches: OrderedDict[int, _Search] = OrderedDict()
        self._kept = searches_kept
        self._lock = threading.Lock()  # request threads and the sweeper share the caches

    def __call__(self, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        """Metres from the first point to the second along the roads."""
        straight = haversine_m(lat1, lon1, lat2, lon2)
        with self._lock:
            a, to_a = self._snap(lat1, lon1)
            b, from_b = self._snap(lat2, lon2)
            path = self._search(a).to(b, self.graph.adj)
        if path is None:
            return straight * UNREACHABLE_FACTOR
        # Each piece is at least its straight line; max() only absorbs float rounding.
        return max(straight, to_a + path + from_b)

    def _snap(self, lat: float, lon: float) -> tuple[int, float]:
        key = (lat, lon)
        found = self._snaps.get(key)
        if found is None:
            found = self._snaps[key] = self._snapper.nearest(lat, lon)
            if len(self._snaps) > SNAPS_KEPT:
                self._snaps.popitem(last=False)
        else:
            self._snaps.move_to_end(key)
        return found

    def _search(self, source: int) -> _Search:
        search = self._searches.get(source)
        if search is None:
            search = self._searches[source] = _Search(source)
            if len(self._searches) > self._kept:
                self._searches.popitem(last=False)
        else:
            self._searches.move_to_end(source)
        return search


def install(path: str) -> RoadGraph | None:
    """Dispatch measures along the roads of the GeoJSON file at ``path``; empty: straight line."""
    if not path:
        use_distance(haversine_m, at_least_straight_line=True)
        return None
    graph = load_road_graph(Path(path))
    use_distance(RoadDistance(graph), at_least_straight_line=True)
    log.info(
        "road graph %s: %d nodes, %d edges, %d parts",
        path,
        graph.nodes,
        graph.edges,
        graph.components(),
    )
    return graph
