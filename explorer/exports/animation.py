"""Animated exports: the timeline played frame by frame as a GIF, or an MP4 when ffmpeg is present.

Each frame is the dashboard's figure of one period of the window (see
:mod:`explorer.exports.timeline`), with the period's dates in its title,
rendered to PNG by one warm kaleido server, then assembled by Pillow (GIF)
or ffmpeg (MP4).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from ..errors import ExplorerError
from .render import kaleido_server, render_image
from .snapshot import Snapshot

__all__ = ["frame_images", "write_gif", "write_mp4", "ffmpeg_path"]


def ffmpeg_path() -> str | None:
    """The ffmpeg executable on PATH, or None."""
    return shutil.which("ffmpeg")


def frame_images(snap: Snapshot) -> Iterator[bytes]:
    """PNG bytes of every frame of the timeline, in order, rendered by one kaleido server."""
    o = snap.options
    with kaleido_server():
        for _period, state in snap.frames():
            fig = snap.figure(state, height=o.height)
            yield render_image(fig, "png", o.width, o.height, o.scale)


def write_gif(snap: Snapshot, path: Path) -> None:
    """An endlessly looping GIF, ``options.frame_ms`` per frame, each frame with its own palette."""
    from PIL import Image

    frames = []
    for png in frame_images(snap):
        with Image.open(io.BytesIO(png)) as im:
            frames.append(im.convert("RGB").quantize(colors=255, method=Image.Quantize.MEDIANCUT))
    if not frames:
        raise ExplorerError("the window has no frames to animate")
    frames[0].save(
        Path(path),
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=int(snap.options.frame_ms),
        loop=0,
        optimize=False,
        disposal=1,
    )


def write_mp4(snap: Snapshot, path: Path) -> None:
    """An H.264 MP4 (yuv420p, so every player shows it), ``options.frame_ms`` per frame; needs ffmpeg."""
    ffmpeg = ffmpeg_path()
    if ffmpeg is None:
        raise ExplorerError(
            "MP4 export needs ffmpeg on PATH (e.g. apt-get install ffmpeg); --format gif works without it"
        )
    rate = f"{1000.0 / max(int(snap.options.frame_ms), 1):.6f}"
    cmd = [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "image2pipe",
        "-c:v",
        "png",
        "-framerate",
        rate,
        "-i",
        "-",
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2,format=yuv420p",
        "-c:v",
        "libx264",
        "-r",
        "25",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(path),
    ]
    # Render everything first: a failure then never leaves ffmpeg with half a video.
    frames = b"".join(frame_images(snap))
    if not frames:
        raise ExplorerError("the window has no frames to animate")
    done = subprocess.run(cmd, input=frames, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip()
        last = err.splitlines()[-1] if err else f"exit code {done.returncode}"
        raise ExplorerError(f"ffmpeg could not write the MP4: {last}")
