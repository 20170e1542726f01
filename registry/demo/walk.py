"""The walk: the three users' stories, asked of a running registry over its gRPC API.

Every answer printed here comes from the server through ``RegistryClient``, as
any other client would get it: the CB's month-end batch (``PublishBatch``), the
buyer's search and status questions (``SearchCertificates``,
``GetCertificateStatus``, ``GetCertificateHistory``), and the assessor's list of
a CB's publications and its issuance report (``ListEvents``,
``GetIssuanceReport``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from google.rpc import code_pb2

from registry.application.views import CertificateRef, Organization, Site
from registry.cli import output
from registry.client import RegistryClient, batch_command, write_request
from registry.commands import WRITES, WriteCommand
from registry.demo.data import ACCREDITATION_BODIES, CERTIFICATION_BODIES
from registry.demo.plan import CB_BY_ID, Plan, Step, month_start
from registry.v1 import accreditation_service_pb2 as acc_pb
from registry.v1 import certificate_service_pb2 as pb

Print = Callable[[str], None]


@dataclass(frozen=True)
class BatchAnswer:
    """One command's answer in a batch: its code's name, the version, the message."""

    code: str
    version: int
    message: str


COMMANDS_BY_USE_CASE = {command.use_case: command for command in WRITES.values()}
BATCH_ROWS = 8  # rows of the batch's answers shown (every refused one besides)
EVENT_ROWS = 10  # rows of the assessor's list shown


def batch_commands(steps: Sequence[Step]) -> list[pb.BatchCommand]:
    """Steps as PublishBatch commands, each with the step's request id."""
    return [
        batch_command(
            write_request(
                COMMANDS_BY_USE_CASE[step.use_case].name,
                step.cb,
                step.number,
                effective_date=step.effective,
                request_id=step.request_id,
                **wire_fields(COMMANDS_BY_USE_CASE[step.use_case], step.fields),
            )
        )
        for step in steps
    ]


def wire_fields(command: WriteCommand, fields: dict[str, Any]) -> dict[str, Any]:
    """A use case's keyword arguments as the fields of the command's request."""
    by_keyword = {field.keyword: field.name for field in command.fields}
    return {by_keyword[keyword]: _wire(value) for keyword, value in fields.items()}


def _wire(value: Any) -> Any:
    if isinstance(value, Organization):
        return pb.Organization(name=value.name, country=value.country, address=value.address)
    if isinstance(value, CertificateRef):
        return pb.CertificateRef(
            certification_body_id=value.certification_body_id,
            certificate_number=value.certificate_number,
        )
    if isinstance(value, list) and value and isinstance(value[0], Site):
        return [pb.Site(address=site.address, scope=site.scope) for site in value]
    return value


def certificates_by_cb(plan: Plan) -> dict[str, int]:
    """How many certificates each CB issued or took over, history and batch."""
    counts = {cb.id: 0 for cb in CERTIFICATION_BODIES}
    for step in [*plan.history, *plan.batch]:
        if step.use_case in ("issue_certificate", "transfer_certificate") and not step.refused:
            counts[step.cb] += 1
    return counts


