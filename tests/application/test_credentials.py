"""Bearer tokens: issued once, stored only as a hash, refused once revoked or expired."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import psycopg
import pytest
from pg_instance import schema_dsn
from psycopg import sql

from registry import config
from registry.application.credentials import Credentials, IssuedToken, TokenView
from registry.application.registry import Registry
from registry.domain.principals import (
    ADMIN,
    ANONYMOUS,
    Principal,
    accreditation_body,
    certification_body,
)
from registry.errors import InvalidInputError, NotFoundError, UnauthenticatedError
from registry.store.memory import MemoryOrderedRecorder
from registry.store.tokens import TOKENS, TokenRow

START = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
CB = certification_body("CB-1")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(db_url: str, clock: Clock) -> Iterator[Registry]:
    app = Registry(config.persistence_env(db_url), clock=clock)
    yield app
    app.close()


def secret_of(issued: IssuedToken) -> str:
    return issued.token.split("_", 2)[2]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def refusal(registry: Registry, text: str) -> str:
    with pytest.raises(UnauthenticatedError) as raised:
        registry.credentials.authenticate(text)
    return str(raised.value)


# Issuing and authenticating


@pytest.mark.parametrize("principal", [CB, accreditation_body("AB-1"), ADMIN], ids=str)
def test_a_created_token_authenticates_its_principal(registry, principal):
    issued = registry.credentials.create(principal)
    assert registry.credentials.authenticate(issued.token) == principal


def test_a_token_reads_rgt_its_public_id_and_a_secret_of_32_random_bytes(registry, clock):
    issued = registry.credentials.create(CB, note="ops laptop")
    assert re.fullmatch(r"rgt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", issued.token)
    assert issued.token.split("_")[1] == issued.view.token_id
    assert issued.view == TokenView(issued.view.token_id, CB, START, None, None, "ops laptop")


def test_each_token_is_new(registry):
    first, second = (registry.credentials.create(CB) for _ in range(2))
    assert first.view.token_id != second.view.token_id
    assert secret_of(first) != secret_of(second)


def test_an_issued_token_does_not_show_its_text_in_its_repr(registry):
    issued = registry.credentials.create(CB)
    assert secret_of(issued) not in repr(issued)


# Refusals


ARABIC_INDIC_DIGITS = "".join(chr(0x0660 + d) for d in range(10))  # str.isdigit() holds
GARBAGE = [
    "",
    "rgt_",
    "not a token",
    "rgt_0123456789abcdef_",
    "rgt_0123456789ABCDEF_" + "A" * 43,  # upper-case id
    "rgt_0123456789abcde_" + "A" * 44,  # id one short
    "rgt_0123456789abcdef_" + "A" * 42,  # secret one short
    "rgt_0123456789abcdef_" + "A" * 44,  # secret one long
    "rgt_0123456789abcdef_" + "A" * 42 + "+",  # base64, not base64url
    "rgt_0123456789abcdef_" + "A" * 42 + "=",
    "xyz_0123456789abcdef_" + "A" * 43,
    "Bearer rgt_0123456789abcdef_" + "A" * 43,
    "rgt_0123456789abcdef_" + "A" * 43 + "\n",
    "rgt_0123456789abcdef_" + "A" * 500,
    "rgt_" + ARABIC_INDIC_DIGITS + "abcdef_" + "A" * 43,
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_is_unauthenticated_without_quoting_it(registry, text):
    message = refusal(registry, text)
    assert message == "the credential is not a registry token (rgt_<token id>_<secret>)"


def test_an_unknown_token_is_unauthenticated(registry):
    issued = registry.credentials.create(CB)
    unknown = "rgt_" + "0" * 16 + "_" + secret_of(issued)
    message = refusal(registry, unknown)
    assert message == "the token is not recognised"


def test_a_wrong_secret_is_answered_as_an_unknown_token(registry):
    issued = registry.credentials.create(CB)
    wrong = f"rgt_{issued.view.token_id}_{'A' * 43}"
    message = refusal(registry, wrong)
    assert message == "the token is not recognised"
    assert secret_of(issued) not in message


def test_a_revoked_token_is_unauthenticated(registry):
    issued = registry.credentials.create(CB)
    registry.credentials.authenticate(issued.token)
    registry.credentials.revoke(issued.view.token_id)
    message = refusal(registry, issued.token)
    assert message == f"the token {issued.view.token_id} is revoked"


def test_a_token_expires_at_its_expiry(registry, clock):
    issued = registry.credentials.create(CB, expires_at=START + timedelta(hours=1))
    clock.advance(timedelta(hours=1) - timedelta(microseconds=1))
    assert registry.credentials.authenticate(issued.token) == CB
    clock.advance(timedelta(microseconds=1))
    message = refusal(registry, issued.token)
    assert message == f"the token {issued.view.token_id} has expired"
    assert secret_of(issued) not in message


def test_an_expiry_in_another_time_zone_is_the_same_instant(registry, clock):
    in_paris = START.astimezone(ZoneInfo("Europe/Paris"))
    issued = registry.credentials.create(CB, expires_at=in_paris + timedelta(minutes=5))
    assert issued.view.expires_at == START + timedelta(minutes=5)
    clock.advance(timedelta(minutes=5))
    refusal(registry, issued.token)


# What create refuses


def test_no_token_is_issued_to_anyone(registry):
    with pytest.raises(InvalidInputError, match="principal"):
        registry.credentials.create(ANONYMOUS)


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(seconds=-1)])
def test_an_expiry_not_in_the_future_is_invalid(registry, delta):
    with pytest.raises(InvalidInputError, match="expires_at"):
        registry.credentials.create(CB, expires_at=START + delta)


def test_an_expiry_without_a_time_zone_is_invalid(registry):
    with pytest.raises(InvalidInputError, match="time zone"):
        registry.credentials.create(CB, expires_at=datetime(2031, 1, 1))


@pytest.mark.parametrize("note", ["x" * 201, "é" * 101, "line\nbreak", "bell\x07", "rtl\u202e"])
def test_a_note_over_200_bytes_or_with_control_characters_is_invalid(registry, note):
    with pytest.raises(InvalidInputError, match="note"):
        registry.credentials.create(CB, note=note)
    assert registry.credentials.tokens() == []


def test_a_note_of_200_bytes_is_kept(registry):
    assert registry.credentials.create(CB, note="é" * 100).view.note == "é" * 100


# Revoking and listing


def test_revoking_an_unknown_token_is_not_found(registry):
    with pytest.raises(NotFoundError):
        registry.credentials.revoke("0123456789abcdef")


def test_revoking_a_malformed_token_id_is_invalid(registry):
    with pytest.raises(InvalidInputError, match="token_id"):
        registry.credentials.revoke("rgt_0123")


def test_revoking_twice_keeps_the_first_revocation_time(registry, clock):
    token_id = registry.credentials.create(CB).view.token_id
    clock.advance(timedelta(minutes=1))
    first = registry.credentials.revoke(token_id)
    clock.advance(timedelta(minutes=1))
    again = registry.credentials.revoke(token_id)
    assert first.revoked_at == again.revoked_at == START + timedelta(minutes=1)


def test_tokens_are_listed_oldest_first_without_secrets(registry, clock):
    issued = []
    for n, principal in enumerate([ADMIN, CB, accreditation_body("AB-1")]):
        issued.append(registry.credentials.create(principal, note=f"n{n}"))
        clock.advance(timedelta(seconds=1))
    registry.credentials.revoke(issued[1].view.token_id)
    listed = registry.credentials.tokens()
    assert [v.token_id for v in listed] == [i.view.token_id for i in issued]
    assert [v.principal for v in listed] == [ADMIN, CB, accreditation_body("AB-1")]
    assert listed[1].revoked_at == START + timedelta(seconds=3)
    assert {f.name for f in dataclasses.fields(TokenView)} == {
        "token_id",
        "principal",
        "created_at",
        "expires_at",
        "revoked_at",
        "note",
    }
    for view, token in zip(listed, issued, strict=True):
        assert secret_of(token) not in repr(view)
        assert sha256(secret_of(token)) not in repr(view)


# Bootstrap


def test_the_first_admin_token_is_bootstrapped_once(registry):
    first = registry.credentials.bootstrap()
    assert first is not None
    assert first.view.principal == ADMIN
    assert first.view.note == "bootstrap"
    assert registry.credentials.authenticate(first.token) == ADMIN
    assert registry.credentials.bootstrap() is None


def test_a_store_is_bootstrapped_once_even_if_its_bootstrap_token_is_revoked(registry):
    first = registry.credentials.bootstrap()
    assert first is not None
    registry.credentials.revoke(first.view.token_id)
    assert registry.credentials.bootstrap() is None


def test_a_store_with_other_tokens_is_still_bootstrapped(registry):
    registry.credentials.create(CB)
    assert registry.credentials.bootstrap() is not None


def test_a_restarted_registry_does_not_bootstrap_again(durable_db_url):
    env = config.persistence_env(durable_db_url)
    first = Registry(env)
    try:
        assert first.credentials.bootstrap() is not None
    finally:
        first.close()
    again = Registry(env)
    try:
        assert again.credentials.bootstrap() is None
        assert [v.note for v in again.credentials.tokens()] == ["bootstrap"]
    finally:
        again.close()


def test_of_registries_racing_to_bootstrap_one_store_exactly_one_gets_a_token(durable_db_url):
    env = config.persistence_env(durable_db_url)
    apps = [Registry(env) for _ in range(6)]
    start = threading.Barrier(len(apps))
    results: list[IssuedToken | None] = [None] * len(apps)
    errors: list[BaseException] = []

    def bootstrap(n: int) -> None:
        try:
            start.wait()
            results[n] = apps[n].credentials.bootstrap()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=bootstrap, args=(n,)) for n in range(len(apps))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        (winner,) = [r for r in results if r is not None]
        assert [v.token_id for v in apps[0].credentials.tokens()] == [winner.view.token_id]
        assert apps[-1].credentials.authenticate(winner.token) == ADMIN
    finally:
        for app in apps:
            app.close()


# Across processes sharing a store


def test_a_revocation_by_another_registry_is_effective_within_a_second(durable_db_url):
    env = config.persistence_env(durable_db_url)
    serving, revoking = Registry(env), Registry(env)
    try:
        issued = serving.credentials.create(CB)
        assert serving.credentials.authenticate(issued.token) == CB  # now cached
        revoking.credentials.revoke(issued.view.token_id)
        deadline = time.monotonic() + 1.0
        while True:
            try:
                serving.credentials.authenticate(issued.token)
            except UnauthenticatedError:
                break
            assert time.monotonic() < deadline, "still accepted 1 s after its revocation"
            time.sleep(0.02)
    finally:
        serving.close()
        revoking.close()


def test_a_token_created_by_another_registry_authenticates_at_once(durable_db_url):
    env = config.persistence_env(durable_db_url)
    serving, issuing = Registry(env), Registry(env)
    try:
        text = f"rgt_{'0' * 16}_{'A' * 43}"
        refusal(serving, text)  # an unknown id, looked up once
        issued = issuing.credentials.create(CB)
        assert serving.credentials.authenticate(issued.token) == CB
    finally:
        serving.close()
        issuing.close()


# The hash only at rest


def test_sqlite_keeps_only_the_hash_of_a_secret(tmp_path: Path):
    db_url = f"sqlite:///{tmp_path / 'registry.db'}"
    app = Registry(config.persistence_env(db_url))
    try:
        issued = [app.credentials.create(CB, note="at rest") for _ in range(3)]
        bootstrapped = app.credentials.bootstrap()
        assert bootstrapped is not None
        issued.append(bootstrapped)
        app.credentials.revoke(issued[0].view.token_id)
    finally:
        app.close()
    files = sorted(tmp_path.glob("registry.db*"))
    stored = b"".join(path.read_bytes() for path in files)
    for token in issued:
        assert token.token.encode() not in stored
        assert secret_of(token).encode() not in stored
        assert sha256(secret_of(token)).encode() in stored


def test_postgres_keeps_only_the_hash_of_a_secret(postgres_dsn: str):
    db_url = schema_dsn(postgres_dsn)
    app = Registry(config.persistence_env(db_url))
    try:
        issued = [app.credentials.create(CB, note="at rest") for _ in range(3)]
        bootstrapped = app.credentials.bootstrap()
        assert bootstrapped is not None
        issued.append(bootstrapped)
    finally:
        app.close()
    url = urlsplit(db_url)
    schema = parse_qs(url.query)["schema"][0]
    with psycopg.connect(url._replace(query="").geturl(), autocommit=True) as connection:
        columns = [
            row[0]
            for row in connection.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s AND data_type = 'text'",
                (schema, TOKENS),
            )
        ]
        assert "secret_hash" in columns
        values: list[str] = []
        for column in columns:
            statement = sql.SQL("SELECT {} FROM {}.{}").format(
                sql.Identifier(column), sql.Identifier(schema), sql.Identifier(TOKENS)
            )
            values += [row[0] for row in connection.execute(statement)]
    for token in issued:
        assert not any(token.token in value or secret_of(token) in value for value in values)
        assert sha256(secret_of(token)) in values


# The cache


class CountingStore(MemoryOrderedRecorder):
    """A token store that counts the look-ups it answers."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    def select_token(self, token_id: str) -> TokenRow | None:
        self.lookups += 1
        return super().select_token(token_id)


