"""Trainee search for county and league staff (issue #11 item 4): by name, ID number or phone, scoped,
searched by POST and audited with the query masked."""
