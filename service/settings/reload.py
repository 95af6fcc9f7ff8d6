"""Live config reload: watch the config file's folder, debounce, ignore unchanged content.

Editors save by writing a new file and renaming it over the old one, so the folder is watched,
not the file (a watch on the file would follow the old inode into oblivion). A save often
arrives as several events; they are gathered for DEBOUNCE seconds. A save that leaves the text
as it was does nothing; a broken file is reported and the running config stays in force.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ndrguard.service.settings.config import Config, ConfigError, parse, read_text

log = logging.getLogger(__name__)

DEBOUNCE = 0.3


class ConfigWatcher:
    """Calls `apply(new_config)` after a real change and `broken(error)` after a bad save."""

    def __init__(
        self,
        current: Config,
        apply: Callable[[Config], None],
        broken: Callable[[ConfigError], None],
    ) -> None:
        self.current = current
        self._apply = apply
        self._broken = broken
        self._timer: threading.Timer | None = None
        self._broken_now = False
        self._lock = threading.Lock()
        self._observer = Observer()
        self._observer.daemon = True

    def start(self) -> None:
        folder = self.current.path.resolve().parent
        folder.mkdir(parents=True, exist_ok=True)
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                paths = {str(event.src_path), str(getattr(event, "dest_path", "") or "")}
                if any(Path(p).name == watcher.current.path.name for p in paths if p):
                    watcher._poke()

        self._observer.schedule(Handler(), str(folder), recursive=False)
        self._observer.start()

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self._observer.stop()
        self._observer.join(timeout=5)

    def _poke(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(DEBOUNCE, self.check)
            self._timer.daemon = True
            self._timer.start()

    def check(self) -> None:
        """Read the file now and act on it (also what the debounce timer runs)."""
        try:
            self._check()
        except Exception as err:  # the watch must outlive anything a save can do to it
            log.exception("config reload failed; the running config stays")
            self._broken_now = True
            self._broken(err if isinstance(err, ConfigError) else ConfigError(
                f"{self.current.path}: the reload failed ({type(err).__name__}: {err}); "
                "the running config stays"))  # fmt: skip

    def _check(self) -> None:
        path = self.current.path
        try:
            found = read_text(path)
        except ConfigError as err:
            self._broken_now = True
            self._broken(err)
            return
        if found is None and self.current.accounts:
            # Gone (deleted, moved away, a sync tool between two steps): not the user saying
            # "watch nothing", which an emptied file says. The running config stays.
            self._broken_now = True
            self._broken(ConfigError(f"{path}: the config file is gone; the running config "
                                     "stays until it is back"))  # fmt: skip
            return
        text = found or ""
        if text == self.current.text:
            if self._broken_now:  # the good file is back: clear the reported error
                self._broken_now = False
                self._apply(self.current)
            return
        try:
            new = parse(text, path)
        except ConfigError as err:
            log.error("config not reloaded, the running one stays: %s", err)
            self._broken_now = True
            self._broken(err)
            return
        self._broken_now = False
        self.current = new
        log.info("config reloaded from %s", path)
        self._apply(new)
