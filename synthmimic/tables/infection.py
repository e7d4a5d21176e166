"""prescriptions and microbiologyevents: the Sepsis-3 suspicion-of-infection work-up."""
from __future__ import annotations

from enum import IntEnum

import numpy as np
import pyarrow as pa

from .. import vocab
from ..population import CARDIAC, Population, PrimaryAgent
from .columns import const, f64, i64, strs, table, ts
from .ids import Ids
from .layout import H, ragged, round_to_minute


class Workup(IntEnum):
    """A stay's culture/antibiotic pattern: valid Sepsis-3 suspicion windows and near misses."""
    CULTURE_THEN_ABX = 0          # valid: antibiotic within 72 h after the culture
    ABX_THEN_CULTURE = 1          # valid: culture within 24 h after the antibiotic
    ED_CULTURE_THEN_ICU_ABX = 2   # valid
    NONE = 3                      # near misses from here on
    PROPHYLAXIS_ONLY = 4          # cefazolin, no culture
    ABX_TOO_LATE = 5              # culture then antibiotic > 72 h
    CULTURE_TOO_LATE = 6          # antibiotic then culture > 24 h
    ED_ONLY_ABX = 7               # antibiotic before ICU admission only (+ culture)
    EYE_OINTMENT = 8              # route OU, excluded by mimic-code (+ culture)
    MILD_VALID_PAIR = 9           # a valid pair on a stay without the infected archetypes


W = Workup
INFECTED_WORKUPS = [W.CULTURE_THEN_ABX, W.ABX_THEN_CULTURE, W.ED_CULTURE_THEN_ICU_ABX]
OTHER_WORKUPS = [W.NONE, W.PROPHYLAXIS_ONLY, W.ABX_TOO_LATE, W.CULTURE_TOO_LATE, W.ED_ONLY_ABX, W.EYE_OINTMENT,
                 W.MILD_VALID_PAIR]


def infection_workup(pop: Population, ids: Ids) -> tuple[pa.Table, pa.Table]:
    """prescriptions and microbiologyevents: antibiotic/culture pairs inside and outside the
    Sepsis-3 suspicion windows (culture then antibiotic within 72 h; antibiotic then culture within
    24 h), near misses, and ordinary ICU orders. (The three steps draw from pop.rng in this order.)"""
    pattern, cul_h, abx_h, abx_drug = _workup_times(pop)
    return _prescriptions(pop, ids, pattern, abx_h, abx_drug), _microbiology(pop, ids, cul_h)


def _workup_times(pop: Population):
    """Per stay: the work-up pattern, culture and first antibiotic hours (NaN: none), antibiotic."""
    rng = pop.rng
    S = len(pop.stay_id)
    los = pop.los_h
    inf = pop.plan.infected
    pat = np.where(inf, rng.choice(3, size=S, p=[0.5, 0.4, 0.1]),
                   rng.choice([int(w) for w in OTHER_WORKUPS], size=S, p=[0.35, 0.2, 0.08, 0.1, 0.12, 0.05, 0.10]))
    pat = np.where((pop.archetype == CARDIAC) & ~np.isin(pat, INFECTED_WORKUPS) & (rng.random(S) < 0.6),
                   W.PROPHYLAXIS_ONLY, pat)
    t_first = rng.uniform(0.3, 10.0, S)
    t_first = np.minimum(t_first, np.maximum(los - 1.0, 0.1))
    gap = rng.uniform(0.5, 10.0, S)
    cul_h = np.full(S, np.nan)
    abx_h = np.full(S, np.nan)
    abx_drug = rng.integers(0, len(vocab.ANTIBIOTICS), S)
    v = (pat == W.CULTURE_THEN_ABX) | (pat == W.MILD_VALID_PAIR)
    cul_h[v] = t_first[v]
    abx_h[v] = np.minimum(t_first[v] + gap[v], np.maximum(los[v] - 0.2, t_first[v] + 0.1))
    v = pat == W.ABX_THEN_CULTURE
    abx_h[v] = t_first[v]
    cul_h[v] = t_first[v] + np.minimum(gap[v], 20.0)
    v = pat == W.ED_CULTURE_THEN_ICU_ABX
    cul_h[v] = -rng.uniform(1, 6, S)[v]
    abx_h[v] = t_first[v]
    v = pat == W.ABX_TOO_LATE
    cul_h[v] = t_first[v]
    abx_h[v] = t_first[v] + rng.uniform(74, 110, S)[v]
    v = pat == W.CULTURE_TOO_LATE
    abx_h[v] = t_first[v]
    cul_h[v] = t_first[v] + rng.uniform(26, 48, S)[v]
    v = pat == W.ED_ONLY_ABX
    abx_h[v] = -rng.uniform(1.5, 5, S)[v]
    cul_h[v] = abx_h[v] - rng.uniform(0.3, 2, S)[v]
    v = pat == W.EYE_OINTMENT
    cul_h[v] = t_first[v]
    abx_h[v] = t_first[v] + 1.0
    # antibiotics never start after ICU discharge in valid patterns (clipped above); near misses may
    # fall outside the stay, which is the point.
    return pat, cul_h, abx_h, abx_drug


