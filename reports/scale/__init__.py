"""Region-scale data for benchmarks (issue #12): ``manage.py seed_scale`` loads it with PostgreSQL COPY.

``plan`` decides every class's story in memory (pure Python, seeded); ``identities`` makes the people;
``copying`` streams rows into tables; ``loader`` writes the tables in foreign-key order from the plans.
Only ``reports`` may read every app, so the loader lives here.
"""
