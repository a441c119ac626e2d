/* Playback in the browser: the server prepares frames a few at a time (figure, description,
 * dates, slider position and view state together); each tick of the interval shows the next one,
 * so frames come at the chosen speed and the dates are never ahead of the graph. When the queue
 * runs low the next frames are requested; when the data ends, playback stops and the server
 * brings the table, the details and the tabs up to date. */
(function () {
  const SETTLE_MS = 250;
  let settleToken = 0;
  const queue = [];
  let done = false;
  let requested = false;
  let seq = 0;
  let last = null;
  // A click on Play/Pause halts the frames at once, before the server has answered,
  // so the frame on screen is the one the paused view (and its link) keeps.
  let halted = false;
  document.addEventListener('click', function (e) {
    if (e.target && e.target.closest && e.target.closest('#play')) {
      halted = true;
    }
  }, true);

  let lastChunk = null;
  function takeChunk(chunk) {
    if (!chunk || chunk.reset) {
      queue.length = 0;
      done = false;
      requested = false;
      seq += 1;
      last = null;
      return;
    }
    if (chunk.start) {
      halted = false;
      queue.length = 0;
      seq += 1;
      last = null;
    } else if (chunk.seq !== seq) {
      return; // frames asked for before a pause or a restart
    }
    for (const f of chunk.frames || []) {
      queue.push(f);
      last = f;
    }
    done = !!chunk.done;
    requested = false;
  }

  function shade(figure, dates) {
    if (!figure || !figure.layout || !figure.layout.shapes || !figure.layout.shapes.length) {
      return window.dash_clientside.no_update;
    }
    const shapes = figure.layout.shapes.slice();
    shapes[0] = Object.assign({}, shapes[0], {x0: dates[0], x1: dates[1]});
    return Object.assign({}, figure, {layout: Object.assign({}, figure.layout, {shapes: shapes})});
  }

  let highlightToken = 0;

  // The other level's figure (callbacks._register_level_ahead): asked for when the page is idle.
  let aheadToken = 0;
  const levelAhead = {swaps: 0}; // held figures drawn; read by the browser tests
  window.explorerLevelAhead = levelAhead;
  function whenIdle(fn) {
    if (window.requestIdleCallback) {
      window.requestIdleCallback(fn, {timeout: 1000});
    } else {
      setTimeout(fn, 50);
    }
  }
  // JSON with sorted keys: the same data, whatever order its keys came in.
  function canonical(value) {
    return JSON.stringify(value, function (key, v) {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        return Object.keys(v).sort().reduce(function (o, k) {
          o[k] = v[k];
          return o;
        }, {});
      }
      return v;
    });
  }

  function gridCopier() {
    const sent = {};
    return function (update) {
      Object.assign(sent, update || {});
      const nu = window.dash_clientside.no_update;
      return ['rowData', 'columnDefs', 'rowClassRules'].map(function (k) {
        return k in sent ? sent[k] : nu;
      });
    };
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    explorer: {
      /* The entity dropdowns' options (search, focus), once the graph has drawn: a dropdown
       * builds its search over every option when they arrive (layout._controls). */
      entityOptions: function (options) {
        if (!options) {
          return [window.dash_clientside.no_update, window.dash_clientside.no_update];
        }
        const ready = (window.explorerDrawing && window.explorerDrawing.settled) || Promise.resolve();
        return ready.then(function () {
          return [options, options];
        });
      },
      /* Ask for the other level's figure for the view now shown, once the page is idle (after
       * its first draw has painted, and not while playing: frames change the view each tick). */
      levelAhead: function (stored, tickerDisabled) {
        const nu = window.dash_clientside.no_update;
        const mine = (aheadToken += 1);
        if (!stored || tickerDisabled === false) {
          return nu;
        }
        const ready = (window.explorerDrawing && window.explorerDrawing.settled) || Promise.resolve();
        return ready.then(function () {
          return new Promise(function (resolve) {
            whenIdle(function () {
              resolve(mine === aheadToken ? stored : nu);
            });
          });
        });
      },
      /* A click on the level control: the figure held for it is drawn at once if it was made
       * for the view shown, and the change goes on to the main callback saying which figure was
       * drawn (its answer then leaves the figure out). A level the page already shows (the
       * server set the control) is not a change. */
      levelSwap: function (level, next, stored) {
        const nu = window.dash_clientside.no_update;
        if (!stored || stored.level === level) {
          return [nu, nu];
        }
        if (next && next.level === level && next.basis && canonical(next.basis) === canonical(stored)) {
          levelAhead.swaps += 1;
          return [next.figure, {level: level, drew: next.key, at: Date.now()}];
        }
        return [nu, {level: level, drew: null, at: Date.now()}];
      },
      /* The details panel: the server sends it as one HTML string (explorer/app/markup.py, every
       * text escaped), which the browser parses at once; as Dash components its hundreds of
       * elements cost a click about 300 ms.  The panel keeps its scroll position unless it shows
       * something else. */
      showDetails: function (html) {
        const el = document.getElementById('details');
        if (el && el.__explorerHtml !== html) {
          el.innerHTML = html || '';
          el.__explorerHtml = html;
          const panel = el.closest('.details-panel');
          if (panel) {
            panel.scrollTop = 0;
          }
        }
        return window.dash_clientside.no_update;
      },
      /* A click's new highlight (a patch of the network figure from the server), applied once the
       * browser has drawn the details that came with it: the details are what the click asked
       * for, and redrawing the graph first held them back by the graph's redraw time. A newer
       * highlight replaces one still waiting. */
      applyHighlight: function (highlight) {
        const nu = window.dash_clientside.no_update;
        if (!highlight || !highlight.patch) {
          return nu;
        }
        const mine = (highlightToken += 1);
        return new Promise(function (resolve) {
          requestAnimationFrame(function () {
            setTimeout(function () {
              resolve(mine === highlightToken ? highlight.patch : nu);
            }, 0);
          });
        });
      },
      /* A grid's props from its store (callbacks._register_lazy_grids): the server sends what
       * changed (a click sends only the highlighted row's rule); the grid, made when its tab
       * first opens, is given everything sent so far. */
      gridData: gridCopier(),
      changesGridData: gridCopier(),
      /* A click on a metrics row, or Enter on it, selects its node. */
      gridPick: function (cell, keyed) {
        const t = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || '';
        const id = t.endsWith('cellClicked') ? (cell && cell.rowId) : (keyed && keyed.data && keyed.data.id);
        return id ? {id: id, at: Date.now()} : window.dash_clientside.no_update;
      },
      /* The slider's value, passed on once it has rested for a moment: five arrow presses make
       * one request, not five. */
      settleWindow: function (value, serverValue) {
        if (JSON.stringify(value) === JSON.stringify(serverValue)) {
          // The server (or a playback frame) set the slider there: not a move to send back.
          return window.dash_clientside.no_update;
        }
        const token = (settleToken += 1);
        return new Promise(function (resolve) {
          setTimeout(function () {
            resolve(token === settleToken ? value : window.dash_clientside.no_update);
          }, SETTLE_MS);
        });
      },
      playTick: function (nIntervals, chunk, sparkline) {
        const nu = window.dash_clientside.no_update;
        const none = [nu, nu, nu, nu, nu, nu, nu, nu, nu, nu];
        const trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || '';
        // Frames arrive as the data of play-chunk: from the server's answer to Play (which
        // triggers this callback) and from the requests for more (which Dash does not run this
        // callback for, as this callback made the request): those are taken on the next tick.
        if (chunk !== lastChunk) {
          lastChunk = chunk;
          takeChunk(chunk);
        }
        if (trigger.startsWith('play-chunk')) {
          return none;
        }
        if (halted) {
          return none;
        }
        const f = queue.shift();
        if (!f) {
          if (done) {
            done = false;
            return [nu, nu, nu, nu, nu, nu, nu, nu, nu, Date.now()];
          }
          return none; // the next frames are on their way
        }
        let request = nu;
        if (!requested && !done && queue.length <= 2) {
          requested = true;
          request = {seq: seq, state: (last || f).state};
        }
        const ended = (done && queue.length === 0) ? Date.now() : nu;
        if (ended !== nu) {
          done = false;
        }
        return [
          f.figure,
          f.description,
          f.dates[0],
          f.dates[1],
          f.timeline,
          f.timeline,
          f.state,
          shade(sparkline, f.dates),
          request,
          ended,
        ];
      },
    },
  });
})();

