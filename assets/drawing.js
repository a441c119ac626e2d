/* The order graphs are drawn in when the page opens: the network first, the rest after it.
 *
 * Every dcc.Graph draws itself with Plotly.react as soon as it mounts, in page order: the
 * timeline's sparkline (above the network in the page) and the four graphs of the hidden tabs
 * (map, metrics series, changes, path) used to be drawn in the same task as the network, about
 * 300 ms of main thread before the network's frame could paint.  Here a graph other than the
 * network waits until the network has drawn (and that frame has painted), and a graph inside a
 * hidden element (a closed tab) waits until it is shown: a tab most visits never open costs
 * nothing.  A graph that waits keeps only its latest figure; Dash's promise for each call
 * settles when that figure is drawn, so the component binds its events then, as it would have.
 */
(function () {
  'use strict';
  if (window.__explorerDrawing) {
    return;
  }
  window.__explorerDrawing = true;

  var FIRST = 'network'; // the id of the graph drawn first (unless its tab is closed)
  var OPEN_AFTER_MS = 3000; // a page without that graph (or whose draw failed) stops waiting
  var waiting = new Map(); // graph div -> {args, settle: [[resolve, reject]]}
  var firstDrawn = false;
  var react = null;
  var opened;
  // Settles once the first graph's frame has painted and what waited for it is drawn: other work
  // that can wait (filling the entity dropdowns, assets/explorer.js) waits for it too.
  window.explorerDrawing = {
    settled: new Promise(function (resolve) {
      opened = resolve;
    }),
    openedBy: null, // 'a draw', or 'the timer' when nothing drew in time
  };
  setTimeout(function () {
    opened();
  }, 2 * OPEN_AFTER_MS);

  function held(gd) {
    if (!gd || !gd.closest) {
      return false;
    }
    if (gd.closest('[hidden]')) {
      return true;
    }
    if (firstDrawn || gd.closest('#' + FIRST)) {
      return false;
    }
    // A page opened on another tab (its link says so) draws that tab's graph first.
    var first = document.getElementById(FIRST);
    return !!first && !first.closest('[hidden]');
  }

  function draw(gd, args, settle) {
    var p = react.apply(null, [gd].concat(args));
    Promise.resolve(p).then(
      function (v) {
        settle.forEach(function (s) { s[0](v); });
      },
      function (e) {
        settle.forEach(function (s) { s[1](e); });
      }
    );
    return p;
  }

  function flush() {
    waiting.forEach(function (w, gd) {
      if (!gd.isConnected) {
        waiting.delete(gd);
      } else if (!held(gd)) {
        waiting.delete(gd);
        draw(gd, w.args, w.settle);
      }
    });
  }

  // After the frame that shows the network has painted.
  function openGate(why) {
    if (firstDrawn) {
      return;
    }
    firstDrawn = true;
    window.explorerDrawing.openedBy = why === 'timer' ? 'the timer' : 'a draw';
    requestAnimationFrame(function () {
      setTimeout(function () {
        flush();
        setTimeout(opened, 0);
      }, 0);
    });
  }

  function wrapped(gd) {
    var args = Array.prototype.slice.call(arguments, 1);
    var w = waiting.get(gd);
    if (held(gd)) {
      watchHidden(gd);
      if (!w) {
        w = { args: args, settle: [] };
        waiting.set(gd, w);
      }
      w.args = args;
      return new Promise(function (resolve, reject) {
        w.settle.push([resolve, reject]);
      });
    }
    if (w) {
      waiting.delete(gd);
    }
    var p = draw(gd, args, w ? w.settle : []);
    if (!firstDrawn) {
      Promise.resolve(p).then(openGate, openGate);
    }
    return p;
  }

  function adopt(plotly) {
    if (!plotly || typeof plotly.react !== 'function' || plotly.react.__explorerDrawing) {
      return;
    }
    react = plotly.react.bind(plotly);
    wrapped.__explorerDrawing = true;
    plotly.react = wrapped;
    sameSizeResizes(plotly.Plots);
    setTimeout(function () {
      openGate('timer');
    }, OPEN_AFTER_MS);
  }

  // dcc.Graph resizes every graph once it is first drawn (and whenever its container may have
  // changed size): Plotly.Plots.resize then redraws the whole graph, even at the size it has, and
  // a network of a few thousand ties takes as long to redraw as to draw (about 1 s on 4,000 ties).
  // A resize to the size the graph already has is answered at once: Plotly would draw the same
  // figure (it keeps a size that changed by 1 px or less, as here).
  function sameSizeResizes(plots) {
    var resize = plots && plots.resize;
    if (typeof resize !== 'function' || resize.__explorerDrawing) {
      return;
    }
    plots.resize = function (gd) {
      var div = typeof gd === 'string' ? document.getElementById(gd) : gd;
      var full = div && div._fullLayout;
      if (full && div.layout && !div._resolveResize) {
        // The size Plotly.Plots.resize would give it (plotAutoSize: the div's computed size).
        var style = window.getComputedStyle(div);
        var width = parseFloat(style.width);
        var height = parseFloat(style.height);
        if (width > 0 && height > 0 && Math.abs(full.width - width) <= 1 && Math.abs(full.height - height) <= 1) {
          return Promise.resolve(div);
        }
      }
      return resize.apply(this, arguments);
    };
    plots.resize.__explorerDrawing = true;
  }

  // Should dcc.Graph ever look for plotly.js itself (window._dashPlotlyJSURL, which Dash sets to
  // plotly.py's full plotly.js), it fetches the page's own, the one the figures are drawn with.
  var bundle = document.querySelector('script[src*="plotly-explorer"]');
  if (bundle) {
    Object.defineProperty(window, '_dashPlotlyJSURL', {
      configurable: true,
      get: function () {
        return bundle.src;
      },
      set: function () {},
    });
  }

  // dcc.Graph loads plotly.js on demand and reaches it as window.Plotly.
  var current = window.Plotly;
  adopt(current);
  Object.defineProperty(window, 'Plotly', {
    configurable: true,
    enumerable: true,
    get: function () {
      return current;
    },
    set: function (v) {
      current = v;
      adopt(v);
    },
  });

  // A closed tab opening (its panel's "hidden" removed) draws what waited in it.  Only the hidden
  // element itself is watched: a watch over the page would also see every element Plotly draws.
  var scheduled = false;
  var observer = new MutationObserver(function () {
    if (waiting.size && !scheduled) {
      scheduled = true;
      requestAnimationFrame(function () {
        scheduled = false;
        flush();
      });
    }
  });
  var hiddenWatched = new WeakSet();
  function watchHidden(gd) {
    var el = gd.closest('[hidden]');
    if (el && !hiddenWatched.has(el)) {
      hiddenWatched.add(el);
      observer.observe(el, { attributes: true, attributeFilter: ['hidden'] });
    }
  }
})();
