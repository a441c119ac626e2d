/* Keyboard and screen-reader fixes the components cannot be asked for through their properties.
 *
 * 1. Tabs: arrow keys, Home and End move between the tabs of a [role=tablist] (the WAI-ARIA
 *    tabs pattern; Enter or Space on a tab opens it, as on any button).
 * 2. Dash 4 dropdowns: each renders a hidden <input aria-hidden="true" tabindex="0"> in front of
 *    its button, as a stand-in Tab stop for Safari (plotly/dash#3740).  Keyboard focus lands on
 *    an element hidden from screen readers (axe: aria-hidden-focus).  Dash 4.4 has no property to
 *    turn it off, so the stand-in is made inert and the button itself takes the Tab stop (an
 *    explicit tabindex, which Safari honours), named by the field's visible label, as are its popup
 *    and its list of options when open.
 * 3. The timeline slider: its handles announce the date they stand on (aria-valuetext) rather
 *    than a step number, and its tooltip shows that date (tooltip.transform below).  The dates
 *    come from the slider's container (data-tick-starts, data-tick-ends: ISO dates, one a step).
 *
 * Only attributes React does not manage are touched, so a re-render never fights these.
 */
(function () {
  'use strict';

  const DATE = new Intl.DateTimeFormat('en-GB', {day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC'});
  const SHORT = new Intl.DateTimeFormat('en-GB', {day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC'});
  const MONTH = new Intl.DateTimeFormat('en-GB', {month: 'short', year: 'numeric', timeZone: 'UTC'});

  function parse(iso) {
    return new Date(iso + 'T00:00:00Z');
  }

  function ticksOf(el) {
    const box = el && el.closest('[data-tick-starts]');
    if (!box) {
      return null;
    }
    if (!box._ticks) {
      box._ticks = {
        starts: JSON.parse(box.getAttribute('data-tick-starts') || '[]'),
        ends: JSON.parse(box.getAttribute('data-tick-ends') || '[]'),
        unit: box.getAttribute('data-tick-unit') || 'day',
      };
    }
    return box._ticks;
  }

  /* The label of step ``i``: a day, the week it starts, or a month. */
  function stepLabel(t, i) {
    const start = t.starts[i];
    if (!start) {
      return String(i);
    }
    if (t.unit === 'month') {
      return MONTH.format(parse(start));
    }
    if (t.unit === 'week') {
      return SHORT.format(parse(start)) + ' – ' + SHORT.format(parse(t.ends[i] || start));
    }
    return SHORT.format(parse(start));
  }

  // Tooltip of the timeline handles: dcc.RangeSlider(tooltip={"transform": "explorerA11y.tickLabel"}).
  window.dccFunctions = window.dccFunctions || {};
  window.dccFunctions.explorerA11y = {
    tickLabel: function (value) {
      const t = ticksOf(document.getElementById('timeline'));
      return t ? stepLabel(t, Number(value)) : String(value);
    },
  };

  function describeThumb(thumb) {
    const t = ticksOf(thumb);
    if (!t) {
      return;
    }
    const i = Number(thumb.getAttribute('aria-valuenow'));
    const first = thumb.classList.contains('dash-slider-thumb-1');
    const iso = first ? t.starts[i] : t.ends[i];
    if (!iso) {
      return;
    }
    const text = DATE.format(parse(iso));
    if (thumb.getAttribute('aria-valuetext') !== text) {
      thumb.setAttribute('aria-valuetext', text);
    }
    const label = first ? 'Window starts' : 'Window ends';
    if (thumb.getAttribute('aria-label') !== label) {
      thumb.setAttribute('aria-label', label);
    }
  }

  function fixDropdown(proxy) {
    proxy.inert = true;
    const button = proxy.nextElementSibling;
    if (!button || !button.classList.contains('dash-dropdown')) {
      return;
    }
    if (button.getAttribute('tabindex') !== '0') {
      button.setAttribute('tabindex', '0');
    }
    const label = button.id && document.getElementById(button.id + '-label');
    const named = button.getAttribute('aria-labelledby') || '';
    if (label && !named.split(' ').includes(label.id)) {
      button.setAttribute('aria-labelledby', (label.id + ' ' + named).trim());
    }
  }

  /* An open dropdown: its popup (a dialog) and its list of options are named by the field's label. */
  function namePopup(popup) {
    const wrapper = popup.closest('.dash-dropdown-wrapper');
    const button = wrapper && wrapper.querySelector('button.dash-dropdown');
    const label = button && button.id && document.getElementById(button.id + '-label');
    if (!label) {
      return;
    }
    popup.setAttribute('aria-labelledby', label.id);
    popup.querySelectorAll('[role=listbox]:not([aria-labelledby])').forEach(function (list) {
      list.setAttribute('aria-labelledby', label.id);
    });
  }

  function scan(root) {
    root.querySelectorAll('.dash-dropdown-focus-target:not([inert])').forEach(fixDropdown);
    root.querySelectorAll('.dash-dropdown-content:not([aria-labelledby]), .dash-dropdown-content [role=listbox]:not([aria-labelledby])')
      .forEach(function (el) { namePopup(el.closest('.dash-dropdown-content')); });
    root.querySelectorAll('[data-tick-starts] [role=slider]').forEach(describeThumb);
  }

  let pending = false;
  function schedule() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(function () {
        pending = false;
        scan(document);
      });
    }
  }

  function onKeyDown(event) {
    const tab = event.target.closest && event.target.closest('[role=tablist] [role=tab]');
    if (!tab || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const tabs = Array.from(tab.closest('[role=tablist]').querySelectorAll('[role=tab]:not([disabled])'));
    const at = tabs.indexOf(tab);
    const next = {
      ArrowRight: tabs[(at + 1) % tabs.length],
      ArrowLeft: tabs[(at - 1 + tabs.length) % tabs.length],
      Home: tabs[0],
      End: tabs[tabs.length - 1],
    }[event.key];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  }

  /* Only the parts of the page that hold dropdowns and the slider are watched: a watch over the
   * whole page also saw every element Plotly draws (thousands a redraw) and cost each level switch
   * about 40 ms.  These containers come with the layout; until the renderer has drawn them all,
   * each frame looks for them again. */
  const WATCHED = ['aside[aria-label="Filters"]', '[data-tick-starts]', '.path-choices'];
  const observer = new MutationObserver(schedule);
  const watched = new Set();
  function watch() {
    let missing = 0;
    WATCHED.forEach(function (sel) {
      const el = document.querySelector(sel);
      if (!el) {
        missing++;
      } else if (!watched.has(el)) {
        watched.add(el);
        observer.observe(el, {subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow']});
        scan(el);
      }
    });
    return missing;
  }

  function start() {
    document.addEventListener('keydown', onKeyDown);
    const t0 = performance.now();
    (function look() {
      if (watch() && performance.now() - t0 < 60000) {
        requestAnimationFrame(look);
      }
    })();
    // A container the renderer replaced (none does today) is found again when focus moves.
    document.addEventListener('focusin', function () {
      watch();
      schedule();
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
