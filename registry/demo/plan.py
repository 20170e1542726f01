"""The demo's plan: every certificate's lifecycle as writes, from a seed and a today.

Each write has its effective date and the month-end upload that records it:
CBs publish monthly (IAF MD 28; UKAS CertCheck asks for every 4 weeks), so a
change normally appears at the end of its own month, and a backdated correction
months later. Months are counted from the current one (-1: last month); nothing
in the plan names a calendar year, so it works on any today.

Lifecycles follow ISO/IEC 17021-1: a 3-year cycle from the decision, yearly
surveillance, recertification before expiry (chaining the old expiry), and at
most one adverse episode per certificate — a suspension lifted or ending in
withdrawal, a backdated suspension recorded late, a cancellation, a transfer to
another CB (IAF MD 2), a lapse past expiry (restored within 6 months or not), or
a withdrawal published in error and retracted. Scope changes and holder renames
ride along at audits.

The plan also holds the fixed certificates the walk tells stories about, and the
month-end batch one CB publishes during the walk (this month's changes, with one
command the rules refuse, on purpose).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from registry.application.views import CertificateRef, Organization, Site
from registry.demo.data import (
    CANCELLATION_REASONS,
    CERTIFICATION_BODIES,
    CONFIDENTIAL_REASONS,
    LOCALES,
    NUMBER_LETTERS,
    STANDARD_TRADES,
    STANDARDS,
    SUSPENSION_REASONS,
    TRADE_BY_CODE,
    TRADES,
    WITHDRAWAL_REASONS,
    CertificationBody,
    Trade,
)
from registry.domain.dates import add_months, add_years

DEFAULT_CERTIFICATES = 3000
DEFAULT_SEED = 17021
HISTORY_MONTHS = 66  # the oldest certificates were first issued this many months ago
BATCH_CB = "cb-nordstern"  # publishes its month-end batch during the walk
SUPPLIER_CB = "cb-wisla"  # certifies the buyer's supplier
SEARCH_TEXT = "lodz"  # what the buyer types, without the accents
EPISODES = (
    "suspension",
    "backdated-correction",
    "withdrawal",
    "cancellation",
    "transfer",
    "lapse",
    "retraction",
)
EPISODE_CHANCE = 0.3  # that a certificate has an adverse episode at all
EPISODE_WEIGHTS = (0.3, 0.08, 0.1, 0.2, 0.12, 0.14, 0.06)  # of each, in EPISODES' order
GAP_CHANCE = 0.4  # that the episode happens in a given gap between audits (or recertification)
SCOPE_CHANGE_CHANCE = 0.06  # at a surveillance
RENAME_CHANCE = 0.04  # at a recertification
CB_INDEX = {cb.id: i for i, cb in enumerate(CERTIFICATION_BODIES)}
CB_BY_ID = {cb.id: cb for cb in CERTIFICATION_BODIES}


@dataclass(eq=True)
class Step:
    """One write of the plan: the use case (a ``Registry`` method) and its arguments.

    ``cb`` publishes it; ``month`` is the upload that records it, counted from the
    current month (0: this month's, not uploaded before the walk). ``kind`` says which
    part of a lifecycle it is. ``version`` is the certificate version it makes, known
    once the plan is in recording order; a retraction's ``target`` is the step it
    takes back.
    """

    use_case: str
    cb: str
    number: str
    effective: date
    month: int
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    request_id: str = ""
    version: int = 0
    target: Step | None = field(default=None, repr=False, compare=False)
    refused: bool = False  # meant to be refused (the batch's deliberate mistake)


@dataclass(frozen=True)
class Stories:
    """What the walk asks about."""

    batch_cb: str
    supplier_cb: str
    supplier_number: str
    supplier_name: str
    search_text: str
    suspended_on: date  # a past day the supplier was suspended, as known today
    correction_month: int  # the upload that recorded that suspension, late


@dataclass
class Plan:
    """A whole demo registry: its history, the walk's batch, and the stories."""

    today: date
    seed: int
    history: list[Step]  # recorded before this month, in recording order
    batch: list[Step]  # the batch CB's month-end batch, in order
    stories: Stories

    def uploads(self) -> list[tuple[int, str, list[Step]]]:
        """The history as uploads: (month, CB, its steps), in recording order."""
        groups: list[tuple[int, str, list[Step]]] = []
        for step in self.history:
            if not groups or groups[-1][:2] != (step.month, step.cb):
                groups.append((step.month, step.cb, []))
            groups[-1][2].append(step)
        return groups

    def kinds(self) -> dict[str, int]:
        """How many steps of each kind the history and the batch hold."""
        counts: dict[str, int] = {}
        for step in [*self.history, *self.batch]:
            counts[step.kind] = counts.get(step.kind, 0) + 1
        return counts


def month_start(today: date, month: int) -> date:
    """The first day of the month ``month`` months from today's."""
    return add_months(today.replace(day=1), month)


def upload_instant(today: date, month: int, cb: str) -> datetime:
    """When ``cb``'s upload of ``month`` is recorded: its last day, from 17:00 UTC, the
    CBs a few minutes apart."""
    last_day = month_start(today, month + 1) - timedelta(days=1)
    start = datetime.combine(last_day, time(17), tzinfo=UTC)
    return start + timedelta(minutes=11 * CB_INDEX[cb])


def make_plan(
    today: date, *, certificates: int = DEFAULT_CERTIFICATES, seed: int = DEFAULT_SEED
) -> Plan:
    """The plan of a registry with about ``certificates`` certificates, the same for
    the same ``today`` and ``seed``."""
    maker = _Maker(random.Random(seed), today)
    maker.stories()
    for n in range(max(0, certificates - maker.issued)):
        maker.random_certificate(EPISODES[n] if n < len(EPISODES) else None)
    return maker.finish(seed)


@dataclass
class _Chain:
    """A certificate being generated: who holds it and where its cycle stands."""

    cb: str
    number: str
    organization: Organization
    sites: list[Site]
    standard: str
    scope: str
    sector_codes: list[str]
    cycle_start: date
    expiry: date

    def issue_fields(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "sites": list(self.sites),
            "standard": self.standard,
            "scope": self.scope,
            "sector_codes": list(self.sector_codes),
            "expiry_date": self.expiry,
        }


class _Maker:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.this_month = today.replace(day=1)
        self.steps: list[Step] = []
        self.batch: list[Step] = []
        self.serials: dict[str, int] = {}
        self.issued = 0
        self._stories: Stories | None = None

    # Steps

    def month_of(self, day: date) -> int:
        return (day.year - self.this_month.year) * 12 + day.month - self.this_month.month

    def emit(
        self,
        use_case: str,
        chain: _Chain,
        day: date,
        kind: str,
        *,
        month: int | None = None,
        **fields: Any,
    ) -> Step | None:
        """Add a step of ``chain`` on ``day`` (recorded in ``month``, default the day's
        own); None, adding nothing, if ``day`` is after today."""
        if day > self.today:
            return None
        step = Step(
            use_case,
            chain.cb,
            chain.number,
            day,
            self.month_of(day) if month is None else month,
            kind,
            fields,
            seq=len(self.steps),
        )
        self.steps.append(step)
        return step

    def number(self, cb: str, standard: str, day: date) -> str:
        serial = self.serials.get(cb, 0) + 1
        self.serials[cb] = serial
        return f"{CB_BY_ID[cb].prefix}-{NUMBER_LETTERS[standard]}-{day.year}-{serial:05d}"

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    # Clients

    def client(self, country: str, trade: Trade) -> tuple[Organization, list[Site]]:
        locale = LOCALES[country]
        pick = self.rng.choice
        word = trade.words[locale.language]
        form = pick(locale.forms)
        name = pick(
            (
                f"{pick(locale.families)} {word} {form}",
                f"{word} {pick(locale.cities)} {form}",
                f"{pick(locale.families)} & {pick(locale.families)} {form}",
            )
        )
        address = self.address(country, pick(locale.cities))
        sites = [Site(address)]
        if self.rng.random() < 0.2:
            sites.append(Site(self.address(country, pick(locale.cities)), "Warehouse"))
        return Organization(name, country, address), sites

    def address(self, country: str, city: str) -> str:
        locale = LOCALES[country]
        street, number = self.rng.choice(locale.streets), self.rng.randint(1, 180)
        line = f"{street} {number}" if locale.street_first else f"{number} {street}"
        return f"{line}, {city}"

    # Lifecycles

    def random_certificate(self, forced: str | None) -> None:
        """A certificate of a random CB and client; ``forced``: its episode, with a first
        issue early enough for any episode to fit."""
        rng = self.rng
        cb = rng.choices(CERTIFICATION_BODIES, [c.share for c in CERTIFICATION_BODIES])[0]
        countries = cb.client_countries
        country = rng.choices([c for c, _ in countries], [w for _, w in countries])[0]
        standard = rng.choices([s for s, _ in STANDARDS], [w for _, w in STANDARDS])[0]
        trade = TRADE_BY_CODE.get(STANDARD_TRADES.get(standard, ""), rng.choice(TRADES))
        organization, sites = self.client(country, trade)
        if forced is not None:
            issued = month_start(self.today, -rng.randint(40, HISTORY_MONTHS))
        else:
            issued = month_start(self.today, -rng.randint(0, HISTORY_MONTHS))
        issued += self.days(0, 27)
        if issued > self.today:
            issued = self.today
        episode = forced
        if episode is None and rng.random() < EPISODE_CHANCE:
            episode = rng.choices(EPISODES, EPISODE_WEIGHTS)[0]
        self.lifecycle(cb, organization, sites, standard, trade, issued, episode, forced)

    def lifecycle(
        self,
        cb: CertificationBody,
        organization: Organization,
        sites: list[Site],
        standard: str,
        trade: Trade,
        issued: date,
        episode: str | None,
        forced: str | None = None,
    ) -> None:
        chain = _Chain(
            cb.id,
            self.number(cb.id, standard, issued),
            organization,
            sites,
            standard,
            trade.scope,
            [trade.sector_code],
            issued,
            add_years(issued, 3) - timedelta(days=1),
        )
        self.issued += 1
        self.emit("issue_certificate", chain, issued, "issue", **chain.issue_fields())
        last = issued
        while True:
            milestones = (
                ("surveillance", chain.cycle_start + self.days(320, 355)),
                ("surveillance", chain.cycle_start + self.days(685, 715)),
                ("renewal", chain.expiry - self.days(30, 75)),
            )
            for kind, day in milestones:
                chance = 1.0 if forced else GAP_CHANCE
                if episode not in (None, "lapse") and self.rng.random() < chance:
                    gap = (last + timedelta(days=20), day - timedelta(days=20))
                    outcome = self.episode(str(episode), chain, *gap)
                    if outcome == "ended":
                        return
                    if outcome is not None:
                        episode = None
                if kind == "surveillance":
                    if self.emit("record_surveillance", chain, day, "surveillance") is None:
                        return
                    if self.rng.random() < SCOPE_CHANGE_CHANCE:
                        chain.scope = f"{trade.scope}, and related maintenance services"
                        self.emit(
                            "change_scope",
                            chain,
                            day,
                            "scope-change",
                            scope=chain.scope,
                            sites=list(chain.sites),
                            sector_codes=list(chain.sector_codes),
                        )
                    last = day
                    continue
                # A transfer may have brought the expiry forward.
                day = min(day, chain.expiry - timedelta(days=30))
                if episode == "lapse" and self.rng.random() < chance:
                    episode = None
                    restored = self.lapse(chain)
                    if restored is None:
                        return
                    last = restored
                    break
                renewed = add_years(chain.expiry, 3)
                step = self.emit("renew_certificate", chain, day, "renewal", expiry_date=renewed)
                if step is None:
                    return
                if self.rng.random() < RENAME_CHANCE:
                    self.rename(chain, day)
                chain.cycle_start = chain.expiry + timedelta(days=1)
                chain.expiry = renewed
                last = day

    def episode(self, episode: str, chain: _Chain, start: date, end: date) -> str | None:
        """Place ``episode`` between ``start`` and ``end``: "ended" if it ended the
        certificate, "done" if it continues, None if it does not fit there."""
        if start > self.today or (end - start).days < 130:
            return None
        day = start + self.days(0, 30)
        reason = self.rng.choice(SUSPENSION_REASONS)
        if episode in ("suspension", "backdated-correction"):
            lifted = day + self.days(21, 100)
            late = None
            if episode == "backdated-correction":
                late = self.month_of(lifted) + self.rng.randint(1, 2)
            review_by = day + timedelta(days=90)
            if (
                self.emit(
                    "suspend_certificate",
                    chain,
                    day,
                    episode,
                    month=late,
                    reason=reason,
                    review_by=review_by,
                    confidential=reason in CONFIDENTIAL_REASONS,
                )
                is None
            ):
                return "ended"
            if self.emit("reinstate_certificate", chain, lifted, episode, month=late) is None:
                return "ended"
            return "done"
        if episode == "withdrawal":
            withdrawn = min(day + self.days(60, 170), chain.expiry - timedelta(days=1))
            self.emit(
                "suspend_certificate",
                chain,
                day,
                "suspension",
                reason=reason,
                confidential=reason in CONFIDENTIAL_REASONS,
            )
            self.emit(
                "withdraw_certificate",
                chain,
                withdrawn,
                "withdrawal",
                reason=self.rng.choice(WITHDRAWAL_REASONS),
            )
            return "ended"
        if episode == "cancellation":
            reason = self.rng.choice(CANCELLATION_REASONS)
            self.emit("cancel_certificate", chain, day, "cancellation", reason=reason)
            return "ended"
        if episode == "transfer":
            return self.transfer(chain, day)
        if episode == "retraction":
            wrong = self.emit(
                "withdraw_certificate",
                chain,
                day,
                "retraction",
                reason="fees unpaid after two reminders",
            )
            if wrong is None:
                return "ended"
            noticed = month_start(day, 1) + self.days(0, 20)
            retraction = self.emit(
                "retract_event",
                chain,
                noticed,
                "retraction",
                reason="published in error: the withdrawal was meant for another client",
            )
            if retraction is None:
                return "ended"
            retraction.target = wrong
            return "done"
        raise ValueError(f"unknown episode {episode!r}")

    def transfer(self, chain: _Chain, day: date) -> str:
        country = chain.organization.country
        others = [c for c in CERTIFICATION_BODIES if c.id != chain.cb]
        nearby = [c for c in others if country in dict(c.client_countries)]
        receiving = self.rng.choice(nearby or others)
        old = CertificateRef(chain.cb, chain.number)
        # The new certificate continues the cycle, within 3 years of the transfer.
        chain.expiry = min(chain.expiry, add_years(day, 3) - timedelta(days=1))
        chain.cb = receiving.id
        chain.number = self.number(receiving.id, chain.standard, day)
        # Recorded after the old certificate's own upload of that month.
        month = self.month_of(day) + (CB_INDEX[receiving.id] < CB_INDEX[old.certification_body_id])
        step = self.emit(
            "transfer_certificate",
            chain,
            day,
            "transfer",
            month=month,
            from_certificate=old,
            **chain.issue_fields(),
        )
        if step is None:
            return "ended"
        self.issued += 1
        return "done"

    def lapse(self, chain: _Chain) -> date | None:
        """Let the certificate expire; half the time restore it within 6 months (17021-1
        9.6.3.2.5): the day it was restored, or None if it stays expired (or today comes
        first)."""
        if self.rng.random() < 0.5:
            return None
        restored = chain.expiry + self.days(20, 150)
        renewed = add_years(chain.expiry, 3)
        step = self.emit("renew_certificate", chain, restored, "restoration", expiry_date=renewed)
        if step is None:
            return None
        chain.cycle_start = chain.expiry + timedelta(days=1)
        chain.expiry = renewed
        return restored

    def rename(self, chain: _Chain, day: date) -> None:
        name = chain.organization.name
        forms = LOCALES[chain.organization.country].forms
        current = next((f for f in forms if name.endswith(f" {f}")), None)
        others = [f for f in forms if f != current]
        if current is not None and others:
            renamed = f"{name.removesuffix(current)}{others[0]}"
        else:
            renamed = f"{name} Holding"
        changed = Organization(renamed, "", "")  # empty: unchanged
        self.emit("change_holder_details", chain, day, "rename", organization=changed)
        chain.organization = replace(chain.organization, name=renamed)

    # The stories' certificates

    def stories(self) -> None:
        """The fixed certificates the walk asks about, and the batch CB's batch."""
        today = self.today

        def month(n: int) -> date:
            return month_start(today, n)

        wisla, nordstern = CB_BY_ID[SUPPLIER_CB], CB_BY_ID[BATCH_CB]
        # The buyer's supplier: suspended five months ago, learnt only at the upload of
        # two months ago (a backdated correction); valid today.
        supplier = self.fixed(
            wisla,
            "Łódź Tekstylia Sp. z o.o.",
            "ul. Piotrkowska 104, Łódź",
            "ISO 9001:2015",
            "4",
            month(-30) + timedelta(days=8),
        )
        for months in (11, 23):
            self.emit(
                "record_surveillance",
                supplier,
                add_months(supplier.cycle_start, months),
                "surveillance",
            )
        suspended = month(-5) + timedelta(days=2)
        correction = -2
        self.emit(
            "suspend_certificate",
            supplier,
            suspended,
            "backdated-correction",
            month=correction,
            reason="major nonconformity: no internal audits in the last 12 months",
            review_by=suspended + timedelta(days=90),
        )
        self.emit(
            "reinstate_certificate",
            supplier,
            suspended + timedelta(days=44),
            "backdated-correction",
            month=correction,
        )
        neighbour = self.fixed(
            wisla,
            "Łódzka Fabryka Kabli S.A.",
            "ul. Kilińskiego 210, Łódź",
            "ISO 14001:2015",
            "19",
            month(-14) + timedelta(days=19),
        )
        self.emit(
            "record_surveillance", neighbour, add_months(neighbour.cycle_start, 12), "surveillance"
        )
        self._stories = Stories(
            batch_cb=BATCH_CB,
            supplier_cb=supplier.cb,
            supplier_number=supplier.number,
            supplier_name=supplier.organization.name,
            search_text=SEARCH_TEXT,
            suspended_on=suspended + timedelta(days=10),
            correction_month=correction,
        )
        # The batch CB's clients, and one of another CB it takes over this month.
        bakery = self.fixed(
            nordstern,
            "Bäckerei Groß GmbH & Co. KG",
            "Am Mühlbach 3, Würzburg",
            "ISO 22000:2018",
            "3",
            month(-11) + timedelta(days=4),
        )
        plastics = self.fixed(
            nordstern,
            "Köhler Kunststofftechnik AG",
            "Industriestraße 41, Nürnberg",
            "ISO 14001:2015",
            "14",
            month(-20) + timedelta(days=11),
        )
        self.emit(
            "record_surveillance", plastics, add_months(plastics.cycle_start, 12), "surveillance"
        )
        logistics = self.fixed(
            CB_BY_ID["cb-albion"],
            "Weiß Logistik GmbH",
            "Hafenstraße 7, Lübeck",
            "ISO 45001:2018",
            "31",
            month(-16) + timedelta(days=3),
            "DE",
        )
        self.emit(
            "record_surveillance", logistics, add_months(logistics.cycle_start, 12), "surveillance"
        )
        newcomer = _Chain(
            nordstern.id,
            self.number(nordstern.id, "ISO 9001:2015", today),
            Organization(
                "Müller & Söhne Präzisionsteile GmbH", "DE", "Schillerstraße 12, Göttingen"
            ),
            [Site("Schillerstraße 12, Göttingen")],
            "ISO 9001:2015",
            TRADE_BY_CODE["17"].scope,
            ["17"],
            today,
            add_years(today, 3) - timedelta(days=1),
        )
        self.issued += 1
        batch = [
            self.batch_step("issue_certificate", newcomer, "issue", **newcomer.issue_fields()),
            self.batch_step("record_surveillance", bakery, "surveillance"),
            self.batch_step(
                "suspend_certificate",
                plastics,
                "suspension",
                reason="major nonconformity: evaluation of legal compliance missing",
                review_by=today + timedelta(days=60),
            ),
        ]
        old = CertificateRef(logistics.cb, logistics.number)
        logistics.cb = nordstern.id
        logistics.number = self.number(nordstern.id, logistics.standard, today)
        batch.append(
            self.batch_step(
                "transfer_certificate",
                logistics,
                "transfer",
                from_certificate=old,
                **logistics.issue_fields(),
            )
        )
        self.issued += 1
        refused = self.batch_step("reinstate_certificate", bakery, "refused")
        refused.refused = True
        batch.append(refused)
        self.batch = batch

    def fixed(
        self,
        cb: CertificationBody,
        name: str,
        address: str,
        standard: str,
        sector: str,
        issued: date,
        country: str = "",
    ) -> _Chain:
        trade = TRADE_BY_CODE[sector]
        organization = Organization(name, country or cb.country, address)
        chain = _Chain(
            cb.id,
            self.number(cb.id, standard, issued),
            organization,
            [Site(address)],
            standard,
            trade.scope,
            [sector],
            issued,
            add_years(issued, 3) - timedelta(days=1),
        )
        self.issued += 1
        self.emit("issue_certificate", chain, issued, "issue", **chain.issue_fields())
        return chain

    def batch_step(self, use_case: str, chain: _Chain, kind: str, **fields: Any) -> Step:
        """A step of this month's batch, effective today."""
        return Step(use_case, chain.cb, chain.number, self.today, 0, kind, fields)

    # The plan

    def finish(self, seed: int) -> Plan:
        """Order the history as it is recorded; number the versions it makes."""
        assert self._stories is not None
        history = sorted(
            (s for s in self.steps if s.month < 0),
            key=lambda s: (s.month, CB_INDEX[s.cb], s.seq),
        )
        pending = [s for s in self.steps if s.month >= 0 and s.cb == BATCH_CB]
        batch = [*self.batch, *pending]
        versions: dict[tuple[str, str], int] = {}
        for n, step in enumerate([*history, *batch]):
            step.request_id = f"demo-{seed}-{n:06d}"
            if step.refused:
                continue
            key = (step.cb, step.number)
            versions[key] = step.version = versions.get(key, 0) + 1
            if step.use_case == "transfer_certificate":
                old = step.fields["from_certificate"]
                key = (old.certification_body_id, old.certificate_number)
                versions[key] = versions.get(key, 0) + 1
            if step.target is not None:
                step.fields["version"] = step.target.version
        return Plan(self.today, seed, history, batch, self._stories)
