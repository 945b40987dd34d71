"""Legal numbers for gratifikasi, as dated configuration: each value with the day it took effect.

*Gratifikasi* is any gift to a civil servant (ASN) or state official, in the broad sense of UU
20/2001 Pasal 12B: money, goods, discounts, commissions, interest-free loans, tickets, lodging,
trips, free treatment and other facilities. A gift linked to the office must be reported to KPK
within 30 working days of receipt (Pasal 12C ayat 2), directly or through the office's Unit
Pengendalian Gratifikasi (UPG), which forwards it to KPK. Some gifts need no report: the list
is in Peraturan KPK (PerKPK) 2/2019 Pasal 2 ayat (3), amended by PerKPK 1/2026.

Sources (read 2026-11; news copies of the regulations, not the Berita Negara text):

* PerKPK 2/2019 tentang Pelaporan Gratifikasi (BN 2019 No. 1438), Pasal 2 ayat (3): huruf l,
  gifts at engagements, weddings, births, akikah, baptisms, circumcisions, tooth filing or other
  customary/religious ceremonies up to Rp1.000.000 per giver; huruf n, non-cash gifts between
  colleagues for farewell (pisah sambut), retirement, transfer or birthday up to Rp300.000 per
  gift per person and Rp1.000.000 a year from the same giver, without conflict of interest;
  huruf o, other non-cash gifts between colleagues not linked to the office up to Rp200.000
  per gift per person and Rp1.000.000 a year from the same giver. Incomplete reports had 30
  working days to be completed. Its date of promulgation is not verified here; gifts received
  before the date below are judged "unsure" (report) by `handlers.gift_check`.
* PerKPK 1/2026 (amending 2/2019), promulgated and in force on 20 January 2026: ceremony gifts
  up to Rp1.500.000 per giver; non-cash colleague gifts up to Rp500.000 per giver and
  Rp1.500.000 a year; the farewell/retirement/birthday exception (huruf n) removed; incomplete
  reports must be completed within 20 working days of the report. Reported by okezone.com,
  idxchannel.com, literasihukum.com and seketika.com, 28 January 2026.
* UPG forwarding to KPK within 10 working days of receiving a report (PerKPK 2/2019, tugas UPG).
* Acknowledging a report within 3 working days: the service level of SP4N-LAPOR!, used here
  for every report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class LegalRules:
    """The numbers in force from `effective_from` until the next entry takes over.

    Money is whole rupiah. A `None` limit means the exception does not exist in that period.
    `regulation` is the citation id (same in every language); `title_key` is its catalog msgid.
    """

    effective_from: date
    regulation: str
    title_key: str
    report_deadline_working_days: int  # UU 20/2001 Pasal 12C ayat (2)
    upg_forward_working_days: int
    acknowledgement_working_days: int
    completion_working_days: int
    ceremony_per_giver: int
    colleague_per_giver: int
    colleague_per_year: int
    farewell_per_giver: int | None
    farewell_per_year: int | None

    @property
    def farewell_exception(self) -> bool:
        """Whether colleague gifts for farewell, retirement or birthday have their own limit."""
        return self.farewell_per_giver is not None


PERKPK_2_2019 = LegalRules(
    effective_from=date(2019, 11, 8),
    regulation="PerKPK 2/2019",
    title_key="gift.law.perkpk_2_2019",
    report_deadline_working_days=30,
    upg_forward_working_days=10,
    acknowledgement_working_days=3,
    completion_working_days=30,
    ceremony_per_giver=1_000_000,
    colleague_per_giver=200_000,
    colleague_per_year=1_000_000,
    farewell_per_giver=300_000,
    farewell_per_year=1_000_000,
)

PERKPK_1_2026 = LegalRules(
    effective_from=date(2026, 1, 20),
    regulation="PerKPK 1/2026",
    title_key="gift.law.perkpk_1_2026",
    report_deadline_working_days=30,
    upg_forward_working_days=10,
    acknowledgement_working_days=3,
    completion_working_days=20,
    ceremony_per_giver=1_500_000,
    colleague_per_giver=500_000,
    colleague_per_year=1_500_000,
    farewell_per_giver=None,
    farewell_per_year=None,
)

#: Every period, oldest first. Add a new entry (never edit an old one) when the law changes.
SCHEDULE: tuple[LegalRules, ...] = (PERKPK_2_2019, PERKPK_1_2026)


def rules_on(day: date, schedule: tuple[LegalRules, ...] = SCHEDULE) -> LegalRules:
    """The rules in force on `day` (the first period's rules for days before it)."""
    current = schedule[0]
    for rules in schedule:
        if rules.effective_from <= day:
            current = rules
    return current


def known_since(schedule: tuple[LegalRules, ...] = SCHEDULE) -> date:
    """The first day our schedule covers; earlier gifts cannot be judged with confidence."""
    return schedule[0].effective_from
