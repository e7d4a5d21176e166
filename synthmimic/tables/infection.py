"""prescriptions and microbiologyevents: the Sepsis-3 suspicion-of-infection work-up."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .. import vocab
from ..latent import CARDIAC, Population
from .columns import const, f64, i64, strs, table, ts
from .ids import Ids
from .layout import H, ragged, round_to_minute


def infection_workup(pop: Population, ids: Ids) -> tuple[pa.Table, pa.Table]:
    """prescriptions and microbiologyevents: antibiotic/culture pairs inside and outside the
    Sepsis-3 suspicion windows (culture then antibiotic within 72 h; antibiotic then culture within
    24 h), near misses, and ordinary ICU orders."""
    rng = pop.rng
    fl = pop.plan
    S = len(pop.stay_id)
    los = pop.los_h
    inf = fl.infected
    # pattern per stay: 0 culture->abx, 1 abx->culture, 2 ED culture->ICU abx (all valid);
    # near misses: 3 none, 4 prophylaxis only, 5 culture then abx > 72 h, 6 abx then culture > 24 h,
    # 7 ED-only antibiotic (+culture), 8 eye ointment (+culture); 9 valid pair on a mild stay
    pat = np.where(inf, rng.choice(3, size=S, p=[0.5, 0.4, 0.1]),
                   rng.choice([3, 4, 5, 6, 7, 8, 9], size=S, p=[0.35, 0.2, 0.08, 0.1, 0.12, 0.05, 0.10]))
    pat = np.where((pop.archetype == CARDIAC) & (pat >= 3) & (rng.random(S) < 0.6), 4, pat)
    t_first = rng.uniform(0.3, 10.0, S)
    t_first = np.minimum(t_first, np.maximum(los - 1.0, 0.1))
    gap = rng.uniform(0.5, 10.0, S)
    cul_h = np.full(S, np.nan)
    abx_h = np.full(S, np.nan)
    abx_drug = rng.integers(0, len(vocab.ANTIBIOTICS), S)
    v = (pat == 0) | (pat == 9)
    cul_h[v] = t_first[v]
    abx_h[v] = np.minimum(t_first[v] + gap[v], np.maximum(los[v] - 0.2, t_first[v] + 0.1))
    v = pat == 1
    abx_h[v] = t_first[v]
    cul_h[v] = t_first[v] + np.minimum(gap[v], 20.0)
    v = pat == 2
    cul_h[v] = -rng.uniform(1, 6, S)[v]
    abx_h[v] = t_first[v]
    v = pat == 5
    cul_h[v] = t_first[v]
    abx_h[v] = t_first[v] + rng.uniform(74, 110, S)[v]
    v = pat == 6
    abx_h[v] = t_first[v]
    cul_h[v] = t_first[v] + rng.uniform(26, 48, S)[v]
    v = pat == 7
    abx_h[v] = -rng.uniform(1.5, 5, S)[v]
    cul_h[v] = abx_h[v] - rng.uniform(0.3, 2, S)[v]
    v = pat == 8
    cul_h[v] = t_first[v]
    abx_h[v] = t_first[v] + 1.0
    # antibiotics never start after ICU discharge in valid patterns (clipped above); near misses may
    # fall outside the stay, which is the point.

    presc = []   # (stay, start_h, stop_h, drug tuple index kind)
    def add(sel, start_h, kind, drug_idx=None):
        sel = np.flatnonzero(sel)
        presc.append((sel, start_h[sel], kind, None if drug_idx is None else drug_idx[sel]))
    has_abx = ~np.isnan(abx_h) & (pat != 4) & (pat != 8)
    add(has_abx, abx_h, "abx", abx_drug)
    second = has_abx & inf & (rng.random(S) < 0.6)
    add(second, abx_h + rng.uniform(0, 2, S), "abx", (abx_drug + 1 + rng.integers(0, 3, S)) % len(vocab.ANTIBIOTICS))
    # pre-ICU (ED) antibiotic dose for many septic stays: stay_id NULL in mimic-code's antibiotic table
    ed_abx = inf & (rng.random(S) < 0.35)
    add(ed_abx, -rng.uniform(1, 5, S), "abx", abx_drug)
    add(pat == 4, rng.uniform(0.2, 3.0, S), "cefazolin")
    add(pat == 8, abx_h, "eye")
    # ordinary ICU orders
    for j in range(len(vocab.OTHER_DRUGS)):
        if vocab.OTHER_DRUGS[j][1] == "Norepinephrine":
            sel = fl.vaso & (fl.primary == 0)
            add(sel, np.maximum(fl.vaso_start_h, 0) + 0.1, ("other", j))
        else:
            add(rng.random(S) < 0.6, rng.uniform(0.5, 12, S), ("other", j))

    rows_s, rows_t, rows_d = [], [], []
    for sel, start_h, kind, drug_idx in presc:
        rows_s.append(sel)
        rows_t.append(start_h)
        if kind == "abx":
            rows_d += [vocab.ANTIBIOTICS[i] for i in drug_idx]
        elif kind == "cefazolin":
            rows_d += [vocab.CEFAZOLIN] * len(sel)
        elif kind == "eye":
            rows_d += [vocab.ERYTHRO_OPHTH] * len(sel)
        else:
            rows_d += [vocab.OTHER_DRUGS[kind[1]]] * len(sel)
    s = np.concatenate(rows_s)
    start = round_to_minute(pop.intime[s] + (np.concatenate(rows_t) * H).astype(np.int64))
    m = len(s)
    stop = start + rng.integers(1, 8, m) * 86400 - rng.integers(0, 8, m) * H
    # OTHER_DRUGS rows carry drug_type first; antibiotics are MAIN
    d = [r if len(r) == 12 else ("MAIN",) + r for r in rows_d]
    pharmacy_id = ids.take("pharmacy", m, 10_000_000)
    poe_seq = rng.integers(10, 3000, m)
    subj = pop.subject_id[pop.stay_subject[s]]
    presc_tbl = table("prescriptions", {
        "subject_id": i64(subj), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "pharmacy_id": i64(pharmacy_id), "poe_id": strs([f"{a}-{b}" for a, b in zip(subj, poe_seq)]),
        "poe_seq": i64(poe_seq), "order_provider_id": strs([f"P{x:05X}" for x in rng.integers(0, 16**5, m)]),
        "starttime": ts(start), "stoptime": ts(stop), "drug_type": strs([r[0] for r in d]),
        "drug": strs([r[1] for r in d]), "formulary_drug_cd": strs([r[2] for r in d]),
        "gsn": strs([r[3] or None for r in d]), "ndc": strs([r[4] for r in d]),
        "prod_strength": strs([r[5] for r in d]), "form_rx": const(None, m),
        "dose_val_rx": strs([r[6] for r in d]), "dose_unit_rx": strs([r[7] for r in d]),
        "form_val_disp": strs([r[8] for r in d]), "form_unit_disp": strs([r[9] for r in d]),
        "doses_per_24_hrs": i64([r[10] for r in d]), "route": strs([r[11] for r in d]),
    })

    # cultures: one specimen per stay with a culture time (+ a second specimen for half of the
    # septic stays); positive cultures carry an organism and a susceptibility panel
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
    micro_tbl = table("microbiologyevents", {
        "microevent_id": i64(ids.take("microevent", m, 1_000_000)),
        "subject_id": i64(pop.subject_id[pop.stay_subject[ss]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[ss]]),
        "micro_specimen_id": i64(micro_specimen_id[own]), "order_provider_id": const(None, m),
        "chartdate": ts(chartdate[own]), "charttime": ts(ct, null=no_time[own]),
        "spec_itemid": i64([x[0] for x in spec]), "spec_type_desc": strs([x[1] for x in spec]),
        "test_seq": i64(np.ones(m)), "storedate": ts(chartdate[own] + 3 * 86400),
        "storetime": ts(ct + 3 * 86400 + rng.integers(0, 12 * H, m)),
        "test_itemid": i64([x[2] for x in spec]), "test_name": strs([x[3] for x in spec]),
        "org_itemid": i64(np.where(pos, [o[0] for o in orgs], np.where(canc, 90760, 0)), null=~pos & ~canc),
        "org_name": strs(np.where(pos, np.array([o[1] for o in orgs], dtype=object), np.where(canc, "CANCELLED", None))),
        "isolate_num": i64(np.ones(m), null=~pos), "quantity": const(None, m),
        "ab_itemid": i64([a[0] for a in ab], null=~pos), "ab_name": strs(np.where(pos, np.array([a[1] for a in ab], dtype=object), None)),
        "dilution_text": strs(np.where(pos, np.where(sus, "<=0.5", "8"), None)),
        "dilution_comparison": strs(np.where(pos, np.where(sus, "<=        ", "=         "), None)),
        "dilution_value": f64(np.where(pos, np.where(sus, 0.5, 8.0), np.nan)),
        "interpretation": strs(np.where(pos, np.where(sus, "S", "R"), None)),
        "comments": strs(np.where(pos | canc, None, "NO GROWTH.")),
    })
    return presc_tbl, micro_tbl
