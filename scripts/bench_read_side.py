"""The read side at scale: the index projection's catch-up from empty, and the index's
queries, on a store of a million certificates, on SQLite and PostgreSQL.

    scripts/bench --read-side [--certificates 1000000] [--engine sqlite|postgres|both]
                              [--postgres-certificates N] [--postgres DSN] [--quick]

For each engine, in one run:

1. a store of N certificates is written through the application's own write path,
   ``Registry.begin_batch`` of 1,000 writes at a time (checked, group-committed in one
   transaction, as a PublishBatch is): seeded names from word lists of ten countries
   (accents, letters NFKD keeps whole), 50 CBs of uneven size, several standards, issue
   dates over six years (so some have expired), and about 8% suspended, 3% withdrawn
   later on. The write rate is printed: the projection's target is relative to it.
2. the index projection catches up from empty over the whole log, the way
   ``registry projections rebuild`` does (500 notifications per transaction); its rate
   and its ratio to the write rate (target >= 0.5).
3. query latency p50/p99 through ``Queries`` (in process) and through the gRPC client
   against a server in this process (``BackgroundServer``): a name prefix as a buyer
   types it (one word or one and a half, with or without accents), an exact certificate
   number, a CB with a status on a day; ListEvents of one CB over a window of recorded
   time, and GetIssuanceReport of one CB (target for the searches: p99 < 50 ms).

Feed delivery latency is ``scripts/bench --feed``; PublishBatch and ``registry import``
are ``scripts/bench --publish``. Figures are measured at the size given: nothing is
scaled or extrapolated.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bench_auth import register  # noqa: E402
from pg_instance import PostgresInstance, schema_dsn  # noqa: E402

from registry import config  # noqa: E402
from registry.application.queries import Queries, SearchCriteria  # noqa: E402
from registry.application.registry import BegunWrite, Registry  # noqa: E402
from registry.application.views import CertificateRef, Organization, Site, WriteMeta  # noqa: E402
from registry.client import RegistryClient  # noqa: E402
from registry.domain.dates import add_years  # noqa: E402
from registry.domain.status import Status  # noqa: E402
from registry.projections.setup import open_index  # noqa: E402
from registry.server.app import BackgroundServer  # noqa: E402

SEED = 20240601
BATCH = 1000  # writes per begin_batch (the committer's MAX_BATCH, a PublishBatch's size)
CATCH_UP_BATCH = 500  # notifications per projection transaction, as `projections rebuild`
CBS = 50
QUERIES = 200
WARM_UP = 20
PAGE = 50
SEARCH_TARGET_MS = 50.0
CATCH_UP_TARGET = 0.5
SUSPENDED_SHARE = 0.08
WITHDRAWN_SHARE = 0.03


def words_of(text: str) -> list[str]:
    return text.split()


# Country: (surnames, trade words, legal forms, cities). Accents and the letters NFKD
# keeps whole (Ł, Ø, ß, Æ, the dotless i) are in on purpose: search folds them.
COUNTRIES: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "DE": (
        words_of(
            "Müller Schröder Weiß Bäcker Köhler Straßburger Jäger Höfner Krüger Schmidt "
            "Becker Wagner Hoffmann Fischer Zimmermann Braun Schulze Lößner"
        ),
        words_of(
            "Maschinenbau Metallbau Logistik Elektrotechnik Bau Kunststofftechnik "
            "Lebensmittel Präzisionsteile Anlagenbau Gießerei"
        ),
        ["GmbH", "GmbH & Co. KG", "AG"],
        ["Berlin", "München", "Köln", "Düsseldorf", "Nürnberg"],
    ),
    "PL": (
        words_of(
            "Łukasiewicz Wiśniewski Żółkiewski Kowalski Nowak Wójcik Kamiński Zieliński "
            "Szymański Dąbrowski Lewandowski Kozłowski"
        ),
        words_of("Budownictwo Logistyka Przemysł Technika Usługi Metal Energetyka"),
        ["Sp. z o.o.", "S.A."],
        ["Łódź", "Kraków", "Gdańsk", "Poznań", "Wrocław"],
    ),
    "FR": (
        words_of(
            "Dubois Lefèvre Girard Mercier Rousseau Bérenger Faure Chevalier Lambert Fontaine "
            "Gauthier Mathé Œuvrard"
        ),
        words_of("Industrie Bâtiment Logistique Mécanique Énergie Services Emballages"),
        ["SAS", "SARL", "S.A."],
        ["Lyon", "Besançon", "Orléans", "Nîmes", "Saint-Étienne"],
    ),
    "ES": (
        words_of(
            "García Martínez Rodríguez López Sánchez Pérez Gómez Núñez Muñoz Jiménez Iglesias Peña"
        ),
        words_of("Construcciones Ingeniería Logística Alimentación Metalúrgica Cerámicas"),
        ["S.L.", "S.A."],
        ["Madrid", "Málaga", "Córdoba", "Zaragoza", "León"],
    ),
    "IT": (
        words_of(
            "Rossi Bianchi Ferrari Esposito Romano Colombo Ricci Marino Greco Bruno Galli "
            "Conti Fabbri Niccolò"
        ),
        words_of("Costruzioni Meccanica Logistica Impianti Alimentari Plastica Tessile"),
        ["S.r.l.", "S.p.A."],
        ["Milano", "Torino", "Forlì", "Cantù", "Bologna"],
    ),
    "DK": (
        words_of("Sørensen Østergaard Jørgensen Møller Kjær Nørgaard Ærøe Bøgh Højgaard"),
        words_of("Entreprise Maskinfabrik Transport Teknik Stålbyg"),
        ["A/S", "ApS"],
        ["København", "Århus", "Ålborg", "Odense"],
    ),
    "SE": (
        words_of("Åström Lindqvist Öberg Sjöberg Håkansson Bergström Nyström Ångström"),
        words_of("Bygg Verkstad Teknik Logistik Plåt"),
        ["AB"],
        ["Göteborg", "Malmö", "Västerås", "Örebro"],
    ),
    "TR": (
        words_of("Yılmaz Şahin Öztürk Çelik Doğan Kılıç Aydın Özdemir Arslan"),  # noqa: RUF001
        words_of("İnşaat Makina Tekstil Gıda Lojistik Otomotiv"),  # noqa: RUF001
        ["A.Ş.", "Ltd. Şti."],
        ["İstanbul", "İzmir", "Bursa", "Eskişehir"],
    ),
    "GB": (
        words_of(
            "Smith Jones Taylor Brown Williams Wilson Evans Thomas Johnson Roberts Walker "
            "Wright Thompson"
        ),
        words_of("Engineering Construction Logistics Systems Foods Plastics Fabrications"),
        ["Ltd", "plc", "LLP"],
        ["Leeds", "Bristol", "Sheffield", "Glasgow", "Cardiff"],
    ),
    "CZ": (
        words_of("Dvořák Novák Svoboda Černý Procházka Kučera Veselý Růžička Šťastný"),
        words_of("Strojírny Stavby Elektro Slévárna Doprava"),
        ["s.r.o.", "a.s."],
        ["Praha", "Brno", "Plzeň", "České Budějovice"],
    ),
}
COUNTRY_WEIGHTS = {
    "DE": 18,
    "PL": 8,
    "FR": 12,
    "ES": 11,
    "IT": 15,
    "DK": 4,
    "SE": 5,
    "TR": 9,
    "GB": 12,
    "CZ": 6,
}
QUALIFIERS = words_of(
    "Nord Süd Alpha Precision Global Euro Tech Industrie Metall Plast Agro Pharma Medical "
    "Solutions Partner Group Holding Service Digital Green Bio Mobility Energy Steel"
)
STANDARDS = (
    ["ISO 9001:2015"] * 12
    + ["ISO 14001:2015"] * 5
    + ["ISO 45001:2018"] * 3
    + ["ISO/IEC 27001:2022"] * 2
    + ["ISO 22000:2018", "ISO 50001:2018", "ISO 13485:2016"]
)
SECTORS = [str(n) for n in range(1, 40)]


@dataclass(frozen=True)
class Plan:
    """One certificate of the generated store, derived from its index and the seed."""

    index: int
    ref: CertificateRef
    organization: Organization
    standard: str
    sector: str
    issued: date
    expiry: date
    change: tuple[str, date] | None  # ("suspend" | "withdraw", effective)


def cb_of(rng: random.Random) -> str:
    """CBs of uneven size: the first few hold much of the registry, as in life."""
    return f"cb-{min(int(rng.paretovariate(1.2)) - 1, CBS - 1):02d}"


def plan(index: int, today: date) -> Plan:
    rng = random.Random(SEED * 1_000_003 + index)
    country = rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]
    surnames, trades, forms, cities = COUNTRIES[country]
    parts = [rng.choice(surnames)]
    if rng.random() < 0.2:
        parts += ["&", rng.choice(surnames)]
    if rng.random() < 0.5:
        parts.append(rng.choice(QUALIFIERS))
    parts += [rng.choice(trades), rng.choice(forms)]
    city = rng.choice(cities)
    cb = cb_of(rng)
    first = today - timedelta(days=6 * 365)
    issued = first + timedelta(days=rng.randrange((today - first).days - 30))
    expiry = add_years(issued, 3) - timedelta(days=1)
    change: tuple[str, date] | None = None
    last = min(today, expiry - timedelta(days=1))
    roll = rng.random()
    if roll < SUSPENDED_SHARE + WITHDRAWN_SHARE and last > issued:
        kind = "suspend" if roll < SUSPENDED_SHARE else "withdraw"
        change = (kind, issued + timedelta(days=rng.randrange(1, (last - issued).days + 1)))
    return Plan(
        index=index,
        ref=CertificateRef(cb, f"{cb.upper()}-{issued.year}-{index:07d}"),
        organization=Organization(
            " ".join(parts), country, f"{rng.randrange(1, 200)} Hauptweg, {city}"
        ),
        standard=rng.choice(STANDARDS),
        sector=rng.choice(SECTORS),
        issued=issued,
        expiry=expiry,
        change=change,
    )


def writes_of(plans: Sequence[Plan], later: Sequence[Plan]) -> list[BegunWrite]:
    """Issues of ``plans``, then the suspensions and withdrawals of ``later`` (issued in
    the previous batch), so a certificate's changes come a little after its issue."""
    writes = [
        BegunWrite(
            "issue_certificate",
            p.ref,
            WriteMeta(f"issue-{p.index}", effective_date=p.issued, actor="bench"),
            {
                "organization": p.organization,
                "sites": [Site(p.organization.address)],
                "standard": p.standard,
                "scope": "Design, manufacture and servicing",
                "sector_codes": [p.sector],
                "expiry_date": p.expiry,
            },
        )
        for p in plans
    ]
    for p in later:
        assert p.change is not None
        kind, day = p.change
        use_case = "suspend_certificate" if kind == "suspend" else "withdraw_certificate"
        writes.append(
            BegunWrite(
                use_case,
                p.ref,
                WriteMeta(f"{kind}-{p.index}", effective_date=day, actor="bench"),
                {"reason": "Major nonconformity not closed in time"},
            )
        )
    return writes


