"""The charted respiratory support text: ventilator modes, O2 devices and flows."""
from __future__ import annotations

import numpy as np

from .. import vocab
from ..latent import Population


def _pick(rng, choices, n) -> tuple[np.ndarray, list]:
    """Codes into the texts of a (text, probability) list, n draws."""
    texts = [c for c, _ in choices]
    return rng.choice(len(texts), size=n, p=[p for _, p in choices]).astype(np.int32), texts


def respiratory_text(pop: Population, st, k, th, vent, rsel) -> dict:
    """Per grid row: the ventilator mode (223849, or 229314 on a Hamilton ventilator) by ventilation
    phase, the O2 delivery device (airway while ventilated; NIV mask, high-flow cannula, trach mask or
    the stay's usual device otherwise), the O2 flow item and its offset from a nasal-cannula flow.
    All draws from pop.resp_rng."""
    r = pop.resp_rng
    fl = pop.flags
    n = len(st)
    # ventilator modes: controlled for the first 60 % of the ventilation, then weaning modes
    phase = (th - fl["vent_start_h"][st]) / np.maximum(fl["vent_end_h"][st] - fl["vent_start_h"][st], 1)
    weaning = phase >= 0.6
    hamilton = fl["hamilton"][st]
    lists = [vocab.VENT_MODES_CONTROLLED, vocab.VENT_MODES_WEANING, vocab.HAMILTON_MODES_CONTROLLED,
             vocab.HAMILTON_MODES_WEANING]
    which = 2 * hamilton + weaning
    texts, mode = [], np.zeros(n, np.int32)
    for j, choices in enumerate(lists):
        codes, names = _pick(r, choices, n)
        mode = np.where(which == j, codes + len(texts), mode)
        texts += names
    niv_codes, niv_names = _pick(r, vocab.HAMILTON_MODES_NIV, n)

    # O2 devices: one list of texts, codes per row
    devices = [vocab.ETT, vocab.TRACH_TUBE, vocab.T_PIECE, vocab.TRACH_MASK, *vocab.NIV_MASKS, vocab.HFNC]
    usual = [d for d, _ in vocab.O2_DEVICES]
    devices += usual
    first_usual = devices.index(usual[0])
    trach_tube = vent & (th >= fl["trach_h"][st])
    t_piece = vent & weaning & (r.random(n) < 0.03)
    niv_now = ~vent & (th >= fl["niv_start_h"][st]) & (th < fl["niv_end_h"][st])
    hfnc_now = ~vent & ~niv_now & (th >= fl["hfnc_start_h"][st]) & (th < fl["hfnc_end_h"][st])
    trach_mask = ~vent & ~niv_now & ~hfnc_now & (th > fl["vent_end_h"][st]) & np.isfinite(fl["trach_h"][st])
    # the stay's usual device, replaced on 5 % of rows by another supplemental device (rare ones too)
    other_supp = r.integers(0, len(usual) - 1, n)          # every usual device except 'Other'
    usual_code = np.where(r.random(n) < 0.05, other_supp, fl["o2_device"][st])
    device = np.select(
        [vent & t_piece, vent & trach_tube, vent, niv_now, hfnc_now, trach_mask],
        [devices.index(vocab.T_PIECE), devices.index(vocab.TRACH_TUBE), devices.index(vocab.ETT),
         devices.index(vocab.NIV_MASKS[0]) + fl["niv_mask"][st], devices.index(vocab.HFNC),
         devices.index(vocab.TRACH_MASK)],
        first_usual + usual_code).astype(np.int32)
    # a second device charted at the same time: nasal cannula next to a NIV mask, else a face tent
    second = np.where(niv_now, devices.index('Nasal cannula'), devices.index('Face tent')).astype(np.int32)
    # O2 flow: BiPap O2 Flow (227582) on NIV, else O2 Flow (223834), higher for high flow and masks
    offset = {vocab.HFNC: 40, 'Non-rebreather': 9, 'Face tent': 5, 'Aerosol-cool': 5, 'High flow neb': 6,
              'Venti mask ': 4, 'Medium conc mask ': 4, 'Ultrasonic neb': 5, 'Vapomist': 5, vocab.TRACH_MASK: 4}
    flow_offset = np.array([offset.get(d, 0) for d in devices], dtype=np.float64)[device]
    return {
        "mode_itemid": np.where(hamilton, 229314, 223849), "mode": (mode, texts),
        "niv_mode": (niv_codes, niv_names), "niv_now": niv_now,
        "niv_hamilton_now": niv_now & fl["niv_hamilton"][st],
        "device": (device, devices), "second_device": (second, devices),
        "supported": niv_now | hfnc_now | trach_mask, "has_flow": ~vent,
        "flow_itemid": np.where(niv_now, 227582, 223834), "flow_offset": flow_offset,
    }