def _prescriptions(pop: Population, ids: Ids, pat, abx_h, abx_drug) -> pa.Table:
    rng = pop.rng
    fl = pop.plan
    S = len(pop.stay_id)
    inf = fl.infected
    orders = []   # (stays, start hours, one Drug per stay)

    def order(sel, start_h, drugs):
        """`drugs`: one Drug for every selected stay, or per stay an index into vocab.ANTIBIOTICS."""
        stays = np.flatnonzero(sel)
        rows = ([drugs] * len(stays) if isinstance(drugs, vocab.Drug)
                else [vocab.ANTIBIOTICS[i] for i in drugs[stays]])
        orders.append((stays, start_h[stays], rows))

    has_abx = ~np.isnan(abx_h) & (pat != W.PROPHYLAXIS_ONLY) & (pat != W.EYE_OINTMENT)
    order(has_abx, abx_h, abx_drug)
    second = has_abx & inf & (rng.random(S) < 0.6)
    order(second, abx_h + rng.uniform(0, 2, S), (abx_drug + 1 + rng.integers(0, 3, S)) % len(vocab.ANTIBIOTICS))
    # pre-ICU (ED) antibiotic dose for many septic stays: stay_id NULL in mimic-code's antibiotic table
    ed_abx = inf & (rng.random(S) < 0.35)
    order(ed_abx, -rng.uniform(1, 5, S), abx_drug)
    order(pat == W.PROPHYLAXIS_ONLY, rng.uniform(0.2, 3.0, S), vocab.CEFAZOLIN)
    order(pat == W.EYE_OINTMENT, abx_h, vocab.ERYTHRO_OPHTH)
    # ordinary ICU orders
    for drug in vocab.OTHER_DRUGS:
        if drug.drug == "Norepinephrine":
            sel = fl.vaso & (fl.primary == PrimaryAgent.NOREPINEPHRINE)
            order(sel, np.maximum(fl.vaso_start_h, 0) + 0.1, drug)
        else:
            order(rng.random(S) < 0.6, rng.uniform(0.5, 12, S), drug)

    s = np.concatenate([stays for stays, _, _ in orders])
    start_h = np.concatenate([hours for _, hours, _ in orders])
    d = [row for _, _, rows in orders for row in rows]
    start = round_to_minute(pop.intime[s] + (start_h * H).astype(np.int64))
    m = len(s)
    stop = start + rng.integers(1, 8, m) * 86400 - rng.integers(0, 8, m) * H
    pharmacy_id = ids.take("pharmacy", m, 10_000_000)
    poe_seq = rng.integers(10, 3000, m)
    subj = pop.subject_id[pop.stay_subject[s]]
    texts = {name: strs([getattr(r, name) for r in d])
             for name in ("drug_type", "drug", "formulary_drug_cd", "ndc", "prod_strength", "dose_val_rx",
                          "dose_unit_rx", "form_val_disp", "form_unit_disp", "route")}
    return table("prescriptions", {
        "subject_id": i64(subj), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "pharmacy_id": i64(pharmacy_id), "poe_id": strs([f"{a}-{b}" for a, b in zip(subj, poe_seq)]),
        "poe_seq": i64(poe_seq), "order_provider_id": strs([f"P{x:05X}" for x in rng.integers(0, 16**5, m)]),
        "starttime": ts(start), "stoptime": ts(stop), "gsn": strs([r.gsn or None for r in d]),
        "form_rx": const(None, m), "doses_per_24_hrs": i64([r.doses_per_24_hrs for r in d]), **texts,
    })


