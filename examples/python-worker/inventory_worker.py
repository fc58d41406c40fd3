#!/usr/bin/python3
"""A DTA task worker in Python: serves the booking flow's reserve-stock task over RabbitMQ.

It speaks the wire format of docs/WIRE.md with nothing but Debian's python3-pika and the standard library:

- consumes `<prefix>.booking.reserve-stock` (bound to the direct exchange `<prefix>.commands` under its own name);
- runs a reservation (`kind: run`) or releases it (`kind: compensate`), exactly once per saga: the barrier
  record (keyed by saga id + task) and the stock change are one sqlite3 transaction, in a file, so a restart
  or a second replica on the same file keeps them;
- replies on `<prefix>.booking.replies` through `<prefix>.commands` (routing key = the reply queue's name),
  persistent JSON with `x-request-id` and `traceparent`, and only then acknowledges the task;
- moves a message it cannot read to `<prefix>.dead-letter` with the reason headers, acknowledges it and goes on;
  a failure of its own (not a business refusal) is retried with `x-dta-delivery` counting, then dead-lettered;
- stops on SIGTERM or SIGINT after the message under way, and exits 0.

Usage:
    AMQP_URL=amqp://guest:guest@127.0.0.1:5672 /usr/bin/python3 inventory_worker.py
    /usr/bin/python3 inventory_worker.py state [SAGA_ID]     # prints the sqlite state as JSON

Environment: AMQP_URL, DTA_PREFIX (dta), DTA_STATE_DB (./inventory-worker.sqlite3), INVENTORY_INITIAL_STOCK
(100), DTA_MAX_DELIVERIES (5), DTA_MAX_MESSAGE_BYTES (1048576), DTA_MAX_MESSAGE_DEPTH (100),
DTA_REDELIVERY_DELAY_MS (1000), DTA_QUORUM_QUEUES (false), DTA_WORKER_NAME (python-inventory),
DTA_DB_BUSY_TIMEOUT_MS (30000: how long a transaction waits for another process's lock on the file),
DTA_EXIT_WITH_PARENT (false: when true, the worker stops as on SIGTERM once the process that started it is gone).
"""

import datetime
import hashlib
import json
import logging
import os
import secrets
import signal
import sqlite3
import sys
import time

WIRE_VERSION = 1
FLOW = "booking"
TASK = "reserve-stock"

log = logging.getLogger("inventory-worker")


class Settings:
    def __init__(self, env=os.environ):
        self.amqp_url = env.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
        self.prefix = env.get("DTA_PREFIX", "dta")
        self.state_db = env.get("DTA_STATE_DB", "inventory-worker.sqlite3")
        self.initial_stock = int(env.get("INVENTORY_INITIAL_STOCK", "100"))
        self.max_deliveries = int(env.get("DTA_MAX_DELIVERIES", "5"))
        self.max_bytes = int(env.get("DTA_MAX_MESSAGE_BYTES", "1048576"))
        self.max_depth = int(env.get("DTA_MAX_MESSAGE_DEPTH", "100"))
        self.redelivery_delay = int(env.get("DTA_REDELIVERY_DELAY_MS", "1000")) / 1000
        self.quorum = env.get("DTA_QUORUM_QUEUES", "false").lower() == "true"
        self.name = env.get("DTA_WORKER_NAME", "python-inventory")
        self.db_busy_timeout = int(env.get("DTA_DB_BUSY_TIMEOUT_MS", "30000")) / 1000
        self.exit_with_parent = env.get("DTA_EXIT_WITH_PARENT", "false").lower() == "true"

    @property
    def commands_exchange(self):
        return f"{self.prefix}.commands"

    @property
    def task_queue(self):
        return f"{self.prefix}.{FLOW}.{TASK}"

    @property
    def reply_queue(self):
        return f"{self.prefix}.{FLOW}.replies"

    @property
    def dead_letter_queue(self):
        return f"{self.prefix}.dead-letter"


# ---------------------------------------------------------------------------------------------------------
# Reading a message: the same bounds and checks as the Node parsers (libs/saga/src/transport/saga-messages.ts).


class InvalidMessage(Exception):
    """The message cannot be handled, now or ever: it goes to the dead-letter queue."""


