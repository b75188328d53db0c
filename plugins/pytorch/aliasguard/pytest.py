"""pytest plugin: `pytest -p aliasguard.pytest` checks every test and fails the one during
which a violation was reported, with the report in its failure text.

Checking is on for the whole session from configuration on (fixtures and collection
included); a violation is charged to the test phase (setup, call, teardown) that made it.
"""

import pytest

import aliasguard


def pytest_configure(config):
    aliasguard.enable()


def _check(item, phase):
    if phase == "setup":
        # Each test reports its own violations, even those an earlier test made at the same
        # lines (de-duplication, dedup=1, would report them once per process).
        from aliasguard import _layer
        _layer.load().forget_duplicates()
    before = aliasguard.violation_count()
    outcome = yield
    after = aliasguard.violation_count()
    if after == before or outcome.excinfo is not None:
        return  # nothing new, or the phase failed already: the report is in its captured stderr
    count = after - before
    pytest.fail(f"AliasGuard: {count} violation{'s' if count != 1 else ''} reported during "
                f"{phase} of {item.nodeid}:\n{aliasguard.violation_reports(before)}", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield from _check(item, "setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield from _check(item, "call")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield from _check(item, "teardown")
