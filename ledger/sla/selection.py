"""Which SLA policy governs which clock of a report."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.sla.policy import URGENCIES, Clock

CLASSIFICATIONS = frozenset({"pengaduan", "aspirasi", "permintaan_informasi", "wbs"})
INFORMATION_POLICY = "kip-2008"
COVID_POLICY = "covid-2020"
COVID_CLOCKS = frozenset({Clock.VERIFICATION, Clock.FIRST_FOLLOW_UP})


@dataclass(frozen=True, slots=True)
class PolicyChoice:
    """The policy of each clock: a default, and an overlay that takes some clocks over."""

    default: str
    overlay: str | None = None
    overlay_clocks: frozenset[Clock] = frozenset()

    def policy_name(self, clock: Clock) -> str:
        """The name of the policy that sets this clock."""
        if self.overlay is not None and Clock(clock) in self.overlay_clocks:
            return self.overlay
        return self.default

    def names(self) -> tuple[str, ...]:
        """Every policy involved, the default first."""
        return (self.default,) if self.overlay is None else (self.default, self.overlay)


def policy_for(classification: str, urgency: str, agency_default_policy: str) -> PolicyChoice:
    """Choose the policies for a report from its classification, urgency and agency."""
    if classification not in CLASSIFICATIONS:
        raise ValueError(f"unknown classification {classification!r}")
    if urgency not in URGENCIES:
        raise ValueError(f"unknown urgency {urgency!r}")
    if not agency_default_policy:
        raise ValueError("the agency's default SLA policy must be named")
    default = (
        INFORMATION_POLICY if classification == "permintaan_informasi" else agency_default_policy
    )
    if urgency == "covid":
        return PolicyChoice(default, COVID_POLICY, COVID_CLOCKS)
    return PolicyChoice(default)
