"""Progress on stderr for long commands, drawn by rich.

Core code reports through :class:`kg.model.Progress` (a stage begins, units
of it are done). Here that becomes one row per stage: a spinner (a tick once
the stage is over), its name, a bar when its size is known, the count, the
time it took and a note ("refs.ris: 1,200 records"). Finished stages
stay on screen, above the command's own summary.

The display exists only when stderr is a terminal and -q was not given;
otherwise commands get :data:`kg.model.NO_PROGRESS` and print exactly what
they printed before. stdout is never touched.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, Task, TaskID
from rich.progress import Progress as RichBars
from rich.table import Column
from rich.text import Text

from ..model import NO_PROGRESS, Progress

# On a narrow terminal rich's table narrows the columns that may wrap, the
# widest first: the bar, the stage's name and the note give way (the texts cut
# with an ellipsis, not wrapped); the tick, counts and times never do.


class _Field(ProgressColumn):
    """The stage's name or its note, on one line, cut with an ellipsis when narrowed."""

    def __init__(self, field: str, style: str = "") -> None:
        super().__init__(Column(no_wrap=False))
        self.field, self.style = field, style

    def render(self, task: Task) -> Text:
        text = task.description if self.field == "description" else str(task.fields.get(self.field, ""))
        return Text(text, style=self.style, no_wrap=True, overflow="ellipsis")


class _Spinner(SpinnerColumn):
    """A spinner while the stage runs, a tick once it has ended, a cross when
    the command stopped on an error (or Ctrl-C) during it."""

    def __init__(self) -> None:
        super().__init__(finished_text="[green]✓", table_column=Column(no_wrap=True))
        self.failed_text = Text("✗", style="red")

    def render(self, task: Task):
        ended = task.fields.get("ended")
        if ended:
            return self.failed_text if ended == "failed" else self.finished_text
        return super().render(task)


class _SizedBar(BarColumn):
    """The bar, for stages whose size was known when they began."""

    def __init__(self) -> None:
        super().__init__(bar_width=30, table_column=Column(no_wrap=False))

    def render(self, task: Task):
        return super().render(task) if task.fields.get("sized") else Text("")


class _Count(ProgressColumn):
    """``1,200/3,000 files`` for a sized stage, ``1,200 statements`` for a
    counted one, nothing for a stage that counts nothing."""

    def __init__(self) -> None:
        super().__init__(Column(no_wrap=True))

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        if not unit:
            return Text("")
        done = f"{int(task.completed):,}"
        if task.fields.get("sized"):
            done += f"/{int(task.total or 0):,}"
        return Text(f"{done} {unit}", style="progress.download")


class _Seconds(ProgressColumn):
    """The time a stage took (or has taken so far), to a tenth of a second."""

    def __init__(self) -> None:
        super().__init__(Column(no_wrap=True))

    def render(self, task: Task) -> Text:
        seconds = task.elapsed  # frozen when the stage ends
        return Text(f"{seconds or 0:.1f} s", style="progress.elapsed")


class RichProgress:
    """:class:`kg.model.Progress` as live rows on a rich console; use it as a
    context manager, which draws the rows on entry and leaves them on exit."""

    def __init__(self, console: Console) -> None:
        self._bars = RichBars(
            _Spinner(),
            _Field("description"),
            _SizedBar(),
            _Count(),
            _Seconds(),
            _Field("note", style="dim"),
            console=console,
            redirect_stdout=False,  # stdout holds data; nothing of ours goes there
            redirect_stderr=False,
        )
        self._current: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._bars.start()
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self._end_stage("failed" if exc_type is not None else "done")
        self._bars.stop()

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        self._end_stage("done")
        # add_task draws at once, so even a stage shorter than a refresh is seen.
        self._current = self._bars.add_task(name, total=total, unit=unit, sized=total is not None, note="", ended="")

    def advance(self, n: int = 1, note: str | None = None) -> None:
        if self._current is None:
            return
        fields = {} if note is None else {"note": note}
        self._bars.update(self._current, advance=n, **fields)

    def _end_stage(self, how: str) -> None:
        """Stop the current stage's clock and mark it ``done`` (whatever its
        count) or ``failed``."""
        if self._current is None:
            return
        self._bars.stop_task(self._current)
        self._bars.update(self._current, ended=how, refresh=True)
        self._current = None


@contextmanager
def progress_display(quiet: bool = False) -> Iterator[Progress]:
    """Where a command reports its progress: live rows on stderr when stderr is
    a terminal and not ``quiet``, else nowhere (:data:`kg.model.NO_PROGRESS`)."""
    if quiet or not sys.stderr.isatty():
        yield NO_PROGRESS
        return
    with RichProgress(Console(stderr=True, highlight=False)) as progress:
        yield progress
