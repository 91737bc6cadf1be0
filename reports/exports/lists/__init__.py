"""The export of each list, grouped by the app whose pages they mirror."""