def nesting_depth(text, stop_above):
    """Deepest nesting of arrays and objects in a JSON text, without parsing it (json.loads recurses)."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    return deepest
        elif c in "]}":
            depth -= 1
    return deepest


def non_empty_string(m, key, what="task"):
    value = m.get(key)
    if not isinstance(value, str) or value == "":
        raise InvalidMessage(f"{what}.{key} must be a non-empty string")
    return value


def read_task(body, settings):
    """Parses and checks a task message; raises InvalidMessage with the reason."""
    if len(body) > settings.max_bytes:
        raise InvalidMessage(f"message of {len(body)} bytes exceeds maxMessageBytes ({settings.max_bytes})")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidMessage(f"invalid JSON: not UTF-8 ({error})")
    if nesting_depth(text, settings.max_depth) > settings.max_depth:
        raise InvalidMessage(f"message nested deeper than maxMessageDepth ({settings.max_depth})")
    try:
        m = json.loads(text)
    except ValueError as error:
        raise InvalidMessage(f"invalid JSON: {error}")
    if not isinstance(m, dict):
        raise InvalidMessage("task is not a JSON object")
    if m.get("v") != WIRE_VERSION or isinstance(m.get("v"), bool):
        raise InvalidMessage(f"task.v must be {WIRE_VERSION}, got {m.get('v')!r}")
    for key in ("sagaId", "flow", "traceId", "step", "task"):
        non_empty_string(m, key)
    if m.get("kind") not in ("run", "compensate"):
        raise InvalidMessage("task.kind must be 'run' or 'compensate'")
    attempt = m.get("attempt")
    if not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1:
        raise InvalidMessage("task.attempt must be an integer >= 1")
    if m["flow"] != FLOW or m["task"] != TASK:
        raise InvalidMessage(f"this worker serves {FLOW}/{TASK}, not {m['flow']}/{m['task']}")
    cmd = m.get("input")
    if not isinstance(cmd, dict):
        raise InvalidMessage("task.input must be an object { orderId, productId, quantity }")
    for key in ("orderId", "productId"):
        non_empty_string(cmd, key, "task.input")
    quantity = cmd.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise InvalidMessage("task.input.quantity must be an integer >= 1")
    return m


# ---------------------------------------------------------------------------------------------------------
# State: the barrier and the stock, in one sqlite3 file; every decision is one IMMEDIATE transaction.

SCHEMA = """
CREATE TABLE IF NOT EXISTS barrier (
  saga_id TEXT NOT NULL,
  task TEXT NOT NULL,
  -- done: a run took effect (output); failed: attempt <attempt> failed without effect (reply);
  -- compensated: undone, or compensated before any run (started = 0): a later run is refused
  state TEXT NOT NULL CHECK (state IN ('done', 'failed', 'compensated')),
  attempt INTEGER NOT NULL,
  output TEXT,
  reply TEXT,
  started INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (saga_id, task)
);
CREATE TABLE IF NOT EXISTS stock (
  product_id TEXT PRIMARY KEY,
  available INTEGER NOT NULL,
  reserved INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reservations (
  saga_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('reserved', 'released')),
  applied INTEGER NOT NULL
);
"""


def open_db(path, busy_timeout=30.0):
    db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    return db


class Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, _value, _tb):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def faults_of(cmd):
    """The faults the booking asked for, which its saga puts in the task's input (`faults`), as a dict."""
    faults = cmd.get("faults") if isinstance(cmd, dict) else None
    return faults if isinstance(faults, dict) else {}


def failure(message, name, retryable, rejected=False, **extra):
    error = {"name": name, "message": message}
    if rejected:
        error["rejected"] = True
    return {"ok": False, "error": error, "retryable": retryable, **extra}