@dataclass
class Build:
    certificates: int = 0
    events: int = 0
    seconds: float = 0.0
    """Time spent in ``begin_batch`` and waiting for its answers (not generating)."""
    elapsed: float = 0.0
    """Wall time of the whole build, generating the writes included."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def build(app: Registry, size: int, today: date, say: Callable[[str], None]) -> Build:
    done = Build()
    started = time.perf_counter()
    previous: list[Plan] = []
    report_at = started + 30
    for start in range(0, size + BATCH, BATCH):
        plans = [plan(i, today) for i in range(start, min(size, start + BATCH))]
        writes = writes_of(plans, [p for p in previous if p.change])
        if not writes:
            break
        writing = time.perf_counter()
        for future in app.begin_batch(writes):
            future.result()  # a refusal is a fault of the generator: stop here
        done.seconds += time.perf_counter() - writing
        done.certificates += len(plans)
        done.events += len(writes)
        previous = plans
        if time.perf_counter() > report_at:
            report_at += 30
            say(f"  {done.certificates:,} certificates, {done.rate:,.0f} events/s")
    done.elapsed = time.perf_counter() - started
    return done


def catch_up(app: Registry) -> tuple[int, float]:
    """Empty the index and apply the whole log, as ``registry projections rebuild``."""
    index = open_index(app)
    try:
        if not index.election.acquire():
            raise RuntimeError("another process runs the index projection")
        index.view.clear()
        index.projection.reset()
        position, applied = 0, 0
        started = time.perf_counter()
        while True:
            batch = app.recorder.select_notifications(
                start=position, limit=CATCH_UP_BATCH, inclusive_of_start=False
            )
            if not batch:
                break
            index.projection.process(batch)
            position = batch[-1].id
            applied += len(batch)
        return applied, time.perf_counter() - started
    finally:
        index.close()


# Queries


@dataclass
class Workload:
    """The same seeded questions for Queries and for gRPC."""

    names: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    filters: list[tuple[str, Status, date]] = field(default_factory=list)
    windows: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    reports: list[tuple[str, date]] = field(default_factory=list)


def typed(rng: random.Random, name: str) -> str:
    """What a buyer types for ``name``: a word's first letters, or the first word whole and
    the next one begun; as written or without its accents."""
    from registry.domain.folding import fold

    words = [w for w in name.split() if w != "&"]
    text = words[0][: rng.randint(3, 6)] if rng.random() < 0.5 else f"{words[0]} {words[1][:3]}"
    return fold(text) if rng.random() < 0.4 else text


def workload(size: int, today: date, first: datetime, last: datetime, count: int) -> Workload:
    rng = random.Random(SEED)
    w = Workload()
    statuses = [Status.VALID, Status.SUSPENDED, Status.WITHDRAWN, Status.EXPIRED]
    span = (last - first).total_seconds()
    for _ in range(count):
        w.names.append(typed(rng, plan(rng.randrange(size), today).organization.name))
        w.numbers.append(plan(rng.randrange(size), today).ref.certificate_number)
        day = today - timedelta(days=rng.randrange(3 * 365))
        w.filters.append((cb_of(rng), rng.choice(statuses), day))
        begin = first + timedelta(seconds=rng.uniform(0, span * 0.9))
        w.windows.append((cb_of(rng), begin, begin + timedelta(seconds=span * 0.1)))
        w.reports.append((cb_of(rng), today - timedelta(days=rng.randrange(3 * 365))))
    return w


def timed(calls: Sequence[Callable[[], Any]]) -> tuple[list[float], int]:
    """Milliseconds per call, after ``WARM_UP`` calls not counted; and the results' total."""
    for call in calls[:WARM_UP]:
        call()
    latencies, found = [], 0
    for call in calls:
        started = time.perf_counter()
        found += call()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, found


