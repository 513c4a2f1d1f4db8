"""Load benchmark: the webhook bot under simulated citizens, beside an echo bot on the same stack.

Citizens post Telegram updates over loopback HTTP to `POST /telegram` of real `tthc-bot serve`
processes (1 or 2 replicas on different ports, the load split between them, on SQLite and on
PostgreSQL). Every replica sends its replies to a fake Bot API server in this process, which
notes when each citizen's first `sendMessage` arrives and answers as Telegram does (the sent
Message with its sender, formatting entities and keyboard). The ceiling is an echo bot built
on the same stack — PTB `Application` with `.updater(None)` and the same rate limiter, a Starlette
route that checks the secret and queues the update, uvicorn — that replies with the text.

Two measurements per configuration: closed loop (N citizens, each asks again as soon as it is
answered: maximum throughput) and open loop (a new question every 1/rate seconds whatever
happens: latency at that rate, measured from the moment the question was due, so a backlog
counts). Run by hand (not by CI):

    /work/venv/bin/python bench/load.py [--seconds 10] [--rate 100] [--citizens 32]
        [--databases sqlite,postgresql] [--replicas 1,2] [--postgres URL] [--rounds N]
        [--profile]

`--postgres` names a database the benchmark may wipe (default `tthc_bench` on 127.0.0.1,
created when missing). Each of our configurations runs beside an echo bot with the same number
of replicas, and their closed loops alternate in slices (echo, ours, ours, echo, …), so the
machine's drift weighs on both; `--rounds N` measures everything N times and reports medians.
`--profile` samples the first replica of each configuration with py-spy and prints where the
time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-token-not-real"
SECRET = "bench-webhook-secret"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/tthc_bench"


# ---------------------------------------------------------------- HTTP/1.1 on asyncio streams
# The load generator and the fake Bot API share this process and the machine's 2 cores with the
# bots under test, so they speak minimal HTTP/1.1 (keep-alive, Content-Length) on bare asyncio
# streams: httpx and uvicorn here would cost more CPU than the bots they measure.


async def read_message(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in head[1:] if line)
    }
    body = await reader.readexactly(int(headers.get("content-length", 0)))
    return head[0], headers, body


class Connection:
    """One keep-alive connection to a replica's webhook."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        host, port = url.removeprefix("http://").split(":")
        return cls(*await asyncio.open_connection(host, int(port)))

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            f"{extra}Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        status_line, _, _ = await read_message(self.reader)
        return int(status_line.split()[1])

    def close(self) -> None:
        self.writer.close()


# ---------------------------------------------------------------- fake Bot API


