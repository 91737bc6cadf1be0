// Follows a document rendered in the background (reports/document.html): polls its JSON status until it is
// done or failed, then shows the download link or the error. No inline script (CSP script-src 'self').
(function () {
  var card = document.getElementById("document");
  if (!card || !window.fetch) {
    return;
  }
  var url = card.getAttribute("data-status-url");
  var progress = document.getElementById("document-progress");
  var pagesDone = document.getElementById("document-pages-done");
  var pagesTotal = document.getElementById("document-pages-total");
  var statusLabel = document.getElementById("document-status");
  var error = document.getElementById("document-error");
  var download = document.getElementById("document-download");
  var refresh = document.getElementById("document-refresh");
  var retry = document.getElementById("document-retry");
  var delay = 1000;

  function show(state) {
    progress.max = Math.max(state.pages_total, 1);
    progress.value = state.pages_done;
    progress.textContent = state.pages_done + "/" + state.pages_total;
    pagesDone.textContent = state.pages_done;
    pagesTotal.textContent = state.pages_total;
    statusLabel.textContent = state.status_label;
    error.textContent = state.error;
    error.hidden = !state.error;
    if (state.download_url) {
      download.href = state.download_url;
      download.hidden = false;
    }
    refresh.hidden = state.is_finished;
    retry.hidden = state.status !== "failed";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (!state.is_finished) {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // A lost connection or an expired session: slow down; the refresh link still works.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
