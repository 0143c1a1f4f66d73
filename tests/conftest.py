def pytest_configure(config):
    config.addinivalue_line(
        "markers", "unseen_forms: generated forms the team has not seen, scored by hand from scoring.md"
    )
