import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    parser.addoption(
        "--long", action="store_true", default=False, help="run the fuzz suite at full length (100,000 cases)"
    )