def in_process(queries: Queries, w: Workload) -> dict[str, tuple[list[float], int]]:
    def search(criteria: SearchCriteria, at: date | None = None) -> Callable[[], int]:
        return lambda: len(queries.search(criteria, at=at, limit=PAGE).results)

    def events(cb: str, after: datetime, before: datetime) -> Callable[[], int]:
        return lambda: len(
            queries.list_events(cb, recorded_after=after, recorded_before=before, limit=PAGE).events
        )

    def report(cb: str, day: date) -> Callable[[], int]:
        return lambda: queries.issuance_report(cb, at=day).total

    return {
        "name prefix": timed([search(SearchCriteria(organization_name=n)) for n in w.names]),
        "exact number": timed([search(SearchCriteria(certificate_number=n)) for n in w.numbers]),
        "CB + status on a day": timed(
            [
                search(SearchCriteria(certification_body_id=cb, status=s), day)
                for cb, s, day in w.filters
            ]
        ),
        "ListEvents, one CB, window": timed([events(*window) for window in w.windows]),
        "GetIssuanceReport, one CB": timed([report(*r) for r in w.reports]),
    }


def over_grpc(client: RegistryClient, w: Workload) -> dict[str, tuple[list[float], int]]:
    def search(**criteria: Any) -> Callable[[], int]:
        return lambda: len(client.search_certificates(page_size=PAGE, **criteria).certificates)

    def events(cb: str, after: datetime, before: datetime) -> Callable[[], int]:
        return lambda: len(
            client.list_events(
                cb, recorded_after=after, recorded_before=before, page_size=PAGE
            ).events
        )

    def report(cb: str, day: date) -> Callable[[], int]:
        return lambda: client.get_issuance_report(cb, at=day).total

    return {
        "name prefix": timed([search(organization_name=n) for n in w.names]),
        "exact number": timed([search(certificate_number=n) for n in w.numbers]),
        "CB + status on a day": timed(
            [search(certification_body_id=cb, status=s.value, at=day) for cb, s, day in w.filters]
        ),
        "ListEvents, one CB, window": timed([events(*window) for window in w.windows]),
        "GetIssuanceReport, one CB": timed([report(*r) for r in w.reports]),
    }