class Inventory:
    """The reserve-stock task and its compensation, idempotent by (saga id, task)."""

    def __init__(self, db, settings):
        self.db = db
        self.settings = settings

    def run(self, m):
        saga_id, attempt, cmd = m["sagaId"], m["attempt"], m["input"]
        with Transaction(self.db) as db:
            record = db.execute(
                "SELECT * FROM barrier WHERE saga_id = ? AND task = ?", (saga_id, TASK)
            ).fetchone()
            if record is not None and record["state"] == "done":
                # A repeated delivery, or a retry of an attempt that took effect: the stored output, again.
                return {"ok": True, "output": json.loads(record["output"])}
            if record is not None and record["state"] == "compensated":
                # The compensation came first (a hanging request): never run after it.
                return failure("the task was compensated before it ran", "TaskCompensatedError", False)
            if record is not None and record["state"] == "failed" and record["attempt"] >= attempt:
                # A repeated delivery of an attempt that already failed: the same answer.
                return json.loads(record["reply"])
            reply = self._reserve(db, saga_id, cmd)
            if reply["ok"]:
                row = ("done", attempt, json.dumps(reply["output"]), None)
            else:
                row = ("failed", attempt, None, json.dumps(reply))
            db.execute(
                "INSERT OR REPLACE INTO barrier (saga_id, task, state, attempt, output, reply, started, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                (saga_id, TASK, *row, now_iso()),
            )
            return reply

    def _reserve(self, db, saga_id, cmd):
        product, quantity = cmd["productId"], cmd["quantity"]
        if faults_of(cmd).get("faultInject") == "inventory":
            # The booking's fault injection (libs/booking/src/fault-injection.ts), as the Node service does.
            return failure(f"fault injected into {TASK}", "TaskRejectedError", False, rejected=True)
        db.execute(
            "INSERT OR IGNORE INTO stock (product_id, available, reserved) VALUES (?, ?, 0)",
            (product, self.settings.initial_stock),
        )
        stock = db.execute("SELECT * FROM stock WHERE product_id = ?", (product,)).fetchone()
        if stock["available"] < quantity:
            text = f"out of stock: {quantity} x {product} requested, {stock['available']} available"
            return failure(text, "OutOfStockError", False, rejected=True)
        db.execute(
            "UPDATE stock SET available = available - ?, reserved = reserved + ? WHERE product_id = ?",
            (quantity, quantity, product),
        )
        db.execute(
            "INSERT INTO reservations (saga_id, order_id, product_id, quantity, state, applied)"
            " VALUES (?, ?, ?, ?, 'reserved', 1)",
            (saga_id, cmd["orderId"], product, quantity),
        )
        stock = db.execute("SELECT * FROM stock WHERE product_id = ?", (product,)).fetchone()
        output = {
            "productId": product,
            "quantity": quantity,
            "available": stock["available"],
            "reserved": stock["reserved"],
            "reservationId": f"py-{saga_id}",
            "worker": self.settings.name,
        }
        return {"ok": True, "output": output}

    def compensate(self, m):
        saga_id, attempt = m["sagaId"], m["attempt"]
        until = faults_of(m.get("input")).get("failCompensationsUntil")
        if isinstance(until, (int, float)) and not isinstance(until, bool) and time.time() * 1000 < until:
            # The booking's transient compensation fault: retried by the orchestrator.
            return failure(f"compensation of {TASK} fails on purpose (failCompensationsUntil)", "Error", True)
        with Transaction(self.db) as db:
            record = db.execute(
                "SELECT * FROM barrier WHERE saga_id = ? AND task = ?", (saga_id, TASK)
            ).fetchone()
            if record is None:
                # Null compensation: nothing ran here. Record it, so that a run arriving later is refused.
                db.execute(
                    "INSERT INTO barrier (saga_id, task, state, attempt, output, reply, started, updated_at)"
                    " VALUES (?, ?, 'compensated', ?, NULL, NULL, 0, ?)",
                    (saga_id, TASK, attempt, now_iso()),
                )
                return {"ok": True}
            if record["state"] == "compensated":
                return {"ok": True}  # undone already: a repeated compensation changes nothing
            if record["state"] == "done":
                reservation = db.execute(
                    "SELECT * FROM reservations WHERE saga_id = ? AND state = 'reserved'", (saga_id,)
                ).fetchone()
                if reservation is not None:
                    db.execute(
                        "UPDATE stock SET available = available + ?, reserved = reserved - ? WHERE product_id = ?",
                        (reservation["quantity"], reservation["quantity"], reservation["product_id"]),
                    )
                    db.execute("UPDATE reservations SET state = 'released' WHERE saga_id = ?", (saga_id,))
            # done (now released) or failed (no effect): compensated, and no run may begin any more.
            db.execute(
                "UPDATE barrier SET state = 'compensated', updated_at = ? WHERE saga_id = ? AND task = ?",
                (now_iso(), saga_id, TASK),
            )
            return {"ok": True}


