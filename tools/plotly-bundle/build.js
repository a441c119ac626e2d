// Builds the dashboard's plotly.js (entry.js: the trace types it draws) the way plotly.js builds
// its own bundles (its esbuild-config.js), minified, with a first line naming version and traces.
//     node build.js OUTFILE
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const fs = require('fs');
const { version } = require('plotly.js/package.json');

// The traces entry.js registers, after scatter (in plotly.js's core).
const traces = ['scatter'].concat(
    Array.from(fs.readFileSync(__dirname + '/entry.js', 'utf8').matchAll(/plotly\.js\/lib\/(\w+)'/g), (m) => m[1]).filter(
        (name) => name !== 'core'
    )
);

esbuild
    .build({
        entryPoints: [__dirname + '/entry.js'],
        outfile: process.argv[2],
        format: 'iife',
        globalName: 'Plotly',
        bundle: true,
        minify: true,
        sourcemap: false,
        legalComments: 'none',
        banner: {
            js: `/* plotly.js v${version}, MIT license (LICENSE-plotly.js.txt), with the traces ${traces.join(', ')}: built by tools/plotly-bundle */`,
        },
        plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
        alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
        define: { global: 'window', 'define.amd': 'false' },
        target: 'es2016',
        logLevel: 'warning',
    })
    .catch(() => process.exit(1));
