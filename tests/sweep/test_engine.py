"""run_sweep: errors recorded, resume, determinism across worker counts, lost workers."""

from __future__ import annotations

import json

import pytest

from solver.sweep import Store, load, run_sweep
from solver.sweep.executors import Chunker
from solver.sweep.plan import plan

from . import toy  # noqa: F401  (registers the synthetic experiment and claim)


def _records(path):
    with Store(path, readonly=True) as st:
        return {r["key"]: (r["status"], r["params"], r["seed"], json.dumps(r["record"]))
                for r in st.rows()}


def test_errors_recorded_and_sweep_continues(tmp_path):
    s = run_sweep("bench.spin", {"ms": [1], "fail": [False, True]}, seeds=3,
                  store=tmp_path / "s.sqlite", workers=2, progress=False)
    assert (s.planned, s.ran, s.ok, s.errors) == (6, 6, 3, 3)
    df = load(tmp_path / "s.sqlite")
    bad = df[df.task_status == "error"]
    assert len(bad) == 3 and bad.error.str.startswith("RuntimeError: bench.spin asked").all()
    assert df[df.task_status == "ok"].value.notna().all()


def test_resume_skips_and_no_resume_reruns(tmp_path):
    st = tmp_path / "s.sqlite"
    kw = dict(store=st, workers=0, progress=False)
    first = run_sweep("bench.spin", {"ms": [1, 2]}, seeds=2, **kw)
    assert (first.ran, first.skipped) == (4, 0)
    more = run_sweep("bench.spin", {"ms": [1, 2]}, seeds=3, **kw)
    assert (more.planned, more.skipped, more.ran) == (6, 4, 2)
    again = run_sweep("bench.spin", {"ms": [1, 2]}, seeds=3, resume=False, **kw)
    assert again.ran == 6 and len(load(st)) == 6


def test_retry_errors(tmp_path):
    st = tmp_path / "s.sqlite"
    run_sweep("bench.spin", [{"ms": 1, "fail": True}], store=st, workers=0, progress=False)
    s = run_sweep("bench.spin", [{"ms": 1, "fail": True}], store=st, workers=0,
                  progress=False)
    assert s.ran == 0 and s.errors == 1
    s = run_sweep("bench.spin", [{"ms": 1, "fail": True}], store=st, workers=0,
                  retry_errors=True, progress=False)
    assert s.ran == 1 and s.errors == 1


def test_deterministic_on_one_and_two_workers(tmp_path):
    grid = {"ms": [1, 3], "k": [0, 1, 2]}
    run_sweep("bench.spin", grid, seeds=4, store=tmp_path / "a.sqlite", workers=1,
              progress=False)
    run_sweep("bench.spin", grid, seeds=4, store=tmp_path / "b.sqlite", workers=2,
              progress=False)
    a, b = _records(tmp_path / "a.sqlite"), _records(tmp_path / "b.sqlite")
    assert len(a) == 24 and a == b


def test_lost_local_worker_is_retried(tmp_path):
    marker = tmp_path / "marker"
    s = run_sweep("bench.crash-once", [{"marker": str(marker)}], seeds=1,
                  store=tmp_path / "s.sqlite", workers=2, progress=False)
    assert marker.exists()  # the first attempt really killed its worker process
    assert (s.ok, s.errors) == (1, 0)


def test_worker_lost_every_time_is_an_error_and_only_that_task(tmp_path):
    marker = tmp_path / "exists"
    marker.write_text("")
    grid = [{"always": True}] + [{"marker": str(marker), "i": i} for i in range(5)]
    s = run_sweep("bench.crash-once", grid, store=tmp_path / "s.sqlite", workers=2,
                  retries=1, progress=False)
    assert (s.ok, s.errors) == (5, 1)  # the innocent tasks in flight with it are not charged
    df = load(tmp_path / "s.sqlite")
    bad = df[df.task_status == "error"]
    assert bad.error.tolist() == ["WorkerLost: the worker process died 2 times running "
                                  "this task"]
    assert bool(bad.always.iloc[0])