# One engine


@dataclass
class Result:
    engine: str
    built: Build
    applied: int
    catch_up_seconds: float
    local: dict[str, tuple[list[float], int]]
    wire: dict[str, tuple[list[float], int]]

    @property
    def catch_up_rate(self) -> float:
        return self.applied / self.catch_up_seconds


def run_engine(engine: str, db: str, size: int, queries: int, say: Callable[[str], None]) -> Result:
    app = Registry(config.persistence_env(db))
    today = app.now().date()
    try:
        tokens = register(app, [f"cb-{n:02d}" for n in range(CBS)])
        setup = app.store.last_point()  # the catalogue and the directory, before the store
        assert setup is not None
        say(f"{engine}: writing {size:,} certificates")
        built = build(app, size, today, say)
        say(f"{engine}: {built.events:,} events in {built.elapsed:.0f} s; index catch-up")
        applied, seconds = catch_up(app)
        say(f"{engine}: {applied:,} events applied in {seconds:.0f} s; queries")
        first, last = app.store.point_of(setup.position + 1), app.store.last_point()
        assert first is not None and last is not None
        w = workload(size, today, first.recorded_at, last.recorded_at, queries)
        local = in_process(Queries(app, open_index(app).reader), w)
        server = BackgroundServer(app).start()
        try:
            with RegistryClient(
                f"127.0.0.1:{server.port}", timeout=60, token=tokens.admin
            ) as client:
                wire = over_grpc(client, w)
        finally:
            server.stop()
    finally:
        app.close()
    return Result(engine, built, applied, seconds, local, wire)