/* On a narrow screen (a phone) the legend goes under the graph instead of taking a column
 * beside it, so the graph keeps the width.  Only narrow screens pay for it: the graphs are
 * looked for while the window is narrow, and the width is read from the media query, never
 * from the graph (which would force a layout after every redraw). */
(function () {
  const narrow = window.matchMedia('(max-width: 639.98px)');
  function fitLegend(gd) {
    if (!narrow.matches || !window.Plotly || !gd || !gd.layout || !gd.layout.legend) {
      return;
    }
    if (gd.layout.legend.orientation !== 'h') {
      window.Plotly.relayout(gd, {
        'legend.orientation': 'h', 'legend.x': 0, 'legend.xanchor': 'left',
        'legend.y': -0.02, 'legend.yanchor': 'top',
      });
    }
  }
  let timer = null;
  function hook() {
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
      if (!gd.__explorerLegend && gd.on) {
        gd.__explorerLegend = true;
        gd.on('plotly_afterplot', function () { fitLegend(gd); });
        fitLegend(gd);
      }
    }
  }
  function watch() {
    if (narrow.matches && timer === null) {
      timer = setInterval(hook, 500);
      hook();
    } else if (!narrow.matches && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }
  if (narrow.addEventListener) {
    narrow.addEventListener('change', watch);
  }
  watch();
})();
