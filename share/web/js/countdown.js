// countdown.js - "due in 3 h 58 min" / "overdue by 12 min", kept live.
//
// countdown(deadline) makes the element; tick(root), which the shell calls
// every second, rewrites every such element under root from the clock, so
// the figure stays true across redraws without each page keeping a timer.
// The element is not a live region: a screen reader reads it when the user
// gets there, not every minute.

import { t, fmtDuration } from './i18n.js';
import { el } from './dom.js';

function text(deadline, now) {
  const left = deadline - now;
  // minutes while there are hours left; seconds in the last two minutes
  const round = Math.abs(left) >= 120e3 ? 60e3 : 1e3;
  const d = Math.floor(Math.abs(left) / round) * round;
  return left >= 0 ? t('time.due_in', { duration: fmtDuration(d) }) : t('time.overdue_by', { duration: fmtDuration(d) });
}

export function countdown(deadline, attrs) {
  const e = el('span', Object.assign({ class: 'countdown', 'data-due': deadline }, attrs || {}));
  update(e, Date.now());
  return e;
}

function update(e, now) {
  const deadline = Number(e.dataset.due);
  const s = text(deadline, now);
  if (e.textContent !== s) e.textContent = s;
  e.classList.toggle('is-overdue', deadline < now);
}

export function tick(root) {
  const now = Date.now();
  for (const e of root.querySelectorAll('[data-due]')) update(e, now);
}
