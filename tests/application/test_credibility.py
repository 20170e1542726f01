"""The credibility check over the directory and accreditations, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from registry import config
from registry.application.registry import Registry
from registry.application.verification import VerificationItem
from registry.application.views import CertificateRef, Organization, Site, WriteMeta
from registry.domain.bodies import MlaStatus
from registry.domain.credibility import Claims, Step, Verdict
from registry.errors import InvalidInputError, RuleViolationError

D = date.fromisoformat
CERT = CertificateRef("cb-1", "Q-1")


@pytest.fixture
def app(db_url: str) -> Iterator[Registry]:
    """An empty registry: these tests set up their own directory."""
    registry = Registry(config.persistence_env(db_url))
    yield registry
    registry.close()


def meta(request_id: str, effective: str, actor: str = "admin") -> WriteMeta:
    return WriteMeta(request_id, effective_date=D(effective), actor=actor)


def accredited_registry(app: Registry, *, sector_codes: tuple[str, ...] = ("17", "18")) -> None:
    """AB-1 (an MLA signatory since 2020) accredits cb-1 for ISO 9001:2015 from 2023;
    cb-1 issued Q-1 on 2024-01-10 for sector 17."""
    directory = app.directory
    directory.register_accreditation_body(
        "AB-1", meta("ab", "2020-01-01"), name="Accreditation One", country="GB"
    )
    directory.record_mla_status("AB-1", meta("mla", "2020-01-01"), status=MlaStatus.SIGNATORY)
    directory.register_certification_body(
        "cb-1", meta("cb", "2020-01-01"), name="Certifier One", country="DE"
    )
    directory.grant_accreditation(
        "AB-1",
        "cb-1",
        meta("grant", "2023-01-01", "ab:AB-1"),
        standards=["ISO 9001:2015"],
        sector_codes=list(sector_codes),
        expiry_date=D("2027-12-31"),
    )
    app.issue_certificate(
        CERT,
        WriteMeta("issue", effective_date=D("2024-01-10"), actor="cb:cb-1"),
        organization=Organization("Łódź Tekstylia sp. z o.o.", "PL", "ul. Piotrkowska 1, Łódź"),
        sites=[Site("ul. Piotrkowska 1, 90-001 Łódź", "")],
        standard="ISO 9001:2015",
        scope="Design and manufacture of technical textiles",
        sector_codes=["17"],
        expiry_date=D("2027-01-09"),
    )


def test_a_valid_certificate_of_an_accredited_cb_of_a_signatory_is_credible(app: Registry) -> None:
    accredited_registry(app)
    answer = app.verifier.verify(CERT, at=D("2024-06-01"))
    assert answer.verdict is Verdict.CREDIBLE
    assert [s.step for s in answer.steps] == [
        Step.EXISTS,
        Step.VALID,
        Step.ACCREDITED,
        Step.MLA_SIGNATORY,
    ]
    assert all(s.passed for s in answer.steps)
    assert answer.accreditation_body_id == "AB-1"


def test_a_suspended_accreditation_turns_the_certificate_not_accredited_for_those_days(
    app: Registry,
) -> None:
    accredited_registry(app)
    before_suspension = app.now()
    app.directory.suspend_accreditation(
        "AB-1", "cb-1", meta("suspend", "2024-05-01", "ab:AB-1"), reason="assessment findings"
    )
    app.directory.reinstate_accreditation(
        "AB-1", "cb-1", meta("reinstate", "2024-08-01", "ab:AB-1")
    )

    during = app.verifier.verify(CERT, at=D("2024-06-01"))
    assert during.verdict is Verdict.NOT_ACCREDITED
    accredited = next(s for s in during.steps if s.step is Step.ACCREDITED)
    assert not accredited.passed and "no accreditation in effect" in accredited.reason
    assert app.verifier.verify(CERT, at=D("2024-09-01")).verdict is Verdict.CREDIBLE
    # As the registry answered before the suspension was recorded:
    assert app.verifier.verify(CERT, at=D("2024-06-01"), as_of=before_suspension).verdict is (
        Verdict.CREDIBLE
    )


def test_an_ab_that_was_not_an_mla_signatory_that_day_leaves_it_not_accredited(
    app: Registry,
) -> None:
    accredited_registry(app)
    app.directory.record_mla_status("AB-1", meta("mla-s", "2024-03-01"), status=MlaStatus.SUSPENDED)
    answer = app.verifier.verify(CERT, at=D("2024-06-01"))
    assert answer.verdict is Verdict.NOT_ACCREDITED
    step = next(s for s in answer.steps if s.step is Step.MLA_SIGNATORY)
    assert not step.passed and "not an IAF MLA signatory" in step.reason
    assert app.verifier.verify(CERT, at=D("2024-02-01")).verdict is Verdict.CREDIBLE


def test_a_sector_code_outside_the_accreditation_is_not_accredited(app: Registry) -> None:
    accredited_registry(app, sector_codes=("18",))
    answer = app.verifier.verify(CERT, at=D("2024-06-01"))
    assert answer.verdict is Verdict.NOT_ACCREDITED
    step = next(s for s in answer.steps if s.step is Step.ACCREDITED)
    assert "sector code(s) 17" in step.reason


def test_a_standard_outside_the_accreditation_is_not_accredited(app: Registry) -> None:
    accredited_registry(app)
    app.directory.change_accreditation_scope(
        "AB-1",
        "cb-1",
        meta("scope", "2024-04-01", "ab:AB-1"),
        standards=["ISO 14001:2015"],
        sector_codes=["17"],
    )
    answer = app.verifier.verify(CERT, at=D("2024-06-01"))
    assert answer.verdict is Verdict.NOT_ACCREDITED
    assert (
        "covers ISO 9001:2015" in next(s for s in answer.steps if s.step is Step.ACCREDITED).reason
    )
    assert app.verifier.verify(CERT, at=D("2024-03-01")).verdict is Verdict.CREDIBLE


@pytest.mark.parametrize(
    ("claims", "step", "passed"),
    [
        (Claims(organization_name="LODZ tekstylia SP Z O O"), Step.CLAIMED_ORGANIZATION_NAME, True),
        (Claims(organization_name="Warszawa Tekstylia"), Step.CLAIMED_ORGANIZATION_NAME, False),
        (Claims(site="Piotrkowska 1 Lodz"), Step.CLAIMED_SITE, True),
        (Claims(site="Gdańsk"), Step.CLAIMED_SITE, False),
        (Claims(scope="manufacture of textiles"), Step.CLAIMED_SCOPE, True),
        (Claims(scope="design of software"), Step.CLAIMED_SCOPE, False),
        (Claims(standard="ISO 9001"), Step.CLAIMED_STANDARD, True),
        (Claims(standard="iso 9001:2015"), Step.CLAIMED_STANDARD, True),
        (Claims(standard="ISO 14001"), Step.CLAIMED_STANDARD, False),
    ],
)
def test_each_claim_is_checked_against_what_is_certified(
    app: Registry, claims: Claims, step: Step, passed: bool
) -> None:
    accredited_registry(app)
    answer = app.verifier.verify(CERT, at=D("2024-06-01"), claims=claims)
    result = next(s for s in answer.steps if s.step is step)
    assert result.passed is passed
    assert answer.verdict is (Verdict.CREDIBLE if passed else Verdict.NOT_VALID)


def test_an_unknown_certificate_is_unknown(app: Registry) -> None:
    answer = app.verifier.verify(CertificateRef("cb-1", "nope"), at=D("2024-06-01"))
    assert answer.verdict is Verdict.UNKNOWN
    assert [(s.step, s.passed) for s in answer.steps] == [(Step.EXISTS, False)]


def test_a_certificate_not_valid_that_day_is_not_valid(app: Registry) -> None:
    accredited_registry(app)
    assert app.verifier.verify(CERT, at=D("2027-06-01")).verdict is Verdict.NOT_VALID


def test_a_supplier_list_gets_one_answer_per_item(app: Registry) -> None:
    accredited_registry(app)
    results, _, position = app.verifier.verify_many(
        [
            VerificationItem(CERT),
            VerificationItem(CERT, claims=Claims(organization_name="Someone Else")),
            VerificationItem(CertificateRef("cb-1", "Q-404")),
            VerificationItem(CERT, at=D("2027-06-01")),
            VerificationItem(CertificateRef("", "Q-1")),
        ],
        at=D("2024-06-01"),
    )
    verdicts = [getattr(r, "verdict", type(r)) for r in results]
    assert verdicts == [
        Verdict.CREDIBLE,
        Verdict.NOT_VALID,
        Verdict.UNKNOWN,
        Verdict.NOT_VALID,
        InvalidInputError,
    ]
    assert position > 0


def test_an_accreditation_needs_registered_active_bodies(app: Registry) -> None:
    app.directory.register_certification_body(
        "cb-1", meta("cb", "2020-01-01"), name="C", country="DE"
    )
    with pytest.raises(Exception, match="no accreditation body 'AB-9'"):
        app.directory.grant_accreditation(
            "AB-9",
            "cb-1",
            meta("g", "2023-01-01", "ab:AB-9"),
            standards=["ISO 9001:2015"],
            sector_codes=[],
            expiry_date=D("2027-01-01"),
        )


def test_an_accreditation_cycle_is_at_most_five_years(app: Registry) -> None:
    app.directory.register_accreditation_body(
        "AB-1", meta("ab", "2020-01-01"), name="A", country="GB"
    )
    app.directory.register_certification_body(
        "cb-1", meta("cb", "2020-01-01"), name="C", country="DE"
    )
    with pytest.raises(RuleViolationError, match="accreditation-cycle-at-most-5-years"):
        app.directory.grant_accreditation(
            "AB-1",
            "cb-1",
            meta("g", "2023-01-01", "ab:AB-1"),
            standards=["ISO 9001:2015"],
            sector_codes=[],
            expiry_date=D("2028-01-02"),
        )
    app.directory.grant_accreditation(
        "AB-1",
        "cb-1",
        meta("g2", "2023-01-01", "ab:AB-1"),
        standards=["ISO 9001:2015"],
        sector_codes=[],
        expiry_date=D("2028-01-01"),
    )


def test_a_retried_grant_answers_the_first_time_and_appends_nothing(app: Registry) -> None:
    app.directory.register_accreditation_body(
        "AB-1", meta("ab", "2020-01-01"), name="A", country="GB"
    )
    app.directory.register_certification_body(
        "cb-1", meta("cb", "2020-01-01"), name="C", country="DE"
    )

    def grant() -> int:
        return app.directory.grant_accreditation(
            "AB-1",
            "cb-1",
            meta("g", "2023-01-01", "ab:AB-1"),
            standards=["ISO 9001:2015"],
            sector_codes=["17"],
            expiry_date=D("2027-01-01"),
        ).version

    assert grant() == 1
    events = app.store.count_events()
    assert grant() == 1
    assert app.store.count_events() == events
    view = app.directory.get_accreditation("AB-1", "cb-1", at=D("2024-01-01"))
    assert view.status.value == "ACTIVE" and view.state.standards == ("ISO 9001:2015",)
    assert app.directory.get_certification_body("cb-1").accreditors == ("AB-1",)