def _microbiology(pop: Population, ids: Ids, cul_h) -> pa.Table:
    """One specimen per stay with a culture time (+ a second specimen for half of the septic stays);
    positive cultures carry an organism and a susceptibility panel."""
    rng = pop.rng
    inf = pop.plan.infected
    cs = np.flatnonzero(~np.isnan(cul_h))
    extra = cs[inf[cs] & (rng.random(len(cs)) < 0.5)]
    spec_stay = np.r_[cs, extra]
    spec_h = np.r_[cul_h[cs], cul_h[extra] + rng.uniform(0, 1, len(extra))]
    K = len(spec_stay)
    spec_kind = rng.choice(len(vocab.CULTURES), size=K, p=vocab.CULTURES_P)
    spec_kind[:len(cs)] = np.where(inf[cs], 0, spec_kind[:len(cs)])  # the index culture of a septic stay is blood
    positive = rng.random(K) < np.where(inf[spec_stay], 0.45, 0.08)
    cancelled = ~positive & (rng.random(K) < 0.01)
    org = rng.integers(0, len(vocab.ORGANISMS), K)
    charttime = round_to_minute(pop.intime[spec_stay] + (spec_h * H).astype(np.int64))
    no_time = rng.random(K) < 0.03        # date-only specimens (charttime NULL)
    chartdate = charttime - charttime % 86400
    micro_specimen_id = ids.take("micro_specimen", K, 1_000_000)
    n_rows = np.where(positive, len(vocab.SUSCEPTIBILITY), 1)
    own, j = ragged(n_rows)
    m = len(own)
    ss = spec_stay[own]
    pos = positive[own]
    canc = cancelled[own]
    ct = charttime[own]
    spec = [vocab.CULTURES[x] for x in spec_kind[own]]
    orgs = [vocab.ORGANISMS[x] for x in org[own]]
    ab = [vocab.SUSCEPTIBILITY[x] for x in j]
    sus = rng.random(m) < 0.8
    org_name = np.array([o.org_name for o in orgs], dtype=object)
    ab_name = np.array([a.ab_name for a in ab], dtype=object)
    return table("microbiologyevents", {
        "microevent_id": i64(ids.take("microevent", m, 1_000_000)),
        "subject_id": i64(pop.subject_id[pop.stay_subject[ss]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[ss]]),
        "micro_specimen_id": i64(micro_specimen_id[own]), "order_provider_id": const(None, m),
        "chartdate": ts(chartdate[own]), "charttime": ts(ct, null=no_time[own]),
        "spec_itemid": i64([x.spec_itemid for x in spec]), "spec_type_desc": strs([x.spec_type_desc for x in spec]),
        "test_seq": i64(np.ones(m)), "storedate": ts(chartdate[own] + 3 * 86400),
        "storetime": ts(ct + 3 * 86400 + rng.integers(0, 12 * H, m)),
        "test_itemid": i64([x.test_itemid for x in spec]), "test_name": strs([x.test_name for x in spec]),
        "org_itemid": i64(np.where(pos, [o.org_itemid for o in orgs], np.where(canc, 90760, 0)), null=~pos & ~canc),
        "org_name": strs(np.where(pos, org_name, np.where(canc, "CANCELLED", None))),
        "isolate_num": i64(np.ones(m), null=~pos), "quantity": const(None, m),
        "ab_itemid": i64([a.ab_itemid for a in ab], null=~pos), "ab_name": strs(np.where(pos, ab_name, None)),
        "dilution_text": strs(np.where(pos, np.where(sus, "<=0.5", "8"), None)),
        "dilution_comparison": strs(np.where(pos, np.where(sus, "<=        ", "=         "), None)),
        "dilution_value": f64(np.where(pos, np.where(sus, 0.5, 8.0), np.nan)),
        "interpretation": strs(np.where(pos, np.where(sus, "S", "R"), None)),
        "comments": strs(np.where(pos | canc, None, "NO GROWTH.")),
    })
