"""The speaker agent: takes play/stop commands over MQTT, plays in priority order, acknowledges.

Rules of playback (docs/broadcast.md):
- One announcement plays at a time; audio is never mixed.
- An emergency that is due pre-empts a routine announcement at once: the player is stopped and
  the routine announcement goes back to the queue, to play again from its start when no
  emergency is due. Its command succeeds only once it has played to the end.
- Emergencies never pre-empt each other: they play one after another by start time (then by
  arrival), so two emergencies at once are both heard, whole.
- A start time in the past by no more than ``late_tolerance_s`` plays at once (clock skew,
  slow links); further back, the command fails with reason "expired".
- Acknowledgements are QoS 1 and kept until the broker confirms them; after a reconnect the
  unconfirmed ones are sent again (the platform ignores repeats: statuses only move forward).
"""

from __future__ import annotations

import itertools
import json
import logging
import queue
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import paho.mqtt.client as paho

from smartcity.broadcast.agent.cache import AudioCache, AudioProblem
from smartcity.broadcast.agent.config import AgentConfig
from smartcity.integrations.mqtt import BrokerAddress, connect, device_topic, make_client

log = logging.getLogger("smartcity.speaker")
TICK: Final = 0.05
SEEN_MAX: Final = 1000
FINAL: Final = ("succeeded", "failed")
FINALS_KEPT: Final = 200


@dataclass
class Job:
    """An announcement waiting to play, or playing."""

    cmd_id: str
    announcement_id: int
    priority: str
    start_at: float
    file: Path
    seq: int
    stop_reason: str = ""
    preempted: int = 0

    def key(self) -> tuple[int, float, int]:
        """Emergencies first, then by start time, then by arrival."""
        return (0 if self.priority == "emergency" else 1, self.start_at, self.seq)