def dump_state(db, saga_id=None):
    def rows(sql, args=()):
        return [dict(row) for row in db.execute(sql, args).fetchall()]

    where, args = ("WHERE saga_id = ?", (saga_id,)) if saga_id else ("", ())
    return {
        "barrier": rows(f"SELECT * FROM barrier {where} ORDER BY saga_id", args),
        "reservations": rows(f"SELECT * FROM reservations {where} ORDER BY saga_id", args),
        "stock": rows("SELECT * FROM stock ORDER BY product_id"),
    }


# ---------------------------------------------------------------------------------------------------------
# Headers: x-request-id is the trace id; traceparent keeps the caller's W3C trace id with a new span id.


def trace_headers(trace_id, incoming):
    parent = incoming.get("traceparent") if incoming else None
    if isinstance(parent, bytes):
        parent = parent.decode("utf-8", "replace")
    parts = parent.split("-") if isinstance(parent, str) else []
    if len(parts) == 4 and len(parts[1]) == 32:
        w3c = parts[1]
    else:
        compact = trace_id.lower().replace("-", "")
        is_hex = len(compact) == 32 and all(c in "0123456789abcdef" for c in compact) and compact.strip("0")
        w3c = compact if is_hex else hashlib.sha256(trace_id.encode("utf-8")).hexdigest()[:32]
    span = secrets.token_hex(8)
    if span == "0" * 16:
        span = "0" * 15 + "1"
    return {"x-request-id": trace_id, "traceparent": f"00-{w3c}-{span}-01"}


def delivery_of(properties):
    headers = properties.headers or {}
    count = headers.get("x-dta-delivery", 1)
    return count if isinstance(count, int) and count >= 1 else 1


# ---------------------------------------------------------------------------------------------------------
# The broker side.


