/* Functions the metrics grid calls by name (dash-ag-grid looks them up in this namespace). */
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

/* Enter on a row selects its node, as a click does: the keyboard way to reach a node. */
dagfuncs.explorerSelectOnEnter = function (params, setEventData) {
  if (params && params.event && params.event.key === "Enter" && params.data) {
    setEventData({id: params.data.id});
  }
};

/* The metrics download follows the project's CSV rule (explorer.text.escape_csv_cell): a text cell
 * that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe. */
dagfuncs.explorerCsvCell = function (params) {
  const v = params ? params.value : null;
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(v) && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) {
    return "'" + v;
  }
  return v;
};
