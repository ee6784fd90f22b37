"""`tickit serve` and `tickit worker`: which processes they start, and with what environment."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tickit.cli import build_parser, main, serve, worker
from tickit.config import ConfigError, get_settings
from tickit.migrations import ROOT

TICKIT = str(Path(sys.executable).with_name("tickit"))
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def settings_with_redis():
    return dataclasses.replace(get_settings(), redis_url=REDIS_URL)


def children_of(settings, *argv: str) -> list[serve.Child]:
    args = build_parser().parse_args(["serve", *argv])
    workers = serve.web_worker_count(args.web_workers, redis_url=settings.redis_url)
    return serve.serve_children(
        settings, web_workers=workers, worker_threads=args.worker_threads, with_worker=not args.no_worker
    )


def test_with_redis_serve_runs_one_web_worker_per_core_by_default():
    assert serve.web_worker_count(None, redis_url=REDIS_URL) == os.cpu_count()


def test_without_redis_serve_runs_one_web_worker_by_default():
    assert serve.web_worker_count(None, redis_url=None) == 1


def test_more_than_one_web_worker_without_redis_is_refused_naming_the_variable():
    with pytest.raises(ConfigError, match="--web-workers 2 needs REDIS_URL"):
        serve.web_worker_count(2, redis_url=None)


def test_serve_runs_the_requested_web_workers_in_granian_and_a_consumer(settings_with_redis):
    consumer, web = children_of(settings_with_redis, "--web-workers", "3", "--worker-threads", "4")
    assert consumer.command == serve.consumer_command(4)
    assert consumer.command[consumer.command.index("-w") + 1] == "4"
    assert web.command[1:] == [
        "-m", "reflex", "run", "--env", "prod", "--single-port", "--backend-port", str(settings_with_redis.port),
    ]  # fmt: skip
    assert web.env["GRANIAN_WORKERS"] == "3"
    assert web.env["REFLEX_USE_GRANIAN"] == "true"


def test_no_worker_runs_only_the_web_processes(settings_with_redis):
    (web,) = children_of(settings_with_redis, "--no-worker", "--web-workers", "2")
    assert "reflex" in web.command and web.env["GRANIAN_WORKERS"] == "2"


def test_children_get_the_data_directory_resolved_since_they_run_in_the_checkout(settings_with_redis):
    for child in children_of(settings_with_redis):
        assert child.env["TICKIT_DATA_DIR"] == str(settings_with_redis.data_dir)
        assert Path(child.env["TICKIT_DATA_DIR"]).is_absolute()


def test_worker_runs_only_the_consumer_with_the_requested_threads(monkeypatch):
    started = []
    monkeypatch.setattr(worker, "supervise", lambda children: started.extend(children) or 0)
    assert main(["worker", "--threads", "3"]) == 0
    (consumer,) = started
    assert consumer.command == serve.consumer_command(3)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--web-workers", "0"], "--web-workers: must be at least 1, got 0"),
        (["serve", "--worker-threads", "x"], "--worker-threads: expected a whole number, got 'x'"),
        (["worker", "--threads", "-1"], "--threads: must be at least 1, got -1"),
    ],
)
def test_counts_below_one_are_refused_by_the_parser(argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_serve_refuses_two_web_workers_without_redis_before_touching_the_database(tmp_path):
    env = {**os.environ, "TICKIT_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [TICKIT, "serve", "--web-workers", "2"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.startswith("tickit: --web-workers 2 needs REDIS_URL")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "serve.db").exists()


def test_web_workers_keep_the_ui_state_in_the_redis_of_REDIS_URL(tmp_path):
    env = {**os.environ, "TICKIT_DATA_DIR": str(tmp_path), "REDIS_URL": REDIS_URL}
    shown = subprocess.run(
        [sys.executable, "-c", "import rxconfig; print(rxconfig.config.redis_url)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.stdout.strip() == REDIS_URL, shown.stderr
