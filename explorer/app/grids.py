"""The two AG Grids (metrics and changes), made when their tab first opens (see
``callbacks._register_lazy_grids``): their rows and columns arrive through stores."""

from __future__ import annotations

import dash_ag_grid as dag

DEFAULT_COLUMN = {"sortable": True, "filter": True, "resizable": True}


def metrics_grid() -> dag.AgGrid:
    return dag.AgGrid(
        id="grid",
        rowData=[],
        columnDefs=[],
        getRowId="params.data.id",
        dashGridOptions={
            # Ticks chart rows; a click (or Enter) on a row selects its node.
            "rowSelection": {
                "mode": "multiRow",
                "checkboxes": True,
                "enableClickSelection": False,
            },
            "animateRows": False,
            "pagination": True,
            "paginationPageSize": 50,
        },
        eventListeners={"cellKeyDown": ["explorerSelectOnEnter(params, setEventData)"]},
        rowClassRules={},
        defaultColDef=DEFAULT_COLUMN,
        csvExportParams={
            "fileName": "explorer-metrics.csv",
            "processCellCallback": {"function": "explorerCsvCell(params)"},
        },
        style={"height": "420px"},
        className="ag-theme-quartz",
    )


def changes_grid() -> dag.AgGrid:
    return dag.AgGrid(
        id="changes-grid",
        rowData=[],
        columnDefs=[],
        style={"height": "320px"},
        defaultColDef=DEFAULT_COLUMN,
        className="ag-theme-quartz",
    )
