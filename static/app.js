// In-place updates (htmx) that cannot be shown in place are shown as a page instead, so
// that nothing vanishes and nothing fails in silence. A form swapped by htmx asks for one
// block of the answer (hx-select="#record"); when the answer does not hold it (the session
// ended and the answer is the sign-in page, or an error page) or is an error htmx does not
// swap (404, 409, 500, 503), the answer — a whole page in Vietnamese — replaces the page.
(function () {
  "use strict";

  function showWhole(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    if (!doc.body) {
      return;
    }
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    window.scrollTo(0, 0);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var d = event.detail;
    var url = d.xhr && d.xhr.responseURL ? new URL(d.xhr.responseURL) : null;
    if (url && url.pathname === "/login") {
      // Signed out meanwhile: to the sign-in page, as a link would.
      d.shouldSwap = false;
      window.location.assign(url.href);
      return;
    }
    if (!d.shouldSwap || typeof d.serverResponse !== "string") {
      return;
    }
    var elt = d.requestConfig && d.requestConfig.elt;
    var holder = elt && elt.closest ? elt.closest("[hx-select]") : null;
    var wanted = holder ? holder.getAttribute("hx-select") : null;
    if (wanted && !new DOMParser().parseFromString(d.serverResponse, "text/html").querySelector(wanted)) {
      d.shouldSwap = false;
      showWhole(d.serverResponse);
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseText) {
      showWhole(xhr.responseText);
    }
  });

  document.addEventListener("htmx:sendError", function () {
    var main = document.getElementById("main") || document.body;
    var note = document.getElementById("send-error");
    if (!note) {
      note = document.createElement("p");
      note.id = "send-error";
      note.className = "alert error";
      note.setAttribute("role", "alert");
      main.insertBefore(note, main.firstChild);
    }
    note.textContent = "Không kết nối được với máy chủ: thao tác vừa rồi chưa được lưu. Kiểm tra mạng rồi bấm lại.";
    note.scrollIntoView({ block: "center" });
  });
})();
