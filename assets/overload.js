/*
 * A visible notice when the server turns an update down because it is busy.
 *
 * The production server answers a request it cannot take in time with
 * "503 Service Unavailable" and a Retry-After header (explorer/server.py,
 * RequestGate). Dash drops such an answer silently, so the view would just not
 * change. This hook watches the dashboard's update requests: a 503 shows a
 * notice (role="alert") saying the change was not applied and when to try
 * again; the next answered update, or the close button, takes it away.
 */
(function () {
    "use strict";
    if (!window.fetch || window.__explorerOverloadHook) {
        return;
    }
    window.__explorerOverloadHook = true;

    var UPDATE = "_dash-update-component";
    var ID = "explorer-overload-notice";
    var original = window.fetch.bind(window);

    function urlOf(input) {
        if (typeof input === "string") {
            return input;
        }
        return (input && (input.url || input.href)) || "";
    }

    function hide() {
        var box = document.getElementById(ID);
        if (box) {
            box.hidden = true;
        }
    }

    function show(seconds) {
        var box = document.getElementById(ID);
        if (!box) {
            box = document.createElement("div");
            box.id = ID;
            box.setAttribute("role", "alert");
            box.className = "alert alert-warning shadow";
            // Set through the DOM (CSSOM), which the Content-Security-Policy allows.
            box.style.position = "fixed";
            box.style.top = "0.75rem";
            box.style.left = "50%";
            box.style.transform = "translateX(-50%)";
            box.style.zIndex = "2000";
            box.style.maxWidth = "40rem";
            box.style.display = "flex";
            box.style.gap = "0.75rem";
            box.style.alignItems = "center";
            var text = document.createElement("span");
            text.className = "explorer-overload-text";
            var close = document.createElement("button");
            close.type = "button";
            close.className = "btn-close";
            close.setAttribute("aria-label", "Close");
            close.addEventListener("click", hide);
            box.appendChild(text);
            box.appendChild(close);
            document.body.appendChild(box);
        }
        var wait = seconds > 0 ? "in " + seconds + " s" : "in a few seconds";
        box.querySelector(".explorer-overload-text").textContent =
            "The server is busy: your last change was not applied. Try it again " + wait + ".";
        box.hidden = false;
    }

    window.fetch = function (input, init) {
        var promise = original(input, init);
        if (urlOf(input).indexOf(UPDATE) === -1) {
            return promise;
        }
        return promise.then(function (response) {
            if (response.status === 503) {
                show(parseInt(response.headers.get("Retry-After") || "", 10));
            } else if (response.ok) {
                hide();
            }
            return response;
        });
    };
})();
