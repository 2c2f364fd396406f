"""`--since FILE`: the auditor's last accepted checkpoint, kept between runs (check 9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from verify.cli.common import F
from verify.note import VerifierKey
from verify.policy import AcceptedCheckpoint
from verify.since import load_saved, save_checkpoint

SINCE_HELP = (
    "The checkpoint you accepted last time (a signed note). If FILE exists, check 9: the new "
    "checkpoint must be consistent with it, or the run fails and FILE stays as it was. On "
    "success the newest accepted checkpoint is written to FILE (atomically); a missing FILE "
    "is created (trust on first use)."
)


def since_option(command: F) -> F:
    """--since FILE."""
    option = click.option(
        "--since", type=click.Path(dir_okay=False), metavar="FILE", help=SINCE_HELP
    )
    return option(command)


@dataclass(frozen=True)
class SinceFile:
    """The --since file, if given, and the checkpoint it held when the run started."""

    path: Path | None
    checkpoint: AcceptedCheckpoint | None

    @classmethod
    def load(cls, path: str | None, log_keys: Sequence[VerifierKey]) -> SinceFile:
        """Read and verify the saved checkpoint (check 7 again); none if the file is new."""
        if path is None:
            return cls(None, None)
        return cls(Path(path), load_saved(Path(path), log_keys))

    @property
    def size(self) -> int:
        """The saved tree size (0 without a saved checkpoint)."""
        return self.checkpoint.checkpoint.tree_size if self.checkpoint else 0

    def update(self, newest: AcceptedCheckpoint) -> tuple[dict[str, Any], list[str]]:
        """After every check passed: save the newest checkpoint unless it is older."""
        if self.path is None:
            return {}, []
        new = newest.checkpoint
        if self.checkpoint is None:
            action = "created"
            line = f"--since {self.path}: created with {newest.describe()} (trust on first use)"
        elif new.tree_size >= self.size:
            action = "updated"
            line = (
                f"consistent with the saved checkpoint ({self.checkpoint.describe()}); "
                f"{self.path} now holds {newest.describe()}"
            )
        else:
            action = "kept"
            line = (
                f"consistent with the saved checkpoint ({self.checkpoint.describe()}), which "
                f"is newer than {newest.describe()}: {self.path} kept"
            )
        if action != "kept":
            save_checkpoint(self.path, newest.note)
        data: dict[str, Any] = {"file": str(self.path), "action": action}
        if self.checkpoint is not None:
            data["saved"] = {
                "tree_size": self.size,
                "root": self.checkpoint.checkpoint.root_hash.hex(),
            }
        return {"since": data}, [line]