def test_chunker_adapts_to_task_time():
    tasks = plan("e", [{"i": i} for i in range(1000)])
    c = Chunker(tasks, capacity=2, target_s=0.1)
    assert len(c.next_chunk()) == 1
    c.observe([{"seconds": 0.001}] * 20)
    assert 50 <= len(c.next_chunk()) <= 256
    c.observe([{"seconds": 1.0}] * 20)
    assert len(c.next_chunk()) == 1
    c2 = Chunker(tasks[:3], capacity=2)
    c2.mean_s = 1e-6
    assert len(c2.next_chunk()) == 2  # the tail is split across workers


def test_claim_experiment_records_worst_case(tmp_path):
    s = run_sweep("claim", {"claim": ["sweeptest.toy-claim"]}, seeds=2,
                  store=tmp_path / "s.sqlite", workers=0, progress=False)
    assert s.ok == 2
    df = load(tmp_path / "s.sqlite")
    assert set(df.claim_status) == {"ok"}
    assert df.instance[0]["problem"] == toy.TOY_PROBLEM
    assert df["worst.x"].nunique() == 2  # seeds give different random instances


def test_claim_sweep_defaults_to_every_claim():
    from solver.sweep.engine import _param_sets

    assert {"claim": "sweeptest.toy-claim"} in _param_sets("claim", None, None)


def test_solve_experiment_on_instance_dir(tmp_path):
    d = tmp_path / "inst"
    d.mkdir()
    for n in (2, 5):
        (d / f"i{n}.json").write_text(json.dumps({"problem": toy.TOY_PROBLEM,
                                                  "values": list(range(n))}))
    s = run_sweep("solve", instances=d, store=tmp_path / "s.sqlite", workers=0,
                  progress=False)
    assert s.ok == 2
    df = load(tmp_path / "s.sqlite").sort_values("size")
    assert df.objective.tolist() == [1.0, 10.0]
    assert df["size"].tolist() == [2, 5] and set(df.status) == {"optimal"}


def test_bad_instance_in_dir_stores_nothing(tmp_path):
    from solver.errors import InstanceError

    d = tmp_path / "inst"
    d.mkdir()
    (d / "good.json").write_text(json.dumps({"problem": toy.TOY_PROBLEM, "values": [1]}))
    (d / "bad.json").write_text(json.dumps({"problem": toy.TOY_PROBLEM, "values": ["x"]}))
    with pytest.raises(InstanceError) as e:
        run_sweep("solve", instances=d, store=tmp_path / "s.sqlite", workers=0,
                  progress=False)
    assert "bad.json" in str(e.value) and "values[0]" in str(e.value)
    assert not (tmp_path / "s.sqlite").exists()


def test_unknown_experiment():
    with pytest.raises(KeyError, match="unknown experiment"):
        run_sweep("no.such.experiment", store="unused.sqlite")


def test_sampling_experiments_match_the_paper(tmp_path):
    from solver.sampling.families import theorem_5_1_closed_form

    st = tmp_path / "s.sqlite"
    run_sweep("sampling.theorem51-ratio", {"n": [2, 3, 5]}, store=st, workers=0,
              progress=False)
    run_sweep("sampling.figure2", {"case": ["a", "b"]}, store=st, workers=0, progress=False)
    df = load(st)
    t = df[df.experiment == "sampling.theorem51-ratio"].sort_values("n")
    assert (t.task_status == "ok").all()
    for n, ratio, ra in zip(t.n, t.ratio, t.ratio_A, strict=True):
        assert ratio == pytest.approx(theorem_5_1_closed_form(int(n))["ratio"], rel=1e-9)
        assert ra == pytest.approx(1.0)  # ψ* is optimal for the concave π_A (Theorem 4.4)
    f = df[df.experiment == "sampling.figure2"].set_index("case")
    # Section 4.3: positions 1-100 -> 200 buyers, 101-200 -> 150, the rest -> none
    assert f.loc["a", "bands"] == [[1, 100, 200], [101, 200, 150], [201, 1000, 0]]
    assert f.loc["b", "p_k"] == {"0": 0.5, "10": 0.2, "30": 0.1, "60": 0.1, "100": 0.1}
