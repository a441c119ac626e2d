/* Functions the metrics grid calls by name (dash-ag-grid looks them up in this namespace). */
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

/* Enter on a row selects its node, as a click does: the keyboard way to reach a node. */
dagfuncs.explorerSelectOnEnter = function (params, setEventData) {
  if (params && params.event && params.event.key === "Enter" && params.data) {
    setEventData({id: params.data.id});
  }
};
