// The classroom projector page: swaps in the new check-in code when the current one is about to change, so a
// full-screen display stays full screen. Without this script a <noscript> meta refresh reloads the page.
// ES5 and XMLHttpRequest, for the older computers found in classrooms.
(function () {
  "use strict";
  var screen = document.getElementById("code");
  if (!screen) { return; }
  var left = parseInt(screen.getAttribute("data-seconds-left"), 10) || 1;
  var currentUrl = screen.getAttribute("data-current-url");
  var image = document.getElementById("code-image");
  var countdown = document.getElementById("countdown");
  var status = document.getElementById("code-status");
  var failures = 0;

  function show(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    countdown.textContent = (minutes ? minutes + "分" : "") + rest + "秒";
  }

  function refresh() {
    var request = new XMLHttpRequest();
    request.open("GET", currentUrl + "?t=" + new Date().getTime());
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status !== 200) { return retry(); }
      var data;
      try { data = JSON.parse(request.responseText); } catch (error) { return retry(); }
      if (!data.qr) { window.location.reload(); return; }  // the day closed: the server page says why
      failures = 0;
      status.hidden = true;
      image.src = data.qr;
      document.getElementById("code-url").textContent = data.url;
      document.getElementById("checked-in").textContent = data.checked_in;
      left = data.seconds_left;
    };
    request.onerror = retry;
    request.send();
  }

  function retry() {
    failures += 1;
    status.textContent = "网络中断，正在重新获取签到码……";
    status.hidden = false;
    left = Math.min(5 * failures, 30);
  }

  function tick() {
    left -= 1;
    if (left <= 0) {
      left = 5;  // until the answer arrives
      refresh();
    }
    show(Math.max(left, 0));
  }

  document.getElementById("countdown-wrap").hidden = false;
  left += 1;  // ask just after the change, never just before it
  show(left);
  setInterval(tick, 1000);

  var button = document.getElementById("fullscreen");
  var root = document.documentElement;
  if (root.requestFullscreen) {
    button.hidden = false;
    button.addEventListener("click", function () { root.requestFullscreen(); });
  }
})();
