// Builds ../../assets/head/plotly-explorer.min.js: plotly.js's core (with scatter) and the trace
// types below, with plotly.js's own esbuild settings (its esbuild-config.js).
// TRACES: the trace types the dashboard draws (explorer/figures.py: network, map, timeline,
// series); keep in step with explorer.app.scripts.BUNDLED_TRACES (a test compares them).
const path = require('path');
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const version = require('plotly.js/package.json').version;

const TRACES = ['bar', 'scattergl', 'scattergeo'];

const entry = [
    "'use strict';",
    "var Plotly = require('plotly.js/lib/core');",
    'Plotly.register([' + TRACES.map((t) => `require('plotly.js/lib/${t}')`).join(', ') + ']);',
    'module.exports = Plotly;'
].join('\n');

esbuild
    .build({
        stdin: { contents: entry, resolveDir: __dirname, sourcefile: 'entry.js' },
        outfile: path.join(__dirname, '..', '..', 'assets', 'head', 'plotly-explorer.min.js'),
        format: 'iife',
        globalName: 'Plotly',
        bundle: true,
        minify: true,
        sourcemap: false,
        plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
        alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
        define: { global: 'window', 'define.amd': 'false' },
        target: 'es2016',
        banner: {
            js: `/* plotly.js v${version} (MIT, Plotly, Inc.): core, ${TRACES.join(', ')}. Built for explorer by tools/plotly-bundle. */`
        },
        footer: { js: 'window.Plotly = Plotly;' },
        logLevel: 'info'
    })
    .catch(() => process.exit(1));