class Worker:
    def __init__(self, settings):
        import pika  # imported here: `state` needs no pika

        self.pika = pika
        self.settings = settings
        self.db = open_db(settings.state_db, settings.db_busy_timeout)
        self.inventory = Inventory(self.db, settings)
        self.stopping = False
        self.parent = os.getppid()
        self.connection = None
        self.channel = None

    def stop(self, signum=None, _frame=None):
        if not self.stopping:
            log.info("signal %s: stopping after the message under way", signum)
        self.stopping = True

    def serve(self):
        pika = self.pika
        while not self.stopping:
            try:
                self._connect()
                log.info("consuming %s as %s", self.settings.task_queue, self.settings.name)
                while not self.stopping:
                    self.connection.process_data_events(time_limit=0.5)
                    if self.settings.exit_with_parent and os.getppid() != self.parent:
                        self.stop("parent gone")
            except pika.exceptions.AMQPError as error:
                # Lost connection or channel, or a publish the broker refused: what this worker holds goes
                # back to the queue when the connection closes, and is delivered again.
                if self.stopping:
                    break
                log.warning("RabbitMQ: %r; connecting again in 1 s", error)
                self._pause(1.0)
            except Exception:  # noqa: BLE001 - a bug here must not kill the worker, nor make it spin
                log.exception("unexpected error; connecting again in 1 s")
                self._pause(1.0)
            finally:
                self._close()
        self.db.close()
        log.info("stopped")

    def _pause(self, seconds):
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.1)

    def _close(self):
        connection, self.connection, self.channel = self.connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()  # unacknowledged deliveries go back to the queue
            except Exception as error:  # noqa: BLE001 - closing a broken connection
                log.debug("close: %r", error)

    def _connect(self):
        pika, s = self.pika, self.settings
        params = pika.URLParameters(s.amqp_url)
        params.heartbeat = 10
        params.client_properties = {"connection_name": s.name}
        self.connection = pika.BlockingConnection(params)
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()
        self.channel.exchange_declare(s.commands_exchange, "direct", durable=True)
        self._ensure_queue(s.dead_letter_queue, bind=False)
        self._ensure_queue(s.task_queue, bind=True)
        self._ensure_queue(s.reply_queue, bind=True)
        self.channel.basic_qos(prefetch_count=1)
        self.channel.basic_consume(s.task_queue, self._on_message, auto_ack=False)

    def _ensure_queue(self, name, bind):
        """Declares a queue as DTA does (durable; quorum if configured), unless it exists: then only binds it."""
        probe = self.connection.channel()
        try:
            probe.queue_declare(name, passive=True)
            probe.close()
        except self.pika.exceptions.ChannelClosedByBroker:  # 404: the broker closed the probe channel
            arguments = {"x-queue-type": "quorum"} if self.settings.quorum else {}
            self.channel.queue_declare(name, durable=True, exclusive=False, auto_delete=False, arguments=arguments)
        if bind:
            self.channel.queue_bind(name, self.settings.commands_exchange, routing_key=name)

    def _on_message(self, channel, method, properties, body):
        delivery = delivery_of(properties)
        try:
            message = read_task(body, self.settings)
        except InvalidMessage as error:
            log.error("dead-lettering an unreadable message (delivery %d): %s", delivery, error)
            self._dead_letter(method, properties, body, str(error), delivery)
            channel.basic_ack(method.delivery_tag)
            return
        context = f"sagaId={message['sagaId']} traceId={message['traceId']}"
        try:
            if message["kind"] == "run":
                outcome = self.inventory.run(message)
            else:
                outcome = self.inventory.compensate(message)
        except Exception as error:  # noqa: BLE001 - a fault of this worker, not of the task: retry it
            self._failed(method, properties, body, delivery, error, context)
            return
        reply = {
            "v": WIRE_VERSION,
            "sagaId": message["sagaId"],
            "flow": message["flow"],
            "traceId": message["traceId"],
            "kind": message["kind"],
            "task": message["task"],
            "attempt": message["attempt"],
            **outcome,
        }
        self._publish(
            self.settings.commands_exchange,
            self.settings.reply_queue,
            json.dumps(reply).encode("utf-8"),
            trace_headers(message["traceId"], properties.headers),
        )
        channel.basic_ack(method.delivery_tag)
        what = "ok" if outcome["ok"] else f"failed ({outcome['error']['message']})"
        log.info("%s attempt %d %s %s", message["kind"], message["attempt"], what, context)

    def _failed(self, method, properties, body, delivery, error, context):
        if self.settings.max_deliveries > 0 and delivery >= self.settings.max_deliveries:
            reason = f"handler failed on {delivery} deliveries; last error: {error}"
            log.error("dead-lettering: %s %s", reason, context)
            self._dead_letter(method, properties, body, reason, delivery)
            self.channel.basic_ack(method.delivery_tag)
            return
        log.warning("delivery %d failed (%r), again in %.1f s %s", delivery, error, self.settings.redelivery_delay, context)

        def again():
            # A copy with the next delivery count first, then the original goes: at least once holds.
            headers = dict(properties.headers or {})
            headers["x-dta-delivery"] = delivery + 1
            self._publish("", self.settings.task_queue, body, headers, properties)
            self.channel.basic_ack(method.delivery_tag)

        self.connection.call_later(self.settings.redelivery_delay, again)

    def _dead_letter(self, method, properties, body, reason, delivery):
        headers = dict(properties.headers or {})
        headers.update(
            {
                "x-dta-reason": reason[:1000],
                "x-dta-deliveries": delivery,
                "x-dta-source-queue": self.settings.task_queue,
                "x-dta-exchange": method.exchange,
                "x-dta-routing-key": method.routing_key,
                "x-dta-dead-lettered-at": now_iso(),
            }
        )
        self._publish("", self.settings.dead_letter_queue, body, headers, properties)

    def _publish(self, exchange, routing_key, body, headers, original=None):
        """Persistent, confirmed by the broker; mandatory, so a reply to a queue nobody bound fails loudly."""
        pika = self.pika
        properties = pika.BasicProperties(
            delivery_mode=2,
            content_type="application/json",
            content_encoding="utf-8",
            app_id=self.settings.name,
            timestamp=int(time.time()),
            message_id=original.message_id if original else None,
            headers=headers,
        )
        self.channel.basic_publish(exchange, routing_key, body, properties, mandatory=True)


def main(argv):
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s [inventory-worker] %(message)s",
    )
    logging.getLogger("pika").setLevel(logging.ERROR)  # its 404s on passive declarations are expected
    settings = Settings()
    if len(argv) > 1 and argv[1] == "state":
        db = open_db(settings.state_db)
        print(json.dumps(dump_state(db, argv[2] if len(argv) > 2 else None)))
        db.close()
        return 0
    worker = Worker(settings)
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    worker.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