class Walk:
    """The stories, told through ``client`` about ``plan``'s registry, printed with ``say``."""

    def __init__(self, client: RegistryClient, plan: Plan, say: Print = print) -> None:
        self.client = client
        self.plan = plan
        self.say = say
        self.stories = plan.stories
        self.this_month = datetime.combine(month_start(plan.today, 0), time(), tzinfo=UTC)
        self.last_month = datetime.combine(month_start(plan.today, -1), time(), tzinfo=UTC)

    def run(self) -> None:
        self.cast()
        self.month_end_batch()
        self.buyer()
        self.assessor()

    def section(self, title: str, *lines: str) -> None:
        self.say("")
        self.say(f"== {title}")
        for line in lines:
            self.say(line)

    # Who is who

    def cast(self) -> None:
        self.section(
            "Who is who",
            "Accreditation bodies (ABs) accredit certification bodies (CBs), which certify "
            "organisations.",
        )
        bodies = {ab.acronym: ab for ab in ACCREDITATION_BODIES}
        counts = certificates_by_cb(self.plan)
        rows = [
            (
                cb.accredited_by,
                f"{bodies[cb.accredited_by].country} ({bodies[cb.accredited_by].region})",
                cb.id,
                cb.name,
                f"{counts[cb.id]:,}",
            )
            for cb in CERTIFICATION_BODIES
        ]
        self.say(output.table(("AB", "AB COUNTRY", "CB", "CB NAME", "CERTIFICATES"), rows))
        self.say(
            "Each CB publishes with its own token, each AB audits the CBs it accredits with "
            "its own, and a buyer asks anonymously (the CBs and their clients are invented)."
        )

    # Story 1

    def month_end_batch(self) -> None:
        cb = CB_BY_ID[self.stories.batch_cb]
        steps = self.plan.batch
        self.section(
            f"1. A certification body publishes its month-end batch: {cb.name}",
            f"{cb.id} sends this month's {len(steps)} changes in one PublishBatch call; each "
            "command is checked against the rules and answered on its own:",
        )
        results = list(self._publish(steps))
        shown = [
            n
            for n, (_, result) in enumerate(zip(steps, results, strict=True))
            if n < BATCH_ROWS or result.code != "OK"
        ]
        rows = []
        for n in shown:
            step, result = steps[n], results[n]
            outcome = f"v{result.version}" if result.code == "OK" else result.message
            rows.append(
                (
                    str(n + 1),
                    COMMANDS_BY_USE_CASE[step.use_case].name,
                    f"{step.cb}/{step.number}",
                    result.code,
                    outcome,
                )
            )
        self.say(output.table(("#", "COMMAND", "CERTIFICATE", "RESULT", "VERSION OR WHY"), rows))
        accepted = sum(result.code == "OK" for result in results)
        hidden = len(steps) - len(shown)
        more = f" ({hidden} more not shown)" if hidden else ""
        self.say(
            f"{accepted} accepted, {len(steps) - accepted} refused{more}. A refused command "
            "changes nothing and blocks none of the others; its message names the rule."
        )

    def _publish(self, steps: Sequence[Step]) -> Iterable[BatchAnswer]:
        for start in range(0, len(steps), 1000):
            commands = batch_commands(steps[start : start + 1000])
            response = self.client.publish_batch(commands)
            for result in response.results:
                code = code_pb2.Code.Name(result.code)
                yield BatchAnswer(code, int(result.version), result.message)

    # Story 2

    def buyer(self) -> None:
        stories = self.stories
        supplier = f"{stories.supplier_cb}/{stories.supplier_number}"
        self.section(
            "2. A buyer checks a supplier",
            f'The buyer types "{stories.search_text}" (no accents): the search folds case and '
            "accents (Ł → l, ó → o, ź → z) and matches the beginnings of words.",
        )
        found = self.client.search_certificates(organization_name=stories.search_text)
        self.say(output.search(found, as_json=False))
        cb, number = stories.supplier_cb, stories.supplier_number
        history = list(self.client.iter_certificate_history(cb, number))
        correction = next(event for event in history if event.WhichOneof("payload") == "suspended")
        recorded = correction.recorded_at.ToDatetime(tzinfo=UTC)
        before = recorded - timedelta(days=1)
        day = stories.suspended_on
        questions = [
            ("valid today?", None, None),
            (f"valid on {day}? (as known today)", day, None),
            (f"valid on {day}? (as answered on {before:%Y-%m-%d})", day, before),
        ]
        rows = []
        for question, at, as_of in questions:
            answer = self.client.get_certificate_status(cb, number, at=at, as_of=as_of)
            rows.append(
                (
                    question,
                    output.day(answer.at),
                    output.instant(answer.as_of),
                    output.status_name(answer.status),
                    str(answer.version),
                )
            )
        self.say("")
        self.say(f"{stories.supplier_name} ({supplier}), on two clocks:")
        self.say(output.table(("QUESTION", "ON", "AS OF", "STATUS", "VERSION"), rows))
        self.say(
            f"Its CB published the suspension from {output.day(correction.effective_date)} "
            f"only at {output.instant(correction.recorded_at)} (a backdated correction): today "
            "the registry says it was SUSPENDED that day, and it can still show exactly what "
            "it answered before it knew. Its history, with both clocks:"
        )
        self.say(output.history(history, "", as_json=False))
        check = self.client.verify_certificate(
            cb, number, claimed_organization_name=stories.supplier_name
        )
        verdict = pb.Verdict.Name(check.verdict).removeprefix("VERDICT_")
        self.say("")
        self.say(f"Is it credible today? The registry checks each step: {verdict}")
        self.say(
            output.table(
                ("STEP", "PASSED", "WHY"),
                [
                    (
                        acc_pb.VerificationStepKind.Name(step.kind).removeprefix(
                            "VERIFICATION_STEP_KIND_"
                        ),
                        "yes" if step.passed else "no",
                        step.reason,
                    )
                    for step in check.steps
                ],
            )
        )

    # Story 3

    def assessor(self) -> None:
        cb = CB_BY_ID[self.stories.batch_cb]
        last_day = self.this_month.date() - timedelta(days=1)
        self.section(
            f"3. An assessor of {cb.accredited_by} reviews {cb.name}",
            f"What {cb.id} published last month (recorded after "
            f"{_instant(self.last_month)}, up to "
            f"{_instant(self.this_month)}), from ListEvents:",
        )
        events: list[Any] = []
        token = ""
        while True:
            page = self.client.list_events(
                cb.id,
                recorded_after=self.last_month,
                recorded_before=self.this_month,
                page_size=1000,
                page_token=token,
            )
            events += page.events
            token = page.next_page_token
            if not token:
                break
        rows = [
            (
                str(event.global_position),
                output.label(event.certificate),
                str(event.version),
                output.event_type_name(event.type),
                output.day(event.effective_date),
                output.instant(event.recorded_at),
            )
            for event in events[:EVENT_ROWS]
        ]
        header = ("POSITION", "CERTIFICATE", "VERSION", "EVENT", "EFFECTIVE", "RECORDED")
        self.say(output.table(header, rows) if rows else "no events")
        kinds: dict[str, int] = {}
        for event in events:
            name = output.event_type_name(event.type)
            kinds[name] = kinds.get(name, 0) + 1
        counted = ", ".join(f"{count} {name}" for name, count in sorted(kinds.items()))
        self.say(f"{len(events)} events last month: {counted or 'none'}.")
        self.say("")
        self.say(
            f"Its issuance report on {last_day}, as known at the end of last month "
            "(this month's batch is not in it), from GetIssuanceReport:"
        )
        report = self.client.get_issuance_report(cb.id, at=last_day, as_of=self.this_month)
        self.say(output.report(report, as_json=False))
        today = self.client.get_issuance_report(cb.id)
        self.say(
            f"The same report today ({output.day(today.at)}, with this month's batch): "
            f"{today.total:,} certificates."
        )


def _instant(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
