'use strict';

// plotly.js with what the explorer dashboard draws: scatter (in the core), scattergl (large
// networks), bar (the timeline) and scattergeo (the map).
var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/scattergl'), require('plotly.js/lib/bar'), require('plotly.js/lib/scattergeo')]);

module.exports = Plotly;
