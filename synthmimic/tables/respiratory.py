"""The charted respiratory support text: ventilator modes, O2 devices and flows."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import vocab
from ..population import Population
from .columns import Coded


@dataclass
class RespiratoryText:
    """Per grid row: what chartevents charts about respiratory support."""
    mode_itemid: np.ndarray       # Ventilator Mode (223849) or its Hamilton item (229314)
    mode: Coded                   # ventilator mode text
    niv_mode: Coded               # Hamilton NIV mode text
    niv_now: np.ndarray
    niv_hamilton_now: np.ndarray
    device: Coded                 # O2 Delivery Device(s) text
    second_device: Coded          # a second device charted at the same time
    supported: np.ndarray         # on NIV, high flow or a trach mask (charted without routine O2 rows)
    has_flow: np.ndarray          # not invasively ventilated: an O2 flow may be charted
    flow_itemid: np.ndarray       # O2 Flow (223834) or BiPap O2 Flow (227582)
    flow_offset: np.ndarray       # added to a nasal-cannula flow for high flow and masks


def _pick(rng, choices, n) -> Coded:
    """Codes into the texts of a (text, probability) list, n draws."""
    texts = [c for c, _ in choices]
    return Coded(rng.choice(len(texts), size=n, p=[p for _, p in choices]).astype(np.int32), texts)


def respiratory_text(pop: Population, st, k, th, vent, rsel) -> RespiratoryText:
    """Per grid row: the ventilator mode (223849, or 229314 on a Hamilton ventilator) by ventilation
    phase, the O2 delivery device (airway while ventilated; NIV mask, high-flow cannula, trach mask or
    the stay's usual device otherwise), the O2 flow item and its offset from a nasal-cannula flow.
    All draws from pop.resp_rng."""
    r = pop.resp_rng
    fl = pop.plan
    rp = pop.respiratory
    n = len(st)
    # ventilator modes: controlled for the first 60 % of the ventilation, then weaning modes
    phase = (th - fl.vent_start_h[st]) / np.maximum(fl.vent_end_h[st] - fl.vent_start_h[st], 1)
    weaning = phase >= 0.6
    hamilton = rp.hamilton[st]
    lists = [vocab.VENT_MODES_CONTROLLED, vocab.VENT_MODES_WEANING, vocab.HAMILTON_MODES_CONTROLLED,
             vocab.HAMILTON_MODES_WEANING]
    which = 2 * hamilton + weaning
    texts, mode = [], np.zeros(n, np.int32)
    for j, choices in enumerate(lists):
        codes, names = _pick(r, choices, n)
        mode = np.where(which == j, codes + len(texts), mode)
        texts += names
    niv_mode = _pick(r, vocab.HAMILTON_MODES_NIV, n)

    # O2 devices: one list of texts, codes per row
    devices = [vocab.ETT, vocab.TRACH_TUBE, vocab.T_PIECE, vocab.TRACH_MASK, *vocab.NIV_MASKS, vocab.HFNC]
    usual = [d for d, _ in vocab.O2_DEVICES]
    devices += usual
    first_usual = devices.index(usual[0])
    trach_tube = vent & (th >= rp.trach_h[st])
    t_piece = vent & weaning & (r.random(n) < 0.03)
    niv_now = ~vent & (th >= rp.niv_start_h[st]) & (th < rp.niv_end_h[st])
    hfnc_now = ~vent & ~niv_now & (th >= rp.hfnc_start_h[st]) & (th < rp.hfnc_end_h[st])
    trach_mask = ~vent & ~niv_now & ~hfnc_now & (th > fl.vent_end_h[st]) & np.isfinite(rp.trach_h[st])
    # the stay's usual device, replaced on 5 % of rows by another supplemental device (rare ones too)
    other_supp = r.integers(0, len(usual) - 1, n)          # every usual device except 'Other'
    usual_code = np.where(r.random(n) < 0.05, other_supp, rp.o2_device[st])
    device = np.select(
        [vent & t_piece, vent & trach_tube, vent, niv_now, hfnc_now, trach_mask],
        [devices.index(vocab.T_PIECE), devices.index(vocab.TRACH_TUBE), devices.index(vocab.ETT),
         devices.index(vocab.NIV_MASKS[0]) + rp.niv_mask[st], devices.index(vocab.HFNC),
         devices.index(vocab.TRACH_MASK)],
        first_usual + usual_code).astype(np.int32)
    # a second device charted at the same time: nasal cannula next to a NIV mask, else a face tent
    second = np.where(niv_now, devices.index('Nasal cannula'), devices.index('Face tent')).astype(np.int32)
    # O2 flow: BiPap O2 Flow (227582) on NIV, else O2 Flow (223834), higher for high flow and masks
    offset = {vocab.HFNC: 40, 'Non-rebreather': 9, 'Face tent': 5, 'Aerosol-cool': 5, 'High flow neb': 6,
              'Venti mask ': 4, 'Medium conc mask ': 4, 'Ultrasonic neb': 5, 'Vapomist': 5, vocab.TRACH_MASK: 4}
    flow_offset = np.array([offset.get(d, 0) for d in devices], dtype=np.float64)[device]
    return RespiratoryText(
        mode_itemid=np.where(hamilton, 229314, 223849), mode=Coded(mode, texts),
        niv_mode=niv_mode, niv_now=niv_now,
        niv_hamilton_now=niv_now & rp.niv_hamilton[st],
        device=Coded(device, devices), second_device=Coded(second, devices),
        supported=niv_now | hfnc_now | trach_mask, has_flow=~vent,
        flow_itemid=np.where(niv_now, 227582, 223834), flow_offset=flow_offset,
    )
