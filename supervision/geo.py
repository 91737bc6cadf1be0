"""Distances on the Earth's surface for attendance check-ins (policy §8.3, §8.4). Pure: no database, no Django.

Coordinates are WGS-84 degrees, as phones report them through navigator.geolocation. Chinese map apps show
GCJ-02 or BD-09 coordinates, which are several hundred metres off; the class site form says so.
"""

import math

# Mean Earth radius (IUGG), in metres: the haversine error against the ellipsoid is below 0.5%.
EARTH_RADIUS_M = 6_371_008.8


def check_coordinates(latitude: float, longitude: float) -> None:
    """Raises ValueError for a coordinate that is not a finite number in range."""
    for name, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        if not -limit <= value <= limit:
            raise ValueError(f"{name} must be within ±{limit}, got {value}")


def distance_m(latitude_1: float, longitude_1: float, latitude_2: float, longitude_2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (haversine formula)."""
    check_coordinates(latitude_1, longitude_1)
    check_coordinates(latitude_2, longitude_2)
    phi_1, phi_2 = math.radians(latitude_1), math.radians(latitude_2)
    delta_phi = phi_2 - phi_1
    delta_lambda = math.radians(longitude_2 - longitude_1)
    a = math.sin(delta_phi / 2) ** 2 + math.cos(phi_1) * math.cos(phi_2) * math.sin(delta_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def is_far(distance: float | None, limit_m: int) -> bool:
    """A check-in is far when its distance exceeds the limit; exactly at the limit is not far (policy §1)."""
    return distance is not None and distance > limit_m
