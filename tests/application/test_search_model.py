"""Search answers equal a brute-force scan: every certificate's status on the day asked,
read one by one, filtered by the same criteria (a property test over generated data)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from authority import prepare_in_process
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.application.queries import Queries, SearchCriteria
from registry.application.registry import Registry
from registry.application.views import CertificateRef, Organization, Site, WriteMeta
from registry.domain.folding import index_words, matches, words
from registry.domain.status import Status
from registry.errors import RegistryError
from registry.projections.setup import open_index

NAMES = [
    "Łódź Zakłady",
    "Ørsted Energi",
    "Straße Bau",
    "Ærø Færgeri",
    "Müller Präzision",
    "São Paulo Alimentos",
    "Acme Widgets",
    "Œuvre Conseil",
]
QUERIES = [
    "lodz",
    "orsted",
    "oersted",
    "strasse",
    "aeroe",
    "mueller",
    "muller pra",
    "sao",
    "acme wid",
    "oeuvre",
    "zaklady lo",
    "widgets",
    "energi orsted",
    "bau",
]
STANDARDS = ["ISO 9001:2015", "ISO 14001:2015", "ISO/IEC 27001:2013"]
DAY0 = date(2024, 1, 1)
START = datetime(2026, 6, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


certificate = st.fixed_dictionaries(
    {
        "cb": st.sampled_from(["cb-1", "cb-2", "cb-3"]),
        "name": st.sampled_from(NAMES),
        "country": st.sampled_from(["PL", "DK", "DE"]),
        "standard": st.sampled_from(STANDARDS),
        "sector": st.sampled_from(["17", "28", "33"]),
        "issued": st.integers(0, 400),
        "years": st.integers(1, 3),
        "change": st.sampled_from(["none", "suspend", "withdraw", "rename", "retract"]),
        "change_day": st.integers(1, 500),
    }
)
query = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["", *QUERIES]),
        "cb": st.sampled_from(["", "cb-1", "cb-2"]),
        "standard": st.sampled_from(["", "ISO 9001", "ISO 14001:2015", "ISO/IEC 27001"]),
        "country": st.sampled_from(["", "PL", "DK"]),
        "sector": st.sampled_from(["", "17", "33"]),
        "status": st.sampled_from(
            [
                None,
                Status.VALID,
                Status.SUSPENDED,
                Status.EXPIRED,
                Status.WITHDRAWN,
                Status.NOT_YET_VALID,
            ]
        ),
        "day": st.integers(0, 1600),
        "page_size": st.integers(1, 4),
    }
)


def publish(app: Registry, n: int, spec: dict) -> CertificateRef | None:
    ref = CertificateRef(spec["cb"], f"N-{n}")
    issued = DAY0 + timedelta(days=spec["issued"])
    try:
        app.issue_certificate(
            ref,
            WriteMeta(f"i-{n}", issued),
            organization=Organization(spec["name"], spec["country"], "Main Street 1"),
            sites=[Site("Main Street 1", "")],
            standard=spec["standard"],
            scope="scope",
            sector_codes=[spec["sector"]],
            expiry_date=issued + timedelta(days=365 * spec["years"] - 1),
        )
    except RegistryError:
        return None
    day = issued + timedelta(days=spec["change_day"])
    try:
        match spec["change"]:
            case "suspend":
                app.suspend_certificate(ref, WriteMeta(f"s-{n}", day), reason="r")
            case "withdraw":
                app.withdraw_certificate(ref, WriteMeta(f"w-{n}", day), reason="r")
            case "rename":
                app.change_holder_details(
                    ref,
                    WriteMeta(f"h-{n}", day),
                    organization=Organization(NAMES[(n + 3) % len(NAMES)], "", ""),
                )
            case "retract":
                app.suspend_certificate(ref, WriteMeta(f"s-{n}", day), reason="r")
                app.retract_event(ref, WriteMeta(f"x-{n}", day), version=2, reason="in error")
    except RegistryError:
        pass  # a change the rules refuse: the certificate stays as issued
    return ref


def expected(app: Registry, refs: list[CertificateRef], q: dict, day: date) -> list[tuple]:
    found = []
    for ref in refs:
        view = app.get_status(ref, at=day)
        details = view.details
        assert details is not None
        family = details.standard.rsplit(":", 1)[0]
        if (
            (
                not q["name"]
                or matches(words(q["name"]), " ".join(index_words(details.organization.name)))
            )
            and (not q["cb"] or ref.certification_body_id == q["cb"])
            and (not q["standard"] or q["standard"] in (details.standard, family))
            and (not q["country"] or details.organization.country == q["country"])
            and (not q["sector"] or q["sector"] in details.sector_codes)
            and (q["status"] is None or view.status is q["status"])
        ):
            found.append((ref, view.status, details.organization.name, details.expiry_date))
    return sorted(found, key=lambda row: (row[0].certification_body_id, row[0].certificate_number))


@settings(max_examples=40, deadline=None)
@given(st.lists(certificate, min_size=1, max_size=12), st.lists(query, min_size=1, max_size=6))
def test_search_equals_a_scan_of_every_certificates_status_on_the_day(specs, queries) -> None:
    app = prepare_in_process(Registry(clock=Clock()))
    index = open_index(app)
    runner = index.runner().start()
    try:
        refs = [ref for n, spec in enumerate(specs) if (ref := publish(app, n, spec))]
        search = Queries(app, index.reader, wait=10)
        for q in queries:
            day = DAY0 + timedelta(days=q["day"])
            criteria = SearchCriteria(
                organization_name=q["name"],
                certification_body_id=q["cb"],
                standard=q["standard"],
                country=q["country"],
                sector_code=q["sector"],
                status=q["status"],
            )
            got, key = [], 0
            while True:  # every page, page_size at a time
                page = search.search(criteria, at=day, after_key=key, limit=q["page_size"])
                got += [
                    (r.certificate, r.status, r.organization.name, r.expiry_date)
                    for r in page.results
                ]
                if page.next_key is None:
                    break
                key = page.next_key
            got.sort(key=lambda row: (row[0].certification_body_id, row[0].certificate_number))
            assert got == expected(app, refs, q, day), (q, day)
    finally:
        runner.stop()
        index.close()
        app.close()