def test_a_token_looked_up_is_kept_for_the_cache_time(clock):
    store = CountingStore()
    credentials = Credentials(store, clock, cache_seconds=3600)
    issued = credentials.create(CB)
    for _ in range(3):
        credentials.authenticate(issued.token)
    assert store.lookups == 1


def test_an_unknown_token_id_is_kept_too(clock):
    store = CountingStore()
    credentials = Credentials(store, clock, cache_seconds=3600)
    text = f"rgt_{'0' * 16}_{'A' * 43}"
    for _ in range(3):
        with pytest.raises(UnauthenticatedError):
            credentials.authenticate(text)
    assert store.lookups == 1


def test_without_a_cache_time_every_call_looks_up(clock):
    store = CountingStore()
    credentials = Credentials(store, clock, cache_seconds=0)
    issued = credentials.create(CB)
    for _ in range(3):
        credentials.authenticate(issued.token)
    assert store.lookups == 3


def test_the_cache_keeps_the_most_recently_used_tokens(clock):
    store = CountingStore()
    credentials = Credentials(store, clock, cache_seconds=3600, cache_size=2)
    first, second, third = (credentials.create(CB) for _ in range(3))
    for issued in (first, second, first, third):  # third evicts second, the least recent
        credentials.authenticate(issued.token)
    assert store.lookups == 3
    credentials.authenticate(first.token)
    assert store.lookups == 3
    credentials.authenticate(second.token)
    assert store.lookups == 4


def test_a_revocation_is_effective_at_once_in_the_registry_that_made_it(clock):
    credentials = Credentials(CountingStore(), clock, cache_seconds=3600)
    issued = credentials.create(CB)
    credentials.authenticate(issued.token)
    credentials.revoke(issued.view.token_id)
    with pytest.raises(UnauthenticatedError, match="revoked"):
        credentials.authenticate(issued.token)


def test_many_threads_authenticate_through_a_small_cache(clock):
    credentials = Credentials(CountingStore(), clock, cache_seconds=3600, cache_size=3)
    issued = [credentials.create(certification_body(f"CB-{n}")) for n in range(8)]
    revoked = issued.pop()
    credentials.revoke(revoked.view.token_id)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for n in range(300):
                token = issued[(n + offset) % len(issued)]
                assert credentials.authenticate(token.token) == token.view.principal
                with pytest.raises(UnauthenticatedError):
                    credentials.authenticate(revoked.token)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def test_a_principal_is_stored_as_its_text(registry):
    issued = registry.credentials.create(Principal.parse("ab:AB-7"))
    assert registry.credentials.tokens()[0].principal == accreditation_body("AB-7")
    assert issued.view.principal == accreditation_body("AB-7")
