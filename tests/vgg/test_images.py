"""The evaluation cache: staged once per node to local scratch."""

from __future__ import annotations

import os

from ablation.vgg.images import staged


def test_the_cache_is_staged_once_and_reused(tmp_path, monkeypatch):
    cache = tmp_path / "test_images.pt"
    cache.write_bytes(b"x" * 1000)
    assert staged(cache, None) == cache
    monkeypatch.setenv("NODE_SCRATCH", str(tmp_path / "scratch"))
    copy = staged(cache, "$NODE_SCRATCH/ablation")
    assert copy.parent == tmp_path / "scratch" / "ablation" and copy.read_bytes() == cache.read_bytes()
    modified = copy.stat().st_mtime_ns
    assert staged(cache, "$NODE_SCRATCH/ablation") == copy and copy.stat().st_mtime_ns == modified, "copied once"
    assert not [name for name in os.listdir(copy.parent) if name.endswith(".partial")]
    cache.write_bytes(b"y" * 2000)  # a new cache (another run) gets its own copy
    assert staged(cache, "$NODE_SCRATCH/ablation").read_bytes() == b"y" * 2000