class SpeakerAgent:
    """One speaker's agent: MQTT client, download and cache, a single player, acks."""

    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        self.address = BrokerAddress.from_url(config.mqtt_url)
        self.cache = AudioCache(config.cache_dir, config.cache_max_bytes)
        self.jobs: list[Job] = []
        self.current: Job | None = None
        self._cond = threading.Condition()
        self._inbox: queue.Queue[bytes] = queue.Queue()
        self._pending: dict[int, str] = {}
        self._confirmed: set[int] = set()
        self._finals: dict[str, str] = {}
        self._connected_before = False
        self._ack_lock = threading.Lock()
        self._seen: dict[str, None] = {}
        self._seq = itertools.count()
        self._stop = threading.Event()
        self._client = make_client(self.address, f"speaker-{config.code}")
        self._client.reconnect_delay_set(1, 5)
        self._client.on_connect = self._on_connect
        self._client.on_message = lambda _c, _u, m: self._inbox.put(bytes(m.payload))
        self._client.on_publish = self._on_publish

    # --- lifecycle ----------------------------------------------------------------------------

    def now(self) -> float:
        """This board's idea of the time (Unix seconds), with its configured correction."""
        return time.time() + self.config.clock_offset_s

    def start(self) -> None:
        """Connect (retrying until the broker answers) and start the worker threads."""
        while not self._stop.is_set():
            try:
                connect(self._client, self.address, persistent=True)
                break
            except OSError as exc:
                log.warning("broker not reachable (%s); retrying", exc)
                self._stop.wait(1.0)
        self._client.loop_start()
        for target, name in (
            (self._intake, "intake"),
            (self._player, "player"),
            (self._heartbeat, "heartbeat"),
        ):
            threading.Thread(target=target, name=name, daemon=True).start()

    def stop(self) -> None:
        """Stop playing and disconnect."""
        self._stop.set()
        with self._cond:
            if self.current is not None:
                self.current.stop_reason = "agent stopped"
            self._cond.notify_all()
        self._client.loop_stop()
        self._client.disconnect()

    def run_forever(self) -> None:
        """Run until SIGINT or SIGTERM."""
        done = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: done.set())
        self.start()
        log.info("speaker %s listening", self.config.code)
        done.wait()
        self.stop()

    # --- MQTT ---------------------------------------------------------------------------------

    def _topic(self, channel: Any) -> str:
        return device_topic(self.config.site, self.config.code, channel)

    def _on_connect(self, client: paho.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("broker refused the connection: %s", reason)
            return
        client.subscribe(self._topic("commands"), qos=1)
        with self._ack_lock:  # acks the broker never confirmed: send them again
            unconfirmed = list(self._pending.values())
            self._pending.clear()
        for body in unconfirmed:
            self._publish_ack(body)
        # The platform's ingest may re-subscribe after this speaker is back (a shared
        # subscription is not kept over a broker restart): say the final answers once more.
        if self._connected_before:
            timer = threading.Timer(self.config.replay_after_s, self._replay_finals)
            timer.daemon = True
            timer.start()
        self._connected_before = True

    def _replay_finals(self) -> None:
        with self._ack_lock:
            finals = list(self._finals.values())
        for body in finals:
            self._publish_ack(body)

    def _on_publish(self, _c: Any, _u: Any, mid: int, _rc: Any, _p: Any) -> None:
        with self._ack_lock:
            if self._pending.pop(mid, None) is None:
                self._confirmed.add(mid)  # confirmed before _publish_ack recorded it

    def ack(self, cmd_id: str, status: str, reason: str = "") -> None:
        """Tell the platform what became of a command."""
        log.info("%s %s %s", cmd_id[:8], status, reason)
        body = {"token": self.config.token, "id": cmd_id, "status": status, "reason": reason}
        text = json.dumps(body, ensure_ascii=False)
        if status in FINAL:
            with self._ack_lock:
                self._finals[cmd_id] = text
                if len(self._finals) > FINALS_KEPT:
                    self._finals.pop(next(iter(self._finals)))
        self._publish_ack(text)

    def _publish_ack(self, body: str) -> None:
        # Never call paho while holding the lock: paho calls on_publish under its own locks.
        info = self._client.publish(self._topic("acks"), body, qos=1)
        with self._ack_lock:
            if info.mid in self._confirmed:
                self._confirmed.discard(info.mid)
            else:
                self._pending[info.mid] = body

    def _heartbeat(self) -> None:
        while not self._stop.is_set():
            body = {"token": self.config.token, "values": {}}
            self._client.publish(self._topic("status"), json.dumps(body), qos=0)
            self._stop.wait(self.config.heartbeat_s)

    # --- commands -----------------------------------------------------------------------------

    def _intake(self) -> None:
        while not self._stop.is_set():
            try:
                payload = self._inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                self.handle(json.loads(payload))
            except (ValueError, TypeError, AttributeError) as exc:
                log.warning("unreadable command ignored: %s", exc)

    def handle(self, cmd: dict[str, Any]) -> None:
        """Act on one command message (each id once, even when the broker repeats it)."""
        cmd_id = str(cmd["id"])
        if cmd_id in self._seen:
            return
        self._seen[cmd_id] = None
        if len(self._seen) > SEEN_MAX:
            self._seen.pop(next(iter(self._seen)))
        self.ack(cmd_id, "received")
        params = cmd.get("params") or {}
        if cmd.get("command") == "play":
            self._prepare(cmd_id, params)
        elif cmd.get("command") == "stop":
            self._stop_playing(params.get("announcement_id"))
            self.ack(cmd_id, "succeeded")
        else:
            self.ack(cmd_id, "failed", f"unsupported-command: {cmd.get('command')!r}"[:200])

    def _prepare(self, cmd_id: str, params: dict[str, Any]) -> None:
        """Check timing, fetch and verify the audio, then queue it for the player."""
        try:
            announcement_id = int(params["announcement_id"])
            start_at = datetime.fromisoformat(str(params["start_at"])).timestamp()
            url, sha256 = str(params["audio_url"]), str(params["sha256"])
            priority = "emergency" if params.get("priority") == "emergency" else "routine"
        except (KeyError, ValueError, TypeError) as exc:
            self.ack(cmd_id, "failed", f"bad-command: {exc}"[:200])
            return
        if self._too_late(cmd_id, start_at):
            return
        try:
            file = self.cache.fetch(url, sha256, self.config.token, self.config.download_timeout_s)
        except AudioProblem as exc:
            self.ack(cmd_id, "failed", exc.reason)
            return
        job = Job(cmd_id, announcement_id, priority, start_at, file, next(self._seq))
        with self._cond:
            self.jobs.append(job)
            self._cond.notify_all()

    def _too_late(self, cmd_id: str, start_at: float) -> bool:
        late = self.now() - start_at
        if late <= self.config.late_tolerance_s:
            return False
        tolerance = self.config.late_tolerance_s
        self.ack(
            cmd_id,
            "failed",
            f"expired: start time passed {late:.0f} s ago (tolerance {tolerance:.0f} s)",
        )
        return True

    def _stop_playing(self, announcement_id: Any) -> None:
        """Drop queued plays of the announcement (all, if none given) and stop the one playing."""
        match = (
            (lambda j: True)
            if announcement_id is None
            else (lambda j: j.announcement_id == int(announcement_id))
        )
        with self._cond:
            dropped = [j for j in self.jobs if match(j)]
            self.jobs = [j for j in self.jobs if not match(j)]
            if self.current is not None and match(self.current):
                self.current.stop_reason = "stopped by operator"
        for job in dropped:
            self.ack(job.cmd_id, "failed", "stopped by operator")

    # --- playback -----------------------------------------------------------------------------

    def _due(self, now: float) -> list[Job]:
        return [j for j in self.jobs if j.start_at <= now]

    def _player(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                now = self.now()
                due = self._due(now)
                if not due:
                    later = min((j.start_at for j in self.jobs), default=now + 1.0)
                    self._cond.wait(timeout=min(max(later - now, TICK), 1.0))
                    continue
                job = min(due, key=Job.key)
                self.jobs.remove(job)
                self.current = job
            self._play(job)
            with self._cond:
                self.current = None

    def _play(self, job: Job) -> None:
        """Play one job to its end, unless stopped or pre-empted by a due emergency."""
        self.ack(job.cmd_id, "started")
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(  # noqa: S603 - the operator's configured player
                self.config.player_argv(job.file),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
            outcome = self._watch(job, proc)
            errors.seek(0)
            tail = errors.read()[-200:].decode("utf-8", "replace").strip()
        if outcome == "preempted":
            return
        if outcome:
            self.ack(job.cmd_id, "failed", outcome)
        elif proc.returncode == 0:
            self.ack(job.cmd_id, "succeeded")
        else:
            self.ack(job.cmd_id, "failed", f"player-failed: exit {proc.returncode}: {tail}"[:250])

    def _watch(self, job: Job, proc: subprocess.Popen[bytes]) -> str:
        """Wait for the player; '' when it ended by itself, else why it was cut short."""
        while True:
            try:
                proc.wait(timeout=TICK)
                return ""
            except subprocess.TimeoutExpired:
                pass
            with self._cond:
                if job.stop_reason:
                    _end(proc)
                    return job.stop_reason
                if job.priority == "routine" and any(
                    j.priority == "emergency" for j in self._due(self.now())
                ):
                    _end(proc)
                    job.preempted += 1
                    job.start_at = self.now()  # due again as soon as no emergency is
                    self.jobs.append(job)
                    log.info("%s pre-empted by an emergency; re-queued", job.cmd_id[:8])
                    return "preempted"


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Stop the player now."""
    proc.terminate()
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
