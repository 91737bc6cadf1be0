"""The pieces of ``seed_demo``: the demo clock, the cast, the answers people give, and each class's story."""