class FakeBotApi:
    """Answers getMe and sendMessage; resolves the waiting citizen's future on a reply."""

    def __init__(self) -> None:
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.sent = 0
        self._ids = itertools.count(1)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line, headers, body = await read_message(reader)
                method = request_line.split()[1].rsplit("/", 1)[-1]
                params = parameters(headers.get("content-type", ""), body)
                payload = json.dumps({"ok": True, "result": self.result(method, params)}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()  # cancelled: the run is over and the server closing

    def result(self, method: str, params: dict[str, str]) -> object:
        if method == "getMe":
            return BOT_USER
        if method != "sendMessage":
            return True
        self.sent += 1
        chat_id = int(params["chat_id"])
        future = self.waiting.pop(chat_id, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())
        return sent_message(params, next(self._ids))


def parameters(content_type: str, body: bytes) -> dict[str, str]:
    """A call's parameters as Telegram reads them: form fields, or a JSON body's values (a
    string as it is, anything else as its JSON text)."""
    if content_type.startswith("application/json"):
        return {
            name: value if isinstance(value, str) else json.dumps(value)
            for name, value in json.loads(body).items()
        }
    return dict(parse_qsl(body.decode()))


_TAG = re.compile(r"<(/?)([a-z]+)[^>]*>")


def sent_message(params: dict[str, str], message_id: int) -> dict[str, object]:
    """The Message Telegram returns for a sendMessage, which the bot parses after every reply:
    the sender, the text without its HTML tags and with their entities, the keyboard sent."""
    text, entities = params.get("text", ""), []
    if params.get("parse_mode") == "HTML":
        text, entities = _html_entities(text)
    message: dict[str, object] = {
        "message_id": message_id,
        "from": BOT_USER,
        "date": int(time.time()),
        "chat": {"id": int(params["chat_id"]), "type": "private", "first_name": "Dân"},
        "text": text,
    }
    if entities:
        message["entities"] = entities
    for name in ("reply_markup", "link_preview_options"):
        if name in params:
            message[name] = json.loads(params[name])
    return message


def _html_entities(marked: str) -> tuple[str, list[dict[str, object]]]:
    """Plain text and its formatting entities (offsets in UTF-16 units, as Telegram counts)."""
    kinds = {"b": "bold", "i": "italic", "u": "underline", "s": "strikethrough", "code": "code"}
    plain, entities, open_at, position = [], [], {}, 0
    for chunk, tag in itertools.zip_longest(_TAG.split(marked)[::3], _TAG.findall(marked)):
        piece = html.unescape(chunk)
        plain.append(piece)
        position += len(piece.encode("utf-16-le")) // 2
        if tag and tag[1] in kinds:
            closing, name = tag
            if not closing:
                open_at[name] = position
            elif name in open_at:
                start = open_at.pop(name)
                entities.append({"type": kinds[name], "offset": start, "length": position - start})
    return "".join(plain), entities


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- the echo bot (a replica)


def echo_server(port: int, base_url: str) -> None:
    """The stack's ceiling: PTB + Starlette + uvicorn, configured like ours, replying the text."""
    import hmac

    from telegram import Update
    from telegram.ext import Application, MessageHandler, filters

    from bot.channels.telegram import RetryingRateLimiter
    from bot.channels.telegram_http import JsonBodyRequest

    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(base_url)
        .request(JsonBodyRequest())  # the same networking as ours
        .rate_limiter(RetryingRateLimiter(max_retries=3, overall_max_rate=0))
        .concurrent_updates(True)
        .updater(None)
        .build()
    )

    async def echo(update: Update, _: object) -> None:
        assert update.effective_message and update.effective_chat
        await application.bot.send_message(update.effective_chat.id, update.effective_message.text)

    application.add_handler(MessageHandler(filters.TEXT, echo))

    async def receive(request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), SECRET.encode()):
            return Response(status_code=403)
        await application.update_queue.put(Update.de_json(await request.json(), application.bot))
        return Response()

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with application:
            await application.start()
            yield
            await application.stop()

    app = Starlette(
        routes=[Route("/telegram", receive, methods=["POST"]), Route("/healthz", healthz)],
        lifespan=lifespan,
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


# ---------------------------------------------------------------- replicas as processes


@dataclass
class Replicas:
    urls: list[str]
    processes: list[subprocess.Popen] = field(default_factory=list)


def bot_env(database_url: str, base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "PSEUDONYM_KEY": "bench-pseudonym-key",
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": base_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_MAX_RATE": "0",  # Telegram's ~30/s cap off: we measure the bot, not the cap
        "STAFF_CHAT_ID": "",
        "SESSION_SECRET": "",
        "ZALO_APP_ID": "",
    }


def prepare_database(database_url: str, base_url: str) -> None:
    """What docker-compose's `migrate` does: migrate, then import the knowledge base."""
    env = bot_env(database_url, base_url)
    for command in (["db", "upgrade"], ["kb", "import"]):
        subprocess.run(
            [sys.executable, "-m", "bot", *command],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )


@asynccontextmanager
async def replicas(
    kind: str, count: int, base_url: str, database_url: str, log_dir: Path
) -> AsyncIterator[Replicas]:
    started = Replicas([])
    for i in range(count):
        port = free_port()
        if kind == "echo":
            command = [__file__, "--echo-server", str(port), "--base-url", base_url]
        else:
            command = ["-m", "bot", "serve", "--port", str(port)]
        command = [sys.executable, *command]
        log = (log_dir / f"{kind}-{i}.log").open("w")
        process = subprocess.Popen(
            command, env=bot_env(database_url, base_url), stdout=log, stderr=log, cwd=ROOT
        )
        started.processes.append(process)
        started.urls.append(f"http://127.0.0.1:{port}")
    try:
        async with httpx.AsyncClient() as http:
            for url, process in zip(started.urls, started.processes, strict=True):
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(f"{kind} replica exited; see {log_dir}")
                    try:
                        if (await http.get(f"{url}/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
        yield started
    finally:
        for process in started.processes:
            process.send_signal(signal.SIGTERM)  # graceful: in-flight updates finish
        for process in started.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:  # overloaded beyond saving: do not hang the run
                process.kill()
                process.wait()


# ---------------------------------------------------------------- citizens


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds() -> float:
    """CPU time of every local PostgreSQL process (its server shares the cores we measure)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name = stat.read_text().partition("(")[2].partition(")")[0]
            if name.startswith("postgres"):
                total += cpu_seconds(int(stat.parent.name))
        except (OSError, ValueError):  # the process ended meanwhile
            continue
    return total


def questions() -> list[str]:
    data = yaml.safe_load((ROOT / "tests" / "eval" / "questions.yaml").read_text("utf-8"))
    return [item["q"] for item in data["questions"]]


@dataclass
class Result:
    answered: int = 0
    unanswered: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    bot_cpu: float = 0.0  # CPU seconds used by the replicas (closed loop)
    driver_cpu: float = 0.0  # and by this process: citizens and the fake Bot API
    db_cpu: float = 0.0  # and by the local PostgreSQL server

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


class Citizens:
    """Posts questions as private-chat updates and waits for the first reply to each."""

    def __init__(self, fake: FakeBotApi, urls: list[str], texts: list[str]) -> None:
        self.fake, self.urls, self.texts = fake, urls, texts
        self.update_ids = itertools.count(1)
        self.chat_ids = itertools.count(700_000_000)
        self.random = random.Random(42)
        self.idle: dict[str, list[Connection]] = {url: [] for url in urls}

    async def ask(self, chat_id: int, due: float, result: Result | None) -> None:
        update_id = next(self.update_ids)
        update = {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Dân"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "Dân"},
                "text": self.random.choice(self.texts),
            },
        }
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.fake.waiting[chat_id] = future
        url = self.urls[update_id % len(self.urls)]  # the load split between replicas
        pool = self.idle[url]
        body = json.dumps(update).encode()
        try:
            try:
                connection = pool.pop() if pool else await Connection.open(url)
                status = await connection.post("/telegram", body, HEADERS)
            except (ConnectionError, asyncio.IncompleteReadError):  # closed while idle: redial
                connection = await Connection.open(url)
                status = await connection.post("/telegram", body, HEADERS)
            pool.append(connection)
            if status != 200:
                raise ConnectionError(f"status {status}")
            replied = await asyncio.wait_for(future, timeout=10)
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            self.fake.waiting.pop(chat_id, None)
            if result is not None:
                result.unanswered += 1
            return
        if result is not None:
            result.answered += 1
            result.latencies.append(replied - due)

    def close(self) -> None:
        for pool in self.idle.values():
            for connection in pool:
                connection.close()

    async def closed_loop(self, citizens: int, seconds: float, result: Result | None) -> None:
        """`citizens` ask flat out for `seconds`, counted into `result` (None: a warm-up)."""
        end = time.perf_counter() + seconds

        async def citizen() -> None:
            chat_id = next(self.chat_ids)
            while time.perf_counter() < end:
                await self.ask(chat_id, time.perf_counter(), result)

        start = time.perf_counter()
        await asyncio.gather(*(citizen() for _ in range(citizens)))
        if result is not None:
            result.seconds += time.perf_counter() - start

    async def open_loop(self, rate: float, seconds: float) -> Result:
        result = Result()
        start = time.perf_counter()
        tasks = []
        for i in range(int(rate * seconds)):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(self.ask(next(self.chat_ids), due, result)))
        await asyncio.gather(*tasks)
        result.seconds = seconds
        return result


# ---------------------------------------------------------------- the run


@dataclass
class Row:
    name: str
    closed: Result
    opened: Result


async def reset_postgres(url: str) -> None:
    import asyncpg

    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    base, _, name = plain.rpartition("/")
    try:
        connection = await asyncpg.connect(plain)
    except asyncpg.InvalidCatalogNameError:
        admin = await asyncpg.connect(f"{base}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        connection = await asyncpg.connect(plain)
    await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    await connection.close()


SLICES = 4  # closed-loop slices per bot, alternated echo, ours, ours, echo, echo, ours, …


@dataclass
class Bot:
    """One bot's running replicas and the citizens who ask them; its closed-loop figures."""

    name: str
    started: Replicas
    citizens: Citizens
    closed: Result = field(default_factory=Result)

    async def flat_out(self, citizens: int, seconds: float) -> None:
        """One slice of the closed loop; its answers and CPU added to the bot's."""
        processes = self.started.processes
        db_before = database_cpu_seconds()
        before = sum(cpu_seconds(p.pid) for p in processes), time.process_time()
        await self.citizens.closed_loop(citizens, seconds, self.closed)
        self.closed.bot_cpu += sum(cpu_seconds(p.pid) for p in processes) - before[0]
        self.closed.driver_cpu += time.process_time() - before[1]
        self.closed.db_cpu += database_cpu_seconds() - db_before


def profile(bot: Bot, seconds: float, output: Path) -> subprocess.Popen:
    """py-spy on the bot's first replica (idle samples, while the other bot runs, left out)."""
    return subprocess.Popen(
        ["py-spy", "record", "--pid", str(bot.started.processes[0].pid), "--duration",
         str(int(seconds)), "--format", "raw", "--rate", "500", "--nonblocking",
         "-o", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def measure(
    count: int,
    database_url: str,
    args: argparse.Namespace,
    fake: FakeBotApi,
    base_url: str,
    log_dir: Path,
) -> tuple[Row, Row]:
    """The echo bot and ours, both running, their closed loops in alternating slices: the
    machine's speed drifts within minutes by more than the difference measured, and this way
    the drift weighs on both alike. Then each one's open loop."""

    @asynccontextmanager
    async def running(kind: str, url: str) -> AsyncIterator[Bot]:
        async with replicas(kind, count, base_url, url, log_dir) as started:
            citizens = Citizens(fake, started.urls, questions())
            await citizens.closed_loop(args.citizens, 2, None)  # warm-up
            try:
                yield Bot(f"{kind} {url.split('+')[0]}", started, citizens)
            finally:
                citizens.close()

    async with running("echo", "") as echo, running("ours", database_url) as ours:
        spies = []
        if args.profile:  # each bot's first replica while it runs flat out
            for bot in (echo, ours):
                label = f"{bot.name.split()[0]}-{database_url.split('+')[0]}-{count}"
                spies.append(profile(bot, 2 * args.seconds, log_dir / f"{label}.txt"))
        for i in range(SLICES):
            for bot in (echo, ours) if i % 2 == 0 else (ours, echo):
                await bot.flat_out(args.citizens, args.seconds / SLICES)
        for spy in spies:
            spy.wait()
        rows = []
        for bot in (echo, ours):
            await asyncio.sleep(1)
            rows.append(
                Row(bot.name, bot.closed, await bot.citizens.open_loop(args.rate, args.seconds))
            )
    return rows[0], rows[1]


def figures(row: Row, echo: Row) -> dict[str, float]:
    """A configuration's figures, its throughput also as a share of the echo bot's."""
    closed, opened = row.closed, row.opened
    per_answer = (lambda cpu: cpu / closed.answered * 1000) if closed.answered else None
    return {
        "rate": closed.rate,
        "p50": closed.percentile(50),
        "p99": closed.percentile(99),
        "bot_cpu": per_answer(closed.bot_cpu) if per_answer else float("nan"),
        "driver_cpu": per_answer(closed.driver_cpu) if per_answer else float("nan"),
        "db_cpu": per_answer(closed.db_cpu) if per_answer else float("nan"),
        "open_p50": opened.percentile(50),
        "open_p99": opened.percentile(99),
        "lost": opened.unanswered + closed.unanswered,
        "ratio": closed.rate / echo.closed.rate if echo.closed.rate else float("nan"),
    }


def report(rows: list[tuple[str, dict[str, float]]], rate: int) -> str:
    """One line per configuration: closed loop (throughput), open loop (latency), CPU, ratio."""
    head = (
        f"{'configuration':22} {'closed msg/s':>12} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'CPU ms/msg':>13} │ {'open ' + str(rate) + '/s p50':>14} {'p99 ms':>7} "
        f"{'lost':>5} │ {'ours/echo':>9}"
    )
    lines = [head, "─" * len(head)]
    for name, f in rows:
        ratio = "" if name.startswith("echo") else f"{f['ratio']:9.0%}"
        lines.append(
            f"{name:22} {f['rate']:12.1f} {f['p50']:7.1f} {f['p99']:7.1f} "
            f"{f['bot_cpu']:>5.1f}/{f['driver_cpu']:.1f}/{f['db_cpu']:.1f} │ {f['open_p50']:14.1f} "
            f"{f['open_p99']:7.1f} {f['lost']:5.0f} │ {ratio}"
        )
    return "\n".join(lines)


def medians(rounds: list[list[tuple[str, dict[str, float]]]]) -> list[tuple[str, dict[str, float]]]:
    """Each figure's median over the rounds (a ratio: the median of each round's ratio to the
    echo bot measured in that round, so a machine that speeds up or slows down between
    configurations moves both sides)."""
    return [
        (name, {key: statistics.median(r[i][1][key] for r in rounds) for key in f})
        for i, (name, f) in enumerate(rounds[0])
    ]


async def one_round(
    number: int, args: argparse.Namespace, fake: FakeBotApi, base_url: str, log_dir: Path
) -> list[tuple[str, dict[str, float]]]:
    """Per replica count and database, the echo bot and ours measured side by side."""
    rows: list[tuple[str, dict[str, float]]] = []
    for count in args.replicas:
        for database in args.databases:
            if database == "sqlite":
                url = f"sqlite+aiosqlite:///{log_dir}/bench-{number}-{count}.sqlite3"
            else:
                url = args.postgres
                await reset_postgres(url)
            prepare_database(url, base_url)
            echo, ours = await measure(count, url, args, fake, base_url, log_dir)
            for row in (echo, ours):
                rows.append((f"{row.name} ×{count}", figures(row, echo)))
                print(report(rows[-1:], args.rate).splitlines()[-1], flush=True)
    return rows


async def main(args: argparse.Namespace) -> None:
    fake = FakeBotApi()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/bot"
    log_dir = Path(tempfile.mkdtemp(prefix="tthc-load-"))
    rounds = []
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()}, logs: {log_dir}")
    server = await asyncio.start_server(fake.handle, "127.0.0.1", port)
    async with server:
        for number in range(1, args.rounds + 1):
            print(f"round {number} of {args.rounds}")
            rounds.append(await one_round(number, args, fake, base_url, log_dir))
    print(f"\n{'median of ' + str(args.rounds) + ' rounds' if args.rounds > 1 else 'result'}:")
    print(report(medians(rounds), args.rate))
    print(f"load average after: {os.getloadavg()}")
    for profile in sorted(log_dir.glob("*.txt")):
        print(f"\n==== {profile.stem}: first replica, closed loop, share of samples")
        print(summarize(profile))


def summarize(path: Path, top: int = 12) -> str:
    """py-spy's collapsed stacks as two lists: own time per function, time per package."""
    own: dict[str, int] = {}
    package: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames, samples = stack.split(";"), int(count)
        total += samples
        leaf = frames[-1]
        own[leaf] = own.get(leaf, 0) + samples
        where = leaf.partition("(")[2].split("site-packages/")[-1].split("/")[0]
        package[where] = package.get(where, 0) + samples
    lines = [f"{n / total:6.1%}  {name}" for name, n in sorted(own.items(), key=lambda x: -x[1])]
    packages = sorted(package.items(), key=lambda x: -x[1])
    return "\n".join(
        ["own time:", *lines[:top], "by package (own time):"]
        + [f"{n / total:6.1%}  {name}" for name, n in packages[:top]]
    )


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--citizens", type=int, default=32)
    split: Callable[[str], list[str]] = lambda value: value.split(",")  # noqa: E731
    parser.add_argument("--databases", type=split, default=["sqlite", "postgresql"])
    parser.add_argument("--replicas", type=lambda v: [int(n) for n in v.split(",")], default=[1, 2])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--rounds", type=int, default=1, help="repeat, report medians")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--echo-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    arguments = parse(sys.argv[1:])
    if arguments.echo_server:
        echo_server(arguments.echo_server, arguments.base_url)
    else:
        asyncio.run(main(arguments))
