/* Loaded in the page's head, before Dash's scripts (explorer/app/scripts.py).
 *
 * Dash ships @babel/polyfill 7 (core-js 2) ahead of its renderer. In a current browser it still
 * replaces String.prototype.trim (and trimStart, trimEnd, trimLeft, trimRight), parseInt and
 * parseFloat, because the native ones no longer count U+180E as white space (Unicode 6.3
 * changed that; the browser follows the standard). Its replacements run regular expressions
 * on every call, and plotly.js calls them for every colour it reads: on a 5,000-entity view
 * they took a sixth of the page's first drawing. This keeps the browser's own functions and
 * puts them back once the polyfill has run (explorer.js calls restore()); everything else the
 * polyfill provides (regeneratorRuntime, which Dash's components need) stays. */
(function () {
    'use strict';
    var kept = [];
    function keep(owner, names) {
        names.forEach(function (name) {
            var d = Object.getOwnPropertyDescriptor(owner, name);
            if (d && typeof d.value === 'function') kept.push([owner, name, d]);
        });
    }
    keep(String.prototype, ['trim', 'trimStart', 'trimEnd', 'trimLeft', 'trimRight']);
    keep(window, ['parseInt', 'parseFloat']);
    keep(Number, ['parseInt', 'parseFloat']);
    window.explorerNatives = {
        // The names of the functions put back (those something had replaced).
        restore: function () {
            var restored = [];
            kept.forEach(function (k) {
                var now = Object.getOwnPropertyDescriptor(k[0], k[1]);
                if (!now || now.value === k[2].value || !now.configurable) return;
                Object.defineProperty(k[0], k[1], k[2]);
                restored.push((k[0] === window ? '' : k[0] === Number ? 'Number.' : 'String.prototype.') + k[1]);
            });
            return restored;
        },
    };
})();