# The table


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def render(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(r: Result) -> str:
    ratio = r.catch_up_rate / r.built.rate
    lines = [
        f"== {r.engine}: {r.built.certificates:,} certificates, {r.built.events:,} events; "
        f"built in {r.built.elapsed:.0f} s (generating the writes included)",
        "",
        render(
            [
                ("measure", "figure", "target"),
                (
                    f"write, begin_batch of {BATCH:,} ({r.built.seconds:.0f} s)",
                    f"{r.built.rate:,.0f} events/s",
                    "",
                ),
                (
                    f"index catch-up from empty ({r.catch_up_seconds:.0f} s)",
                    f"{r.catch_up_rate:,.0f} events/s",
                    "",
                ),
                (
                    "catch-up / write",
                    f"{ratio:.2f}x",
                    f">= {CATCH_UP_TARGET}: {verdict(ratio >= CATCH_UP_TARGET)}",
                ),
            ]
        ),
        "",
    ]
    rows = [("query (ms)", "n", "avg hits", "p50", "p99", "gRPC p50", "gRPC p99", "target")]
    for what, (latencies, found) in r.local.items():
        wire, _ = r.wire[what]
        searching = what in ("name prefix", "exact number", "CB + status on a day")
        target = ""
        if searching:
            ok = percentile(latencies, 0.99) < SEARCH_TARGET_MS
            target = f"p99 < {SEARCH_TARGET_MS:g}: {verdict(ok)}"
        rows.append(
            (
                what,
                str(len(latencies)),
                f"{found / len(latencies):,.1f}",
                f"{statistics.median(latencies):.2f}",
                f"{percentile(latencies, 0.99):.2f}",
                f"{statistics.median(wire):.2f}",
                f"{percentile(wire, 0.99):.2f}",
                target,
            )
        )
    lines.append(render(rows))
    return "\n".join(lines)


@contextlib.contextmanager
def postgres(dsn: str | None) -> Iterator[str]:
    if dsn:
        yield schema_dsn(dsn)
        return
    instance = PostgresInstance.start()
    try:
        yield schema_dsn(instance.dsn)
    finally:
        instance.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--certificates", type=int, default=1_000_000, help="certificates per store (1,000,000)"
    )
    parser.add_argument(
        "--postgres-certificates",
        type=int,
        metavar="N",
        help="certificates of the PostgreSQL store, if not --certificates",
    )
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", metavar="DSN", help="a PostgreSQL database to use")
    parser.add_argument("--queries", type=int, default=QUERIES, help="queries of each kind")
    parser.add_argument("--quick", action="store_true", help="20,000 certificates a store")
    args = parser.parse_args(argv)
    size = 20_000 if args.quick else args.certificates
    pg_size = 20_000 if args.quick else (args.postgres_certificates or size)
    started = time.perf_counter()

    def say(text: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {text}", file=sys.stderr, flush=True)

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="registry-bench-read-") as tmp:
        if args.engine in ("sqlite", "both"):
            db = f"sqlite:///{Path(tmp) / 'read.db'}"
            results.append(run_engine("sqlite", db, size, args.queries, say))
        if args.engine in ("postgres", "both"):
            with postgres(args.postgres) as dsn:
                results.append(run_engine("postgres", dsn, pg_size, args.queries, say))
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; total {time.perf_counter() - started:.0f} s"
    )
    for result in results:
        print()
        print(table(result))
    print()
    print(
        f"queries: {args.queries} of each kind after {WARM_UP} not counted, one at a time, "
        f"page of {PAGE}; gRPC: RegistryClient against a server in this process"
    )
    print(
        "feed latency: scripts/bench --feed; PublishBatch and registry import: "
        "scripts/bench --publish"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
